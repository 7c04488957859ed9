//! Third-party clients the end-to-end tests drive (sipp, baresip, ...).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// The path of `tool` on PATH. Without it a test is skipped, except under `CI=true`, where a
/// missing tool is a failure (CI must have installed it).
pub fn require_tool(tool: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(tool))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{tool} is not installed, and CI=true: .ci/run must install it");
        }
        eprintln!("SKIPPED: {tool} is not installed");
    }
    found
}

/// What a finished sipp run left behind.
#[derive(Debug)]
pub struct SippRun {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// The error log (`-trace_err`), if any.
    pub errors: String,
}

/// Run sipp with `args` in `dir` (its logs go there), bounded by `timeout` (coreutils
/// `timeout` kills it if sipp itself hangs). Always non-interactive.
pub fn sipp(sipp: &Path, dir: &Path, args: &[&str], timeout: Duration) -> SippRun {
    let secs = timeout.as_secs().max(1).to_string();
    let out = Command::new("timeout")
        .arg("-k")
        .arg("5")
        .arg(&secs)
        .arg(sipp)
        .args(args)
        .args(["-nostdin", "-trace_err", "-timeout", &secs])
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run sipp");
    let mut errors = String::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if name.ends_with("_errors.log") {
                errors.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
            }
        }
    }
    SippRun {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).to_string(),
        stderr: String::from_utf8_lossy(&out.stderr).to_string(),
        errors,
    }
}
