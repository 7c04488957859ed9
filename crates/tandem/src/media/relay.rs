//! The per-packet step of a bridge, apart from the socket calls so that the bridge task, the
//! criterion benchmark (`cargo bench -p tandem --bench relay`) and the no-allocation test
//! (`tests/relay_no_alloc.rs`) all run the same code.
//!
//! For one packet that arrived on `from` from `source`:
//! 1. strict RTP / comedia ([`tandem_rtp::Latch`]): a packet from a source the leg does not
//!    accept is dropped here (counted); an accepted one may move where the leg sends;
//! 2. the leg's RTCP statistics count it (packets, octets, loss, jitter: RFC 3550 A.1/A.8);
//! 3. RFC 4733 digits are seen and told to the core; the packet is relayed too, unless the
//!    direction holds them back ([`Relay::holding_digits`]: the sender may dial feature
//!    codes, and the bridge sends on, in the other leg's mode, only the digits no code took);
//! 4. the packet is relayed in place when both legs talk the same codec, or transcoded
//!    ([`super::transcode::Direction`]);
//! 5. it is rewritten onto `to`'s one outbound stream (SSRC, sequence, timestamp) and counted
//!    as sent on `to`.
//!
//! Nothing here allocates: the buffers belong to the caller and to [`Relay`].

use std::net::SocketAddr;
use std::sync::PoisonError;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tandem_rtp::latch::State as LatchState;
use tandem_rtp::{
    Latch, LatchConfig, NtpClock, NtpTime, RtcpConfig, RtcpSession, RtpPacket, Verdict,
};

use super::{transcode, MediaLeg};

/// One leg's receive path state: where it sends, which sources it accepts, its RTCP session
/// and statistics. Behind the leg's mutex.
pub struct Path {
    pub latch: Latch,
    pub rtcp: RtcpSession,
    /// Where the phone's RTCP came from last (symmetric RTCP), else RTP remote + 1.
    pub rtcp_remote: Option<SocketAddr>,
    pub created: Instant,
}

impl Path {
    pub fn new(now: Instant, latch: LatchConfig, ssrc: u32, cname: String) -> Path {
        let unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let cfg = RtcpConfig {
            ssrc,
            cname,
            clock_rate: 8000,
            interval: Duration::from_secs(5),
            seed: u64::from(ssrc) ^ 0x9e37_79b9_7f4a_7c15,
            ntp: NtpClock::new(now, NtpTime::from_unix(unix)),
        };
        Path {
            latch: Latch::new(now, latch),
            rtcp: RtcpSession::new(now, cfg),
            rtcp_remote: None,
            created: now,
        }
    }

    /// Where RTCP for this leg goes.
    pub fn rtcp_destination(&self) -> Option<SocketAddr> {
        self.rtcp_remote.or_else(|| {
            self.latch.remote().map(|mut a| {
                a.set_port(a.port().wrapping_add(1));
                a
            })
        })
    }
}

impl MediaLeg {
    /// A packet arrived on this leg from `source`: false when strict RTP drops it. Accepted
    /// RTP is counted in the leg's statistics.
    pub fn accept(&self, now: Instant, source: SocketAddr, packet: &[u8]) -> bool {
        let Ok(p) = RtpPacket::parse(packet) else {
            return false;
        };
        let mut path = self.path.lock().unwrap_or_else(PoisonError::into_inner);
        let before = path.latch.state();
        let verdict = path.latch.handle_packet(now, source, p.sequence());
        let latch = &path.latch;
        if latch.state() != before && latch.state() == LatchState::Closed {
            if let Some(addr) = latch.latched() {
                tracing::info!("RTP {}: strict RTP locked on source {addr}", self.local);
            }
        }
        if verdict == Verdict::Drop {
            // Rarely logged: the first drop, then at each power of two.
            let n = latch.dropped();
            if n.is_power_of_two() {
                tracing::info!(
                    "RTP {}: strict RTP dropped {n} packet(s), this one from {source}",
                    self.local
                );
            }
            return false;
        }
        path.rtcp.handle_rtp_received(now, &p);
        true
    }

    /// A packet goes out of this leg: rewritten onto its outbound stream and counted as sent.
    /// The destination, or None when it must not go out.
    pub fn prepare_send(&self, now: Instant, packet: &mut [u8]) -> Option<SocketAddr> {
        let dest = self.remote()?;
        if !self.rewrite_at(now, packet) {
            return None;
        }
        if let Ok(p) = RtpPacket::parse(packet) {
            let mut path = self.path.lock().unwrap_or_else(PoisonError::into_inner);
            path.rtcp
                .handle_rtp_sent(now, p.timestamp(), p.payload().len());
        }
        Some(dest)
    }
}

/// One direction of a bridge: its transcoding state and output buffer, made once.
#[derive(Default)]
pub struct Relay {
    direction: transcode::Direction,
    /// Telephone-event packets of the sending leg stop here (see [`Relay::holding_digits`]).
    hold_digits: bool,
}

impl Relay {
    /// A direction whose sender has feature codes (features.conf, Dial `T`/`t`/`H`/`h`): its
    /// RFC 4733 packets are seen (the digits go to the core) but not relayed, as Asterisk's
    /// bridge eats the DTMF frames of a party with DTMF hooks and streams on, later, only
    /// the digits that made no code.
    pub fn holding_digits() -> Relay {
        Relay {
            hold_digits: true,
            ..Relay::default()
        }
    }

    /// Packets transcoded so far in this direction.
    pub fn transcoded(&self) -> u64 {
        self.direction.transcoded
    }

    /// Run one packet that arrived on `from` from `source` towards `to`: what to send and
    /// where (the packet is either `received`, changed in place, or this direction's
    /// transcoding buffer), or None when nothing goes out.
    pub fn step<'a>(
        &'a mut self,
        from: &MediaLeg,
        to: &MediaLeg,
        now: Instant,
        source: SocketAddr,
        received: &'a mut [u8],
    ) -> Option<(&'a [u8], SocketAddr)> {
        if !from.accept(now, source, received) {
            return None;
        }
        from.inspect_inbound(received);
        let from_format = from.format();
        if self.hold_digits && is_telephone_event(from_format, received) {
            return None;
        }
        let packet: &mut [u8] = match self.direction.prepare(from_format, to.format(), received) {
            transcode::Action::Forward => received,
            transcode::Action::Transcoded(len) => self.direction.output(len),
            transcode::Action::Drop => return None,
        };
        let dest = to.prepare_send(now, packet)?;
        Some((packet, dest))
    }
}

/// Is `packet` of the negotiated telephone-event payload type?
fn is_telephone_event(format: Option<super::dtmf::Format>, packet: &[u8]) -> bool {
    let Some(pt) = format.and_then(|f| f.dtmf_pt) else {
        return false;
    };
    RtpPacket::parse(packet).is_ok_and(|p| p.payload_type() == pt)
}

/// Strict RTP for every leg as rtp.conf says (`strictrtp`, `probation`); comedia is per peer
/// ([`MediaLeg::set_comedia`]).
pub fn latch_config(rtp: &tandem_conf::views::RtpConf) -> LatchConfig {
    use tandem_conf::views::rtp::StrictRtp;
    LatchConfig {
        mode: match rtp.strictrtp {
            StrictRtp::No => tandem_rtp::StrictMode::No,
            StrictRtp::Yes => tandem_rtp::StrictMode::Yes,
            StrictRtp::Seqno => tandem_rtp::StrictMode::Seqno,
        },
        probation: rtp.probation,
        comedia: false,
    }
}
