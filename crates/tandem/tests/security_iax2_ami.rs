//! IAX2 and the AMI behind the same defences as SIP: `permit`/`deny` and named ACLs of
//! acl.conf (`acl=`) refuse IAX2 users, IAX2 peers' registrations and AMI logins from other
//! addresses; repeated IAX2 authentication failures (REGREQ with a wrong secret, AUTHREP with
//! a wrong MD5) and repeated AMI login failures ban their source, which then gets no answer
//! from anything (IAX2 or AMI) while other addresses still work; `security show bans` lists
//! the bans with their service.
//!
//! The IAX2 client is tandem's own sans-IO `tandem-iax2` (the registration and call machines
//! a second tandem would use), driven over UDP sockets bound to different loopback addresses
//! (127.0.0.2, .3, ...); the AMI client is a raw TCP socket bound the same way. Each IAX2
//! authentication is a security event on the AMI (Service IAX2).

use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, UdpSocket};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use tandem_iax2::call::{Call, CallConfig, CallEvent, Dial};
use tandem_iax2::frame::Datagram;
use tandem_iax2::register::{RegEvent, Registration, RegistrationConfig};
use tandem_testkit::{free_port, run_cli, write_config, Daemon, TempDir};

mod common;
use common::ami::{header, Raw};

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

fn ip(s: &str) -> IpAddr {
    s.parse().expect("an IP address")
}

/// How long a client waits for an answer before calling it silence.
const SILENCE: Duration = Duration::from_secs(3);
const ANSWER: Duration = Duration::from_secs(15);

struct Pbx {
    _config: TempDir,
    data: TempDir,
    daemon: Daemon,
    iax: SocketAddr,
    ami: u16,
}

impl Pbx {
    fn start(iax_general: &str, iax_sections: &str, manager: &str, acl: &str) -> Pbx {
        let (iax_port, ami) = (free_port(), free_port());
        let iax = format!(
            "[general]\nbindaddr=127.0.0.1\nbindport={iax_port}\n{iax_general}\n{iax_sections}"
        );
        let manager = format!(
            "[general]\nenabled=yes\nport={ami}\nbindaddr=127.0.0.1\ndisplayconnects=yes\n{manager}"
        );
        let config = TempDir::new();
        let data = TempDir::new();
        write_config(
            config.path(),
            &[
                ("iax.conf", &iax),
                ("manager.conf", &manager),
                ("acl.conf", acl),
                (
                    "extensions.conf",
                    "[default]\nexten => 100,1,Answer()\nsame => n,Wait(30)\n",
                ),
            ],
        );
        let daemon = Daemon::start(&bin(), config.path(), data.path());
        Pbx {
            _config: config,
            data,
            daemon,
            iax: SocketAddr::from(([127, 0, 0, 1], iax_port)),
            ami,
        }
    }

    fn cli(&self, cmd: &str) -> String {
        run_cli(&bin(), self.data.path(), cmd)
    }

    fn log(&self) -> String {
        self.daemon.stderr_text()
    }

    fn wait_log(&self, needle: &str) {
        if let Err(e) = self.daemon.wait_log(needle, ANSWER) {
            panic!("{e}");
        }
    }
}

fn udp_from(from: &str) -> UdpSocket {
    let sock = UdpSocket::bind((ip(from), 0)).expect("bind a loopback address");
    sock.set_read_timeout(Some(Duration::from_millis(50)))
        .expect("read timeout");
    sock
}

/// Reads one datagram (50 ms at most) and hands it to `full` when it is a full frame.
fn receive(sock: &UdpSocket, mut full: impl FnMut(tandem_iax2::frame::FullFrame)) {
    let mut buf = [0u8; 4096];
    if let Ok((n, _)) = sock.recv_from(&mut buf) {
        if let Ok(Datagram::Full(f)) = Datagram::parse(&buf[..n]) {
            full(f);
        }
    }
}

