//! SIP against sipp, a client nobody here wrote.

use std::path::PathBuf;
use std::time::Duration;

use tandem_testkit::{free_port, require_tool, sipp, write_config, Daemon, TempDir};

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

fn scenario(name: &str) -> String {
    format!("{}/tests/sipp/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A daemon with `sip.conf` on a free loopback port.
fn start(sip_extra: &str, extensions: &str) -> (TempDir, TempDir, Daemon, u16) {
    let port = free_port();
    let config = TempDir::new();
    let data = TempDir::new();
    let sip =
        format!("[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=public\n\n{sip_extra}");
    write_config(
        config.path(),
        &[("extensions.conf", extensions), ("sip.conf", &sip)],
    );
    let daemon = Daemon::start(&bin(), config.path(), data.path());
    (config, data, daemon, port)
}

#[test]
fn sipp_options_ping_gets_200_with_allow() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (_c, _d, _daemon, port) = start("", "[public]\n");
    let work = TempDir::new();
    let local = free_port().to_string();
    let run = sipp(
        &sipp_bin,
        work.path(),
        &[
            "-sf",
            &scenario("options.xml"),
            "-m",
            "3",
            "-i",
            "127.0.0.1",
            "-p",
            &local,
            &format!("127.0.0.1:{port}"),
        ],
        Duration::from_secs(60),
    );
    assert_eq!(run.code, Some(0), "sipp failed: {run:?}");
}

const PHONES: &str = "[alice]\ntype=friend\nhost=dynamic\nsecret=alicepw\ncontext=internal\n";

/// Run a REGISTER scenario as `user`/`password`; returns the sipp run and its message log.
fn register(
    sipp_bin: &std::path::Path,
    port: u16,
    scenario_file: &str,
    user: &str,
    password: &str,
) -> (tandem_testkit::SippRun, String) {
    let work = TempDir::new();
    let local = free_port().to_string();
    let run = sipp(
        sipp_bin,
        work.path(),
        &[
            "-sf",
            &scenario(scenario_file),
            "-m",
            "1",
            "-s",
            user,
            "-au",
            user,
            "-ap",
            password,
            "-i",
            "127.0.0.1",
            "-p",
            &local,
            "-trace_msg",
            &format!("127.0.0.1:{port}"),
        ],
        Duration::from_secs(60),
    );
    let log = messages_log(work.path());
    (run, log)
}

/// The `-trace_msg` log sipp left in `dir`.
fn messages_log(dir: &std::path::Path) -> String {
    let mut log = String::new();
    for e in std::fs::read_dir(dir).expect("sipp dir").flatten() {
        if e.file_name().to_string_lossy().ends_with("_messages.log") {
            log = std::fs::read_to_string(e.path()).unwrap_or_default();
        }
    }
    log
}

/// The status line and header names of the last response with `status` in a sipp message log.
fn last_response_shape(log: &str, status: u16) -> Vec<String> {
    let start = format!("SIP/2.0 {status}");
    let Some(at) = log.rfind(&start) else {
        return Vec::new();
    };
    log[at..]
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(|l| l.split(':').next().unwrap_or(l).trim().to_string())
        .collect()
}

#[test]
fn sipp_registers_with_md5_digest_and_the_peer_shows_where_it_is() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (_c, data, mut daemon, port) = start(PHONES, "[internal]\n");
    let (run, _) = register(&sipp_bin, port, "register_ok.xml", "alice", "alicepw");
    assert_eq!(run.code, Some(0), "register failed: {run:?}");
    let peers = tandem_testkit::run_cli(&bin(), data.path(), "sip show peers");
    let alice = peers
        .lines()
        .find(|l| l.starts_with("alice/alice"))
        .unwrap_or_else(|| panic!("alice row in:\n{peers}"));
    assert!(alice.contains("127.0.0.1"), "{alice}");
    assert!(
        peers.contains(
            "1 sip peers [Monitored: 0 online, 0 offline Unmonitored: 1 online, 0 offline]"
        ),
        "{peers}"
    );
    // A restart keeps the registration (it is in the store).
    daemon
        .terminate(Duration::from_secs(30))
        .expect("daemon stops");
    let again = Daemon::start(&bin(), _c.path(), data.path());
    let peers = tandem_testkit::run_cli(&bin(), data.path(), "sip show peers");
    assert!(
        peers
            .lines()
            .any(|l| l.starts_with("alice/alice") && l.contains("127.0.0.1")),
        "after restart:\n{peers}"
    );
    drop(again);
}

