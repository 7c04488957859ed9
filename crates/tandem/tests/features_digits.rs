//! Feature digits are held back in a bridge, as Asterisk's `bridge_handle_dtmf`: alice (sipp,
//! RFC 4733 from a capture written here) calls bob through `Dial(SIP/bob,20,H)` with
//! `disconnect => *0`. She dials `1` (no code starts with it: it passes), `*5` (a prefix, then
//! no code: both pass, in order), `*` alone (passes after `featuredigittimeout`) and `*0`
//! (the disconnect code: swallowed, bob is hung up). What reaches bob's RTP, the test's own
//! socket, must be exactly `1*5*`. The same with SIP INFO digits and the code `45`.

mod common {
    pub mod media_sink;
    pub mod pcap;
}

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::media_sink::{Heard, Sink};
use common::pcap::{write_rtp_pcap, RtpAt};
use tandem_testkit::{free_port, require_tool, sipp, write_config, Daemon, TempDir};

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

fn scenario(name: &str) -> String {
    format!("{}/tests/sipp/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// RFC 4733 event code of a digit.
fn event_code(d: char) -> u8 {
    match d {
        '*' => 10,
        '#' => 11,
        d => d.to_digit(10).map_or(0, |n| n as u8),
    }
}

/// A capture of a 20 ms PCMU stream (silence) where each `(digit, start_ms)` is an RFC 4733
/// event instead: 5 packets of growing duration (100 ms), then 3 end packets.
fn write_digits_pcap(path: &Path, digits: &[(char, u64)], total_ms: u64) {
    let ticks = total_ms / 20;
    let mut packets = Vec::new();
    let mut tick = 0u64;
    while tick < ticks {
        let at_ms = tick * 20;
        let seq = 2000 + packets.len() as u16;
        if let Some(&(d, _)) = digits.iter().find(|(_, start)| *start == at_ms) {
            let ts = (tick * 160) as u32;
            for k in 0..8u64 {
                let end = k >= 5;
                let duration = (160 * (k.min(4) + 1)) as u16;
                let mut payload = vec![event_code(d), if end { 0x8a } else { 0x0a }];
                payload.extend(duration.to_be_bytes());
                packets.push(RtpAt {
                    at_us: (tick + k) * 20_000,
                    seq: 2000 + packets.len() as u16,
                    timestamp: ts,
                    marker: k == 0,
                    payload_type: 101,
                    payload,
                });
            }
            tick += 8;
            continue;
        }
        packets.push(RtpAt {
            at_us: tick * 20_000,
            seq,
            timestamp: (tick * 160) as u32,
            marker: tick == 0,
            payload_type: 0,
            payload: vec![0xff; 160],
        });
        tick += 1;
    }
    write_rtp_pcap(path, &packets);
}

/// How alice calls: her sip.conf lines, her scenario, the disconnect code, tandem's RTP range
/// and her media port (fixed, away from `free_port`'s range).
struct Alice<'a> {
    peer_extra: &'a str,
    scenario: &'a str,
    disconnect: &'a str,
    rtp: (u16, u16),
    media: u16,
}

/// alice calls 800 = `Dial(SIP/bob,20,H)`, sipp working in `work`; bob (rfc2833) answers
/// with his media on the test's socket and waits to be hung up. What bob heard, tandem's log.
fn alice_calls_bob(sipp_bin: &Path, work: &Path, alice: Alice<'_>) -> (Heard, String) {
    let port = free_port();
    let bob_port = free_port();
    let config = TempDir::new();
    let data = TempDir::new();
    let sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=default\n\n\
         [alice]\ntype=friend\nhost=dynamic\nsecret=alicepw\ncontext=public\n{}\n\
         [bob]\ntype=peer\nhost=127.0.0.1\nport={bob_port}\n",
        alice.peer_extra
    );
    let plan = "[public]\nexten => 800,1,Dial(SIP/bob,20,H)\n\
        same => n,Verbose(1,dial ended: ${DIALSTATUS})\n same => n,Hangup()\n";
    let features = format!(
        "[general]\nfeaturedigittimeout => 1000\n[featuremap]\ndisconnect => {}\n",
        alice.disconnect
    );
    let rtp = format!(
        "[general]\nrtpstart={}\nrtpend={}\n",
        alice.rtp.0, alice.rtp.1
    );
    write_config(
        config.path(),
        &[
            ("sip.conf", &sip),
            ("extensions.conf", plan),
            ("features.conf", &features),
            ("rtp.conf", &rtp),
        ],
    );
    let daemon = Daemon::start(&bin(), config.path(), data.path());

    // bob: answers with its media on the test's socket, waits for tandem's BYE.
    let sink = Sink::new();
    let bob_work = TempDir::new();
    let bob = sink.spawn_bob(
        sipp_bin,
        bob_work.path(),
        &scenario("uas_media_sink_until_bye.xml"),
        bob_port,
    );
    std::thread::sleep(Duration::from_millis(300));
    let caller = {
        let sipp_bin = sipp_bin.to_path_buf();
        let dir = work.to_path_buf();
        let scenario = scenario(alice.scenario);
        let media = alice.media.to_string();
        std::thread::spawn(move || {
            let args = [
                "-sf",
                &scenario,
                "-s",
                "800",
                "-au",
                "alice",
                "-ap",
                "alicepw",
                "-m",
                "1",
                "-i",
                "127.0.0.1",
                "-p",
                &free_port().to_string(),
                "-mp",
                &media,
                "-trace_err",
                &format!("127.0.0.1:{port}"),
            ];
            sipp(&sipp_bin, &dir, &args, Duration::from_secs(90))
        })
    };
    let heard = sink.listen_until_done(&bob);
    let bob = bob.join().expect("bob's sipp");
    let caller = caller.join().expect("alice's sipp");
    // The feature's line comes before the BYE to bob; read it before the rest of the log.
    daemon.expect_log("feature Disconnect dialled by the Caller");
    let log = daemon.stderr_text();
    assert_eq!(bob.code, Some(0), "bob: {bob:?}\n--- tandem:\n{log}");
    assert_eq!(
        caller.code,
        Some(0),
        "alice: {caller:?}\n--- tandem:\n{log}"
    );
    assert_eq!(heard.inband, "", "no tones to bob, who takes RFC 4733");
    (heard, log)
}

