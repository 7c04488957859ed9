//! A bridge between phones that share no codec transcodes (two real baresip phones registered
//! to tandem): alice offers only PCMU, bob only PCMA or only G.722 (baresip's g722.so). Each
//! phone's recording of what it received (`dump-*-dec.wav`) is decoded: alice's 1 kHz tone must
//! reach bob, loud and for as long as she played it, and bob's 400 Hz tone must reach alice.

use std::path::PathBuf;
use std::time::Duration;

use tandem_testkit::wav::{self, RATE_8K};
use tandem_testkit::{
    free_port, require_tool, write_config, Baresip, Daemon, Phone, TempDir, BARESIP_TIMEOUT,
};

/// Seconds of 1 kHz alice plays before silence.
const SECONDS_OF_TONE: f64 = 4.0;

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

struct Pbx {
    _config: TempDir,
    _data: TempDir,
    daemon: Daemon,
    port: u16,
}

/// tandem with alice and bob (`bob_codecs`: extra sip.conf lines for bob), 6002 dials bob.
fn start_pbx(rtp: (u16, u16), bob_codecs: &str) -> Pbx {
    let port = free_port();
    let config = TempDir::new();
    let data = TempDir::new();
    let sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=public\n\n\
         [alice]\ntype=friend\nhost=dynamic\nsecret=alicepw\ncontext=internal\n\n\
         [bob]\ntype=friend\nhost=dynamic\nsecret=bobpw\ncontext=internal\n{bob_codecs}"
    );
    let extensions = "[internal]\nexten => 6002,1,Dial(SIP/bob,20)\n same => n,Hangup()\n";
    let rtp_conf = format!("[general]\nrtpstart={}\nrtpend={}\n", rtp.0, rtp.1);
    write_config(
        config.path(),
        &[
            ("sip.conf", &sip),
            ("extensions.conf", extensions),
            ("rtp.conf", &rtp_conf),
        ],
    );
    let daemon = Daemon::start(&bin(), config.path(), data.path());
    Pbx {
        _config: config,
        _data: data,
        daemon,
        port,
    }
}

impl Pbx {
    fn wait_log(&self, part: &str, timeout: Duration) -> Result<String, String> {
        self.daemon.wait_log(part, timeout)
    }

    fn wait_cli(&self, cmd: &str, parts: &[&str], timeout: Duration) -> Result<String, String> {
        self.daemon.wait_cli(cmd, parts, timeout)
    }
}

fn fail(what: &str, pbx: &Pbx, phones: &[&Baresip], err: &str) -> ! {
    let mut text = format!(
        "{what}: {err}\n--- tandem stderr:\n{}\n",
        pbx.daemon.stderr_text()
    );
    for p in phones {
        text.push_str(&format!("--- {} output:\n{}\n", p.phone.name, p.output()));
    }
    panic!("{text}");
}

