//! A second real softphone, linphonec (liblinphone 5.1 / belle-sip), registers to tandem with
//! digest auth: SHA-256 (RFC 7616, RFC 8760) when sip.conf offers it with
//! `supported_algorithms_uas = SHA-256,MD5`, MD5 with chan_sip's default; a wrong password
//! is refused.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use tandem_testkit::{
    free_port, require_tool, run_cli, write_config, Daemon, Linphone, TempDir, LINPHONE_TIMEOUT,
};

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

/// A tandem with one phone, alice (`host=dynamic`), and `general_extra` in `[general]`.
struct Pbx {
    _config: TempDir,
    data: TempDir,
    daemon: Daemon,
    addr: SocketAddr,
}

fn start_pbx(general_extra: &str) -> Pbx {
    let port = free_port();
    let config = TempDir::new();
    let data = TempDir::new();
    let sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=public\n{general_extra}\n\n\
         [alice]\ntype=friend\nhost=dynamic\nsecret=alice-pw-7\ncontext=internal\n"
    );
    let extensions = "[internal]\nexten => 100,1,Answer()\n same => n,Hangup()\n";
    // tandem's RTP range (64000-64999), never the phones' (63000-63999).
    let rtp = format!(
        "[general]\nrtpstart={0}\nrtpend={1}\n",
        64000 + port % 900,
        64000 + port % 900 + 10
    );
    write_config(
        config.path(),
        &[
            ("sip.conf", &sip),
            ("extensions.conf", extensions),
            ("rtp.conf", &rtp),
        ],
    );
    let daemon = Daemon::start(&bin(), config.path(), data.path());
    Pbx {
        _config: config,
        data,
        daemon,
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
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
}

/// A linphonec in its own HOME, on its own SIP port (its RTP in 63000-63999).
fn start_phone(linphonec: &std::path::Path, home: &TempDir) -> (Linphone, u16) {
    let sip_port = free_port();
    let rtp_port = 63000 + (sip_port % 500) * 2;
    (
        Linphone::start(linphonec, home.path(), sip_port, rtp_port),
        sip_port,
    )
}

/// `sip show peers` has alice registered from the phone's address and port.
fn assert_alice_registered_from(pbx: &Pbx, phone_port: u16) {
    let peers = pbx.cli("sip show peers");
    let row = peers
        .lines()
        .find(|l| l.starts_with("alice/"))
        .unwrap_or_else(|| panic!("no alice row in:\n{peers}"));
    assert!(
        row.contains("127.0.0.1") && row.contains(&phone_port.to_string()),
        "alice registered from linphonec: {row}"
    );
    assert!(
        peers.contains("Unmonitored: 1 online, 0 offline"),
        "alice online:\n{peers}"
    );
}

