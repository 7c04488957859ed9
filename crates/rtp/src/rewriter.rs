//! The relay path: maps whatever arrives on one leg onto the one outbound stream the other leg
//! knows (one SSRC, sequence numbers and timestamps that never jump), in place, one packet at
//! a time, with no allocation.
//!
//! Within a source the packet keeps its own spacing: sequence numbers and timestamps are
//! shifted by fixed offsets, so reordering, loss and silence gaps pass through unchanged. When
//! the source changes (a new SSRC, an explicit [`Rewriter::switch_source`] when the bridge
//! moves from early media to the answered leg or after a transfer, or a sequence jump of more
//! than 3000 / back by more than 100, RFC 3550 A.1's limits), the new source is re-anchored:
//! its first packet gets the next sequence number and a timestamp advanced by the wall time
//! since the last packet (at least one packet's worth), and the marker bit is set on it, as
//! Asterisk does on a source change (`ast_rtp_change_source` sets the marker flag).
//!
//! The forward decision drops what must not reach the far end: packets that are not RTP
//! version 2, payload types the bridge did not allow, and stragglers of the previous source
//! after a switch.

use crate::header::{seq_diff, RtpHeaderMut};
use std::time::Instant;

/// Why a packet is not forwarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropReason {
    /// Shorter than an RTP header or not version 2.
    Malformed,
    /// Payload type not in the allowed set.
    PayloadType,
    /// From the source we switched away from.
    StaleSource,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The buffer was rewritten in place; send it.
    Forward,
    Drop(DropReason),
}

#[derive(Debug, Clone, Copy)]
struct Source {
    ssrc: u32,
    seq_offset: u16,
    ts_offset: u32,
    max_seq: u16,
}

#[derive(Debug, Clone, Copy)]
struct LastOut {
    seq: u16,
    ts: u32,
    at: Instant,
}

/// Counters for statistics and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RewriterStats {
    pub forwarded: u64,
    pub dropped: u64,
    pub source_changes: u64,
}

#[derive(Debug, Clone)]
pub struct Rewriter {
    out_ssrc: u32,
    clock_rate: u32,
    allowed: u128,
    current: Option<Source>,
    previous_ssrc: Option<u32>,
    last_out: Option<LastOut>,
    frame_samples: u32,
    force_switch: bool,
    stats: RewriterStats,
}

const MAX_DROPOUT: i16 = 3000;
const MAX_MISORDER: i16 = 100;

impl Rewriter {
    /// Rewrites onto `out_ssrc`; `clock_rate` converts wall time to timestamp units when a
    /// new source is anchored. Every payload type is allowed until [`allow_only`](Self::allow_only).
    pub fn new(out_ssrc: u32, clock_rate: u32) -> Self {
        Rewriter {
            out_ssrc,
            clock_rate: clock_rate.max(1),
            allowed: u128::MAX,
            current: None,
            previous_ssrc: None,
            last_out: None,
            frame_samples: clock_rate.max(1) / 50,
            force_switch: false,
            stats: RewriterStats::default(),
        }
    }

    /// Forwards only these payload types (the negotiated codec and telephone-event).
    pub fn allow_only(&mut self, payload_types: &[u8]) {
        self.allowed = payload_types
            .iter()
            .filter(|&&pt| pt < 128)
            .fold(0u128, |m, &pt| m | (1u128 << pt));
    }

    /// The next packet starts a new source even if its SSRC is the same (a new leg that
    /// happens to reuse it); packets of the old SSRC are dropped from then on.
    pub fn switch_source(&mut self) {
        self.force_switch = true;
    }

    pub fn out_ssrc(&self) -> u32 {
        self.out_ssrc
    }
    pub fn stats(&self) -> RewriterStats {
        self.stats
    }

    fn anchor(&mut self, now: Instant, ssrc: u32, seq: u16, ts: u32) -> Source {
        let (out_seq, out_ts) = match self.last_out {
            None => (seq, ts),
            Some(last) => {
                let elapsed = now.saturating_duration_since(last.at);
                let ticks = elapsed.as_nanos() * u128::from(self.clock_rate) / 1_000_000_000;
                let ticks = u32::try_from(ticks)
                    .unwrap_or(u32::MAX / 2)
                    .max(self.frame_samples);
                (last.seq.wrapping_add(1), last.ts.wrapping_add(ticks))
            }
        };
        if let Some(old) = self.current {
            self.stats.source_changes += 1;
            if old.ssrc != ssrc {
                self.previous_ssrc = Some(old.ssrc);
            }
        }
        Source {
            ssrc,
            seq_offset: out_seq.wrapping_sub(seq),
            ts_offset: out_ts.wrapping_sub(ts),
            max_seq: seq,
        }
    }

    /// Decides and rewrites one packet in place.
    #[inline]
    pub fn rewrite(&mut self, now: Instant, packet: &mut [u8]) -> Decision {
        let Ok(mut h) = RtpHeaderMut::new(packet) else {
            self.stats.dropped += 1;
            return Decision::Drop(DropReason::Malformed);
        };
        if self.allowed & (1u128 << h.payload_type()) == 0 {
            self.stats.dropped += 1;
            return Decision::Drop(DropReason::PayloadType);
        }
        let (ssrc, seq, ts) = (h.ssrc(), h.sequence(), h.timestamp());
        // Late packets of the source before the current one are dropped, unless the relay
        // switched back to it on purpose (a transfer returning to the first party).
        if self.previous_ssrc == Some(ssrc) && !self.force_switch {
            self.stats.dropped += 1;
            return Decision::Drop(DropReason::StaleSource);
        }
        let mut newest = true;
        let mut marker = false;
        let src = match self.current {
            Some(mut src) if src.ssrc == ssrc && !self.force_switch => {
                let d = seq_diff(seq, src.max_seq);
                if d > 0 && d <= MAX_DROPOUT {
                    src.max_seq = seq;
                    src
                } else if d <= 0 && d > -MAX_MISORDER {
                    newest = false;
                    src
                } else {
                    marker = true;
                    self.anchor(now, ssrc, seq, ts)
                }
            }
            Some(old) if self.force_switch && old.ssrc == ssrc => {
                // Same SSRC on the new leg: nothing to tell apart, just re-anchor.
                self.force_switch = false;
                marker = true;
                let s = self.anchor(now, ssrc, seq, ts);
                self.previous_ssrc = None;
                s
            }
            Some(_) => {
                self.force_switch = false;
                marker = true;
                self.anchor(now, ssrc, seq, ts)
            }
            None => {
                self.force_switch = false;
                self.anchor(now, ssrc, seq, ts)
            }
        };
        self.current = Some(src);
        let out_seq = seq.wrapping_add(src.seq_offset);
        let out_ts = ts.wrapping_add(src.ts_offset);
        h.set_ssrc(self.out_ssrc);
        h.set_sequence(out_seq);
        h.set_timestamp(out_ts);
        if marker {
            h.set_marker(true);
        }
        if newest {
            if let Some(last) = self.last_out {
                let step = out_ts.wrapping_sub(last.ts);
                if out_seq == last.seq.wrapping_add(1) && step > 0 && step <= self.clock_rate / 8 {
                    self.frame_samples = step;
                }
            }
            self.last_out = Some(LastOut {
                seq: out_seq,
                ts: out_ts,
                at: now,
            });
        }
        self.stats.forwarded += 1;
        Decision::Forward
    }
}
