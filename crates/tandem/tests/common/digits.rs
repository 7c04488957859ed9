//! A sipp caller (alice, digest auth) that calls extension 700 and sends RFC 4733 digits
//! 1 then 2 from sipp's bundled telephone-event captures (`tests/sipp/uac_rfc4733_digits.xml`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use tandem_testkit::{free_port, require_tool, sipp, write_config, Daemon, SippRun, TempDir};

pub struct DigitCall {
    pub run: SippRun,
    /// tandem's stderr after the call, once `last_line` was logged (or 30 s went by).
    pub log: String,
}

/// Whether sipp's RFC 4733 captures are installed (a failure under `CI=true`).
pub fn rfc4733_captures() -> bool {
    let pcap = "/usr/share/sip-tester/dtmf_2833_1.pcap";
    if Path::new(pcap).is_file() {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true: {pcap} must be installed (sip-tester)"
    );
    eprintln!("SKIPPED: {pcap} missing");
    false
}

/// Run the call against a tandem with `extensions` (alice lands in `[public]`) and tandem's
/// RTP range `rtp`; `prepare_data` may put files into the data dir first (prompts). `None`
/// when sipp is not installed (a failure under `CI=true`, as `require_tool` says).
/// `last_line` is the last log line the call makes: a line may reach the test's stderr
/// reader after sipp has seen the BYE, so the log is read once it is there.
pub fn call_with_digits(
    extensions: &str,
    rtp: (u16, u16),
    last_line: &str,
    prepare_data: impl FnOnce(&Path),
) -> Option<DigitCall> {
    let sipp_bin = require_tool("sipp")?;
    if !rfc4733_captures() {
        return None;
    }
    let bin = tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"));
    let port = free_port();
    let config = TempDir::new();
    let data = TempDir::new();
    prepare_data(data.path());
    let sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=default\n\n\
         [alice]\ntype=friend\nhost=dynamic\nsecret=alicepw\ncontext=public\n"
    );
    let rtp = format!("[general]\nrtpstart={}\nrtpend={}\n", rtp.0, rtp.1);
    write_config(
        config.path(),
        &[
            ("sip.conf", &sip),
            ("extensions.conf", extensions),
            ("rtp.conf", &rtp),
        ],
    );
    let daemon = Daemon::start(&bin, config.path(), data.path());
    let work = TempDir::new();
    let scenario: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests/sipp/uac_rfc4733_digits.xml",
    ]
    .iter()
    .collect();
    let scenario = scenario.to_string_lossy().to_string();
    let (local, media, server) = (
        free_port().to_string(),
        free_port().to_string(),
        format!("127.0.0.1:{port}"),
    );
    let args = [
        "-sf",
        &scenario,
        "-s",
        "700",
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
        "-mp",
        &media,
        &server,
    ];
    let run = sipp(&sipp_bin, work.path(), &args, Duration::from_secs(60));
    let log = daemon
        .wait_log(last_line, Duration::from_secs(30))
        .map_or_else(|e| e, |_| daemon.stderr_text());
    Some(DigitCall { run, log })
}
