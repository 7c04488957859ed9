//! Two tandem instances on loopback linked by IAX2: B registers to A with MD5 (`register =>`
//! in B's iax.conf, a `host=dynamic` peer on A), SIP phones on A call SIP phones on B through
//! the link (audio checked at the far end), hangups clear every leg on both sides, trunk=yes
//! carries several calls at once, `Dial(SIP/a&IAX2/b)` rings both; and a NEW without a call
//! token is refused.

mod common {
    pub mod iax2_link;
}

use std::net::UdpSocket;
use std::time::Duration;

use common::iax2_link::{link, ring_cancel_call, sipp_uac, sipp_uas, Pbx};

use tandem_testkit::wav::{self, RATE_8K};
use tandem_testkit::{free_port, require_tool, Baresip, Phone, TempDir, BARESIP_TIMEOUT};

#[test]
fn a_new_without_a_calltoken_is_rejected_and_video_or_garbage_is_dropped() {
    let port = free_port();
    let iax = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={port}\n\n[guest]\ntype=user\ncontext=default\n"
    );
    let pbx = Pbx::start(
        &[
            ("iax.conf", &iax),
            ("extensions.conf", "[default]\nexten => 1,1,Answer()\n"),
        ],
        0,
    );
    let sock = UdpSocket::bind("127.0.0.1:0").expect("bind");
    sock.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    // A NEW (full frame, source call 5, IAX type 6, subclass 1) with VERSION=2,
    // CALLED_NUMBER=1 and USERNAME=guest, and no CALLTOKEN IE.
    let mut new = vec![0x80, 0x05, 0x00, 0x00, 0, 0, 0, 3, 0, 0, 0x06, 0x01];
    new.extend_from_slice(&[11, 2, 0, 2]);
    new.extend_from_slice(&[1, 1, b'1']);
    new.extend_from_slice(&[6, 5]);
    new.extend_from_slice(b"guest");
    let dest = format!("127.0.0.1:{port}");
    sock.send_to(&new, &dest).expect("send");
    let mut buf = [0u8; 1500];
    let (n, _) = sock.recv_from(&mut buf).expect("an answer to the NEW");
    let reply = &buf[..n];
    assert!(n >= 12, "{reply:?}");
    assert_eq!(reply[10], 0x06, "an IAX control frame: {reply:?}");
    assert_eq!(reply[11], 0x06, "REJECT (6): {reply:?}");
    assert_eq!(
        u16::from_be_bytes([reply[0] & 0x7f, reply[1]]),
        1,
        "from the stateless call number 1"
    );
    // With an empty CALLTOKEN IE the answer is a CALLTOKEN (40) carrying the token.
    let mut asking = new.clone();
    asking.extend_from_slice(&[54, 0]);
    sock.send_to(&asking, &dest).expect("send");
    let (n, _) = sock.recv_from(&mut buf).expect("an answer to the NEW");
    assert_eq!(buf[11], 40, "CALLTOKEN: {:?}", &buf[..n]);
    assert!(pbx
        .cli("iax2 show channels")
        .contains("0 active IAX channels"));
    assert!(pbx.cli("core show channels").contains("0 active channels"));
    // A forged token from another source is refused too.
    let forged = {
        let mut f = new.clone();
        f.extend_from_slice(&[54, 10]);
        f.extend_from_slice(b"1?00000000");
        f
    };
    sock.send_to(&forged, &dest).expect("send");
    let (_, _) = sock.recv_from(&mut buf).expect("an answer");
    assert_eq!(buf[11], 0x06, "a bad token is rejected");
    assert!(pbx
        .cli("iax2 show channels")
        .contains("0 active IAX channels"));
    // A video mini frame is dropped with a warning; garbage is dropped; the daemon goes on.
    sock.send_to(&[0, 0, 0x80, 9, 0, 0, 1, 2, 3], &dest)
        .expect("send");
    sock.send_to(&[0x80, 7, 0, 0, 9], &dest).expect("send");
    let warning = "video mini frame from call 9 (video is not supported): dropped";
    if let Err(e) = pbx.daemon.wait_log(warning, Duration::from_secs(10)) {
        panic!("no video warning: {e}");
    }
    assert!(pbx
        .cli("iax2 show channels")
        .contains("0 active IAX channels"));
}

