//! Voicemail end to end: a baresip caller leaves a message with VoiceMail() (a 700 Hz tone as
//! its microphone), the message is a WAV in DATA/voicemail/default/100/INBOX plus a store
//! row, and the mailbox's phone (a raw UDP socket registered as peer `bob` with
//! `mailbox=100`) gets MWI NOTIFYs; then a second baresip logs in to VoiceMailMain with its
//! password as RFC 4733 digits, presses 1 and hears the tone, 7 deletes the message, and MWI
//! follows each step. Record() is heard the same way: a silence end and a timeout, `%d`
//! numbering, RECORD_STATUS.

use std::net::{SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use tandem_store::Store;
use tandem_testkit::wav::{self, RATE_8K};
use tandem_testkit::{
    free_port, require_tool, write_config, Baresip, Daemon, Phone, TempDir, BARESIP_TIMEOUT,
};

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

const TONE: f64 = 700.0;

const EXTENSIONS: &str = "[internal]\n\
    exten => 700,1,VoiceMail(100@default,u)\n same => n,Verbose(1,vm status ${VMSTATUS})\n same => n,Hangup()\n\
    exten => 800,1,VoiceMailMain(100@default)\n same => n,Hangup()\n\
    exten => 710,1,Record(rec-%d.wav,2,20)\n same => n,Verbose(1,record one ${RECORD_STATUS} ${RECORDED_FILE})\n\
    same => n,Record(rec-%d.wav,0,1,q)\n same => n,Verbose(1,record two ${RECORD_STATUS} ${RECORDED_FILE})\n\
    same => n,Record(nothing)\n same => n,Verbose(1,not reached)\n\
    exten => 720,1,VoiceMail(999@default)\n same => n,Verbose(1,unknown box ${VMSTATUS})\n\
    same => n,VoiceMail(100@default,u)\n same => n,Verbose(1,not left)\n\
    exten => a,1,Verbose(1,star went to a with ${VMSTATUS})\n same => n,Hangup()\n";

const VOICEMAIL: &str = "[general]\nmaxsecs=60\n\n[default]\n100 => 1234,Bob,bob@example.com\n";

struct Pbx {
    _config: TempDir,
    data: TempDir,
    daemon: Daemon,
    port: u16,
}

impl Pbx {
    fn wait_log(&self, part: &str, timeout: Duration) -> Result<String, String> {
        self.wait_log_nth(part, 1, timeout)
    }

    fn wait_log_nth(&self, part: &str, n: usize, timeout: Duration) -> Result<String, String> {
        self.daemon.wait_log_nth(&[part], n, timeout)
    }
}

fn start_pbx() -> Pbx {
    let port = free_port();
    let config = TempDir::new();
    let data = TempDir::new();
    let sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=public\n\n\
         [alice]\ntype=friend\nhost=dynamic\nsecret=alicepw\ncontext=internal\n\n\
         [carol]\ntype=friend\nhost=dynamic\nsecret=carolpw\ncontext=internal\n\n\
         [bob]\ntype=friend\nhost=dynamic\ncontext=internal\nmailbox=100@default\n"
    );
    write_config(
        config.path(),
        &[
            ("sip.conf", &sip),
            ("extensions.conf", EXTENSIONS),
            ("voicemail.conf", VOICEMAIL),
            ("rtp.conf", "[general]\nrtpstart=64400\nrtpend=64499\n"),
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

fn phone(pbx: &Pbx, work: &TempDir, name: &str, mic: &[i16], rtp: (u16, u16)) -> Option<Baresip> {
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
    let b = Baresip::start(&baresip, &work.path().join(name), &p);
    if let Err(e) = b.wait_registered(BARESIP_TIMEOUT) {
        fail("registration", pbx, &b, &e);
    }
    Some(b)
}

fn fail(what: &str, pbx: &Pbx, phone: &Baresip, err: &str) -> ! {
    panic!(
        "{what}: {err}\n--- tandem stderr:\n{}\n--- {} output:\n{}\n",
        pbx.daemon.stderr_text(),
        phone.phone.name,
        phone.output()
    );
}

/// The mailbox's phone: a UDP socket registered as `bob` (no secret), answering NOTIFYs.
struct MwiPhone {
    socket: UdpSocket,
    pbx: SocketAddr,
    notifies: Vec<String>,
}

impl MwiPhone {
    fn register(pbx_port: u16) -> MwiPhone {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        socket
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap_or_else(|e| panic!("{e}"));
        let local = socket.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let pbx: SocketAddr = format!("127.0.0.1:{pbx_port}")
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        let register = format!(
            "REGISTER sip:127.0.0.1:{pbx_port} SIP/2.0\r\n\
             Via: SIP/2.0/UDP {local};branch=z9hG4bK-mwi-1;rport\r\n\
             Max-Forwards: 70\r\n\
             From: <sip:bob@127.0.0.1:{pbx_port}>;tag=mwi1\r\n\
             To: <sip:bob@127.0.0.1:{pbx_port}>\r\n\
             Call-ID: mwi-register-1@127.0.0.1\r\n\
             CSeq: 1 REGISTER\r\n\
             Contact: <sip:bob@{local}>\r\n\
             Expires: 600\r\n\
             Content-Length: 0\r\n\r\n"
        );
        socket
            .send_to(register.as_bytes(), pbx)
            .unwrap_or_else(|e| panic!("{e}"));
        MwiPhone {
            socket,
            pbx,
            notifies: Vec::new(),
        }
    }

    /// Read what arrives (answering NOTIFYs with 200) until a NOTIFY whose body contains
    /// `want`; every NOTIFY seen is kept.
    fn wait_notify(&mut self, want: &str, timeout: Duration) -> Result<String, String> {
        if let Some(n) = self.notifies.iter().find(|n| n.contains(want)) {
            return Ok(n.clone());
        }
        let deadline = Instant::now() + timeout;
        let mut buf = [0u8; 4096];
        while Instant::now() < deadline {
            let Ok((n, from)) = self.socket.recv_from(&mut buf) else {
                continue;
            };
            let text = String::from_utf8_lossy(&buf[..n]).to_string();
            if text.starts_with("NOTIFY ") {
                let _ = self.socket.send_to(ok_for(&text).as_bytes(), from);
                self.notifies.push(text.clone());
                if text.contains(want) {
                    return Ok(text);
                }
            }
        }
        Err(format!(
            "no NOTIFY with {want:?} from {} within {timeout:?}; seen: {:#?}",
            self.pbx, self.notifies
        ))
    }
}

/// A 200 OK echoing the request's Via, From, To, Call-ID and CSeq.
fn ok_for(request: &str) -> String {
    let mut out = String::from("SIP/2.0 200 OK\r\n");
    for line in request.lines() {
        let lower = line.to_ascii_lowercase();
        if ["via:", "from:", "to:", "call-id:", "cseq:"]
            .iter()
            .any(|h| lower.starts_with(h))
        {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str("Content-Length: 0\r\n\r\n");
    out
}

fn send_digit(p: &mut Baresip, pbx: &Pbx, d: char) {
    if let Err(e) = p.command("sndcode", Some(&d.to_string())) {
        fail("sndcode", pbx, p, &e);
    }
    // One key at a time, as a person presses them.
    std::thread::sleep(Duration::from_millis(400));
}

#[test]
fn a_message_is_left_heard_and_deleted_with_mwi_at_each_step() {
    let pbx = start_pbx();
    let work = TempDir::new();
    // bob's phone registers first and learns the empty mailbox.
    let mut bob = MwiPhone::register(pbx.port);
    let mut mic = wav::sine(RATE_8K, TONE, 40.0, 8000);
    mic.extend(wav::silence(RATE_8K, 20.0));
    let Some(mut alice) = phone(&pbx, &work, "alice", &mic, (63400, 63449)) else {
        return;
    };
    if let Err(e) = bob.wait_notify("Messages-Waiting: no", BARESIP_TIMEOUT) {
        fail("MWI at registration", &pbx, &alice, &e);
    }

    // 1. alice leaves a message: greeting, intro, beep, then about 3 s of tone.
    if let Err(e) = alice.dial(&alice.phone.pbx_uri("700")) {
        fail("dial 700", &pbx, &alice, &e);
    }
    for prompt in ["'vm-theperson'", "'vm-isunavail'", "'vm-intro'", "'beep'"] {
        if let Err(e) = pbx.wait_log(prompt, BARESIP_TIMEOUT) {
            fail("the unavailable greeting and the beep", &pbx, &alice, &e);
        }
    }
    std::thread::sleep(Duration::from_secs(3));
    let _ = alice.hangup();
    if let Err(e) = pbx.wait_log("VMSTATUS=SUCCESS", BARESIP_TIMEOUT) {
        fail("the message is kept", &pbx, &alice, &e);
    }
    let msg = pbx
        .data
        .path()
        .join("voicemail/default/100/INBOX/msg0000.wav");
    let got = wav::read_wav(&msg).unwrap_or_else(|e| panic!("{}: {e}", msg.display()));
    let tone = wav::tone_seconds(&got.samples, got.rate, TONE, 1000.0);
    eprintln!(
        "voicemail: message of {:.2} s, {tone:.2} s of {TONE} Hz",
        got.duration()
    );
    assert_eq!(got.rate, 8000);
    assert!(
        tone >= 1.5,
        "the caller's tone is in the message: {tone:.2} s"
    );
    assert_eq!(
        wav::dominant_frequency(&got.samples, got.rate, &[300.0, TONE, 1000.0, 1400.0]),
        Some(TONE)
    );
    let txt = std::fs::read_to_string(msg.with_extension("txt")).unwrap_or_default();
    assert!(
        txt.contains("origmailbox=100\n") && txt.contains("callerid="),
        "{txt}"
    );
    let store = tandem_store::SqliteStore::open(&pbx.data.path().join("tandem.db"))
        .unwrap_or_else(|e| panic!("{e}"));
    let rows = store.vm_list("default", "100", "INBOX").unwrap_or_default();
    assert_eq!(rows.len(), 1, "one row in the store: {rows:?}");
    assert_eq!(rows[0].msgnum, 0);
    if let Err(e) = bob.wait_notify("Voice-Message: 1/0", BARESIP_TIMEOUT) {
        fail("MWI after the new message", &pbx, &alice, &e);
    }
    assert!(bob
        .notifies
        .iter()
        .any(|n| n.contains("Messages-Waiting: yes") && n.contains("Event: message-summary")));

    // 2. carol logs in to VoiceMailMain, listens (the message becomes old), deletes it.
    let Some(mut carol) = phone(
        &pbx,
        &work,
        "carol",
        &wav::silence(RATE_8K, 90.0),
        (63450, 63499),
    ) else {
        return;
    };
    if let Err(e) = carol.dial(&carol.phone.pbx_uri("800")) {
        fail("dial 800", &pbx, &carol, &e);
    }
    if let Err(e) = pbx.wait_log("'vm-password'", BARESIP_TIMEOUT) {
        fail("the password prompt", &pbx, &carol, &e);
    }
    for d in "1234#".chars() {
        send_digit(&mut carol, &pbx, d);
    }
    if let Err(e) = pbx.wait_log("logged in", BARESIP_TIMEOUT) {
        fail("login", &pbx, &carol, &e);
    }
    if let Err(e) = pbx.wait_log("'vm-onefor'", BARESIP_TIMEOUT) {
        fail("the main menu", &pbx, &carol, &e);
    }
    send_digit(&mut carol, &pbx, '1');
    if let Err(e) = pbx.wait_log("VoiceMailMain: playing message", BARESIP_TIMEOUT) {
        fail("the message is played", &pbx, &carol, &e);
    }
    // Heard: it is old now.
    if let Err(e) = bob.wait_notify("Voice-Message: 0/1", Duration::from_secs(30)) {
        fail("MWI after listening", &pbx, &carol, &e);
    }
    send_digit(&mut carol, &pbx, '7');
    if let Err(e) = bob.wait_notify("Voice-Message: 0/0", BARESIP_TIMEOUT) {
        fail("MWI after the delete", &pbx, &carol, &e);
    }
    send_digit(&mut carol, &pbx, '#');
    if let Err(e) = pbx.wait_log("'vm-goodbye'", BARESIP_TIMEOUT) {
        fail("goodbye", &pbx, &carol, &e);
    }
    if let Err(e) = carol.wait_for("CALL_CLOSED", BARESIP_TIMEOUT) {
        fail("VoiceMailMain hangs up after goodbye", &pbx, &carol, &e);
    }
    let recording = carol
        .wait_recording("dec", 3.0, BARESIP_TIMEOUT)
        .unwrap_or_else(|e| fail("carol's recording", &pbx, &carol, &e));
    let heard = wav::read_wav(&recording).unwrap_or_else(|e| panic!("{e}"));
    let tone = wav::tone_seconds(&heard.samples, heard.rate, TONE, 1000.0);
    eprintln!(
        "voicemailmain: carol heard {:.2} s, {tone:.2} s of {TONE} Hz",
        heard.duration()
    );
    assert!(
        tone >= 1.5,
        "carol heard the message: {tone:.2} s of {TONE} Hz"
    );
    assert!(!msg.exists(), "the message file is gone from INBOX");
    assert!(!pbx
        .data
        .path()
        .join("voicemail/default/100/Old/msg0000.wav")
        .exists());
    assert_eq!(store.vm_count("default", "100", "INBOX").ok(), Some(0));
    assert_eq!(store.vm_count("default", "100", "Old").ok(), Some(0));
    let last = bob.notifies.last().cloned().unwrap_or_default();
    assert!(last.contains("Messages-Waiting: no"), "{last}");
}

#[test]
fn record_stops_on_silence_then_on_its_maximum_and_numbers_the_files() {
    let pbx = start_pbx();
    let work = TempDir::new();
    // 3 s of tone, then silence: the first Record ends 2 s into the silence.
    let mut mic = wav::sine(RATE_8K, TONE, 3.0, 8000);
    mic.extend(wav::silence(RATE_8K, 57.0));
    let Some(mut alice) = phone(&pbx, &work, "alice", &mic, (63550, 63599)) else {
        return;
    };
    if let Err(e) = alice.dial(&alice.phone.pbx_uri("710")) {
        fail("dial 710", &pbx, &alice, &e);
    }
    let one = pbx
        .wait_log("record one", BARESIP_TIMEOUT)
        .unwrap_or_else(|e| fail("the first Record", &pbx, &alice, &e));
    assert!(one.contains("record one SILENCE rec-0"), "{one}");
    let two = pbx
        .wait_log("record two", BARESIP_TIMEOUT)
        .unwrap_or_else(|e| fail("the second Record", &pbx, &alice, &e));
    assert!(two.contains("record two TIMEOUT rec-1"), "{two}");
    // No format: an error that hangs up, as app_record returns -1.
    if let Err(e) = alice.wait_for("CALL_CLOSED", BARESIP_TIMEOUT) {
        fail("Record without a format hangs up", &pbx, &alice, &e);
    }
    // The error is logged as the call ends: it may reach the stderr reader after baresip's
    // CALL_CLOSED.
    pbx.daemon.expect_log("No extension specified to filename!");
    assert!(!pbx.daemon.stderr_text().contains("not reached"));
    let first = wav::read_wav(&pbx.data.path().join("sounds/rec-0.wav"))
        .unwrap_or_else(|e| panic!("rec-0.wav: {e}"));
    let tone = wav::tone_seconds(&first.samples, first.rate, TONE, 1000.0);
    eprintln!(
        "record: rec-0 is {:.2} s with {tone:.2} s of tone",
        first.duration()
    );
    assert!(tone >= 1.5, "the tone is recorded: {tone:.2} s");
    // Tone, then the one second of silence app_record keeps.
    let tail = &first.samples[first.samples.len().saturating_sub(6000)..];
    assert!(wav::rms(tail) < 300.0, "the recording ends in silence");
    assert!(
        (first.duration() - tone - 1.0).abs() < 0.5,
        "one second of silence kept: {:.2} s in all, {tone:.2} s of tone",
        first.duration()
    );
    let second = wav::read_wav(&pbx.data.path().join("sounds/rec-1.wav"))
        .unwrap_or_else(|e| panic!("rec-1.wav: {e}"));
    assert!(
        (0.8..=1.2).contains(&second.duration()),
        "maxduration 1 s: {:.2} s",
        second.duration()
    );
}

#[test]
fn an_unknown_mailbox_fails_and_star_in_the_greeting_goes_to_a() {
    let pbx = start_pbx();
    let work = TempDir::new();
    let Some(mut alice) = phone(
        &pbx,
        &work,
        "alice",
        &wav::silence(RATE_8K, 60.0),
        (63600, 63649),
    ) else {
        return;
    };
    if let Err(e) = alice.dial(&alice.phone.pbx_uri("720")) {
        fail("dial 720", &pbx, &alice, &e);
    }
    let line = pbx
        .wait_log("unknown box", BARESIP_TIMEOUT)
        .unwrap_or_else(|e| fail("VoiceMail(999)", &pbx, &alice, &e));
    assert!(line.contains("unknown box FAILED"), "{line}");
    let log = pbx.daemon.stderr_text();
    assert!(
        log.contains("No entry in voicemail config file for '999@default'"),
        "{log}"
    );
    if let Err(e) = pbx.wait_log("'vm-theperson'", BARESIP_TIMEOUT) {
        fail("the greeting", &pbx, &alice, &e);
    }
    send_digit(&mut alice, &pbx, '*');
    let line = pbx
        .wait_log("star went to a", BARESIP_TIMEOUT)
        .unwrap_or_else(|e| fail("* to a", &pbx, &alice, &e));
    assert!(line.contains("with USEREXIT"), "{line}");
    assert!(!pbx.daemon.stderr_text().contains("not left"));
    assert!(!pbx
        .data
        .path()
        .join("voicemail/default/100/INBOX/msg0000.wav")
        .exists());
}
