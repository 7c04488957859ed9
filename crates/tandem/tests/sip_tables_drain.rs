//! Calls that end leave nothing behind: after a run of sipp calls through tandem (B2BUA, two
//! legs each), the table-size gauges of `/metrics` come back to 0 (the UA's dialogs, the SIP
//! legs, the RTP and RTCP ports), while the finished transactions are still lingering (32 s).
//! Under sustained load these tables must stay level, and the RTP range must not run dry
//! (issue 8: an RTCP port stayed bound up to 5 s after its call).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use tandem_testkit::{free_port, http_get, require_tool, sipp, write_config, Daemon, TempDir};

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

/// The value of an unlabelled sample `name` in a `/metrics` body.
fn gauge(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

const CALLS: u32 = 20;

#[test]
fn calls_that_end_leave_no_dialog_leg_or_rtp_port_behind() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (port, uac_port, uas_port, http_port) =
        (free_port(), free_port(), free_port(), free_port());
    let sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=public\n\n\
         [uac]\ntype=friend\nhost=127.0.0.1\nport={uac_port}\ninsecure=invite\ncontext=internal\n\n\
         [uas]\ntype=peer\nhost=127.0.0.1\nport={uas_port}\n"
    );
    let http = format!("[general]\nenabled=yes\nbindaddr=127.0.0.1\nbindport={http_port}\n");
    let config = TempDir::new();
    let data = TempDir::new();
    write_config(
        config.path(),
        &[
            ("sip.conf", &sip),
            ("http.conf", &http),
            (
                "extensions.conf",
                "[internal]\nexten => 100,1,Dial(SIP/uas,20)\n same => n,Hangup()\n",
            ),
            // 16 pairs; at most 2 calls (4 legs) up at once.
            ("rtp.conf", "[general]\nrtpstart=45600\nrtpend=45631\n"),
        ],
    );
    let _daemon = Daemon::start(&bin(), config.path(), data.path());
    let uas_bin = sipp_bin.clone();
    let callee = std::thread::spawn(move || {
        let work = TempDir::new();
        let line = format!("-sn uas -m {CALLS} -i 127.0.0.1 -p {uas_port}");
        let args: Vec<&str> = line.split_whitespace().collect();
        sipp(&uas_bin, work.path(), &args, Duration::from_secs(120))
    });
    // 10 calls/s, at most 2 up at once, each 200 ms long.
    let work = TempDir::new();
    let line = format!(
        "-sn uac -s 100 -d 200 -m {CALLS} -r 10 -l 2 -i 127.0.0.1 -p {uac_port} 127.0.0.1:{port}"
    );
    let args: Vec<&str> = line.split_whitespace().collect();
    let caller = sipp(&sipp_bin, work.path(), &args, Duration::from_secs(120));
    assert_eq!(caller.code, Some(0), "every call completed: {caller:?}");
    let callee = callee.join().expect("uas thread");
    assert_eq!(callee.code, Some(0), "{callee:?}");
    // The last BYE has been answered: the gauges drain (bounded wait, no fixed sleep).
    let names = [
        "tandem_calls_active",
        "tandem_sip_dialogs",
        "tandem_sip_legs",
        "tandem_rtp_ports_in_use",
    ];
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut text = String::new();
    while Instant::now() < deadline {
        let (status, body) = http_get(http_port, "/metrics");
        assert_eq!(status, "HTTP/1.1 200 OK");
        text = body;
        if names.iter().all(|n| gauge(&text, n) == Some(0.0)) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    for n in names {
        assert_eq!(gauge(&text, n), Some(0.0), "{n} back to 0:\n{text}");
    }
    // Finished transactions linger (Timers J, K, L, M): at most the calls' own.
    let txns = gauge(&text, "tandem_sip_transactions").expect("tandem_sip_transactions");
    assert!(
        txns <= f64::from(CALLS * 8),
        "lingering transactions: {txns}\n{text}"
    );
}
