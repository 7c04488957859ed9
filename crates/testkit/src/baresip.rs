//! baresip as a real softphone in end-to-end tests: one config directory per phone, a WAV file
//! as its microphone, the `sndfile` module recording what it sends and receives, commands over
//! `ctrl_tcp` (netstring-framed JSON), and its output collected so a test waits on it.
//!
//! Facts about Debian's baresip 1.0.0 this harness relies on (seen on this machine):
//! - `sip_listen IP:PORT` binds UDP and TCP on PORT *and TLS on PORT+1*: give each phone two
//!   consecutive free ports ([`sip_port_pair`]).
//! - Output reaches a pipe line by line; the status line (`[0:00:03] audio=...`) is redrawn
//!   with `\r` and is dropped here. Registration reads `200 OK (tandem) [1 binding]`, a
//!   connected call `Call established`, an ended one `terminated` (and `CALL_CLOSED` on
//!   ctrl_tcp, which this harness also logs as `ctrl: {json}` lines).
//! - The call hangs up by itself when the `aufile` source reaches the end of the WAV
//!   (`menu: audio error (0,end of file)`): use a WAV longer than the call.
//! - No audio player module is needed: the receive pipeline ends in `(play)`, and `sndfile`
//!   still writes `dump-*-dec.wav` (what was received) and `dump-*-enc.wav` (what was sent).

pub mod wav;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::free_port;

/// How long to wait for baresip to start, register, connect a call (a busy machine).
pub const BARESIP_TIMEOUT: Duration = Duration::from_secs(60);

/// Bound on the lines kept from one phone's output.
const MAX_LINES: usize = 50_000;

/// Bound on one ctrl_tcp netstring.
const MAX_NETSTRING: usize = 1 << 20;

/// A free port whose successor is free too (baresip binds TLS on `sip_listen`'s port + 1).
pub fn sip_port_pair() -> u16 {
    let mut last = free_port();
    for _ in 0..1000 {
        let next = free_port();
        if next == last.wrapping_add(1) {
            return last;
        }
        last = next;
    }
    panic!("no two consecutive free ports on 127.0.0.1");
}

/// The directory holding baresip's modules (`g711.so`, ...), if one of the usual ones has them.
pub fn module_path() -> Option<PathBuf> {
    [
        "/usr/lib/baresip/modules",
        "/usr/lib/x86_64-linux-gnu/baresip/modules",
        "/usr/local/lib/baresip/modules",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.join("g711.so").is_file())
}

/// One phone's settings.
#[derive(Debug, Clone)]
pub struct Phone {
    /// SIP user (the peer name in sip.conf).
    pub name: String,
    pub password: String,
    /// The PBX's SIP port on 127.0.0.1 (UDP).
    pub pbx_port: u16,
    /// `sip_listen` port; PORT+1 is taken by TLS.
    pub sip_port: u16,
    /// `ctrl_tcp_listen` port.
    pub ctrl_port: u16,
    /// `rtp_ports` range (keep it apart from the PBX's rtp.conf range).
    pub rtp_ports: (u16, u16),
    /// The microphone: a WAV file at the call's codec rate (baresip's aufile refuses any
    /// other): 8 kHz mono 16-bit for G.711, 16 kHz for G.722.
    pub audio_source: PathBuf,
    /// `snd_path`: where `dump-*-enc.wav` and `dump-*-dec.wav` go.
    pub record_dir: PathBuf,
    /// `answermode=auto` (else manual: answer with [`Baresip::answer`]).
    pub answer_auto: bool,
    /// The account's `audio_codecs`, comma-separated baresip names (`PCMU`, `PCMA`, `G722`).
    pub codecs: String,
    /// Register and call over TLS ([`PhoneTls`]) instead of UDP.
    pub tls: Option<PhoneTls>,
    /// The account's `mediaenc` (`srtp-mand`: SDES-SRTP, RTP/SAVP, nothing in the clear).
    pub mediaenc: Option<String>,
    /// The account's `regint` (seconds; 0: it does not register, and only takes calls sent
    /// to its own address, as a static peer does). Default 600.
    pub regint: u32,
}

/// SIP over TLS for a phone: the PBX's TLS port, the CA that signed the PBX's certificate
/// (`sip_cafile`) and the phone's own certificate with its key in one PEM (`sip_certificate`).
#[derive(Debug, Clone)]
pub struct PhoneTls {
    pub pbx_port: u16,
    pub cafile: PathBuf,
    pub certificate: Option<PathBuf>,
}

