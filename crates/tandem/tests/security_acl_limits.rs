//! Issue 6, end to end with sipp: peers outside their permit list (or a named ACL of
//! acl.conf) are refused, guests stay in `[general]`'s context, and the outbound limits
//! (maxcallsperminute) refuse a Dial to a trunk with an alert line.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tandem_testkit::{free_port, require_tool, sipp, write_config, Daemon, SippRun, TempDir};

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

fn scenario(name: &str) -> String {
    format!("{}/tests/sipp/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn start(files: &[(&str, &str)]) -> (TempDir, TempDir, Daemon) {
    let config = TempDir::new();
    let data = TempDir::new();
    write_config(config.path(), files);
    let daemon = Daemon::start(&bin(), config.path(), data.path());
    (config, data, daemon)
}

/// One call from 127.0.0.1 without credentials (a guest) to `exten` with `file`.
fn call_as_guest(sipp_bin: &Path, port: u16, exten: &str, file: &str) -> SippRun {
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
            &free_port().to_string(),
            &format!("127.0.0.1:{port}"),
        ],
        Duration::from_secs(90),
    )
}

/// Polls the daemon's stderr for `pattern` (20 s at most).
fn wait_for_log(daemon: &Daemon, pattern: &str) -> bool {
    let until = std::time::Instant::now() + Duration::from_secs(20);
    while std::time::Instant::now() < until {
        if daemon.stderr_text().contains(pattern) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

/// One call from `local_ip` as `user`/`password` to `exten` with `file`.
fn call_as(
    sipp_bin: &Path,
    port: u16,
    local_ip: &str,
    exten: &str,
    file: &str,
    user: &str,
    password: &str,
) -> SippRun {
    let work = TempDir::new();
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
            local_ip,
            "-p",
            &free_port().to_string(),
            &format!("127.0.0.1:{port}"),
        ],
        Duration::from_secs(90),
    )
}

#[test]
fn a_peer_outside_its_permit_list_or_named_acl_is_refused_and_inside_it_completes() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let port = free_port();
    let sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=public\n\n\
         [bob]\ntype=friend\nhost=dynamic\nsecret=bobpw\ncontext=internal\n\
         deny=0.0.0.0/0.0.0.0\npermit=127.0.0.2/32\n\n\
         [carol]\ntype=friend\nhost=dynamic\nsecret=carolpw\ncontext=internal\nacl=office\n"
    );
    let acl = "[office]\ndeny=0.0.0.0/0\npermit=127.0.0.2\n";
    let plan = "[internal]\nexten => 100,1,Answer()\n same => n,Wait(20)\n same => n,Hangup()\n";
    let (_c, _d, daemon) = start(&[
        ("sip.conf", &sip),
        ("acl.conf", acl),
        ("extensions.conf", plan),
    ]);

    // From 127.0.0.1, even the right password gets the 403 a stranger gets.
    let refused = call_as(
        &sipp_bin,
        port,
        "127.0.0.1",
        "100",
        "uac_refused.xml",
        "bob",
        "bobpw",
    );
    assert_eq!(
        refused.code,
        Some(0),
        "bob from 127.0.0.1 not refused: {refused:?}\n{}",
        daemon.stderr_text()
    );
    let refused = call_as(
        &sipp_bin,
        port,
        "127.0.0.1",
        "100",
        "uac_refused.xml",
        "carol",
        "carolpw",
    );
    assert_eq!(
        refused.code,
        Some(0),
        "carol (acl=office) from 127.0.0.1 not refused: {refused:?}\n{}",
        daemon.stderr_text()
    );

    // From 127.0.0.2 both calls complete.
    for (user, pw) in [("bob", "bobpw"), ("carol", "carolpw")] {
        let ok = call_as(
            &sipp_bin,
            port,
            "127.0.0.2",
            "100",
            "uac_auth.xml",
            user,
            pw,
        );
        assert_eq!(
            ok.code,
            Some(0),
            "{user} from 127.0.0.2 did not complete: {ok:?}\n{}",
            daemon.stderr_text()
        );
    }
}

#[test]
fn a_guest_lands_in_the_general_context_and_cannot_reach_a_trunk() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (port, trunk_port) = (free_port(), free_port());
    let sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=public\nallowguest=yes\n\n\
         [trunk]\ntype=peer\nhost=127.0.0.1\nport={trunk_port}\ncontext=internal\n"
    );
    let plan = "[public]\nexten => 100,1,Busy()\n\n\
                [internal]\nexten => _9X.,1,Dial(SIP/trunk/${EXTEN:1})\n same => n,Hangup()\n";
    let (_c, _d, daemon) = start(&[("sip.conf", &sip), ("extensions.conf", plan)]);

    // The guest is in [public]: its extension answers (busy) ...
    let in_public = call_as_guest(&sipp_bin, port, "100", "uac_busy.xml");
    assert_eq!(
        in_public.code,
        Some(0),
        "guest did not reach [public]: {in_public:?}\n{}",
        daemon.stderr_text()
    );
    // ... and the trunk route of [internal] does not exist for it.
    let to_trunk = call_as_guest(&sipp_bin, port, "9123", "uac_not_found.xml");
    let logs = daemon.stderr_text();
    assert_eq!(
        to_trunk.code,
        Some(0),
        "guest got past 404: {to_trunk:?}\n{logs}"
    );
    assert!(
        !logs.contains("SIP/trunk"),
        "a Dial to the trunk was tried:\n{logs}"
    );
}

