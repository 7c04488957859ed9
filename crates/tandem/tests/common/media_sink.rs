//! A callee (bob, a sipp UAS) whose media goes to the test's own UDP socket, and what tandem
//! sent there: RFC 4733 digits (one per event timestamp) and the digits an inband detector
//! hears in the PCMU audio. Used by media_dtmf_modes.rs and features_digits.rs.

#![allow(dead_code)]

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::Duration;

use tandem_rtp::dtmf::{InbandDetector, InbandEvent, TelephoneEvent};
use tandem_testkit::{sipp, SippRun};

/// What reached the sink.
#[derive(Debug, Default)]
pub struct Heard {
    pub rfc4733: String,
    pub inband: String,
}

pub struct Sink {
    socket: UdpSocket,
}

impl Sink {
    pub fn new() -> Sink {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("sink socket");
        socket
            .set_read_timeout(Some(Duration::from_millis(200)))
            .expect("timeout");
        Sink { socket }
    }

    pub fn port(&self) -> u16 {
        self.socket.local_addr().expect("addr").port()
    }

    /// Start bob: `scenario` (a UAS with `m=audio [rtpsink]`) on `port`, sipp working in
    /// `work`.
    pub fn spawn_bob(
        &self,
        sipp_bin: &Path,
        work: &Path,
        scenario: &str,
        port: u16,
    ) -> JoinHandle<SippRun> {
        let (sipp_bin, dir): (PathBuf, PathBuf) = (sipp_bin.to_path_buf(), work.to_path_buf());
        let (scenario, port, sink) = (scenario.to_string(), port.to_string(), self.port());
        std::thread::spawn(move || {
            let sink = sink.to_string();
            let args = [
                "-sf",
                &scenario,
                "-m",
                "1",
                "-i",
                "127.0.0.1",
                "-p",
                &port,
                "-key",
                "rtpsink",
                &sink,
                "-trace_err",
            ];
            sipp(&sipp_bin, &dir, &args, Duration::from_secs(90))
        })
    }

    /// Read until bob's sipp has finished.
    pub fn listen_until_done(&self, bob: &JoinHandle<SippRun>) -> Heard {
        let mut heard = Heard::default();
        let mut detector = InbandDetector::new(false);
        let mut last_event_ts = None;
        let mut buf = [0u8; 2048];
        let mut pcm = [0i16; 2048];
        let inband = |detector: &mut InbandDetector, heard: &mut Heard| {
            while let Some(ev) = detector.poll_event() {
                if let InbandEvent::End { digit, .. } = ev {
                    heard.inband.push(digit);
                }
            }
        };
        while !bob.is_finished() {
            let Ok(n) = self.socket.recv(&mut buf) else {
                continue;
            };
            let Ok(p) = tandem_rtp::RtpPacket::parse(&buf[..n]) else {
                continue;
            };
            match p.payload_type() {
                101 => {
                    if let Ok(ev) = TelephoneEvent::parse(p.payload()) {
                        if last_event_ts != Some(p.timestamp()) {
                            last_event_ts = Some(p.timestamp());
                            heard.rfc4733.extend(ev.digit());
                        }
                    }
                }
                0 => {
                    let n = tandem_codec::ulaw::decode(p.payload(), &mut pcm);
                    detector.process(&pcm[..n]);
                    inband(&mut detector, &mut heard);
                }
                _ => {}
            }
        }
        // Silence after the last tone ends its digit.
        detector.process(&[0; 1600]);
        inband(&mut detector, &mut heard);
        heard
    }
}
