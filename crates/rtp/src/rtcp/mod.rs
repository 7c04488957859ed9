//! RTCP (RFC 3550 sec. 6): one file per packet kind, each with parse, write and round-trip
//! tests, and compound packets made of them.
//!
//! Every RTCP packet starts with the same 4 bytes:
//!
//! ```text
//!  0                   1                   2                   3
//! |V=2|P|  count  |      PT       |     length (32-bit words - 1)   |
//! ```

mod bye;
mod report_block;
mod rr;
mod sdes;
mod sr;

pub use bye::Bye;
pub use report_block::{clamp_lost, ReportBlock};
pub use rr::ReceiverReport;
pub use sdes::{Sdes, SdesChunk, SdesItem, SDES_CNAME};
pub use sr::SenderReport;

use crate::error::{Error, Result};

pub const PT_SR: u8 = 200;
pub const PT_RR: u8 = 201;
pub const PT_SDES: u8 = 202;
pub const PT_BYE: u8 = 203;
pub const PT_APP: u8 = 204;

/// Bound on packets read from one compound datagram (a 1500-byte datagram holds at most 187).
pub const MAX_PACKETS_PER_COMPOUND: usize = 256;

/// One packet of a compound RTCP datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RtcpPacket {
    SenderReport(SenderReport),
    ReceiverReport(ReceiverReport),
    Sdes(Sdes),
    Bye(Bye),
    /// Any other type (APP, XR, RTPFB/PSFB feedback...): kept as bytes so it can be relayed.
    Other {
        packet_type: u8,
        count: u8,
        body: Vec<u8>,
    },
}

/// Reads the common header at the start of `buf`. Returns the count field, the packet type,
/// the body (after the 4-byte header, padding removed) and the packet's total length.
pub(crate) fn read_common(buf: &[u8]) -> Result<(u8, u8, &[u8], usize)> {
    if buf.len() < 4 {
        return Err(Error::TooShort {
            need: 4,
            have: buf.len(),
        });
    }
    let version = buf[0] >> 6;
    if version != 2 {
        return Err(Error::BadVersion(version));
    }
    let count = buf[0] & 0x1f;
    let pt = buf[1];
    let total = (usize::from(u16::from_be_bytes([buf[2], buf[3]])) + 1) * 4;
    if buf.len() < total {
        return Err(Error::BadLength);
    }
    let mut body = &buf[4..total];
    if buf[0] & 0x20 != 0 {
        let pad = usize::from(buf[total - 1]);
        if pad == 0 || pad > body.len() {
            return Err(Error::BadPadding(buf[total - 1]));
        }
        body = &body[..body.len() - pad];
    }
    Ok((count, pt, body, total))
}

/// Appends a common header for a body of `body_len` bytes (a multiple of 4).
pub(crate) fn write_common(out: &mut Vec<u8>, count: u8, pt: u8, body_len: usize) -> Result<()> {
    if count > 31 {
        return Err(Error::TooMany("more than 31 items in one RTCP packet"));
    }
    let words =
        u16::try_from(body_len / 4).map_err(|_| Error::TooMany("RTCP packet over 256 KiB"))?;
    out.push(0x80 | count);
    out.push(pt);
    out.extend_from_slice(&words.to_be_bytes());
    Ok(())
}

