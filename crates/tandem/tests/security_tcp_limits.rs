//! The bounds on SIP over TCP, end to end with plain sockets: a source may hold 32
//! connections (the 33rd is dropped at once, and said in the log), and an accepted connection
//! that sends nothing is closed after `tcpauthtimeout` (chan_sip's option; 5 s here, 30 s by
//! default), while one that carries SIP stays open and keeps being answered.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use tandem_testkit::{free_port, write_config, Daemon, TempDir};

const WAIT: Duration = Duration::from_secs(60);

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

fn options(port: u16, local: &TcpStream, n: u32) -> Vec<u8> {
    let me = local
        .local_addr()
        .unwrap_or_else(|e| panic!("local addr: {e}"));
    format!(
        "OPTIONS sip:100@127.0.0.1:{port} SIP/2.0\r\n\
         Via: SIP/2.0/TCP {me};branch=z9hG4bK-tcplimits-{n}\r\n\
         Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag=t{n}\r\n\
         To: <sip:100@127.0.0.1>\r\nCall-ID: tcplimits-{n}@127.0.0.1\r\nCSeq: {n} OPTIONS\r\n\
         User-Agent: tandem-test\r\nContent-Length: 0\r\n\r\n"
    )
    .into_bytes()
}

/// Read until a whole response head has arrived; its first line.
fn read_response(conn: &mut TcpStream) -> String {
    conn.set_read_timeout(Some(WAIT))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while !got.windows(4).any(|w| w == b"\r\n\r\n") {
        match conn.read(&mut buf) {
            Ok(0) => panic!(
                "connection closed before a response: {:?}",
                String::from_utf8_lossy(&got)
            ),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) => panic!("no response: {e}"),
        }
    }
    let text = String::from_utf8_lossy(&got).into_owned();
    text.lines().next().unwrap_or_default().to_string()
}

/// Whether tandem closed `conn` (end of stream or reset) within [`WAIT`]; false if it stayed
/// open that long or sent something.
fn closed_by_tandem(conn: &mut TcpStream) -> bool {
    conn.set_read_timeout(Some(WAIT))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut buf = [0u8; 64];
    match conn.read(&mut buf) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => matches!(
            e.kind(),
            ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe
        ),
    }
}

#[test]
fn a_source_holds_32_connections_and_a_silent_one_is_closed_after_tcpauthtimeout() {
    let port = free_port();
    let config = TempDir::new();
    let data = TempDir::new();
    let sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=public\n\
         tcpenable=yes\ntcpbindaddr=127.0.0.1:{port}\ntcpauthtimeout=5\n"
    );
    write_config(
        config.path(),
        &[
            ("sip.conf", &sip),
            ("extensions.conf", "[public]\n"),
            ("rtp.conf", "[general]\nrtpstart=64800\nrtpend=64849\n"),
        ],
    );
    let daemon = Daemon::start(&bin(), config.path(), data.path());
    if let Err(e) = daemon.wait_log("SIP listening on tcp 127.0.0.1:", WAIT) {
        panic!("{e}");
    }
    let connect =
        || TcpStream::connect(("127.0.0.1", port)).unwrap_or_else(|e| panic!("connect: {e}"));

    // One connection talks SIP, 31 stay silent: 32 from 127.0.0.1, the most one source gets.
    let mut talker = connect();
    talker
        .write_all(&options(port, &talker, 1))
        .unwrap_or_else(|e| panic!("{e}"));
    let first = read_response(&mut talker);
    assert!(first.starts_with("SIP/2.0 "), "a response: {first}");
    let mut silent: Vec<TcpStream> = (0..31).map(|_| connect()).collect();

    // The 33rd is accepted by the kernel and dropped by tandem at once.
    let mut extra = connect();
    if let Err(e) = daemon.wait_log("SIP tcp: refused a connection from 127.0.0.1:", WAIT) {
        panic!("the 33rd connection is refused: {e}");
    }
    assert!(
        closed_by_tandem(&mut extra),
        "the 33rd connection is closed"
    );

    // The silent ones are closed once tcpauthtimeout has passed.
    let started = Instant::now();
    for (i, conn) in silent.iter_mut().enumerate() {
        assert!(
            closed_by_tandem(conn),
            "silent connection {i} closed by tandem ({:?} after the first check)",
            started.elapsed()
        );
    }

    // The talker, older than all of them, is still open and answered.
    talker
        .write_all(&options(port, &talker, 2))
        .unwrap_or_else(|e| panic!("the talking connection is still open: {e}"));
    let second = read_response(&mut talker);
    assert!(
        second.starts_with("SIP/2.0 "),
        "a second response: {second}"
    );
    assert_eq!(
        daemon.log_count(&["refused a connection"]),
        1,
        "only the 33rd was refused:\n{}",
        daemon.stderr_text()
    );
}
