//! RFC 4733 digits from sipp (its bundled telephone-event captures, payload type 101) are
//! read by Read() into a variable, with READSTATUS, after its prompt; SayNumber and
//! SayDigits then play the shipped prompts.

use std::path::PathBuf;
use std::time::Duration;

use tandem_testkit::{free_port, require_tool, sipp, write_config, Daemon, TempDir};

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

const EXTENSIONS: &str = "[public]\n\
    exten => 700,1,Answer()\n same => n,Read(NUM,beep,1)\n\
    same => n,Verbose(1,got ${NUM} ${READSTATUS})\n\
    same => n,Read(NUM2,,1)\n\
    same => n,Verbose(1,then ${NUM2} ${READSTATUS})\n\
    same => n,SayNumber(${NUM}${NUM2})\n same => n,SayDigits(*)\n same => n,Hangup()\n";

#[test]
fn rfc4733_digits_from_sipp_are_read_into_variables_by_read() {
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
    let sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=default\n\n\
         [alice]\ntype=friend\nhost=dynamic\nsecret=alicepw\ncontext=public\n"
    );
    let rtp = "[general]\nrtpstart=64500\nrtpend=64549\n";
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
        log.contains("got 1 OK"),
        "Read(NUM,beep,1) took the digit 1:\n{log}"
    );
    assert!(
        log.contains("then 2 OK"),
        "Read(NUM2,,1) took the digit 2:\n{log}"
    );
    // The Say applications play the shipped prompts: 12 is one word.
    for said in ["Playing 'digits/12'", "Playing 'digits/star'"] {
        assert!(log.contains(said), "{said:?} in:\n{log}");
    }
    // No timeout was waited for: the digits ended each Read.
    assert!(
        started.elapsed() < Duration::from_secs(9),
        "call took {:?}",
        started.elapsed()
    );
}
