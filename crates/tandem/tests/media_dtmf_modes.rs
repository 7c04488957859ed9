//! DTMF in every form against sipp: SIP INFO digits (application/dtmf-relay and
//! application/dtmf, 415 for other bodies) and inband tones (a PCMU capture written here, for
//! a peer with dtmfmode=inband) drive Background() and WaitExten() to multi-digit extensions
//! with Asterisk's digit timeout; RFC 4733 digits from a caller reach a dtmfmode=info callee
//! across the bridge as SIP INFO.

mod common {
    pub mod media_sink;
    pub mod pcap;
}

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::media_sink::{Heard, Sink};
use common::pcap::{write_rtp_pcap, RtpAt};
use tandem_testkit::{free_port, require_tool, sipp, wav, write_config, Daemon, SippRun, TempDir};

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

fn scenario(name: &str) -> String {
    format!("{}/tests/sipp/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// 1 waits for more (12 exists), 12 does not; 34 waits for more (345 exists).
const MENU: &str = "[public]\n\
    exten => 700,1,Answer()\n same => n,Background(media-test/long)\n\
    same => n,Verbose(1,background was not interrupted)\n same => n,Hangup()\n\
    exten => 1,1,Verbose(1,reached extension 1 alone)\n same => n,Hangup()\n\
    exten => 12,1,Verbose(1,reached extension 12)\n same => n,WaitExten(10)\n\
    exten => 34,1,Verbose(1,reached extension 34 too early)\n same => n,Hangup()\n\
    exten => 345,1,Verbose(1,reached extension 345)\n same => n,Hangup()\n\
    exten => i,1,Verbose(1,invalid ${INVALID_EXTEN})\n same => n,Hangup()\n\
    exten => t,1,Verbose(1,timeout)\n same => n,Hangup()\n";

struct Setup {
    _config: TempDir,
    _data: TempDir,
    daemon: Daemon,
    port: u16,
}

/// tandem with `sip_extra` peers, `extensions`, its RTP in `rtp`, and a 10 s prompt.
fn start(sip_extra: &str, extensions: &str, rtp: (u16, u16)) -> Setup {
    let port = free_port();
    let config = TempDir::new();
    let data = TempDir::new();
    let sounds = data.path().join("sounds/media-test");
    std::fs::create_dir_all(&sounds).unwrap_or_else(|e| panic!("{e}"));
    wav::write_wav(
        &sounds.join("long.wav"),
        8000,
        &wav::sine(8000, 440.0, 10.0, 4000),
    );
    let sip =
        format!("[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=default\n\n{sip_extra}");
    let rtp = format!("[general]\nrtpstart={}\nrtpend={}\n", rtp.0, rtp.1);
    write_config(
        config.path(),
        &[
            ("sip.conf", &sip),
            ("extensions.conf", extensions),
            ("rtp.conf", &rtp),
        ],
    );
    let daemon = Daemon::start(&bin(), config.path(), data.path());
    Setup {
        _config: config,
        _data: data,
        daemon,
        port,
    }
}

/// alice calls `exten` with `scenario_file`, sipp working in `work`, its RTP on `media` (a
/// fixed even port per test, away from tandem's ranges and from `free_port`'s probing, so
/// tests running at once do not race for it).
fn alice_calls(
    sipp_bin: &Path,
    work: &Path,
    port: u16,
    scenario_file: &str,
    exten: &str,
    media: u16,
) -> SippRun {
    let scenario = scenario(scenario_file);
    let (local, media, server) = (
        free_port().to_string(),
        media.to_string(),
        format!("127.0.0.1:{port}"),
    );
    let args = [
        "-sf",
        &scenario,
        "-s",
        exten,
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
        "-trace_err",
        &server,
    ];
    sipp(sipp_bin, work, &args, Duration::from_secs(60))
}

fn assert_menu_reached_345(run: &SippRun, daemon: &Daemon) {
    // Verbose() lines reach the test's stderr reader after sipp's BYE: wait for them before
    // reading the log for what must not be in it.
    let log = daemon.stderr_text();
    assert_eq!(
        run.code,
        Some(0),
        "sipp failed: {run:?}\n--- tandem:\n{log}"
    );
    // Background then 2 within the digit timeout made 12; WaitExten collected 3, 4, 5.
    daemon.expect_log("reached extension 12");
    daemon.expect_log("reached extension 345");
    let log = daemon.stderr_text();
    for bad in [
        "background was not interrupted",
        "extension 1 alone",
        "34 too early",
        "invalid",
        ": timeout",
    ] {
        assert!(!log.contains(bad), "{bad:?} in:\n{log}");
    }
}

#[test]
fn sip_info_digits_drive_background_and_waitexten_to_multi_digit_extensions() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let alice =
        "[alice]\ntype=friend\nhost=dynamic\nsecret=alicepw\ncontext=public\ndtmfmode=info\n";
    let s = start(alice, MENU, (64300, 64399));
    let work = TempDir::new();
    let run = alice_calls(
        &sipp_bin,
        work.path(),
        s.port,
        "uac_info_digits.xml",
        "700",
        64610,
    );
    assert_menu_reached_345(&run, &s.daemon);
    // The text/plain INFO was refused (sipp checked its 415).
    s.daemon.expect_log("Unable to parse INFO message");
}

/// A pcap of PCMU RTP (Ethernet/IPv4/UDP) with `digits` as tones: 200 ms of silence, then
/// each digit 100 ms with 100 ms of silence after, 20 ms packets. sipp's `play_pcap_audio`
/// sends the UDP payloads with the capture's timing.
fn write_inband_pcap(path: &Path, digits: &str) {
    let mut pcm: Vec<i16> = vec![0; 1600];
    for d in digits.chars() {
        let mut g = tandem_rtp::dtmf::ToneGenerator::new(d, 100, 100).expect("a DTMF digit");
        let mut part = vec![0i16; g.remaining() as usize];
        g.fill(&mut part);
        pcm.extend(part);
    }
    pcm.extend(vec![0i16; 1600]);
    let packets: Vec<RtpAt> = pcm
        .chunks(160)
        .enumerate()
        .map(|(i, frame)| {
            let mut payload = vec![0xffu8; 160];
            tandem_codec::ulaw::encode(frame, &mut payload);
            RtpAt {
                at_us: i as u64 * 20_000,
                seq: 1000 + i as u16,
                timestamp: 160 * i as u32,
                marker: i == 0,
                payload_type: 0,
                payload,
            }
        })
        .collect();
    write_rtp_pcap(path, &packets);
}

#[test]
fn inband_tones_from_a_dtmfmode_inband_peer_drive_background_and_waitexten() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let alice =
        "[alice]\ntype=friend\nhost=dynamic\nsecret=alicepw\ncontext=public\ndtmfmode=inband\n";
    let s = start(alice, MENU, (64400, 64499));
    let work = TempDir::new();
    write_inband_pcap(&work.path().join("inband_a.pcap"), "12");
    write_inband_pcap(&work.path().join("inband_b.pcap"), "345");
    let run = alice_calls(
        &sipp_bin,
        work.path(),
        s.port,
        "uac_inband_digits.xml",
        "700",
        64620,
    );
    assert_menu_reached_345(&run, &s.daemon);
}