#[test]
fn linphonec_registers_with_sha256_when_sip_conf_offers_it() {
    let Some(linphonec) = require_tool("linphonec") else {
        return;
    };
    let pbx = start_pbx("supported_algorithms_uas = SHA-256,MD5");
    let home = TempDir::new();
    let (mut phone, phone_port) = start_phone(&linphonec, &home);
    phone.register("alice", pbx.addr, "alice-pw-7").unwrap();
    phone.wait_registered(LINPHONE_TIMEOUT).unwrap();

    // (a) tandem knows the binding.
    assert_alice_registered_from(&pbx, phone_port);

    // (b) SHA-256 was really used: tandem accepted SHA-256 credentials ...
    let line = pbx
        .wait_log(
            &[
                "SIP REGISTER ok peer=alice",
                &format!("from=127.0.0.1:{phone_port}"),
            ],
            Duration::from_secs(10),
        )
        .unwrap();
    assert!(
        line.ends_with("algorithm=SHA-256"),
        "tandem's registrar log: {line}"
    );
    // ... the phone saw both challenges, SHA-256 first (RFC 8760 section 2.4) ...
    let log = phone.log();
    let challenges: Vec<&str> = log
        .lines()
        .filter(|l| l.starts_with("WWW-Authenticate:"))
        .take(2)
        .collect();
    assert_eq!(
        challenges.len(),
        2,
        "two challenges in linphonec's log:\n{}",
        phone.log_tail()
    );
    assert!(
        challenges[0].contains("algorithm=SHA-256") && challenges[1].contains("algorithm=MD5"),
        "{challenges:?}"
    );
    // ... and answered the SHA-256 one (a 64-hex-digit response).
    let auth = phone.authorization_headers();
    let first = auth
        .first()
        .unwrap_or_else(|| panic!("no Authorization sent:\n{}", phone.log_tail()));
    assert!(first.contains("algorithm=SHA-256"), "{first}");
    let response = first
        .split("response=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or("");
    assert_eq!(response.len(), 64, "a SHA-256 response: {first}");
    assert!(response.bytes().all(|b| b.is_ascii_hexdigit()), "{first}");

    // quit un-registers: the binding goes away.
    phone.quit(LINPHONE_TIMEOUT);
    pbx.wait_log(
        &["SIP REGISTER removed peer=alice"],
        Duration::from_secs(10),
    )
    .unwrap();
    let peers = pbx.cli("sip show peers");
    assert!(
        peers.contains("Unmonitored: 0 online, 1 offline"),
        "alice offline after quit:\n{peers}"
    );
}

#[test]
fn linphonec_registers_with_md5_by_default_as_chan_sip() {
    let Some(linphonec) = require_tool("linphonec") else {
        return;
    };
    let pbx = start_pbx("");
    let home = TempDir::new();
    let (mut phone, phone_port) = start_phone(&linphonec, &home);
    phone.register("alice", pbx.addr, "alice-pw-7").unwrap();
    phone.wait_registered(LINPHONE_TIMEOUT).unwrap();
    assert_alice_registered_from(&pbx, phone_port);
    let line = pbx
        .wait_log(&["SIP REGISTER ok peer=alice"], Duration::from_secs(10))
        .unwrap();
    assert!(
        line.ends_with("algorithm=MD5"),
        "tandem's registrar log: {line}"
    );
    let log = phone.log();
    let challenges: Vec<&str> = log
        .lines()
        .filter(|l| l.starts_with("WWW-Authenticate:"))
        .collect();
    assert!(
        !challenges.is_empty() && challenges.iter().all(|c| !c.contains("SHA-256")),
        "MD5 only: {challenges:?}"
    );
    let auth = phone.authorization_headers();
    let first = auth
        .first()
        .unwrap_or_else(|| panic!("no Authorization sent:\n{}", phone.log_tail()));
    assert!(!first.contains("SHA-256"), "{first}");
    let response = first
        .split("response=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or("");
    assert_eq!(response.len(), 32, "an MD5 response: {first}");
    phone.quit(LINPHONE_TIMEOUT);
}

#[test]
fn linphonec_with_a_wrong_password_is_refused_under_sha256() {
    let Some(linphonec) = require_tool("linphonec") else {
        return;
    };
    let pbx = start_pbx("supported_algorithms_uas = SHA-256,MD5");
    let home = TempDir::new();
    let (mut phone, _) = start_phone(&linphonec, &home);
    phone
        .register("alice", pbx.addr, "not-the-password")
        .unwrap();
    let err = phone
        .wait_registered(LINPHONE_TIMEOUT)
        .expect_err("a wrong password must not register");
    assert!(
        err.contains("credentials refused") || err.contains("registration failed"),
        "{err}"
    );
    pbx.wait_log(&["SIP REGISTER auth-failed"], Duration::from_secs(10))
        .unwrap();
    let peers = pbx.cli("sip show peers");
    assert!(
        peers.contains("Unmonitored: 0 online, 1 offline"),
        "alice not registered:\n{peers}"
    );
    phone.quit(Duration::from_secs(10));
}
