//! rtpload: N bridged G.711 calls through a PBX, RTP pumped both ways at 50 packets/s per
//! stream, loss and jitter counted. The caller side (`uac`) calls EXTEN at the PBX, which
//! dials the callee side (`uas`): both are this program, on their own SIP ports, with one
//! RTP socket each (every call's SDP names it; each packet's payload carries its stream's
//! index and send time, which a same-codec relay leaves untouched).
//!
//! Usage: rtpload --pbx 127.0.0.1:5060 --uac-port P --uas-port P [--calls 100] [--seconds 20]
//!        [--exten 100] [--setup-rate 200] [--uas-codec pcmu|pcma|g722|opus]
//!
//! `--uas-codec` makes the callee side offer/answer and send that codec (the caller side stays
//! PCMU), so a PBX that bridges the two transcodes. A transcoded payload no longer carries the
//! stream index and send time, so then every packet is counted on the stream of the PBX port
//! it came from and its jitter is taken from its RTP timestamp against its arrival (RFC 3550
//! as written; the timestamp clock is 8 kHz for G.711 and G.722, 48 kHz for Opus). The Opus
//! callee sends real Opus (one 20 ms frame of a 1 kHz tone, encoded once with tandem-codec),
//! as the PBX has to decode it.
//!
//! Prints progress on stderr and one line on stdout:
//! `rtpload: calls=N established=E streams=S sent=X received=Y lost=L loss_pct=P
//!  jitter_ms_mean=J jitter_ms_max=M late_ms_max=D media_s=T`
//! (jitter: RFC 3550 interarrival jitter of each stream measured against the send times, so
//! it is what the path added; late_ms_max: the largest one-way transit above the stream's
//! smallest.)

mod mmsg;
mod sip;

use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};
use std::process::ExitCode;
use std::time::{Duration, Instant};

