"""/proc sampling, free loopback ports and child-process hygiene for the bench scripts."""

import ctypes
import os
import random
import signal
import socket
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")  # same value as `getconf CLK_TCK`
PR_SET_PDEATHSIG = 1


def child_preexec():
    """In a child before exec: its own process group, and SIGTERM when the bench dies, so
    nothing outlives the script even if it is killed (coreutils `timeout` forwards SIGTERM)."""
    os.setpgrp()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def cpu_seconds(pid):
    """utime + stime of `pid` in seconds (all threads), or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            text = f.read().decode("ascii", "replace")
    except OSError:
        return None
    # Fields after the command name, which is in parentheses and may contain spaces.
    rest = text[text.rfind(")") + 2:].split()
    try:
        # rest[0] is field 3 (state); utime is field 14, stime field 15.
        return (int(rest[11]) + int(rest[12])) / CLK_TCK
    except (IndexError, ValueError):
        return None


def status(pid):
    """VmRSS, VmHWM (kB) and Threads of `pid` from /proc/PID/status, {} when it is gone."""
    out = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM", "Threads"):
                    out[key] = int(value.split()[0])
    except (OSError, ValueError, IndexError):
        return {}
    return out


def children(pid):
    """Direct children of `pid` (from /proc/PID/task/*/children)."""
    kids = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as f:
                kids.extend(int(x) for x in f.read().split())
    except (OSError, ValueError):
        pass
    return kids


def _free(port, kinds):
    for kind in kinds:
        s = socket.socket(socket.AF_INET, kind)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        finally:
            s.close()
    return True


def free_ports(count, low, high, span=1, taken=()):
    """`count` loopback ports in [low, high) each free for UDP and TCP together with the
    `span - 1` ports after it; a bounded number of random tries."""
    found = []
    used = set(taken)
    for _ in range(2000):
        if len(found) == count:
            break
        base = random.randrange(low, high - span) & ~1
        block = range(base, base + span)
        if any(p in used for p in block):
            continue
        if all(_free(p, (socket.SOCK_DGRAM, socket.SOCK_STREAM)) for p in block):
            found.append(base)
            used.update(block)
    if len(found) != count:
        raise RuntimeError(f"no {count} free port(s) in {low}-{high}")
    return found


def wait_for_text(path, text, proc, deadline):
    """Poll the file `path` until it contains `text`; False when `proc` exits or the
    monotonic `deadline` passes first."""
    while time.monotonic() < deadline:
        try:
            with open(path, "rb") as f:
                if text.encode() in f.read():
                    return True
        except OSError:
            pass
        if proc.poll() is not None:
            return False
        time.sleep(0.05)
    return False


def stop(proc, grace=5.0):
    """SIGTERM `proc` (and its process group), SIGKILL after `grace` seconds; bounded."""
    if proc is None or proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            try:
                proc.send_signal(sig)
            except ProcessLookupError:
                return
        try:
            proc.wait(timeout=wait)
            return
        except Exception:  # subprocess.TimeoutExpired
            continue