/// alice on A (1 kHz) calls 200: A Dial(IAX2/b/200), B Dial(SIP/bob); bob records the tone;
/// then bob hangs up and every leg on both sides is cleared.
fn tone_crosses_the_link(trunk: bool) {
    let Some(baresip) = require_tool("baresip") else {
        return;
    };
    let l = link(trunk, free_port(), free_port(), free_port());
    let work = TempDir::new();
    let alice_wav = work.path().join("alice.wav");
    let mut mic = wav::sine(RATE_8K, 1000.0, 4.0, 8000);
    mic.extend(wav::silence(RATE_8K, 56.0));
    wav::write_wav(&alice_wav, RATE_8K, &mic);
    let bob_wav = work.path().join("bob.wav");
    wav::write_wav(&bob_wav, RATE_8K, &wav::sine(RATE_8K, 400.0, 60.0, 8000));
    let mut alice_phone = Phone::new(
        "alice",
        "alicepw",
        l.a.sip_port,
        &alice_wav,
        &work.path().join("alice-rec"),
    );
    let base = if trunk { 43200 } else { 43000 };
    alice_phone.rtp_ports = (base, base + 99);
    let mut bob_phone = Phone::new(
        "bob",
        "bobpw",
        l.b.sip_port,
        &bob_wav,
        &work.path().join("bob-rec"),
    );
    bob_phone.rtp_ports = (base + 100, base + 199);
    let mut alice = Baresip::start(&baresip, &work.path().join("alice"), &alice_phone);
    let mut bob = Baresip::start(&baresip, &work.path().join("bob"), &bob_phone);
    for p in [&alice, &bob] {
        if let Err(e) = p.wait_registered(BARESIP_TIMEOUT) {
            l.fail("registration", &[&alice, &bob], &e);
        }
    }
    if let Err(e) = alice.dial(&alice_phone.pbx_uri("200")) {
        l.fail("dial", &[&alice, &bob], &e);
    }
    for p in [&alice, &bob] {
        if let Err(e) = p.wait_for("Call established", BARESIP_TIMEOUT) {
            l.fail("call established", &[&alice, &bob], &e);
        }
    }
    for (name, pbx) in [("A", &l.a), ("B", &l.b)] {
        if let Err(e) = pbx.wait_cli(
            "iax2 show channels",
            &["1 active IAX channel\n", "ulaw"],
            BARESIP_TIMEOUT,
        ) {
            l.fail(&format!("{name}: iax2 show channels"), &[&alice, &bob], &e);
        }
    }
    let rec = match bob.wait_recording("dec", 5.0, BARESIP_TIMEOUT) {
        Ok(p) => p,
        Err(e) => l.fail("bob's recording", &[&alice, &bob], &e),
    };
    if let Err(e) = alice.wait_recording("dec", 5.0, BARESIP_TIMEOUT) {
        l.fail("alice's recording", &[&alice, &bob], &e);
    }
    if let Err(e) = bob.hangup() {
        l.fail("bob hangs up", &[&alice, &bob], &e);
    }
    for p in [&alice, &bob] {
        if let Err(e) = p.wait_for("CALL_CLOSED", BARESIP_TIMEOUT) {
            l.fail("call closed", &[&alice, &bob], &e);
        }
    }
    l.all_clear(&[&alice, &bob]);
    if trunk {
        // The voice really went in meta trunk frames, both ways.
        for pbx in [&l.a, &l.b] {
            for line in ["IAX2: trunking voice to", "IAX2: trunk frames from"] {
                if let Err(e) = pbx.daemon.wait_log(line, Duration::from_secs(30)) {
                    l.fail("voice in trunk frames", &[&alice, &bob], &e);
                }
            }
        }
    }
    let got = wav::read_wav(&rec).unwrap_or_else(|e| panic!("{e}"));
    let loud: Vec<i16> = got
        .samples
        .iter()
        .copied()
        .skip_while(|s| s.unsigned_abs() < 1000)
        .collect();
    let first = &loud[..loud.len().min(got.rate as usize * 3)];
    let level = wav::rms(first);
    let dominant =
        wav::dominant_frequency(first, got.rate, &[400.0, 700.0, 1000.0, 1300.0, 2000.0]);
    let tone = wav::tone_seconds(&got.samples, got.rate, 1000.0, 700.0);
    eprintln!(
        "bob received {:.2} s: rms {level:.0}, dominant {dominant:?}, 1 kHz for {tone:.2} s",
        got.duration()
    );
    assert!(
        level > 4000.0,
        "bob's received audio is (near) silent: RMS {level:.0}"
    );
    assert_eq!(
        dominant,
        Some(1000.0),
        "bob hears alice's tone across the IAX2 link"
    );
    assert!(
        tone >= 3.0,
        "bob heard {tone:.2} s of 1 kHz, alice played 4 s"
    );
    let back = alice
        .recordings("dec")
        .pop()
        .unwrap_or_else(|| panic!("no recording from alice"));
    let back = wav::read_wav(&back).unwrap_or_else(|e| panic!("{e}"));
    let heard = wav::tone_seconds(&back.samples, back.rate, 400.0, 700.0);
    assert!(heard >= 3.0, "alice heard {heard:.2} s of bob's 400 Hz");
    alice.quit(Duration::from_secs(10));
    bob.quit(Duration::from_secs(10));
}

