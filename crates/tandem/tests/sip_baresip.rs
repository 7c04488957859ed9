//! SIP calls between two real softphones (baresip) through tandem: registration with digest
//! auth, a call by extension, audio from the caller's WAV relayed to the callee (recorded and
//! measured), and a hangup from either side clearing both legs.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use tandem_testkit::wav::{self, RATE_8K};
use tandem_testkit::{
    free_port, require_tool, run_cli, write_config, Baresip, Daemon, Phone, TempDir,
    BARESIP_TIMEOUT,
};

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

const SECONDS_OF_TONE: f64 = 4.0;

/// A tandem with phones alice and bob (`host=dynamic`) and extensions 6001/6002 for them.
struct Pbx {
    _config: TempDir,
    data: TempDir,
    daemon: Daemon,
    port: u16,
}

fn start_pbx(rtp: (u16, u16)) -> Pbx {
    let port = free_port();
    let config = TempDir::new();
    let data = TempDir::new();
    let sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=public\n\n\
         [alice]\ntype=friend\nhost=dynamic\nsecret=alicepw\ncontext=internal\n\n\
         [bob]\ntype=friend\nhost=dynamic\nsecret=bobpw\ncontext=internal\n"
    );
    let extensions = "[internal]\n\
        exten => 6001,1,Dial(SIP/alice,20)\n same => n,Hangup()\n\
        exten => 6002,1,Dial(SIP/bob,20)\n same => n,Hangup()\n";
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
        data,
        daemon,
        port,
    }
}

impl Pbx {
    fn cli(&self, cmd: &str) -> String {
        run_cli(&bin(), self.data.path(), cmd)
    }

    /// Wait until tandem's stderr has a line containing all of `parts` (bounded polling).
    fn wait_log(&self, parts: &[&str], timeout: Duration) -> Result<String, String> {
        self.daemon.wait_log_nth(parts, 1, timeout)
    }

