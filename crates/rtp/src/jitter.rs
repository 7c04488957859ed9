//! A jitter buffer for the frame path (playback, recording, mixing, transcoding). The relay
//! path never uses one: a relayed packet goes out as soon as it comes in, and the far end's
//! own buffer absorbs the jitter.
//!
//! Packets are played in sequence order at `arrival of the first packet + delay + (timestamp
//! - first timestamp) / clock rate`, so the timestamps, not the arrival times, set the pace
//! and silence-suppression gaps stay gaps. A sequence number that never came is reported as
//! [`Playout::Missing`] once its slot is due and a later packet proves the gap; the caller
//! fills it with silence or concealment. A packet arriving after its slot was played or
//! reported missing is dropped. The buffer holds at most `max_packets`; beyond that the oldest
//! slots are given up. A jump of more than 1000 sequence numbers, or a timestamp more than
//! `resync` away from where it should be, starts the buffer again on the new stream.
//!
//! Adaptive mode (off by default): each late packet adds one frame of delay, up to
//! `max_delay`; the delay only grows during a call (shrinking it would cut audio).

use crate::header::seq_diff;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct JitterConfig {
    pub clock_rate: u32,
    /// Fixed delay, or the starting delay in adaptive mode.
    pub target_delay: Duration,
    pub adaptive: bool,
    /// Upper bound of the adaptive delay.
    pub max_delay: Duration,
    /// Most packets held (bounded memory).
    pub max_packets: usize,
    /// Packet duration assumed until two consecutive packets show the real one.
    pub frame: Duration,
    /// A packet whose playout time is this far from expected restarts the timing.
    pub resync: Duration,
}

impl Default for JitterConfig {
    fn default() -> Self {
        JitterConfig {
            clock_rate: 8000,
            target_delay: Duration::from_millis(60),
            adaptive: false,
            max_delay: Duration::from_millis(200),
            max_packets: 50,
            frame: Duration::from_millis(20),
            resync: Duration::from_secs(1),
        }
    }
}

/// A received packet, owned (the frame path decodes it later).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub seq: u16,
    pub timestamp: u32,
    pub marker: bool,
    pub payload_type: u8,
    pub payload: Vec<u8>,
}

/// What `pop` hands out, in sequence order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Playout {
    Frame(Frame),
    /// This packet never came (or came too late): conceal it.
    Missing {
        seq: u16,
        timestamp: u32,
    },
}

/// What happened to a pushed packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushOutcome {
    Buffered,
    /// Its slot was already played or reported missing.
    Late,
    Duplicate,
    /// The buffer started again on this packet (first packet, large jump or resync).
    Restarted,
}

/// Counters for `sip show channelstats`-style output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JitterStats {
    pub pushed: u64,
    pub played: u64,
    pub missing: u64,
    pub late: u64,
    pub duplicates: u64,
    pub overflow: u64,
    pub restarts: u64,
}

#[derive(Debug)]
pub struct JitterBuffer {
    cfg: JitterConfig,
    delay: Duration,
    /// (arrival, timestamp) of the packet the timing is anchored on.
    anchor: Option<(Instant, u32)>,
    /// Sequence number of `slots[0]`.
    next_seq: u16,
    /// Timestamp of the last packet played (or reported missing).
    last_ts: Option<u32>,
    frame_samples: u32,
    slots: VecDeque<Option<Frame>>,
    stats: JitterStats,
}

impl JitterBuffer {
    pub fn new(cfg: JitterConfig) -> Self {
        let cfg = JitterConfig {
            clock_rate: cfg.clock_rate.max(1),
            max_packets: cfg.max_packets.clamp(2, 4096),
            ..cfg
        };
        let frame_samples = Self::to_samples(cfg.frame, cfg.clock_rate).max(1);
        JitterBuffer {
            delay: cfg.target_delay,
            cfg,
            anchor: None,
            next_seq: 0,
            last_ts: None,
            frame_samples,
            slots: VecDeque::new(),
            stats: JitterStats::default(),
        }
    }

    fn to_samples(d: Duration, rate: u32) -> u32 {
        u32::try_from(d.as_nanos() * u128::from(rate) / 1_000_000_000).unwrap_or(u32::MAX)
    }

    /// When a packet with `timestamp` is due (None before the first packet).
    fn due(&self, timestamp: u32) -> Option<Instant> {
        let (at, ts0) = self.anchor?;
        let delta = timestamp.wrapping_sub(ts0) as i32;
        let offset = Duration::from_nanos(
            u64::from(delta.unsigned_abs()) * 1_000_000_000 / u64::from(self.cfg.clock_rate),
        );
        let base = at + self.delay;
        if delta >= 0 {
            Some(base + offset)
        } else {
            Some(base.checked_sub(offset).unwrap_or(at))
        }
    }

