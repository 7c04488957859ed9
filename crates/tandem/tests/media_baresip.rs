//! Media applications heard by a real softphone (baresip): Echo() sends the caller's tone back,
//! Playback() plays a WAV from DATA/sounds (16 kHz file to an A-law phone: resampled and
//! encoded), and PLAYBACKSTATUS says FAILED for a missing file.

use std::path::PathBuf;
use std::time::Duration;

use tandem_testkit::wav::{self, RATE_8K};
use tandem_testkit::{
    free_port, require_tool, write_config, Baresip, Daemon, Phone, TempDir, BARESIP_TIMEOUT,
};

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

struct Pbx {
    _config: TempDir,
    _data: TempDir,
    daemon: Daemon,
    port: u16,
}

const EXTENSIONS: &str = "[internal]\n\
    exten => 600,1,Answer()\n same => n,Echo()\n same => n,Verbose(1,echo done)\n same => n,Hangup()\n\
    exten => 601,1,Answer()\n same => n,Playback(media-test/tone600)\n\
    same => n,Verbose(1,first status ${PLAYBACKSTATUS})\n\
    same => n,Playback(no-such-prompt)\n same => n,Verbose(1,second status ${PLAYBACKSTATUS})\n\
    same => n,Wait(30)\n same => n,Hangup()\n";

/// tandem with phone alice, RTP in 64100-64199, and `sounds` files written into DATA first.
fn start_pbx(sounds: &[(&str, Vec<u8>)]) -> Pbx {
    let port = free_port();
    let config = TempDir::new();
    let data = TempDir::new();
    for (name, bytes) in sounds {
        let path = data.path().join("sounds").join(name);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
    }
    let sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=public\n\n\
         [alice]\ntype=friend\nhost=dynamic\nsecret=alicepw\ncontext=internal\n"
    );
    let rtp = "[general]\nrtpstart=64100\nrtpend=64199\n";
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

fn fail(what: &str, pbx: &Pbx, phone: &Baresip, err: &str) -> ! {
    panic!(
        "{what}: {err}\n--- tandem stderr:\n{}\n--- {} output:\n{}\n",
        pbx.daemon.stderr_text(),
        phone.phone.name,
        phone.output()
    );
}

/// Start alice with `mic` as her microphone and `codecs`, registered.
fn alice(pbx: &Pbx, work: &TempDir, mic: &[i16], codecs: &str, rtp: (u16, u16)) -> Option<Baresip> {
    let baresip = require_tool("baresip")?;
    let mic_path = work.path().join("mic.wav");
    wav::write_wav(&mic_path, RATE_8K, mic);
    let mut phone = Phone::new(
        "alice",
        "alicepw",
        pbx.port,
        &mic_path,
        &work.path().join("rec"),
    );
    phone.rtp_ports = rtp;
    phone.codecs = codecs.to_string();
    let b = Baresip::start(&baresip, &work.path().join("alice"), &phone);
    if let Err(e) = b.wait_registered(BARESIP_TIMEOUT) {
        fail("registration", pbx, &b, &e);
    }
    Some(b)
}