#[test]
fn rfc4733_digits_reach_a_dtmfmode_info_callee_as_sip_info() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let pcap = "/usr/share/sip-tester/dtmf_2833_1.pcap";
    if !Path::new(pcap).is_file() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true: {pcap} must be installed (sip-tester)"
        );
        return;
    }
    let bob_port = free_port();
    let peers = format!(
        "[alice]\ntype=friend\nhost=dynamic\nsecret=alicepw\ncontext=public\n\n\
         [bob]\ntype=peer\nhost=127.0.0.1\nport={bob_port}\ndtmfmode=info\n"
    );
    let plan = "[public]\nexten => 800,1,Dial(SIP/bob,20)\n same => n,Hangup()\n";
    let s = start(&peers, plan, (64500, 64599));
    // bob: a sipp UAS that checks each INFO's type and Signal line (regexp actions).
    let bob_work = TempDir::new();
    let bob = {
        let sipp_bin = sipp_bin.clone();
        let dir = bob_work.path().to_path_buf();
        let media = "64640".to_string();
        std::thread::spawn(move || {
            let scenario = scenario("uas_info_digits.xml");
            let port = bob_port.to_string();
            let args = [
                "-sf",
                &scenario,
                "-m",
                "1",
                "-i",
                "127.0.0.1",
                "-p",
                &port,
                "-mp",
                &media,
                "-trace_err",
            ];
            sipp(&sipp_bin, &dir, &args, Duration::from_secs(60))
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let work = TempDir::new();
    let caller = alice_calls(
        &sipp_bin,
        work.path(),
        s.port,
        "uac_rfc4733_then_bye.xml",
        "800",
        64630,
    );
    let callee = bob.join().expect("bob's sipp thread");
    let log = s.daemon.stderr_text();
    assert_eq!(
        caller.code,
        Some(0),
        "caller: {caller:?}\n--- tandem:\n{log}"
    );
    assert_eq!(
        callee.code,
        Some(0),
        "bob did not get INFO Signal=1 then Signal=2: {callee:?}\n--- tandem:\n{log}"
    );
}

#[test]
fn senddtmf_reaches_a_dtmfmode_info_phone_as_sip_info() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let alice =
        "[alice]\ntype=friend\nhost=dynamic\nsecret=alicepw\ncontext=public\ndtmfmode=info\n";
    let plan = "[public]\nexten => 900,1,Answer()\n same => n,SendDTMF(1#,100)\n\
                same => n,Verbose(1,SendDTMF done)\n same => n,Hangup()\n";
    let s = start(alice, plan, (64650, 64699));
    let work = TempDir::new();
    let run = alice_calls(
        &sipp_bin,
        work.path(),
        s.port,
        "uac_expects_info.xml",
        "900",
        64700,
    );
    let log = s.daemon.stderr_text();
    assert_eq!(
        run.code,
        Some(0),
        "sipp did not get INFO 1 then #: {run:?}\n--- tandem:\n{log}"
    );
    s.daemon.expect_log("SendDTMF done");
}

/// alice (dtmfmode=info) calls 800 and sends INFO digits 1 2 3 4 5 (uac_info_digits.xml);
/// tandem dials bob with `bob_mode`, whose media is the test's own UDP socket.
fn info_caller_to_bob(bob_mode: &str, rtp: (u16, u16), alice_media: u16) -> (Heard, String) {
    let sipp_bin = require_tool("sipp").expect("checked by the caller");
    let sink = Sink::new();
    let bob_port = free_port();
    let peers = format!(
        "[alice]\ntype=friend\nhost=dynamic\nsecret=alicepw\ncontext=public\ndtmfmode=info\n\n\
         [bob]\ntype=peer\nhost=127.0.0.1\nport={bob_port}\ndtmfmode={bob_mode}\n"
    );
    let plan = "[public]\nexten => 800,1,Dial(SIP/bob,20)\n same => n,Hangup()\n";
    let s = start(&peers, plan, rtp);
    let bob_work = TempDir::new();
    let bob = sink.spawn_bob(
        &sipp_bin,
        bob_work.path(),
        &scenario("uas_media_sink.xml"),
        bob_port,
    );
    std::thread::sleep(Duration::from_millis(300));
    let work = TempDir::new();
    let alice = {
        let sipp_bin = sipp_bin.clone();
        let dir = work.path().to_path_buf();
        let port = s.port;
        std::thread::spawn(move || {
            alice_calls(
                &sipp_bin,
                &dir,
                port,
                "uac_info_digits.xml",
                "800",
                alice_media,
            )
        })
    };
    let heard = sink.listen_until_done(&bob);
    let bob = bob.join().expect("bob's sipp");
    let alice = alice.join().expect("alice's sipp");
    let log = s.daemon.stderr_text();
    assert_eq!(bob.code, Some(0), "bob: {bob:?}\n--- tandem:\n{log}");
    assert_eq!(alice.code, Some(0), "alice: {alice:?}\n--- tandem:\n{log}");
    (heard, log)
}

#[test]
fn info_digits_reach_a_dtmfmode_rfc2833_callee_as_rfc4733_events() {
    if require_tool("sipp").is_none() {
        return;
    }
    let (heard, log) = info_caller_to_bob("rfc2833", (64710, 64749), 64750);
    assert_eq!(heard.rfc4733, "12345", "RFC 4733 events at bob:\n{log}");
    assert_eq!(heard.inband, "", "no tones when bob takes RFC 4733");
}

#[test]
fn info_digits_reach_a_dtmfmode_inband_callee_as_tones() {
    if require_tool("sipp").is_none() {
        return;
    }
    let (heard, log) = info_caller_to_bob("inband", (64760, 64799), 64800);
    assert_eq!(heard.inband, "12345", "tones at bob:\n{log}");
    assert_eq!(heard.rfc4733, "", "no RFC 4733 to an inband callee");
}