impl Phone {
    /// A phone with free ports, RTP in 63000-63999, auto answer and PCMU.
    pub fn new(
        name: &str,
        password: &str,
        pbx_port: u16,
        audio_source: &Path,
        record_dir: &Path,
    ) -> Phone {
        Phone {
            name: name.to_string(),
            password: password.to_string(),
            pbx_port,
            sip_port: sip_port_pair(),
            ctrl_port: free_port(),
            rtp_ports: (63000, 63999),
            audio_source: audio_source.to_path_buf(),
            record_dir: record_dir.to_path_buf(),
            answer_auto: true,
            codecs: "PCMU".to_string(),
            tls: None,
            mediaenc: None,
            regint: 600,
        }
    }

    /// The `config` file's text.
    pub fn config_text(&self) -> String {
        let mut c = String::new();
        c.push_str(&format!("sip_listen 127.0.0.1:{}\n", self.sip_port));
        c.push_str(&format!(
            "audio_source aufile,{}\n",
            self.audio_source.display()
        ));
        c.push_str(&format!(
            "rtp_ports {}-{}\n",
            self.rtp_ports.0, self.rtp_ports.1
        ));
        if let Some(path) = module_path() {
            c.push_str(&format!("module_path {}\n", path.display()));
        }
        c.push_str("module g711.so\n");
        if let Some(tls) = &self.tls {
            c.push_str(&format!("sip_cafile {}\n", tls.cafile.display()));
            if let Some(cert) = &tls.certificate {
                c.push_str(&format!("sip_certificate {}\n", cert.display()));
            }
        }
        if self.mediaenc.is_some() {
            // Media encryption modules must load before account.so reads the accounts.
            c.push_str("module srtp.so\n");
        }
        // G.722 when the installed baresip ships it (an account only uses it when its
        // `audio_codecs` names it). Codecs must load before account.so reads the accounts.
        if module_path().is_some_and(|p| p.join("g722.so").is_file()) {
            c.push_str("module g722.so\n");
        }
        for m in [
            "aufile.so",
            "sndfile.so",
            "account.so",
            "menu.so",
            "ctrl_tcp.so",
        ] {
            c.push_str(&format!("module {m}\n"));
        }
        c.push_str(&format!("snd_path {}\n", self.record_dir.display()));
        c.push_str(&format!("ctrl_tcp_listen 127.0.0.1:{}\n", self.ctrl_port));
        c
    }

    /// The `accounts` file's text.
    pub fn accounts_text(&self) -> String {
        let answer = if self.answer_auto { "auto" } else { "manual" };
        let (port, transport) = match &self.tls {
            Some(t) => (t.pbx_port, "tls"),
            None => (self.pbx_port, "udp"),
        };
        let mediaenc = self
            .mediaenc
            .as_deref()
            .map(|m| format!(";mediaenc={m}"))
            .unwrap_or_default();
        format!(
            "<sip:{}@127.0.0.1:{port};transport={transport}>;auth_pass={};regint={};answermode={answer};audio_codecs={}{mediaenc}\n",
            self.name, self.password, self.regint, self.codecs
        )
    }

    /// This phone offering and accepting only `codecs` (e.g. `"PCMA"`, `"G722,PCMU"`).
    pub fn with_codecs(mut self, codecs: &str) -> Phone {
        self.codecs = codecs.to_string();
        self
    }

    /// `sip:USER@127.0.0.1:PBXPORT`: a URI that reaches `user` through the PBX.
    pub fn pbx_uri(&self, user: &str) -> String {
        match &self.tls {
            Some(t) => format!("sip:{user}@127.0.0.1:{};transport=tls", t.pbx_port),
            None => format!("sip:{user}@127.0.0.1:{}", self.pbx_port),
        }
    }

    /// This phone over TLS to the PBX's TLS port (see [`PhoneTls`]).
    pub fn with_tls(mut self, tls: PhoneTls) -> Phone {
        self.tls = Some(tls);
        self
    }

    /// This phone with the account's `mediaenc` (e.g. `"srtp-mand"`).
    pub fn with_mediaenc(mut self, mediaenc: &str) -> Phone {
        self.mediaenc = Some(mediaenc.to_string());
        self
    }
}

/// A running `baresip -f DIR`, killed on drop.
pub struct Baresip {
    child: Option<Child>,
    pub phone: Phone,
    lines: Arc<Mutex<Vec<String>>>,
    /// Set when its stdout closes: waits stop early.
    exited: Arc<AtomicBool>,
    /// ctrl_tcp responses (netstring bodies), matched to commands by token.
    responses: Arc<Mutex<Vec<String>>>,
    /// The ctrl_tcp connection commands are written to.
    ctrl: Option<TcpStream>,
    token: u32,
}

