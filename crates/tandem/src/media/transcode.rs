//! One direction of a bridge when the two legs may not talk the same codec: what to do with a
//! packet that arrived on one leg before it goes out of the other.
//!
//! - Same codec on both legs: the packet is relayed in place (zero copy); only its payload
//!   type is set to the destination's (they agree in practice; static types are equal).
//! - Different codecs (PCMU, PCMA, G.722, ...): the payload is decoded and re-encoded for the
//!   destination by one stateful [`Transcoder`] per direction (made once for a codec pair; its
//!   buffers and this direction's output buffer are reused, nothing is allocated per packet).
//!   The new packet keeps the sequence number, SSRC and marker, carries the destination's
//!   payload type, and its timestamp is moved to the destination codec's RTP clock (RFC 3551:
//!   PCMU, PCMA and G.722 all count 8000 a second, G.722 although it samples at 16 kHz, so the
//!   timestamp is unchanged among them; Opus counts 48000, RFC 7587).
//! - RFC 4733 telephone-event packets keep their payload and get the destination's
//!   telephone-event payload type, or are dropped when the destination has none.
//! - Any other payload type (comfort noise, a codec not negotiated) is dropped.
//! - While a leg has no negotiated format tandem knows (early in the call, or a codec tandem
//!   only relays), packets pass untouched, as before transcoding existed.
//!
//! The caller then sends the packet through the destination leg's outbound `Rewriter`.

use tandem_codec::{CodecKind, Transcoder};
use tandem_rtp::{RtpHeader, RtpHeaderMut, RtpPacket};

use super::dtmf::Format;

/// Largest packet a direction writes (a 20 ms frame of any of our codecs is far below this).
pub const MAX_PACKET: usize = 2048;

/// What to send for one received packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The received buffer, possibly with its payload type (and timestamp) changed in place.
    Forward,
    /// A new packet of this length in [`Direction::output`].
    Transcoded(usize),
    /// Nothing goes out.
    Drop,
}

/// The running transcoder of one codec pair.
struct Running {
    from: CodecKind,
    to: CodecKind,
    transcoder: Transcoder,
}

/// Maps RTP timestamps from one clock to another, packet to packet (the distance from the
/// previous packet is scaled, so wrap-around and reordering stay consistent).
#[derive(Debug, Clone, Copy)]
struct Clock {
    from_rate: u32,
    to_rate: u32,
    /// Last input timestamp and what it became.
    anchor: Option<(u32, u32)>,
}

impl Clock {
    fn map(&mut self, ts: u32) -> u32 {
        if self.from_rate == self.to_rate {
            return ts;
        }
        let out = match self.anchor {
            None => scale(ts, self.from_rate, self.to_rate),
            Some((last_in, last_out)) => {
                let d = i64::from(ts.wrapping_sub(last_in) as i32);
                let scaled = d * i64::from(self.to_rate) / i64::from(self.from_rate.max(1));
                last_out.wrapping_add(scaled as i32 as u32)
            }
        };
        self.anchor = Some((ts, out));
        out
    }
}

fn scale(ts: u32, from: u32, to: u32) -> u32 {
    (u64::from(ts) * u64::from(to) / u64::from(from.max(1))) as u32
}

/// The RTP clock rate of a codec's payload format (not always its sample rate).
pub fn rtp_clock(codec: CodecKind) -> u32 {
    match codec {
        // RFC 3551 4.5.2: G.722's clock is 8000 for historical reasons.
        CodecKind::G722 => 8000,
        // RFC 7587: Opus always counts 48 kHz.
        CodecKind::Opus => 48000,
        k => k.sample_rate(),
    }
}

/// One relay direction's state: the transcoder of the current codec pair and its output.
pub struct Direction {
    running: Option<Running>,
    /// A codec pair with no path (warned once, its packets dropped).
    failed: Option<(CodecKind, CodecKind)>,
    clock: Clock,
    out: Box<[u8; MAX_PACKET]>,
    /// Packets transcoded, for logs and tests.
    pub transcoded: u64,
}

impl Default for Direction {
    fn default() -> Self {
        Direction {
            running: None,
            failed: None,
            clock: Clock {
                from_rate: 8000,
                to_rate: 8000,
                anchor: None,
            },
            out: Box::new([0u8; MAX_PACKET]),
            transcoded: 0,
        }
    }
}