/// What an IAX2 registration from `from` got: its event, or `None` when nothing answered
/// within `wait`.
fn register(
    from: &str,
    server: SocketAddr,
    user: &str,
    secret: &str,
    wait: Duration,
) -> Option<RegEvent> {
    let sock = udp_from(from);
    let config = RegistrationConfig {
        username: user.to_string(),
        secret: Some(secret.to_string()),
        refresh: 60,
        calltoken: true,
    };
    let mut reg = Registration::new(7, server, config);
    reg.register(Instant::now());
    let deadline = Instant::now() + wait;
    while Instant::now() < deadline {
        while let Some(t) = reg.poll_transmit() {
            sock.send_to(&t.bytes, t.dest).expect("send");
        }
        if let Some(ev) = reg.poll_event() {
            return (ev != RegEvent::Timeout).then_some(ev);
        }
        receive(&sock, |f| reg.handle_full(Instant::now(), f));
        if reg.poll_timeout().is_some_and(|t| t <= Instant::now()) {
            reg.handle_timeout(Instant::now());
        }
    }
    None
}

/// What an IAX2 call from `from` as `user` to extension 100 got: `Accepted`, `Rejected`,
/// ..., or `None` when nothing answered within `wait`. An accepted call is hung up.
fn call(
    from: &str,
    server: SocketAddr,
    user: &str,
    secret: &str,
    wait: Duration,
) -> Option<CallEvent> {
    let sock = udp_from(from);
    let dial = Dial {
        called_number: "100".to_string(),
        username: Some(user.to_string()),
        secret: Some(secret.to_string()),
        calltoken: true,
        ..Dial::default()
    };
    let config = CallConfig {
        ping_interval: None,
        lagrq_interval: None,
        ..CallConfig::default()
    };
    let mut c = Call::outgoing(Instant::now(), 9, server, dial, config);
    let deadline = Instant::now() + wait;
    let mut outcome = None;
    while Instant::now() < deadline && outcome.is_none() {
        while let Some(t) = c.poll_transmit() {
            sock.send_to(&t.bytes, t.dest).expect("send");
        }
        while let Some(ev) = c.poll_event() {
            if matches!(
                ev,
                CallEvent::Accepted { .. }
                    | CallEvent::Rejected { .. }
                    | CallEvent::AuthFailed { .. }
                    | CallEvent::Hangup { .. }
            ) {
                outcome = Some(ev);
                break;
            }
        }
        if outcome.is_none() {
            receive(&sock, |f| c.handle_full(Instant::now(), f));
            if c.poll_timeout().is_some_and(|t| t <= Instant::now()) {
                c.handle_timeout(Instant::now());
            }
        }
    }
    if matches!(outcome, Some(CallEvent::Accepted { .. })) {
        c.hangup(Instant::now(), 16);
        while let Some(t) = c.poll_transmit() {
            let _ = sock.send_to(&t.bytes, t.dest);
        }
    }
    outcome
}

fn accepted(ev: &Option<CallEvent>) -> bool {
    matches!(ev, Some(CallEvent::Accepted { .. }))
}

fn rejected(ev: &Option<CallEvent>) -> bool {
    matches!(ev, Some(CallEvent::Rejected { .. }))
}

fn registered(ev: &Option<RegEvent>) -> bool {
    matches!(ev, Some(RegEvent::Registered { .. }))
}

fn refused(ev: &Option<RegEvent>) -> bool {
    matches!(ev, Some(RegEvent::Rejected { .. }))
}

/// An AMI connection from `from`; `None` when the server closed it before its banner.
fn ami_connect(from: &str, port: u16) -> Option<BufReader<TcpStream>> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .expect("runtime");
    let stream = rt
        .block_on(async {
            let sock = tokio::net::TcpSocket::new_v4()?;
            sock.bind(SocketAddr::new(ip(from), 0))?;
            let s = sock
                .connect(SocketAddr::from(([127, 0, 0, 1], port)))
                .await?;
            s.into_std()
        })
        .expect("connect to the AMI");
    stream.set_nonblocking(false).expect("blocking");
    stream.set_read_timeout(Some(ANSWER)).expect("read timeout");
    let mut reader = BufReader::new(stream);
    let mut banner = String::new();
    match reader.read_line(&mut banner) {
        Ok(n) if n > 0 && banner.starts_with("Asterisk Call Manager") => Some(reader),
        _ => None,
    }
}

