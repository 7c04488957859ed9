//! tandem as a TLS client, end to end: a phone on UDP dials an extension that does
//! `Dial(SIP/bob)`, and `bob` is a static peer (`host=127.0.0.1`, `port=`, `transport=tls`,
//! `encryption=yes`) that never registers: a baresip listening for TLS with a certificate of
//! the test CA. tandem opens the TLS connection itself, verifies bob's certificate against
//! `tlscafile` (chan_sip's default: `tlsdontverifyserver=no`), and the call connects with
//! SRTP on bob's side; alice's tone reaches bob.
//!
//! `mallory` is the same kind of peer with a self-signed certificate: tandem refuses the
//! connection at the handshake, sends her nothing, and the Dial fails at once with
//! CHANUNAVAIL (chan_sip: the INVITE cannot be transmitted, so the call fails; no 32 s wait
//! for Timer B). With `tlsdontverifyserver=yes` the same call to mallory connects. With
//! `tlscapath` (a directory holding the CA) instead of `tlscafile`, bob verifies again.
//! `dave`'s certificate names 127.0.0.1 in its Common Name only: chan_sip's name check
//! (Common Name or DNS subjectAltName equal to the host) accepts it, and so does tandem.

use std::path::{Path, PathBuf};

use tandem_testkit::wav::{self, RATE_8K};
use tandem_testkit::{
    fail_with_output as fail, free_port, make_certs, require_tool, write_config, Baresip, Daemon,
    Phone, PhoneTls, TempDir, BARESIP_TIMEOUT,
};

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

/// Ports and paths the daemon's configuration names.
struct Setup<'a> {
    certs: &'a Path,
    /// `tlscafile` (the test CA) unless None.
    cafile: Option<&'a str>,
    port: u16,
    tls_port: u16,
    bob_tls: u16,
    mallory_tls: u16,
    dave_tls: u16,
}

fn start_pbx(s: &Setup, extra_general: &str) -> (TempDir, TempDir, Daemon) {
    let config = TempDir::new();
    let data = TempDir::new();
    let c = |f: &str| s.certs.join(f).display().to_string();
    let sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={}\ncontext=public\n\
         tlsenable=yes\ntlsbindaddr=127.0.0.1:{}\ntlscertfile={}\ntlsprivatekey={}\n\
         {}{extra_general}\n\
         [alice]\ntype=friend\nhost=dynamic\nsecret=alicepw\ncontext=internal\n\n\
         [bob]\ntype=peer\nhost=127.0.0.1\nport={}\ntransport=tls\nencryption=yes\n\n\
         [mallory]\ntype=peer\nhost=127.0.0.1\nport={}\ntransport=tls\n\n\
         [dave]\ntype=peer\nhost=127.0.0.1\nport={}\ntransport=tls\n",
        s.port,
        s.tls_port,
        c("pbx.crt"),
        c("pbx.key"),
        s.cafile
            .map(|f| format!("tlscafile={}\n", c(f)))
            .unwrap_or_default(),
        s.bob_tls,
        s.mallory_tls,
        s.dave_tls,
    );
    let extensions = "[internal]\n\
        exten => 7001,1,Dial(SIP/bob,20)\n same => n,Hangup()\n\
        exten => 7003,1,Dial(SIP/dave,20)\n same => n,Hangup()\n\
        exten => 7002,1,Dial(SIP/mallory,20)\n\
         same => n,Log(NOTICE,mallory dialstatus=${DIALSTATUS})\n same => n,Hangup()\n";
    write_config(
        config.path(),
        &[
            ("sip.conf", &sip),
            ("extensions.conf", extensions),
            ("rtp.conf", "[general]\nrtpstart=64700\nrtpend=64799\n"),
        ],
    );
    let daemon = Daemon::start(&bin(), config.path(), data.path());
    (config, data, daemon)
}

