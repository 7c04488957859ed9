//! RFC 4733 digits from sipp (its bundled telephone-event captures, payload type 101) drive
//! Background() and WaitExten() to the right extensions.

use std::path::PathBuf;
use std::time::Duration;

use tandem_testkit::wav;
use tandem_testkit::{free_port, require_tool, sipp, write_config, Daemon, TempDir};

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

const EXTENSIONS: &str = "[public]\n\
    exten => 700,1,Answer()\n same => n,Background(media-test/long)\n\
    same => n,Verbose(1,background was not interrupted)\n same => n,Hangup()\n\
    exten => 1,1,Verbose(1,reached extension 1)\n same => n,WaitExten(10)\n\
    exten => 2,1,Verbose(1,reached extension 2)\n same => n,Hangup()\n\
    exten => i,1,Verbose(1,invalid ${INVALID_EXTEN})\n same => n,Hangup()\n\
    exten => t,1,Verbose(1,timeout)\n same => n,Hangup()\n";

#[test]
fn rfc4733_digits_from_sipp_interrupt_background_then_drive_waitexten() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let pcap = "/usr/share/sip-tester/dtmf_2833_1.pcap";
    if !std::path::Path::new(pcap).is_file() {
        eprintln!("SKIPPED: {pcap} missing");
        return;
    }
    let port = free_port();
    let config = TempDir::new();
    let data = TempDir::new();
    // A 10 s prompt: the digit must cut it short.
    let sounds = data.path().join("sounds/media-test");
    std::fs::create_dir_all(&sounds).unwrap_or_else(|e| panic!("{e}"));
    wav::write_wav(
        &sounds.join("long.wav"),
        8000,
        &wav::sine(8000, 440.0, 10.0, 4000),
    );
    let sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=default\n\n\
         [alice]\ntype=friend\nhost=dynamic\nsecret=alicepw\ncontext=public\n"
    );
    let rtp = "[general]\nrtpstart=64200\nrtpend=64299\n";
    write_config(
        config.path(),
        &[
            ("sip.conf", &sip),
            ("extensions.conf", EXTENSIONS),
            ("rtp.conf", rtp),
        ],
    );
    let daemon = Daemon::start(&bin(), config.path(), data.path());

    let work = TempDir::new();
    let scenario = format!(
        "{}/tests/sipp/uac_rfc4733_digits.xml",
        env!("CARGO_MANIFEST_DIR")
    );
    let (local, media) = (free_port().to_string(), free_port().to_string());
    let started = std::time::Instant::now();
    let run = sipp(
        &sipp_bin,
        work.path(),
        &[
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
            &format!("127.0.0.1:{port}"),
        ],
        Duration::from_secs(60),
    );
    let log = daemon.stderr_text();
    assert_eq!(
        run.code,
        Some(0),
        "sipp failed: {run:?}\n--- tandem:\n{log}"
    );
    assert!(
        log.contains("reached extension 1"),
        "Background took the digit 1:\n{log}"
    );
    assert!(
        log.contains("reached extension 2"),
        "WaitExten took the digit 2:\n{log}"
    );
    for bad in ["background was not interrupted", "invalid", ": timeout"] {
        assert!(!log.contains(bad), "{bad:?} in:\n{log}");
    }
    // The 10 s prompt was cut short: the whole call took far less.
    assert!(
        started.elapsed() < Duration::from_secs(9),
        "call took {:?}",
        started.elapsed()
    );
}