/// Login from `from`: `Some(response)` (its first message), `None` when the connection was
/// closed before the banner.
fn ami_login(from: &str, port: u16, user: &str, secret: &str) -> Option<String> {
    let mut conn = ami_connect(from, port)?;
    let msg = format!("Action: Login\r\nUsername: {user}\r\nSecret: {secret}\r\n\r\n");
    conn.get_mut()
        .write_all(msg.as_bytes())
        .expect("send Login");
    let mut response = String::new();
    loop {
        let mut line = String::new();
        match conn.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line == "\r\n" && !response.is_empty() => break,
            Ok(_) => response.push_str(&line),
        }
    }
    Some(response)
}

const USERS: &str = "[office]\ntype=user\nsecret=officepw\ncontext=default\n\
                     [b]\ntype=friend\nhost=dynamic\nsecret=bpw\ncontext=default\n";

#[test]
fn iax2_users_and_peers_outside_their_permit_list_or_named_acl_are_refused() {
    let sections = "[office]\ntype=user\nsecret=officepw\ncontext=default\n\
                    deny=0.0.0.0/0.0.0.0\npermit=127.0.0.2\n\n\
                    [b]\ntype=friend\nhost=dynamic\nsecret=bpw\ncontext=default\nacl=lab\n";
    let pbx = Pbx::start(
        "autoban=no",
        sections,
        "",
        "[lab]\ndeny=0.0.0.0/0.0.0.0\npermit=127.0.0.3\n",
    );
    // permit/deny of a user: a NEW from elsewhere finds nobody and is rejected, even with
    // the right secret; from the permitted address the same call is accepted.
    let outside = call("127.0.0.3", pbx.iax, "office", "officepw", ANSWER);
    assert!(rejected(&outside), "{outside:?}\n{}", pbx.log());
    let inside = call("127.0.0.2", pbx.iax, "office", "officepw", ANSWER);
    assert!(accepted(&inside), "{inside:?}\n{}", pbx.log());
    // The named ACL of a peer (acl=lab): a REGREQ from elsewhere is challenged and refused
    // like one for a name nobody configured; from 127.0.0.3 it registers.
    let outside = register("127.0.0.2", pbx.iax, "b", "bpw", ANSWER);
    assert!(refused(&outside), "{outside:?}\n{}", pbx.log());
    let inside = register("127.0.0.3", pbx.iax, "b", "bpw", ANSWER);
    assert!(registered(&inside), "{inside:?}\n{}", pbx.log());
    // autoban=no: the failures are still reported (waited for: the log is read as the
    // daemon writes it), nobody is banned.
    pbx.wait_log(
        "SECURITY[auth_failure] remote=127.0.0.3 method=NEW user=office count=1 service=iax2",
    );
    pbx.wait_log(
        "SECURITY[auth_failure] remote=127.0.0.2 method=REGREQ user=b count=1 service=iax2",
    );
    let log = pbx.log();
    assert!(!log.contains("SECURITY[ban]"), "{log}");
    assert!(pbx.cli("security show bans").contains("0 active bans"));
}

