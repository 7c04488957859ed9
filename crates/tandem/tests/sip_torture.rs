//! RFC 4475 torture messages sent to the running daemon over UDP: every valid message is
//! accepted (no 400), every invalid one gets a 400 with a reason phrase or is dropped, the
//! semantic ones get the response the RFC suggests, and the server keeps serving.

use std::net::UdpSocket;
use std::path::PathBuf;
use std::time::Duration;

use tandem_testkit::{free_port, write_config, Daemon, TempDir};

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

fn fixtures() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/fixtures/rfc4475"
    ))
}

struct Probe {
    sock: UdpSocket,
    server: String,
    seq: u32,
}

impl Probe {
    /// Send `bytes`, then an OPTIONS marker; return what came back before the marker's
    /// answer (the server handles datagrams in order, so anything for the fixture comes first).
    fn send(&mut self, bytes: &[u8]) -> Vec<String> {
        self.sock
            .send_to(bytes, &self.server)
            .expect("send fixture");
        self.seq += 1;
        let marker = format!("marker-{}", self.seq);
        let local = self.sock.local_addr().expect("local addr");
        let options = format!(
            "OPTIONS sip:{s} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK{m}\r\nFrom: <sip:probe@{local}>;tag=p\r\n\
             To: <sip:{s}>\r\nCall-ID: {m}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
            s = self.server,
            m = marker
        );
        self.sock
            .send_to(options.as_bytes(), &self.server)
            .expect("send marker");
        let mut got = Vec::new();
        let mut buf = vec![0u8; 70_000];
        loop {
            let (n, _) = self
                .sock
                .recv_from(&mut buf)
                .expect("the server answers the marker (it keeps serving)");
            let text = String::from_utf8_lossy(&buf[..n]).to_string();
            if text.contains(&format!("Call-ID: {marker}")) {
                assert!(text.starts_with("SIP/2.0 200"), "marker answer: {text}");
                return got;
            }
            got.push(text);
        }
    }
}

fn status(resp: &str) -> u16 {
    resp.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

#[test]
fn rfc4475_torture_messages_get_the_answers_the_rfc_asks_for() {
    let index = std::fs::read_to_string(fixtures().join("INDEX.tsv"))
        .expect("INDEX.tsv beside the checkout (../shared)");
    let port = free_port();
    let config = TempDir::new();
    let data = TempDir::new();
    let sip = format!("[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=public\n");
    write_config(
        config.path(),
        &[("extensions.conf", "[public]\n"), ("sip.conf", &sip)],
    );
    let _daemon = Daemon::start(&bin(), config.path(), data.path());
    let sock = UdpSocket::bind("127.0.0.1:0").expect("client socket");
    sock.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut probe = Probe {
        sock,
        server: format!("127.0.0.1:{port}"),
        seq: 0,
    };
    let mut failures = Vec::new();
    let mut count = 0;
    for line in index.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (file, verdict) = (cols[0], cols.get(3).copied().unwrap_or(""));
        let bytes = std::fs::read(fixtures().join(file)).expect("fixture");
        let answers = probe.send(&bytes);
        count += 1;
        // A 100 Trying may come first for an INVITE; the final answer is what counts.
        let statuses: Vec<u16> = answers
            .iter()
            .map(|a| status(a))
            .filter(|s| *s >= 200)
            .collect();
        let expect_status = verdict
            .split("expect ")
            .nth(1)
            .and_then(|s| s.get(..3))
            .and_then(|s| s.parse::<u16>().ok());
        let ok = if verdict == "valid" {
            !statuses.contains(&400)
        } else if file == "badvers.dat" {
            // RFC 4475 3.1.2.16: an unknown protocol version gets 505.
            statuses == [505]
        } else if verdict == "invalid" {
            // Answered 400 (513 when too large) with a reason phrase, or dropped; never accepted.
            statuses.iter().all(|s| *s == 400 || *s == 513)
                && answers.iter().filter(|a| status(a) >= 200).all(|a| {
                    a.lines()
                        .next()
                        .is_some_and(|l| l.len() > "SIP/2.0 400 ".len())
                })
        } else if let Some(want) = expect_status {
            statuses == [want]
        } else {
            true
        };
        if !ok {
            failures.push(format!("{file} ({verdict}): got {statuses:?}"));
        }
    }
    assert_eq!(count, 49, "all RFC 4475 messages sent");
    assert!(
        failures.is_empty(),
        "torture failures:\n{}",
        failures.join("\n")
    );
}
