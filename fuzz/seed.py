#!/usr/bin/env python3
"""Builds fuzz/corpus/<target>/ seed files from the repository's test fixtures.

SIP: the RFC 4475 torture messages (../shared/fixtures/rfc4475) and the messages of the sipp
scenarios (crates/tandem/tests/sipp/*.xml, keywords filled in). SDP: their bodies. RTP/RTCP:
the UDP payloads of sipp's pcaps (/usr/share/sip-tester) and a few built packets. IAX2: a few
built frames. conf and dialplan: the .conf fixtures and the raw-string configs in tests.
Expressions: the rows of the dialplan expression table. AMI: actions from the tests.
"""
import hashlib, os, re, struct, sys, glob

FUZZ = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(FUZZ)
FIXTURES = os.environ.get("TANDEM_FIXTURES", os.path.join(os.path.dirname(ROOT), "shared", "fixtures"))
CORPUS = os.path.join(FUZZ, "corpus")
counts = {}


def put(target, data):
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    if not data or len(data) > 65536:
        return
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
    counts[target] = counts.get(target, 0) + 1


SIPP_KEYS = {
    "service": "100", "remote_ip": "127.0.0.1", "remote_port": "5060", "transport": "UDP",
    "local_ip": "127.0.0.2", "local_port": "5061", "branch": "z9hG4bK-1-0", "pid": "42",
    "call_number": "1", "call_id": "1-42@127.0.0.2", "local_ip_type": "4", "media_ip_type": "4",
    "media_ip": "127.0.0.2", "media_port": "6000", "cseq": "1", "peer_tag_param": ";tag=abc",
    "last_Via:": "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-x",
    "last_From:": "From: <sip:a@127.0.0.1>;tag=1", "last_To:": "To: <sip:b@127.0.0.2>;tag=2",
    "last_Call-ID:": "Call-ID: abc@127.0.0.1", "last_CSeq:": "CSeq: 1 INVITE",
    "last_Record-Route:": "", "routes": "", "next_url": "sip:100@127.0.0.1:5060",
}


def sipp_messages():
    for xml in sorted(glob.glob(os.path.join(ROOT, "crates/tandem/tests/sipp/*.xml"))):
        text = open(xml, encoding="latin-1").read()
        for m in re.finditer(r"<!\[CDATA\[(.*?)\]\]>", text, re.S):
            lines = [l.strip() for l in m.group(1).strip("\n").splitlines()]
            while lines and not lines[0]:
                lines.pop(0)
            if not lines:
                continue
            msg = "\r\n".join(lines)
            head, _, body = msg.partition("\r\n\r\n")
            body = body.strip("\r\n")
            body = body + "\r\n" if body else ""

            def key(k):
                name = k.group(1)
                if name == "len":
                    return str(len(body.encode()))
                if name.startswith("$"):
                    return "alice"
                return SIPP_KEYS.get(name, "x")
            body = re.sub(r"\[([^\]\s]+)\]", key, body)
            head = re.sub(r"\[([^\]\s]+)\]", key, head)
            yield head + "\r\n\r\n" + body, body


def sip_and_sdp():
    for f in sorted(glob.glob(os.path.join(FIXTURES, "rfc4475", "*.dat"))):
        data = open(f, "rb").read()
        put("sip_message", data)
        _, sep, body = data.partition(b"\r\n\r\n")
        if sep and body.startswith(b"v=0"):
            put("sdp", body)
    for msg, body in sipp_messages():
        put("sip_message", msg)
        if body.startswith("v=0"):
            put("sdp", body)
    put("sdp", "v=0\r\no=- 1 1 IN IP6 ::1\r\ns=-\r\nc=IN IP6 ::1\r\nt=0 0\r\n"
        "m=audio 4000 RTP/SAVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n"
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4\r\n"
        "a=sendonly\r\na=ptime:20\r\nm=video 0 RTP/AVP 96\r\n")