#[test]
fn repeated_iax2_auth_failures_ban_the_source_everywhere_while_another_address_works() {
    let pbx = Pbx::start(
        "autoban_failures=3\nautoban_time=600",
        USERS,
        "[admin]\nsecret=amipw\n",
        "",
    );
    let bad = "127.0.0.4";
    // Two REGREQs with a wrong secret, then an AUTHREP with a wrong MD5: three failures.
    for n in 1..=2 {
        let r = register(bad, pbx.iax, "b", "wrong", ANSWER);
        assert!(refused(&r), "attempt {n}: {r:?}\n{}", pbx.log());
    }
    let c = call(bad, pbx.iax, "office", "wrong", ANSWER);
    assert!(rejected(&c), "{c:?}\n{}", pbx.log());
    pbx.wait_log(
        "SECURITY[ban] remote=127.0.0.4 reason=auth_failures count=3 duration=600s offence=1 service=iax2",
    );
    let log = pbx.log();
    assert!(
        log.contains(
            "SECURITY[auth_failure] remote=127.0.0.4 method=REGREQ user=b count=2 service=iax2"
        ),
        "{log}"
    );
    assert!(
        log.contains("SECURITY[auth_failure] remote=127.0.0.4 method=AUTHREP user=office count=3 service=iax2"),
        "{log}"
    );
    // Banned: even the right secret gets no answer at all, nor does a call.
    assert_eq!(register(bad, pbx.iax, "b", "bpw", SILENCE), None);
    assert_eq!(call(bad, pbx.iax, "office", "officepw", SILENCE), None);
    // ... and the AMI closes its connections before the banner: one ban list.
    assert!(ami_connect(bad, pbx.ami).is_none(), "{}", pbx.log());
    // Another address is served as before.
    let good = "127.0.0.5";
    assert!(
        registered(&register(good, pbx.iax, "b", "bpw", ANSWER)),
        "{}",
        pbx.log()
    );
    assert!(
        accepted(&call(good, pbx.iax, "office", "officepw", ANSWER)),
        "{}",
        pbx.log()
    );
    assert!(ami_connect(good, pbx.ami).is_some());
    assert_eq!(
        pbx.daemon
            .log_count(&["SECURITY[auth_failure] remote=127.0.0.4 "]),
        3,
        "nothing of the banned source reached authentication again"
    );
    let bans = pbx.cli("security show bans");
    let row = bans
        .lines()
        .find(|l| l.starts_with("127.0.0.4"))
        .unwrap_or_else(|| panic!("{bans}"));
    assert!(
        row.contains("auth_failures") && row.ends_with("iax2"),
        "{bans}"
    );
    assert!(bans.contains("1 active ban"), "{bans}");
    // Lifted: the source registers again.
    assert_eq!(pbx.cli("security unban 127.0.0.4"), "127.0.0.4 unbanned\n");
    assert!(
        registered(&register(bad, pbx.iax, "b", "bpw", ANSWER)),
        "{}",
        pbx.log()
    );
}

#[test]
fn ami_logins_obey_the_users_acl_and_repeated_failures_ban_the_source() {
    let pbx = Pbx::start(
        "",
        USERS,
        "autoban_failures=3\n\n[admin]\nsecret=amipw\nacl=ops\n\n[watcher]\nsecret=wpw\n",
        "[ops]\ndeny=0.0.0.0/0.0.0.0\npermit=127.0.0.2\n",
    );
    // The right secret from an address the user's named ACL denies: refused, as a wrong
    // secret is (manager.c `authenticate`).
    let denied = ami_login("127.0.0.3", pbx.ami, "admin", "amipw").expect("banner");
    assert!(
        denied.contains("Message: Authentication failed"),
        "{denied}"
    );
    let ok = ami_login("127.0.0.2", pbx.ami, "admin", "amipw").expect("banner");
    assert!(ok.contains("Message: Authentication accepted"), "{ok}");
    pbx.wait_log(
        "SECURITY[auth_failure] remote=127.0.0.3 method=Login user=admin count=1 service=ami",
    );
    // Three failed logins from one address ban it: the next connection is closed unanswered.
    let bad = "127.0.0.6";
    for user in ["watcher", "nobody", "watcher"] {
        let r = ami_login(bad, pbx.ami, user, "guess").expect("banner");
        assert!(r.contains("Message: Authentication failed"), "{r}");
    }
    pbx.wait_log("SECURITY[ban] remote=127.0.0.6 reason=auth_failures count=3 duration=600s offence=1 service=ami");
    assert!(
        pbx.log().contains(
            "SECURITY[auth_failure] remote=127.0.0.6 method=Login user=nobody count=2 service=ami"
        ),
        "{}",
        pbx.log()
    );
    assert_eq!(ami_login(bad, pbx.ami, "watcher", "wpw"), None);
    // Banned for IAX2 too.
    assert_eq!(register(bad, pbx.iax, "b", "bpw", SILENCE), None);
    // Others still log in.
    let ok = ami_login("127.0.0.7", pbx.ami, "watcher", "wpw").expect("banner");
    assert!(ok.contains("Message: Authentication accepted"), "{ok}");
    let bans = pbx.cli("security show bans");
    assert!(
        bans.lines()
            .any(|l| l.starts_with("127.0.0.6") && l.ends_with("ami")),
        "{bans}"
    );
}

