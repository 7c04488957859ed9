//! The real daemon under test: `tandem run`, waited for by its `tandem ready` line on stderr
//! (never by a fixed sleep), killed on drop.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a daemon may take to print `tandem ready` (a cold debug build on a busy machine).
pub const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// A running `tandem run --config CONFIG --data DATA`.
pub struct Daemon {
    child: Option<Child>,
    bin: PathBuf,
    data: PathBuf,
    stderr: Arc<Mutex<Vec<String>>>,
    drain: Option<std::thread::JoinHandle<()>>,
}

impl Daemon {
    /// Spawn the daemon and wait (up to [`READY_TIMEOUT`]) for `tandem ready` on its stderr.
    /// Panics with everything it printed if it exits or times out first.
    pub fn start(bin: &Path, config: &Path, data: &Path) -> Daemon {
        let mut child = Command::new(bin)
            .arg("run")
            .arg("--config")
            .arg(config)
            .arg("--data")
            .arg(data)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {} run: {e}", bin.display()));
        let Some(pipe) = child.stderr.take() else {
            let _ = child.kill();
            panic!("tandem run: no stderr pipe");
        };
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let (ready_tx, ready_rx) = mpsc::channel::<bool>();
        let lines = Arc::clone(&stderr);
        // Keep draining stderr for the daemon's whole life so it never blocks on a full pipe.
        let drain = std::thread::spawn(move || {
            let mut ready_tx = Some(ready_tx);
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                let is_ready = line.trim_end() == "tandem ready" || line.ends_with("tandem ready");
                if let Ok(mut v) = lines.lock() {
                    v.push(line);
                }
                if is_ready {
                    if let Some(tx) = ready_tx.take() {
                        let _ = tx.send(true);
                    }
                }
            }
            if let Some(tx) = ready_tx.take() {
                let _ = tx.send(false);
            }
        });
        let mut daemon = Daemon {
            child: Some(child),
            bin: bin.to_path_buf(),
            data: data.to_path_buf(),
            stderr,
            drain: Some(drain),
        };
        match ready_rx.recv_timeout(READY_TIMEOUT) {
            Ok(true) => daemon,
            Ok(false) => {
                let status = daemon.child.as_mut().and_then(|c| c.wait().ok());
                let printed = daemon.stderr_text();
                panic!("tandem run exited before `tandem ready` ({status:?}); stderr:\n{printed}");
            }
            Err(_) => {
                daemon.kill();
                let printed = daemon.stderr_text();
                panic!(
                    "tandem run: no `tandem ready` within {READY_TIMEOUT:?}; stderr:\n{printed}"
                );
            }
        }
    }

    /// The daemon's process id.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The data directory it was started with.
    pub fn data(&self) -> &Path {
        &self.data
    }

    /// The control socket, `DATA/tandem.ctl`.
    pub fn socket(&self) -> PathBuf {
        self.data.join("tandem.ctl")
    }

    /// Everything the daemon printed on stderr so far.
    pub fn stderr_text(&self) -> String {
        match self.stderr.lock() {
            Ok(v) => v.join("\n"),
            Err(_) => String::new(),
        }
    }

    /// How many stderr lines so far contain every one of `parts`.
    pub fn log_count(&self, parts: &[&str]) -> usize {
        let text = self.stderr_text();
        text.lines()
            .filter(|l| parts.iter().all(|p| l.contains(p)))
            .count()
    }

    /// Assert that tandem logs a line containing `part`, waiting up to 30 s for it: a line
    /// may reach the test's stderr reader after the network answer it goes with, so a positive
    /// check on a log line always waits. Panics with the whole stderr when it never comes.
    pub fn expect_log(&self, part: &str) -> String {
        self.wait_log(part, Duration::from_secs(30))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Wait up to `timeout` for a stderr line that contains `part`; Ok(that line).
    pub fn wait_log(&self, part: &str, timeout: Duration) -> Result<String, String> {
        self.wait_log_nth(&[part], 1, timeout)
    }

    /// Wait up to `timeout` for the `n`th (from 1) stderr line that contains every one of
    /// `parts`; Ok(that line), Err with everything printed so far.
    pub fn wait_log_nth(
        &self,
        parts: &[&str],
        n: usize,
        timeout: Duration,
    ) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let text = self.stderr_text();
            let found = text
                .lines()
                .filter(|l| parts.iter().all(|p| l.contains(p)))
                .nth(n.saturating_sub(1));
            if let Some(line) = found {
                return Ok(line.to_string());
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "no tandem log line #{n} with {parts:?} within {timeout:?}; stderr:\n{text}"
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Poll `tandem cli -x CMD` until its answer contains every one of `parts` (up to
    /// `timeout`); Ok(the answer).
    pub fn wait_cli(&self, cmd: &str, parts: &[&str], timeout: Duration) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let answer = crate::run_cli(&self.bin, &self.data, cmd);
            if parts.iter().all(|p| answer.contains(p)) {
                return Ok(answer);
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "`{cmd}` did not show {parts:?} within {timeout:?}:\n{answer}"
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Send SIGTERM (through `kill`, no libc binding) and wait up to `timeout` for the process
    /// to exit. Returns its exit code (None: killed by a signal or did not exit in time).
    pub fn terminate(&mut self, timeout: Duration) -> Result<Option<i32>, String> {
        let Some(child) = self.child.as_mut() else {
            return Err("daemon already stopped".into());
        };
        let pid = child.id().to_string();
        let status = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .map_err(|e| format!("kill -TERM {pid}: {e}"))?;
        if !status.success() {
            return Err(format!("kill -TERM {pid}: {status}"));
        }
        let deadline = std::time::Instant::now() + timeout;
        loop {
            match child.try_wait() {
                Ok(Some(st)) => {
                    self.child = None;
                    if let Some(h) = self.drain.take() {
                        let _ = h.join();
                    }
                    return Ok(st.code());
                }
                Ok(None) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Ok(None) => {
                    return Err(format!(
                        "tandem (pid {pid}) still running {timeout:?} after SIGTERM"
                    ))
                }
                Err(e) => return Err(format!("wait for {pid}: {e}")),
            }
        }
    }

    /// kill -9: SIGKILL, so no shutdown code of the daemon runs; waits for it to be gone.
    pub fn kill9(&mut self) {
        self.kill();
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Some(h) = self.drain.take() {
            let _ = h.join();
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.kill();
    }
}
