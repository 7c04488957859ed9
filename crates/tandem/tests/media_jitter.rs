//! The recorder's jitter buffer end to end: a sipp caller sends Record() a PCMU stream whose
//! packets arrive jittered (up to 35 ms late) and reordered, with two packets lost and one
//! duplicated. Each 20 ms packet is a tone of its own frequency (eight frequencies in turn),
//! so the recording is checked frame by frame: every packet in sequence order, the lost ones
//! 20 ms of silence, the duplicate once, and the length the sender's timestamps say.

mod common {
    pub mod pcap;
}

use std::path::PathBuf;
use std::time::Duration;

use common::pcap::{write_rtp_pcap, RtpAt};
use tandem_testkit::{free_port, require_tool, sipp, wav, write_config, Daemon, TempDir};

const PACKETS: u16 = 150;
const LOST: [u16; 2] = [40, 90];
const DUPLICATED: u16 = 60;
const FREQS: [f64; 8] = [500.0, 750.0, 1000.0, 1250.0, 1500.0, 1750.0, 2000.0, 2250.0];

fn freq(seq: u16) -> f64 {
    FREQS[usize::from(seq) % FREQS.len()]
}

/// Deterministic lateness of each packet, 0..=35 ms (the first packet is on time).
fn jitter_us(seq: u16) -> u64 {
    if seq == 0 {
        return 0;
    }
    let x = u64::from(seq).wrapping_mul(2_654_435_761) >> 7;
    (x % 36) * 1000
}

fn stream() -> Vec<RtpAt> {
    let mut packets = Vec::new();
    for seq in 0..PACKETS {
        if LOST.contains(&seq) {
            continue;
        }
        let pcm: Vec<i16> = (0..160)
            .map(|i| {
                let t = f64::from(u32::from(seq) * 160 + i) / 8000.0;
                (8000.0 * (2.0 * std::f64::consts::PI * freq(seq) * t).sin()) as i16
            })
            .collect();
        let mut payload = vec![0u8; 160];
        tandem_codec::ulaw::encode(&pcm, &mut payload);
        let mut at_us = u64::from(seq) * 20_000 + jitter_us(seq);
        // Swapped outright on top of the jitter.
        if seq == 10 || seq == 100 {
            at_us += 30_000;
        }
        let copies = if seq == DUPLICATED { 2 } else { 1 };
        for c in 0..copies {
            packets.push(RtpAt {
                at_us: at_us + c * 25_000,
                seq: 1000 + seq,
                timestamp: 5000 + u32::from(seq) * 160,
                marker: seq == 0,
                payload_type: 0,
                payload: payload.clone(),
            });
        }
    }
    packets.sort_by_key(|p| p.at_us);
    packets
}

#[test]
fn a_jittered_reordered_lossy_stream_is_recorded_in_order_at_its_length() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let packets = stream();
    let order: Vec<u16> = packets.iter().map(|p| p.seq - 1000).collect();
    assert!(
        order.windows(2).any(|w| w[0] > w[1]),
        "the capture is reordered: {order:?}"
    );

    let port = free_port();
    let config = TempDir::new();
    let data = TempDir::new();
    let sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=default\n\n\
         [alice]\ntype=friend\nhost=dynamic\nsecret=alicepw\ncontext=public\n"
    );
    let extensions = "[public]\n\
        exten => 720,1,Answer()\n same => n,Record(jit.wav,0,5,q)\n\
        same => n,Verbose(1,recorded ${RECORD_STATUS})\n same => n,Hangup()\n";
    write_config(
        config.path(),
        &[
            ("sip.conf", &sip),
            ("extensions.conf", extensions),
            (
                "rtp.conf",
                "[general]\nrtpstart=61800\nrtpend=61849\nstrictrtp=no\n",
            ),
        ],
    );
    let daemon = Daemon::start(
        &tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem")),
        config.path(),
        data.path(),
    );
    let work = TempDir::new();
    write_rtp_pcap(&work.path().join("jitter.pcap"), &packets);
    let scenario: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests/sipp/uac_jitter_audio.xml",
    ]
    .iter()
    .collect();
    let scenario = scenario.to_string_lossy().to_string();
    let (local, server) = (free_port().to_string(), format!("127.0.0.1:{port}"));
    let args = [
        "-sf",
        &scenario,
        "-s",
        "720",
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
        "61860",
        "-trace_err",
        &server,
    ];
    let run = sipp(&sipp_bin, work.path(), &args, Duration::from_secs(60));
    let log = daemon.stderr_text();
    assert_eq!(
        run.code,
        Some(0),
        "sipp failed: {run:?}\n--- tandem:\n{log}"
    );
    daemon.expect_log("recorded TIMEOUT");

    let path = data.path().join("sounds/jit.wav");
    let got = wav::read_wav(&path).unwrap_or_else(|e| panic!("{}: {e}\n{log}", path.display()));
    let want = f64::from(PACKETS) * 0.020;
    assert!(
        (got.duration() - want).abs() <= 0.040,
        "recorded {:.3} s, the sender's timestamps say {want:.3} s",
        got.duration()
    );
    let mut wrong = Vec::new();
    for seq in 0..PACKETS {
        let from = usize::from(seq) * 160;
        let Some(frame) = got.samples.get(from..from + 160) else {
            wrong.push(format!("{seq}: missing"));
            continue;
        };
        if LOST.contains(&seq) {
            if wav::rms(frame) > 100.0 {
                wrong.push(format!("{seq}: lost, yet rms {:.0}", wav::rms(frame)));
            }
            continue;
        }
        let heard = wav::dominant_frequency(frame, got.rate, &FREQS);
        if heard != Some(freq(seq)) || wav::rms(frame) < 2000.0 {
            wrong.push(format!(
                "{seq}: want {} Hz, heard {heard:?} (rms {:.0})",
                freq(seq),
                wav::rms(frame)
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "frames out of place ({} of {PACKETS}):\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
