//! Media on the relay path: RTP ports from rtp.conf's range, and the bridge that relays
//! packets between two legs, untouched when they negotiated the same codec and transcoded
//! ([`transcode`]) when not. The frame path (Echo, Playback, RFC 4733 digits) lives in the
//! other submodules.

pub mod dtmf;
pub mod echo;
pub mod generator;
pub mod moh;
pub mod player;
pub mod recorder;
pub mod relay;
pub mod rtcp;
pub mod sounds;
pub mod srtp;
pub mod stats;
pub mod transcode;
pub mod wav;

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tandem_rtp::{Decision, LatchConfig, Rewriter};
use tokio::net::UdpSocket;
use tokio::task::JoinHandle;

/// One leg's RTP socket and where its media goes.
pub struct MediaLeg {
    pub socket: UdpSocket,
    pub local: SocketAddr,
    /// Where it sends, which sources it accepts (strict RTP, comedia), its RTCP session and
    /// statistics ([`relay::Path`]).
    path: Mutex<relay::Path>,
    /// What this leg receives is one stream (one SSRC, continuous sequence numbers and
    /// timestamps) whichever leg it is bridged to: early media, the answered leg, a transfer.
    outbound: Mutex<Rewriter>,
    /// The negotiated format, the RFC 4733 receiver and where digits go ([`dtmf`]).
    inbound: Mutex<dtmf::Inbound>,
    /// What plays to this leg in the background ([`generator`]); the relay holds back while
    /// it plays.
    pub generator: generator::Slot,
    /// SRTP at the socket boundary ([`srtp`]): plain RTP unless the SDP agreed on crypto.
    pub srtp: srtp::Slot,
    /// The RTP port in `tandem_rtp_ports_in_use`.
    _port: PortHeld,
    /// Dropped with the leg: its RTCP task ends at once and frees the odd port, so the pair
    /// can be handed out again as soon as the call is gone.
    _rtcp_stop: tokio::sync::oneshot::Sender<()>,
}

impl MediaLeg {
    /// Where RTP for this leg is sent (from its SDP, or learnt from the first packet).
    pub fn remote(&self) -> Option<SocketAddr> {
        self.path
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .latch
            .remote()
    }

    /// The far end's RTP address from SDP (strict RTP learns again when it changes).
    pub fn set_remote(&self, addr: SocketAddr) {
        self.path
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .latch
            .set_target(std::time::Instant::now(), addr);
    }

    /// `nat=comedia` for this leg: send to where its packets come from.
    pub fn set_comedia(&self, comedia: bool) {
        let mut path = self.path.lock().unwrap_or_else(PoisonError::into_inner);
        let now = std::time::Instant::now();
        let mut cfg = path.latch.config();
        if cfg.comedia != comedia {
            cfg.comedia = comedia;
            let old = std::mem::replace(&mut path.latch, tandem_rtp::Latch::new(now, cfg));
            if let Some(target) = old.remote() {
                path.latch.set_target(now, target);
            }
        }
    }

    /// Run `f` on this leg's path state (statistics, RTCP).
    pub fn with_path<R>(&self, f: impl FnOnce(&mut relay::Path) -> R) -> R {
        f(&mut self.path.lock().unwrap_or_else(PoisonError::into_inner))
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
        self.rewrite_at(std::time::Instant::now(), packet)
    }

    /// [`rewrite`](Self::rewrite) at a given time (the relay step reads the clock once).
    fn rewrite_at(&self, now: std::time::Instant, packet: &mut [u8]) -> bool {
        let mut rw = self.outbound.lock().unwrap_or_else(PoisonError::into_inner);
        matches!(rw.rewrite(now, packet), Decision::Forward)
    }
}

/// Ports of the rtp.conf range bound now, RTP and RTCP (`tandem_rtp_ports_in_use`).
static PORTS_IN_USE: AtomicU64 = AtomicU64::new(0);

/// How many ports of the rtp.conf range are bound now (RTP and RTCP): twice the live legs,
/// and 0 once every call has ended.
pub fn ports_in_use() -> u64 {
    PORTS_IN_USE.load(Ordering::Relaxed)
}

/// One port counted in [`ports_in_use`] while this lives: kept beside the socket holding it.
#[derive(Debug)]
pub struct PortHeld(());

impl PortHeld {
    fn hold() -> Self {
        PORTS_IN_USE.fetch_add(1, Ordering::Relaxed);
        PortHeld(())
    }
}

