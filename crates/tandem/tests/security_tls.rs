//! SIP over TLS and SRTP (SDES) end to end: two baresip phones register to tandem over TLS
//! (certificates made here with `openssl`, signed by a test CA; tlsverifyclient=yes) and call
//! each other with `mediaenc=srtp-mand` (RTP/SAVP, nothing in the clear). The call connects, a
//! tone crosses (recorded at the far end: tandem decrypted alice's SRTP and encrypted it again
//! for bob, who refuses anything else), both legs report SRTP in tandem's log and baresip
//! reports SRTP enabled. A phone that offers clear RTP to a peer with `encryption=yes` gets
//! 488. A phone whose certificate is self-signed is refused at the handshake.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tandem_testkit::wav::{self, RATE_8K};
use tandem_testkit::{
    fail_with_output, free_port, make_certs, require_tool, run_cli, write_config, Baresip, Daemon,
    Phone, PhoneTls, TempDir, BARESIP_TIMEOUT,
};

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

struct Pbx {
    _config: TempDir,
    data: TempDir,
    daemon: Daemon,
    port: u16,
    tls_port: u16,
}

fn start_pbx(certs: &Path) -> Pbx {
    let (port, tls_port) = (free_port(), free_port());
    let config = TempDir::new();
    let data = TempDir::new();
    let c = |f: &str| certs.join(f).display().to_string();
    let sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=public\n\
         tlsenable=yes\ntlsbindaddr=127.0.0.1:{tls_port}\ntlscertfile={}\ntlsprivatekey={}\n\
         tlscafile={}\ntlsverifyclient=yes\n\n\
         [phone](!)\ntype=friend\nhost=dynamic\ncontext=internal\ntransport=tls\nencryption=yes\n\
         [alice](phone)\nsecret=alicepw\n\
         [bob](phone)\nsecret=bobpw\n\
         [carol](phone)\nsecret=carolpw\n\
         [mallory](phone)\nsecret=mallorypw\n",
        c("pbx.crt"),
        c("pbx.key"),
        c("ca.pem")
    );
    let extensions = "[internal]\n\
        exten => 6002,1,Dial(SIP/bob,20)\n same => n,Hangup()\n";
    write_config(
        config.path(),
        &[
            ("sip.conf", &sip),
            ("extensions.conf", extensions),
            ("rtp.conf", "[general]\nrtpstart=64600\nrtpend=64699\n"),
        ],
    );
    let daemon = Daemon::start(&bin(), config.path(), data.path());
    Pbx {
        _config: config,
        data,
        daemon,
        port,
        tls_port,
    }
}

impl Pbx {
    fn wait_log(&self, parts: &[&str], count: usize, timeout: Duration) -> Result<(), String> {
        self.daemon.wait_log_nth(parts, count, timeout).map(|_| ())
    }
}

fn fail(what: &str, pbx: &Pbx, phones: &[&Baresip], err: &str) -> ! {
    fail_with_output(what, &pbx.daemon, phones, err)
}

