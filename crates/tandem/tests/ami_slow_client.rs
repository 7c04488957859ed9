//! A manager client that logs in with every event and never reads: its bounded output queue
//! fills, the server disconnects it, and calls made meanwhile complete.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use tandem_testkit::{free_port, require_tool, sipp, write_config, Daemon, TempDir};

mod common;
use common::ami::{manager_conf, Raw};

/// Events of about a kilobyte each; far more than the queue (1,024 messages) and the
/// socket buffers of loopback (a few megabytes) can hold for a client that does not read.
const FLOOD: usize = 20_000;
/// Setvar actions sent before their answers are read.
const WINDOW: usize = 200;

#[test]
fn a_client_that_never_reads_is_disconnected_and_calls_go_on() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (ami_port, sip_port, uac_port) = (free_port(), free_port(), free_port());
    let config = TempDir::new();
    let data = TempDir::new();
    let sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={sip_port}\ncontext=public\n\n\
         [uac]\ntype=friend\nhost=127.0.0.1\nport={uac_port}\ninsecure=invite\ncontext=internal\n"
    );
    write_config(
        config.path(),
        &[
            ("manager.conf", &manager_conf(ami_port)),
            ("sip.conf", &sip),
            (
                "extensions.conf",
                "[internal]\nexten => 100,1,Answer()\n same => n,Set(X=1)\n same => n,Wait(1)\n same => n,Hangup()\n",
            ),
            ("rtp.conf", "[general]\nrtpstart=47600\nrtpend=47799\n"),
        ],
    );
    let bin = tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"));
    let daemon = Daemon::start(&bin, config.path(), data.path());

    // The stuck client: logs in for every event, then never reads again.
    let mut stuck = TcpStream::connect(("127.0.0.1", ami_port)).unwrap();
    stuck
        .write_all(b"Action: Login\r\nUsername: admin\r\nSecret: amisecret\r\nEvents: on\r\n\r\n")
        .unwrap();
    daemon
        .wait_log(
            "Manager 'admin' logged on from 127.0.0.1",
            Duration::from_secs(20),
        )
        .unwrap_or_else(|e| panic!("{e}"));

    // Calls go on while a second client floods the event stream (each global Setvar is a
    // VarSet event for every session).
    let calls = {
        let sipp_bin = sipp_bin.clone();
        std::thread::spawn(move || {
            let work = TempDir::new();
            let args = [
                "-sn",
                "uac",
                "-s",
                "100",
                "-d",
                "500",
                "-m",
                "6",
                "-l",
                "2",
                "-i",
                "127.0.0.1",
                "-p",
                &uac_port.to_string(),
                &format!("127.0.0.1:{sip_port}"),
            ];
            sipp(&sipp_bin, work.path(), &args, Duration::from_secs(120))
        })
    };
    // The flooder reads its answers as it goes (a window of 200 actions), so it is never
    // the slow one itself.
    let mut flood = TcpStream::connect(("127.0.0.1", ami_port)).unwrap();
    flood
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    flood
        .write_all(b"Action: Login\r\nUsername: admin\r\nSecret: amisecret\r\nEvents: off\r\n\r\n")
        .unwrap();
    let mut reader = BufReader::new(flood.try_clone().unwrap());
    let value = "v".repeat(900);
    let mut set = 0;
    let mut line = String::new();
    for window in 0..FLOOD / WINDOW {
        let mut batch = String::new();
        for i in 0..WINDOW {
            batch.push_str(&format!(
                "Action: Setvar\r\nVariable: FLOOD{}\r\nValue: {value}\r\n\r\n",
                (window * WINDOW + i) % 50
            ));
        }
        flood.write_all(batch.as_bytes()).unwrap();
        let target = (window + 1) * WINDOW;
        while set < target {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => panic!("the flooding client was cut off after {set} answers"),
                Ok(_) => set += usize::from(line == "Message: Variable Set\r\n"),
            }
        }
    }
    assert_eq!(set, FLOOD, "every Setvar was answered");

    // The stuck client was dropped, and said why.
    let why = daemon
        .wait_log(
            "Manager 'admin' logged off from 127.0.0.1 (",
            Duration::from_secs(30),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        why.contains("output queue full") || why.contains("too slow for the event stream"),
        "{why}"
    );
    eprintln!("{why}");
    // Its socket ends: what was sent before is there to read, then EOF (or a reset).
    stuck
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut sink = vec![0u8; 1 << 16];
    let mut got = 0usize;
    loop {
        match stuck.read(&mut sink) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("the stuck client's socket did not end: {e} after {got} bytes"),
        }
    }
    assert!(
        got > 0,
        "the stuck client had been sent its login answer and events"
    );
    eprintln!("the stuck client had {got} bytes waiting for it when it was dropped");

    let run = calls.join().unwrap();
    assert_eq!(
        run.code,
        Some(0),
        "sipp calls during the flood: {run:?}\n--- tandem:\n{}",
        daemon.stderr_text()
    );
    // The server still serves.
    let mut ami = Raw::admin(ami_port, "off");
    assert!(ami.action(&["Action: Ping"]).contains("Ping: Pong"));
}
