//! A peer that requires encryption (`encryption=yes`) is never connected in the clear, also
//! when tandem calls it: sipp (which has no SRTP) answers tandem's RTP/SAVP offer with clear
//! RTP/AVP and no a=crypto. As chan_sip's handle_response_invite does when process_sdp
//! refuses a 200's SDP ("We are requesting SRTP for audio, but they responded without it!"):
//! the 200 is ACKed, then BYEd, the leg hangs up with cause 58 and is never answered, so the
//! caller's Dial ends with DIALSTATUS=CHANUNAVAIL. Meanwhile the caller streams audio into
//! tandem, and none of it reaches the callee's media address.

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tandem_testkit::{free_port, require_tool, sipp, write_config, Daemon, TempDir};

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

fn scenario(name: &str) -> String {
    format!("{}/tests/sipp/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The `-trace_msg` log sipp left in `dir`.
fn messages_log(dir: &Path) -> String {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with("_messages.log"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect()
}

#[test]
fn a_clear_answer_from_an_encryption_peer_is_acked_byed_and_dial_fails() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (port, uac_port, uas_port) = (free_port(), free_port(), free_port());
    let config = TempDir::new();
    let data = TempDir::new();
    let sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=public\n\n\
         [caller]\ntype=friend\nhost=127.0.0.1\nport={uac_port}\ninsecure=invite\ncontext=internal\n\n\
         [vault]\ntype=peer\nhost=127.0.0.1\nport={uas_port}\nencryption=yes\n"
    );
    let plan = "[internal]\n\
                exten => 100,1,Answer()\n\
                 same => n,Dial(SIP/vault,15)\n\
                 same => n,Verbose(1,dialstatus=${DIALSTATUS})\n\
                 same => n,Hangup()\n";
    write_config(
        config.path(),
        &[
            ("sip.conf", sip.as_str()),
            ("extensions.conf", plan),
            ("rtp.conf", "[general]\nrtpstart=31000\nrtpend=31999\n"),
        ],
    );
    let daemon = Daemon::start(&bin(), config.path(), data.path());

    // The callee's media address: a socket of ours, so that anything relayed shows up here.
    let media = UdpSocket::bind("127.0.0.1:0").expect("media socket");
    media
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("timeout");
    let rtp_port = media.local_addr().expect("addr").port().to_string();

    let callee = {
        let (sipp_bin, rtp_port) = (sipp_bin.clone(), rtp_port.clone());
        std::thread::spawn(move || {
            let work = TempDir::new();
            let port = uas_port.to_string();
            let run = sipp(
                &sipp_bin,
                work.path(),
                &[
                    "-sf",
                    &scenario("uas_clear_answer.xml"),
                    "-key",
                    "rtp_port",
                    &rtp_port,
                    "-m",
                    "1",
                    "-i",
                    "127.0.0.1",
                    "-p",
                    &port,
                    "-trace_msg",
                ],
                Duration::from_secs(90),
            );
            (run, messages_log(work.path()))
        })
    };
    let work = TempDir::new();
    let caller = sipp(
        &sipp_bin,
        work.path(),
        &[
            "-sf",
            &scenario("uac_audio_wait_bye.xml"),
            "-s",
            "100",
            "-m",
            "1",
            "-i",
            "127.0.0.1",
            "-p",
            &uac_port.to_string(),
            "-mp",
            &free_port().to_string(),
            &format!("127.0.0.1:{port}"),
        ],
        Duration::from_secs(90),
    );
    let (callee, callee_log) = callee.join().expect("callee thread");
    let status = daemon.wait_log("dialstatus=", Duration::from_secs(20));
    let log = daemon.stderr_text();
    assert_eq!(caller.code, Some(0), "caller: {caller:?}\n{log}");
    assert_eq!(
        callee.code,
        Some(0),
        "the callee did not get its BYE: {callee:?}\n{callee_log}\n{log}"
    );
    // The callee was offered SRTP, answered clear, and was ACKed, then BYEd.
    let invite = callee_log
        .find("INVITE sip:")
        .expect("INVITE in the callee's log");
    let ack = callee_log
        .find("ACK sip:")
        .expect("ACK in the callee's log");
    let bye = callee_log
        .find("BYE sip:")
        .expect("BYE in the callee's log");
    assert!(invite < ack && ack < bye, "{callee_log}");
    assert!(callee_log.contains("RTP/SAVP"), "{callee_log}");
    // The Dial failed as chan_sip's would: cause 58 counts as "no channel".
    assert!(
        status.is_ok_and(|line| line.contains("dialstatus=CHANUNAVAIL")),
        "{log}"
    );
    assert!(
        log.contains("encryption required: no usable a=crypto"),
        "the refusal is logged with its reason: {log}"
    );
    // Nothing the caller streamed (or anything else) reached the callee's media address.
    let mut buf = [0u8; 2048];
    let mut got = 0;
    let until = Instant::now() + Duration::from_secs(1);
    while Instant::now() < until {
        if media.recv_from(&mut buf).is_ok() {
            got += 1;
        }
    }
    assert_eq!(
        got, 0,
        "packets reached the callee's media address in the clear"
    );
}