#[test]
fn wrong_password_and_unknown_user_get_identical_answers() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (_c, _d, _daemon, port) = start(PHONES, "[internal]\n");
    let (wrong, wrong_log) = register(
        &sipp_bin,
        port,
        "register_fail.xml",
        "alice",
        "not-the-password",
    );
    assert_eq!(wrong.code, Some(0), "wrong password: {wrong:?}");
    let (unknown, unknown_log) =
        register(&sipp_bin, port, "register_fail.xml", "mallory", "whatever");
    assert_eq!(unknown.code, Some(0), "unknown user: {unknown:?}");
    let (a, b) = (
        last_response_shape(&wrong_log, 403),
        last_response_shape(&unknown_log, 403),
    );
    assert!(!a.is_empty(), "no 403 in the log:\n{wrong_log}");
    assert_eq!(a, b, "the 403s differ in shape");
    let (a, b) = (
        last_response_shape(&wrong_log, 401),
        last_response_shape(&unknown_log, 401),
    );
    assert!(!a.is_empty());
    assert_eq!(a, b, "the 401 challenges differ in shape");
}

/// A sipp UAS answering one call on `port`, in a thread; join it for its result.
fn uas(
    sipp_bin: &std::path::Path,
    port: u16,
    scenario_name: &str,
) -> std::thread::JoinHandle<(tandem_testkit::SippRun, String)> {
    let sipp_bin = sipp_bin.to_path_buf();
    let scenario_name = scenario_name.to_string();
    std::thread::spawn(move || {
        let work = TempDir::new();
        let port = port.to_string();
        let args: Vec<&str> = if scenario_name.ends_with(".xml") {
            vec!["-sf", &scenario_name]
        } else {
            vec!["-sn", &scenario_name]
        };
        let mut all = args.clone();
        all.extend(["-m", "1", "-i", "127.0.0.1", "-p", &port, "-trace_msg"]);
        let run = sipp(&sipp_bin, work.path(), &all, Duration::from_secs(90));
        (run, messages_log(work.path()))
    })
}

fn trunk_conf(uac_port: u16, uas_port: u16) -> String {
    format!(
        "[uac]\ntype=friend\nhost=127.0.0.1\nport={uac_port}\ninsecure=invite\ncontext=internal\n\n\
         [uas]\ntype=peer\nhost=127.0.0.1\nport={uas_port}\ncontext=internal\n\
         ; hold passed on as a re-INVITE rather than music on hold (chan_sip passthrough)\n\
         mohinterpret=passthrough\n"
    )
}

const DIALPLAN: &str = "\
[internal]
exten => 100,1,Dial(SIP/uas,20)
 same => n,Hangup()
exten => _9.,1,Dial(SIP/${EXTEN:1}@uas,30,r)
 same => n,Hangup()
";

fn call(
    sipp_bin: &std::path::Path,
    port: u16,
    uac_port: u16,
    exten: &str,
) -> tandem_testkit::SippRun {
    call_for(sipp_bin, port, uac_port, exten, 0)
}

/// The built-in sipp UAC, staying in the call `ms` milliseconds before its BYE.
fn call_for(
    sipp_bin: &std::path::Path,
    port: u16,
    uac_port: u16,
    exten: &str,
    ms: u32,
) -> tandem_testkit::SippRun {
    let work = TempDir::new();
    let (uac_port, ms, server) = (
        uac_port.to_string(),
        ms.to_string(),
        format!("127.0.0.1:{port}"),
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
            "1",
            "-i",
            "127.0.0.1",
            "-p",
            &uac_port,
            &server,
        ],
        Duration::from_secs(90),
    )
}

