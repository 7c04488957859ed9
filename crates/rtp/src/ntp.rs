//! NTP timestamps (RFC 3550 sec. 4) without reading a clock: the caller anchors an
//! [`NtpClock`] once (an `Instant` and the wall time at that instant) and every later `now`
//! is converted from it.

use std::time::{Duration, Instant};

/// Seconds from 1900-01-01 (NTP era 0) to 1970-01-01 (Unix epoch).
pub const NTP_UNIX_OFFSET: u64 = 2_208_988_800;

/// A 64-bit NTP timestamp: seconds in the high 32 bits, fraction in the low 32.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct NtpTime(pub u64);

impl NtpTime {
    /// From time since the Unix epoch (what `SystemTime::duration_since(UNIX_EPOCH)` gives the driver).
    pub fn from_unix(since_epoch: Duration) -> Self {
        NtpTime(0)
            .plus(Duration::from_secs(NTP_UNIX_OFFSET))
            .plus(since_epoch)
    }
    /// The middle 32 bits (16.16 fixed point): what LSR carries.
    pub fn middle32(self) -> u32 {
        (self.0 >> 16) as u32
    }
    pub fn seconds(self) -> u32 {
        (self.0 >> 32) as u32
    }
    pub fn fraction(self) -> u32 {
        self.0 as u32
    }
    /// This time plus `d` (wrapping at the NTP era boundary, as the wire format does).
    pub fn plus(self, d: Duration) -> Self {
        let secs = d.as_secs() << 32;
        let frac = (u64::from(d.subsec_nanos()) << 32) / 1_000_000_000;
        NtpTime(self.0.wrapping_add(secs).wrapping_add(frac))
    }
}

/// Converts a 16.16 fixed-point count of seconds (DLSR, RTT) to a `Duration`.
pub fn compact_to_duration(v: u32) -> Duration {
    Duration::from_nanos((u64::from(v) * 1_000_000_000) >> 16)
}

/// Converts a `Duration` to 16.16 fixed-point seconds, saturating at about 18 hours.
pub fn duration_to_compact(d: Duration) -> u32 {
    let v = (d.as_nanos() << 16) / 1_000_000_000;
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// Wall-clock time for any `Instant`, from one anchor the driver gives at start.
#[derive(Debug, Clone, Copy)]
pub struct NtpClock {
    base: Instant,
    base_ntp: NtpTime,
}

impl NtpClock {
    pub fn new(base: Instant, base_ntp: NtpTime) -> Self {
        NtpClock { base, base_ntp }
    }
    /// The NTP time at `now` (instants before the anchor map to the anchor).
    pub fn at(&self, now: Instant) -> NtpTime {
        self.base_ntp.plus(now.saturating_duration_since(self.base))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_epoch_is_ntp_second_2208988800() {
        assert_eq!(NtpTime::from_unix(Duration::ZERO).seconds(), 2_208_988_800);
        assert_eq!(
            NtpTime::from_unix(Duration::from_millis(500)).fraction(),
            1 << 31
        );
    }

    #[test]
    fn compact_seconds_convert_both_ways() {
        assert_eq!(
            duration_to_compact(Duration::from_millis(1500)),
            0x0001_8000
        );
        assert_eq!(
            compact_to_duration(0x0001_8000),
            Duration::from_millis(1500)
        );
    }
}
