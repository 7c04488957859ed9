//! Test helpers: temporary directories, configuration writers, and a harness that runs the
//! real `tandem` binary (the daemon, its remote CLI, `dialplan run`, `check`).
//!
//! Tests inside `crates/tandem` get the binary's path from `env!("CARGO_BIN_EXE_tandem")` and
//! pass it in; nothing here guesses where cargo put it.

mod alloc_count;
pub use alloc_count::{thread_allocations, ThreadCounting};
mod baresip;
mod certs;
pub use certs::make_certs;
mod linphone;
pub use linphone::{rc_text as linphone_rc_text, Linphone, LINPHONE_TIMEOUT};
mod ports;
mod tools;
pub use baresip::{
    fail_with_output, module_path as baresip_module_path, sip_port_pair, wav, Baresip, Phone,
    PhoneTls, BARESIP_TIMEOUT,
};
pub use ports::free_port;
pub use tools::{require_tool, sipp, SippRun};
mod daemon;
mod diff;
mod tempdir;

use std::path::{Path, PathBuf};
use std::process::Command;

pub use daemon::Daemon;
pub use diff::{assert_lines_eq, line_diff};
pub use tempdir::TempDir;

/// The `tandem` binary, as handed in by the test (`env!("CARGO_BIN_EXE_tandem")`).
pub fn tandem_bin(path: &str) -> PathBuf {
    PathBuf::from(path)
}

/// Write `files` (name relative to `dir`, text) into `dir`, creating subdirectories.
pub fn write_config(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .unwrap_or_else(|e| panic!("mkdir {}: {e}", parent.display()));
        }
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }
}

/// What a finished `tandem` command printed, and how it exited.
#[derive(Debug, Clone)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    /// The exit code; -1 if the process died from a signal.
    pub code: i32,
}

impl Output {
    /// Stdout as lines.
    pub fn lines(&self) -> Vec<String> {
        self.stdout.lines().map(str::to_owned).collect()
    }
}

/// Run `bin` with `args` and wait for it.
pub fn run(bin: &Path, args: &[&str]) -> Output {
    let out = Command::new(bin)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("spawn {} {args:?}: {e}", bin.display()));
    Output {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// `GET path` from the daemon's HTTP endpoint on 127.0.0.1:`port`: (status line, body).
pub fn http_get(port: u16, path: &str) -> (String, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect http");
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .ok();
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").expect("write");
    let mut text = String::new();
    s.read_to_string(&mut text).expect("read");
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (
        head.lines().next().unwrap_or_default().to_string(),
        body.to_string(),
    )
}

/// `tandem cli --data DATA -x CMD`: what the daemon answered (stdout).
pub fn run_cli(bin: &Path, data: &Path, cmd: &str) -> String {
    let data = data.to_string_lossy();
    let out = run(bin, &["cli", "--data", &data, "-x", cmd]);
    assert_eq!(out.code, 0, "tandem cli -x {cmd:?} failed: {out:?}");
    out.stdout
}

/// `tandem dialplan run --config CONFIG ARGS...`: (stdout lines, exit code).
pub fn dialplan_run(bin: &Path, config: &Path, args: &[&str]) -> (Vec<String>, i32) {
    let out = dialplan_run_full(bin, config, args);
    (out.lines(), out.code)
}

/// As [`dialplan_run`], with stderr (Verbose and Log write there).
pub fn dialplan_run_full(bin: &Path, config: &Path, args: &[&str]) -> Output {
    let config = config.to_string_lossy();
    let mut all = vec!["dialplan", "run", "--config", &config];
    all.extend_from_slice(args);
    run(bin, &all)
}

/// `tandem check --config CONFIG`.
pub fn check(bin: &Path, config: &Path) -> Output {
    let config = config.to_string_lossy();
    run(bin, &["check", "--config", &config])
}

/// `tandem dialplan show --config CONFIG [CONTEXT]`.
pub fn dialplan_show(bin: &Path, config: &Path, context: Option<&str>) -> Output {
    let config = config.to_string_lossy();
    let mut all = vec!["dialplan", "show", "--config", &config];
    if let Some(c) = context {
        all.push(c);
    }
    run(bin, &all)
}