#[test]
fn tandem_calls_a_tls_peer_it_verifies_and_refuses_one_its_ca_did_not_sign() {
    let Some(baresip) = require_tool("baresip") else {
        return;
    };
    let Some(openssl_bin) = require_tool("openssl") else {
        return;
    };
    let work = TempDir::new();
    let certs = work.path().join("certs");
    make_certs(&openssl_bin, &certs, &["pbx", "bob"]);

    let alice_wav = work.path().join("alice.wav");
    let mut mic = wav::sine(RATE_8K, 1000.0, 4.0, 8000);
    mic.extend(wav::silence(RATE_8K, 56.0));
    wav::write_wav(&alice_wav, RATE_8K, &mic);
    let callee_wav = work.path().join("callee.wav");
    wav::write_wav(&callee_wav, RATE_8K, &wav::sine(RATE_8K, 400.0, 60.0, 8000));

    let (port, tls_port) = (free_port(), free_port());
    // The callees listen for TLS on sip_port + 1 and never register (regint=0): tandem
    // reaches them only at the address sip.conf gives.
    let callee = |name: &str, cert: &str, rtp: (u16, u16)| {
        let mut p = Phone::new(
            name,
            "unused",
            port,
            &callee_wav,
            &work.path().join(format!("{name}-rec")),
        )
        .with_tls(PhoneTls {
            pbx_port: tls_port,
            cafile: certs.join("ca.pem"),
            certificate: Some(certs.join(cert)),
        });
        p.regint = 0;
        p.rtp_ports = rtp;
        p
    };
    let bob_phone = callee("bob", "bob.pem", (63800, 63849)).with_mediaenc("srtp-mand");
    let mallory_phone = callee("mallory", "mallory.pem", (63850, 63899));
    let bob = Baresip::start(&baresip, &work.path().join("bob"), &bob_phone);
    let mallory = Baresip::start(&baresip, &work.path().join("mallory"), &mallory_phone);
    // dave's certificate is the CA's, with 127.0.0.1 only in its Common Name (no
    // subjectAltName): chan_sip's name check accepts it, and so does tandem's.
    let dave_phone = callee("dave", "legacy.pem", (63950, 63999));
    let dave = Baresip::start(&baresip, &work.path().join("dave"), &dave_phone);
    let setup = Setup {
        certs: &certs,
        cafile: Some("ca.pem"),
        port,
        tls_port,
        // Baresip::start may have moved to fresh ports: read them back.
        bob_tls: bob.phone.sip_port + 1,
        mallory_tls: mallory.phone.sip_port + 1,
        dave_tls: dave.phone.sip_port + 1,
    };
    let (_config, _data, pbx) = start_pbx(&setup, "");
    if let Err(e) = pbx.wait_log("SIP listening on tls 127.0.0.1:", BARESIP_TIMEOUT) {
        fail("tls listener", &pbx, &[], &e);
    }

    let mut alice_phone = Phone::new(
        "alice",
        "alicepw",
        port,
        &alice_wav,
        &work.path().join("alice-rec"),
    );
    alice_phone.rtp_ports = (63900, 63949);
    let mut alice = Baresip::start(&baresip, &work.path().join("alice"), &alice_phone);
    if let Err(e) = alice.wait_registered(BARESIP_TIMEOUT) {
        fail(
            "alice registers over UDP",
            &pbx,
            &[&alice, &bob, &mallory],
            &e,
        );
    }

    // alice (UDP, clear RTP) -> tandem -> TLS connection tandem opens -> bob (SRTP only).
    if let Err(e) = alice.dial(&alice.phone.pbx_uri("7001")) {
        fail("alice dials bob", &pbx, &[&alice, &bob, &mallory], &e);
    }
    let bob_addr = format!("SIP tls: connected to 127.0.0.1:{}", setup.bob_tls);
    if let Err(e) = pbx.wait_log(&bob_addr, BARESIP_TIMEOUT) {
        fail(
            "tandem connects to bob over TLS",
            &pbx,
            &[&alice, &bob, &mallory],
            &e,
        );
    }
    for p in [&alice, &bob] {
        if let Err(e) = p.wait_for("Call established", BARESIP_TIMEOUT) {
            fail("call established", &pbx, &[&alice, &bob, &mallory], &e);
        }
    }
    if let Err(e) = bob.wait_for("SRTP is Enabled", BARESIP_TIMEOUT) {
        fail("bob's leg is SRTP", &pbx, &[&alice, &bob, &mallory], &e);
    }
    if let Err(e) = pbx.wait_log_nth(&["SRTP 127.0.0.1:", "negotiated"], 1, BARESIP_TIMEOUT) {
        fail(
            "tandem's leg to bob is SRTP",
            &pbx,
            &[&alice, &bob, &mallory],
            &e,
        );
    }
    let recording = match bob.wait_recording("dec", 5.0, BARESIP_TIMEOUT) {
        Ok(p) => p,
        Err(e) => fail("bob's recording", &pbx, &[&alice, &bob, &mallory], &e),
    };
    let got = wav::read_wav(&recording).unwrap_or_else(|e| panic!("{e}"));
    let tone = wav::tone_seconds(&got.samples, RATE_8K, 1000.0, 1000.0);
    assert!(
        tone >= 3.0,
        "bob heard {tone} s of alice's 1 kHz tone (4 s played) over the TLS peer's SRTP leg"
    );
    let _ = alice.hangup();
    if let Err(e) = alice.wait_for("terminated", BARESIP_TIMEOUT) {
        fail("alice hangs up", &pbx, &[&alice, &bob, &mallory], &e);
    }

    // mallory's certificate is self-signed: tandem refuses it at the handshake and the Dial
    // fails at once (CHANUNAVAIL), without a word to mallory.
    if let Err(e) = alice.dial(&alice.phone.pbx_uri("7002")) {
        fail("alice dials mallory", &pbx, &[&alice, &bob, &mallory], &e);
    }
    let mallory_addr = format!("SIP tls: cannot connect to 127.0.0.1:{}", setup.mallory_tls);
    if let Err(e) = pbx.wait_log(&mallory_addr, BARESIP_TIMEOUT) {
        fail(
            "tandem refuses mallory's certificate",
            &pbx,
            &[&alice, &bob, &mallory],
            &e,
        );
    }
    if let Err(e) = pbx.wait_log("mallory dialstatus=CHANUNAVAIL", BARESIP_TIMEOUT) {
        fail(
            "the Dial fails as CHANUNAVAIL",
            &pbx,
            &[&alice, &bob, &mallory],
            &e,
        );
    }
    let refused = pbx.stderr_text();
    assert!(
        refused
            .lines()
            .any(|l| l.contains(&mallory_addr) && l.contains("certificate")),
        "the refusal names the certificate:\n{refused}"
    );
    assert!(
        !refused.contains(&format!(
            "SIP tls: connected to 127.0.0.1:{}",
            setup.mallory_tls
        )),
        "no TLS session with mallory:\n{refused}"
    );
    if let Err(e) = alice.wait_for("session closed", BARESIP_TIMEOUT) {
        fail(
            "alice's second call ends",
            &pbx,
            &[&alice, &bob, &mallory],
            &e,
        );
    }
    assert_eq!(
        mallory.count("Call established"),
        0,
        "mallory got no call:\n{}",
        mallory.output()
    );
    if let Err(e) = alice.dial(&alice.phone.pbx_uri("7003")) {
        fail("alice dials dave", &pbx, &[&alice, &dave], &e);
    }
    for (p, nth) in [(&alice, 2), (&dave, 1)] {
        if let Err(e) = p.wait_for_nth("Call established", nth, BARESIP_TIMEOUT) {
            fail(
                "a Common Name certificate connects",
                &pbx,
                &[&alice, &dave],
                &e,
            );
        }
    }
    let _ = alice.hangup();
    if let Err(e) = dave.wait_for("CALL_CLOSED", BARESIP_TIMEOUT) {
        fail("dave's call ends", &pbx, &[&alice, &dave], &e);
    }
    drop(pbx);

    // tlsdontverifyserver=yes: tandem takes any server certificate, and the call connects.
    let (_config2, _data2, pbx) = start_pbx(&setup, "tlsdontverifyserver=yes\n");
    if let Err(e) = pbx.wait_log("SIP listening on tls 127.0.0.1:", BARESIP_TIMEOUT) {
        fail(
            "tls listener (second daemon)",
            &pbx,
            &[&alice, &bob, &mallory],
            &e,
        );
    }
    if let Err(e) = alice.dial(&alice.phone.pbx_uri("7002")) {
        fail(
            "alice dials mallory again",
            &pbx,
            &[&alice, &bob, &mallory],
            &e,
        );
    }
    // alice's third established call (after bob and dave), mallory's first.
    for (p, nth) in [(&alice, 3), (&mallory, 1)] {
        if let Err(e) = p.wait_for_nth("Call established", nth, BARESIP_TIMEOUT) {
            fail(
                "tlsdontverifyserver=yes: the call connects",
                &pbx,
                &[&alice, &bob, &mallory],
                &e,
            );
        }
    }
    let _ = alice.hangup();
    if let Err(e) = pbx.wait_log("SIP/alice-00000000: call end uniqueid=", BARESIP_TIMEOUT) {
        fail(
            "alice hangs up on mallory",
            &pbx,
            &[&alice, &bob, &mallory],
            &e,
        );
    }
    drop(pbx);

    // tlscapath (a directory of CA certificates) in place of tlscafile: bob verifies again.
    let capath = work.path().join("capath");
    std::fs::create_dir_all(&capath).unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(certs.join("ca.pem"), capath.join("test-ca.pem"))
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(capath.join("README"), "not a certificate\n").unwrap_or_else(|e| panic!("{e}"));
    let only_capath = Setup {
        cafile: None,
        ..setup
    };
    let (_config3, _data3, pbx) =
        start_pbx(&only_capath, &format!("tlscapath={}\n", capath.display()));
    if let Err(e) = alice.dial(&alice.phone.pbx_uri("7001")) {
        fail("alice dials bob again", &pbx, &[&alice, &bob, &mallory], &e);
    }
    for (p, nth) in [(&alice, 4), (&bob, 2)] {
        if let Err(e) = p.wait_for_nth("Call established", nth, BARESIP_TIMEOUT) {
            fail(
                "tlscapath: bob verifies",
                &pbx,
                &[&alice, &bob, &mallory],
                &e,
            );
        }
    }
    let _ = alice.hangup();
}
