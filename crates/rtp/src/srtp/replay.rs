//! The packet index of a received SRTP packet (RFC 3711 sec. 3.3.1, appendix A) and the replay
//! window (sec. 3.3.2): 64 packets behind the highest index seen, as libsrtp's default.

/// Packets behind the highest index that are still accepted (once each).
pub const WINDOW: u64 = 64;

/// The highest authenticated index and which of the 64 before it were seen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReplayWindow {
    started: bool,
    highest: u64,
    /// Bit n set: index `highest - n` was seen.
    seen: u64,
}

impl ReplayWindow {
    /// The rollover counter so far.
    pub fn roc(&self) -> u32 {
        (self.highest >> 16) as u32
    }

    /// The 48-bit index of an RTP packet with sequence `seq`: the rollover counter is guessed
    /// from the highest sequence seen (the one closest to it, appendix A).
    pub fn estimate(&self, seq: u16) -> u64 {
        if !self.started {
            return u64::from(seq);
        }
        let roc = self.highest >> 16;
        let s_l = (self.highest & 0xffff) as u16;
        let v = if s_l < 0x8000 {
            if seq > s_l && seq - s_l > 0x8000 {
                roc.saturating_sub(1)
            } else {
                roc
            }
        } else if s_l - 0x8000 > seq {
            (roc + 1) & 0xffff_ffff
        } else {
            roc
        };
        (v << 16) | u64::from(seq)
    }

    /// Whether `index` may be accepted: new, or inside the window and not seen yet.
    pub fn check(&self, index: u64) -> bool {
        if !self.started || index > self.highest {
            return true;
        }
        let behind = self.highest - index;
        behind < WINDOW && self.seen & (1u64 << behind) == 0
    }

    /// Record `index` as seen (after its tag was verified).
    pub fn accept(&mut self, index: u64) {
        if !self.started {
            self.started = true;
            self.highest = index;
            self.seen = 1;
        } else if index > self.highest {
            let ahead = index - self.highest;
            self.seen = if ahead >= WINDOW {
                0
            } else {
                self.seen << ahead
            };
            self.seen |= 1;
            self.highest = index;
        } else {
            let behind = self.highest - index;
            if behind < WINDOW {
                self.seen |= 1u64 << behind;
            }
        }
    }
}