struct Args {
    pbx: SocketAddr,
    uac_port: u16,
    uas_port: u16,
    calls: usize,
    seconds: u64,
    exten: String,
    setup_rate: u64,
    /// Payload type the callee side uses (0 PCMU, 8 PCMA, 9 G.722, 111 Opus).
    uas_pt: u8,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        pbx: "127.0.0.1:5060".parse().map_err(|e| format!("{e}"))?,
        uac_port: 0,
        uas_port: 0,
        calls: 100,
        seconds: 20,
        exten: "100".into(),
        setup_rate: 200,
        uas_pt: 0,
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut it = argv.iter();
    while let Some(k) = it.next() {
        let v = it.next().ok_or_else(|| format!("{k} needs a value"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{k} {v}: {e}");
        match k.as_str() {
            "--pbx" => a.pbx = v.parse().map_err(|e| bad(&e))?,
            "--uac-port" => a.uac_port = v.parse().map_err(|e| bad(&e))?,
            "--uas-port" => a.uas_port = v.parse().map_err(|e| bad(&e))?,
            "--calls" => a.calls = v.parse().map_err(|e| bad(&e))?,
            "--seconds" => a.seconds = v.parse().map_err(|e| bad(&e))?,
            "--exten" => a.exten = v.clone(),
            "--setup-rate" => a.setup_rate = v.parse::<u64>().map_err(|e| bad(&e))?.max(1),
            "--uas-codec" => {
                a.uas_pt = match v.to_ascii_lowercase().as_str() {
                    "pcmu" | "ulaw" => 0,
                    "pcma" | "alaw" => 8,
                    "g722" => 9,
                    "opus" => sip::OPUS_PT,
                    _ => return Err(bad(&"not pcmu, pcma, g722 or opus")),
                }
            }
            _ => return Err(format!("unknown option {k}")),
        }
    }
    if a.uac_port == 0 || a.uas_port == 0 {
        return Err("--uac-port and --uas-port are required".into());
    }
    a.calls = a.calls.clamp(1, 20_000);
    a.seconds = a.seconds.clamp(1, 3600);
    Ok(a)
}

/// A call placed by the caller side.
struct Call {
    call_id: String,
    from_tag: String,
    invite: String,
    sent_at: Option<Instant>,
    tries: u32,
    /// The To header of the 200 (with the PBX's tag) and where in-dialog requests go.
    to: Option<String>,
    uri: String,
    /// The PBX's RTP port for this leg.
    rtp: Option<u16>,
    bye_done: bool,
}

/// A call the PBX placed to the callee side.
struct Answered {
    ok: String,
    rtp: Option<u16>,
}

/// One direction of one call.
#[derive(Default, Clone, Copy)]
struct Stream {
    seq: u16,
    sent: u64,
    received: u64,
    /// RFC 3550 jitter (microseconds, as f64), transit of the last packet.
    jitter: f64,
    last_transit: Option<i64>,
    min_transit: Option<i64>,
    max_transit: Option<i64>,
}

const PAYLOAD: usize = 160;

fn packet(dir: u8, pt: u8, idx: u32, seq: u16, sent_us: u64) -> [u8; 12 + PAYLOAD] {
    let mut p = [0xffu8; 12 + PAYLOAD];
    p[0] = 0x80;
    p[1] = pt & 0x7f;
    p[2..4].copy_from_slice(&seq.to_be_bytes());
    p[4..8].copy_from_slice(&(u32::from(seq).wrapping_mul(160)).to_be_bytes());
    p[8..12].copy_from_slice(&((u32::from(dir) << 31) | idx).to_be_bytes());
    p[12] = dir;
    p[13..17].copy_from_slice(&idx.to_be_bytes());
    p[17..25].copy_from_slice(&sent_us.to_be_bytes());
    p
}

/// The callee's Opus packets: one 20 ms frame of a 1 kHz tone, encoded once, sent in every
/// packet with a 48 kHz timestamp (960 per packet).
struct OpusSource {
    buf: Vec<u8>,
}

impl OpusSource {
    fn new() -> Result<OpusSource, String> {
        let rate = tandem_codec::opus::SAMPLE_RATE as f64;
        let pcm: Vec<i16> = (0..960)
            .map(|n| {
                (8000.0 * (2.0 * std::f64::consts::PI * 1000.0 * n as f64 / rate).sin()) as i16
            })
            .collect();
        let mut coder = tandem_codec::opus::Opus::new().map_err(|e| format!("opus: {e}"))?;
        let mut frame = vec![0u8; tandem_codec::opus::MAX_PACKET];
        let len = coder
            .encode(&pcm, &mut frame)
            .map_err(|e| format!("opus: {e}"))?;
        frame.truncate(len);
        let mut buf = vec![0u8; 12];
        buf.extend_from_slice(&frame);
        Ok(OpusSource { buf })
    }

    /// The packet of stream `idx` with sequence number `seq` (the buffer is reused).
    fn packet(&mut self, idx: u32, seq: u16) -> &[u8] {
        let h = &mut self.buf[..12];
        h[0] = 0x80;
        h[1] = sip::OPUS_PT;
        h[2..4].copy_from_slice(&seq.to_be_bytes());
        h[4..8].copy_from_slice(&(u32::from(seq).wrapping_mul(960)).to_be_bytes());
        h[8..12].copy_from_slice(&((1u32 << 31) | idx).to_be_bytes());
        &self.buf
    }
}

/// SO_RCVBUF/SO_SNDBUF of `bytes` (the FORCE variants when running as root, which pass
/// net.core.rmem_max); best effort.
fn big_buffers(sock: &UdpSocket, bytes: i32) {
    use std::os::fd::AsRawFd;
    let fd = sock.as_raw_fd();
    let len = std::mem::size_of::<i32>() as libc::socklen_t;
    for (force, plain) in [
        (libc::SO_RCVBUFFORCE, libc::SO_RCVBUF),
        (libc::SO_SNDBUFFORCE, libc::SO_SNDBUF),
    ] {
        let v: *const libc::c_void = (&bytes as *const i32).cast();
        // SAFETY: fd is an open socket owned by `sock`; v points at an i32 of length len.
        let ok = unsafe { libc::setsockopt(fd, libc::SOL_SOCKET, force, v, len) } == 0;
        if !ok {
            // SAFETY: as above.
            unsafe { libc::setsockopt(fd, libc::SOL_SOCKET, plain, v, len) };
        }
    }
}

/// How a receiver tells streams apart: by the index in the payload (same codec end to end), or
/// (transcoded) by the PBX port the packet came from, for the direction this socket receives.
enum Demux {
    Payload,
    /// Direction, PBX port -> stream, RTP clock rate (Hz) of what arrives.
    ByPort(usize, HashMap<u16, usize>, i64),
}

/// Count one received packet on the stream it names.
fn on_rtp(buf: &[u8], from_port: u16, demux: &Demux, streams: &mut [Vec<Stream>; 2], now_us: i64) {
    if buf.len() < 25 {
        return;
    }
    let (dir, idx, sent_us) = match demux {
        Demux::Payload => {
            let mut sent = [0u8; 8];
            sent.copy_from_slice(&buf[17..25]);
            (
                usize::from(buf[12] & 1),
                u32::from_be_bytes([buf[13], buf[14], buf[15], buf[16]]) as usize,
                u64::from_be_bytes(sent) as i64,
            )
        }
        Demux::ByPort(dir, ports, clock) => {
            let Some(&idx) = ports.get(&from_port) else {
                return;
            };
            // The RTP timestamp in microseconds: transit = arrival - timestamp.
            let ts = u32::from_be_bytes([buf[4], buf[5], buf[6], buf[7]]);
            (*dir, idx, i64::from(ts) * 1_000_000 / clock)
        }
    };
    let Some(s) = streams[dir].get_mut(idx) else {
        return;
    };
    s.received += 1;
    let transit = now_us - sent_us;
    if let Some(last) = s.last_transit {
        let d = (transit - last).abs() as f64;
        s.jitter += (d - s.jitter) / 16.0;
    }
    s.last_transit = Some(transit);
    s.min_transit = Some(s.min_transit.map_or(transit, |m| m.min(transit)));
    s.max_transit = Some(s.max_transit.map_or(transit, |m| m.max(transit)));
}

/// Everything waiting on `sock`, in batches.
fn drain_rtp(
    sock: &UdpSocket,
    demux: &Demux,
    streams: &mut [Vec<Stream>; 2],
    t0: Instant,
    batch: &mut mmsg::Batch,
) {
    loop {
        let now_us = t0.elapsed().as_micros() as i64;
        if batch.recv(sock, |b, port| on_rtp(b, port, demux, streams, now_us)) < mmsg::BATCH {
            return;
        }
    }
}

struct Load {
    args: Args,
    uac: UdpSocket,
    uas: UdpSocket,
    uas_rtp_port: u16,
    calls: Vec<Call>,
    answered: HashMap<String, Answered>,
    order: Vec<String>,
    buf: Vec<u8>,
}

impl Load {
    /// Handle what arrived on both SIP sockets.
    fn pump_sip(&mut self) {
        while let Ok((n, _)) = self.uac.recv_from(&mut self.buf) {
            let msg = String::from_utf8_lossy(&self.buf[..n]).into_owned();
            self.on_uac(&msg);
        }
        while let Ok((n, from)) = self.uas.recv_from(&mut self.buf) {
            let msg = String::from_utf8_lossy(&self.buf[..n]).into_owned();
            self.on_uas(&msg, from);
        }
    }

    fn on_uac(&mut self, msg: &str) {
        let Some(code) = sip::status(msg) else {
            // A request to the caller (BYE from the PBX): accept it.
            if let Some(m) = sip::method(msg) {
                if m != "ACK" {
                    let _ = self.uac.send_to(
                        sip::ok(msg, "x", self.args.uac_port, "").as_bytes(),
                        self.args.pbx,
                    );
                }
            }
            return;
        };
        let Some(call_id) = sip::header(msg, &["call-id", "i"]) else {
            return;
        };
        let Some(idx) = call_id
            .strip_prefix("rtpload-")
            .and_then(|r| r.split('-').next())
            .and_then(|i| i.parse::<usize>().ok())
        else {
            return;
        };
        let cseq = sip::header(msg, &["cseq"]).unwrap_or_default().to_string();
        let Some(call) = self.calls.get_mut(idx) else {
            return;
        };
        if cseq.ends_with("BYE") {
            if code >= 200 {
                call.bye_done = true;
            }
            return;
        }
        if code < 200 {
            call.tries = call.tries.max(1);
            return;
        }
        if code >= 300 {
            eprintln!(
                "rtpload: call {idx} failed: {}",
                msg.lines().next().unwrap_or_default()
            );
            call.sent_at = None;
            call.tries = u32::MAX;
            let to = sip::header(msg, &["to", "t"])
                .unwrap_or_default()
                .to_string();
            let ack = sip::request(
                "ACK",
                &format!("sip:{}@{}", self.args.exten, self.args.pbx),
                self.args.uac_port,
                &format!("{idx}i"),
                &call.call_id,
                &call.from_tag,
                &to,
                1,
                "",
            );
            let _ = self.uac.send_to(ack.as_bytes(), self.args.pbx);
            return;
        }
        let to = sip::header(msg, &["to", "t"])
            .unwrap_or_default()
            .to_string();
        if let Some(uri) = sip::header(msg, &["contact", "m"]).and_then(sip::contact_uri) {
            call.uri = uri.to_string();
        }
        call.rtp = sip::sdp_audio_port(sip::body(msg)).or(call.rtp);
        call.to = Some(to.clone());
        call.sent_at = None;
        let ack = sip::request(
            "ACK",
            &call.uri,
            self.args.uac_port,
            &format!("{idx}a"),
            &call.call_id,
            &call.from_tag,
            &to,
            1,
            "",
        );
        let _ = self.uac.send_to(ack.as_bytes(), self.args.pbx);
    }

    fn on_uas(&mut self, msg: &str, from: SocketAddr) {
        let Some(method) = sip::method(msg) else {
            return;
        };
        let call_id = sip::header(msg, &["call-id", "i"])
            .unwrap_or_default()
            .to_string();
        match method {
            "INVITE" => {
                if !self.answered.contains_key(&call_id) {
                    let idx = self.order.len();
                    let ok = sip::ok(
                        msg,
                        &format!("b{idx}"),
                        self.args.uas_port,
                        &sip::sdp(self.uas_rtp_port, idx as u64 + 1, self.args.uas_pt),
                    );
                    self.answered.insert(
                        call_id.clone(),
                        Answered {
                            ok,
                            rtp: sip::sdp_audio_port(sip::body(msg)),
                        },
                    );
                    self.order.push(call_id.clone());
                }
                if let Some(a) = self.answered.get(&call_id) {
                    let _ = self.uas.send_to(a.ok.as_bytes(), from);
                }
            }
            "ACK" => {}
            _ => {
                let _ = self
                    .uas
                    .send_to(sip::ok(msg, "b", self.args.uas_port, "").as_bytes(), from);
            }
        }
    }

    fn established(&self) -> usize {
        self.calls.iter().filter(|c| c.to.is_some()).count()
    }
}

fn run(args: Args) -> Result<String, String> {
    let bind = |port: u16| -> Result<UdpSocket, String> {
        let s = UdpSocket::bind(("127.0.0.1", port)).map_err(|e| format!("bind {port}: {e}"))?;
        s.set_nonblocking(true).map_err(|e| e.to_string())?;
        Ok(s)
    };
    let uac = bind(args.uac_port)?;
    let uas = bind(args.uas_port)?;
    let uac_rtp = bind(0)?;
    let uas_rtp = bind(0)?;
    // Each RTP socket takes every call's stream: room for a few hundred ms of them.
    for s in [&uac_rtp, &uas_rtp] {
        big_buffers(s, 16 << 20);
    }
    let port_of = |s: &UdpSocket| s.local_addr().map(|a| a.port()).map_err(|e| e.to_string());
    let (uac_rtp_port, uas_rtp_port) = (port_of(&uac_rtp)?, port_of(&uas_rtp)?);
    let pid = std::process::id();
    let calls = (0..args.calls)
        .map(|i| {
            let call_id = format!("rtpload-{i}-{pid}");
            let from_tag = format!("a{i}");
            let to = format!("<sip:{}@{}>", args.exten, args.pbx);
            let uri = format!("sip:{}@{}", args.exten, args.pbx);
            let invite = sip::request(
                "INVITE",
                &uri,
                args.uac_port,
                &format!("{i}-{pid}"),
                &call_id,
                &from_tag,
                &to,
                1,
                &sip::sdp(uac_rtp_port, i as u64 + 1, 0),
            );
            Call {
                call_id,
                from_tag,
                invite,
                sent_at: None,
                tries: 0,
                to: None,
                uri,
                rtp: None,
                bye_done: false,
            }
        })
        .collect();
    let mut load = Load {
        args,
        uac,
        uas,
        uas_rtp_port,
        calls,
        answered: HashMap::new(),
        order: Vec::new(),
        buf: vec![0u8; 65536],
    };

    // Setup at setup_rate calls/s, INVITEs retransmitted every second (4 tries).
    let t_setup = Instant::now();
    let setup_deadline =
        t_setup + Duration::from_secs(30 + load.args.calls as u64 / load.args.setup_rate);
    let mut next = 0usize;
    while Instant::now() < setup_deadline {
        let due = (t_setup.elapsed().as_millis() as u64 * load.args.setup_rate / 1000 + 1) as usize;
        while next < load.calls.len() && next < due {
            let c = &mut load.calls[next];
            let _ = load.uac.send_to(c.invite.as_bytes(), load.args.pbx);
            c.sent_at = Some(Instant::now());
            c.tries = 1;
            next += 1;
        }
        for c in load.calls.iter_mut() {
            if let Some(at) = c.sent_at {
                if c.to.is_none() && c.tries < 5 && at.elapsed() > Duration::from_secs(1) {
                    let _ = load.uac.send_to(c.invite.as_bytes(), load.args.pbx);
                    c.sent_at = Some(Instant::now());
                    c.tries += 1;
                }
            }
        }
        load.pump_sip();
        let settled = load
            .calls
            .iter()
            .all(|c| c.to.is_some() || c.tries == u32::MAX);
        if next >= load.calls.len() && settled && load.order.len() >= load.established() {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let established = load.established();
    eprintln!(
        "rtpload: media start: {established}/{} calls established in {:.1} s",
        load.calls.len(),
        t_setup.elapsed().as_secs_f64()
    );

    // Media: every stream sends one packet each 20 ms, streams spread over the 20 slots.
    let a_ports: Vec<Option<u16>> = load
        .calls
        .iter()
        .map(|c| if c.to.is_some() { c.rtp } else { None })
        .collect();
    let b_ports: Vec<Option<u16>> = load
        .order
        .iter()
        .map(|id| load.answered.get(id).and_then(|a| a.rtp))
        .collect();
    let mut streams = [
        vec![Stream::default(); a_ports.len()],
        vec![Stream::default(); b_ports.len()],
    ];
    let pbx_ip = load.args.pbx.ip();
    let t0 = Instant::now();
    let media_end = Duration::from_secs(load.args.seconds);
    let mut done_ms: u64 = 0;
    let mut tx = [mmsg::Batch::new(), mmsg::Batch::new()];
    let mut opus = OpusSource::new()?;
    // One receiving thread per RTP socket (the sender paces in this one).
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Direction 0 (caller -> callee) arrives on the callee's socket from the PBX's B-leg ports.
    let by_port = |dir: usize, ports: &[Option<u16>], clock: i64| {
        Demux::ByPort(
            dir,
            ports
                .iter()
                .enumerate()
                .filter_map(|(i, p)| Some(((*p)?, i)))
                .collect(),
            clock,
        )
    };
    let uas_clock = if load.args.uas_pt == sip::OPUS_PT {
        48_000
    } else {
        8_000
    };
    let transcoded = load.args.uas_pt != 0;
    let demuxes = if transcoded {
        [by_port(0, &b_ports, uas_clock), by_port(1, &a_ports, 8_000)]
    } else {
        [Demux::Payload, Demux::Payload]
    };
    let receivers: Vec<_> = [&uas_rtp, &uac_rtp]
        .into_iter()
        .zip(demuxes)
        .map(|(sock, demux)| {
            let sock = sock.try_clone().map_err(|e| e.to_string());
            let stop = stop.clone();
            let sizes = [a_ports.len(), b_ports.len()];
            std::thread::spawn(move || {
                let mut got = [
                    vec![Stream::default(); sizes[0]],
                    vec![Stream::default(); sizes[1]],
                ];
                let Ok(sock) = sock else { return got };
                let mut batch = mmsg::Batch::new();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    mmsg::wait_readable(&sock, 50);
                    drain_rtp(&sock, &demux, &mut got, t0, &mut batch);
                }
                drain_rtp(&sock, &demux, &mut got, t0, &mut batch);
                got
            })
        })
        .collect();
    while t0.elapsed() < media_end {
        let now_ms = t0.elapsed().as_millis() as u64;
        while done_ms < now_ms {
            done_ms += 1;
            let slot = (done_ms % 20) as usize;
            for (dir, (ports, sock)) in [(&a_ports, &uac_rtp), (&b_ports, &uas_rtp)]
                .into_iter()
                .enumerate()
            {
                let batch = &mut tx[dir];
                let mut queued = Vec::new();
                for (i, port) in ports.iter().enumerate().skip(slot).step_by(20) {
                    let Some(port) = port else { continue };
                    let s = &mut streams[dir][i];
                    s.seq = s.seq.wrapping_add(1);
                    let pt = if dir == 0 { 0 } else { load.args.uas_pt };
                    let dest = SocketAddr::new(pbx_ip, *port);
                    if pt == sip::OPUS_PT {
                        batch.push(sock, opus.packet(i as u32, s.seq), dest);
                    } else {
                        let p = packet(
                            dir as u8,
                            pt,
                            i as u32,
                            s.seq,
                            t0.elapsed().as_micros() as u64,
                        );
                        batch.push(sock, &p, dest);
                    }
                    queued.push(i);
                }
                batch.flush(sock);
                for i in queued {
                    streams[dir][i].sent += 1;
                }
            }
        }
        load.pump_sip();
        std::thread::sleep(Duration::from_micros(200));
    }
    let media_s = t0.elapsed().as_secs_f64();
    eprintln!("rtpload: media done");
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for r in receivers {
        let Ok(got) = r.join() else { continue };
        for (dir, list) in got.iter().enumerate() {
            for (i, g) in list.iter().enumerate() {
                if let Some(s) = streams[dir].get_mut(i).filter(|_| g.received > 0) {
                    s.received += g.received;
                    s.jitter = g.jitter;
                    s.min_transit = g.min_transit;
                    s.max_transit = g.max_transit;
                }
            }
        }
    }

    // Hang up.
    for (i, c) in load.calls.iter().enumerate() {
        if let Some(to) = &c.to {
            let bye = sip::request(
                "BYE",
                &c.uri,
                load.args.uac_port,
                &format!("{i}b{pid}"),
                &c.call_id,
                &c.from_tag,
                to,
                2,
                "",
            );
            let _ = load.uac.send_to(bye.as_bytes(), load.args.pbx);
        }
    }
    let bye_deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < bye_deadline && load.calls.iter().any(|c| c.to.is_some() && !c.bye_done)
    {
        load.pump_sip();
        std::thread::sleep(Duration::from_millis(2));
    }

    // Streams that lost more than 1 % of their packets, on stderr (to tell a dead call from
    // packets dropped at random).
    for (dir, list) in streams.iter().enumerate() {
        for (i, s) in list.iter().enumerate() {
            if s.sent > 0 && s.received * 100 < s.sent * 99 {
                eprintln!(
                    "rtpload: lossy stream dir={dir} index={i} sent={} received={}",
                    s.sent, s.received
                );
            }
        }
    }
    let all: Vec<&Stream> = streams.iter().flatten().filter(|s| s.sent > 0).collect();
    let sent: u64 = all.iter().map(|s| s.sent).sum();
    // The sender of direction 0 is counted on the receiver of direction 0.
    let received: u64 = all.iter().map(|s| s.received).sum();
    let lost = sent.saturating_sub(received);
    let jitters: Vec<f64> = all
        .iter()
        .filter(|s| s.received > 1)
        .map(|s| s.jitter / 1000.0)
        .collect();
    let mean = if jitters.is_empty() {
        0.0
    } else {
        jitters.iter().sum::<f64>() / jitters.len() as f64
    };
    let max = jitters.iter().copied().fold(0.0, f64::max);
    let late = all
        .iter()
        .filter_map(|s| Some(s.max_transit? - s.min_transit?))
        .max()
        .unwrap_or(0) as f64
        / 1000.0;
    Ok(format!(
        "rtpload: calls={} established={established} streams={} sent={sent} received={received} lost={lost} loss_pct={:.3} jitter_ms_mean={mean:.3} jitter_ms_max={max:.3} late_ms_max={late:.1} media_s={media_s:.1}",
        load.calls.len(),
        all.len(),
        if sent == 0 { 0.0 } else { lost as f64 * 100.0 / sent as f64 },
    ))
}

fn main() -> ExitCode {
    match parse_args().and_then(run) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("rtpload: {e}");
            ExitCode::FAILURE
        }
    }
}
