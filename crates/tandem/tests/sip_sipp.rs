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
    let sip = format!("[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=public\n\n{sip_extra}");
    write_config(config.path(), &[("extensions.conf", extensions), ("sip.conf", &sip)]);
    let daemon = Daemon::start(&bin(), config.path(), data.path());
    (config, data, daemon, port)
}

#[test]
fn sipp_options_ping_gets_200_with_allow() {
    let Some(sipp_bin) = require_tool("sipp") else { return };
    let (_c, _d, _daemon, port) = start("", "[public]\n");
    let work = TempDir::new();
    let local = free_port().to_string();
    let run = sipp(
        &sipp_bin,
        work.path(),
        &["-sf", &scenario("options.xml"), "-m", "3", "-i", "127.0.0.1", "-p", &local, &format!("127.0.0.1:{port}")],
        Duration::from_secs(60),
    );
    assert_eq!(run.code, Some(0), "sipp failed: {run:?}");
}
