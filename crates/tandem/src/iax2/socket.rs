//! The IAX2 UDP socket. One socket carries every call's voice (one mini frame per call and
//! 20 ms, or trunk frames), so its receive queue is what absorbs the moments the endpoint task
//! is not scheduled: the kernel default (net.core.rmem_default, 208 KiB) holds about 30 ms of
//! 100 calls' mini frames, and on a loaded machine the endpoint lost voice there. tandem asks
//! for [`RECV_BUFFER`]; the kernel caps it at net.core.rmem_max.

use std::net::SocketAddr;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;

/// Receive buffer asked for: about 1.3 s of 100 calls' mini frames at 50 packets/s.
pub const RECV_BUFFER: usize = 4 << 20;

/// Datagrams and commands (of each) handled per wake-up before the endpoint looks at its
/// timers again.
pub const BATCH: usize = 256;

/// Bind `addr` with the larger receive buffer; returns the socket and the receive buffer the
/// kernel granted (bytes, as `getsockopt` reports it).
pub fn bind(addr: SocketAddr) -> std::io::Result<(UdpSocket, usize)> {
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    if let Err(e) = socket.set_recv_buffer_size(RECV_BUFFER) {
        tracing::debug!("IAX2: SO_RCVBUF {RECV_BUFFER}: {e}");
    }
    let granted = socket.recv_buffer_size().unwrap_or(0);
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    Ok((UdpSocket::from_std(socket.into())?, granted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn binds_with_a_receive_buffer_above_the_default() {
        let (s, granted) = bind("127.0.0.1:0".parse().unwrap()).unwrap();
        assert_ne!(s.local_addr().unwrap().port(), 0);
        // The kernel grants at least its default; on Linux it doubles what it accepts.
        assert!(granted >= 200 * 1024, "{granted}");
    }
}
