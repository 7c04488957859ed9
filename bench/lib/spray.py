#!/usr/bin/env python3
"""A flood that bans cannot stop: SIP requests from many loopback source addresses, each below
the rate limit, mixed with datagrams that are not SIP at all (bench/flood, case `spread`).

  spray.py HOST:PORT RATE SECONDS SOURCES [FIRST_SOURCE]

Sends RATE datagrams a second in total for SECONDS, round-robin from SOURCES sockets bound to
127.0.1.1, 127.0.1.2, ... (all of 127/8 is loopback on Linux; FIRST_SOURCE, default 127.0.1.1).
Every datagram is new: INVITEs and REGISTERs without credentials (each a new Call-ID and
branch, so each opens a server transaction and draws a challenge, which is not an
authentication failure), OPTIONS, and garbage (random bytes, or a truncated request). Nothing
is read back: the sockets' receive buffers fill and the kernel drops the rest.

Prints one line at the end: `spray: sent=N errors=E seconds=S sources=K`.
"""

import ipaddress
import os
import socket
import sys
import time


def requests(target, src, n):
    """The n-th datagram from source `src`."""
    host, port = target
    tag = f"{src[0].replace('.', '')}{src[1]}x{n}"
    kind = n % 10
    if kind >= 8:
        # Not SIP: random bytes, or a request cut off in its headers.
        return os.urandom(64 + n % 400) if kind == 8 else b"INVITE sip:100@x SIP/2.0\r\nVia: SIP/2.0/UDP"
    method = ("INVITE", "REGISTER", "OPTIONS", "INVITE", "REGISTER", "INVITE", "OPTIONS", "INVITE")[kind]
    user = f"u{n % 5000}"
    ruri = f"sip:{host}:{port}" if method == "REGISTER" else f"sip:{user}@{host}:{port}"
    body = ""
    if method == "INVITE":
        body = (f"v=0\r\no=- {n} 1 IN IP4 {src[0]}\r\ns=-\r\nc=IN IP4 {src[0]}\r\nt=0 0\r\n"
                f"m=audio {20000 + n % 10000} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")
    head = (f"{method} {ruri} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {src[0]}:{src[1]};branch=z9hG4bK-{tag}\r\n"
            f"From: <sip:{user}@{host}>;tag={tag}\r\n"
            f"To: <sip:{user}@{host}>\r\n"
            f"Call-ID: {tag}@{src[0]}\r\n"
            f"CSeq: 1 {method}\r\n"
            f"Contact: <sip:{user}@{src[0]}:{src[1]}>\r\n"
            "Max-Forwards: 70\r\n"
            "User-Agent: bench-spray\r\n")
    if method == "REGISTER":
        head += "Expires: 3600\r\n"
    if body:
        head += "Content-Type: application/sdp\r\n"
    return (head + f"Content-Length: {len(body)}\r\n\r\n" + body).encode()


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    host, _, port = sys.argv[1].rpartition(":")
    target = (host, int(port))
    rate = max(1.0, min(float(sys.argv[2]), 100_000.0))
    seconds = max(0.1, min(float(sys.argv[3]), 600.0))
    count = max(1, min(int(sys.argv[4]), 250))
    first = ipaddress.IPv4Address(sys.argv[5] if len(sys.argv) > 5 else "127.0.1.1")
    socks = []
    for i in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((str(first + i), 0))
        s.setblocking(False)
        socks.append((s, s.getsockname()))
    sent = errors = 0
    start = time.monotonic()
    end = start + seconds
    while True:
        now = time.monotonic()
        if now >= end:
            break
        due = int((now - start) * rate) + 1
        while sent + errors < due:
            n = sent + errors
            s, src = socks[n % count]
            try:
                s.sendto(requests(target, src, n // count), target)
                sent += 1
            except OSError:
                errors += 1
        time.sleep(0.002)
    for s, _ in socks:
        s.close()
    print(f"spray: sent={sent} errors={errors} seconds={time.monotonic() - start:.1f} sources={count}",
          flush=True)


if __name__ == "__main__":
    main()
