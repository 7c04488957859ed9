//! What we sent on one stream: packet and octet counts for the SR sender info, and the RTP
//! timestamp that matches an NTP time (sec. 6.4.1: "the same time as the NTP timestamp").

use crate::ntp::NtpClock;
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct SenderStats {
    clock_rate: u32,
    packets: u32,
    octets: u32,
    last: Option<(Instant, u32)>,
}

impl SenderStats {
    pub fn new(clock_rate: u32) -> Self {
        SenderStats {
            clock_rate: clock_rate.max(1),
            packets: 0,
            octets: 0,
            last: None,
        }
    }

    /// Counts one packet sent at `now` with RTP `timestamp` and `payload_len` payload bytes.
    pub fn on_sent(&mut self, now: Instant, timestamp: u32, payload_len: usize) {
        self.packets = self.packets.wrapping_add(1);
        self.octets = self.octets.wrapping_add(payload_len as u32);
        self.last = Some((now, timestamp));
    }

    pub fn packets(&self) -> u32 {
        self.packets
    }
    pub fn octets(&self) -> u32 {
        self.octets
    }
    /// When the last packet went out.
    pub fn last_sent(&self) -> Option<Instant> {
        self.last.map(|(t, _)| t)
    }

    /// The RTP timestamp at `now`, extrapolated from the last packet at the clock rate.
    pub fn rtp_timestamp_at(&self, now: Instant) -> u32 {
        match self.last {
            None => 0,
            Some((at, ts)) => {
                let elapsed = now.saturating_duration_since(at);
                let ticks = elapsed.as_nanos() * u128::from(self.clock_rate) / 1_000_000_000;
                ts.wrapping_add(ticks as u32)
            }
        }
    }

    /// The SR sender-info fields for `now`: (NTP, RTP timestamp, packets, octets).
    pub fn sender_info(
        &self,
        now: Instant,
        clock: &NtpClock,
    ) -> (crate::ntp::NtpTime, u32, u32, u32) {
        (
            clock.at(now),
            self.rtp_timestamp_at(now),
            self.packets,
            self.octets,
        )
    }
}

// Tests that need an `Instant` live in tests/stats.rs (no clock is read under src/).