/// Bob's side of a call: the codec his phone offers, the translation paths tandem's bridge
/// logs (alice to bob, bob to alice), the sip.conf lines that let tandem offer his codec, and
/// the rate his phone records at.
struct Callee {
    baresip_codec: &'static str,
    /// baresip's `audio_codecs` (G.722 must be named with its 16 kHz rate).
    audio_codecs: &'static str,
    paths: [&'static str; 2],
    sip_conf: &'static str,
    rate: u32,
}

/// alice (PCMU only; 4 s of 1 kHz, then silence) calls bob (only `callee`'s codec; 400 Hz) at
/// 6002; once bob has recorded 5 s, alice hangs up; both recordings are decoded.
fn tone_crosses(rtp: (u16, u16), phone_rtp: [(u16, u16); 2], callee: &Callee) {
    let Some(baresip) = require_tool("baresip") else {
        return;
    };
    let pbx = start_pbx(rtp, callee.sip_conf);
    let work = TempDir::new();
    let alice_wav = work.path().join("alice.wav");
    let mut alice_mic = wav::sine(RATE_8K, 1000.0, SECONDS_OF_TONE, 8000);
    alice_mic.extend(wav::silence(RATE_8K, 56.0));
    wav::write_wav(&alice_wav, RATE_8K, &alice_mic);
    // Bob's microphone at his codec's rate.
    let bob_wav = work.path().join("bob.wav");
    wav::write_wav(
        &bob_wav,
        callee.rate,
        &wav::sine(callee.rate, 400.0, 60.0, 8000),
    );

    let mut alice_phone = Phone::new(
        "alice",
        "alicepw",
        pbx.port,
        &alice_wav,
        &work.path().join("alice-rec"),
    )
    .with_codecs("PCMU");
    alice_phone.rtp_ports = phone_rtp[0];
    let mut bob_phone = Phone::new(
        "bob",
        "bobpw",
        pbx.port,
        &bob_wav,
        &work.path().join("bob-rec"),
    )
    .with_codecs(callee.audio_codecs);
    bob_phone.rtp_ports = phone_rtp[1];
    let mut alice = Baresip::start(&baresip, &work.path().join("alice"), &alice_phone);
    let mut bob = Baresip::start(&baresip, &work.path().join("bob"), &bob_phone);
    for p in [&alice, &bob] {
        if let Err(e) = p.wait_registered(BARESIP_TIMEOUT) {
            fail("registration", &pbx, &[&alice, &bob], &e);
        }
    }
    if let Err(e) = alice.dial(&alice_phone.pbx_uri("6002")) {
        fail("dial", &pbx, &[&alice, &bob], &e);
    }
    for p in [&alice, &bob] {
        if let Err(e) = p.wait_for("Call established", BARESIP_TIMEOUT) {
            fail("call established", &pbx, &[&alice, &bob], &e);
        }
    }
    let callee_format = format!(
        "({})",
        callee.paths[0].rsplit("->").next().unwrap_or_default()
    );
    if let Err(e) = pbx.wait_cli(
        "sip show channels",
        &["2 active SIP dialogs", "(ulaw)", callee_format.as_str()],
        BARESIP_TIMEOUT,
    ) {
        fail(
            "sip show channels during the call",
            &pbx,
            &[&alice, &bob],
            &e,
        );
    }
    // The two legs really differ: tandem's bridge runs a translation path each way.
    for path in callee.paths {
        if let Err(e) = pbx.wait_log(&format!("bridge transcodes {path} "), BARESIP_TIMEOUT) {
            fail("the bridge transcodes", &pbx, &[&alice, &bob], &e);
        }
    }
    let bob_rec =
        match bob.wait_recording_at("dec", SECONDS_OF_TONE + 1.0, callee.rate, BARESIP_TIMEOUT) {
            Ok(p) => p,
            Err(e) => fail("bob's recording", &pbx, &[&alice, &bob], &e),
        };
    if let Err(e) = alice.wait_recording("dec", SECONDS_OF_TONE + 1.0, BARESIP_TIMEOUT) {
        fail("alice's recording", &pbx, &[&alice, &bob], &e);
    }
    if let Err(e) = alice.hangup() {
        fail("hangup", &pbx, &[&alice, &bob], &e);
    }
    for p in [&alice, &bob] {
        if let Err(e) = p.wait_for("CALL_CLOSED", BARESIP_TIMEOUT) {
            fail("call closed", &pbx, &[&alice, &bob], &e);
        }
    }
    let bob_out = bob.output();
    let decoder = format!(
        "Set audio decoder: {} {}Hz",
        callee.baresip_codec, callee.rate
    );
    assert!(
        bob_out.contains(&decoder),
        "bob's call is in {}:\n{bob_out}",
        callee.baresip_codec
    );

    // Bob received alice's tone: loud, at 1 kHz, for about as long as she played it.
    let got = wav::read_wav(&bob_rec).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got.rate, callee.rate, "{}", bob_rec.display());
    assert!(
        got.duration() >= SECONDS_OF_TONE + 1.0,
        "bob's recording is {} s",
        got.duration()
    );
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
        "bob ({}) received {:.2} s: rms {level:.0}, dominant {dominant:?}, 1 kHz for {tone:.2} s",
        callee.baresip_codec,
        got.duration()
    );
    assert!(
        level > 4000.0,
        "bob's received audio is (near) silent: RMS {level:.0}"
    );
    assert_eq!(dominant, Some(1000.0), "bob hears alice's tone");
    let zc = wav::zero_crossing_frequency(first, got.rate);
    assert!((zc - 1000.0).abs() < 50.0, "zero crossings give {zc} Hz");
    assert!(
        (SECONDS_OF_TONE - 0.5..=SECONDS_OF_TONE + 0.2).contains(&tone),
        "bob heard {tone:.2} s of 1 kHz, alice played {SECONDS_OF_TONE} s"
    );
    assert_eq!(
        wav::tone_seconds(&got.samples, got.rate, 400.0, 700.0),
        0.0,
        "bob does not hear his own voice"
    );

    // Alice received bob's 400 Hz all along.
    let back = alice
        .recordings("dec")
        .pop()
        .unwrap_or_else(|| panic!("no recording from alice:\n{}", alice.output()));
    let back = wav::read_wav(&back).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.rate, 8000);
    let loud: Vec<i16> = back
        .samples
        .iter()
        .copied()
        .skip_while(|s| s.unsigned_abs() < 1000)
        .collect();
    let first = &loud[..loud.len().min(RATE_8K as usize * 3)];
    let level = wav::rms(first);
    let dominant = wav::dominant_frequency(first, RATE_8K, &[400.0, 700.0, 1000.0, 1300.0, 2000.0]);
    let heard = wav::tone_seconds(&back.samples, RATE_8K, 400.0, 700.0);
    eprintln!("alice (PCMU) received {:.2} s: rms {level:.0}, dominant {dominant:?}, 400 Hz for {heard:.2} s", back.duration());
    assert!(
        level > 4000.0,
        "alice's received audio is (near) silent: RMS {level:.0}"
    );
    assert_eq!(dominant, Some(400.0), "alice hears bob's tone");
    assert!(
        heard >= SECONDS_OF_TONE,
        "alice heard {heard:.2} s of bob's 400 Hz"
    );
    assert_eq!(
        wav::tone_seconds(&back.samples, RATE_8K, 1000.0, 700.0),
        0.0,
        "alice does not hear her own voice"
    );
    alice.quit(Duration::from_secs(10));
    bob.quit(Duration::from_secs(10));
}

#[test]
fn a_pcmu_caller_and_a_pcma_callee_hear_each_others_tone() {
    let callee = Callee {
        baresip_codec: "PCMA",
        audio_codecs: "PCMA",
        paths: ["ulaw->alaw", "alaw->ulaw"],
        sip_conf: "",
        rate: 8000,
    };
    tone_crosses((64300, 64349), [(63300, 63349), (63350, 63399)], &callee);
}

#[test]
fn a_pcmu_caller_and_a_g722_callee_hear_each_others_tone() {
    if tandem_testkit::baresip_module_path().is_none_or(|p| !p.join("g722.so").is_file()) {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true: baresip's g722.so must be installed"
        );
        eprintln!("skipped: baresip has no g722.so");
        return;
    }
    let callee = Callee {
        baresip_codec: "G722",
        audio_codecs: "G722/16000/1",
        paths: ["ulaw->slin->g722", "g722->slin->ulaw"],
        sip_conf: "allow=g722\n",
        rate: 16000,
    };
    tone_crosses((64350, 64399), [(63400, 63449), (63450, 63499)], &callee);
}