/// The next security event (`Events: security`) and its `AccountID`, checked to be IAX2's.
fn security_event(ami: &mut Raw, name: &str, account: &str, from: &str) -> String {
    let head = format!("Event: {name}\r\n");
    let account = format!("AccountID: {account}\r\n");
    let ev = ami.event(|m| m.starts_with(&head) && m.contains(&account), ANSWER);
    assert!(ev.contains("\r\nService: IAX2\r\n"), "{ev}");
    let remote = header(&ev, "RemoteAddress").unwrap_or_default();
    assert!(remote.starts_with(&format!("IPV4/UDP/{from}/")), "{ev}");
    assert!(
        header(&ev, "LocalAddress").is_some_and(|l| l.starts_with("IPV4/UDP/127.0.0.1/")),
        "{ev}"
    );
    assert!(
        header(&ev, "SessionID").is_some_and(|s| s.starts_with("0x")),
        "{ev}"
    );
    ev
}

#[test]
fn iax2_authentications_are_security_events_on_the_ami() {
    let sections = format!(
        "{USERS}[locked]\ntype=user\nsecret=lpw\ncontext=default\n\
         deny=0.0.0.0/0.0.0.0\npermit=127.0.0.2\n"
    );
    let pbx = Pbx::start("autoban=no", &sections, "[admin]\nsecret=amisecret\n", "");
    let mut ami = Raw::admin(pbx.ami, "security");
    let from = "127.0.0.8";

    // A NEW for nobody, and for a user whose permit/deny refuses the source.
    assert!(rejected(&call(from, pbx.iax, "nobody", "x", ANSWER)));
    security_event(&mut ami, "InvalidAccountID", "nobody", from);
    assert!(rejected(&call(from, pbx.iax, "locked", "lpw", ANSWER)));
    let ev = security_event(&mut ami, "FailedACL", "locked", from);
    assert!(ev.contains("Severity: Error\r\n"), "{ev}");

    // A wrong MD5 answer: the challenge, the answer and the one expected.
    assert!(rejected(&call(from, pbx.iax, "office", "wrong", ANSWER)));
    let ev = security_event(&mut ami, "ChallengeResponseFailed", "office", from);
    let challenge = header(&ev, "Challenge").unwrap_or_default();
    let md5 = |secret| tandem_iax2::auth::md5_response(challenge, secret);
    assert_eq!(header(&ev, "Response"), Some(md5("wrong").as_str()), "{ev}");
    assert_eq!(
        header(&ev, "ExpectedResponse"),
        Some(md5("officepw").as_str()),
        "{ev}"
    );
    assert!(accepted(&call(from, pbx.iax, "office", "officepw", ANSWER)));
    let ev = security_event(&mut ami, "SuccessfulAuth", "office", from);
    assert!(
        ev.contains("Severity: Informational\r\n") && ev.ends_with("UsingPassword: 1\r\n"),
        "{ev}"
    );

    // Registrations: a wrong secret, a name nobody configured, then the right secret.
    assert!(refused(&register(from, pbx.iax, "b", "wrong", ANSWER)));
    let ev = security_event(&mut ami, "ChallengeResponseFailed", "b", from);
    let challenge = header(&ev, "Challenge").unwrap_or_default();
    assert_eq!(
        header(&ev, "ExpectedResponse"),
        Some(tandem_iax2::auth::md5_response(challenge, "bpw").as_str()),
        "{ev}"
    );
    assert!(refused(&register(from, pbx.iax, "zed", "x", ANSWER)));
    security_event(&mut ami, "InvalidAccountID", "zed", from);
    assert!(registered(&register(from, pbx.iax, "b", "bpw", ANSWER)));
    security_event(&mut ami, "SuccessfulAuth", "b", from);
}
