//! Two tandem instances on loopback linked by IAX2: B registers to A with MD5 (`register =>`
//! in B's iax.conf, a `host=dynamic` peer on A), SIP phones on A call SIP phones on B through
//! the link (audio checked at the far end), hangups clear every leg on both sides, trunk=yes
//! carries several calls at once, `Dial(SIP/a&IAX2/b)` rings both; and a NEW without a call
//! token is refused.

use std::net::UdpSocket;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use tandem_testkit::wav::{self, RATE_8K};
use tandem_testkit::{
    free_port, require_tool, run_cli, sipp, write_config, Baresip, Daemon, Phone, TempDir,
    BARESIP_TIMEOUT,
};

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

struct Pbx {
    _config: TempDir,
    data: TempDir,
    daemon: Daemon,
    sip_port: u16,
}

impl Pbx {
    fn start(files: &[(&str, &str)], sip_port: u16) -> Pbx {
        let config = TempDir::new();
        let data = TempDir::new();
        write_config(config.path(), files);
        let daemon = Daemon::start(&bin(), config.path(), data.path());
        Pbx {
            _config: config,
            data,
            daemon,
            sip_port,
        }
    }

    fn cli(&self, cmd: &str) -> String {
        run_cli(&bin(), self.data.path(), cmd)
    }

    fn wait_cli(&self, cmd: &str, parts: &[&str], timeout: Duration) -> Result<String, String> {
        self.daemon.wait_cli(cmd, parts, timeout)
    }
}

/// A and B with their IAX2 link; `trunk`: trunk=yes on both ends. SIP: A has alice, uac and
/// ringer; B has bob and uas (sipp ports given).
struct Link {
    a: Pbx,
    b: Pbx,
}

fn link(trunk: bool, uac_port: u16, ringer_port: u16, uas_port: u16) -> Link {
    let (ia, ib) = (free_port(), free_port());
    let (sa, sb) = (free_port(), free_port());
    let trunk = if trunk { "yes" } else { "no" };
    let sip = |port: u16, phone: &str, extra: &str| {
        format!(
            "[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=public\n\n\
             [{phone}]\ntype=friend\nhost=dynamic\nsecret={phone}pw\ncontext=internal\n\n{extra}"
        )
    };
    let a_sip = sip(
        sa,
        "alice",
        &format!(
            "[uac]\ntype=friend\nhost=127.0.0.1\nport={uac_port}\ninsecure=invite\ncontext=internal\n\n\
             [ringer]\ntype=peer\nhost=127.0.0.1\nport={ringer_port}\ncontext=internal\n"
        ),
    );
    let b_sip = sip(
        sb,
        "bob",
        &format!("[uas]\ntype=peer\nhost=127.0.0.1\nport={uas_port}\ncontext=internal\n"),
    );
    let a_iax = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={ia}\ndisallow=all\nallow=ulaw\n\n\
         [b]\ntype=friend\nhost=dynamic\nsecret=trunkpw\nusername=a\ncontext=from-b\nqualify=yes\ntrunk={trunk}\n"
    );
    let b_iax = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={ib}\ndisallow=all\nallow=ulaw\n\
         register => b:trunkpw@127.0.0.1:{ia}\n\n\
         [a]\ntype=friend\nhost=127.0.0.1\nport={ia}\nsecret=trunkpw\nusername=b\ncontext=from-a\ntrunk={trunk}\n"
    );
    let a_ext = "[internal]\n\
                 exten => 200,1,Dial(IAX2/b/200,30)\n same => n,Hangup()\n\
                 exten => 201,1,Dial(IAX2/b/201,30)\n same => n,Hangup()\n\
                 exten => 300,1,Dial(SIP/ringer&IAX2/b/300,30)\n same => n,Hangup()\nexten => 301,1,Dial(SIP/ringer&IAX2/b/301,30)\n same => n,Hangup()\n";
    let b_ext = "[from-a]\n\
                 exten => 200,1,Dial(SIP/bob,30)\n same => n,Hangup()\n\
                 exten => 201,1,Dial(SIP/uas,30)\n same => n,Hangup()\n\
                 exten => 300,1,Answer()\n same => n,Wait(4)\n same => n,Hangup()\nexten => 301,1,Ringing()\n same => n,Wait(25)\n same => n,Hangup()\n";
    let a = Pbx::start(
        &[
            ("sip.conf", &a_sip),
            ("iax.conf", &a_iax),
            ("extensions.conf", a_ext),
            ("rtp.conf", "[general]\nrtpstart=41000\nrtpend=41999\n"),
        ],
        sa,
    );
    let b = Pbx::start(
        &[
            ("sip.conf", &b_sip),
            ("iax.conf", &b_iax),
            ("extensions.conf", b_ext),
            ("rtp.conf", "[general]\nrtpstart=42000\nrtpend=42999\n"),
        ],
        sb,
    );
    let l = Link { a, b };
    if let Err(e) = l.b.wait_cli(
        "iax2 show registry",
        &["Registered"],
        Duration::from_secs(20),
    ) {
        l.fail("B registers to A", &[], &e);
    }
    if let Err(e) = l.a.wait_cli(
        "iax2 show peers",
        &["127.0.0.1", "(D)", "OK ("],
        Duration::from_secs(20),
    ) {
        l.fail("A sees B registered and reachable", &[], &e);
    }
    l
}

