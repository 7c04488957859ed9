//! The daemon and its remote CLI: `tandem run` (waited for by `tandem ready`), then
//! `tandem cli -x` / `tandem -rx` against its control socket, reloads, and SIGTERM.

use std::path::PathBuf;
use std::time::Duration;

use tandem_testkit::{run_cli, write_config, Daemon, TempDir};

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

const CONF: &str = "\
[general]
static=yes

[internal]
exten => 100,hint,SIP/100
exten => 100,1,Dial(SIP/100,20)
 same => n,VoiceMail(100@default,u)
";

/// A config dir and a data dir (short path, for the control socket), and the daemon on them.
fn start() -> (TempDir, TempDir, Daemon) {
    let config = TempDir::new();
    let data = TempDir::new();
    write_config(config.path(), &[("extensions.conf", CONF)]);
    let daemon = Daemon::start(&bin(), config.path(), data.path());
    (config, data, daemon)
}

#[test]
fn core_show_version_names_tandem() {
    let (_c, data, _d) = start();
    let out = run_cli(&bin(), data.path(), "core show version");
    assert!(out.starts_with("tandem "), "{out:?}");
    assert!(out.contains(env!("CARGO_PKG_VERSION")), "{out:?}");
}

#[test]
fn dash_rx_is_an_alias_of_cli_x() {
    let (_c, data, _d) = start();
    let d = data.path().to_string_lossy().into_owned();
    let out = tandem_testkit::run(&bin(), &["--data", &d, "-rx", "core show version"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stdout,
        run_cli(&bin(), data.path(), "core show version")
    );
}

#[test]
fn dialplan_show_over_the_socket_has_asterisks_layout() {
    let (_c, data, _d) = start();
    let out = run_cli(&bin(), data.path(), "dialplan show internal");
    let expected = "\
[ Context 'internal' created by 'pbx_config' ]
  '100' =>          hint: SIP/100                                 [extensions.conf:5]
                    1. Dial(SIP/100,20)                           [extensions.conf:6]
                    2. VoiceMail(100@default,u)                   [extensions.conf:7]

-= 1 extension (3 priorities) in 1 context. =-
";
    tandem_testkit::assert_lines_eq("dialplan show internal", expected, &out);
}

#[test]
fn database_put_then_get_show_and_del() {
    let (_c, data, _d) = start();
    let p = data.path();
    assert_eq!(
        run_cli(&bin(), p, "database put CFWD 101 5551234"),
        "Updated database successfully\n"
    );
    assert_eq!(
        run_cli(&bin(), p, "database get CFWD 101"),
        "Value: 5551234\n"
    );
    // main/db.c handle_cli_database_show: "%-50s: %-25s\n" then "%d results found.\n".
    let show = run_cli(&bin(), p, "database show CFWD");
    let row = format!("{:<50}: {:<25}\n", "/CFWD/101", "5551234");
    assert_eq!(show, format!("{row}1 results found.\n"));
    assert_eq!(
        run_cli(&bin(), p, "database del CFWD 101"),
        "Database entry removed.\n"
    );
    assert_eq!(
        run_cli(&bin(), p, "database get CFWD 101"),
        "Database entry not found.\n"
    );
}

#[test]
fn dialplan_reload_picks_up_an_edited_file() {
    let (config, data, _d) = start();
    let before = run_cli(&bin(), data.path(), "dialplan show internal");
    assert!(!before.contains("'200' =>"), "{before}");
    let edited = format!("{CONF}exten => 200,1,Playback(hello-world)\n");
    write_config(config.path(), &[("extensions.conf", &edited)]);
    assert_eq!(
        run_cli(&bin(), data.path(), "dialplan reload"),
        "Dialplan reloaded.\n"
    );
    let after = run_cli(&bin(), data.path(), "dialplan show internal");
    assert!(
        after.contains(
            "  '200' =>          1. Playback(hello-world)                      [extensions.conf:8]"
        ),
        "{after}"
    );
    assert!(
        after.contains("-= 2 extensions (4 priorities) in 1 context. =-"),
        "{after}"
    );
}

#[test]
fn dialplan_reload_of_a_broken_file_keeps_the_running_dialplan() {
    let (config, data, _d) = start();
    let before = run_cli(&bin(), data.path(), "dialplan show internal");
    let broken =
        format!("{CONF}exten => 200,1,Playback(hello-world)\n[oops\nexten => 300,abc,NoOp()\n");
    write_config(config.path(), &[("extensions.conf", &broken)]);
    let out = run_cli(&bin(), data.path(), "dialplan reload");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("extensions.conf:9: error: ")),
        "{out}"
    );
    assert_eq!(
        lines.last().copied(),
        Some("Dialplan not reloaded: the running dialplan stays in force."),
        "{out}"
    );
    let after = run_cli(&bin(), data.path(), "dialplan show internal");
    assert_eq!(after, before, "the old dialplan must stay in force");
    assert!(!after.contains("'200'"), "{after}");
}

#[test]
fn sigterm_stops_the_daemon_and_removes_its_socket() {
    let (_c, data, mut daemon) = start();
    let socket = daemon.socket();
    assert!(socket.exists(), "no control socket at {}", socket.display());
    let code = daemon
        .terminate(Duration::from_secs(30))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        code,
        Some(0),
        "exit status after SIGTERM; stderr:\n{}",
        daemon.stderr_text()
    );
    assert!(!socket.exists(), "socket {} left behind", socket.display());
    // The CLI now reports that nothing is listening, and fails.
    let d = data.path().to_string_lossy().into_owned();
    let out = tandem_testkit::run(&bin(), &["cli", "--data", &d, "-x", "core show version"]);
    assert_ne!(out.code, 0, "{out:?}");
}

#[test]
fn cli_without_a_daemon_fails_clearly() {
    let data = TempDir::new();
    let d = data.path().to_string_lossy().into_owned();
    let out = tandem_testkit::run(&bin(), &["cli", "--data", &d, "-x", "core show version"]);
    assert_ne!(out.code, 0, "{out:?}");
    assert!(
        out.stderr.contains("tandem.ctl"),
        "the error should name the socket: {out:?}"
    );
}
