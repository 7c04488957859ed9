//! In-call features from features.conf with three real softphones (baresip): A calls B with
//! `Dial(SIP/b,30,tT)`; B transfers A to C's extension, attended (`*2`, C answers, B hangs
//! up) or blind (`#`); A's 1 kHz tone must then be heard by C. Digits are RFC 4733 events
//! sent by baresip (`sndcode`).

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
    exten => 200,1,Dial(SIP/b,30,tTH)\n same => n,Hangup()\n\
    exten => 300,1,Dial(SIP/c,30)\n same => n,Hangup()\n\
    exten => h,1,Verbose(1,h ran on ${CHANNEL})\n";

const FEATURES: &str = "[general]\ntransferdigittimeout => 3\natxfernoanswertimeout => 15\n\
    [featuremap]\nblindxfer => #\natxfer => *2\ndisconnect => *0\n";

const DIGIT_GAP: Duration = Duration::from_millis(400);

struct Pbx {
    _config: TempDir,
    _data: TempDir,
    daemon: Daemon,
    port: u16,
}

fn start_pbx() -> Pbx {
    start_pbx_with(FEATURES)
}

fn start_pbx_with(features: &str) -> Pbx {
    let port = free_port();
    let config = TempDir::new();
    let data = TempDir::new();
    let mut sip = format!("[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=public\n\n");
    for p in ["a", "b", "c"] {
        sip.push_str(&format!(
            "[{p}]\ntype=friend\nhost=dynamic\nsecret={p}pw\ncontext=internal\n\n"
        ));
    }
    write_config(
        config.path(),
        &[
            ("sip.conf", &sip),
            ("extensions.conf", EXTENSIONS),
            ("features.conf", features),
            ("rtp.conf", "[general]\nrtpstart=64300\nrtpend=64399\n"),
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

/// A registered phone `name` whose microphone plays `mic`.
fn phone(pbx: &Pbx, work: &TempDir, name: &str, mic: &[i16], rtp: (u16, u16)) -> Option<Baresip> {
    phone_answering(pbx, work, name, mic, rtp, true)
}

/// [`phone`], answering by itself only when `auto`.
fn phone_answering(
    pbx: &Pbx,
    work: &TempDir,
    name: &str,
    mic: &[i16],
    rtp: (u16, u16),
    auto: bool,
) -> Option<Baresip> {
    let baresip = require_tool("baresip")?;
    let mic_path = work.path().join(format!("{name}-mic.wav"));
    wav::write_wav(&mic_path, RATE_8K, mic);
    let mut p = Phone::new(
        name,
        &format!("{name}pw"),
        pbx.port,
        &mic_path,
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

/// The three phones: A plays a 1 kHz tone all along, B a 1.4 kHz tone when `b_tone`, C is
/// silent; all auto-answer.
fn three_phones(pbx: &Pbx, work: &TempDir, b_tone: bool) -> Option<(Baresip, Baresip, Baresip)> {
    let tone = wav::sine(RATE_8K, 1000.0, 90.0, 8000);
    let quiet = wav::silence(RATE_8K, 90.0);
    let b_mic = if b_tone {
        wav::sine(RATE_8K, 1400.0, 90.0, 8000)
    } else {
        quiet.clone()
    };
    let a = phone(pbx, work, "a", &tone, (63400, 63449))?;
    let b = phone(pbx, work, "b", &b_mic, (63450, 63499))?;
    let c = phone(pbx, work, "c", &quiet, (63500, 63549))?;
    Some((a, b, c))
}

/// A calls 200 and B answers.
fn a_calls_b(pbx: &Pbx, a: &mut Baresip, b: &Baresip) {
    if let Err(e) = a.dial(&a.phone.pbx_uri("200")) {
        fail("A dials", pbx, &[a, b], &e);
    }
    for p in [&*a, b] {
        if let Err(e) = p.wait_for("Call established", BARESIP_TIMEOUT) {
            fail("A and B talk", pbx, &[a, b], &e);
        }
    }
}

/// C's received audio holds A's 1 kHz tone for at least `secs`.
fn c_hears_a(pbx: &Pbx, a: &Baresip, c: &mut Baresip, secs: f64) {
    c_hears(pbx, a, c, secs, 1000.0);
}

/// C's received audio holds a `freq` tone for at least `secs` (`other` is the far party).
fn c_hears(pbx: &Pbx, other: &Baresip, c: &mut Baresip, secs: f64, freq: f64) {
    let a = other;
    let recording = c
        .wait_recording("dec", secs + 1.0, BARESIP_TIMEOUT)
        .unwrap_or_else(|e| fail("C's recording", pbx, &[a, c], &e));
    // Enough of A's tone has reached C: hang up so the file is complete, then read it.
    let _ = c.hangup();
    if let Err(e) = c.wait_for("CALL_CLOSED", BARESIP_TIMEOUT) {
        fail("C hangs up", pbx, &[a, c], &e);
    }
    let got = wav::read_wav(&recording).unwrap_or_else(|e| panic!("{e}"));
    let tone = wav::tone_seconds(&got.samples, got.rate, freq, 1000.0);
    eprintln!(
        "C received {:.2} s, {freq} Hz for {tone:.2} s",
        got.duration()
    );
    assert!(
        tone >= secs * 0.8,
        "C hears the tone: {tone:.2} s of {freq} Hz in {:.2} s",
        got.duration()
    );
    assert_eq!(
        wav::dominant_frequency(&got.samples, got.rate, &[400.0, 1000.0, 1400.0]),
        Some(freq)
    );
}

#[test]
fn attended_transfer_with_star2_joins_the_caller_and_the_target() {
    let pbx = start_pbx();
    let work = TempDir::new();
    let Some((mut a, mut b, mut c)) = three_phones(&pbx, &work, false) else {
        return;
    };
    a_calls_b(&pbx, &mut a, &b);
    if let Err(e) = b.send_digits("*2", DIGIT_GAP) {
        fail("B dials *2", &pbx, &[&a, &b], &e);
    }
    if let Err(e) = pbx.wait_log(
        "feature AttendedTransfer dialled by the Callee",
        BARESIP_TIMEOUT,
    ) {
        fail("*2 starts an attended transfer", &pbx, &[&a, &b], &e);
    }
    if let Err(e) = b.send_digits("300", DIGIT_GAP) {
        fail("B dials 300", &pbx, &[&a, &b], &e);
    }
    if let Err(e) = c.wait_for("Call established", BARESIP_TIMEOUT) {
        fail("C answers the transfer call", &pbx, &[&a, &b, &c], &e);
    }
    // The target is called through a Local channel; A waits with music.
    pbx.daemon
        .expect_log("attended transfer calls Local/300@internal-");
    pbx.daemon
        .expect_log("started music on hold, class 'default'");
    // B has talked to C; B hangs up and completes the transfer.
    let _ = b.hangup();
    if let Err(e) = pbx.wait_log("transferer_gone: true", BARESIP_TIMEOUT) {
        fail("B's hangup completes the transfer", &pbx, &[&a, &b, &c], &e);
    }
    c_hears_a(&pbx, &a, &mut c, 3.0);
    // C's hangup ends A's call too, and A's h extension runs.
    if let Err(e) = a.wait_for("CALL_CLOSED", BARESIP_TIMEOUT) {
        fail("A's call ends with C's hangup", &pbx, &[&a, &c], &e);
    }
    if let Err(e) = pbx.wait_log("h ran on SIP/a-", BARESIP_TIMEOUT) {
        fail("A's h extension runs", &pbx, &[&a, &c], &e);
    }
}

#[test]
fn blind_transfer_with_pound_sends_the_caller_to_the_target() {
    let pbx = start_pbx();
    let work = TempDir::new();
    let Some((mut a, mut b, mut c)) = three_phones(&pbx, &work, false) else {
        return;
    };
    a_calls_b(&pbx, &mut a, &b);
    if let Err(e) = b.send_digits("#", DIGIT_GAP) {
        fail("B dials #", &pbx, &[&a, &b], &e);
    }
    if let Err(e) = pbx.wait_log(
        "feature BlindTransfer dialled by the Callee",
        BARESIP_TIMEOUT,
    ) {
        fail("# starts a blind transfer", &pbx, &[&a, &b], &e);
    }
    if let Err(e) = b.send_digits("300", DIGIT_GAP) {
        fail("B dials 300", &pbx, &[&a, &b], &e);
    }
    // The transferer is hung up; A goes on at 300@internal and reaches C.
    if let Err(e) = b.wait_for("CALL_CLOSED", BARESIP_TIMEOUT) {
        fail("B is hung up", &pbx, &[&a, &b], &e);
    }
    if let Err(e) = c.wait_for("Call established", BARESIP_TIMEOUT) {
        fail("C answers", &pbx, &[&a, &b, &c], &e);
    }
    if let Err(e) = pbx.wait_log("transferred to 300@internal", BARESIP_TIMEOUT) {
        fail("A is transferred", &pbx, &[&a, &c], &e);
    }
    c_hears_a(&pbx, &a, &mut c, 3.0);
    if let Err(e) = pbx.wait_log("h ran on SIP/a-", BARESIP_TIMEOUT) {
        fail("A's h extension runs", &pbx, &[&a, &c], &e);
    }
}

#[test]
fn blind_transfer_by_the_caller_sends_the_callee_to_the_target_and_hangs_up_the_caller() {
    let pbx = start_pbx();
    let work = TempDir::new();
    let Some((mut a, b, mut c)) = three_phones(&pbx, &work, true) else {
        return;
    };
    a_calls_b(&pbx, &mut a, &b);
    if let Err(e) = a.send_digits("#", DIGIT_GAP) {
        fail("A dials #", &pbx, &[&a, &b], &e);
    }
    if let Err(e) = pbx.wait_log(
        "feature BlindTransfer dialled by the Caller",
        BARESIP_TIMEOUT,
    ) {
        fail("# starts a blind transfer (T)", &pbx, &[&a, &b], &e);
    }
    if let Err(e) = a.send_digits("300", DIGIT_GAP) {
        fail("A dials 300", &pbx, &[&a, &b], &e);
    }
    if let Err(e) = a.wait_for("CALL_CLOSED", BARESIP_TIMEOUT) {
        fail("A is hung up", &pbx, &[&a, &b], &e);
    }
    if let Err(e) = c.wait_for("Call established", BARESIP_TIMEOUT) {
        fail("C answers B", &pbx, &[&a, &b, &c], &e);
    }
    let line = pbx
        .wait_log(": transferred to 300@internal", BARESIP_TIMEOUT)
        .unwrap_or_else(|e| fail("B's leg runs 300", &pbx, &[&b, &c], &e));
    assert!(line.contains("SIP/b-"), "{line}");
    c_hears(&pbx, &b, &mut c, 3.0, 1400.0);
    // C's hangup ends B's own dialplan, whose h extension runs; A's ran when it was hung up.
    if let Err(e) = b.wait_for("CALL_CLOSED", BARESIP_TIMEOUT) {
        fail("B's call ends with C's hangup", &pbx, &[&b, &c], &e);
    }
    for who in ["h ran on SIP/a-", "h ran on SIP/b-"] {
        if let Err(e) = pbx.wait_log(who, BARESIP_TIMEOUT) {
            fail("h extensions", &pbx, &[&a, &b], &e);
        }
    }
}

#[test]
fn disconnect_star0_by_the_caller_ends_the_call() {
    let pbx = start_pbx();
    let work = TempDir::new();
    let Some((mut a, b, _c)) = three_phones(&pbx, &work, false) else {
        return;
    };
    a_calls_b(&pbx, &mut a, &b);
    if let Err(e) = a.send_digits("*0", DIGIT_GAP) {
        fail("A dials *0", &pbx, &[&a, &b], &e);
    }
    if let Err(e) = pbx.wait_log("feature Disconnect dialled by the Caller", BARESIP_TIMEOUT) {
        fail("*0 disconnects (H)", &pbx, &[&a, &b], &e);
    }
    for p in [&a, &b] {
        if let Err(e) = p.wait_for("CALL_CLOSED", BARESIP_TIMEOUT) {
            fail("both are hung up", &pbx, &[&a, &b], &e);
        }
    }
    if let Err(e) = pbx.wait_log("h ran on SIP/a-", BARESIP_TIMEOUT) {
        fail("A's h extension runs", &pbx, &[&a, &b], &e);
    }
}

#[test]
fn attended_transfer_by_the_caller_leaves_callee_and_target_talking() {
    let pbx = start_pbx();
    let work = TempDir::new();
    let Some((mut a, b, mut c)) = three_phones(&pbx, &work, true) else {
        return;
    };
    a_calls_b(&pbx, &mut a, &b);
    if let Err(e) = a.send_digits("*2", DIGIT_GAP) {
        fail("A dials *2", &pbx, &[&a, &b], &e);
    }
    if let Err(e) = pbx.wait_log(
        "feature AttendedTransfer dialled by the Caller",
        BARESIP_TIMEOUT,
    ) {
        fail("*2 starts an attended transfer (T)", &pbx, &[&a, &b], &e);
    }
    if let Err(e) = a.send_digits("300", DIGIT_GAP) {
        fail("A dials 300", &pbx, &[&a, &b], &e);
    }
    if let Err(e) = c.wait_for("Call established", BARESIP_TIMEOUT) {
        fail("C answers the transfer call", &pbx, &[&a, &b, &c], &e);
    }
    let _ = a.hangup();
    if let Err(e) = pbx.wait_log("transferer_gone: true", BARESIP_TIMEOUT) {
        fail("A's hangup completes the transfer", &pbx, &[&a, &b, &c], &e);
    }
    c_hears(&pbx, &b, &mut c, 3.0, 1400.0);
    if let Err(e) = b.wait_for("CALL_CLOSED", BARESIP_TIMEOUT) {
        fail("C's hangup ends B's call", &pbx, &[&b, &c], &e);
    }
    if let Err(e) = pbx.wait_log("h ran on SIP/a-", BARESIP_TIMEOUT) {
        fail("A's h extension runs", &pbx, &[&a, &b], &e);
    }
}

#[test]
fn an_unanswered_attended_transfer_returns_the_transferer_to_the_transferee() {
    let pbx = start_pbx_with("[general]\natxfernoanswertimeout => 3\n[featuremap]\natxfer => *2\n");
    let work = TempDir::new();
    let tone = wav::sine(RATE_8K, 1000.0, 90.0, 8000);
    let quiet = wav::silence(RATE_8K, 90.0);
    let Some(mut a) = phone(&pbx, &work, "a", &tone, (63400, 63449)) else {
        return;
    };
    let Some(mut b) = phone(&pbx, &work, "b", &quiet, (63450, 63499)) else {
        return;
    };
    let Some(c) = phone_answering(&pbx, &work, "c", &quiet, (63500, 63549), false) else {
        return;
    };
    a_calls_b(&pbx, &mut a, &b);
    if let Err(e) = b.send_digits("*2", DIGIT_GAP) {
        fail("B dials *2", &pbx, &[&a, &b], &e);
    }
    if let Err(e) = pbx.wait_log(
        "feature AttendedTransfer dialled by the Callee",
        BARESIP_TIMEOUT,
    ) {
        fail("*2 starts an attended transfer", &pbx, &[&a, &b], &e);
    }
    if let Err(e) = b.send_digits("300", DIGIT_GAP) {
        fail("B dials 300", &pbx, &[&a, &b], &e);
    }
    if let Err(e) = c.wait_for("Incoming call", BARESIP_TIMEOUT) {
        fail("C rings", &pbx, &[&a, &b, &c], &e);
    }
    // Nobody answers C: after atxfernoanswertimeout C stops ringing and B is back with A.
    if let Err(e) = pbx.wait_log("attended transfer: Back", BARESIP_TIMEOUT) {
        fail("the transfer gives up", &pbx, &[&a, &b, &c], &e);
    }
    if let Err(e) = c.wait_for("CALL_CLOSED", BARESIP_TIMEOUT) {
        fail("C's ringing call is cancelled", &pbx, &[&b, &c], &e);
    }
    if let Err(e) = pbx.wait_log("transfer target did not answer", BARESIP_TIMEOUT) {
        fail("the transfer gives up", &pbx, &[&b, &c], &e);
    }
    let path = b
        .recordings("dec")
        .pop()
        .unwrap_or_else(|| fail("B's recording", &pbx, &[&b], "none"));
    let back_at = wav::read_wav(&path).map(|w| w.samples.len()).unwrap_or(0);
    let secs = back_at as f64 / 8000.0;
    let recording = b
        .wait_recording("dec", secs + 3.0, BARESIP_TIMEOUT)
        .unwrap_or_else(|e| fail("B hears A again", &pbx, &[&a, &b], &e));
    let _ = b.hangup();
    if let Err(e) = a.wait_for("CALL_CLOSED", BARESIP_TIMEOUT) {
        fail("B's hangup ends the call", &pbx, &[&a, &b], &e);
    }
    let got = wav::read_wav(&recording).unwrap_or_else(|e| panic!("{e}"));
    let after = got.samples.get(back_at..).unwrap_or_default();
    let tone = wav::tone_seconds(after, got.rate, 1000.0, 1000.0);
    eprintln!("B heard A's tone for {tone:.2} s after the transfer gave up");
    assert!(tone >= 2.4, "B hears A again: {tone:.2} s of 1 kHz");
}