#[test]
fn b_registers_with_md5_and_a_tone_crosses_the_iax2_link_and_the_callee_hangup_clears_all() {
    tone_crosses_the_link(false);
}

#[test]
fn a_tone_crosses_a_trunk_yes_link() {
    tone_crosses_the_link(true);
}

#[test]
fn trunk_yes_carries_three_calls_at_once_and_caller_hangups_clear_every_leg() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (uac_port, uas_port) = (free_port(), free_port());
    let l = link(true, uac_port, free_port(), uas_port);
    let callee = sipp_uas(&sipp_bin, uas_port, "uas", 3);
    let sb = sipp_bin.clone();
    let a_port = l.a.sip_port;
    let caller = std::thread::spawn(move || sipp_uac(&sb, a_port, uac_port, "201", 3, 6000));
    for (name, pbx) in [("A", &l.a), ("B", &l.b)] {
        if let Err(e) = pbx.wait_cli(
            "iax2 show channels",
            &["3 active IAX channels"],
            Duration::from_secs(40),
        ) {
            l.fail(&format!("{name} carries 3 IAX2 calls at once"), &[], &e);
        }
    }
    if let Err(e) = l.b.wait_cli(
        "core show channels",
        &["6 active channels"],
        Duration::from_secs(20),
    ) {
        l.fail("B: 3 IAX2 + 3 SIP legs", &[], &e);
    }
    let stats = l.a.cli("iax2 show netstats");
    assert!(stats.contains("3 active IAX channels"), "{stats}");
    let caller = caller.join().expect("uac thread");
    let callee = callee.join().expect("uas thread");
    l.sipp_ok(&[("caller", &caller), ("callee", &callee)]);
    l.all_clear(&[]);
}

#[test]
fn dial_sip_and_iax2_rings_both_and_the_iax2_answer_wins() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (l, caller, ringer) = ring_cancel_call(&sipp_bin, "300", 1000);
    // B answers 300 (Answer, Wait(4)): the SIP ringer is cancelled, the caller is bridged to B.
    let caller = caller.join().expect("uac thread");
    let ringer = ringer.join().expect("ringer thread");
    l.sipp_ok(&[("caller", &caller), ("ringer (expects CANCEL)", &ringer)]);
    l.all_clear(&[]);
}

#[test]
fn dial_sip_and_iax2_rings_both_and_the_sip_answer_cancels_the_iax2_leg() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (uac_port, ringer_port) = (free_port(), free_port());
    let l = link(false, uac_port, ringer_port, free_port());
    // The SIP phone answers at once; B's 301 only rings (Ringing, Wait(25)).
    let ringer = sipp_uas(&sipp_bin, ringer_port, "uas", 1);
    let sb = sipp_bin.clone();
    let a_port = l.a.sip_port;
    let caller = std::thread::spawn(move || sipp_uac(&sb, a_port, uac_port, "301", 1, 2000));
    let caller = caller.join().expect("uac thread");
    let ringer = ringer.join().expect("ringer thread");
    l.sipp_ok(&[("caller", &caller), ("ringer", &ringer)]);
    // B's leg was hung up by A when the SIP phone answered, long before its Wait(25) ends.
    l.all_clear(&[]);
    let b_log = l.b.daemon.stderr_text();
    assert!(
        !b_log.contains("ringing ran out"),
        "B's Wait(25) ran out:\n{b_log}"
    );
    l.b.daemon.expect_log("IAX2 call");
}