#[inline]
pub(crate) fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl RtcpPacket {
    /// Parses one packet at the start of `buf`; returns it and the bytes it took.
    pub fn parse_one(buf: &[u8]) -> Result<(RtcpPacket, usize)> {
        let (count, pt, body, total) = read_common(buf)?;
        let packet = match pt {
            PT_SR => RtcpPacket::SenderReport(SenderReport::parse(count, body)?),
            PT_RR => RtcpPacket::ReceiverReport(ReceiverReport::parse(count, body)?),
            PT_SDES => RtcpPacket::Sdes(Sdes::parse(count, body)?),
            PT_BYE => RtcpPacket::Bye(Bye::parse(count, body)?),
            _ => RtcpPacket::Other {
                packet_type: pt,
                count,
                body: body.to_vec(),
            },
        };
        Ok((packet, total))
    }

    /// Appends this packet in wire form.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<()> {
        match self {
            RtcpPacket::SenderReport(p) => p.write(out),
            RtcpPacket::ReceiverReport(p) => p.write(out),
            RtcpPacket::Sdes(p) => p.write(out),
            RtcpPacket::Bye(p) => p.write(out),
            RtcpPacket::Other {
                packet_type,
                count,
                body,
            } => {
                let mut padded = body.len();
                while padded & 3 != 0 {
                    padded += 1;
                }
                let start = out.len();
                write_common(out, *count, *packet_type, padded)?;
                out.extend_from_slice(body);
                let pad = padded - body.len();
                if pad > 0 {
                    // RFC 3550 6.4.1: padding sets P and its last octet counts the padding,
                    // so a reader gets `body` back rather than `body` plus zeros.
                    if let Some(first) = out.get_mut(start) {
                        *first |= 0x20;
                    }
                    out.resize(out.len() + pad - 1, 0);
                    out.push(pad as u8);
                }
                Ok(())
            }
        }
    }
}

/// Parses a compound datagram (RFC 3550 sec. 6.1). Every packet must be well formed; the
/// first need not be SR/RR (some phones send a lone BYE or APP), and at most
/// [`MAX_PACKETS_PER_COMPOUND`] are read.
pub fn parse_compound(buf: &[u8]) -> Result<Vec<RtcpPacket>> {
    let mut packets = Vec::new();
    let mut rest = buf;
    if rest.is_empty() {
        return Err(Error::TooShort { need: 4, have: 0 });
    }
    while !rest.is_empty() {
        if packets.len() >= MAX_PACKETS_PER_COMPOUND {
            return Err(Error::TooMany("RTCP packets in one compound"));
        }
        let (p, used) = RtcpPacket::parse_one(rest)?;
        packets.push(p);
        rest = &rest[used..];
    }
    Ok(packets)
}

/// Writes packets back to back as one compound datagram.
pub fn write_compound(packets: &[RtcpPacket]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(128);
    for p in packets {
        p.write(&mut out)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by fuzz/rtp_rtcp: an unknown packet with P set and a 3-byte body was written back
    /// with zero padding but no P bit, so it read back as a 4-byte body.
    #[test]
    fn fuzz_regression_padded_unknown_packet_round_trips() {
        let crash = [0xb1, 0x88, 0x00, 0x01, 0xb1, 0x41, 0x00, 0x01];
        let pkts = parse_compound(&crash).unwrap();
        assert_eq!(
            pkts,
            vec![RtcpPacket::Other {
                packet_type: 0x88,
                count: 17,
                body: vec![0xb1, 0x41, 0x00],
            }]
        );
        let wire = write_compound(&pkts).unwrap();
        assert_eq!(wire, crash.to_vec());
        assert_eq!(parse_compound(&wire).unwrap(), pkts);
    }

    #[test]
    fn unknown_packet_types_are_kept_as_bytes() {
        let app = [0x80 | 1, PT_APP, 0, 2, 0, 0, 0, 1, b'n', b'a', b'm', b'e'];
        let packets = parse_compound(&app).unwrap();
        assert_eq!(
            packets,
            vec![RtcpPacket::Other {
                packet_type: PT_APP,
                count: 1,
                body: app[4..].to_vec()
            }]
        );
        assert_eq!(write_compound(&packets).unwrap(), app);
    }

    #[test]
    fn a_length_field_past_the_end_is_refused() {
        let rr = [0x80, PT_RR, 0, 5, 0, 0, 0, 1];
        assert_eq!(parse_compound(&rr), Err(Error::BadLength));
    }

    #[test]
    fn trailing_padding_on_the_last_packet_is_removed() {
        // RR with no blocks, padded by 4 bytes (P bit, last byte = 4).
        let rr = [0xa0, PT_RR, 0, 2, 0, 0, 0, 9, 0, 0, 0, 4];
        let packets = parse_compound(&rr).unwrap();
        assert_eq!(
            packets,
            vec![RtcpPacket::ReceiverReport(ReceiverReport {
                ssrc: 9,
                reports: vec![]
            })]
        );
    }
}
