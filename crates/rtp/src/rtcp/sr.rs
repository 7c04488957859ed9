//! Sender report, PT 200 (RFC 3550 sec. 6.4.1).
//!
//! ```text
//! 81 c8 00 0c  SSRC of sender
//! NTP timestamp, most significant word | least significant word
//! RTP timestamp | sender's packet count | sender's octet count
//! report blocks (RC of them, 24 bytes each)
//! ```
//! (`81 c8 00 0c`: V=2, RC=1, PT=200, 13 words follow = 52 bytes.)

use super::report_block::{parse_blocks, ReportBlock, REPORT_BLOCK_LEN};
use super::{be32, write_common, PT_SR};
use crate::error::{Error, Result};
use crate::ntp::NtpTime;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SenderReport {
    pub ssrc: u32,
    pub ntp: NtpTime,
    pub rtp_timestamp: u32,
    pub packet_count: u32,
    pub octet_count: u32,
    pub reports: Vec<ReportBlock>,
}

impl SenderReport {
    /// `body` is everything after the common header, padding removed.
    pub fn parse(count: u8, body: &[u8]) -> Result<Self> {
        if body.len() < 24 {
            return Err(Error::TooShort {
                need: 28,
                have: body.len() + 4,
            });
        }
        let ntp = (u64::from(be32(body, 4)) << 32) | u64::from(be32(body, 8));
        Ok(SenderReport {
            ssrc: be32(body, 0),
            ntp: NtpTime(ntp),
            rtp_timestamp: be32(body, 12),
            packet_count: be32(body, 16),
            octet_count: be32(body, 20),
            reports: parse_blocks(count, &body[24..])?,
        })
    }

    pub fn write(&self, out: &mut Vec<u8>) -> Result<()> {
        let count =
            u8::try_from(self.reports.len()).map_err(|_| Error::TooMany("report blocks"))?;
        write_common(
            out,
            count,
            PT_SR,
            24 + REPORT_BLOCK_LEN * self.reports.len(),
        )?;
        out.extend_from_slice(&self.ssrc.to_be_bytes());
        out.extend_from_slice(&self.ntp.seconds().to_be_bytes());
        out.extend_from_slice(&self.ntp.fraction().to_be_bytes());
        out.extend_from_slice(&self.rtp_timestamp.to_be_bytes());
        out.extend_from_slice(&self.packet_count.to_be_bytes());
        out.extend_from_slice(&self.octet_count.to_be_bytes());
        for r in &self.reports {
            r.write(out);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rtcp::{parse_compound, RtcpPacket};

    fn sample() -> SenderReport {
        SenderReport {
            ssrc: 0x5d1c_33a7,
            ntp: NtpTime(0xe8f1_2345_8000_0000),
            rtp_timestamp: 160_000,
            packet_count: 1000,
            octet_count: 160_000,
            reports: vec![ReportBlock {
                ssrc: 7,
                fraction_lost: 3,
                cumulative_lost: 12,
                ..Default::default()
            }],
        }
    }

    #[test]
    fn sender_report_round_trips_with_one_block() {
        let mut out = Vec::new();
        sample().write(&mut out).unwrap();
        assert_eq!(&out[..4], &[0x81, 0xc8, 0x00, 0x0c]);
        assert_eq!(out.len(), 52);
        assert_eq!(
            parse_compound(&out).unwrap(),
            vec![RtcpPacket::SenderReport(sample())]
        );
    }

    #[test]
    fn a_sender_report_claiming_more_blocks_than_it_holds_is_refused() {
        let mut out = Vec::new();
        sample().write(&mut out).unwrap();
        out[0] = 0x82; // RC=2, only one block present
        assert_eq!(parse_compound(&out), Err(Error::BadLength));
    }

    #[test]
    fn a_truncated_sender_info_is_refused() {
        let short = [0x80, 0xc8, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2];
        assert!(parse_compound(&short).is_err());
    }
}
