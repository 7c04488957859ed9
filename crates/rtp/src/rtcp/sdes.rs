//! Source description, PT 202 (RFC 3550 sec. 6.5). tandem sends only CNAME; it reads every
//! item type and keeps the bytes.
//!
//! ```text
//! 81 ca 00 06  SSRC | 01 11 "tandem@192.0.2.10" (CNAME, 17 bytes) | 00 00 00 (end + pad)
//! ```
//! Each chunk is an SSRC, items `type, length, value`, then one to four zero bytes ending the
//! list on a 32-bit boundary.

use super::{be32, write_common, PT_SDES};
use crate::error::{Error, Result};

pub const SDES_END: u8 = 0;
pub const SDES_CNAME: u8 = 1;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdesItem {
    pub kind: u8,
    pub value: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SdesChunk {
    pub ssrc: u32,
    pub items: Vec<SdesItem>,
}

impl SdesChunk {
    /// A chunk with only a CNAME (what every compound report carries).
    pub fn cname(ssrc: u32, cname: &str) -> Self {
        SdesChunk {
            ssrc,
            items: vec![SdesItem {
                kind: SDES_CNAME,
                value: cname.as_bytes().to_vec(),
            }],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sdes {
    pub chunks: Vec<SdesChunk>,
}

impl Sdes {
    /// The CNAME given for `ssrc`, if any and if it is UTF-8.
    pub fn cname_of(&self, ssrc: u32) -> Option<&str> {
        self.chunks
            .iter()
            .filter(|c| c.ssrc == ssrc)
            .flat_map(|c| c.items.iter())
            .find(|i| i.kind == SDES_CNAME)
            .and_then(|i| std::str::from_utf8(&i.value).ok())
    }

    pub fn parse(count: u8, body: &[u8]) -> Result<Self> {
        let mut chunks = Vec::with_capacity(usize::from(count));
        let mut at = 0usize;
        for _ in 0..count {
            let start = at;
            if body.len() < at + 4 {
                return Err(Error::BadLength);
            }
            let ssrc = be32(body, at);
            at += 4;
            let mut items = Vec::new();
            loop {
                let kind = *body.get(at).ok_or(Error::BadLength)?;
                if kind == SDES_END {
                    at += 1;
                    break;
                }
                let len = usize::from(*body.get(at + 1).ok_or(Error::BadLength)?);
                let value = body.get(at + 2..at + 2 + len).ok_or(Error::BadLength)?;
                items.push(SdesItem {
                    kind,
                    value: value.to_vec(),
                });
                at += 2 + len;
            }
            // Skip the remaining null octets up to the chunk's 32-bit boundary.
            while (at - start) & 3 != 0 {
                at += 1;
            }
            if at > body.len() {
                return Err(Error::BadLength);
            }
            chunks.push(SdesChunk { ssrc, items });
        }
        Ok(Sdes { chunks })
    }

    pub fn write(&self, out: &mut Vec<u8>) -> Result<()> {
        let count = u8::try_from(self.chunks.len()).map_err(|_| Error::TooMany("SDES chunks"))?;
        let mut body = Vec::with_capacity(32);
        for c in &self.chunks {
            let start = body.len();
            body.extend_from_slice(&c.ssrc.to_be_bytes());
            for item in &c.items {
                if item.kind == SDES_END {
                    return Err(Error::TooMany("SDES item of type 0"));
                }
                let len = u8::try_from(item.value.len())
                    .map_err(|_| Error::TooMany("SDES item over 255 bytes"))?;
                body.push(item.kind);
                body.push(len);
                body.extend_from_slice(&item.value);
            }
            body.push(SDES_END);
            while (body.len() - start) & 3 != 0 {
                body.push(0);
            }
        }
        write_common(out, count, PT_SDES, body.len())?;
        out.extend_from_slice(&body);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rtcp::{parse_compound, RtcpPacket};

    #[test]
    fn cname_chunk_round_trips_and_is_padded_to_a_word() {
        let sdes = Sdes {
            chunks: vec![SdesChunk::cname(0x5d1c_33a7, "tandem@192.0.2.10")],
        };
        let mut out = Vec::new();
        sdes.write(&mut out).unwrap();
        // 4 header + 4 SSRC + 2 + 17 item + 1 end = 28 bytes: already aligned.
        assert_eq!(out.len(), 28);
        assert_eq!(&out[..4], &[0x81, 0xca, 0x00, 0x06]);
        let parsed = parse_compound(&out).unwrap();
        assert_eq!(parsed, vec![RtcpPacket::Sdes(sdes.clone())]);
        assert_eq!(sdes.cname_of(0x5d1c_33a7), Some("tandem@192.0.2.10"));
    }

    #[test]
    fn several_items_and_chunks_round_trip() {
        let sdes = Sdes {
            chunks: vec![
                SdesChunk {
                    ssrc: 1,
                    items: vec![
                        SdesItem {
                            kind: SDES_CNAME,
                            value: b"a@h".to_vec(),
                        },
                        SdesItem {
                            kind: 6,
                            value: b"tandem".to_vec(),
                        },
                    ],
                },
                SdesChunk {
                    ssrc: 2,
                    items: vec![],
                },
            ],
        };
        let mut out = Vec::new();
        sdes.write(&mut out).unwrap();
        assert_eq!(out.len() % 4, 0);
        assert_eq!(parse_compound(&out).unwrap(), vec![RtcpPacket::Sdes(sdes)]);
    }

    #[test]
    fn an_item_running_past_the_packet_is_refused() {
        // one chunk, CNAME claims 200 bytes
        let bad = [0x81, 0xca, 0, 2, 0, 0, 0, 1, 1, 200, b'x', 0];
        assert_eq!(parse_compound(&bad), Err(Error::BadLength));
    }
}