#[test]
fn two_phones_call_over_tls_with_srtp_and_a_stranger_certificate_is_refused() {
    let Some(baresip) = require_tool("baresip") else {
        return;
    };
    let Some(openssl_bin) = require_tool("openssl") else {
        return;
    };
    let work = TempDir::new();
    let certs = work.path().join("certs");
    make_certs(&openssl_bin, &certs, &["pbx", "alice", "bob", "carol"]);
    let pbx = start_pbx(&certs);
    if let Err(e) = pbx.wait_log(&["SIP listening on tls 127.0.0.1:"], 1, BARESIP_TIMEOUT) {
        fail("tls listener", &pbx, &[], &e);
    }

    let alice_wav = work.path().join("alice.wav");
    let mut mic = wav::sine(RATE_8K, 1000.0, 4.0, 8000);
    mic.extend(wav::silence(RATE_8K, 56.0));
    wav::write_wav(&alice_wav, RATE_8K, &mic);
    let bob_wav = work.path().join("bob.wav");
    wav::write_wav(&bob_wav, RATE_8K, &wav::sine(RATE_8K, 400.0, 60.0, 8000));
    let phone = |name: &str, mic: &Path, rtp: (u16, u16)| {
        let mut p = Phone::new(
            name,
            &format!("{name}pw"),
            pbx.port,
            mic,
            &work.path().join(format!("{name}-rec")),
        )
        .with_tls(PhoneTls {
            pbx_port: pbx.tls_port,
            cafile: certs.join("ca.pem"),
            certificate: Some(certs.join(format!("{name}.pem"))),
        })
        .with_mediaenc("srtp-mand");
        p.rtp_ports = rtp;
        p
    };
    let alice_phone = phone("alice", &alice_wav, (63600, 63649));
    let bob_phone = phone("bob", &bob_wav, (63650, 63699));
    let mut alice = Baresip::start(&baresip, &work.path().join("alice"), &alice_phone);
    let bob = Baresip::start(&baresip, &work.path().join("bob"), &bob_phone);
    for p in [&alice, &bob] {
        if let Err(e) = p.wait_registered(BARESIP_TIMEOUT) {
            fail("registration over TLS", &pbx, &[&alice, &bob], &e);
        }
    }
    let peers = run_cli(&bin(), pbx.data.path(), "sip show peers");
    assert!(
        peers.contains("2 online"),
        "alice and bob registered:\n{peers}"
    );

    if let Err(e) = alice.dial(&alice_phone.pbx_uri("6002")) {
        fail("dial", &pbx, &[&alice, &bob], &e);
    }
    for p in [&alice, &bob] {
        if let Err(e) = p.wait_for("Call established", BARESIP_TIMEOUT) {
            fail("call established", &pbx, &[&alice, &bob], &e);
        }
        if let Err(e) = p.wait_for("SRTP is Enabled", BARESIP_TIMEOUT) {
            fail("baresip reports SRTP", &pbx, &[&alice, &bob], &e);
        }
        // baresip's media-encryption event names the suite tandem agreed with it.
        if let Err(e) = p.wait_for("CALL_MENC", BARESIP_TIMEOUT) {
            fail("baresip reports the SRTP suite", &pbx, &[&alice, &bob], &e);
        }
        let menc = p.output();
        assert!(
            menc.lines().any(|l| l.contains("CALL_MENC")
                && (l.contains("AES_CM_128_HMAC_SHA1_80")
                    || l.contains("AES_CM_128_HMAC_SHA1_32"))),
            "{}: {menc}",
            p.phone.name
        );
    }
    // Both of tandem's legs are SRTP (alice's answered, bob's offered RTP/SAVP).
    if let Err(e) = pbx.wait_log(&["SRTP 127.0.0.1:", "negotiated"], 2, BARESIP_TIMEOUT) {
        fail("tandem's legs are SRTP", &pbx, &[&alice, &bob], &e);
    }
    // Audio crossed: bob (who accepts only SRTP from tandem) recorded alice's tone.
    let recording = match bob.wait_recording("dec", 5.0, BARESIP_TIMEOUT) {
        Ok(p) => p,
        Err(e) => fail("bob's recording", &pbx, &[&alice, &bob], &e),
    };
    let got = wav::read_wav(&recording).unwrap_or_else(|e| panic!("{e}"));
    let tone = wav::tone_seconds(&got.samples, RATE_8K, 1000.0, 1000.0);
    assert!(
        tone >= 3.0,
        "bob heard {tone} s of alice's 1 kHz tone (4 s played) through SRTP both ways"
    );
    let dominant = wav::dominant_frequency(&got.samples, RATE_8K, &[400.0, 1000.0, 2000.0]);
    assert_eq!(dominant, Some(1000.0), "bob hears alice's tone");
    for p in [&alice, &bob] {
        let out = p.output();
        assert!(
            !out.contains("failed to decrypt") && !out.contains("no valid a=crypto"),
            "{}: every packet from tandem authenticated:\n{out}",
            p.phone.name
        );
    }
    let _ = alice.hangup();

    // carol (TLS, a good certificate) offers clear RTP: bob requires encryption, and so
    // does carol's own peer: 488, nothing connected in the clear.
    let mut carol_phone = phone("carol", &bob_wav, (63750, 63799));
    carol_phone.mediaenc = None;
    let mut carol = Baresip::start(&baresip, &work.path().join("carol"), &carol_phone);
    if let Err(e) = carol.wait_registered(BARESIP_TIMEOUT) {
        fail("carol registers over TLS", &pbx, &[&carol], &e);
    }
    if let Err(e) = carol.dial(&carol_phone.pbx_uri("6002")) {
        fail("carol dials", &pbx, &[&carol], &e);
    }
    if let Err(e) = carol.wait_for("488 Not Acceptable Here", BARESIP_TIMEOUT) {
        fail("a clear offer gets 488", &pbx, &[&carol], &e);
    }
    if let Err(e) = pbx.wait_log(&["encryption required"], 1, BARESIP_TIMEOUT) {
        fail("tandem says why", &pbx, &[&carol], &e);
    }
    assert_eq!(
        bob.count("answering call"),
        1,
        "bob was called once only (by alice):\n{}",
        bob.output()
    );

    // A phone whose certificate tandem's CA did not sign: the handshake fails, no binding.
    let mallory_phone = {
        let mut p = phone("mallory", &bob_wav, (63700, 63749));
        if let Some(t) = p.tls.as_mut() {
            t.certificate = Some(certs.join("mallory.pem"));
        }
        p
    };
    let mallory = Baresip::start(&baresip, &work.path().join("mallory"), &mallory_phone);
    if let Err(e) = pbx.wait_log(
        &["SIP tls: handshake with 127.0.0.1:", "failed"],
        1,
        BARESIP_TIMEOUT,
    ) {
        fail("mallory refused", &pbx, &[&mallory], &e);
    }
    let peers = run_cli(&bin(), pbx.data.path(), "sip show peers");
    let row = peers.lines().find(|l| l.starts_with("mallory"));
    assert!(
        row.is_some_and(|r| r.contains("(Unspecified)") && !r.contains("127.0.0.1")),
        "mallory is not registered:\n{peers}"
    );
}
