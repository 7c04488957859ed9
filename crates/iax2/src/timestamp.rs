//! Call timestamps (RFC 5456 sec. 8.1.1 and chan_iax2 `calc_timestamp`, `unwrap_timestamp`).
//!
//! Outgoing: milliseconds since the call's first frame. IAX frames ("genuine") carry the clock
//! but never repeat or go back (`lastsent + 3`); control and DTMF frames within 160 ms of the
//! last stamp are pulled to `lastsent + 3` so they stay in sequence with the voice; voice
//! follows a predicted stream advanced by each frame's duration while it stays within 160 ms
//! of the clock. Incoming mini frames carry 16 bits, widened against the last full timestamp.

use std::time::Instant;

/// chan_iax2 `MAX_TIMESTAMP_SKEW`.
pub const MAX_TIMESTAMP_SKEW: i64 = 160;

/// What kind of frame is being stamped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StampKind {
    /// IAX frames: clock based, strictly increasing.
    Genuine,
    /// Control, DTMF, text: slaved to the voice stream.
    Slaved,
}

#[derive(Debug, Clone, Default)]
pub struct TxClock {
    start: Option<Instant>,
    last_sent: u32,
    next_pred: u32,
    not_silent: bool,
}

impl TxClock {
    pub fn new() -> TxClock {
        TxClock::default()
    }

    /// Milliseconds since the first stamped frame (that frame fixes the origin).
    pub fn elapsed(&mut self, now: Instant) -> u32 {
        let start = *self.start.get_or_insert(now);
        now.saturating_duration_since(start)
            .as_millis()
            .min(u128::from(u32::MAX)) as u32
    }

    pub fn last_sent(&self) -> u32 {
        self.last_sent
    }

    pub fn stamp(&mut self, now: Instant, kind: StampKind) -> u32 {
        let mut ms = self.elapsed(now);
        let adjust = i64::from(ms) - i64::from(self.last_sent);
        match kind {
            StampKind::Genuine => {
                if ms <= self.last_sent {
                    ms = self.last_sent.wrapping_add(3);
                }
            }
            StampKind::Slaved => {
                if adjust.abs() <= MAX_TIMESTAMP_SKEW {
                    ms = self.last_sent.wrapping_add(3);
                }
            }
        }
        self.last_sent = ms;
        ms
    }

    /// Stamps a voice frame of `duration_ms`.
    pub fn stamp_voice(&mut self, now: Instant, duration_ms: u32) -> u32 {
        let mut ms = self.elapsed(now);
        let adjust = i64::from(ms) - i64::from(self.next_pred);
        if self.not_silent && adjust.abs() <= MAX_TIMESTAMP_SKEW {
            if self.next_pred == 0 {
                self.next_pred = ms;
                if self.next_pred <= self.last_sent {
                    self.next_pred = self.last_sent.wrapping_add(3);
                }
            }
            ms = self.next_pred;
        } else {
            if duration_ms > 0 {
                let diff = ms % duration_ms;
                if diff != 0 {
                    ms = ms.wrapping_add(duration_ms - diff);
                }
            }
            self.next_pred = ms;
            self.not_silent = true;
        }
        self.last_sent = ms;
        self.next_pred = self.next_pred.wrapping_add(duration_ms);
        ms
    }

    /// Comfort noise marks the end of a talk spurt (`notsilenttx = 0`).
    pub fn silence(&mut self) {
        self.not_silent = false;
    }
}

/// The receive side: the last full timestamp seen, to widen 16-bit mini timestamps.
#[derive(Debug, Clone, Copy, Default)]
pub struct RxClock {
    last: u32,
}

impl RxClock {
    pub fn last(&self) -> u32 {
        self.last
    }

    /// Records a received timestamp (only ever moves forward).
    pub fn observe(&mut self, ts: u32) {
        if ts > self.last {
            self.last = ts;
        }
    }

    /// Widens a mini frame's 16 bits: the high bits of the last timestamp, then
    /// `unwrap_timestamp`: a jump of more than 50 s backwards means the low bits wrapped, one
    /// of more than 50 s forwards means a late frame from the previous window.
    pub fn widen(&self, low: u16) -> u32 {
        let upper = self.last & 0xffff_0000;
        let ts = upper | u32::from(low);
        let x = i64::from(ts) - i64::from(self.last);
        if x < -50_000 {
            upper.wrapping_add(0x1_0000) | u32::from(low)
        } else if x > 50_000 {
            upper.wrapping_sub(0x1_0000) | u32::from(low)
        } else {
            ts
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn genuine_frames_never_repeat_a_timestamp() {
        let t0 = Instant::now();
        let mut c = TxClock::new();
        assert_eq!(
            c.stamp(t0, StampKind::Genuine),
            3,
            "0 <= lastsent 0 gives 3"
        );
        assert_eq!(c.stamp(t0, StampKind::Genuine), 6);
        assert_eq!(
            c.stamp(t0 + Duration::from_millis(500), StampKind::Genuine),
            500
        );
    }

    #[test]
    fn slaved_frames_follow_the_last_stamp_within_160ms() {
        let t0 = Instant::now();
        let mut c = TxClock::new();
        c.stamp(t0, StampKind::Genuine);
        assert_eq!(
            c.stamp(t0 + Duration::from_millis(100), StampKind::Slaved),
            6
        );
        assert_eq!(
            c.stamp(t0 + Duration::from_millis(1000), StampKind::Slaved),
            1000
        );
    }

    #[test]
    fn voice_follows_the_predicted_stream() {
        let t0 = Instant::now();
        let mut c = TxClock::new();
        c.elapsed(t0);
        assert_eq!(
            c.stamp_voice(t0 + Duration::from_millis(5), 20),
            20,
            "rounded up to 20 ms"
        );
        assert_eq!(c.stamp_voice(t0 + Duration::from_millis(41), 20), 40);
        assert_eq!(c.stamp_voice(t0 + Duration::from_millis(58), 20), 60);
        // a gap of more than 160 ms resynchronises on the clock
        assert_eq!(c.stamp_voice(t0 + Duration::from_millis(1000), 20), 1000);
    }

    #[test]
    fn mini_timestamps_widen_across_the_16_bit_wrap_both_ways() {
        let mut r = RxClock::default();
        r.observe(0x0001_fff0);
        assert_eq!(r.widen(0xfff8), 0x0001_fff8);
        assert_eq!(r.widen(0x0010), 0x0002_0010, "wrapped forwards");
        r.observe(0x0002_0010);
        assert_eq!(
            r.widen(0xfff0),
            0x0001_fff0,
            "late frame from the previous window"
        );
        r.observe(5);
        assert_eq!(r.last(), 0x0002_0010, "the base never moves back");
    }
}
