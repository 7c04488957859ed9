//! Music on hold heard by real softphones (baresip), with the shipped `default` class (no
//! musiconhold.conf): MusicOnHold() to the caller; Dial(SIP/bob,20,m) while bob rings (the
//! caller gets progress and hears music, not ringback); and a phone that puts the call on
//! hold (re-INVITE sendonly) makes the other party hear music until it resumes.

use std::path::PathBuf;
use std::time::Duration;

use tandem_testkit::wav::{self, RATE_8K};
use tandem_testkit::{
    free_port, require_tool, write_config, Baresip, Daemon, Phone, TempDir, BARESIP_TIMEOUT,
};

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

const EXTENSIONS: &str = "[internal]\n\
    exten => 800,1,Answer()\n same => n,MusicOnHold(,4)\n same => n,Verbose(1,moh done)\n\
    same => n,Wait(30)\n same => n,Hangup()\n\
    exten => 801,1,Dial(SIP/bob,20,m)\n same => n,Hangup()\n\
    exten => 802,1,Dial(SIP/bob,20)\n same => n,Hangup()\n";

struct Pbx {
    _config: TempDir,
    _data: TempDir,
    daemon: Daemon,
    port: u16,
}

fn start_pbx() -> Pbx {
    let port = free_port();
    let config = TempDir::new();
    let data = TempDir::new();
    let sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=public\n\n\
         [alice]\ntype=friend\nhost=dynamic\nsecret=alicepw\ncontext=internal\n\n\
         [bob]\ntype=friend\nhost=dynamic\nsecret=bobpw\ncontext=internal\n"
    );
    let rtp = "[general]\nrtpstart=64400\nrtpend=64499\n";
    write_config(
        config.path(),
        &[
            ("sip.conf", &sip),
            ("extensions.conf", EXTENSIONS),
            ("rtp.conf", rtp),
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
}

fn fail(what: &str, pbx: &Pbx, phones: &[&Baresip], err: &str) -> ! {
    let mut out = String::new();
    for p in phones {
        out.push_str(&format!("--- {} output:\n{}\n", p.phone.name, p.output()));
    }
    panic!(
        "{what}: {err}\n--- tandem stderr:\n{}\n{out}",
        pbx.daemon.stderr_text()
    );
}

/// A registered phone with a silent microphone.
fn phone(pbx: &Pbx, work: &TempDir, name: &str, auto: bool, rtp: (u16, u16)) -> Option<Baresip> {
    let baresip = require_tool("baresip")?;
    let mic = work.path().join(format!("{name}-mic.wav"));
    wav::write_wav(&mic, RATE_8K, &wav::silence(RATE_8K, 60.0));
    let mut p = Phone::new(
        name,
        &format!("{name}pw"),
        pbx.port,
        &mic,
        &work.path().join(format!("{name}-rec")),
    );
    p.rtp_ports = rtp;
    p.answer_auto = auto;
    let b = Baresip::start(&baresip, &work.path().join(name), &p);
    if let Err(e) = b.wait_registered(BARESIP_TIMEOUT) {
        fail("registration", pbx, &[&b], &e);
    }
    Some(b)
}

/// The shipped music: its level and which notes it has, to tell it from ringback.
fn looks_like_the_music(samples: &[i16], rate: u32) -> Result<(), String> {
    let block = (rate / 50) as usize;
    let loud = samples
        .chunks_exact(block)
        .filter(|b| wav::rms(b) > 300.0)
        .count();
    let secs = loud as f64 / 50.0;
    if secs < 1.5 {
        return Err(format!("only {secs:.2} s of sound"));
    }
    // Ringback is 440+480 Hz; the music's notes (C, E, G, A...) are elsewhere.
    let p = |f: f64| wav::goertzel(samples, rate, f);
    let ring = p(440.0) + p(480.0);
    let notes =
        p(261.6) + p(329.6) + p(392.0) + p(523.3) + p(659.3) + p(784.0) + p(220.0) + p(880.0);
    if notes < ring {
        return Err(format!(
            "not the music: notes {notes:.0} vs ringback {ring:.0}"
        ));
    }
    Ok(())
}

#[test]
fn musiconhold_plays_the_default_class_for_its_duration() {
    let pbx = start_pbx();
    let work = TempDir::new();
    let Some(mut alice) = phone(&pbx, &work, "alice", true, (63500, 63549)) else {
        return;
    };
    if let Err(e) = alice.dial(&alice.phone.pbx_uri("800")) {
        fail("dial", &pbx, &[&alice], &e);
    }
    if let Err(e) = pbx.wait_log("moh done", BARESIP_TIMEOUT) {
        fail("MusicOnHold(,4) returns after 4 s", &pbx, &[&alice], &e);
    }
    // The music is all the audio alice gets (nothing is sent during the Wait after it).
    let rec = alice
        .wait_recording("dec", 3.0, BARESIP_TIMEOUT)
        .unwrap_or_else(|e| fail("recording", &pbx, &[&alice], &e));
    let _ = alice.hangup();
    let _ = alice.wait_for("CALL_CLOSED", BARESIP_TIMEOUT);
    let got = wav::read_wav(&rec).unwrap_or_else(|e| panic!("{e}"));
    eprintln!("musiconhold: {:.2} s received", got.duration());
    assert!(
        got.duration() < 4.5,
        "the music stopped after 4 s: {:.2} s",
        got.duration()
    );
    if let Err(e) = looks_like_the_music(&got.samples, got.rate) {
        fail("alice hears music", &pbx, &[&alice], &e);
    }
}

#[test]
fn dial_option_m_plays_music_to_the_caller_while_the_callee_rings() {
    let pbx = start_pbx();
    let work = TempDir::new();
    let Some(mut alice) = phone(&pbx, &work, "alice", true, (63550, 63599)) else {
        return;
    };
    let Some(bob) = phone(&pbx, &work, "bob", false, (63600, 63649)) else {
        return;
    };
    if let Err(e) = alice.dial(&alice.phone.pbx_uri("801")) {
        fail("dial", &pbx, &[&alice, &bob], &e);
    }
    if let Err(e) = bob.wait_for("Incoming call", BARESIP_TIMEOUT) {
        fail("bob rings", &pbx, &[&alice, &bob], &e);
    }
    if let Err(e) = pbx.wait_log("started music on hold", BARESIP_TIMEOUT) {
        fail("Dial(m) starts music", &pbx, &[&alice, &bob], &e);
    }
    let rec = alice
        .wait_recording("dec", 4.0, BARESIP_TIMEOUT)
        .unwrap_or_else(|e| fail("alice's early-media recording", &pbx, &[&alice, &bob], &e));
    let _ = alice.hangup();
    let _ = alice.wait_for("CALL_CLOSED", BARESIP_TIMEOUT);
    if let Err(e) = pbx.wait_log("dialplan ended", BARESIP_TIMEOUT) {
        fail("the call ends", &pbx, &[&alice, &bob], &e);
    }
    let got = wav::read_wav(&rec).unwrap_or_else(|e| panic!("{e}"));
    let first = &got.samples[..(4 * got.rate as usize).min(got.samples.len())];
    if let Err(e) = looks_like_the_music(first, got.rate) {
        fail(
            "alice hears music while bob rings",
            &pbx,
            &[&alice, &bob],
            &e,
        );
    }
}

#[test]
fn a_phone_putting_the_call_on_hold_makes_the_other_party_hear_music() {
    let pbx = start_pbx();
    let work = TempDir::new();
    let Some(mut alice) = phone(&pbx, &work, "alice", true, (63650, 63699)) else {
        return;
    };
    let Some(mut bob) = phone(&pbx, &work, "bob", true, (63700, 63749)) else {
        return;
    };
    if let Err(e) = alice.dial(&alice.phone.pbx_uri("802")) {
        fail("dial", &pbx, &[&alice, &bob], &e);
    }
    if let Err(e) = alice.wait_for("Call established", BARESIP_TIMEOUT) {
        fail("call established", &pbx, &[&alice, &bob], &e);
    }
    // Two seconds of the call first: bob's microphone is silent.
    let before = alice
        .wait_recording("dec", 2.0, BARESIP_TIMEOUT)
        .unwrap_or_else(|e| fail("recording", &pbx, &[&alice, &bob], &e));
    let before_len = wav::read_wav(&before).map(|w| w.samples.len()).unwrap_or(0);
    if let Err(e) = bob.command("hold", None) {
        fail("bob holds", &pbx, &[&alice, &bob], &e);
    }
    if let Err(e) = pbx.wait_log("started music on hold", BARESIP_TIMEOUT) {
        fail("hold starts music for alice", &pbx, &[&alice, &bob], &e);
    }
    let rec = alice
        .wait_recording("dec", before_len as f64 / 8000.0 + 4.0, BARESIP_TIMEOUT)
        .unwrap_or_else(|e| fail("recording on hold", &pbx, &[&alice, &bob], &e));
    let _ = alice.hangup();
    let _ = alice.wait_for("CALL_CLOSED", BARESIP_TIMEOUT);
    let got = wav::read_wav(&rec).unwrap_or_else(|e| panic!("{e}"));
    let quiet = &got.samples[..before_len.min(got.samples.len())];
    let held = &got.samples[before_len.min(got.samples.len())..];
    eprintln!(
        "hold: before {:.2} s rms {:.0}, after {:.2} s rms {:.0}",
        quiet.len() as f64 / 8000.0,
        wav::rms(quiet),
        held.len() as f64 / 8000.0,
        wav::rms(held)
    );
    assert!(wav::rms(quiet) < 300.0, "bob was silent before the hold");
    if let Err(e) = looks_like_the_music(held, got.rate) {
        fail(
            "alice hears music while bob holds",
            &pbx,
            &[&alice, &bob],
            &e,
        );
    }
}
