//! Goodbye, PT 203 (RFC 3550 sec. 6.6): the sources leaving and an optional reason.
//!
//! ```text
//! 81 cb 00 03  SSRC | 06 "hangup" 00  (reason length, text, padding to a word)
//! ```

use super::{be32, write_common, PT_BYE};
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bye {
    pub sources: Vec<u32>,
    pub reason: Option<Vec<u8>>,
}

impl Bye {
    pub fn parse(count: u8, body: &[u8]) -> Result<Self> {
        let n = usize::from(count);
        if body.len() < 4 * n {
            return Err(Error::BadLength);
        }
        let sources = (0..n).map(|i| be32(body, 4 * i)).collect();
        let rest = &body[4 * n..];
        let reason = match rest.first() {
            Some(&len) if len > 0 => {
                let text = rest.get(1..1 + usize::from(len)).ok_or(Error::BadLength)?;
                Some(text.to_vec())
            }
            _ => None,
        };
        Ok(Bye { sources, reason })
    }

    pub fn write(&self, out: &mut Vec<u8>) -> Result<()> {
        let count = u8::try_from(self.sources.len()).map_err(|_| Error::TooMany("BYE sources"))?;
        let mut body = Vec::with_capacity(4 * self.sources.len() + 8);
        for s in &self.sources {
            body.extend_from_slice(&s.to_be_bytes());
        }
        if let Some(reason) = &self.reason {
            let len = u8::try_from(reason.len())
                .map_err(|_| Error::TooMany("BYE reason over 255 bytes"))?;
            body.push(len);
            body.extend_from_slice(reason);
            while body.len() & 3 != 0 {
                body.push(0);
            }
        }
        write_common(out, count, PT_BYE, body.len())?;
        out.extend_from_slice(&body);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rtcp::{parse_compound, RtcpPacket};

    #[test]
    fn bye_with_reason_round_trips() {
        let bye = Bye {
            sources: vec![0x5d1c_33a7],
            reason: Some(b"hangup".to_vec()),
        };
        let mut out = Vec::new();
        bye.write(&mut out).unwrap();
        assert_eq!(&out[..4], &[0x81, 0xcb, 0x00, 0x03]);
        assert_eq!(&out[8..16], &[6, b'h', b'a', b'n', b'g', b'u', b'p', 0]);
        assert_eq!(parse_compound(&out).unwrap(), vec![RtcpPacket::Bye(bye)]);
    }

    #[test]
    fn bye_without_reason_and_with_two_sources_round_trips() {
        let bye = Bye {
            sources: vec![1, 2],
            reason: None,
        };
        let mut out = Vec::new();
        bye.write(&mut out).unwrap();
        assert_eq!(out.len(), 12);
        assert_eq!(parse_compound(&out).unwrap(), vec![RtcpPacket::Bye(bye)]);
    }

    #[test]
    fn a_reason_longer_than_the_packet_is_refused() {
        let bad = [0x81, 0xcb, 0, 2, 0, 0, 0, 1, 50, b'x', 0, 0];
        assert_eq!(parse_compound(&bad), Err(Error::BadLength));
    }
}
