//! Tones heard by a real softphone (baresip): Milliwatt() is a 1004 Hz tone, PlayTones(busy)
//! in the default `us` zone (no indications.conf: the built-in sample zones) is 480+620 Hz
//! with a 500 ms on / 500 ms off cadence while the dialplan goes on (Wait).

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
    exten => 700,1,Answer()\n same => n,Milliwatt()\n same => n,Verbose(1,not reached)\n\
    exten => 701,1,Answer()\n same => n,PlayTones(busy)\n same => n,Verbose(1,tones go on)\n\
    same => n,Wait(30)\n same => n,Hangup()\n";

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
         [alice]\ntype=friend\nhost=dynamic\nsecret=alicepw\ncontext=internal\n"
    );
    let rtp = "[general]\nrtpstart=64300\nrtpend=64399\n";
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

/// Alice (silent microphone) calls `exten` and records `secs` of what she hears.
fn call_and_record(
    pbx: &Pbx,
    work: &TempDir,
    exten: &str,
    secs: f64,
    rtp: (u16, u16),
) -> Option<wav::Wav> {
    let baresip = require_tool("baresip")?;
    let mic = work.path().join("mic.wav");
    wav::write_wav(&mic, RATE_8K, &wav::silence(RATE_8K, 60.0));
    let mut phone = Phone::new("alice", "alicepw", pbx.port, &mic, &work.path().join("rec"));
    phone.rtp_ports = rtp;
    let mut alice = Baresip::start(&baresip, &work.path().join("alice"), &phone);
    if let Err(e) = alice.wait_registered(BARESIP_TIMEOUT) {
        fail("registration", pbx, &alice, &e);
    }
    if let Err(e) = alice.dial(&alice.phone.pbx_uri(exten)) {
        fail("dial", pbx, &alice, &e);
    }
    if let Err(e) = alice.wait_for("Call established", BARESIP_TIMEOUT) {
        fail("call established", pbx, &alice, &e);
    }
    let recording = alice
        .wait_recording("dec", secs, BARESIP_TIMEOUT)
        .unwrap_or_else(|e| fail("alice's recording", pbx, &alice, &e));
    let _ = alice.hangup();
    if let Err(e) = alice.wait_for("CALL_CLOSED", BARESIP_TIMEOUT) {
        fail("call closed", pbx, &alice, &e);
    }
    if let Err(e) = pbx.wait_log("dialplan ended", BARESIP_TIMEOUT) {
        fail("the dialplan ends with the hangup", pbx, &alice, &e);
    }
    Some(wav::read_wav(&recording).unwrap_or_else(|e| panic!("{e}")))
}

#[test]
fn milliwatt_is_a_1004_hz_tone_until_the_caller_hangs_up() {
    let pbx = start_pbx();
    let work = TempDir::new();
    let Some(got) = call_and_record(&pbx, &work, "700", 3.0, (63400, 63449)) else {
        return;
    };
    let log = pbx.daemon.stderr_text();
    assert!(
        !log.contains("not reached"),
        "Milliwatt ends only with the hangup:\n{log}"
    );
    let secs = wav::tone_seconds(&got.samples, got.rate, 1004.0, 3000.0);
    // The middle two seconds: 1004 Hz, not 1000 Hz (a 2 s Goertzel tells 4 Hz apart).
    let start = (got.rate as usize / 2).min(got.samples.len());
    let end = (start + 2 * got.rate as usize).min(got.samples.len());
    let block = &got.samples[start..end];
    let (p1004, p1000) = (
        wav::goertzel(block, got.rate, 1004.0),
        wav::goertzel(block, got.rate, 1000.0),
    );
    let rms = wav::rms(block);
    eprintln!(
        "milliwatt: {:.2} s received, tone for {secs:.2} s, rms {rms:.0}, P(1004)/P(1000) {:.1}",
        got.duration(),
        p1004 / p1000.max(1e-9)
    );
    assert!(secs >= 2.5, "{secs:.2} s of the tone");
    assert!(
        p1004 > 5.0 * p1000,
        "1004 Hz, not 1000 Hz: {p1004} vs {p1000}"
    );
    // 0 dBm0: a sine of peak about 23255 (rms about 16400), mu-law coded.
    assert!((14000.0..=18500.0).contains(&rms), "level: rms {rms:.0}");
}

#[test]
fn playtones_busy_is_480_and_620_hz_500_ms_on_500_ms_off_in_the_background() {
    let pbx = start_pbx();
    let work = TempDir::new();
    let Some(got) = call_and_record(&pbx, &work, "701", 4.5, (63450, 63499)) else {
        return;
    };
    if let Err(e) = pbx.wait_log("tones go on", Duration::from_secs(30)) {
        panic!("PlayTones returns at once: {e}");
    }
    let block = (got.rate / 50) as usize;
    let on: Vec<bool> = got
        .samples
        .chunks_exact(block)
        .map(|b| wav::rms(b) > 1000.0)
        .collect();
    // Runs of equal blocks; the inner ones (not the first and last) are whole cadence parts.
    let mut runs: Vec<(bool, usize)> = Vec::new();
    for b in &on {
        match runs.last_mut() {
            Some((v, n)) if v == b => *n += 1,
            _ => runs.push((*b, 1)),
        }
    }
    eprintln!("busy: {:.2} s, runs {runs:?}", got.duration());
    let inner = runs
        .get(1..runs.len().saturating_sub(1))
        .unwrap_or_default();
    assert!(inner.len() >= 4, "at least two on/off cycles: {runs:?}");
    for (v, n) in inner {
        assert!(
            (22..=28).contains(n),
            "a {} part of {n} blocks of 20 ms: {runs:?}",
            if *v { "tone" } else { "silent" }
        );
    }
    let tone: Vec<i16> = got
        .samples
        .chunks_exact(block)
        .zip(&on)
        .filter(|(_, o)| **o)
        .flat_map(|(b, _)| b.iter().copied())
        .collect();
    let p = |f: f64| wav::goertzel(&tone, got.rate, f);
    let (p480, p620, p550, p1000, p440) = (p(480.0), p(620.0), p(550.0), p(1000.0), p(440.0));
    eprintln!("busy: P480 {p480:.0} P620 {p620:.0} P550 {p550:.0} P1000 {p1000:.0} P440 {p440:.0}");
    assert!(
        p480 > 20.0 * p550 && p620 > 20.0 * p550,
        "both tones present"
    );
    assert!(
        p480 > 20.0 * p1000 && p620 > 20.0 * p440,
        "and nothing else"
    );
    assert!((0.3..3.0).contains(&(p480 / p620)), "at the same level");
}