def pcap_udp_payloads(path):
    data = open(path, "rb").read()
    if len(data) < 24:
        return
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        pkt = data[off + 16: off + 16 + incl]
        off += 16 + incl
        l2 = {1: 14, 113: 16, 101: 0}.get(linktype, 14)
        ip = pkt[l2:]
        if len(ip) < 20 or ip[0] >> 4 != 4:
            continue
        ihl = (ip[0] & 15) * 4
        if ip[9] != 17:
            continue
        yield ip[ihl + 8:]


def rtp_and_rtcp():
    for p in sorted(glob.glob("/usr/share/sip-tester/*.pcap")):
        for i, payload in enumerate(pcap_udp_payloads(p)):
            if i < 8:
                put("rtp_rtcp", payload)
    ssrc = 0x11223344
    rr = struct.pack(">BBHI", 0x81, 201, 7, ssrc) + struct.pack(">IIIIII", 0x55, 0x01000002, 100, 20, 0, 0)
    sr = struct.pack(">BBHI", 0x80, 200, 6, ssrc) + struct.pack(">IIIII", 1, 2, 3, 4, 5)
    sdes = struct.pack(">BBHI", 0x81, 202, 3, ssrc) + bytes([1, 4]) + b"a@bc" + bytes([0, 0])
    bye = struct.pack(">BBHI", 0x81, 203, 1, ssrc)
    put("rtp_rtcp", sr + sdes)
    put("rtp_rtcp", rr + sdes + bye)
    # RTP with a CSRC, a header extension and padding.
    hdr = struct.pack(">BBHII", 0xB1, 0x80 | 8, 1, 160, ssrc) + struct.pack(">I", 7)
    ext = struct.pack(">HH", 0xBEDE, 1) + b"\x10\xff\x00\x00"
    put("rtp_rtcp", hdr + ext + b"\xd5" * 20 + b"\x00\x00\x00\x04")
    put("rtp_rtcp", struct.pack(">BBHII", 0x80, 101, 9, 800, ssrc) + bytes([1, 0x8a, 0, 160]))


def ie(i, v):
    return bytes([i, len(v)]) + v


def iax2():
    def full(scall, dcall, ts, o, i, ftype, sub, payload=b""):
        return struct.pack(">HHIBBBB", 0x8000 | scall, dcall, ts, o, i, ftype, sub) + payload
    new = (ie(11, b"\x00\x02") + ie(1, b"100") + ie(2, b"200") + ie(4, b"Alice") + ie(6, b"alice")
           + ie(8, struct.pack(">I", 4)) + ie(9, struct.pack(">I", 4)) + ie(10, b"en")
           + ie(54, b"") + ie(56, b"\x00" + struct.pack(">Q", 4)) + ie(37, b"VAR=1"))
    put("iax2_frame", full(1, 0, 3, 0, 0, 6, 1, new))
    put("iax2_frame", full(1, 2, 10, 1, 1, 6, 4))            # ACK
    put("iax2_frame", full(1, 2, 10, 1, 1, 6, 2))            # PING
    put("iax2_frame", full(1, 2, 10, 1, 1, 2, 4, b"\xff" * 160))  # voice ulaw
    put("iax2_frame", full(1, 2, 10, 1, 1, 6, 0x0d, ie(13, b"alice") + ie(14, b"1234") + ie(15, b"\x00\x02")))
    put("iax2_frame", full(1, 2, 10, 1, 1, 4, 3))            # control ringing
    put("iax2_frame", full(1, 2, 10, 1, 1, 3, 0x8c))         # video with a compressed subclass
    put("iax2_frame", struct.pack(">HH", 5, 20) + b"\x7f" * 160)  # mini
    trunk = struct.pack(">HBBI", 0, 1, 1, 1000) + struct.pack(">HHH", 5, 4, 20) + b"\xff" * 4
    put("iax2_frame", trunk)
    put("iax2_frame", struct.pack(">HBBI", 0, 1, 0, 1000) + struct.pack(">HH", 5, 4) + b"\xff" * 4)


