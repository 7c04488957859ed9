//! A PBX for the AMI end-to-end tests: SIP peers `uac` (sipp calling), `uas` (sipp
//! answering) and `alice`, manager.conf's `admin`, cdr_manager on; sipp runners and event
//! matchers.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tandem_testkit::{free_port, sipp, write_config, Daemon, SippRun, TempDir};

use super::ami::manager_conf;

pub const T: Duration = Duration::from_secs(20);

pub fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

pub fn scenario(name: &str) -> String {
    format!("{}/tests/sipp/{name}", env!("CARGO_MANIFEST_DIR"))
}

pub struct Pbx {
    pub config: TempDir,
    pub _data: TempDir,
    pub daemon: Daemon,
    pub ami: u16,
    pub sip: u16,
    pub uac: u16,
    pub uas: u16,
}

pub fn start(extensions: &str, rtp: (u16, u16), extra: &[(&str, &str)]) -> Pbx {
    start_alice("", extensions, rtp, extra)
}

/// [`start`], with more options (lines) for the phone `alice`.
pub fn start_alice(alice: &str, extensions: &str, rtp: (u16, u16), extra: &[(&str, &str)]) -> Pbx {
    let (ami, sip, uac, uas) = (free_port(), free_port(), free_port(), free_port());
    let sip_conf = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={sip}\ncontext=public\n\n\
         [uac]\ntype=friend\nhost=127.0.0.1\nport={uac}\ninsecure=invite\ncontext=internal\n\n\
         [uas]\ntype=peer\nhost=127.0.0.1\nport={uas}\ncontext=internal\n\n\
         [alice]\ntype=friend\nhost=dynamic\nsecret=alicepw\ncontext=internal\n{alice}"
    );
    let manager = manager_conf(ami);
    let rtp = format!("[general]\nrtpstart={}\nrtpend={}\n", rtp.0, rtp.1);
    let mut files = vec![
        ("manager.conf", manager.as_str()),
        ("sip.conf", sip_conf.as_str()),
        ("extensions.conf", extensions),
        ("rtp.conf", rtp.as_str()),
        ("cdr_manager.conf", "[general]\nenabled = yes\n"),
    ];
    files.extend_from_slice(extra);
    let config = TempDir::new();
    let data = TempDir::new();
    write_config(config.path(), &files);
    let daemon = Daemon::start(&bin(), config.path(), data.path());
    Pbx {
        config,
        _data: data,
        daemon,
        ami,
        sip,
        uac,
        uas,
    }
}

/// sipp in a thread: `args` then `-i 127.0.0.1`.
pub fn sipp_thread(sipp_bin: &Path, args: Vec<String>) -> std::thread::JoinHandle<SippRun> {
    let sipp_bin = sipp_bin.to_path_buf();
    std::thread::spawn(move || {
        let work = TempDir::new();
        let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
        args.extend(["-i", "127.0.0.1"]);
        sipp(&sipp_bin, work.path(), &args, Duration::from_secs(90))
    })
}

/// The sipp caller that waits for tandem's BYE, calling `exten`.
pub fn caller(sipp_bin: &Path, pbx: &Pbx, exten: &str) -> std::thread::JoinHandle<SippRun> {
    callers(sipp_bin, pbx, exten, 1)
}

/// `n` such calls at once from one sipp.
pub fn callers(
    sipp_bin: &Path,
    pbx: &Pbx,
    exten: &str,
    n: usize,
) -> std::thread::JoinHandle<SippRun> {
    let n = n.to_string();
    let args = [
        "-sf",
        &scenario("uac_wait_bye.xml"),
        "-s",
        exten,
        "-m",
        &n,
        "-l",
        &n,
        "-p",
        &pbx.uac.to_string(),
        &format!("127.0.0.1:{}", pbx.sip),
    ];
    sipp_thread(sipp_bin, args.iter().map(|s| s.to_string()).collect())
}

/// sipp's built-in UAS answering one call.
pub fn callee(sipp_bin: &Path, pbx: &Pbx) -> std::thread::JoinHandle<SippRun> {
    let args = ["-sn", "uas", "-m", "1", "-p", &pbx.uas.to_string()];
    sipp_thread(sipp_bin, args.iter().map(|s| s.to_string()).collect())
}

pub fn is(event: &str, fields: &[&str]) -> impl Fn(&str) -> bool {
    let head = format!("Event: {event}\r\n");
    let fields: Vec<String> = fields.iter().map(|f| format!("{f}\r\n")).collect();
    move |m: &str| m.starts_with(&head) && fields.iter().all(|f| m.contains(f.as_str()))
}

pub fn done(run: std::thread::JoinHandle<SippRun>, what: &str, pbx: &Pbx) {
    let run = run.join().unwrap();
    assert_eq!(
        run.code,
        Some(0),
        "{what}: {run:?}\n--- tandem:\n{}",
        pbx.daemon.stderr_text()
    );
}
