//! The SIP defences against real attack tools: SIPVicious (svmap, svwar, svcrack; PyPI
//! `sipvicious`, installed by .ci/run) and a sipp request flood.
//!
//! Each test runs its own daemon, so one test's ban never hits another. svwar and svcrack
//! ignore their `-b` option (sipvicious 0.3.8 never passes it to the socket), so they always
//! come from 127.0.0.1; the flood comes from 127.0.0.3 (all of 127/8 is loopback on Linux)
//! while a legitimate call comes from 127.0.0.1.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use tandem_testkit::{free_port, require_tool, run_cli, sipp, write_config, Daemon, TempDir};

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

fn scenario(name: &str) -> String {
    format!("{}/tests/sipp/{name}", env!("CARGO_MANIFEST_DIR"))
}

const ALICE_PASSWORD: &str = "Tr0ub4dor3x";

/// Two real users, alice and bob.
const USERS: &str = "[alice]\ntype=friend\nhost=dynamic\nsecret=Tr0ub4dor3x\ncontext=internal\n\n\
                     [bob]\ntype=friend\nhost=dynamic\nsecret=c0rrect-h0rse\ncontext=internal\n";

fn start(general_extra: &str, peers: &str, extensions: &str) -> (TempDir, TempDir, Daemon, u16) {
    let port = free_port();
    let config = TempDir::new();
    let data = TempDir::new();
    let sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=public\n{general_extra}\n{peers}"
    );
    write_config(
        config.path(),
        &[("extensions.conf", extensions), ("sip.conf", &sip)],
    );
    let daemon = Daemon::start(&bin(), config.path(), data.path());
    (config, data, daemon, port)
}

