"""Load generation with sipp (Debian `sip-tester`): a long-lived UAS and one UAC run per
rate step, each under coreutils `timeout`, their `-trace_stat` CSVs read back."""

import csv
import os
import subprocess

from proc import child_preexec, stop


def read_stat(path):
    """The last row of a sipp `-trace_stat` CSV as {column: text}, {} when there is none."""
    try:
        with open(path, newline="", encoding="ascii", errors="replace") as f:
            rows = list(csv.reader(f, delimiter=";"))
    except OSError:
        return {}
    if len(rows) < 2:
        return {}
    header, last = rows[0], rows[-1]
    return {k: v for k, v in zip(header, last) if k}


def read_rows(path):
    """Every data row of a sipp `-trace_stat` CSV as {column: text}."""
    try:
        with open(path, newline="", encoding="ascii", errors="replace") as f:
            rows = list(csv.reader(f, delimiter=";"))
    except OSError:
        return []
    if len(rows) < 2:
        return []
    return [{k: v for k, v in zip(rows[0], r) if k} for r in rows[1:]]


def duration_s(text):
    """sipp's `HH:MM:SS` or `HH:MM:SS:micro` durations in seconds (0.0 when unreadable)."""
    parts = (text or "").strip().split(":")
    try:
        secs = int(parts[0]) * 3600 + int(parts[1]) * 60 + int(parts[2])
        if len(parts) > 3:
            secs += int(parts[3]) / 1e6
        return float(secs)
    except (IndexError, ValueError):
        return 0.0


def send_window(rows, calls):
    """Seconds from the start until sipp had created `calls` calls (1 s resolution, the
    `-fd 1` dump period), or None if it never did."""
    for row in rows:
        if stat_int(row, "TotalCallCreated") >= calls:
            return duration_s(row.get("ElapsedTime(C)", ""))
    return None


def stat_int(row, key):
    try:
        return int(row.get(key, "0") or "0")
    except ValueError:
        return 0


def stat_float(row, key):
    try:
        return float(row.get(key, "0") or "0")
    except ValueError:
        return 0.0


def counters(row):
    """Cumulative counters of interest from a stat row."""
    return {
        "created": stat_int(row, "TotalCallCreated"),
        "ok": stat_int(row, "SuccessfulCall(C)"),
        "failed": stat_int(row, "FailedCall(C)"),
        "retrans": stat_int(row, "Retransmissions(C)"),
        "max_udp_retrans": stat_int(row, "FailedMaxUDPRetrans(C)"),
        "unexpected": stat_int(row, "FailedUnexpectedMessage(C)"),
        "recv_timeout": stat_int(row, "FailedTimeoutOnRecv(C)"),
        "dead_msgs": stat_int(row, "DeadCallMsgs(C)"),
        "out_of_call": stat_int(row, "OutOfCallMsgs(C)"),
        "incoming": stat_int(row, "IncomingCall(C)"),
    }


def per_message(workdir):
    """Totals of the last row of the `-trace_counts` CSV sipp left in `workdir` (it names it
    `uac_PID_counts.csv`) for the columns that say something went wrong (`*_Retrans`,
    `*_Timeout`, `*_Unexp`), non-zero ones only."""
    row = {}
    for name in sorted(os.listdir(workdir)):
        if name.endswith("_counts.csv"):
            row = read_stat(os.path.join(workdir, name))
    out = {}
    for k, v in row.items():
        if k.endswith(("_Retrans", "_Timeout", "_Unexp")):
            try:
                n = int(v)
            except ValueError:
                continue
            if n:
                out[k] = n
    return out


def start_uas(sipp, workdir, port, media_port, stat_path, wall_seconds):
    """A sipp UAS (`-sn uas`) answering every call on 127.0.0.1:port until stopped or until
    `timeout` ends it after `wall_seconds`."""
    argv = [
        "timeout", "-k", "5", str(int(wall_seconds)),
        sipp, "-sn", "uas",
        "-i", "127.0.0.1", "-p", str(port), "-mp", str(media_port),
        "-nostdin", "-trace_stat", "-stf", stat_path, "-fd", "1",
        "-trace_err", "-error_file", os.path.join(workdir, "uas_errors.log"),
        "-max_log_size", "2000000",
    ]
    log = open(os.path.join(workdir, "uas.out"), "wb")
    try:
        return subprocess.Popen(argv, cwd=workdir, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                preexec_fn=child_preexec)
    finally:
        log.close()


def uac_argv(sipp, pbx_port, port, media_port, rate, calls, hold_ms, exten, stat_path, err_path,
             wall_seconds, scenario=None):
    """One UAC step: `calls` calls at `rate` calls/s, each held `hold_ms` then hung up (BYE).
    `scenario`: a scenario file instead of sipp's built-in `uac`."""
    which = ["-sf", scenario] if scenario else ["-sn", "uac"]
    return [
        "timeout", "-k", "5", str(int(wall_seconds)),
        sipp, *which, "-s", exten, "-d", str(hold_ms),
        "-r", str(rate), "-m", str(calls),
        # sipp's default concurrency cap (3 * hold * rate) throttles at low rates: lift it.
        "-l", str(max(100, rate * 10)),
        "-i", "127.0.0.1", "-p", str(port), "-mp", str(media_port),
        "-nostdin", "-recv_timeout", "10000", "-timeout", str(int(wall_seconds)),
        "-trace_stat", "-stf", stat_path, "-fd", "1",
        "-trace_counts",
        "-trace_err", "-error_file", err_path, "-max_log_size", "2000000",
        f"127.0.0.1:{pbx_port}",
    ]


def run_uac(argv, workdir, wall_seconds):
    """Run a UAC step to its end; returns (exit code, the last lines of its output)."""
    out_path = os.path.join(workdir, "uac.out")
    with open(out_path, "wb") as log:
        proc = subprocess.Popen(argv, cwd=workdir, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                preexec_fn=child_preexec)
        try:
            code = proc.wait(timeout=wall_seconds + 15)
        except subprocess.TimeoutExpired:
            stop(proc)
            code = proc.returncode
        except BaseException:
            stop(proc)  # interrupted: leave nothing running
            raise
    try:
        with open(out_path, "rb") as f:
            tail = f.read()[-2000:].decode("utf-8", "replace")
    except OSError:
        tail = ""
    return code, tail
