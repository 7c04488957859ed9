//! Free loopback ports for end-to-end tests (the test writes them into the config it makes).

use std::net::{TcpListener, UdpSocket};
use std::sync::atomic::{AtomicU16, Ordering};

/// Next port to probe; starts above the ephemeral range, per process.
static NEXT: AtomicU16 = AtomicU16::new(0);

/// A UDP and TCP port free on 127.0.0.1 right now, probed upwards from 62000 (spread by the
/// process id so that parallel test binaries rarely collide).
pub fn free_port() -> u16 {
    let _ = NEXT.compare_exchange(
        0,
        62000 + (std::process::id() % 500) as u16 * 2,
        Ordering::SeqCst,
        Ordering::SeqCst,
    );
    loop {
        let port = NEXT.fetch_add(1, Ordering::SeqCst);
        if port >= 62999 {
            NEXT.store(62000, Ordering::SeqCst);
            continue;
        }
        let udp = UdpSocket::bind(("127.0.0.1", port));
        let tcp = TcpListener::bind(("127.0.0.1", port));
        if udp.is_ok() && tcp.is_ok() {
            return port;
        }
    }
}