/// Run one SIPVicious tool, bounded; stdout and stderr together.
fn sipvicious(tool: &Path, args: &[&str], dir: &Path) -> String {
    let out = Command::new("timeout")
        .args(["-k", "5", "90"])
        .arg(tool)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run sipvicious");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Wait until the daemon's log has `needle`.
fn wait_log(daemon: &Daemon, needle: &str, timeout: Duration) -> Result<(), String> {
    daemon.wait_log(needle, timeout).map(|_| ())
}

fn tools() -> Option<(PathBuf, PathBuf, PathBuf)> {
    let map = require_tool("sipvicious_svmap")?;
    let war = require_tool("sipvicious_svwar")?;
    let crack = require_tool("sipvicious_svcrack")?;
    Some((map, war, crack))
}

/// An extension list with the real users among guesses, and a password list with the real
/// password late in it.
fn wordlists(dir: &Path) -> (String, String) {
    let users = dir.join("users.txt");
    std::fs::write(&users, "1000\n100\nalice\nadmin\nbob\n200\n").unwrap();
    let words = dir.join("words.txt");
    let mut list: Vec<String> = (1..=40).map(|n| format!("guess{n}")).collect();
    list.push(ALICE_PASSWORD.to_string());
    std::fs::write(&words, list.join("\n") + "\n").unwrap();
    (
        users.to_string_lossy().into_owned(),
        words.to_string_lossy().into_owned(),
    )
}

fn assert_no_answer(what: &str, output: &str, daemon: &Daemon) {
    assert!(output.contains("found nothing"), "{what}: {output}");
    assert!(
        !output.contains("SIP/2.0"),
        "{what} got an answer: {output}"
    );
    assert!(!daemon.stderr_text().contains("SIP REGISTER ok"), "{what}");
}

#[test]
fn with_the_defaults_svmap_svwar_and_svcrack_get_no_answer_and_are_banned() {
    let Some((map, war, crack)) = tools() else {
        return;
    };
    let (_c, data, daemon, port) = start("", USERS, "[internal]\n");
    let work = TempDir::new();
    let (users, words) = wordlists(work.path());
    let port_s = port.to_string();
    let runs: [(&str, &Path, Vec<&str>); 3] = [
        ("svmap", &map, vec!["-p", &port_s, "127.0.0.1"]),
        (
            "svwar",
            &war,
            vec!["--force", "-p", &port_s, "-d", &users, "127.0.0.1"],
        ),
        (
            "svcrack",
            &crack,
            vec!["-p", &port_s, "-u", "alice", "-d", &words, "127.0.0.1"],
        ),
    ];
    for (n, (name, tool, args)) in runs.iter().enumerate() {
        let out = sipvicious(tool, args, work.path());
        assert_no_answer(name, &out, &daemon);
        // This tool's own ban: the (n+1)th ban line, not the first tool's.
        daemon
            .wait_log_nth(
                &["SECURITY[ban] remote=127.0.0.1 reason=scanner"],
                n + 1,
                Duration::from_secs(30),
            )
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        daemon
            .wait_log_nth(
                &["SECURITY[scanner] remote=127.0.0.1"],
                n + 1,
                Duration::from_secs(30),
            )
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let bans = run_cli(&bin(), data.path(), "security show bans");
        assert!(
            bans.contains("127.0.0.1") && bans.contains("scanner"),
            "{name}: {bans}"
        );
        assert!(bans.contains("1 active ban"), "{name}: {bans}");
        let log = daemon.stderr_text();
        assert_eq!(
            log.matches("SECURITY[scanner] remote=127.0.0.1").count(),
            n + 1,
            "{name}: {log}"
        );
        // Lift the ban so that the next tool is met by the scanner check, not the ban.
        let lifted = run_cli(&bin(), data.path(), "security unban 127.0.0.1");
        assert_eq!(lifted, "127.0.0.1 unbanned\n");
    }
    let log = daemon.stderr_text();
    assert!(
        !log.contains("auth_failure"),
        "scanners never reached authentication: {log}"
    );
}

#[test]
fn without_blockscanners_svwar_finds_no_user_and_svcrack_is_banned_before_the_password() {
    let Some((_, war, crack)) = tools() else {
        return;
    };
    let (_c, data, daemon, port) = start("blockscanners=no\n", USERS, "[internal]\n");
    let work = TempDir::new();
    let (users, words) = wordlists(work.path());
    let port_s = port.to_string();
    for method in ["REGISTER", "INVITE", "OPTIONS"] {
        let out = sipvicious(
            &war,
            &[
                "--force",
                "-m",
                method,
                "-p",
                &port_s,
                "-d",
                &users,
                "127.0.0.1",
            ],
            work.path(),
        );
        assert!(
            out.contains("found nothing"),
            "svwar -m {method} enumerated users: {out}"
        );
        for user in ["alice", "bob"] {
            assert!(
                !out.contains(&format!("| {user} ")),
                "svwar -m {method} found {user}: {out}"
            );
        }
    }
    let log = daemon.stderr_text();
    assert!(
        !log.contains("SECURITY[ban]"),
        "svwar alone is not banned: {log}"
    );

    let out = sipvicious(
        &crack,
        &["-p", &port_s, "-u", "alice", "-d", &words, "127.0.0.1"],
        work.path(),
    );
    assert!(out.contains("found nothing"), "svcrack: {out}");
    assert!(
        !out.contains(ALICE_PASSWORD),
        "svcrack found the password: {out}"
    );
    wait_log(
        &daemon,
        "SECURITY[ban] remote=127.0.0.1 reason=auth_failures count=5",
        Duration::from_secs(10),
    )
    .unwrap();
    let log = daemon.stderr_text();
    assert_eq!(
        log.matches("SECURITY[auth_failure] remote=127.0.0.1 method=REGISTER user=alice")
            .count(),
        5,
        "banned within autoban_failures attempts: {log}"
    );
    assert!(!log.contains("SIP REGISTER ok"), "{log}");
    let bans = run_cli(&bin(), data.path(), "security show bans");
    assert!(
        bans.contains("127.0.0.1") && bans.contains("auth_failures"),
        "{bans}"
    );
}

#[test]
fn a_request_flood_from_one_address_is_banned_while_another_still_calls() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let caller_port = free_port();
    // The legitimate phone is a static peer on 127.0.0.1; the flood comes from 127.0.0.3.
    let peers = format!(
        "[phone]\ntype=friend\nhost=127.0.0.1\nport={caller_port}\ninsecure=invite\ncontext=internal\n"
    );
    let (_c, data, daemon, port) = start(
        "autoban_rate=100\n",
        &peers,
        "[internal]\nexten => 100,1,Answer()\n same => n,Wait(1)\n same => n,Hangup()\n",
    );
    let server = format!("127.0.0.1:{port}");
    let flood = {
        let (sipp_bin, server) = (sipp_bin.clone(), server.clone());
        std::thread::spawn(move || {
            let work = TempDir::new();
            let local = free_port().to_string();
            // 400 OPTIONS a second (the limit is 100 sustained for 5 s), 4000 at most.
            sipp(
                &sipp_bin,
                work.path(),
                &[
                    "-sf",
                    &scenario("options.xml"),
                    "-r",
                    "400",
                    "-m",
                    "4000",
                    "-l",
                    "4000",
                    "-recv_timeout",
                    "2000",
                    "-i",
                    "127.0.0.3",
                    "-p",
                    &local,
                    &server,
                ],
                Duration::from_secs(60),
            )
        })
    };
    wait_log(
        &daemon,
        "SECURITY[ban] remote=127.0.0.3 reason=rate",
        Duration::from_secs(30),
    )
    .unwrap();
    // The flood goes on (dropped); a call from the phone still completes.
    let work = TempDir::new();
    let call = sipp(
        &sipp_bin,
        work.path(),
        &[
            "-sn",
            "uac",
            "-s",
            "100",
            "-m",
            "1",
            "-i",
            "127.0.0.1",
            "-p",
            &caller_port.to_string(),
            &server,
        ],
        Duration::from_secs(60),
    );
    assert_eq!(
        call.code,
        Some(0),
        "the call during the flood: {call:?}\n{}",
        daemon.stderr_text()
    );
    let flood = flood.join().expect("flood thread");
    assert_ne!(
        flood.code,
        Some(0),
        "the flood should have lost answers: {flood:?}"
    );
    let bans = run_cli(&bin(), data.path(), "security show bans");
    assert!(
        bans.contains("127.0.0.3") && bans.contains("rate"),
        "{bans}"
    );
    assert!(!bans.contains("127.0.0.1 "), "the phone was banned: {bans}");
    assert!(bans.contains("1 active ban"), "{bans}");
}

