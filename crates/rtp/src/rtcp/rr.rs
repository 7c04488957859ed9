//! Receiver report, PT 201 (RFC 3550 sec. 6.4.2): the reporter's SSRC and its report blocks.
//!
//! ```text
//! 81 c9 00 07  SSRC of packet sender  | one 24-byte report block
//! ```

use super::report_block::{parse_blocks, ReportBlock, REPORT_BLOCK_LEN};
use super::{be32, write_common, PT_RR};
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReceiverReport {
    pub ssrc: u32,
    pub reports: Vec<ReportBlock>,
}

impl ReceiverReport {
    pub fn parse(count: u8, body: &[u8]) -> Result<Self> {
        if body.len() < 4 {
            return Err(Error::TooShort {
                need: 8,
                have: body.len() + 4,
            });
        }
        Ok(ReceiverReport {
            ssrc: be32(body, 0),
            reports: parse_blocks(count, &body[4..])?,
        })
    }

    pub fn write(&self, out: &mut Vec<u8>) -> Result<()> {
        let count =
            u8::try_from(self.reports.len()).map_err(|_| Error::TooMany("report blocks"))?;
        write_common(out, count, PT_RR, 4 + REPORT_BLOCK_LEN * self.reports.len())?;
        out.extend_from_slice(&self.ssrc.to_be_bytes());
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

    #[test]
    fn receiver_report_round_trips_with_two_blocks() {
        let rr = ReceiverReport {
            ssrc: 0xcafe,
            reports: vec![
                ReportBlock {
                    ssrc: 1,
                    fraction_lost: 255,
                    cumulative_lost: 8_388_607,
                    ..Default::default()
                },
                ReportBlock {
                    ssrc: 2,
                    jitter: 80,
                    last_sr: 5,
                    delay_since_last_sr: 6,
                    ..Default::default()
                },
            ],
        };
        let mut out = Vec::new();
        rr.write(&mut out).unwrap();
        assert_eq!(&out[..4], &[0x82, 0xc9, 0x00, 0x0d]);
        assert_eq!(
            parse_compound(&out).unwrap(),
            vec![RtcpPacket::ReceiverReport(rr)]
        );
    }

    #[test]
    fn an_empty_receiver_report_is_eight_bytes() {
        let mut out = Vec::new();
        ReceiverReport {
            ssrc: 3,
            reports: vec![],
        }
        .write(&mut out)
        .unwrap();
        assert_eq!(out, [0x80, 0xc9, 0, 1, 0, 0, 0, 3]);
    }

    #[test]
    fn more_than_31_blocks_cannot_be_written() {
        let rr = ReceiverReport {
            ssrc: 1,
            reports: vec![ReportBlock::default(); 32],
        };
        assert!(rr.write(&mut Vec::new()).is_err());
    }
}
