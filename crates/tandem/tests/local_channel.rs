//! The Local channel: `Dial(Local/EXT@CONTEXT)` runs EXT@CONTEXT on a `;2` half and bridges
//! its `;1` half to the caller. A sipp caller reaches a sipp callee through it; a baresip
//! caller hears a prompt played by the extension behind it; a missing extension gives
//! CHANUNAVAIL.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use tandem_testkit::wav::{self, RATE_8K};
use tandem_testkit::{
    free_port, require_tool, sipp, write_config, Baresip, Daemon, Phone, TempDir, BARESIP_TIMEOUT,
};

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

const EXTENSIONS: &str = "[internal]\n\
    exten => 100,1,Dial(Local/200@internal/n,20)\n same => n,Hangup()\n\
    exten => 200,1,Verbose(1,half two is ${CHANNEL} with X=${X})\n\
     same => n,Dial(SIP/uas,20)\n same => n,Hangup()\n\
    exten => 101,1,Dial(Local/999@internal,20)\n same => n,Verbose(1,status ${DIALSTATUS})\n same => n,Hangup()\n\
    exten => 500,1,Set(__X=inherited)\n same => n,Dial(Local/501@internal)\n same => n,Hangup()\n\
    exten => 501,1,Verbose(1,local X=${X})\n same => n,Answer()\n same => n,Playback(local-test/tone600)\n same => n,Verbose(1,prompt done)\n same => n,Wait(20)\n same => n,Hangup()\n";

struct Pbx {
    _config: TempDir,
    data: TempDir,
    daemon: Daemon,
    port: u16,
}

fn start(uac_port: u16, uas_port: u16) -> Pbx {
    let port = free_port();
    let config = TempDir::new();
    let data = TempDir::new();
    let sounds = data.path().join("sounds").join("local-test");
    std::fs::create_dir_all(&sounds).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        sounds.join("tone600.wav"),
        wav::wav_bytes(RATE_8K, &wav::sine(RATE_8K, 600.0, 2.0, 8000)),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=public\n\n\
         [uac]\ntype=friend\nhost=127.0.0.1\nport={uac_port}\ninsecure=invite\ncontext=internal\n\n\
         [uas]\ntype=peer\nhost=127.0.0.1\nport={uas_port}\ncontext=internal\n\n\
         [alice]\ntype=friend\nhost=dynamic\nsecret=alicepw\ncontext=internal\n"
    );
    write_config(
        config.path(),
        &[
            ("sip.conf", &sip),
            ("extensions.conf", EXTENSIONS),
            ("rtp.conf", "[general]\nrtpstart=64400\nrtpend=64499\n"),
        ],
    );
    let daemon = Daemon::start(&bin(), config.path(), data.path());
    Pbx {
        _config: config,
        data,
        daemon,
        port,
    }
}

impl Pbx {
    fn wait_log(&self, part: &str, timeout: Duration) -> Result<String, String> {
        self.daemon.wait_log(part, timeout)
    }
}

/// sipp's built-in `scenario` (`uac`/`uas`) on `local_port`; the caller calls `exten`.
fn run_sipp(
    sipp_bin: &std::path::Path,
    scenario: &str,
    local_port: u16,
    target: Option<(u16, &str)>,
) -> tandem_testkit::SippRun {
    let work = TempDir::new();
    let port = local_port.to_string();
    let mut args = vec!["-sn", scenario, "-m", "1", "-i", "127.0.0.1", "-p", &port];
    let server;
    if let Some((pbx_port, exten)) = target {
        server = format!("127.0.0.1:{pbx_port}");
        args.extend(["-s", exten, "-d", "2000", &server]);
    }
    sipp(sipp_bin, work.path(), &args, Duration::from_secs(60))
}

