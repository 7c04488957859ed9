//! Per-stream statistics: what we received (RFC 3550 A.1, A.3, A.8) and what we sent, and
//! the round-trip time from a report block's LSR/DLSR (sec. 6.4.1).

mod receiver;
mod sender;

pub use receiver::{ReceiverStats, SeqCheck};
pub use sender::SenderStats;

use crate::ntp::compact_to_duration;
use crate::rtcp::ReportBlock;
use std::time::Duration;

/// Round-trip time from a report block about our stream, received when the NTP clock's middle
/// 32 bits were `arrival`: `arrival - LSR - DLSR`. `None` when the peer has not seen an SR yet
/// (LSR 0) or the result would be negative (clock skew; Asterisk skips those too).
pub fn rtt_from_block(arrival: u32, block: &ReportBlock) -> Option<Duration> {
    if block.last_sr == 0 {
        return None;
    }
    let since_sr = arrival.wrapping_sub(block.last_sr);
    if since_sr < block.delay_since_last_sr || since_sr > 0x8000_0000 {
        return None;
    }
    Some(compact_to_duration(since_sr - block.delay_since_last_sr))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtt_is_arrival_minus_lsr_minus_dlsr() {
        // RFC 3550 fig. 2: A=0xb710:8000 (46864.5 s), LSR=0xb705:2000, DLSR=0x0005:4000 (5.25 s)
        let block = ReportBlock {
            last_sr: 0xb705_2000,
            delay_since_last_sr: 0x0005_4000,
            ..Default::default()
        };
        let rtt = rtt_from_block(0xb710_8000, &block).unwrap();
        assert_eq!(rtt, Duration::from_millis(6125)); // 0x0006:2000 = 6.125 s
    }

    #[test]
    fn no_rtt_without_an_sr_or_with_a_negative_result() {
        let none = ReportBlock::default();
        assert_eq!(rtt_from_block(100, &none), None);
        let skew = ReportBlock {
            last_sr: 1000,
            delay_since_last_sr: 500,
            ..Default::default()
        };
        assert_eq!(rtt_from_block(1200, &skew), None);
    }
}
