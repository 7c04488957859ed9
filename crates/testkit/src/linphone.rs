//! linphonec (Debian `linphone-cli`, liblinphone 5.1 on belle-sip), driven headless: a second
//! real softphone beside baresip, and the one that answers SHA-256 digest challenges
//! (RFC 8760).
//!
//! How it is driven (each point found by running it here):
//! - Its own `HOME` (a temp dir) and rc file (`-c`); linphonec writes the rc back, saved
//!   credentials included, so every phone gets a fresh directory.
//! - `HOME/.local/share/linphone/` must exist: without it the core cannot open its database,
//!   never reaches the "network reachable" state and never opens a SIP port (the register
//!   then fails with `No listening point matching for [udp://...]`).
//! - `[sip] register_only_when_network_is_up=0`, a fixed UDP `sip_port`, `sip_tcp_port=0`
//!   and `sip_tls_port=0` (0 turns them off; -1 would pick random ports).
//! - Commands go to its stdin (readline reads a pipe too and keeps the core iterating):
//!   `register sip:USER@HOST:PORT HOST:PORT PASSWORD`, `status register`, `quit`.
//! - Registration success is printed nowhere on stdout, so the harness waits on its log
//!   (`-d 6 -l FILE`) for the account moving `to [LinphoneRegistrationOk]`. A rejected
//!   password shows as the prompt `Password for USER on REALM:` on stdout.
//! - SIGTERM/SIGINT can hang it (its handler tears the core down inside the signal): stop it
//!   with `quit` on stdin, then SIGKILL if it has not gone.

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the harness waits for linphonec (registration, exit).
pub const LINPHONE_TIMEOUT: Duration = Duration::from_secs(60);

/// The log line of a successful registration.
const REGISTERED: &str = "to [LinphoneRegistrationOk]";
/// The log line of a failed registration.
const FAILED: &str = "to [LinphoneRegistrationFailed]";
/// What linphonec prints on stdout when the server refused its credentials.
const PASSWORD_PROMPT: &str = "Password for ";

/// A running linphonec.
pub struct Linphone {
    child: Option<Child>,
    stdin: Option<ChildStdin>,
    home: PathBuf,
    log: PathBuf,
    stdout: Arc<Mutex<String>>,
    drain: Option<std::thread::JoinHandle<()>>,
}

/// The rc file for a phone listening on UDP `sip_port` (all interfaces, as belle-sip binds)
/// with its RTP on `rtp_port`.
pub fn rc_text(sip_port: u16, rtp_port: u16) -> String {
    format!(
        "[sip]\nsip_port={sip_port}\nsip_tcp_port=0\nsip_tls_port=0\nregister_only_when_network_is_up=0\n\
         register_only_when_upnp_is_ok=0\n\n[rtp]\naudio_rtp_port={rtp_port}\nvideo_rtp_port=0\n\n\
         [video]\ncapture=0\ndisplay=0\n"
    )
}