fn push_line(lines: &Mutex<Vec<String>>, line: &str) {
    let line = line.trim_end();
    // The redrawn status line is noise; escape codes are colour.
    if line.is_empty() || (line.starts_with('[') && line.contains("] audio=")) {
        return;
    }
    let clean: String = line
        .replace("\u{1b}[31m", "")
        .replace("\u{1b}[32m", "")
        .replace("\u{1b}[;m", "");
    let mut v = lines.lock().unwrap_or_else(PoisonError::into_inner);
    if v.len() < MAX_LINES {
        v.push(clean);
    }
}

/// Collect `pipe` into `lines`, split on `\n` and `\r`.
/// `eof` is set when the pipe closes (the process exited).
fn drain(
    pipe: impl Read + Send + 'static,
    lines: Arc<Mutex<Vec<String>>>,
    eof: Option<Arc<AtomicBool>>,
) {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(pipe);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    for part in String::from_utf8_lossy(&buf).split('\r') {
                        push_line(&lines, part);
                    }
                }
            }
        }
        if let Some(eof) = eof {
            eof.store(true, Ordering::SeqCst);
        }
    });
}

/// Read one netstring (`LEN:BYTES,`) from `r`.
fn read_netstring(r: &mut impl Read) -> std::io::Result<String> {
    let mut len = 0usize;
    let mut byte = [0u8; 1];
    loop {
        r.read_exact(&mut byte)?;
        match byte[0] {
            b':' => break,
            d @ b'0'..=b'9' if len < MAX_NETSTRING => len = len * 10 + usize::from(d - b'0'),
            _ => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "bad netstring length",
                ))
            }
        }
    }
    if len > MAX_NETSTRING {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "netstring too long",
        ));
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body)?;
    r.read_exact(&mut byte)?;
    if byte[0] != b',' {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "netstring without ','",
        ));
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl Baresip {
    /// Write `config` and `accounts` into `dir`, start `bin -f dir`, wait for
    /// `baresip is ready`, and open the ctrl_tcp connection. When a port turns out to be taken
    /// (another process bound it after [`free_port`] probed it), it starts again on fresh
    /// ports: read the ports used from [`Baresip::phone`]. Panics with the output if it does
    /// not get there.
    pub fn start(bin: &Path, dir: &Path, phone: &Phone) -> Baresip {
        const ATTEMPTS: usize = 8;
        let mut phone = phone.clone();
        for attempt in 1..=ATTEMPTS {
            let mut proc = Baresip::spawn(bin, dir, &phone);
            let ready = proc.wait_for("baresip is ready", BARESIP_TIMEOUT);
            let output = proc.output();
            if output.contains("Address already in use") && attempt < ATTEMPTS {
                // It may have registered already (only ctrl_tcp failed): SIGTERM makes it
                // un-register, so the PBX keeps no stale contact.
                proc.terminate(Duration::from_secs(10));
                phone.sip_port = sip_port_pair();
                phone.ctrl_port = free_port();
                continue;
            }
            if let Err(e) = ready {
                panic!("{} did not start: {e}", phone.name);
            }
            if let Err(e) = proc.connect_ctrl() {
                panic!("{}: {e}; output:\n{output}", phone.name);
            }
            return proc;
        }
        panic!("{}: no free ports after {ATTEMPTS} attempts", phone.name);
    }

    fn spawn(bin: &Path, dir: &Path, phone: &Phone) -> Baresip {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("mkdir {}: {e}", dir.display()));
        std::fs::create_dir_all(&phone.record_dir)
            .unwrap_or_else(|e| panic!("mkdir {}: {e}", phone.record_dir.display()));
        crate::write_config(
            dir,
            &[
                ("config", &phone.config_text()),
                ("accounts", &phone.accounts_text()),
            ],
        );
        let mut child = Command::new(bin)
            .arg("-f")
            .arg(dir)
            // A backstop: the process quits by itself if a test dies without dropping it.
            .args(["-t", "600"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", bin.display()));
        let lines = Arc::new(Mutex::new(Vec::new()));
        let exited = Arc::new(AtomicBool::new(false));
        if let Some(out) = child.stdout.take() {
            drain(out, Arc::clone(&lines), Some(Arc::clone(&exited)));
        }
        if let Some(err) = child.stderr.take() {
            drain(err, Arc::clone(&lines), None);
        }
        Baresip {
            child: Some(child),
            phone: phone.clone(),
            lines,
            exited,
            responses: Arc::new(Mutex::new(Vec::new())),
            ctrl: None,
            token: 0,
        }
    }

    /// Open the one ctrl_tcp connection (baresip 1.0.0 serves a single client: a second
    /// connection takes over from the first). A thread logs its events (`CALL_ESTABLISHED`,
    /// `CALL_CLOSED`, ...) as `ctrl: {json}` lines and keeps command responses for [`Self::command`].
    fn connect_ctrl(&mut self) -> Result<(), String> {
        let port = self.phone.ctrl_port;
        let deadline = Instant::now() + BARESIP_TIMEOUT;
        let stream = loop {
            match TcpStream::connect(("127.0.0.1", port)) {
                Ok(s) => break s,
                Err(_) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                Err(e) => return Err(format!("ctrl_tcp: cannot connect to port {port}: {e}")),
            }
        };
        let mut reader = stream.try_clone().map_err(|e| format!("ctrl_tcp: {e}"))?;
        self.ctrl = Some(stream);
        let lines = Arc::clone(&self.lines);
        let responses = Arc::clone(&self.responses);
        std::thread::spawn(move || {
            while let Ok(msg) = read_netstring(&mut reader) {
                if msg.contains("\"event\":true") {
                    push_line(&lines, &format!("ctrl: {msg}"));
                } else if msg.contains("\"response\":true") {
                    let mut v = responses.lock().unwrap_or_else(PoisonError::into_inner);
                    if v.len() < MAX_LINES {
                        v.push(msg);
                    }
                }
            }
        });
        Ok(())
    }

    /// Everything the phone printed so far (and ctrl events), one line each.
    pub fn output(&self) -> String {
        self.lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .join("\n")
    }

    /// How many output lines contain `pattern`.
    pub fn count(&self, pattern: &str) -> usize {
        self.lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter(|l| l.contains(pattern))
            .count()
    }

    /// Wait until a line containing `pattern` has been printed; returns that line, or an error
    /// with everything printed.
    pub fn wait_for(&self, pattern: &str, timeout: Duration) -> Result<String, String> {
        self.wait_for_nth(pattern, 1, timeout)
    }

    /// Wait until `n` lines containing `pattern` have been printed; returns the n-th.
    pub fn wait_for_nth(
        &self,
        pattern: &str,
        n: usize,
        timeout: Duration,
    ) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        loop {
            // Read the flag first: lines printed before the exit are all in by then.
            let exited = self.exited.load(Ordering::SeqCst);
            {
                let v = self.lines.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some(line) = v
                    .iter()
                    .filter(|l| l.contains(pattern))
                    .nth(n.saturating_sub(1))
                {
                    return Ok(line.clone());
                }
            }
            if exited || Instant::now() >= deadline {
                let why = if exited {
                    "before it exited".to_string()
                } else {
                    format!("within {timeout:?}")
                };
                return Err(format!(
                    "{}: no line #{n} with {pattern:?} {why}; output:\n{}",
                    self.phone.name,
                    self.output()
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Wait for the registration to be accepted (`200 OK (tandem) [1 binding]`; the count is
    /// the number of contacts the registrar lists for the account).
    pub fn wait_registered(&self, timeout: Duration) -> Result<String, String> {
        let line = self.wait_for(" binding", timeout)?;
        if line.contains("200 OK") {
            Ok(line)
        } else {
            Err(format!(
                "{}: unexpected registration line {line:?}; output:\n{}",
                self.phone.name,
                self.output()
            ))
        }
    }

    /// Send a ctrl_tcp command and wait for its response; `Ok(the response JSON)` when baresip
    /// says `"ok":true`.
    pub fn command(&mut self, command: &str, params: Option<&str>) -> Result<String, String> {
        self.token += 1;
        let token = format!("t{}", self.token);
        let mut json = format!("{{\"command\":{}", json_string(command));
        if let Some(p) = params {
            json.push_str(&format!(",\"params\":{}", json_string(p)));
        }
        json.push_str(&format!(",\"token\":\"{token}\"}}"));
        let Some(stream) = self.ctrl.as_mut() else {
            return Err(format!("{command}: no ctrl_tcp connection"));
        };
        stream
            .write_all(format!("{}:{json},", json.len()).as_bytes())
            .map_err(|e| format!("ctrl_tcp write: {e}"))?;
        let want = format!("\"token\":\"{token}\"");
        let deadline = Instant::now() + BARESIP_TIMEOUT;
        loop {
            let found = self
                .responses
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .iter()
                .find(|m| m.contains(&want))
                .cloned();
            if let Some(msg) = found {
                return if msg.contains("\"ok\":true") {
                    Ok(msg)
                } else {
                    Err(format!("{command}: {msg}"))
                };
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "{}: no response to {command} within {BARESIP_TIMEOUT:?}",
                    self.phone.name
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Place a call to `uri` (ctrl_tcp `dial`).
    pub fn dial(&mut self, uri: &str) -> Result<String, String> {
        self.command("dial", Some(uri))
    }

    /// Hang up the current call (ctrl_tcp `hangup`).
    pub fn hangup(&mut self) -> Result<String, String> {
        self.command("hangup", None)
    }

    /// Send DTMF digits in the current call as RFC 4733 events (ctrl_tcp `sndcode`), one
    /// command per digit with `gap` between them so each digit is a separate key press.
    pub fn send_digits(&mut self, digits: &str, gap: Duration) -> Result<(), String> {
        for (i, d) in digits.chars().enumerate() {
            if i > 0 {
                std::thread::sleep(gap);
            }
            self.command("sndcode", Some(&d.to_string()))?;
        }
        Ok(())
    }

    /// Answer the ringing call (ctrl_tcp `accept`; for `answer_auto: false`).
    pub fn answer(&mut self) -> Result<String, String> {
        self.command("accept", None)
    }

    /// The phone's recordings of `kind` (`"dec"`: received, `"enc"`: sent), oldest first.
    pub fn recordings(&self, kind: &str) -> Vec<PathBuf> {
        let suffix = format!("-{kind}.wav");
        let mut found: Vec<PathBuf> = std::fs::read_dir(&self.phone.record_dir)
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.path())
                    .filter(|p| {
                        p.file_name()
                            .map(|n| n.to_string_lossy())
                            .is_some_and(|n| n.starts_with("dump-") && n.ends_with(&suffix))
                    })
                    .collect()
            })
            .unwrap_or_default();
        found.sort();
        found
    }

    /// Wait until the newest `kind` recording holds at least `secs` seconds of 8 kHz 16-bit
    /// mono audio (judged by its size while it is being written).
    pub fn wait_recording(
        &self,
        kind: &str,
        secs: f64,
        timeout: Duration,
    ) -> Result<PathBuf, String> {
        self.wait_recording_at(kind, secs, 8000, timeout)
    }

    /// [`wait_recording`](Self::wait_recording) for a recording at `rate` Hz (a G.722 call
    /// records at 16 kHz).
    pub fn wait_recording_at(
        &self,
        kind: &str,
        secs: f64,
        rate: u32,
        timeout: Duration,
    ) -> Result<PathBuf, String> {
        let want = 44 + (secs * f64::from(rate) * 2.0) as u64;
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(path) = self.recordings(kind).pop() {
                let len = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                if len >= want {
                    return Ok(path);
                }
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "{}: no {kind} recording of {secs} s in {} within {timeout:?} (have {:?}); output:\n{}",
                    self.phone.name,
                    self.phone.record_dir.display(),
                    self.recordings(kind),
                    self.output()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Ask baresip to quit (it un-registers first) and wait for it to exit; kills it if it does
    /// not within `timeout`.
    pub fn quit(&mut self, timeout: Duration) {
        let _ = self.command("quit", None);
        let deadline = Instant::now() + timeout;
        if let Some(child) = self.child.as_mut() {
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    self.child = None;
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        self.kill();
    }

    /// SIGTERM (baresip un-registers and exits), then SIGKILL if it is still there after
    /// `timeout`.
    pub fn terminate(&mut self, timeout: Duration) {
        if let Some(child) = self.child.as_mut() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let deadline = Instant::now() + timeout;
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    self.child = None;
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        self.kill();
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Baresip {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Panic with `what: err`, tandem's stderr and every phone's output (an end-to-end test's
/// failure report).
pub fn fail_with_output(what: &str, pbx: &crate::Daemon, phones: &[&Baresip], err: &str) -> ! {
    let mut text = format!("{what}: {err}\n--- tandem stderr:\n{}\n", pbx.stderr_text());
    for p in phones {
        text.push_str(&format!("--- {} output:\n{}\n", p.phone.name, p.output()));
    }
    panic!("{text}");
}