#[test]
fn a_trunk_over_its_calls_per_minute_is_refused_unavailable_with_an_alert() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (port, uac_port, uas_port) = (free_port(), free_port(), free_port());
    let sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=public\n\n\
         [uac]\ntype=friend\nhost=127.0.0.1\nport={uac_port}\ninsecure=invite\ncontext=internal\n\n\
         [uas]\ntype=peer\nhost=127.0.0.1\nport={uas_port}\ncontext=internal\nmaxcallsperminute=1\n"
    );
    let plan = "[internal]\nexten => 300,1,Dial(SIP/uas,20)\n same => n,Log(NOTICE,dialstatus=${DIALSTATUS})\n same => n,Busy()\n";
    let (_c, _d, daemon) = start(&[("sip.conf", &sip), ("extensions.conf", plan)]);

    let callee = {
        let sipp_bin = sipp_bin.clone();
        std::thread::spawn(move || {
            let work = TempDir::new();
            sipp(
                &sipp_bin,
                work.path(),
                &[
                    "-sf",
                    &scenario("uas_busy.xml"),
                    "-m",
                    "1",
                    "-i",
                    "127.0.0.1",
                    "-p",
                    &uas_port.to_string(),
                ],
                Duration::from_secs(90),
            )
        })
    };
    let caller = |n: u32| {
        let work = TempDir::new();
        let run = sipp(
            &sipp_bin,
            work.path(),
            &[
                "-sf",
                &scenario("uac_busy.xml"),
                "-s",
                "300",
                "-m",
                "1",
                "-i",
                "127.0.0.1",
                "-p",
                &uac_port.to_string(),
                &format!("127.0.0.1:{port}"),
            ],
            Duration::from_secs(90),
        );
        assert_eq!(
            run.code,
            Some(0),
            "call {n}: {run:?}\n{}",
            daemon.stderr_text()
        );
    };
    // The first call reaches the trunk (busy there).
    caller(1);
    let callee = callee.join().expect("uas");
    assert_eq!(callee.code, Some(0), "trunk: {callee:?}");
    // The second within the minute never leaves tandem.
    caller(2);
    assert!(
        wait_for_log(&daemon, "SECURITY[limit] peer=uas kind=rate limit=1"),
        "no alert line:\n{}",
        daemon.stderr_text()
    );
    assert!(
        // The Dial never creates a channel (cause 34); core's Dial reports that as
        // CHANUNAVAIL.
        wait_for_log(&daemon, "dialstatus=CHANUNAVAIL"),
        "{}",
        daemon.stderr_text()
    );
    daemon.expect_log("dialstatus=BUSY");
}

/// One REGISTER of `user` from `local_ip` with `file` (401 challenge answered with -au/-ap).
fn register_as(
    sipp_bin: &Path,
    port: u16,
    local_ip: &str,
    file: &str,
    user: &str,
    pw: &str,
) -> SippRun {
    let work = TempDir::new();
    sipp(
        sipp_bin,
        work.path(),
        &[
            "-sf",
            &scenario(file),
            "-m",
            "1",
            "-s",
            user,
            "-au",
            user,
            "-ap",
            pw,
            "-i",
            local_ip,
            "-p",
            &free_port().to_string(),
            &format!("127.0.0.1:{port}"),
        ],
        Duration::from_secs(60),
    )
}

#[test]
fn a_register_whose_contact_the_contact_acl_refuses_gets_603_after_authenticating() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let port = free_port();
    let sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={port}\n\n\
         [dave]\ntype=friend\nhost=dynamic\nsecret=davepw\n\
         contactdeny=0.0.0.0/0\ncontactpermit=127.0.0.2\n"
    );
    let (_c, _d, daemon) = start(&[("sip.conf", &sip), ("extensions.conf", "[default]\n")]);
    let denied = register_as(
        &sipp_bin,
        port,
        "127.0.0.1",
        "register_denied.xml",
        "dave",
        "davepw",
    );
    assert_eq!(
        denied.code,
        Some(0),
        "not 603: {denied:?}\n{}",
        daemon.stderr_text()
    );
    assert!(wait_for_log(
        &daemon,
        "SIP REGISTER denied peer=dave from=127.0.0.1"
    ));
    let ok = register_as(
        &sipp_bin,
        port,
        "127.0.0.2",
        "register_ok.xml",
        "dave",
        "davepw",
    );
    assert_eq!(
        ok.code,
        Some(0),
        "not registered: {ok:?}\n{}",
        daemon.stderr_text()
    );
}