/// Over TCP (no SIPVicious there): an ordinary OPTIONS is answered; a scanner's gets no
/// answer, its connection is closed and its source banned; the banned source's next
/// connection is closed unanswered.
#[test]
fn over_tcp_a_scanner_loses_its_connection_unanswered_and_is_banned() {
    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpStream};
    let tcp_port = free_port();
    let (_c, data, daemon, port) = start(
        &format!("tcpenable=yes\ntcpbindaddr=127.0.0.1:{tcp_port}\n"),
        USERS,
        "[internal]\n",
    );
    let server: SocketAddr = format!("127.0.0.1:{tcp_port}").parse().unwrap();
    let options = |from: &str, agent: &str| {
        format!(
            "OPTIONS sip:127.0.0.1:{port} SIP/2.0\r\nVia: SIP/2.0/TCP {from}:5060;branch=z9hG4bK-{agent}\r\n\
             From: <sip:probe@{from}>;tag=1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: {agent}@{from}\r\nCSeq: 1 OPTIONS\r\n\
             Max-Forwards: 70\r\nUser-Agent: {agent}\r\nContent-Length: 0\r\n\r\n"
        )
    };
    // std cannot pick a TCP client's source address: both come from 127.0.0.1, the
    // ordinary client first.
    let connect = || TcpStream::connect_timeout(&server, Duration::from_secs(5)).expect("connect");
    let mut ok = connect();
    ok.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    ok.write_all(options("127.0.0.1", "baresip").as_bytes())
        .unwrap();
    let mut buf = [0u8; 2048];
    let n = ok.read(&mut buf).expect("an answer");
    assert!(
        String::from_utf8_lossy(&buf[..n]).starts_with("SIP/2.0 200"),
        "{}",
        String::from_utf8_lossy(&buf[..n])
    );
    drop(ok);

    let mut scan = connect();
    scan.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    scan.write_all(options("127.0.0.1", "friendly-scanner").as_bytes())
        .unwrap();
    let got = scan.read(&mut buf).unwrap_or(0);
    assert_eq!(
        got,
        0,
        "the scanner got an answer: {}",
        String::from_utf8_lossy(&buf[..got])
    );
    wait_log(
        &daemon,
        "SECURITY[ban] remote=127.0.0.1 reason=scanner",
        Duration::from_secs(10),
    )
    .unwrap();
    let bans = run_cli(&bin(), data.path(), "security show bans");
    assert!(bans.contains("127.0.0.1"), "{bans}");

    // Banned: the next connection is closed without reading anything.
    let mut again = connect();
    again
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let _ = again.write_all(options("127.0.0.1", "baresip").as_bytes());
    assert_eq!(
        again.read(&mut buf).unwrap_or(0),
        0,
        "a banned source was answered"
    );
}