impl Drop for Link {
    fn drop(&mut self) {
        if std::env::var_os("IAX2_TEST_LOGS").is_some() {
            eprintln!(
                "--- A stderr:\n{}\n--- B stderr:\n{}",
                self.a.daemon.stderr_text(),
                self.b.daemon.stderr_text()
            );
        }
    }
}

impl Link {
    fn fail(&self, what: &str, phones: &[&Baresip], err: &str) -> ! {
        let mut text = format!(
            "{what}: {err}\n--- A stderr:\n{}\n--- B stderr:\n{}\n",
            self.a.daemon.stderr_text(),
            self.b.daemon.stderr_text()
        );
        for p in phones {
            text.push_str(&format!("--- {} output:\n{}\n", p.phone.name, p.output()));
        }
        panic!("{text}");
    }

    /// Both instances have no channel left.
    fn all_clear(&self, phones: &[&Baresip]) {
        for (name, pbx) in [("A", &self.a), ("B", &self.b)] {
            if let Err(e) = pbx.wait_cli(
                "core show channels",
                &["0 active channels"],
                Duration::from_secs(15),
            ) {
                self.fail(&format!("{name} clears every leg"), phones, &e);
            }
            if let Err(e) = pbx.wait_cli(
                "iax2 show channels",
                &["0 active IAX channels"],
                Duration::from_secs(15),
            ) {
                self.fail(&format!("{name} clears its IAX2 calls"), phones, &e);
            }
        }
    }
}

#[test]
fn a_new_without_a_calltoken_is_rejected_and_creates_no_call() {
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
            let log = pbx.daemon.stderr_text();
            if !(log.contains("IAX2: trunking voice to") && log.contains("IAX2: trunk frames from"))
            {
                l.fail(
                    "voice in trunk frames",
                    &[&alice, &bob],
                    "no trunk log lines",
                );
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

fn sipp_uac(
    sipp_bin: &std::path::Path,
    server_port: u16,
    uac_port: u16,
    exten: &str,
    calls: u32,
    hold_ms: u32,
) -> tandem_testkit::SippRun {
    let work = TempDir::new();
    let (uac_port, ms, server, m) = (
        uac_port.to_string(),
        hold_ms.to_string(),
        format!("127.0.0.1:{server_port}"),
        calls.to_string(),
    );
    sipp(
        sipp_bin,
        work.path(),
        &[
            "-sn",
            "uac",
            "-s",
            exten,
            "-d",
            &ms,
            "-m",
            &m,
            "-l",
            &m,
            "-r",
            &m,
            "-i",
            "127.0.0.1",
            "-p",
            &uac_port,
            &server,
        ],
        Duration::from_secs(120),
    )
}

fn sipp_uas(
    sipp_bin: &std::path::Path,
    port: u16,
    scenario: &str,
    calls: u32,
) -> std::thread::JoinHandle<tandem_testkit::SippRun> {
    let sipp_bin = sipp_bin.to_path_buf();
    let scenario = scenario.to_string();
    std::thread::spawn(move || {
        let work = TempDir::new();
        let (port, m) = (port.to_string(), calls.to_string());
        let mut args: Vec<&str> = if scenario.ends_with(".xml") {
            vec!["-sf", &scenario]
        } else {
            vec!["-sn", &scenario]
        };
        args.extend(["-m", &m, "-i", "127.0.0.1", "-p", &port]);
        sipp(&sipp_bin, work.path(), &args, Duration::from_secs(120))
    })
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
    if caller.code != Some(0) || callee.code != Some(0) {
        l.fail(
            "sipp",
            &[],
            &format!("caller {caller:?}\ncallee {callee:?}"),
        );
    }
    l.all_clear(&[]);
}

#[test]
fn dial_sip_and_iax2_rings_both_and_the_iax2_answer_wins() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (uac_port, ringer_port) = (free_port(), free_port());
    let l = link(false, uac_port, ringer_port, free_port());
    let ringer_scenario = format!(
        "{}/tests/sipp/uas_ring_cancel.xml",
        env!("CARGO_MANIFEST_DIR")
    );
    let ringer = sipp_uas(&sipp_bin, ringer_port, &ringer_scenario, 1);
    let sb = sipp_bin.clone();
    let a_port = l.a.sip_port;
    let caller = std::thread::spawn(move || sipp_uac(&sb, a_port, uac_port, "300", 1, 1000));
    // B answers 300 (Answer, Wait(4)): the SIP ringer is cancelled, the caller is bridged to B.
    let caller = caller.join().expect("uac thread");
    let ringer = ringer.join().expect("ringer thread");
    if caller.code != Some(0) || ringer.code != Some(0) {
        l.fail(
            "sipp",
            &[],
            &format!("caller {caller:?}\nringer (expects CANCEL) {ringer:?}"),
        );
    }
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
    if caller.code != Some(0) || ringer.code != Some(0) {
        l.fail(
            "sipp",
            &[],
            &format!("caller {caller:?}\nringer {ringer:?}"),
        );
    }
    // B's leg was hung up by A when the SIP phone answered, long before its Wait(25) ends.
    let started = Instant::now();
    l.all_clear(&[]);
    assert!(started.elapsed() < Duration::from_secs(15));
    let b_log = l.b.daemon.stderr_text();
    assert!(b_log.contains("IAX2 call"), "{b_log}");
}
