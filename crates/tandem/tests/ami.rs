//! The manager interface (AMI) against raw sockets and against panoramisk, a real AMI client
//! library from PyPI, with sipp making the calls.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tandem_testkit::{free_port, require_tool, sipp, write_config, Daemon, TempDir};

mod common;
use common::ami::{manager_conf, Raw};

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

fn start_daemon(extra: &[(&str, &str)]) -> (TempDir, TempDir, Daemon, u16) {
    let port = free_port();
    let config = TempDir::new();
    let data = TempDir::new();
    let manager = manager_conf(port);
    let mut files = vec![("manager.conf", manager.as_str())];
    files.extend_from_slice(extra);
    if !files.iter().any(|(f, _)| *f == "extensions.conf") {
        files.push(("extensions.conf", "[default]\n"));
    }
    write_config(config.path(), &files);
    let daemon = Daemon::start(&bin(), config.path(), data.path());
    (config, data, daemon, port)
}

#[test]
fn raw_socket_logs_in_with_the_md5_challenge_and_runs_actions() {
    let (_c, _d, daemon, port) = start_daemon(&[]);
    let (mut ami, banner) = Raw::connect(port);
    assert_eq!(banner, "Asterisk Call Manager/9.0.0\r\n");

    ami.send(&["Action: Challenge", "AuthType: MD5", "ActionID: c1"]);
    let challenge = ami.response();
    assert!(
        challenge.starts_with("Response: Success\r\nActionID: c1\r\nChallenge: "),
        "{challenge}"
    );
    let value = challenge
        .lines()
        .find_map(|l| l.strip_prefix("Challenge: "))
        .unwrap()
        .trim()
        .to_string();
    let key = tandem_ami::md5_hex(&value, "amisecret");
    ami.send(&[
        "Action: Login",
        "AuthType: MD5",
        "Username: admin",
        &format!("Key: {key}"),
        "ActionID: l1",
    ]);
    assert_eq!(
        ami.response(),
        "Response: Success\r\nActionID: l1\r\nMessage: Authentication accepted\r\n"
    );
    let booted = ami.message().unwrap();
    assert!(
        booted.starts_with("Event: FullyBooted\r\nPrivilege: system,all\r\n"),
        "{booted}"
    );
    assert!(booted.contains("Status: Fully Booted\r\n"));

    ami.send(&["Action: Ping", "ActionID: p1"]);
    let pong = ami.response();
    assert!(
        pong.starts_with("Response: Success\r\nActionID: p1\r\nPing: Pong\r\nTimestamp: "),
        "{pong}"
    );

    ami.send(&[
        "Action: Command",
        "Command: core show version",
        "ActionID: v",
    ]);
    let version = ami.response();
    assert!(
        version.starts_with(
            "Response: Success\r\nActionID: v\r\nMessage: Command output follows\r\nOutput: tandem "
        ),
        "{version}"
    );

    ami.send(&["Action: Command", "Command: no such thing", "ActionID: n"]);
    let unknown = ami.response();
    assert!(unknown.starts_with("Response: Error\r\nActionID: n\r\nMessage: Command output follows\r\nOutput: No such command"), "{unknown}");

    ami.send(&[
        "Action: DBPut",
        "Family: ami",
        "Key: k1",
        "Val: hello world",
        "ActionID: d1",
    ]);
    assert_eq!(
        ami.response(),
        "Response: Success\r\nActionID: d1\r\nMessage: Updated database successfully\r\n"
    );
    ami.send(&["Action: DBGet", "Family: ami", "Key: k1", "ActionID: d2"]);
    assert_eq!(
        ami.response(),
        "Response: Success\r\nActionID: d2\r\nEventList: start\r\nMessage: Result will follow\r\n"
    );
    assert_eq!(
        ami.message().unwrap(),
        "Event: DBGetResponse\r\nFamily: ami\r\nKey: k1\r\nVal: hello world\r\nActionID: d2\r\n"
    );
    assert_eq!(
        ami.message().unwrap(),
        "Event: DBGetComplete\r\nActionID: d2\r\nEventList: Complete\r\nListItems: 1\r\n"
    );
    // The CLI sees what AMI wrote: the same store.
    let cli = tandem_testkit::run_cli(&bin(), daemon.data(), "database get ami k1");
    assert_eq!(cli, "Value: hello world\n");
    ami.send(&["Action: DBDel", "Family: ami", "Key: k1"]);
    assert_eq!(
        ami.response(),
        "Response: Success\r\nMessage: Key deleted successfully\r\n"
    );
    ami.send(&["Action: DBGet", "Family: ami", "Key: k1"]);
    assert_eq!(
        ami.response(),
        "Response: Error\r\nMessage: Database entry not found\r\n"
    );

    ami.send(&["Action: Setvar", "Variable: GREETING", "Value: hi"]);
    assert_eq!(
        ami.response(),
        "Response: Success\r\nMessage: Variable Set\r\n"
    );
    ami.send(&["Action: Getvar", "Variable: GREETING"]);
    assert_eq!(
        ami.response(),
        "Response: Success\r\nVariable: GREETING\r\nValue: hi\r\n"
    );

    ami.send(&["Action: CoreShowChannels", "ActionID: s"]);
    assert_eq!(
        ami.response(),
        "Response: Success\r\nActionID: s\r\nEventList: start\r\nMessage: Channels will follow\r\n"
    );
    assert_eq!(
        ami.message().unwrap(),
        "Event: CoreShowChannelsComplete\r\nActionID: s\r\nEventList: Complete\r\nListItems: 0\r\n"
    );

    // A channel no driver can create: the synchronous Originate fails.
    ami.send(&[
        "Action: Originate",
        "Channel: Nowhere/x",
        "Exten: 1",
        "ActionID: o",
    ]);
    assert_eq!(
        ami.response(),
        "Response: Error\r\nActionID: o\r\nMessage: Originate failed\r\n"
    );

    ami.send(&["Action: Logoff", "ActionID: bye"]);
    assert_eq!(
        ami.response(),
        "Response: Goodbye\r\nActionID: bye\r\nMessage: Thanks for all the fish.\r\n"
    );
    assert!(ami.at_eof(), "the server closes after Logoff");
}