    /// Poll the CLI command `cmd` until its answer contains all of `parts` (bounded).
    fn wait_cli(&self, cmd: &str, parts: &[&str], timeout: Duration) -> Result<String, String> {
        self.daemon.wait_cli(cmd, parts, timeout)
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Side {
    Caller,
    Callee,
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

/// alice (microphone: 4 s of 1 kHz, then silence) calls bob (microphone: 400 Hz) at 6002;
/// `hangs_up` ends the call once bob has recorded 5 s; everything is checked on the way.
fn call_between_two_baresips(rtp: (u16, u16), phone_rtp: [(u16, u16); 2], hangs_up: Side) {
    let Some(baresip) = require_tool("baresip") else {
        return;
    };
    let started = Instant::now();
    let pbx = start_pbx(rtp);
    let work = TempDir::new();
    let alice_wav = work.path().join("alice.wav");
    let mut alice_mic = wav::sine(RATE_8K, 1000.0, SECONDS_OF_TONE, 8000);
    alice_mic.extend(wav::silence(RATE_8K, 56.0));
    wav::write_wav(&alice_wav, RATE_8K, &alice_mic);
    let bob_wav = work.path().join("bob.wav");
    wav::write_wav(&bob_wav, RATE_8K, &wav::sine(RATE_8K, 400.0, 60.0, 8000));

    let mut alice_phone = Phone::new(
        "alice",
        "alicepw",
        pbx.port,
        &alice_wav,
        &work.path().join("alice-rec"),
    );
    alice_phone.rtp_ports = phone_rtp[0];
    let mut bob_phone = Phone::new(
        "bob",
        "bobpw",
        pbx.port,
        &bob_wav,
        &work.path().join("bob-rec"),
    );
    bob_phone.rtp_ports = phone_rtp[1];
    let mut alice = Baresip::start(&baresip, &work.path().join("alice"), &alice_phone);
    let mut bob = Baresip::start(&baresip, &work.path().join("bob"), &bob_phone);

    for p in [&alice, &bob] {
        match p.wait_registered(BARESIP_TIMEOUT) {
            Ok(line) => assert!(
                line.contains("[1 binding]"),
                "{}: one contact registered: {line}",
                p.phone.name
            ),
            Err(e) => fail("registration", &pbx, &[&alice, &bob], &e),
        }
    }
    let registered = started.elapsed();
    let peers = pbx.cli("sip show peers");
    for p in [&alice.phone, &bob.phone] {
        let row = peers
            .lines()
            .find(|l| l.starts_with(&format!("{}/", p.name)));
        let row = row.unwrap_or_else(|| panic!("no {} row in:\n{peers}", p.name));
        assert!(
            row.contains("127.0.0.1") && row.contains(&p.sip_port.to_string()),
            "{} registered from its port: {row}",
            p.name
        );
    }
    assert!(
        peers.contains("Unmonitored: 2 online, 0 offline"),
        "both peers online:\n{peers}"
    );

    if let Err(e) = alice.dial(&alice_phone.pbx_uri("6002")) {
        fail("dial", &pbx, &[&alice, &bob], &e);
    }
    for p in [&alice, &bob] {
        if let Err(e) = p.wait_for("Call established", BARESIP_TIMEOUT) {
            fail("call established", &pbx, &[&alice, &bob], &e);
        }
    }
    let established = started.elapsed();
    // tandem shows both dialogs, in G.711 u-law (bounded wait: the callee's ACK may lag).
    if let Err(e) = pbx.wait_cli(
        "sip show channels",
        &["2 active SIP dialogs", "(ulaw)"],
        BARESIP_TIMEOUT,
    ) {
        fail(
            "sip show channels during the call",
            &pbx,
            &[&alice, &bob],
            &e,
        );
    }
    let core = pbx.cli("core show channels");
    assert!(
        core.contains("2 active channels") && core.contains("1 active call\n"),
        "{core}"
    );
    assert!(
        core.lines().any(|l| l.starts_with("SIP/alice-")
            && l.contains("6002@internal:1")
            && l.contains("Dial(SIP/bob,20)")),
        "{core}"
    );
    assert!(
        core.lines()
            .any(|l| l.starts_with("SIP/bob-") && l.contains("AppDial((Outgoing Line))")),
        "{core}"
    );
    // Media is relayed: each phone receives RTP from a port in tandem's rtp.conf range.
    for p in [&alice, &bob] {
        let line = p.wait_for("incoming rtp for 'audio' established", BARESIP_TIMEOUT);
        let line = line.unwrap_or_else(|e| fail("RTP arrives", &pbx, &[&alice, &bob], &e));
        let port = line
            .rsplit(':')
            .next()
            .and_then(|s| s.trim().parse::<u16>().ok());
        assert!(
            port.is_some_and(|port| (rtp.0..=rtp.1).contains(&port)),
            "{}: RTP not from tandem's range {rtp:?}: {line}",
            p.phone.name
        );
    }
    assert!(
        bob.output().contains("Call established: sip:alice@"),
        "bob sees alice as the caller:\n{}",
        bob.output()
    );

    // The tone, then a second of silence, must have reached bob before anyone hangs up.
    let recording = match bob.wait_recording("dec", SECONDS_OF_TONE + 1.0, BARESIP_TIMEOUT) {
        Ok(p) => p,
        Err(e) => fail("bob's recording", &pbx, &[&alice, &bob], &e),
    };
    let hangup = match hangs_up {
        Side::Caller => alice.hangup(),
        Side::Callee => bob.hangup(),
    };
    if let Err(e) = hangup {
        fail("hangup", &pbx, &[&alice, &bob], &e);
    }
    for p in [&alice, &bob] {
        if let Err(e) = p.wait_for("CALL_CLOSED", BARESIP_TIMEOUT) {
            fail("call closed", &pbx, &[&alice, &bob], &e);
        }
    }
    if let Err(e) = pbx.wait_cli(
        "sip show channels",
        &["0 active SIP dialogs"],
        BARESIP_TIMEOUT,
    ) {
        fail(
            "sip show channels after the call",
            &pbx,
            &[&alice, &bob],
            &e,
        );
    }
    if let Err(e) = pbx.wait_cli(
        "core show channels",
        &["0 active channels"],
        BARESIP_TIMEOUT,
    ) {
        fail(
            "core show channels after the call",
            &pbx,
            &[&alice, &bob],
            &e,
        );
    }
    let cleared = started.elapsed();
    // The hanging-up side's BYE ended its leg in tandem, tandem sent a BYE on the other leg
    // (libre reports a received BYE as ECONNRESET), and the caller's dialplan finished.
    let (hanger, other) = match hangs_up {
        Side::Caller => (&alice, &bob),
        Side::Callee => (&bob, &alice),
    };
    let leg = format!("SIP/{}-", hanger.phone.name);
    for parts in [
        &[leg.as_str(), "call ended (RemoteBye)"][..],
        &["SIP/alice-", "dialplan ended"][..],
    ] {
        if let Err(e) = pbx.wait_log(parts, BARESIP_TIMEOUT) {
            fail("tandem clears the legs", &pbx, &[&alice, &bob], &e);
        }
    }
    assert!(
        hanger.output().contains("terminate call"),
        "{} hung up:\n{}",
        hanger.phone.name,
        hanger.output()
    );
    assert!(
        other
            .output()
            .contains("session closed: Connection reset by peer"),
        "{} got a BYE:\n{}",
        other.phone.name,
        other.output()
    );

    // What bob received: alice's tone, loud, at 1 kHz, for about as long as she played it.
    let got = wav::read_wav(&recording).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got.rate, 8000, "{}", recording.display());
    assert!(
        got.duration() >= SECONDS_OF_TONE + 1.0,
        "recording is {} s",
        got.duration()
    );
    let loud: Vec<i16> = got
        .samples
        .iter()
        .copied()
        .skip_while(|s| s.unsigned_abs() < 1000)
        .collect();
    let first_tone = &loud[..loud.len().min(RATE_8K as usize * 3)];
    let level = wav::rms(first_tone);
    assert!(
        level > 3000.0,
        "bob's received audio is (near) silent: RMS {level}"
    );
    let dominant =
        wav::dominant_frequency(first_tone, RATE_8K, &[400.0, 700.0, 1000.0, 1300.0, 2000.0]);
    assert_eq!(dominant, Some(1000.0), "bob hears alice's tone");
    let zc = wav::zero_crossing_frequency(first_tone, RATE_8K);
    assert!((zc - 1000.0).abs() < 50.0, "zero crossings give {zc} Hz");
    let tone = wav::tone_seconds(&got.samples, RATE_8K, 1000.0, 1000.0);
    assert!(
        (SECONDS_OF_TONE - 0.5..=SECONDS_OF_TONE + 0.1).contains(&tone),
        "bob heard {tone} s of the 1 kHz tone, alice played {SECONDS_OF_TONE} s"
    );
    assert_eq!(
        wav::tone_seconds(&got.samples, RATE_8K, 400.0, 1000.0),
        0.0,
        "bob does not hear his own voice"
    );

    // And the other way: alice heard bob's 400 Hz for the call's length.
    let back = alice
        .recordings("dec")
        .pop()
        .unwrap_or_else(|| panic!("no recording from alice:\n{}", alice.output()));
    let back = wav::read_wav(&back).unwrap_or_else(|e| panic!("{e}"));
    let heard = wav::tone_seconds(&back.samples, RATE_8K, 400.0, 1000.0);
    assert!(
        heard >= SECONDS_OF_TONE,
        "alice heard {heard} s of bob's 400 Hz"
    );

    eprintln!(
        "timings: registered {registered:?}, established {established:?}, cleared {cleared:?}; bob heard {tone} s of tone in {} s",
        got.duration()
    );
    alice.quit(Duration::from_secs(10));
    bob.quit(Duration::from_secs(10));
}

#[test]
fn two_baresips_register_call_hear_the_tone_and_the_caller_hangs_up() {
    call_between_two_baresips(
        (64000, 64099),
        [(63000, 63049), (63050, 63099)],
        Side::Caller,
    );
}

#[test]
fn two_baresips_register_call_hear_the_tone_and_the_callee_hangs_up() {
    call_between_two_baresips(
        (64100, 64199),
        [(63100, 63149), (63150, 63199)],
        Side::Callee,
    );
}
