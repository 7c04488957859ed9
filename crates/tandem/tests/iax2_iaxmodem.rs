//! Debian's iaxmodem (libiax2: no call tokens, so its peer says `requirecalltoken=no`)
//! registers to tandem as an IAX2 peer; a baresip phone calls an extension that does
//! `Dial(IAX2/modem)`; the modem's pty prints RING, the test answers with ATA (fax class 1),
//! and the modem's 2100 Hz answer tone (CED) reaches the caller's recording.
//!
//! iaxmodem reads its configuration from `/etc/iaxmodem/NAME` (a fixed directory): the test
//! writes a uniquely named file there and removes it afterwards.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tandem_testkit::wav::{self, RATE_8K};
use tandem_testkit::{
    free_port, require_tool, run_cli, write_config, Baresip, Daemon, Phone, TempDir,
    BARESIP_TIMEOUT,
};

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

/// The iaxmodem process and its configuration file; both go away on drop.
struct Modem {
    child: Child,
    conf: PathBuf,
    log: PathBuf,
}

impl Drop for Modem {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.conf);
    }
}

impl Modem {
    fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

fn start_modem(
    iaxmodem: &Path,
    work: &Path,
    modem_port: u16,
    server_port: u16,
) -> Option<(Modem, PathBuf)> {
    let name = format!("tandemtest{modem_port}");
    let dir = Path::new("/etc/iaxmodem");
    if std::fs::create_dir_all(dir).is_err()
        || std::fs::create_dir_all("/var/log/iaxmodem").is_err()
    {
        eprintln!(
            "skipped: cannot write /etc/iaxmodem (iaxmodem reads its configuration only there)"
        );
        return None;
    }
    let device = work.join("ttyIAX");
    let conf = dir.join(&name);
    let text = format!(
        "device\t\t{}\nowner\t\troot:root\nmode\t\t660\nport\t\t{modem_port}\nrefresh\t\t60\n\
         server\t\t127.0.0.1:{server_port}\npeername\tmodem\nsecret\t\tmodempw\n\
         cidname\t\tModem\ncidnumber\t5550100\ncodec\t\tulaw\n",
        device.display()
    );
    std::fs::write(&conf, text).ok()?;
    let log = work.join("iaxmodem.log");
    let out = std::fs::File::create(&log).ok()?;
    let err = out.try_clone().ok()?;
    let child = Command::new(iaxmodem)
        .arg(&name)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .ok()?;
    Some((Modem { child, conf, log }, device))
}

/// Read the pty into a shared buffer from a thread; writes go through the returned file.
fn open_pty(
    device: &Path,
    timeout: Duration,
) -> Result<(std::fs::File, Arc<Mutex<String>>), String> {
    let deadline = Instant::now() + timeout;
    // Raw and without echo, or the modem's own output echoes back to it.
    loop {
        let ok = Command::new("stty")
            .args(["-F"])
            .arg(device)
            .args(["raw", "-echo"])
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            break;
        }
        if Instant::now() >= deadline {
            return Err(format!("stty -F {} raw -echo failed", device.display()));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let file = loop {
        match std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(device)
        {
            Ok(f) => break f,
            Err(e) if Instant::now() >= deadline => {
                return Err(format!("{}: {e}", device.display()));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    };
    let text = Arc::new(Mutex::new(String::new()));
    let mut reader = file.try_clone().map_err(|e| e.to_string())?;
    let sink = text.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 512];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            if let Ok(mut t) = sink.lock() {
                t.push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        }
    });
    Ok((file, text))
}

fn wait_text(text: &Arc<Mutex<String>>, part: &str, timeout: Duration) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    loop {
        let now = text.lock().map(|t| t.clone()).unwrap_or_default();
        if now.contains(part) {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "the pty did not print {part:?} within {timeout:?}: {now:?}"
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn iaxmodem_registers_rings_answers_and_its_answer_tone_reaches_the_caller() {
    let (Some(iaxmodem), Some(baresip)) = (require_tool("iaxmodem"), require_tool("baresip"))
    else {
        return;
    };
    let (iax_port, sip_port, modem_port) = (free_port(), free_port(), free_port());
    let config = TempDir::new();
    let data = TempDir::new();
    let work = TempDir::new();
    let sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={sip_port}\n\n\
         [alice]\ntype=friend\nhost=dynamic\nsecret=alicepw\ncontext=internal\n"
    );
    let iax = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={iax_port}\n\n\
         [modem]\ntype=friend\nhost=dynamic\nsecret=modempw\ncontext=from-modem\nrequirecalltoken=no\n\
         disallow=all\nallow=ulaw\n"
    );
    let ext = "[internal]\nexten => 500,1,Dial(IAX2/modem,30)\n same => n,Hangup()\n";
    write_config(
        config.path(),
        &[
            ("sip.conf", &sip),
            ("iax.conf", &iax),
            ("extensions.conf", ext),
            ("rtp.conf", "[general]\nrtpstart=44000\nrtpend=44999\n"),
        ],
    );
    let daemon = Daemon::start(&bin(), config.path(), data.path());
    let Some((modem, device)) = start_modem(&iaxmodem, work.path(), modem_port, iax_port) else {
        return;
    };
    let fail = |what: &str, err: &str, phones: &[&Baresip]| -> ! {
        let mut t = format!(
            "{what}: {err}\n--- tandem:\n{}\n--- iaxmodem:\n{}\n",
            daemon.stderr_text(),
            modem.output()
        );
        for p in phones {
            t.push_str(&format!("--- {}:\n{}\n", p.phone.name, p.output()));
        }
        panic!("{t}");
    };
    // The modem registers (MD5) without a call token.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let peers = run_cli(&bin(), data.path(), "iax2 show peers");
        if peers
            .lines()
            .any(|l| l.starts_with("modem") && l.contains("127.0.0.1"))
        {
            break;
        }
        if Instant::now() >= deadline {
            fail("iaxmodem registers", &peers, &[]);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let (mut pty, text) = match open_pty(&device, Duration::from_secs(10)) {
        Ok(p) => p,
        Err(e) => fail("open the modem's pty", &e, &[]),
    };
    let _ = pty.write_all(b"AT+FCLASS=1\r");
    if let Err(e) = wait_text(&text, "OK", Duration::from_secs(10)) {
        fail("AT+FCLASS=1", &e, &[]);
    }

    let rec_wav = work.path().join("silence.wav");
    wav::write_wav(&rec_wav, RATE_8K, &wav::silence(RATE_8K, 60.0));
    let mut phone = Phone::new(
        "alice",
        "alicepw",
        sip_port,
        &rec_wav,
        &work.path().join("alice-rec"),
    );
    phone.rtp_ports = (44500, 44599);
    let mut alice = Baresip::start(&baresip, &work.path().join("alice"), &phone);
    if let Err(e) = alice.wait_registered(BARESIP_TIMEOUT) {
        fail("alice registers", &e, &[&alice]);
    }
    if let Err(e) = alice.dial(&phone.pbx_uri("500")) {
        fail("dial", &e, &[&alice]);
    }
    if let Err(e) = wait_text(&text, "RING", Duration::from_secs(30)) {
        fail("the modem rings", &e, &[&alice]);
    }
    let _ = pty.write_all(b"ATA\r");
    if let Err(e) = alice.wait_for("Call established", BARESIP_TIMEOUT) {
        fail("the modem answers", &e, &[&alice]);
    }
    let rec = match alice.wait_recording("dec", 3.0, BARESIP_TIMEOUT) {
        Ok(p) => p,
        Err(e) => fail("alice's recording", &e, &[&alice]),
    };
    let _ = alice.hangup();
    let got = wav::read_wav(&rec).unwrap_or_else(|e| panic!("{e}"));
    let loud: Vec<i16> = got
        .samples
        .iter()
        .copied()
        .skip_while(|s| s.unsigned_abs() < 500)
        .collect();
    let first = &loud[..loud.len().min(got.rate as usize * 2)];
    let dominant = wav::dominant_frequency(
        first,
        got.rate,
        &[1100.0, 1300.0, 1650.0, 1850.0, 2100.0, 2225.0],
    );
    let ced = wav::tone_seconds(&got.samples, got.rate, 2100.0, 300.0);
    eprintln!(
        "alice received {:.2} s: rms {:.0}, dominant {dominant:?}, 2100 Hz for {ced:.2} s",
        got.duration(),
        wav::rms(first)
    );
    if dominant != Some(2100.0) || ced < 1.0 {
        fail(
            "the 2100 Hz answer tone reaches the caller",
            &format!("dominant {dominant:?}, {ced:.2} s of 2100 Hz"),
            &[&alice],
        );
    }
    alice.quit(Duration::from_secs(10));
    drop(modem);
}
