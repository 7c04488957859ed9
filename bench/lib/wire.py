"""A SIP capture on the loopback interface with kernel timestamps (what tcpdump would see,
without tcpdump: not installed here). Needs CAP_NET_RAW (root).

Run as a process of its own (`python3 wire.py PORT OUT SECONDS`) so the bench's own work does
not delay its reads (the timestamps are the kernel's anyway, taken when the packet crossed
`lo`): an AF_PACKET socket bound to `lo` with a classic BPF filter that keeps UDP to or from
PORT only, SO_TIMESTAMPNS on every packet. Each INVITE request and each 200 answering an
INVITE becomes one line of OUT:

  ts_ns src_port dst_port kind call_id from

kind is `INVITE` or `200`; `from` is the From header's value with spaces removed. It stops by
itself after SECONDS, or on SIGTERM.
"""

import ctypes
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SO_ATTACH_FILTER = 26
SO_TIMESTAMPNS = 35
SO_RCVBUFFORCE = 33
PACKET_OUTGOING = 4


def bpf_udp_port(port):
    """Classic BPF: accept IPv4 UDP with source or destination port `port` (Ethernet framing,
    as on Linux lo), drop everything else."""
    ins = [
        (0x28, 0, 0, 12),          # ldh [12]            ethertype
        (0x15, 0, 8, 0x0800),      # jeq IPv4 else drop
        (0x30, 0, 0, 23),          # ldb [23]            IP protocol
        (0x15, 0, 6, 17),          # jeq UDP else drop
        (0xb1, 0, 0, 14),          # ldxb 4*([14]&0xf)   IP header length
        (0x48, 0, 0, 14),          # ldh [x+14]          UDP source port
        (0x15, 2, 0, port),        # jeq port -> accept
        (0x48, 0, 0, 16),          # ldh [x+16]          UDP destination port
        (0x15, 0, 1, port),        # jeq port else drop
        (0x06, 0, 0, 0x40000),     # accept
        (0x06, 0, 0, 0),           # drop
    ]
    raw = b"".join(struct.pack("HBBI", *i) for i in ins)
    buf = ctypes.create_string_buffer(raw)
    prog = struct.pack("HL", len(ins), ctypes.addressof(buf))
    return prog, buf


def header(lines, names):
    for line in lines:
        k, _, v = line.partition(":")
        if k.strip().lower() in names:
            return v.strip()
    return ""


def main():
    port, out_path, seconds = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    # Protocol 0: no packet arrives until the bind below, after the filter is in place.
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    prog, keep = bpf_udp_port(port)
    s.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, prog)
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    try:
        s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 64 << 20)
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 20)
    s.bind(("lo", ETH_P_ALL))
    s.settimeout(0.2)
    end = time.monotonic() + seconds
    with open(out_path, "w", encoding="ascii", errors="replace") as out:
        print("ready", flush=True)
        while not stop["now"] and time.monotonic() < end:
            try:
                data, anc, _flags, addr = s.recvmsg(70000, 64)
            except socket.timeout:
                continue
            except InterruptedError:
                continue
            if addr[2] == PACKET_OUTGOING:
                continue  # lo shows each packet twice: keep the receiving copy
            ts = 0
            for level, kind, value in anc:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(value) >= 16:
                    sec, nsec = struct.unpack("qq", value[:16])
                    ts = sec * 1_000_000_000 + nsec
            if len(data) < 14 + 20 + 8:
                continue
            ihl = (data[14] & 0x0F) * 4
            sport, dport = struct.unpack("!HH", data[14 + ihl:14 + ihl + 4])
            payload = data[14 + ihl + 8:]
            head = payload.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace").split("\r\n")
            if not head:
                continue
            first = head[0]
            if first.startswith("INVITE "):
                kind = "INVITE"
            elif first.startswith("SIP/2.0 200") and header(head[1:], ("cseq",)).endswith("INVITE"):
                kind = "200"
            else:
                continue
            call_id = header(head[1:], ("call-id", "i")).replace(" ", "")
            frm = header(head[1:], ("from", "f")).replace(" ", "")
            out.write(f"{ts} {sport} {dport} {kind} {call_id or '-'} {frm or '-'}\n")
    del keep


if __name__ == "__main__":
    main()
