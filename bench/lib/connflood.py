#!/usr/bin/env python3
"""A TCP or TLS connection flood (bench/flood, cases tcp, tcp-spread, tls, tls-spread).

  connflood.py HOST:PORT MODE RATE SECONDS SOURCES FIRST_SOURCE LINGER [MAX_OPEN]

Opens RATE connections a second in all for SECONDS, round-robin from SOURCES loopback
addresses FIRST_SOURCE, FIRST_SOURCE+1, ... (all of 127/8 is loopback on Linux), and sends
nothing on them. MODE:

  tcp        plain TCP; every connection the server keeps is kept (silent)
  tls        each connection runs a full TLS handshake (the server's certificate is not
             checked) and is closed as soon as it completes: a handshake flood
  tls-hold   a full TLS handshake, then the connection is kept (silent), as `tcp`

After SECONDS no new connection is opened, and the ones still open are kept LINGER seconds
more (so that the server's timeout for silent connections can show), then closed. At most
MAX_OPEN (default 4000) are open at once on this side; attempts over that are skipped.

A connection the server closes within REFUSED_S (10 s) of its opening, or whose handshake it
breaks off, counts as refused (tandem accepts and drops at once what is over its limits);
one it closes later as closed by the server, with its lifetime. Every 0.5 s the connections
open for 10 s or more are counted per source: the highest count is `open_max_per_source`.

Prints one line at the end:
  connflood: mode=M attempted=N connect_failed=F refused=R held=H handshakes=K server_closed=C
             lifetime_min_s=.. lifetime_median_s=.. lifetime_max_s=.. open_max_per_source=..
             open_max_total=.. open_at_end=.. skipped=.. seconds=S sources=K
"""

import asyncio
import ipaddress
import resource
import ssl
import statistics
import sys
import time

REFUSED_S = 10.0
SAMPLE_S = 0.5


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            pass


async def run(host, port, mode, rate, seconds, sources, linger, max_open):
    ctx = None
    if mode in ("tls", "tls-hold"):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    st = {"attempted": 0, "connect_failed": 0, "refused": 0, "held": 0, "handshakes": 0,
          "server_closed": 0, "skipped": 0}
    lifetimes = []
    live = {}  # id -> (source, opened at)
    writers = {}
    start = time.monotonic()
    stop_at = start + seconds + linger
    peaks = {"per_source": 0, "total": 0}

    def closed_by_server(t0):
        age = time.monotonic() - t0
        if age < REFUSED_S:
            st["refused"] += 1
        else:
            st["server_closed"] += 1
            lifetimes.append(age)

    async def one(cid, src):
        t0 = time.monotonic()
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(host, port, ssl=ctx, local_addr=(src, 0),
                                        server_hostname="" if ctx else None), 15)
        except (ConnectionRefusedError, asyncio.TimeoutError):
            st["connect_failed"] += 1
            return
        except (OSError, ssl.SSLError, EOFError):
            st["refused"] += 1  # dropped by the server before or during the handshake
            return
        if ctx is not None:
            st["handshakes"] += 1
            if mode == "tls":
                writer.close()
                return
        live[cid] = (src, t0)
        writers[cid] = writer
        try:
            while True:
                left = stop_at - time.monotonic()
                if left <= 0:
                    break
                try:
                    data = await asyncio.wait_for(reader.read(4096), left)
                except asyncio.TimeoutError:
                    break
                if not data:
                    closed_by_server(t0)
                    return
        except (OSError, ssl.SSLError):
            closed_by_server(t0)
            return
        finally:
            live.pop(cid, None)
            writers.pop(cid, None)
            if time.monotonic() - t0 >= REFUSED_S:
                st["held"] += 1
            try:
                writer.close()
            except (OSError, RuntimeError):
                pass

    async def sampler():
        while time.monotonic() < stop_at:
            now = time.monotonic()
            per = {}
            for src, t0 in list(live.values()):
                if now - t0 >= REFUSED_S:
                    per[src] = per.get(src, 0) + 1
            if per:
                peaks["per_source"] = max(peaks["per_source"], max(per.values()))
                peaks["total"] = max(peaks["total"], sum(per.values()))
            await asyncio.sleep(SAMPLE_S)

    tasks = set()
    samp = asyncio.create_task(sampler())
    n = 0
    while True:
        due = start + n / rate
        if due - start >= seconds:
            break
        wait = due - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        src = sources[n % len(sources)]
        n += 1
        st["attempted"] += 1
        if len(tasks) >= max_open:
            st["skipped"] += 1
            continue
        t = asyncio.create_task(one(n, src))
        tasks.add(t)
        t.add_done_callback(tasks.discard)
    open_at_end_window = sum(1 for _, t0 in live.values())
    if tasks:
        await asyncio.wait(list(tasks), timeout=max(1.0, stop_at - time.monotonic() + 20))
    samp.cancel()
    lt = sorted(lifetimes)
    fmt = lambda v: "na" if v is None else f"{v:.1f}"  # noqa: E731
    print("connflood: " + " ".join([
        f"mode={mode}", *(f"{k}={v}" for k, v in st.items()),
        f"lifetime_min_s={fmt(lt[0] if lt else None)}",
        f"lifetime_median_s={fmt(statistics.median(lt) if lt else None)}",
        f"lifetime_max_s={fmt(lt[-1] if lt else None)}",
        f"open_max_per_source={peaks['per_source']}", f"open_max_total={peaks['total']}",
        f"open_at_end_of_flood={open_at_end_window}",
        f"seconds={time.monotonic() - start:.1f}", f"sources={len(sources)}"]), flush=True)


def main():
    if len(sys.argv) not in (8, 9):
        sys.exit(__doc__)
    host, port = sys.argv[1].rsplit(":", 1)
    mode = sys.argv[2]
    if mode not in ("tcp", "tls", "tls-hold"):
        sys.exit(f"connflood: unknown mode {mode}")
    rate = max(1.0, min(float(sys.argv[3]), 5000.0))
    seconds = max(1.0, min(float(sys.argv[4]), 600.0))
    count = max(1, min(int(sys.argv[5]), 250))
    first = ipaddress.ip_address(sys.argv[6])
    linger = max(0.0, min(float(sys.argv[7]), 600.0))
    max_open = max(1, min(int(sys.argv[8]) if len(sys.argv) == 9 else 4000, 20000))
    raise_nofile()
    sources = [str(first + i) for i in range(count)]
    asyncio.run(run(host, int(port), mode, rate, seconds, sources, linger, max_open))


if __name__ == "__main__":
    main()