#[test]
fn echo_sends_the_callers_tone_back() {
    let pbx = start_pbx(&[]);
    let work = TempDir::new();
    // 4 s of 1 kHz, then silence (the call lasts until the test hangs up).
    let mut mic = wav::sine(RATE_8K, 1000.0, 4.0, 8000);
    mic.extend(wav::silence(RATE_8K, 56.0));
    let Some(mut alice) = alice(&pbx, &work, &mic, "PCMU", (63200, 63249)) else {
        return;
    };
    if let Err(e) = alice.dial(&alice.phone.pbx_uri("600")) {
        fail("dial", &pbx, &alice, &e);
    }
    if let Err(e) = alice.wait_for("Call established", BARESIP_TIMEOUT) {
        fail("call established", &pbx, &alice, &e);
    }
    let recording = alice
        .wait_recording("dec", 5.0, BARESIP_TIMEOUT)
        .unwrap_or_else(|e| fail("alice's recording", &pbx, &alice, &e));
    let _ = alice.hangup();
    if let Err(e) = alice.wait_for("CALL_CLOSED", BARESIP_TIMEOUT) {
        fail("call closed", &pbx, &alice, &e);
    }
    if let Err(e) = pbx.wait_log("dialplan ended", BARESIP_TIMEOUT) {
        fail("the echo ends with the hangup", &pbx, &alice, &e);
    }
    assert!(
        !pbx.daemon.stderr_text().contains("echo done"),
        "Echo ran until the hangup (no #)"
    );
    let got = wav::read_wav(&recording).unwrap_or_else(|e| panic!("{e}"));
    let tone = wav::tone_seconds(&got.samples, got.rate, 1000.0, 1000.0);
    let rms = wav::rms(&got.samples[..(got.rate as usize * 4).min(got.samples.len())]);
    eprintln!(
        "echo: received {:.2} s, 1 kHz for {tone:.2} s, rms of the first 4 s {rms:.0}",
        got.duration()
    );
    assert!(
        (3.5..=4.3).contains(&tone),
        "the 4 s tone came back: {tone:.2} s of 1 kHz in {:.2} s",
        got.duration()
    );
    assert!(rms > 2000.0, "loud: rms {rms:.0}");
}

#[test]
fn playback_plays_a_16k_wav_from_the_sounds_dir_to_an_alaw_phone() {
    // 2 s of 600 Hz at 16 kHz: resampled to 8 kHz and A-law encoded on the way.
    let prompt = wav::wav_bytes(16000, &wav::sine(16000, 600.0, 2.0, 8000));
    let pbx = start_pbx(&[("media-test/tone600.wav", prompt)]);
    let work = TempDir::new();
    let Some(mut alice) = alice(
        &pbx,
        &work,
        &wav::silence(RATE_8K, 60.0),
        "PCMA",
        (63250, 63299),
    ) else {
        return;
    };
    if let Err(e) = alice.dial(&alice.phone.pbx_uri("601")) {
        fail("dial", &pbx, &alice, &e);
    }
    if let Err(e) = alice.wait_for("Call established", BARESIP_TIMEOUT) {
        fail("call established", &pbx, &alice, &e);
    }
    if let Err(e) = pbx.wait_log("second status", BARESIP_TIMEOUT) {
        fail("both playbacks ran", &pbx, &alice, &e);
    }
    // Playback is over: hang up, so the recording is complete when it is read.
    let _ = alice.hangup();
    if let Err(e) = alice.wait_for("CALL_CLOSED", BARESIP_TIMEOUT) {
        fail("call closed", &pbx, &alice, &e);
    }
    let recording = alice
        .wait_recording("dec", 1.8, BARESIP_TIMEOUT)
        .unwrap_or_else(|e| fail("alice's recording", &pbx, &alice, &e));
    let log = pbx.daemon.stderr_text();
    assert!(log.contains("first status SUCCESS"), "{log}");
    assert!(log.contains("second status FAILED"), "{log}");
    assert!(log.contains("Playback failed on SIP/alice-"), "{log}");
    assert!(
        alice.output().contains("PCMA"),
        "the call is in A-law:\n{}",
        alice.output()
    );
    let got = wav::read_wav(&recording).unwrap_or_else(|e| panic!("{e}"));
    let tone = wav::tone_seconds(&got.samples, got.rate, 600.0, 1000.0);
    eprintln!(
        "playback: received {:.2} s, 600 Hz for {tone:.2} s",
        got.duration()
    );
    assert!(
        (1.8..=2.1).contains(&tone),
        "the 2 s prompt was heard: {tone:.2} s of 600 Hz in {:.2} s",
        got.duration()
    );
    assert_eq!(
        wav::dominant_frequency(&got.samples, got.rate, &[300.0, 600.0, 1000.0, 1200.0]),
        Some(600.0)
    );
}
