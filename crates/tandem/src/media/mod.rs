//! Media on the relay path: RTP ports from rtp.conf's range, and the bridge that relays
//! packets between two legs, untouched when they negotiated the same codec and transcoded
//! ([`transcode`]) when not. The frame path (Echo, Playback, RFC 4733 digits) lives in the
//! other submodules.

pub mod dtmf;
pub mod echo;
pub mod player;
pub mod sounds;
pub mod transcode;
pub mod wav;

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tandem_rtp::{Decision, Rewriter};
use tokio::net::UdpSocket;
use tokio::task::JoinHandle;

/// One leg's RTP socket and where its media goes.
pub struct MediaLeg {
    pub socket: UdpSocket,
    pub local: SocketAddr,
    remote: Mutex<Option<SocketAddr>>,
    /// What this leg receives is one stream (one SSRC, continuous sequence numbers and
    /// timestamps) whichever leg it is bridged to: early media, the answered leg, a transfer.
    outbound: Mutex<Rewriter>,
    /// The negotiated format, the RFC 4733 receiver and where digits go ([`dtmf`]).
    inbound: Mutex<dtmf::Inbound>,
}

impl MediaLeg {
    /// Where RTP for this leg is sent (from its SDP, or learnt from the first packet).
    pub fn remote(&self) -> Option<SocketAddr> {
        *self.remote.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn set_remote(&self, addr: SocketAddr) {
        *self.remote.lock().unwrap_or_else(PoisonError::into_inner) = Some(addr);
    }

    /// A new source is about to be relayed to this leg (a new bridge).
    fn switch_source(&self) {
        self.outbound
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .switch_source();
    }

    /// Rewrite a packet bound for this leg in place; false when it must be dropped.
    fn rewrite(&self, packet: &mut [u8]) -> bool {
        let mut rw = self.outbound.lock().unwrap_or_else(PoisonError::into_inner);
        matches!(
            rw.rewrite(std::time::Instant::now(), packet),
            Decision::Forward
        )
    }
}

/// RTP ports handed out from `[rtpstart, rtpend]`, even numbers only (RTCP gets the odd one).
pub struct PortRange {
    start: u16,
    end: u16,
    next: AtomicU16,
}

impl PortRange {
    pub fn new(start: u16, end: u16) -> Self {
        let start = start + start % 2;
        PortRange {
            start,
            end: end.max(start),
            next: AtomicU16::new(start),
        }
    }

    /// Bind the next free even port on `ip` (from inside the tokio runtime).
    pub fn allocate_now(&self, ip: IpAddr) -> std::io::Result<Arc<MediaLeg>> {
        let span = u32::from((self.end - self.start) / 2 + 1);
        for _ in 0..span {
            let mut port = self.next.fetch_add(2, Ordering::Relaxed);
            if port > self.end || port < self.start {
                self.next.store(self.start + 2, Ordering::Relaxed);
                port = self.start;
            }
            if let Ok(std_socket) = std::net::UdpSocket::bind(SocketAddr::new(ip, port)) {
                std_socket.set_nonblocking(true)?;
                let socket = UdpSocket::from_std(std_socket)?;
                let local = socket.local_addr()?;
                // The SSRC we send with: any value unique enough per leg.
                let ssrc = (u32::from(port) << 16)
                    ^ (self.next.load(Ordering::Relaxed) as u32).rotate_left(7)
                    ^ 0x5a17_0000;
                let outbound = Mutex::new(Rewriter::new(ssrc, 8000));
                let inbound = Mutex::new(dtmf::Inbound::default());
                return Ok(Arc::new(MediaLeg {
                    socket,
                    local,
                    remote: Mutex::new(None),
                    outbound,
                    inbound,
                }));
            }
        }
        Err(std::io::Error::new(
            std::io::ErrorKind::AddrInUse,
            "no free RTP port in the rtp.conf range",
        ))
    }
}

/// Two relay tasks joining two legs; dropping the bridge stops them.
pub struct Bridge {
    tasks: [JoinHandle<()>; 2],
}

impl Drop for Bridge {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Relay RTP both ways between `a` and `b` until the returned [`Bridge`] is dropped.
pub fn bridge(a: Arc<MediaLeg>, b: Arc<MediaLeg>) -> Bridge {
    a.switch_source();
    b.switch_source();
    Bridge {
        tasks: [
            tokio::spawn(relay(a.clone(), b.clone())),
            tokio::spawn(relay(b, a)),
        ],
    }
}

/// Packets arriving on `from` go out of `to` towards `to`'s remote, rewritten onto `to`'s one
/// outbound stream. When the legs negotiated different codecs the payload is transcoded (and
/// the payload types mapped) on the way ([`transcode::Direction`]); otherwise the packet is
/// relayed in place. Buffers are made once per direction: no allocation per packet. A leg with
/// no known remote yet learns it from its first packet (symmetric RTP).
async fn relay(from: Arc<MediaLeg>, to: Arc<MediaLeg>) {
    let mut buf = [0u8; 2048];
    let mut direction = transcode::Direction::default();
    loop {
        let (n, source) = match from.socket.recv_from(&mut buf).await {
            Ok(r) => r,
            Err(e) => {
                tracing::debug!("RTP recv on {}: {e}", from.local);
                continue;
            }
        };
        if from.remote().is_none() {
            from.set_remote(source);
        }
        // RFC 4733 digits are seen (and told to the core) while bridged too; the packet is
        // still relayed.
        let received = buf.get_mut(..n).unwrap_or_default();
        from.inspect_inbound(received);
        let Some(dest) = to.remote() else { continue };
        let packet: &mut [u8] = match direction.prepare(from.format(), to.format(), received) {
            transcode::Action::Forward => received,
            transcode::Action::Transcoded(len) => direction.output(len),
            transcode::Action::Drop => continue,
        };
        if to.rewrite(packet) {
            let _ = to.socket.send_to(packet, dest).await;
        }
    }
}
