//! Operations on a live daemon, end to end: the remote CLI during a sipp call (`core show
//! channels`, `core show calls`, `core reload` with a new extension, broken files refused with
//! file:line, `channel request hangup all`, `core stop gracefully`), the metrics endpoint read
//! by a real Prometheus text-format parser, and `tandem init` passing `tandem check`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tandem_testkit::{
    free_port, http_get, require_tool, run_cli, sipp, write_config, Daemon, SippRun, TempDir,
};

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

fn scenario(name: &str) -> String {
    format!("{}/tests/sipp/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// sipp calls as peer `uac` (any port on loopback, no authentication).
const SIP: &str = "[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=public\n\n\
                   [uac]\ntype=friend\nhost=127.0.0.1\ninsecure=port,invite\ncontext=public\n";
const EXTENSIONS: &str = "[public]\nexten => 100,1,Answer()\n same => n,Wait(120)\n";

fn start(extra: &[(&str, &str)]) -> (TempDir, TempDir, Daemon, u16) {
    let port = free_port();
    let config = TempDir::new();
    let data = TempDir::new();
    let sip = SIP.replace("{port}", &port.to_string());
    let mut files = vec![("extensions.conf", EXTENSIONS), ("sip.conf", sip.as_str())];
    files.extend_from_slice(extra);
    write_config(config.path(), &files);
    let daemon = Daemon::start(&bin(), config.path(), data.path());
    (config, data, daemon, port)
}

/// sipp as a caller of `exten` with `scenario_file`, `-d pause_ms`, in a thread.
fn call(
    sipp_bin: &Path,
    port: u16,
    scenario_file: &str,
    exten: &str,
    pause_ms: u64,
) -> std::thread::JoinHandle<SippRun> {
    let sipp_bin = sipp_bin.to_path_buf();
    let file = scenario(scenario_file);
    let exten = exten.to_string();
    std::thread::spawn(move || {
        let work = TempDir::new();
        let local = free_port().to_string();
        sipp(
            &sipp_bin,
            work.path(),
            &[
                "-sf",
                &file,
                "-m",
                "1",
                "-s",
                &exten,
                "-d",
                &pause_ms.to_string(),
                "-i",
                "127.0.0.1",
                "-p",
                &local,
                &format!("127.0.0.1:{port}"),
            ],
            Duration::from_secs(90),
        )
    })
}

/// Ask `cmd` until its output satisfies `ok` (or panic after `timeout`).
fn wait_cli(data: &Path, cmd: &str, timeout: Duration, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + timeout;
    loop {
        let out = run_cli(&bin(), data, cmd);
        if ok(&out) {
            return out;
        }
        assert!(
            Instant::now() < deadline,
            "{cmd}: never as expected; last:\n{out}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn one_sip_channel(out: &str) -> bool {
    out.lines().filter(|l| l.starts_with("SIP/")).count() == 1
}

#[test]
fn live_call_is_listed_counted_and_kept_across_core_reload() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (config, data, daemon, port) = start(&[]);
    let long = call(&sipp_bin, port, "uac_long_call.xml", "100", 12_000);
    let channels = wait_cli(
        data.path(),
        "core show channels",
        Duration::from_secs(30),
        // Listed once it runs Wait(120) (before that it shows priority 1, Answer).
        |out| one_sip_channel(out) && out.contains("Wait(120)"),
    );
    let row = channels
        .lines()
        .find(|l| l.starts_with("SIP/"))
        .unwrap_or_default();
    assert!(row.contains("100@public:2"), "{channels}");
    assert!(row.contains("Wait(120)"), "{channels}");
    assert!(channels.contains("1 active call\n"), "{channels}");

    let calls = run_cli(&bin(), data.path(), "core show calls");
    assert!(
        calls.starts_with("1 active call\n1 call processed\n"),
        "{calls}"
    );

    let concise = run_cli(&bin(), data.path(), "core show channels concise");
    let fields: Vec<&str> = concise.trim_end().split('!').collect();
    assert_eq!(fields.len(), 14, "{concise}");
    assert_eq!(
        &fields[1..6],
        &["public", "100", "2", "Up", "Wait"],
        "{concise}"
    );
    let verbose = run_cli(&bin(), data.path(), "core show channels verbose");
    assert!(
        verbose.starts_with("Channel              Context"),
        "{verbose}"
    );

    // A new extension, reloaded in the middle of the call.
    let with_200 = format!("{EXTENSIONS}exten => 200,1,Answer()\n same => n,Wait(120)\n");
    let sip_with_carol = format!(
        "{}\n[carol]\ntype=friend\nhost=dynamic\nsecret=carolpw\ncontext=public\n",
        SIP.replace("{port}", &port.to_string())
    );
    assert!(run_cli(&bin(), data.path(), "sip show peer carol").contains("not found"));
    write_config(
        config.path(),
        &[
            ("extensions.conf", &with_200),
            ("sip.conf", &sip_with_carol),
        ],
    );
    let reload = run_cli(&bin(), data.path(), "core reload");
    assert!(reload.contains("Dialplan reloaded."), "{reload}");
    assert!(reload.contains("SIP reloaded"), "{reload}");
    let carol = run_cli(&bin(), data.path(), "sip show peer carol");
    assert!(
        !carol.contains("not found"),
        "a peer added by the reload: {carol}"
    );
    let second = call(&sipp_bin, port, "uac_long_call.xml", "200", 300)
        .join()
        .expect("sipp thread");
    assert_eq!(
        second.code,
        Some(0),
        "call to the new extension failed: {second:?}"
    );

    // Broken files are refused with file:line; the running configuration serves on.
    write_config(
        config.path(),
        &[(
            "extensions.conf",
            &format!("{with_200}this is not a line\n"),
        )],
    );
    let refused = run_cli(&bin(), data.path(), "core reload");
    assert!(refused.contains("extensions.conf:6: error"), "{refused}");
    assert!(
        refused.contains("running dialplan stays in force"),
        "{refused}"
    );
    let sip_broken = format!("{}[bob\n", SIP.replace("{port}", &port.to_string()));
    write_config(config.path(), &[("sip.conf", &sip_broken)]);
    let refused = run_cli(&bin(), data.path(), "sip reload");
    assert!(refused.contains("sip.conf:11: error"), "{refused}");
    assert!(refused.contains("SIP not reloaded"), "{refused}");
    let again = call(&sipp_bin, port, "uac_long_call.xml", "200", 300)
        .join()
        .expect("sipp thread");
    assert_eq!(
        again.code,
        Some(0),
        "old configuration should still serve: {again:?}"
    );

    // The first call was never disturbed: it ends normally with its own BYE.
    let first = long.join().expect("sipp thread");
    assert_eq!(
        first.code,
        Some(0),
        "the call in progress did not survive: {first:?}"
    );
    // sipp is gone once its BYE is answered; tandem may still be ending the call then.
    wait_cli(
        data.path(),
        "core show calls",
        Duration::from_secs(30),
        |calls| calls.starts_with("0 active calls\n3 calls processed\n"),
    );
    let uptime = run_cli(&bin(), data.path(), "core show uptime seconds");
    assert!(
        uptime.starts_with("System uptime: ") && uptime.contains("\nLast reload: "),
        "{uptime}"
    );
    drop(daemon);
}

#[test]
fn channel_request_hangup_all_sends_bye() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (_config, data, _daemon, port) = start(&[]);
    let waiting = call(&sipp_bin, port, "uac_wait_bye.xml", "100", 0);
    let channels = wait_cli(
        data.path(),
        "core show channels",
        Duration::from_secs(30),
        one_sip_channel,
    );
    let name = channels
        .lines()
        .find(|l| l.starts_with("SIP/"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_default()
        .to_string();
    let out = run_cli(&bin(), data.path(), "channel request hangup all");
    assert_eq!(out, format!("Requested Hangup on channel '{name}'\n"));
    let run = waiting.join().expect("sipp thread");
    assert_eq!(run.code, Some(0), "sipp did not get its BYE: {run:?}");
    let unknown = run_cli(&bin(), data.path(), "channel request hangup SIP/nobody-1");
    assert_eq!(unknown, "SIP/nobody-1 is not a known channel\n");
}

#[test]
fn core_stop_gracefully_waits_for_the_call_then_exits() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (_config, data, daemon, port) = start(&[]);
    // 8 s: on a loaded machine the call must still be up for the checks below.
    let long = call(&sipp_bin, port, "uac_long_call.xml", "100", 8_000);
    wait_cli(
        data.path(),
        "core show channels",
        Duration::from_secs(30),
        one_sip_channel,
    );
    let out = run_cli(&bin(), data.path(), "core stop gracefully");
    assert!(out.starts_with("Refusing new calls"), "{out}");
    // Still serving while the call lasts.
    let calls = run_cli(&bin(), data.path(), "core show calls");
    assert!(calls.starts_with("1 active call\n"), "{calls}");
    let run = long.join().expect("sipp thread");
    assert_eq!(run.code, Some(0), "the call was cut: {run:?}");
    // Then it exits on its own: the control socket goes away.
    let deadline = Instant::now() + Duration::from_secs(20);
    while daemon.socket().exists() {
        assert!(
            Instant::now() < deadline,
            "still running:\n{}",
            daemon.stderr_text()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    daemon.expect_log("no call left");
}

/// GET `path` from 127.0.0.1:`port`: (status line, body).
/// Parse Prometheus text with PyPI's prometheus_client; one `name{k="v",...} value` per sample,
/// labels sorted. `None` when that parser is not installed (outside CI).
fn parse_with_prometheus_client(text: &str) -> Option<Vec<String>> {
    let python = std::env::var("TANDEM_PYTHON").unwrap_or_else(|_| "python3".into());
    let script =
        "import sys\nfrom prometheus_client.parser import text_string_to_metric_families as p\n\
                  for f in p(sys.stdin.read()):\n    for s in f.samples:\n        \
                  l=','.join('%s=\"%s\"'%(k,v) for k,v in sorted(s.labels.items()))\n        \
                  print('%s{%s} %g'%(s.name,l,s.value))\n";
    let probe = std::process::Command::new(&python)
        .args(["-c", "import prometheus_client"])
        .status();
    if !matches!(probe, Ok(s) if s.success()) {
        assert!(
            std::env::var("CI").is_err(),
            "prometheus_client is not installed for {python} (CI installs it, see .ci/run)"
        );
        eprintln!("skipped: prometheus_client is not installed for {python}");
        return None;
    }
    let mut child = std::process::Command::new(&python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn python");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write metrics");
    let out = child.wait_with_output().expect("python");
    assert!(
        out.status.success(),
        "parser refused the metrics: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect(),
    )
}

fn sample(samples: &[String], key: &str) -> f64 {
    samples
        .iter()
        .find_map(|s| s.strip_prefix(key).and_then(|v| v.strip_prefix(' ')))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no sample {key} in {samples:#?}"))
}

#[test]
fn metrics_endpoint_parses_and_counts_the_calls_made() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let http_port = free_port();
    let http = format!("[general]\nenabled=yes\nbindaddr=127.0.0.1\nbindport={http_port}\n");
    let (_config, _data, _daemon, port) = start(&[("http.conf", &http)]);
    let (status, body) = http_get(http_port, "/health");
    assert_eq!(
        (status.as_str(), body.as_str()),
        ("HTTP/1.1 200 OK", "OK\n")
    );
    assert_eq!(http_get(http_port, "/nothing").0, "HTTP/1.1 404 Not Found");
    const CALLS: u64 = 2;
    for _ in 0..CALLS {
        let run = call(&sipp_bin, port, "uac_long_call.xml", "100", 200)
            .join()
            .expect("sipp");
        assert_eq!(run.code, Some(0), "{run:?}");
    }
    // sipp is gone once its BYE is answered; tandem may still be ending the channel then, so
    // the gauges are read until they are back to 0 (bounded wait).
    let deadline = Instant::now() + Duration::from_secs(30);
    let (text, samples) = loop {
        let (status, text) = http_get(http_port, "/metrics");
        assert_eq!(status, "HTTP/1.1 200 OK");
        let Some(samples) = parse_with_prometheus_client(&text) else {
            return;
        };
        let idle = sample(&samples, "tandem_calls_active{}") == 0.0
            && sample(&samples, "tandem_channels_active{driver=\"SIP\"}") == 0.0;
        if idle || Instant::now() >= deadline {
            break (text, samples);
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let n = CALLS as f64;
    assert_eq!(sample(&samples, "tandem_calls_total{}"), n, "{text}");
    assert_eq!(sample(&samples, "tandem_calls_active{}"), 0.0, "{text}");
    assert_eq!(
        sample(&samples, "tandem_channels_active{driver=\"SIP\"}"),
        0.0,
        "{text}"
    );
    // Retransmissions on a slow machine count too: at least one per call.
    assert!(
        sample(
            &samples,
            "tandem_sip_requests_total{direction=\"in\",method=\"INVITE\"}"
        ) >= n
    );
    assert!(
        sample(
            &samples,
            "tandem_sip_requests_total{direction=\"in\",method=\"BYE\"}"
        ) >= n
    );
    assert!(
        sample(
            &samples,
            "tandem_sip_requests_total{direction=\"in\",method=\"ACK\"}"
        ) >= n
    );
    // 200 to each INVITE and each BYE.
    assert!(
        sample(
            &samples,
            "tandem_sip_responses_total{code=\"200\",direction=\"out\"}"
        ) >= 2.0 * n
    );
    assert_eq!(sample(&samples, "tandem_security_bans{}"), 0.0);
    // sipp sends no RTP: the histograms exist, empty.
    assert_eq!(sample(&samples, "tandem_rtp_packets_received_total{}"), 0.0);
    assert_eq!(
        sample(&samples, "tandem_rtp_jitter_seconds_bucket{le=\"+Inf\"}"),
        0.0
    );
    assert_eq!(sample(&samples, "tandem_rtp_loss_ratio_count{}"), 0.0);
}

#[test]
fn tandem_init_writes_a_config_that_passes_check_and_never_overwrites() {
    let dir = TempDir::new();
    let target = dir.path().join("etc");
    let t = target.to_string_lossy().to_string();
    let out = tandem_testkit::run(&bin(), &["init", "--config", &t]);
    assert_eq!(out.code, 0, "{out:?}");
    for f in [
        "sip.conf",
        "extensions.conf",
        "voicemail.conf",
        "rtp.conf",
        "http.conf",
    ] {
        let text = std::fs::read_to_string(target.join(f)).unwrap_or_default();
        assert!(text.starts_with(';'), "{f} should start with a comment");
    }
    let check = tandem_testkit::check(&bin(), &target);
    assert_eq!(
        check.code, 0,
        "starter config fails tandem check: {check:?}"
    );
    assert!(!check.stdout.contains("error"), "{check:?}");
    // A second run refuses and leaves an edited file alone.
    std::fs::write(target.join("sip.conf"), "; mine\n").expect("write");
    let again = tandem_testkit::run(&bin(), &["init", "--config", &t]);
    assert_eq!(again.code, 1);
    assert!(again.stderr.contains("never overwrites"), "{again:?}");
    assert_eq!(
        std::fs::read_to_string(target.join("sip.conf")).unwrap_or_default(),
        "; mine\n"
    );
}

#[test]
fn interactive_console_runs_commands_from_stdin_until_exit() {
    let (_config, data, _daemon, _port) = start(&[]);
    let home = TempDir::new();
    let mut child = std::process::Command::new(bin())
        .args(["cli", "--data"])
        .arg(data.path())
        .env("HOME", home.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn tandem cli");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"core show calls\ncore show uptime seconds\nexit\ncore show version\n")
        .expect("write");
    let out = child.wait_with_output().expect("tandem cli");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(
        stdout.contains("0 active calls\n0 calls processed\n"),
        "{stdout}"
    );
    assert!(stdout.contains("System uptime: "), "{stdout}");
    assert!(
        !stdout.contains("tandem 0."),
        "commands after exit must not run: {stdout}"
    );
    let history = std::fs::read_to_string(home.path().join(".tandem_history")).unwrap_or_default();
    assert!(history.contains("core show calls"), "history: {history:?}");
}