    fn restart(&mut self, now: Instant, seq: u16, timestamp: u32) {
        if self.anchor.is_some() {
            self.stats.restarts += 1;
        }
        self.anchor = Some((now, timestamp));
        self.slots.clear();
        self.next_seq = seq;
        self.last_ts = None;
    }

    /// Adds a received packet at `now`.
    pub fn push(
        &mut self,
        now: Instant,
        seq: u16,
        timestamp: u32,
        marker: bool,
        payload_type: u8,
        payload: &[u8],
    ) -> PushOutcome {
        self.stats.pushed += 1;
        let mut outcome = PushOutcome::Buffered;
        let d = seq_diff(seq, self.next_seq);
        let far_in_time = self.due(timestamp).is_some_and(|due| {
            let expected = now + self.delay;
            let off = if due > expected {
                due - expected
            } else {
                expected - due
            };
            off > self.cfg.resync
        });
        if self.anchor.is_none() || !(-1000..=1000).contains(&d) || far_in_time {
            self.restart(now, seq, timestamp);
            outcome = PushOutcome::Restarted;
        } else if d < 0 {
            self.stats.late += 1;
            if self.cfg.adaptive {
                self.delay = (self.delay + self.cfg.frame).min(self.cfg.max_delay);
            }
            return PushOutcome::Late;
        }
        let mut idx = seq_diff(seq, self.next_seq).max(0) as usize;
        while idx >= self.cfg.max_packets {
            // Give up the oldest slot to stay bounded.
            if let Some(Some(_)) = self.slots.pop_front() {
                self.stats.overflow += 1;
            }
            self.next_seq = self.next_seq.wrapping_add(1);
            idx -= 1;
        }
        if self.slots.len() <= idx {
            self.slots.resize(idx + 1, None);
        }
        if self.slots[idx].is_some() {
            self.stats.duplicates += 1;
            return PushOutcome::Duplicate;
        }
        self.slots[idx] = Some(Frame {
            seq,
            timestamp,
            marker,
            payload_type,
            payload: payload.to_vec(),
        });
        outcome
    }

    /// The next frame or gap whose time has come at `now`, in sequence order; `None` when
    /// nothing is due yet (or nothing is buffered: the caller plays silence).
    pub fn pop(&mut self, now: Instant) -> Option<Playout> {
        let front = self.slots.front()?;
        let ts = match front {
            Some(f) => f.timestamp,
            None => self.last_ts.map_or_else(
                || self.first_buffered_ts_minus_gap(),
                |t| t.wrapping_add(self.frame_samples),
            ),
        };
        if now < self.due(ts)? {
            return None;
        }
        let seq = self.next_seq;
        let slot = self.slots.pop_front().flatten();
        self.next_seq = seq.wrapping_add(1);
        if let Some(last) = self.last_ts {
            let step = ts.wrapping_sub(last);
            if slot.is_some() && step > 0 && step < self.cfg.clock_rate {
                self.frame_samples = step;
            }
        }
        self.last_ts = Some(ts);
        match slot {
            Some(frame) => {
                self.stats.played += 1;
                Some(Playout::Frame(frame))
            }
            None => {
                self.stats.missing += 1;
                Some(Playout::Missing { seq, timestamp: ts })
            }
        }
    }

    /// Timestamp for a gap at the very front before anything was played: count back from
    /// the first packet that is buffered.
    fn first_buffered_ts_minus_gap(&self) -> u32 {
        for (i, s) in self.slots.iter().enumerate() {
            if let Some(f) = s {
                return f
                    .timestamp
                    .wrapping_sub(self.frame_samples.wrapping_mul(i as u32));
            }
        }
        0
    }

    /// When the front of the buffer falls due (for the caller's timer).
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.slots.front()? {
            Some(f) => self.due(f.timestamp),
            None => self.due(self.last_ts.map_or_else(
                || self.first_buffered_ts_minus_gap(),
                |t| t.wrapping_add(self.frame_samples),
            )),
        }
    }

    /// Packets held now.
    pub fn len(&self) -> usize {
        self.slots.iter().filter(|s| s.is_some()).count()
    }
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
    pub fn delay(&self) -> Duration {
        self.delay
    }
    pub fn stats(&self) -> JitterStats {
        self.stats
    }
}