def confs():
    files = glob.glob(os.path.join(ROOT, "crates/tandem/tests/fixtures/**/*.conf"), recursive=True)
    for f in sorted(files):
        text = open(f, "rb").read()
        put("conf_parse", text)
        put("dialplan", b"\x00" + text)
    # Configs written inline in tests: raw strings that hold a [section].
    for f in sorted(glob.glob(os.path.join(ROOT, "crates/*/tests/*.rs")) + glob.glob(os.path.join(ROOT, "crates/conf/src/**/*.rs"), recursive=True)):
        src = open(f, encoding="utf-8", errors="replace").read()
        found = [m.group(1) for m in re.finditer(r'r#+"(.*?)"#+', src, re.S)]
        for m in re.finditer(r'(?<![r#])"((?:[^"\\]|\\.)*)"', src):
            if "\\n" in m.group(1):
                try:
                    found.append(m.group(1).encode().decode("unicode_escape"))
                except UnicodeDecodeError:
                    pass
        for s in found:
            if re.search(r"^\s*\[[^\]]+\]", s, re.M) and "=" in s:
                put("conf_parse", s)
                if "exten" in s:
                    put("dialplan", "\x00" + s)
    put("conf_parse", "[general](!)\nbindport=5060\n[a](general)\ntype=friend\nhost=dynamic\n"
        "#include b.conf\n#exec nope\n[b](+)\nsecret=x;comment\n\\;x=y\n\x00[c]\nk=>v\n")


def dialplan():
    src = open(os.path.join(ROOT, "crates/dialplan/src/expr/tests.rs"), encoding="utf-8").read()
    for m in re.finditer(r'\(\s*"((?:[^"\\]|\\.)*)",\s*"', src):
        put("dialplan", "\x02" + m.group(1).encode().decode("unicode_escape"))
    for s in ["${X}", "${X:1:3}", "${CUT(X,\\,,2)}", "${LEN(${X})}", "$[${N} + 1]",
              "${IF($[${N} > 1]?yes:no)}", "${REPLACE(X,o,0)}", "${FIELDQTY(X,\\,)}",
              "${DB(fam/key)}", "${SET(Y=${X})}${Y}", "${CALLERID(num)}", "${${G}}",
              "${STRFTIME(${EPOCH},,%Y)}", "${FILTER(0-9,${X}123)}", "${SHIFT(X)}"]:
        put("dialplan", "\x01" + s)
    for s in ["_9NXXXXXX\n95551234", "_X.\n1", "_[1-5]!\n3", "_NXX\n", "!\n"]:
        put("dialplan", "\x03" + s)
    put("dialplan", "\x00[general]\nstatic=yes\n[globals]\nA=1\n[default]\n"
        "exten => _X.,1,NoOp(${EXTEN:1})\n same => n(lbl),GotoIf($[${A}=1]?lbl)\n"
        "exten => s/100,hint,SIP/100\ninclude => other,9:00-17:00,mon-fri,*,*\n")


def ami():
    put("ami_frame", b"\x40Action: Login\r\nUsername: admin\r\nSecret: x\r\n\r\nAction: Ping\r\nActionID: 1\r\n\r\n")
    put("ami_frame", b"\x80Action: Originate\r\nChannel: SIP/100\r\nVariable: A=1\r\nVariable: B=2\r\n\r\n")
    put("ami_frame", b"\x10\r\n\r\nAction: Command\r\nCommand: core show channels\r\nno colon line\r\n\r\n")


sip_and_sdp()
rtp_and_rtcp()
iax2()
confs()
dialplan()
ami()
for t in sorted(counts):
    print(f"{t}: {len(os.listdir(os.path.join(CORPUS, t)))} seeds")