#[test]
fn a_feature_code_is_swallowed_while_other_digits_reach_the_other_party() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    // alice: 1 at 1.0 s; * 5 at 1.6 and 1.9 s; * at 2.6 s, then 2.5 s of nothing; * 0.
    let work = TempDir::new();
    write_digits_pcap(
        &work.path().join("feature_digits.pcap"),
        &[
            ('1', 1000),
            ('*', 1600),
            ('5', 1900),
            ('*', 2600),
            ('*', 5100),
            ('0', 5400),
        ],
        6200,
    );
    let alice = Alice {
        peer_extra: "",
        scenario: "uac_feature_digits.xml",
        disconnect: "*0",
        rtp: (63800, 63839),
        media: 63840,
    };
    let (heard, log) = alice_calls_bob(&sipp_bin, work.path(), alice);
    assert_eq!(
        heard.rfc4733, "1*5*",
        "bob got the ordinary digits and the prefixes that made no code, never *0:\n{log}"
    );
}

#[test]
fn a_feature_code_dialled_in_sip_info_is_swallowed_too() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    // uac_info_digits.xml: INFO 1, 2, 3, 4, 5 (4 and 5 300 ms apart): 45 is the code.
    let work = TempDir::new();
    let alice = Alice {
        peer_extra: "dtmfmode=info\n",
        scenario: "uac_info_digits.xml",
        disconnect: "45",
        rtp: (63850, 63889),
        media: 63890,
    };
    let (heard, log) = alice_calls_bob(&sipp_bin, work.path(), alice);
    assert_eq!(
        heard.rfc4733, "123",
        "bob got 1 2 3 as RFC 4733, never 4 5:\n{log}"
    );
}