#[test]
fn sipp_uac_calls_sipp_uas_through_tandem_by_extension() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (uac_port, uas_port) = (free_port(), free_port());
    let (_c, data, daemon, port) = start(&trunk_conf(uac_port, uas_port), DIALPLAN);
    let callee = uas(&sipp_bin, uas_port, "uas");
    let sipp_for_caller = sipp_bin.clone();
    let caller =
        std::thread::spawn(move || call_for(&sipp_for_caller, port, uac_port, "100", 10_000));
    // While the call is up, both legs show in `sip show channels` (bounded wait). The call
    // lasts 10 s: on a loaded machine each `tandem cli` may take a while, and the checks after
    // the wait must still find the call up.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mut channels = String::new();
    while std::time::Instant::now() < deadline {
        channels = tandem_testkit::run_cli(&bin(), data.path(), "sip show channels");
        if channels.contains("2 active SIP dialogs") {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        channels.contains("2 active SIP dialogs") && channels.contains("(ulaw)"),
        "{channels}"
    );
    let core = tandem_testkit::run_cli(&bin(), data.path(), "core show channels");
    assert!(
        core.contains("2 active channels") && core.contains("1 active call\n"),
        "{core}"
    );
    assert!(
        core.lines().any(|l| l.starts_with("SIP/uac-")
            && l.contains("100@internal:1")
            && l.contains("Dial(SIP/uas,20)")),
        "{core}"
    );
    assert!(
        core.lines()
            .any(|l| l.starts_with("SIP/uas-") && l.contains("AppDial((Outgoing Line))")),
        "{core}"
    );
    let caller = caller.join().expect("uac thread");
    let (callee, log) = callee.join().expect("uas thread");
    assert_eq!(
        caller.code,
        Some(0),
        "caller: {caller:?}\n{}",
        daemon.stderr_text()
    );
    assert_eq!(
        callee.code,
        Some(0),
        "callee: {callee:?}\n{}",
        daemon.stderr_text()
    );
    assert!(
        log.contains("INVITE sip:uas@127.0.0.1"),
        "the peer is called by name:\n{log}"
    );
    assert!(
        log.contains("BYE sip:"),
        "the callee got the caller's hangup:\n{log}"
    );
}

#[test]
fn sipp_uac_dials_out_through_a_9_pattern_to_a_trunk() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (uac_port, uas_port) = (free_port(), free_port());
    let (_c, _d, daemon, port) = start(&trunk_conf(uac_port, uas_port), DIALPLAN);
    let callee = uas(&sipp_bin, uas_port, "uas");
    let caller = call(&sipp_bin, port, uac_port, "95551234");
    let (callee, log) = callee.join().expect("uas thread");
    assert_eq!(
        caller.code,
        Some(0),
        "caller: {caller:?}\n{}",
        daemon.stderr_text()
    );
    assert_eq!(
        callee.code,
        Some(0),
        "callee: {callee:?}\n{}",
        daemon.stderr_text()
    );
    assert!(
        log.contains("INVITE sip:5551234@127.0.0.1"),
        "the number after 9 reached the trunk:\n{log}"
    );
}

fn uac_scenario(
    sipp_bin: &std::path::Path,
    port: u16,
    uac_port: u16,
    exten: &str,
    file: &str,
) -> tandem_testkit::SippRun {
    let work = TempDir::new();
    sipp(
        sipp_bin,
        work.path(),
        &[
            "-sf",
            &scenario(file),
            "-s",
            exten,
            "-m",
            "1",
            "-i",
            "127.0.0.1",
            "-p",
            &uac_port.to_string(),
            &format!("127.0.0.1:{port}"),
        ],
        Duration::from_secs(90),
    )
}

#[test]
fn a_busy_callee_gives_dialstatus_busy_and_the_caller_gets_486() {
    let plan =
        "[internal]\nexten => 300,1,Dial(SIP/uas,20)\n same => n,NoOp(status ${DIALSTATUS})\n";
    // The caller's scenario expects the 486.
    let Some(daemon) = caller_meets_callee(plan, "uas_busy.xml", "uac_busy.xml", "300") else {
        return;
    };
    // The dialplan goes on after the 486 reached the caller: wait for its end.
    if let Err(e) = daemon.wait_log("status is 'BUSY'", Duration::from_secs(30)) {
        panic!("{e}");
    }
}