#[test]
fn plain_secret_logs_in_a_bad_one_is_refused_and_permissions_hold() {
    let (_c, _d, _daemon, port) = start_daemon(&[]);
    let (mut bad, _) = Raw::connect(port);
    bad.send(&[
        "Action: Login",
        "Username: admin",
        "Secret: wrong",
        "ActionID: x",
    ]);
    assert_eq!(
        bad.response(),
        "Response: Error\r\nActionID: x\r\nMessage: Authentication failed\r\n"
    );
    assert!(bad.at_eof(), "a failed login closes the session");

    let (mut early, _) = Raw::connect(port);
    early.send(&["Action: Command", "Command: core show version"]);
    assert_eq!(
        early.response(),
        "Response: Error\r\nMessage: Permission denied\r\n"
    );

    let (mut w, _) = Raw::connect(port);
    w.send(&["Action: Login", "Username: watcher", "Secret: w"]);
    assert!(w.response().contains("Message: Authentication accepted"));
    w.send(&["Action: Command", "Command: core show version"]);
    assert_eq!(
        w.response(),
        "Response: Error\r\nMessage: Permission denied\r\n"
    );
    w.send(&["Action: Nonsense"]);
    assert_eq!(
        w.response(),
        "Response: Error\r\nMessage: Invalid/unknown command: Nonsense. Use Action: ListCommands to show available commands.\r\n"
    );
    // A line longer than Asterisk's buffer gets an error, and the session goes on.
    let long = format!("X: {}", "a".repeat(3000));
    w.send(&["Action: Ping", &long]);
    assert_eq!(
        w.response(),
        "Response: Error\r\nMessage: Line too long\r\n"
    );
    w.send(&["Action: Ping"]);
    assert!(w.response().contains("Ping: Pong"));
}

/// The panoramisk client script, run by the venv's python (`.ci/run` creates it).
struct Panoramisk {
    child: Child,
    stdin: ChildStdin,
    lines: Arc<Mutex<Vec<String>>>,
}

fn python() -> Option<PathBuf> {
    let candidates = [
        std::env::var("TANDEM_PYTHON").ok().map(PathBuf::from),
        Some(PathBuf::from("/opt/tandem-venv/bin/python3")),
    ];
    let found = candidates.into_iter().flatten().find(|p| {
        p.is_file()
            && Command::new(p)
                .args(["-c", "import panoramisk"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
    });
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true: panoramisk must be installed in /opt/tandem-venv (see .ci/run)"
        );
        eprintln!("SKIPPED: no python with panoramisk (/opt/tandem-venv or TANDEM_PYTHON)");
    }
    found
}

