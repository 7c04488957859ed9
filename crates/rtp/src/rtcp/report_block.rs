//! A reception report block (RFC 3550 sec. 6.4.1), 24 bytes, carried by SR and RR.
//!
//! ```text
//! SSRC_1 (source this block reports on)
//! fraction lost (8) | cumulative number of packets lost (24, signed)
//! extended highest sequence number received
//! interarrival jitter
//! last SR (LSR)
//! delay since last SR (DLSR)
//! ```

use super::be32;
use crate::error::{Error, Result};

pub const REPORT_BLOCK_LEN: usize = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReportBlock {
    pub ssrc: u32,
    /// Lost fraction since the previous report, in 1/256ths.
    pub fraction_lost: u8,
    /// Cumulative packets lost: 24-bit signed on the wire (duplicates can make it negative).
    pub cumulative_lost: i32,
    pub extended_highest_seq: u32,
    /// Interarrival jitter in timestamp units.
    pub jitter: u32,
    /// Middle 32 bits of the NTP time of the last SR received from this source (0 = none).
    pub last_sr: u32,
    /// Delay since that SR in 1/65536 s.
    pub delay_since_last_sr: u32,
}

/// Clamps a loss count to the 24-bit signed wire range.
pub fn clamp_lost(lost: i64) -> i32 {
    lost.clamp(-0x80_0000, 0x7f_ffff) as i32
}

impl ReportBlock {
    pub fn parse(b: &[u8]) -> Result<Self> {
        if b.len() < REPORT_BLOCK_LEN {
            return Err(Error::TooShort {
                need: REPORT_BLOCK_LEN,
                have: b.len(),
            });
        }
        let word = be32(b, 4);
        // Sign-extend the 24-bit count.
        let lost = ((word << 8) as i32) >> 8;
        Ok(ReportBlock {
            ssrc: be32(b, 0),
            fraction_lost: (word >> 24) as u8,
            cumulative_lost: lost,
            extended_highest_seq: be32(b, 8),
            jitter: be32(b, 12),
            last_sr: be32(b, 16),
            delay_since_last_sr: be32(b, 20),
        })
    }

    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.ssrc.to_be_bytes());
        let lost = (clamp_lost(i64::from(self.cumulative_lost)) as u32) & 0x00ff_ffff;
        out.extend_from_slice(&((u32::from(self.fraction_lost) << 24) | lost).to_be_bytes());
        out.extend_from_slice(&self.extended_highest_seq.to_be_bytes());
        out.extend_from_slice(&self.jitter.to_be_bytes());
        out.extend_from_slice(&self.last_sr.to_be_bytes());
        out.extend_from_slice(&self.delay_since_last_sr.to_be_bytes());
    }
}

/// Reads `count` blocks from `b`.
pub(crate) fn parse_blocks(count: u8, b: &[u8]) -> Result<Vec<ReportBlock>> {
    let n = usize::from(count);
    if b.len() < n * REPORT_BLOCK_LEN {
        return Err(Error::BadLength);
    }
    b.chunks_exact(REPORT_BLOCK_LEN)
        .take(n)
        .map(ReportBlock::parse)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_cumulative_loss_round_trips_through_24_bits() {
        let block = ReportBlock {
            ssrc: 0x1234_5678,
            fraction_lost: 25,
            cumulative_lost: -3,
            extended_highest_seq: 0x0001_0005,
            jitter: 42,
            last_sr: 0xabcd_ef01,
            delay_since_last_sr: 0x0001_8000,
        };
        let mut out = Vec::new();
        block.write(&mut out);
        assert_eq!(out.len(), REPORT_BLOCK_LEN);
        assert_eq!(&out[4..8], &[25, 0xff, 0xff, 0xfd]);
        assert_eq!(ReportBlock::parse(&out).unwrap(), block);
    }

    #[test]
    fn loss_beyond_24_bits_is_clamped() {
        assert_eq!(clamp_lost(1 << 30), 0x7f_ffff);
        assert_eq!(clamp_lost(-(1 << 30)), -0x80_0000);
    }
}