#[test]
fn dial_rings_two_phones_one_answers_the_other_gets_cancel() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (uac_port, ring_port, answer_port) = (free_port(), free_port(), free_port());
    let sip = format!(
        "[uac]\ntype=friend\nhost=127.0.0.1\nport={uac_port}\ninsecure=invite\ncontext=internal\n\n\
         [ringer]\ntype=peer\nhost=127.0.0.1\nport={ring_port}\n\n\
         [answerer]\ntype=peer\nhost=127.0.0.1\nport={answer_port}\n"
    );
    let plan =
        "[internal]\nexten => 6245,1,Dial(SIP/ringer&SIP/answerer,20,rtT)\n same => n,Hangup()\n";
    let (_c, _d, daemon, port) = start(&sip, plan);
    let ringer = uas(&sipp_bin, ring_port, &scenario("uas_ring_cancel.xml"));
    let answerer = uas(&sipp_bin, answer_port, "uas");
    let caller = call(&sipp_bin, port, uac_port, "6245");
    let (ringer, ring_log) = ringer.join().expect("ringer");
    let (answerer, _) = answerer.join().expect("answerer");
    assert_eq!(
        caller.code,
        Some(0),
        "caller: {caller:?}\n{}",
        daemon.stderr_text()
    );
    assert_eq!(
        answerer.code,
        Some(0),
        "answerer: {answerer:?}\n{}",
        daemon.stderr_text()
    );
    assert_eq!(
        ringer.code,
        Some(0),
        "ringer: {ringer:?}\n{}",
        daemon.stderr_text()
    );
    assert!(ring_log.contains("CANCEL sip:"), "{ring_log}");
}

#[test]
fn blind_transfer_by_refer_moves_the_caller_to_a_third_phone() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (uac_port, b_port, c_port) = (free_port(), free_port(), free_port());
    let sip = format!(
        "[uac]\ntype=friend\nhost=127.0.0.1\nport={uac_port}\ninsecure=invite\ncontext=internal\n\n\
         [bob]\ntype=peer\nhost=127.0.0.1\nport={b_port}\ncontext=internal\n\n\
         [carol]\ntype=peer\nhost=127.0.0.1\nport={c_port}\ncontext=internal\n"
    );
    let plan = "[internal]\nexten => 100,1,Dial(SIP/bob,20,t)\n same => n,Hangup()\nexten => 200,1,Dial(SIP/carol,20)\n same => n,Hangup()\n";
    let (_c, _d, daemon, port) = start(&sip, plan);
    let bob = uas(&sipp_bin, b_port, &scenario("uas_refer.xml"));
    let carol = uas(&sipp_bin, c_port, "uas");
    let caller = call_for(&sipp_bin, port, uac_port, "100", 4000);
    let (bob, bob_log) = bob.join().expect("bob");
    let (carol, carol_log) = carol.join().expect("carol");
    assert_eq!(
        bob.code,
        Some(0),
        "bob (transferer): {bob_log}\n{}",
        daemon.stderr_text()
    );
    assert_eq!(
        carol.code,
        Some(0),
        "carol (target): {carol:?}\n{}",
        daemon.stderr_text()
    );
    assert_eq!(
        caller.code,
        Some(0),
        "caller: {caller:?}\n{}",
        daemon.stderr_text()
    );
    assert!(
        bob_log.contains("message/sipfrag"),
        "bob got the NOTIFY:\n{bob_log}"
    );
    assert!(carol_log.contains("INVITE sip:carol@"), "{carol_log}");
    if let Err(e) = daemon.wait_log("transferred to 200@internal", Duration::from_secs(30)) {
        panic!("{e}");
    }
}

#[test]
fn sipp_over_tcp_pings_and_calls() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (uac_port, uas_port) = (free_port(), free_port());
    // tcpenable: TCP on the same port as UDP.
    let extra = format!("{}\n", trunk_conf(uac_port, uas_port));
    let port = free_port();
    let config = TempDir::new();
    let data = TempDir::new();
    let sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={port}\ntcpenable=yes\ncontext=public\n\n{extra}"
    );
    write_config(
        config.path(),
        &[("extensions.conf", DIALPLAN), ("sip.conf", &sip)],
    );
    let daemon = Daemon::start(&bin(), config.path(), data.path());
    let work = TempDir::new();
    let local = free_port().to_string();
    let server = format!("127.0.0.1:{port}");
    let ping = sipp(
        &sipp_bin,
        work.path(),
        &[
            "-sf",
            &scenario("options.xml"),
            "-t",
            "t1",
            "-m",
            "2",
            "-i",
            "127.0.0.1",
            "-p",
            &local,
            &server,
        ],
        Duration::from_secs(60),
    );
    assert_eq!(
        ping.code,
        Some(0),
        "OPTIONS over TCP: {ping:?}\n{}",
        daemon.stderr_text()
    );
    // A TCP caller reaches a UDP callee; the caller hangs up over TCP.
    let callee = uas(&sipp_bin, uas_port, "uas");
    let caller = sipp(
        &sipp_bin,
        TempDir::new().path(),
        &[
            "-sn",
            "uac",
            "-s",
            "100",
            "-t",
            "t1",
            "-m",
            "1",
            "-i",
            "127.0.0.1",
            "-p",
            &uac_port.to_string(),
            &server,
        ],
        Duration::from_secs(60),
    );
    let (callee, _) = callee.join().expect("uas");
    assert_eq!(
        caller.code,
        Some(0),
        "TCP caller: {caller:?}\n{}",
        daemon.stderr_text()
    );
    assert_eq!(
        callee.code,
        Some(0),
        "callee: {callee:?}\n{}",
        daemon.stderr_text()
    );
}