impl Direction {
    /// The packet made by the last [`Action::Transcoded`].
    pub fn output(&mut self, len: usize) -> &mut [u8] {
        let n = len.min(MAX_PACKET);
        &mut self.out[..n]
    }

    /// Decide what to do with `packet`, which arrived on a leg negotiated as `from` and goes to
    /// a leg negotiated as `to`. May rewrite `packet` in place ([`Action::Forward`]) or write a
    /// new one into [`output`](Self::output) ([`Action::Transcoded`]).
    pub fn prepare(
        &mut self,
        from: Option<Format>,
        to: Option<Format>,
        packet: &mut [u8],
    ) -> Action {
        let (Some(from), Some(to)) = (from, to) else {
            return Action::Forward;
        };
        let (pt, seq, ts, ssrc, marker, payload_at) = match RtpPacket::parse(packet) {
            Ok(p) => (
                p.payload_type(),
                p.sequence(),
                p.timestamp(),
                p.ssrc(),
                p.marker(),
                p.header_len(),
            ),
            // The destination's rewriter drops what is not RTP.
            Err(_) => return Action::Drop,
        };
        self.set_clocks(from.codec, to.codec);
        if Some(pt) == from.dtmf_pt {
            let Some(dest_pt) = to.dtmf_pt else {
                return Action::Drop;
            };
            let out_ts = self.clock.map(ts);
            if let Ok(mut h) = RtpHeaderMut::new(packet) {
                h.set_payload_type(dest_pt);
                h.set_timestamp(out_ts);
            }
            return Action::Forward;
        }
        if pt != from.payload_type {
            return Action::Drop;
        }
        if from.codec == to.codec {
            if let Ok(mut h) = RtpHeaderMut::new(packet) {
                h.set_payload_type(to.payload_type);
            }
            return Action::Forward;
        }
        if !self.ready(from.codec, to.codec) {
            return Action::Drop;
        }
        let Some(running) = self.running.as_mut() else {
            return Action::Drop;
        };
        let transcoder = &mut running.transcoder;
        // The payload without padding (RtpPacket::parse validated the lengths).
        let payload_len = RtpPacket::parse(packet)
            .map(|p| p.payload().len())
            .unwrap_or(0);
        let payload = packet
            .get(payload_at..payload_at + payload_len)
            .unwrap_or_default();
        let out_ts = self.clock.map(ts);
        let (head, body) = self.out.split_at_mut(12);
        let n = match transcoder.transcode(payload, body) {
            Ok(n) => n,
            Err(e) => {
                tracing::debug!("transcode {:?} -> {:?}: {e}", from.codec, to.codec);
                return Action::Drop;
            }
        };
        let mut header = RtpHeader::new(to.payload_type, seq, out_ts, ssrc);
        header.marker = marker;
        // Writing the fixed header alone (an empty payload) cannot fail into 12 bytes.
        if header.write(&[], head).is_err() {
            return Action::Drop;
        }
        self.transcoded += 1;
        Action::Transcoded(12 + n)
    }

    fn set_clocks(&mut self, from: CodecKind, to: CodecKind) {
        let (f, t) = (rtp_clock(from), rtp_clock(to));
        if (self.clock.from_rate, self.clock.to_rate) != (f, t) {
            self.clock = Clock {
                from_rate: f,
                to_rate: t,
                anchor: None,
            };
        }
    }

    /// Make sure the transcoder for `from -> to` runs (made on first use of that pair);
    /// false when there is no path between them.
    fn ready(&mut self, from: CodecKind, to: CodecKind) -> bool {
        if self
            .running
            .as_ref()
            .is_some_and(|r| r.from == from && r.to == to)
        {
            return true;
        }
        if self.failed == Some((from, to)) {
            return false;
        }
        match Transcoder::new(from, to) {
            Ok(transcoder) => {
                tracing::info!(
                    "bridge transcodes {} (cost {})",
                    transcoder.path(),
                    transcoder.path().cost
                );
                self.running = Some(Running {
                    from,
                    to,
                    transcoder,
                });
                true
            }
            Err(e) => {
                tracing::warn!("bridge cannot transcode {from:?} to {to:?}: {e}");
                self.failed = Some((from, to));
                self.running = None;
                false
            }
        }
    }
}

#[cfg(test)]
mod tests;