impl Panoramisk {
    fn start(python: &Path, port: u16) -> Panoramisk {
        let script = format!(
            "{}/tests/ami/panoramisk_client.py",
            env!("CARGO_MANIFEST_DIR")
        );
        let mut child = Command::new(python)
            .args([
                &script,
                "127.0.0.1",
                &port.to_string(),
                "admin",
                "amisecret",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start python");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Panoramisk {
            child,
            stdin,
            lines,
        }
    }

    fn wait_for(&self, what: impl Fn(&str) -> bool, timeout: Duration) -> String {
        let start = Instant::now();
        loop {
            if let Some(l) = self.lines.lock().unwrap().iter().find(|l| what(l)) {
                return l.clone();
            }
            assert!(
                start.elapsed() < timeout,
                "panoramisk never printed the line; it printed:\n{}",
                self.lines.lock().unwrap().join("\n")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn command(&mut self, line: &str) {
        writeln!(self.stdin, "{line}").unwrap();
        self.stdin.flush().unwrap();
    }
}

impl Drop for Panoramisk {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin, "quit");
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A sipp UAS (sipp's built-in scenario) answering one call on `port`, in a thread.
fn uas(sipp_bin: &Path, port: u16) -> std::thread::JoinHandle<tandem_testkit::SippRun> {
    let sipp_bin = sipp_bin.to_path_buf();
    std::thread::spawn(move || {
        let work = TempDir::new();
        let port = port.to_string();
        sipp(
            &sipp_bin,
            work.path(),
            &["-sn", "uas", "-m", "1", "-i", "127.0.0.1", "-p", &port],
            Duration::from_secs(90),
        )
    })
}

#[test]
fn panoramisk_sees_a_sipp_call_and_originates_a_call_sipp_answers() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let Some(python) = python() else {
        return;
    };
    let (sip_port, uac_port, uas_port) = (free_port(), free_port(), free_port());
    let sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={sip_port}\ncontext=public\n\n\
         [uac]\ntype=friend\nhost=127.0.0.1\nport={uac_port}\ninsecure=invite\ncontext=internal\n\n\
         [uas]\ntype=peer\nhost=127.0.0.1\nport={uas_port}\ncontext=internal\n\n\
         [alice]\ntype=friend\nhost=dynamic\nsecret=alicepw\ncontext=internal\n"
    );
    let extensions = "[internal]\n\
        exten => 100,1,Dial(SIP/uas,20)\n same => n,Hangup()\n\
        exten => 200,1,Answer()\n same => n,Wait(30)\n same => n,Hangup()\n";
    let (_c, _d, _daemon, ami_port) = start_daemon(&[
        ("sip.conf", &sip),
        ("extensions.conf", extensions),
        ("rtp.conf", "[general]\nrtpstart=47000\nrtpend=47998\n"),
    ]);
    let mut client = Panoramisk::start(&python, ami_port);
    let login = client.wait_for(|l| l.starts_with("LOGGED IN"), Duration::from_secs(20));
    assert_eq!(login, "LOGGED IN version=9.0.0");

    // A phone registers: PeerStatus.
    let work = TempDir::new();
    let reg = sipp(
        &sipp_bin,
        work.path(),
        &[
            "-sf",
            &format!("{}/tests/sipp/register_ok.xml", env!("CARGO_MANIFEST_DIR")),
            "-m",
            "1",
            "-s",
            "alice",
            "-au",
            "alice",
            "-ap",
            "alicepw",
            "-i",
            "127.0.0.1",
            "-p",
            &free_port().to_string(),
            &format!("127.0.0.1:{sip_port}"),
        ],
        Duration::from_secs(60),
    );
    assert_eq!(reg.code, Some(0), "sipp register: {reg:?}");
    let status = client.wait_for(
        |l| l.starts_with("EVENT PeerStatus "),
        Duration::from_secs(20),
    );
    assert!(
        status.contains("Peer=SIP/alice;PeerStatus=Registered"),
        "{status}"
    );
    assert!(status.contains("Address=127.0.0.1:"), "{status}");
    assert!(status.contains("ChannelType=SIP"), "{status}");

    // A call from the sipp UAC through tandem to the sipp UAS.
    let callee = uas(&sipp_bin, uas_port);
    let uac_bin = sipp_bin.clone();
    let caller = std::thread::spawn(move || {
        let work = TempDir::new();
        sipp(
            &uac_bin,
            work.path(),
            &[
                "-sn",
                "uac",
                "-s",
                "100",
                "-d",
                "3000",
                "-m",
                "1",
                "-i",
                "127.0.0.1",
                "-p",
                &uac_port.to_string(),
                &format!("127.0.0.1:{sip_port}"),
            ],
            Duration::from_secs(90),
        )
    });
    let t = Duration::from_secs(20);
    // While the call is up, CoreShowChannels lists both legs.
    client.wait_for(
        |l| l.starts_with("EVENT BridgeEnter ") && l.contains("Channel=SIP/uas-"),
        t,
    );
    let (mut raw, _) = Raw::connect(ami_port);
    raw.send(&[
        "Action: Login",
        "Username: admin",
        "Secret: amisecret",
        "Events: off",
    ]);
    assert!(raw.response().contains("Authentication accepted"));
    raw.send(&["Action: CoreShowChannels", "ActionID: live"]);
    assert!(raw.response().contains("EventList: start"));
    let mut listed = Vec::new();
    loop {
        let m = raw.message().expect("CoreShowChannels events");
        if m.starts_with("Event: CoreShowChannelsComplete") {
            assert!(m.contains("ListItems: 2\r\n"), "{m}");
            break;
        }
        if m.starts_with("Event: CoreShowChannel\r\n") {
            listed.push(m);
        }
    }
    assert_eq!(listed.len(), 2, "{listed:?}");
    let uac = listed
        .iter()
        .find(|m| m.contains("Channel: SIP/uac-"))
        .expect("the caller");
    assert!(uac.contains("ActionID: live\r\n"), "{uac}");
    assert!(uac.contains("ChannelStateDesc: Up\r\n"), "{uac}");
    assert!(
        uac.contains("Application: Dial\r\nApplicationData: SIP/uas,20\r\n"),
        "{uac}"
    );
    assert!(
        listed.iter().any(|m| m.contains("Channel: SIP/uas-")),
        "{listed:?}"
    );
    raw.send(&["Action: Status", "ActionID: st"]);
    assert!(raw
        .response()
        .contains("Message: Channel status will follow"));
    let mut statuses = 0;
    loop {
        let m = raw.message().expect("Status events");
        if m.starts_with("Event: StatusComplete") {
            assert!(m.contains("ListItems: 2\r\nItems: 2\r\n"), "{m}");
            break;
        }
        statuses += usize::from(m.starts_with("Event: Status\r\n"));
    }
    assert_eq!(statuses, 2);
    drop(raw);
    let caller = caller.join().unwrap();
    assert_eq!(caller.code, Some(0), "sipp uac: {caller:?}");
    assert_eq!(callee.join().unwrap().code, Some(0), "sipp uas");
    let newchannel = client.wait_for(
        |l| l.starts_with("EVENT Newchannel ") && l.contains("Channel=SIP/uac-"),
        t,
    );
    assert!(newchannel.contains("Exten=100"), "{newchannel}");
    assert!(newchannel.contains("Context=internal"), "{newchannel}");
    assert!(newchannel.contains("Privilege=call,all"), "{newchannel}");
    let dial = client.wait_for(|l| l.starts_with("EVENT DialBegin "), t);
    assert!(dial.contains("DestChannel=SIP/uas-"), "{dial}");
    assert!(dial.contains("DialString=uas"), "{dial}");
    client.wait_for(
        |l| l.starts_with("EVENT DialEnd ") && l.contains("DialStatus=ANSWER"),
        t,
    );
    client.wait_for(
        |l| l.starts_with("EVENT BridgeEnter ") && l.contains("Channel=SIP/uac-"),
        t,
    );
    client.wait_for(
        |l| l.starts_with("EVENT BridgeEnter ") && l.contains("Channel=SIP/uas-"),
        t,
    );
    let hangup = client.wait_for(
        |l| l.starts_with("EVENT Hangup ") && l.contains("Channel=SIP/uac-"),
        t,
    );
    assert!(
        hangup.contains("Cause=16;Cause-txt=Normal Clearing"),
        "{hangup}"
    );
    assert!(
        hangup.contains("ChannelState=6;ChannelStateDesc=Up"),
        "{hangup}"
    );
    client.wait_for(
        |l| l.starts_with("EVENT Hangup ") && l.contains("Channel=SIP/uas-"),
        t,
    );
    client.wait_for(
        |l| l.starts_with("EVENT Newexten ") && l.contains("Application=Dial"),
        t,
    );

    // Originate: tandem calls the sipp UAS and runs 200@internal once it answers.
    let callee = uas(&sipp_bin, uas_port);
    client.command("originate SIP/uas internal 200");
    let answer = client.wait_for(|l| l.starts_with("ORIGINATE "), Duration::from_secs(30));
    assert_eq!(answer, "ORIGINATE Success 4");
    let waiting = client.wait_for(
        |l| {
            l.starts_with("EVENT Newexten ")
                && l.contains("Exten=200")
                && l.contains("Application=Wait")
        },
        t,
    );
    let channel = waiting
        .split(';')
        .find_map(|f| f.strip_prefix("Channel="))
        .expect("Channel= in Newexten")
        .to_string();
    assert!(channel.starts_with("SIP/uas-"), "{waiting}");
    assert!(waiting.contains("CallerIDNum=4242"), "{waiting}");
    // Getvar of a dialplan function, as ${CALLERID(name)} reads it there.
    client.command(&format!("getvar {channel} CALLERID(name)"));
    let getvar = client.wait_for(|l| l.starts_with("GETVAR "), t);
    assert_eq!(getvar, "GETVAR Success AMI");

    // The Hangup action ends it: the sipp UAS gets its BYE.
    let (mut raw, _) = Raw::connect(ami_port);
    raw.send(&[
        "Action: Login",
        "Username: admin",
        "Secret: amisecret",
        "Events: off",
    ]);
    assert!(raw.response().contains("Authentication accepted"));
    raw.send(&[
        "Action: Hangup",
        &format!("Channel: {channel}"),
        "ActionID: h",
    ]);
    assert_eq!(
        raw.response(),
        "Response: Success\r\nActionID: h\r\nMessage: Channel Hungup\r\n"
    );
    raw.send(&["Action: Hangup", "Channel: SIP/nobody-00000000"]);
    assert_eq!(
        raw.response(),
        "Response: Error\r\nMessage: No such channel\r\n"
    );
    let run = callee.join().unwrap();
    assert_eq!(
        run.code,
        Some(0),
        "sipp uas answering the originated call: {run:?}"
    );
    client.wait_for(
        |l| l.starts_with("EVENT Hangup ") && l.contains(&format!("Channel={channel};")),
        t,
    );
}

#[test]
fn failed_and_successful_logins_are_security_events() {
    let (_c, _d, _daemon, port) = start_daemon(&[]);
    let mut admin = Raw::admin(port, "security");
    let t = Duration::from_secs(20);
    let login = |lines: &[&str]| {
        let (mut raw, _) = Raw::connect(port);
        raw.send(lines);
        raw.response()
    };
    let is = |name: &str, account: &str| {
        let head = format!("Event: {name}\r\nPrivilege: security,all\r\nEventTV: ");
        let account = format!("\r\nAccountID: {account}\r\n");
        move |m: &str| m.starts_with(&head) && m.contains(&account)
    };

    login(&["Action: Login", "Username: admin", "Secret: wrong"]);
    let ev = admin.event(is("InvalidPassword", "admin"), t);
    assert!(
        ev.contains("\r\nSeverity: Error\r\nService: AMI\r\nEventVersion: 2\r\nAccountID: admin\r\nSessionID: 0x"),
        "{ev}"
    );
    assert!(
        ev.contains(&format!(
            "\r\nLocalAddress: IPV4/TCP/127.0.0.1/{port}\r\nRemoteAddress: IPV4/TCP/127.0.0.1/"
        )),
        "{ev}"
    );

    login(&["Action: Login", "Username: mallory", "Secret: x"]);
    let ev = admin.event(is("InvalidAccountID", "mallory"), t);
    assert!(
        ev.contains("\r\nEventVersion: 1\r\nAccountID: mallory\r\n"),
        "{ev}"
    );

    let (mut md5, _) = Raw::connect(port);
    let challenge = md5.action(&["Action: Challenge", "AuthType: MD5"]);
    let challenge = common::ami::header(&challenge, "Challenge")
        .unwrap()
        .to_string();
    md5.send(&[
        "Action: Login",
        "AuthType: MD5",
        "Username: admin",
        "Key: 0123",
    ]);
    assert!(md5.response().contains("Authentication failed"));
    let ev = admin.event(is("ChallengeResponseFailed", "admin"), t);
    let expected = tandem_ami::md5_hex(&challenge, "amisecret");
    assert!(
        ev.ends_with(&format!(
            "Challenge: {challenge}\r\nResponse: 0123\r\nExpectedResponse: {expected}\r\n"
        )),
        "{ev}"
    );

    let ok = login(&["Action: Login", "Username: watcher", "Secret: w"]);
    assert!(ok.contains("Authentication accepted"), "{ok}");
    let ev = admin.event(is("SuccessfulAuth", "watcher"), t);
    assert!(ev.contains("\r\nSeverity: Informational\r\n"), "{ev}");
}