impl Drop for PortHeld {
    fn drop(&mut self) {
        PORTS_IN_USE.fetch_sub(1, Ordering::Relaxed);
    }
}

/// RTP ports handed out from `[rtpstart, rtpend]`, even numbers only (RTCP gets the odd one).
pub struct PortRange {
    start: u16,
    end: u16,
    next: AtomicU16,
    /// rtp.conf `strictrtp` and `probation` for every leg (comedia is per peer).
    latch: LatchConfig,
}

impl PortRange {
    pub fn new(start: u16, end: u16) -> Self {
        let start = start + start % 2;
        PortRange {
            start,
            end: end.max(start),
            next: AtomicU16::new(start),
            latch: LatchConfig::default(),
        }
    }

    /// Strict RTP as rtp.conf says (Asterisk's default: `strictrtp=yes`, `probation=4`).
    pub fn with_latch(mut self, latch: LatchConfig) -> Self {
        self.latch = latch;
        self
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
                // RTCP on the odd port above; a pair whose odd port is taken is skipped.
                let rtp_port = PortHeld::hold();
                let Ok(rtcp_socket) = std::net::UdpSocket::bind(SocketAddr::new(ip, port + 1))
                else {
                    continue;
                };
                let rtcp_port = PortHeld::hold();
                std_socket.set_nonblocking(true)?;
                let socket = UdpSocket::from_std(std_socket)?;
                let local = socket.local_addr()?;
                // The SSRC we send with: any value unique enough per leg.
                let ssrc = (u32::from(port) << 16)
                    ^ (self.next.load(Ordering::Relaxed) as u32).rotate_left(7)
                    ^ 0x5a17_0000;
                let outbound = Mutex::new(Rewriter::new(ssrc, 8000));
                let inbound = Mutex::new(dtmf::Inbound::default());
                let path = relay::Path::new(
                    std::time::Instant::now(),
                    self.latch,
                    ssrc,
                    format!("tandem@{ip}"),
                );
                let (rtcp_stop, stopped) = tokio::sync::oneshot::channel();
                let leg = Arc::new(MediaLeg {
                    socket,
                    local,
                    path: Mutex::new(path),
                    outbound,
                    inbound,
                    generator: generator::Slot::default(),
                    srtp: srtp::Slot::default(),
                    _port: rtp_port,
                    _rtcp_stop: rtcp_stop,
                });
                rtcp::spawn(&leg, rtcp_socket, rtcp_port, stopped);
                return Ok(leg);
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
    bridge_holding(a, b, (false, false))
}

/// [`bridge`], with the RFC 4733 packets of `a` (`hold.0`) or `b` (`hold.1`) held back
/// ([`relay::Relay::holding_digits`]): that party may dial feature codes.
pub fn bridge_holding(a: Arc<MediaLeg>, b: Arc<MediaLeg>, hold: (bool, bool)) -> Bridge {
    generator::stop(&a);
    generator::stop(&b);
    a.switch_source();
    b.switch_source();
    let direction = |held: bool| {
        if held {
            relay::Relay::holding_digits()
        } else {
            relay::Relay::default()
        }
    };
    Bridge {
        tasks: [
            tokio::spawn(relay(a.clone(), b.clone(), direction(hold.0))),
            tokio::spawn(relay(b, a, direction(hold.1))),
        ],
    }
}

/// Packets arriving on `from` go out of `to` towards `to`'s remote: the per-packet step is
/// [`relay::Relay::step`] (strict RTP, statistics, digits, relay or transcode, rewrite), the
/// same code the benchmark and the no-allocation test run. Buffers are made once per
/// direction: no allocation per packet.
async fn relay(from: Arc<MediaLeg>, to: Arc<MediaLeg>, mut step: relay::Relay) {
    let mut buf = [0u8; 2048];
    loop {
        let (n, source) = match from.recv_rtp(&mut buf).await {
            Ok(r) => r,
            Err(e) => {
                tracing::debug!("RTP recv on {}: {e}", from.local);
                continue;
            }
        };
        let Some(received) = buf.get_mut(..n) else {
            continue;
        };
        let now = std::time::Instant::now();
        if let Some((packet, dest)) = step.step(&from, &to, now, source, received) {
            // Music on hold (or tones) plays to `to`: nothing relayed to it meanwhile.
            if !to.generator.active() && !to.sending_digit() {
                let _ = to.send_rtp(packet, dest).await;
            }
        }
    }
}