#[test]
fn a_sipp_caller_reaches_a_sipp_callee_through_a_local_channel() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (uac_port, uas_port) = (free_port(), free_port());
    let pbx = start(uac_port, uas_port);
    let uas_bin = sipp_bin.clone();
    let callee = std::thread::spawn(move || run_sipp(&uas_bin, "uas", uas_port, None));
    let caller_bin = sipp_bin.clone();
    let pbx_port = pbx.port;
    let caller =
        std::thread::spawn(move || run_sipp(&caller_bin, "uac", uac_port, Some((pbx_port, "100"))));
    // While the call is up, both halves are live channels.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut core = String::new();
    while Instant::now() < deadline {
        core = tandem_testkit::run_cli(&bin(), pbx.data.path(), "core show channels");
        if core.contains("4 active channels") {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let caller = caller.join().expect("caller");
    let callee = callee.join().expect("callee");
    let logs = pbx.daemon.stderr_text();
    assert_eq!(caller.code, Some(0), "caller: {caller:?}\n{logs}");
    assert_eq!(callee.code, Some(0), "callee: {callee:?}\n{logs}");
    assert!(
        core.contains("4 active channels") && core.contains("Local/200@internal"),
        "SIP caller, Local ;1 and ;2, SIP callee:\n{core}"
    );
    // The dialplan runs on the ;2 half named as Asterisk names it; Dial sees the ;1 half.
    let half_two = pbx.daemon.expect_log("half two is Local/200@internal-");
    assert!(half_two.contains(";2 with X="), "{half_two}");
    let called = pbx.daemon.expect_log("called Local/200@internal-");
    assert!(called.contains(";1"), "{called}");
}

#[test]
fn a_local_channel_to_a_missing_extension_is_chanunavail() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (uac_port, uas_port) = (free_port(), free_port());
    let pbx = start(uac_port, uas_port);
    // The caller is refused (its scenario fails; only tandem's side is checked).
    let _ = run_sipp(&sipp_bin, "uac", uac_port, Some((pbx.port, "101")));
    pbx.wait_log(
        "No such extension/context 999@internal while calling Local channel",
        Duration::from_secs(20),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    pbx.wait_log("status CHANUNAVAIL", Duration::from_secs(20))
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_baresip_caller_hears_the_prompt_played_behind_a_local_channel() {
    let Some(baresip) = require_tool("baresip") else {
        return;
    };
    let pbx = start(free_port(), free_port());
    let work = TempDir::new();
    let mic = work.path().join("mic.wav");
    wav::write_wav(&mic, RATE_8K, &wav::silence(RATE_8K, 60.0));
    let mut phone = Phone::new("alice", "alicepw", pbx.port, &mic, &work.path().join("rec"));
    phone.rtp_ports = (63600, 63649);
    let mut alice = Baresip::start(&baresip, &work.path().join("alice"), &phone);
    let fail = |what: &str, alice: &Baresip, e: &str| -> ! {
        panic!(
            "{what}: {e}\n--- tandem:\n{}\n--- alice:\n{}",
            pbx.daemon.stderr_text(),
            alice.output()
        )
    };
    if let Err(e) = alice.wait_registered(BARESIP_TIMEOUT) {
        fail("registration", &alice, &e);
    }
    if let Err(e) = alice.dial(&alice.phone.pbx_uri("500")) {
        fail("dial", &alice, &e);
    }
    if let Err(e) = alice.wait_for("Call established", BARESIP_TIMEOUT) {
        fail("the ;2 answer answers alice", &alice, &e);
    }
    let recording = alice
        .wait_recording("dec", 1.8, BARESIP_TIMEOUT)
        .unwrap_or_else(|e| fail("alice's recording", &alice, &e));
    // The whole prompt was sent (nothing is sent during the Wait after it).
    pbx.wait_log("prompt done", BARESIP_TIMEOUT)
        .unwrap_or_else(|e| panic!("{e}"));
    let _ = alice.hangup();
    if let Err(e) = alice.wait_for("CALL_CLOSED", BARESIP_TIMEOUT) {
        fail("hangup", &alice, &e);
    }
    // Alice's hangup reaches the ;2 half through ;1.
    pbx.wait_log("Local/501@internal-", BARESIP_TIMEOUT)
        .unwrap_or_else(|e| panic!("{e}"));
    let got = wav::read_wav(&recording).unwrap_or_else(|e| panic!("{e}"));
    let tone = wav::tone_seconds(&got.samples, got.rate, 600.0, 1000.0);
    eprintln!(
        "alice received {:.2} s, 600 Hz for {tone:.2} s",
        got.duration()
    );
    assert!(
        (1.8..=2.1).contains(&tone),
        "the 2 s prompt crossed the Local pair: {tone:.2} s of 600 Hz"
    );
    let ended = pbx
        .wait_log(";2: dialplan ended", BARESIP_TIMEOUT)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(ended.contains("Local/501@internal-"), "{ended}");
    // __X crosses to the ;2 half as to any dialled channel.
    pbx.daemon.expect_log("local X=inherited");
}