#[test]
fn sipp_over_ipv6_pings_and_registers() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let port = free_port();
    let config = TempDir::new();
    let data = TempDir::new();
    let sip = format!("[general]\nbindaddr=::1\nbindport={port}\ncontext=public\n\n{PHONES}");
    write_config(
        config.path(),
        &[("extensions.conf", "[internal]\n"), ("sip.conf", &sip)],
    );
    let daemon = Daemon::start(&bin(), config.path(), data.path());
    let server = format!("[::1]:{port}");
    let work = TempDir::new();
    let local = free_port().to_string();
    let ping = sipp(
        &sipp_bin,
        work.path(),
        &[
            "-sf",
            &scenario("options.xml"),
            "-m",
            "1",
            "-i",
            "::1",
            "-p",
            &local,
            &server,
        ],
        Duration::from_secs(60),
    );
    assert_eq!(
        ping.code,
        Some(0),
        "OPTIONS over IPv6: {ping:?}\n{}",
        daemon.stderr_text()
    );
    let local = free_port().to_string();
    let reg = sipp(
        &sipp_bin,
        work.path(),
        &[
            "-sf",
            &scenario("register_ok.xml"),
            "-m",
            "1",
            "-s",
            "alice",
            "-au",
            "alice",
            "-ap",
            "alicepw",
            "-i",
            "::1",
            "-p",
            &local,
            &server,
        ],
        Duration::from_secs(60),
    );
    assert_eq!(
        reg.code,
        Some(0),
        "REGISTER over IPv6: {reg:?}\n{}",
        daemon.stderr_text()
    );
    let peers = tandem_testkit::run_cli(&bin(), data.path(), "sip show peers");
    assert!(
        peers
            .lines()
            .any(|l| l.starts_with("alice") && l.contains("::1")),
        "{peers}"
    );
}

#[test]
fn early_media_passes_through_and_hold_is_carried_across_the_bridge() {
    caller_meets_callee(DIALPLAN, "uas_hold.xml", "uac_hold.xml", "100");
}

/// A sipp UAC running `file` as `user` with `password` (From user and digest user alike).
fn uac_as(
    sipp_bin: &std::path::Path,
    port: u16,
    uac_port: u16,
    exten: &str,
    file: &str,
    user: &str,
    password: &str,
) -> tandem_testkit::SippRun {
    let work = TempDir::new();
    let (local, server) = (uac_port.to_string(), format!("127.0.0.1:{port}"));
    sipp(
        sipp_bin,
        work.path(),
        &[
            "-sf",
            &scenario(file),
            "-s",
            exten,
            "-set",
            "user",
            user,
            "-au",
            user,
            "-ap",
            password,
            "-m",
            "1",
            "-i",
            "127.0.0.1",
            "-p",
            &local,
            &server,
        ],
        Duration::from_secs(90),
    )
}