impl Linphone {
    /// Start `bin` (the `linphonec` path) with `home` as its HOME (created if needed), its rc
    /// file and log inside it. Does not register: see [`Linphone::register`].
    pub fn start(bin: &Path, home: &Path, sip_port: u16, rtp_port: u16) -> Linphone {
        let db_dir = home.join(".local/share/linphone");
        std::fs::create_dir_all(&db_dir)
            .unwrap_or_else(|e| panic!("mkdir {}: {e}", db_dir.display()));
        let rc = home.join("linphonerc");
        std::fs::write(&rc, rc_text(sip_port, rtp_port))
            .unwrap_or_else(|e| panic!("write {}: {e}", rc.display()));
        let log = home.join("linphonec.log");
        let mut child = Command::new(bin)
            .arg("-c")
            .arg(&rc)
            .arg("-d")
            .arg("6")
            .arg("-l")
            .arg(&log)
            .env("HOME", home)
            .env_remove("DISPLAY")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", bin.display()));
        let stdin = child.stdin.take();
        let stdout = Arc::new(Mutex::new(String::new()));
        let drain = child.stdout.take().map(|pipe| {
            let out = Arc::clone(&stdout);
            std::thread::spawn(move || {
                // Keep at most 1 MiB of output (linphonec prints little on stdout).
                let mut reader = BufReader::new(pipe);
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                    if let Ok(mut o) = out.lock() {
                        if o.len() < (1 << 20) {
                            o.push_str(&line);
                        }
                    }
                    line.clear();
                }
            })
        });
        Linphone {
            child: Some(child),
            stdin,
            home: home.to_path_buf(),
            log,
            stdout,
            drain,
        }
    }

    /// Its HOME directory.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// Send one command line on stdin.
    pub fn command(&mut self, line: &str) -> Result<(), String> {
        let stdin = self.stdin.as_mut().ok_or("linphonec: stdin closed")?;
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .and_then(|()| stdin.flush())
            .map_err(|e| format!("linphonec: write {line:?}: {e}"))
    }

    /// `register sip:USER@PBX PBX PASSWORD`: a proxy and its credentials, registering at once.
    pub fn register(&mut self, user: &str, pbx: SocketAddr, password: &str) -> Result<(), String> {
        self.command(&format!("register sip:{user}@{pbx} {pbx} {password}"))
    }

    /// What it printed on stdout so far.
    pub fn output(&self) -> String {
        self.stdout.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Its log file so far (liblinphone and belle-sip at level 6, SIP messages included).
    pub fn log(&self) -> String {
        std::fs::read(&self.log)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    /// The `Authorization` header lines it sent (from its log).
    pub fn authorization_headers(&self) -> Vec<String> {
        self.log()
            .lines()
            .filter(|l| {
                l.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("authorization:")
            })
            .map(|l| l.trim().to_owned())
            .collect()
    }

    /// Wait (polling its log and stdout, up to `timeout`) until the account is registered.
    /// Fails at once on a refused password, a failed registration or an exited process.
    pub fn wait_registered(&mut self, timeout: Duration) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let log = self.log();
            if let Some(line) = log.lines().find(|l| l.contains(REGISTERED)) {
                return Ok(line.to_owned());
            }
            let out = self.output();
            if out.contains(PASSWORD_PROMPT) {
                return Err(format!(
                    "linphonec: credentials refused; stdout:\n{out}\n{}",
                    self.log_tail()
                ));
            }
            if let Some(line) = log.lines().find(|l| l.contains(FAILED)) {
                return Err(format!(
                    "linphonec: registration failed: {line}\n{}",
                    self.log_tail()
                ));
            }
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                return Err(format!(
                    "linphonec exited ({status}) before registering; stdout:\n{out}\n{}",
                    self.log_tail()
                ));
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "linphonec: not registered within {timeout:?}; stdout:\n{out}\n{}",
                    self.log_tail()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The last lines of its log that matter (SIP and registration), for failure messages.
    pub fn log_tail(&self) -> String {
        let log = self.log();
        let wanted: Vec<&str> = log
            .lines()
            .filter(|l| {
                l.contains("Registration")
                    || l.contains("belle-sip-error")
                    || l.contains("WWW-Authenticate")
                    || l.contains("Authorization")
                    || l.starts_with("SIP/2.0")
                    || l.starts_with("REGISTER ")
            })
            .collect();
        let from = wanted.len().saturating_sub(40);
        format!(
            "linphonec log ({}):\n{}",
            self.log.display(),
            wanted[from..].join("\n")
        )
    }

    /// `quit` (it un-registers first), waiting up to `timeout` for the exit; SIGKILL after.
    pub fn quit(&mut self, timeout: Duration) {
        let _ = self.command("quit");
        self.stdin = None;
        let deadline = Instant::now() + timeout;
        while let Some(child) = self.child.as_mut() {
            match child.try_wait() {
                Ok(Some(_)) | Err(_) => break,
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
        self.child = None;
        if let Some(d) = self.drain.take() {
            let _ = d.join();
        }
    }
}

impl Drop for Linphone {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
