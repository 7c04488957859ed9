"""The RTP side of bench/relay and bench/transcode: one run of bench/rtpload (N bridged calls,
RTP both ways) through one PBX, tandem's CPU and RSS sampled from /proc."""

import os
import subprocess
import sys
import threading
import time

import pbx_tandem
import proc

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the workspace

# RTP_CALLGRIND=1: the PBX runs under valgrind's callgrind, its counters zeroed when the media
# starts and dumped when it ends, and the line gains callgrind_ir_per_packet (instructions per
# relayed packet: steady on a noisy machine, unlike CPU time; the CPU figures are then
# valgrind's and meaningless). Keep the call count small (10 to 50): the PBX runs ~50x slower.
CALLGRIND = os.environ.get("RTP_CALLGRIND") == "1"


def callgrind_ir(pid, out_prefix):
    """Dump callgrind's counters of `pid` now and return the Ir total of the dump (None when
    it cannot be read)."""
    before = set(os.listdir(os.path.dirname(out_prefix)))
    subprocess.run(["timeout", "60", "callgrind_control", "-d", str(pid)], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    folder = os.path.dirname(out_prefix)
    for _ in range(100):
        new = sorted(set(os.listdir(folder)) - before)
        for name in new:
            try:
                with open(os.path.join(folder, name), encoding="ascii", errors="replace") as f:
                    for line in f:
                        if line.startswith(("summary:", "totals:")):
                            return int(line.split()[1])
            except (OSError, ValueError, IndexError):
                pass
        time.sleep(0.1)
    return None


RATIO_KEYS = ["loss_pct", "jitter_ms_max", "cpu_us_per_packet", "cpu_pct_per_call", "rss_kb_per_call"]


def build(package, env_name):
    given = os.environ.get(env_name)
    if given:
        return given
    print(f"bench-info: cargo build --release -p {package}", flush=True)
    r = subprocess.run(["timeout", "-k", "10", "1800", "cargo", "build", "--release", "-p", package],
                       cwd=ROOT, stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        sys.exit(f"bench: build of {package} failed (exit {r.returncode})")
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    return os.path.join(target, "release", package)


def parse_line(line):
    out = {}
    for word in line.split()[1:]:
        k, _, v = word.partition("=")
        try:
            out[k] = float(v)
        except ValueError:
            out[k] = v
    return out


def one_run(target, rtpload, calls, seconds, rtp_range, work, tag="relay", uas_codec=None):
    """One load of `calls` bridged calls through the PBX `target` = (name, command, ready
    text); prints the `TAG:` line and returns its figures. `uas_codec` (pcma, g722, opus) makes the
    callee side use that codec (tandem's uas peer allows only it, the caller side only ulaw),
    so that every call is transcoded."""
    name, cmd, ready = target
    pbx_port, uac_port, uas_port = proc.free_ports(3, 30000, 60000)
    config = os.path.join(work, f"config-{name}-{calls}")
    data = os.path.join(work, f"data-{name}-{calls}")
    os.makedirs(data, exist_ok=True)
    allow = {"pcma": "alaw", "g722": "g722", "pcmu": "ulaw", "opus": "opus"}
    pbx_tandem.write_config(config, pbx_port, uac_port, uas_port, rtp_range,
                            uac_allow="ulaw" if uas_codec else "",
                            uas_allow=allow.get(uas_codec, "") if uas_codec else "")
    err = os.path.join(work, f"{name}-{calls}.log")
    argv = pbx_tandem.command(cmd, config, data)
    cg_prefix = os.path.join(work, f"callgrind-{name}-{calls}", "cg.out")
    if CALLGRIND:
        os.makedirs(os.path.dirname(cg_prefix), exist_ok=True)
        argv = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={cg_prefix}.%p"] + argv
    pbx = pbx_tandem.start(argv, err)
    try:
        if not proc.wait_for_text(err, ready, pbx, time.monotonic() + (180 if CALLGRIND else 30)):
            sys.exit(f"{tag}: {name} did not start (see {err})")
        rss = {"VmRSS": 0, "VmHWM": 0}
        stop_sampling = threading.Event()

        def sample():
            while not stop_sampling.wait(0.5):
                st = proc.status(pbx.pid)
                for k in rss:
                    rss[k] = max(rss[k], st.get(k, 0))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        gen_err = os.path.join(work, f"rtpload-{name}-{calls}.log")
        argv = [rtpload, "--pbx", f"127.0.0.1:{pbx_port}", "--uac-port", str(uac_port),
                "--uas-port", str(uas_port), "--calls", str(calls), "--seconds", str(seconds)]
        if uas_codec:
            argv += ["--uas-codec", uas_codec]
        wall = 60 + seconds + calls // 50
        gen = subprocess.Popen(["timeout", "-k", "5", str(wall)] + argv, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, preexec_fn=proc.child_preexec)
        cpu = {}
        stderr_lines = []
        for line in gen.stderr:
            stderr_lines.append(line)
            if "media start" in line:
                if CALLGRIND:
                    subprocess.run(["timeout", "60", "callgrind_control", "-z", str(pbx.pid)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                cpu["start"] = (proc.cpu_seconds(pbx.pid), time.monotonic())
                kids = proc.children(gen.pid)
                cpu["gen_pid"] = kids[0] if kids else gen.pid
                cpu["gen_start"] = proc.cpu_seconds(cpu["gen_pid"]) or 0
                print(f"{tag}-info: {name} N={calls}: {line.strip()}", flush=True)
            elif "media done" in line:
                cpu["end"] = (proc.cpu_seconds(pbx.pid), time.monotonic())
                if CALLGRIND:
                    cpu["ir"] = callgrind_ir(pbx.pid, cg_prefix)
                cpu["gen_end"] = proc.cpu_seconds(cpu.get("gen_pid", gen.pid)) or 0
        out = gen.stdout.read()
        gen.wait()
        stop_sampling.set()
        with open(gen_err, "w", encoding="utf-8") as f:
            f.writelines(stderr_lines)
        result = [l for l in out.splitlines() if l.startswith("rtpload:")]
        if not result or "start" not in cpu or "end" not in cpu:
            sys.exit(f"{tag}: rtpload gave no result for {name} N={calls} (see {gen_err})")
        r = parse_line(result[-1])
        (c0, t0), (c1, t1) = cpu["start"], cpu["end"]
        busy = (c1 or 0) - (c0 or 0)
        wall_s = max(t1 - t0, 1e-9)
        relayed = r.get("received", 0)
        pps = relayed / max(r.get("media_s", wall_s), 1e-9)
        res = {
            "established": int(r.get("established", 0)),
            "packets_per_s": pps, "loss_pct": r.get("loss_pct", 0),
            # What the generator managed to send, against what N calls at 50 packets/s each way
            # should send: below 1, rtpload (not the PBX) was the limit.
            "sent_share": r.get("sent", 0) / max(r.get("media_s", wall_s), 1e-9)
            / max(int(r.get("established", 0)) * 100, 1),
            "jitter_ms_mean": r.get("jitter_ms_mean", 0), "jitter_ms_max": r.get("jitter_ms_max", 0),
            "late_ms_max": r.get("late_ms_max", 0),
            "tandem_cpu_pct": busy * 100 / wall_s,
            "rtpload_cpu_pct": (cpu.get("gen_end", 0) - cpu.get("gen_start", 0)) * 100 / wall_s,
            "cpu_us_per_packet": (busy * 1e6 / relayed) if relayed else 0,
            "cpu_pct_per_call": busy * 100 / wall_s / max(int(r.get("established", 0)), 1),
            "rss_mb": rss["VmRSS"] / 1024, "peak_rss_mb": rss["VmHWM"] / 1024,
            "rss_kb_per_call": rss["VmHWM"] / max(int(r.get("established", 0)), 1),
        }
        if CALLGRIND:
            res["callgrind_ir_per_packet"] = (cpu["ir"] / relayed) if cpu.get("ir") and relayed else None
        codec = f" codec=ulaw/{uas_codec}" if uas_codec else ""
        who = "" if name == "tandem" else f"[{name}]"
        print(
            f"{tag}{who}: calls={calls}{codec} established={res['established']} "
            f"packets_per_s={pps:.0f} sent_share={res['sent_share']:.2f} loss_pct={res['loss_pct']:.3f} "
            f"jitter_ms_mean={res['jitter_ms_mean']:.3f} jitter_ms_max={res['jitter_ms_max']:.3f} "
            f"late_ms_max={res['late_ms_max']:.1f} "
            f"tandem_cpu_pct={res['tandem_cpu_pct']:.1f} cpu_pct_per_call={res['cpu_pct_per_call']:.4f} "
            f"rtpload_cpu_pct={res['rtpload_cpu_pct']:.1f} "
            f"cpu_us_per_packet={res['cpu_us_per_packet']:.2f} "
            f"rss_mb={res['rss_mb']:.1f} peak_rss_mb={res['peak_rss_mb']:.1f} "
            f"rss_kb_per_call={res['rss_kb_per_call']:.0f}"
            + (f" callgrind_ir_per_packet={res['callgrind_ir_per_packet']:.0f}"
               if res.get("callgrind_ir_per_packet") else ""),
            flush=True,
        )
        return res
    finally:
        proc.stop(pbx)