#[test]
fn a_phone_calls_with_digest_auth_and_strangers_are_refused_like_wrong_passwords() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let uas_port = free_port();
    let sip = format!("{PHONES}\n[uas]\ntype=peer\nhost=127.0.0.1\nport={uas_port}\n");
    let (_c, _d, daemon, port) = start(&sip, DIALPLAN);
    let callee = uas(&sipp_bin, uas_port, "uas");
    let ok = uac_as(
        &sipp_bin,
        port,
        free_port(),
        "100",
        "uac_auth.xml",
        "alice",
        "alicepw",
    );
    let (callee, _) = callee.join().expect("uas");
    assert_eq!(
        ok.code,
        Some(0),
        "authenticated call: {ok:?}\n{}",
        daemon.stderr_text()
    );
    assert_eq!(callee.code, Some(0), "callee: {callee:?}");
    let wrong = uac_as(
        &sipp_bin,
        port,
        free_port(),
        "100",
        "uac_refused.xml",
        "alice",
        "wrong",
    );
    assert_eq!(
        wrong.code,
        Some(0),
        "wrong password not refused with 403: {wrong:?}"
    );
    let stranger = uac_as(
        &sipp_bin,
        port,
        free_port(),
        "100",
        "uac_refused.xml",
        "mallory",
        "guess",
    );
    assert_eq!(
        stranger.code,
        Some(0),
        "unknown caller not refused like a wrong password: {stranger:?}"
    );
}

#[test]
fn a_caller_cancelling_while_it_rings_cancels_the_callee() {
    caller_meets_callee(DIALPLAN, "uas_ring_cancel.xml", "uac_cancel.xml", "100");
}

#[test]
fn qualify_shows_a_peer_ok_with_its_round_trip_and_a_dead_one_unreachable() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (alive_port, dead_port) = (free_port(), free_port());
    let responder = uas(&sipp_bin, alive_port, &scenario("uas_options.xml"));
    let sip = format!(
        "[alive]\ntype=peer\nhost=127.0.0.1\nport={alive_port}\nqualify=yes\n\n\
         [dead]\ntype=peer\nhost=127.0.0.1\nport={dead_port}\nqualify=500\n"
    );
    let (_c, data, daemon, _port) = start(&sip, "[internal]\n");
    let (responder, _) = responder.join().expect("responder");
    assert_eq!(
        responder.code,
        Some(0),
        "no OPTIONS reached the peer: {responder:?}\n{}",
        daemon.stderr_text()
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mut peers = String::new();
    while std::time::Instant::now() < deadline {
        peers = tandem_testkit::run_cli(&bin(), data.path(), "sip show peers");
        let alive_ok = peers
            .lines()
            .any(|l| l.starts_with("alive") && l.contains("OK ("));
        let dead_down = peers
            .lines()
            .any(|l| l.starts_with("dead") && l.contains("UNREACHABLE"));
        if alive_ok && dead_down {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        peers
            .lines()
            .any(|l| l.starts_with("alive") && l.contains("OK (")),
        "{peers}"
    );
    assert!(
        peers
            .lines()
            .any(|l| l.starts_with("dead") && l.contains("UNREACHABLE")),
        "{peers}"
    );
    assert!(peers.contains("Monitored: 1 online, 1 offline"), "{peers}");
}

#[test]
fn call_limit_turns_the_second_concurrent_call_away_busy() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (uac_port, uas_port) = (free_port(), free_port());
    let sip = format!(
        "[uac]\ntype=friend\nhost=127.0.0.1\nport={uac_port}\ninsecure=invite\ncontext=internal\ncall-limit=1\n\n\
         [uas]\ntype=peer\nhost=127.0.0.1\nport={uas_port}\n"
    );
    let (_c, _d, daemon, port) = start(&sip, DIALPLAN);
    let callee = uas(&sipp_bin, uas_port, "uas");
    let work = TempDir::new();
    let (local, server) = (uac_port.to_string(), format!("127.0.0.1:{port}"));
    // Two calls at once (rate 10/s, 2 s hold): the first connects, the second hits the limit.
    let caller = sipp(
        &sipp_bin,
        work.path(),
        &[
            "-sn",
            "uac",
            "-s",
            "100",
            "-d",
            "2000",
            "-r",
            "10",
            "-m",
            "2",
            "-i",
            "127.0.0.1",
            "-p",
            &local,
            &server,
        ],
        Duration::from_secs(90),
    );
    let (callee, _) = callee.join().expect("uas");
    assert_eq!(callee.code, Some(0), "the first call: {callee:?}");
    let stats = |name: &str| {
        caller
            .stdout
            .lines()
            .rfind(|l| l.trim_start().starts_with(name))
            .and_then(|l| l.split('|').nth(2))
            .map(|v| v.trim().to_string())
    };
    assert_eq!(
        stats("Successful call").as_deref(),
        Some("1"),
        "{}\n{}",
        caller.stdout,
        daemon.stderr_text()
    );
    assert_eq!(
        stats("Failed call").as_deref(),
        Some("1"),
        "{}",
        caller.stdout
    );
    daemon.expect_log("call-limit 1 reached");
}

#[test]
fn a_busy_lamp_subscription_follows_ringing_talking_and_idle() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (uac_port, bob_port, phone_port) = (free_port(), free_port(), free_port());
    let sip = format!(
        "{PHONES}\n[uac]\ntype=friend\nhost=127.0.0.1\nport={uac_port}\ninsecure=invite\ncontext=internal\n\n\
         [bob]\ntype=peer\nhost=127.0.0.1\nport={bob_port}\n"
    );
    let plan = "[internal]\nexten => 6002,hint,SIP/bob\nexten => 6002,1,Dial(SIP/bob,20)\n same => n,Hangup()\n";
    let (_c, _d, daemon, port) = start(&sip, plan);
    // Alice's phone watches 6002.
    let sipp_sub = sipp_bin.clone();
    let watcher = std::thread::spawn(move || {
        let work = TempDir::new();
        let (local, server) = (phone_port.to_string(), format!("127.0.0.1:{port}"));
        let args = [
            "-sf",
            &scenario("subscribe_blf.xml"),
            "-s",
            "6002",
            "-au",
            "alice",
            "-ap",
            "alicepw",
            "-m",
            "1",
            "-i",
            "127.0.0.1",
            "-p",
            &local,
            &server,
        ];
        sipp(&sipp_sub, work.path(), &args, Duration::from_secs(90))
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !daemon.stderr_text().contains("SIP SUBSCRIBE ok exten=6002") {
        assert!(
            std::time::Instant::now() < deadline,
            "no subscription:\n{}",
            daemon.stderr_text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // A call to 6002: bob rings for a second, answers, the caller hangs up a second later.
    let bob = uas(&sipp_bin, bob_port, &scenario("uas_slow_answer.xml"));
    let caller = call_for(&sipp_bin, port, uac_port, "6002", 1000);
    let (bob, _) = bob.join().expect("bob");
    let watcher = watcher.join().expect("watcher");
    assert_eq!(
        caller.code,
        Some(0),
        "caller: {caller:?}\n{}",
        daemon.stderr_text()
    );
    assert_eq!(bob.code, Some(0), "bob: {bob:?}");
    assert_eq!(
        watcher.code,
        Some(0),
        "the lamp did not follow idle/ringing/busy/idle: {watcher:?}\n{}",
        daemon.stderr_text()
    );
}

#[test]
fn a_caller_asking_for_session_timers_gets_them_in_the_200() {
    caller_meets_callee(DIALPLAN, "uas", "uac_session_timer.xml", "100");
}

#[test]
fn dial_reaches_a_tcp_peer_over_tcp() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (uac_port, uas_port) = (free_port(), free_port());
    let port = free_port();
    let config = TempDir::new();
    let data = TempDir::new();
    let sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={port}\ntcpenable=yes\ncontext=public\n\n\
         [uac]\ntype=friend\nhost=127.0.0.1\nport={uac_port}\ninsecure=invite\ncontext=internal\n\n\
         [uas]\ntype=peer\nhost=127.0.0.1\nport={uas_port}\ntransport=tcp\n"
    );
    write_config(
        config.path(),
        &[("extensions.conf", DIALPLAN), ("sip.conf", &sip)],
    );
    let daemon = Daemon::start(&bin(), config.path(), data.path());
    // The callee listens on TCP only (sipp -t t1 as a UAS).
    let sipp_uas = sipp_bin.clone();
    let callee = std::thread::spawn(move || {
        let work = TempDir::new();
        let p = uas_port.to_string();
        sipp(
            &sipp_uas,
            work.path(),
            &[
                "-sn",
                "uas",
                "-t",
                "t1",
                "-m",
                "1",
                "-i",
                "127.0.0.1",
                "-p",
                &p,
            ],
            Duration::from_secs(90),
        )
    });
    let caller = call_for(&sipp_bin, port, uac_port, "100", 500);
    let callee = callee.join().expect("uas");
    assert_eq!(
        caller.code,
        Some(0),
        "caller: {caller:?}\n{}",
        daemon.stderr_text()
    );
    assert_eq!(
        callee.code,
        Some(0),
        "TCP callee: {callee:?}\n{}",
        daemon.stderr_text()
    );
}

#[test]
fn attended_transfer_by_refer_with_replaces_joins_the_caller_and_the_consulted_phone() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (a_port, b1_port, b2_port, c_port) = (free_port(), free_port(), free_port(), free_port());
    let sip = format!(
        "[alice]\ntype=friend\nhost=127.0.0.1\nport={a_port}\ninsecure=invite\ncontext=internal\n\n\
         [bob]\ntype=peer\nhost=127.0.0.1\nport={b1_port}\ncontext=internal\n\n\
         [bobconsult]\ntype=friend\nhost=127.0.0.1\nport={b2_port}\ninsecure=invite\ncontext=internal\n\n\
         [carol]\ntype=peer\nhost=127.0.0.1\nport={c_port}\ncontext=internal\n"
    );
    let plan = "[internal]\nexten => 100,1,Dial(SIP/bob,20,tT)\n same => n,Hangup()\nexten => 200,1,Dial(SIP/carol,20)\n same => n,Hangup()\n";
    let (_c, _d, daemon, port) = start(&sip, plan);
    let bob = uas(&sipp_bin, b1_port, &scenario("uas_attended_transfer.xml"));
    let carol = uas(&sipp_bin, c_port, &scenario("uas_transfer_target.xml"));
    // Alice calls Bob (100) and stays 5 s; Bob's consultation call to Carol (200) has the
    // Call-ID his REFER names.
    let sipp_a = sipp_bin.clone();
    let alice = std::thread::spawn(move || call_for(&sipp_a, port, a_port, "100", 5000));
    let sipp_b2 = sipp_bin.clone();
    let consult = std::thread::spawn(move || {
        let work = TempDir::new();
        let (local, server) = (b2_port.to_string(), format!("127.0.0.1:{port}"));
        let args = [
            "-sf",
            &scenario("uac_consultation.xml"),
            "-s",
            "200",
            "-cid_str",
            "xfer-b2-%u",
            "-m",
            "1",
            "-i",
            "127.0.0.1",
            "-p",
            &local,
            &server,
        ];
        sipp(&sipp_b2, work.path(), &args, Duration::from_secs(90))
    });
    let (bob, bob_log) = bob.join().expect("bob");
    let (carol, carol_log) = carol.join().expect("carol");
    let alice = alice.join().expect("alice");
    let consult = consult.join().expect("consultation");
    let logs = daemon.stderr_text();
    assert_eq!(bob.code, Some(0), "transferer: {bob:?}\n{bob_log}\n{logs}");
    assert_eq!(
        consult.code,
        Some(0),
        "consultation call: {consult:?}\n{logs}"
    );
    assert_eq!(
        carol.code,
        Some(0),
        "target: {carol:?}\n{carol_log}\n{logs}"
    );
    assert_eq!(alice.code, Some(0), "transferee: {alice:?}\n{logs}");
    daemon.expect_log("attended transfer, now talking to carol");
}

/// A sipp caller running `caller_file` calls `exten` through tandem (trunk peers, [DIALPLAN]
/// or `plan`) to a sipp callee running `callee` (a scenario file or a built-in name); both
/// must end their scenario without error. Returns the daemon for further checks.
fn caller_meets_callee(plan: &str, callee: &str, caller_file: &str, exten: &str) -> Option<Daemon> {
    let sipp_bin = require_tool("sipp")?;
    let (uac_port, uas_port) = (free_port(), free_port());
    let (_c, _d, daemon, port) = start(&trunk_conf(uac_port, uas_port), plan);
    let callee_name = if callee.ends_with(".xml") {
        scenario(callee)
    } else {
        callee.to_string()
    };
    let callee = uas(&sipp_bin, uas_port, &callee_name);
    let caller = uac_scenario(&sipp_bin, port, uac_port, exten, caller_file);
    let (callee, callee_log) = callee.join().expect("uas");
    let logs = daemon.stderr_text();
    assert_eq!(caller.code, Some(0), "caller: {caller:?}\n{logs}");
    assert_eq!(
        callee.code,
        Some(0),
        "callee: {callee:?}\n{callee_log}\n{logs}"
    );
    Some(daemon)
}
