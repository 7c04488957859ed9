//! The RTP fixed header (RFC 3550 sec. 5.1): a zero-copy view on received bytes, in-place
//! rewriting for the relay path, and a writer.
//!
//! A PCMU packet from a desk phone (12-byte header, 160 bytes of payload follow):
//!
//! ```text
//! 80 00 1f 4a  00 02 e1 40  5d 1c 33 a7
//! |  |  seq    timestamp    SSRC
//! |  `- M=0, PT=0 (PCMU)
//! `- V=2, P=0, X=0, CC=0
//! ```

use crate::error::{Error, Result};

/// The only RTP version there is.
pub const RTP_VERSION: u8 = 2;
/// Length of the fixed header (no CSRC, no extension).
pub const FIXED_HEADER_LEN: usize = 12;
/// At most 15 contributing sources (4-bit CC field).
pub const MAX_CSRC: usize = 15;

/// A header extension (RFC 3550 sec. 5.3.1): 16 profile-defined bits and the data words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extension<'a> {
    pub profile: u16,
    /// A multiple of 4 bytes long when read from the wire; written as given (must be too).
    pub data: &'a [u8],
}

/// A validated RTP packet, borrowed from the receive buffer. Parsing reads no more than the
/// header; nothing is copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpPacket<'a> {
    buf: &'a [u8],
    header_len: usize,
    payload_end: usize,
}

#[inline]
fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

#[inline]
fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl<'a> RtpPacket<'a> {
    /// Validates the header (version 2, CSRC list, extension and padding inside the packet)
    /// and returns a view. Never panics, whatever the bytes.
    pub fn parse(buf: &'a [u8]) -> Result<Self> {
        if buf.len() < FIXED_HEADER_LEN {
            return Err(Error::TooShort {
                need: FIXED_HEADER_LEN,
                have: buf.len(),
            });
        }
        let b0 = buf[0];
        let version = b0 >> 6;
        if version != RTP_VERSION {
            return Err(Error::BadVersion(version));
        }
        let cc = usize::from(b0 & 0x0f);
        let mut header_len = FIXED_HEADER_LEN + 4 * cc;
        if buf.len() < header_len {
            return Err(Error::TooShort {
                need: header_len,
                have: buf.len(),
            });
        }
        if b0 & 0x10 != 0 {
            if buf.len() < header_len + 4 {
                return Err(Error::TooShort {
                    need: header_len + 4,
                    have: buf.len(),
                });
            }
            let words = usize::from(be16(buf, header_len + 2));
            header_len += 4 + 4 * words;
            if buf.len() < header_len {
                return Err(Error::TooShort {
                    need: header_len,
                    have: buf.len(),
                });
            }
        }
        let mut payload_end = buf.len();
        if b0 & 0x20 != 0 {
            let pad = buf[buf.len() - 1];
            if pad == 0 || usize::from(pad) > buf.len() - header_len {
                return Err(Error::BadPadding(pad));
            }
            payload_end -= usize::from(pad);
        }
        Ok(RtpPacket {
            buf,
            header_len,
            payload_end,
        })
    }

    pub fn version(&self) -> u8 {
        self.buf[0] >> 6
    }
    pub fn has_padding(&self) -> bool {
        self.buf[0] & 0x20 != 0
    }
    pub fn has_extension(&self) -> bool {
        self.buf[0] & 0x10 != 0
    }
    pub fn csrc_count(&self) -> usize {
        usize::from(self.buf[0] & 0x0f)
    }
    pub fn marker(&self) -> bool {
        self.buf[1] & 0x80 != 0
    }
    pub fn payload_type(&self) -> u8 {
        self.buf[1] & 0x7f
    }
    pub fn sequence(&self) -> u16 {
        be16(self.buf, 2)
    }
    pub fn timestamp(&self) -> u32 {
        be32(self.buf, 4)
    }
    pub fn ssrc(&self) -> u32 {
        be32(self.buf, 8)
    }
    /// The contributing sources, in wire order.
    pub fn csrcs(&self) -> impl Iterator<Item = u32> + 'a {
        let buf = self.buf;
        (0..self.csrc_count()).map(move |i| be32(buf, FIXED_HEADER_LEN + 4 * i))
    }
    pub fn extension(&self) -> Option<Extension<'a>> {
        if !self.has_extension() {
            return None;
        }
        let at = FIXED_HEADER_LEN + 4 * self.csrc_count();
        Some(Extension {
            profile: be16(self.buf, at),
            data: &self.buf[at + 4..self.header_len],
        })
    }
    /// Number of padding bytes at the end (including the count byte itself).
    pub fn padding_len(&self) -> usize {
        self.buf.len() - self.payload_end
    }
    pub fn header_len(&self) -> usize {
        self.header_len
    }
    pub fn payload(&self) -> &'a [u8] {
        &self.buf[self.header_len..self.payload_end]
    }
    /// The whole packet as received.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.buf
    }

    /// The header fields as a writable value (CSRCs copied into a fixed array, no allocation).
    pub fn header(&self) -> RtpHeader<'a> {
        let mut csrc = [0u32; MAX_CSRC];
        for (slot, c) in csrc.iter_mut().zip(self.csrcs()) {
            *slot = c;
        }
        RtpHeader {
            marker: self.marker(),
            payload_type: self.payload_type(),
            sequence: self.sequence(),
            timestamp: self.timestamp(),
            ssrc: self.ssrc(),
            csrc_count: self.buf[0] & 0x0f,
            csrc,
            extension: self.extension(),
            padding: u8::try_from(self.padding_len()).unwrap_or(0),
        }
    }
}

/// Mutable access to the fixed header of a packet in place: what the relay path uses to
/// rewrite SSRC, sequence number, timestamp and marker without copying the packet.
#[derive(Debug)]
pub struct RtpHeaderMut<'a> {
    buf: &'a mut [u8],
}

impl<'a> RtpHeaderMut<'a> {
    /// Checks only what rewriting needs: 12 bytes and version 2. (The relay forwards whatever
    /// else the packet holds untouched; the far end validates the rest.)
    #[inline]
    pub fn new(buf: &'a mut [u8]) -> Result<Self> {
        if buf.len() < FIXED_HEADER_LEN {
            return Err(Error::TooShort {
                need: FIXED_HEADER_LEN,
                have: buf.len(),
            });
        }
        let version = buf[0] >> 6;
        if version != RTP_VERSION {
            return Err(Error::BadVersion(version));
        }
        Ok(RtpHeaderMut { buf })
    }
    #[inline]
    pub fn marker(&self) -> bool {
        self.buf[1] & 0x80 != 0
    }
    #[inline]
    pub fn payload_type(&self) -> u8 {
        self.buf[1] & 0x7f
    }
    #[inline]
    pub fn sequence(&self) -> u16 {
        be16(self.buf, 2)
    }
    #[inline]
    pub fn timestamp(&self) -> u32 {
        be32(self.buf, 4)
    }
    #[inline]
    pub fn ssrc(&self) -> u32 {
        be32(self.buf, 8)
    }
    #[inline]
    pub fn set_marker(&mut self, marker: bool) {
        self.buf[1] = (self.buf[1] & 0x7f) | if marker { 0x80 } else { 0 };
    }
    /// Sets the 7-bit payload type (the high bit of `pt` is ignored).
    #[inline]
    pub fn set_payload_type(&mut self, pt: u8) {
        self.buf[1] = (self.buf[1] & 0x80) | (pt & 0x7f);
    }
    #[inline]
    pub fn set_sequence(&mut self, seq: u16) {
        self.buf[2..4].copy_from_slice(&seq.to_be_bytes());
    }
    #[inline]
    pub fn set_timestamp(&mut self, ts: u32) {
        self.buf[4..8].copy_from_slice(&ts.to_be_bytes());
    }
    #[inline]
    pub fn set_ssrc(&mut self, ssrc: u32) {
        self.buf[8..12].copy_from_slice(&ssrc.to_be_bytes());
    }
}

/// Header fields for writing a packet. `Copy`, no allocation: CSRCs live in a fixed array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpHeader<'a> {
    pub marker: bool,
    pub payload_type: u8,
    pub sequence: u16,
    pub timestamp: u32,
    pub ssrc: u32,
    /// How many entries of `csrc` are used (0..=15).
    pub csrc_count: u8,
    pub csrc: [u32; MAX_CSRC],
    pub extension: Option<Extension<'a>>,
    /// Padding bytes to append (0 = none; else the last byte holds this count).
    pub padding: u8,
}

impl Default for RtpHeader<'_> {
    fn default() -> Self {
        RtpHeader {
            marker: false,
            payload_type: 0,
            sequence: 0,
            timestamp: 0,
            ssrc: 0,
            csrc_count: 0,
            csrc: [0; MAX_CSRC],
            extension: None,
            padding: 0,
        }
    }
}

impl<'a> RtpHeader<'a> {
    /// A plain header: no CSRC, extension or padding.
    pub fn new(payload_type: u8, sequence: u16, timestamp: u32, ssrc: u32) -> Self {
        RtpHeader {
            payload_type,
            sequence,
            timestamp,
            ssrc,
            ..Default::default()
        }
    }

    /// Bytes the header itself takes.
    pub fn header_len(&self) -> usize {
        FIXED_HEADER_LEN
            + 4 * usize::from(self.csrc_count.min(MAX_CSRC as u8))
            + self.extension.map_or(0, |e| 4 + e.data.len())
    }

    /// Bytes `write` needs for a payload of `payload_len` bytes.
    pub fn packet_len(&self, payload_len: usize) -> usize {
        self.header_len() + payload_len + usize::from(self.padding)
    }

    /// Writes header, payload and padding into `out`; returns the packet length.
    pub fn write(&self, payload: &[u8], out: &mut [u8]) -> Result<usize> {
        if usize::from(self.csrc_count) > MAX_CSRC {
            return Err(Error::TooMany("more than 15 CSRCs"));
        }
        if self.payload_type > 0x7f {
            return Err(Error::TooMany("payload type above 127"));
        }
        if let Some(ext) = self.extension {
            if ext.data.len() & 3 != 0 || ext.data.len() / 4 > usize::from(u16::MAX) {
                return Err(Error::TooMany(
                    "extension not a whole number of 32-bit words",
                ));
            }
        }
        let need = self.packet_len(payload.len());
        if out.len() < need {
            return Err(Error::BufferTooSmall {
                need,
                have: out.len(),
            });
        }
        out[0] = (RTP_VERSION << 6)
            | if self.padding > 0 { 0x20 } else { 0 }
            | if self.extension.is_some() { 0x10 } else { 0 }
            | self.csrc_count;
        out[1] = if self.marker { 0x80 } else { 0 } | self.payload_type;
        out[2..4].copy_from_slice(&self.sequence.to_be_bytes());
        out[4..8].copy_from_slice(&self.timestamp.to_be_bytes());
        out[8..12].copy_from_slice(&self.ssrc.to_be_bytes());
        let mut at = FIXED_HEADER_LEN;
        for c in &self.csrc[..usize::from(self.csrc_count)] {
            out[at..at + 4].copy_from_slice(&c.to_be_bytes());
            at += 4;
        }
        if let Some(ext) = self.extension {
            out[at..at + 2].copy_from_slice(&ext.profile.to_be_bytes());
            let words = (ext.data.len() / 4) as u16;
            out[at + 2..at + 4].copy_from_slice(&words.to_be_bytes());
            at += 4;
            out[at..at + ext.data.len()].copy_from_slice(ext.data);
            at += ext.data.len();
        }
        out[at..at + payload.len()].copy_from_slice(payload);
        at += payload.len();
        if self.padding > 0 {
            let pad = usize::from(self.padding);
            out[at..at + pad].fill(0);
            out[at + pad - 1] = self.padding;
            at += pad;
        }
        Ok(at)
    }

    /// Convenience for the frame path: a freshly allocated packet.
    pub fn to_vec(&self, payload: &[u8]) -> Result<Vec<u8>> {
        let mut v = vec![0u8; self.packet_len(payload.len())];
        let n = self.write(payload, &mut v)?;
        v.truncate(n);
        Ok(v)
    }
}

/// Signed distance from `b` to `a` in 16-bit sequence space (`a - b`, in -32768..=32767).
#[inline]
pub fn seq_diff(a: u16, b: u16) -> i16 {
    a.wrapping_sub(b) as i16
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real PCMU packet header (payload cut to 4 bytes).
    const PCMU: [u8; 16] = [
        0x80, 0x00, 0x1f, 0x4a, 0x00, 0x02, 0xe1, 0x40, 0x5d, 0x1c, 0x33, 0xa7, 0xff, 0xfe, 0x7f,
        0x7e,
    ];

    #[test]
    fn reads_the_fields_of_a_plain_pcmu_packet() {
        let p = RtpPacket::parse(&PCMU).unwrap();
        assert_eq!(p.version(), 2);
        assert!(!p.marker());
        assert_eq!(p.payload_type(), 0);
        assert_eq!(p.sequence(), 0x1f4a);
        assert_eq!(p.timestamp(), 0x0002_e140);
        assert_eq!(p.ssrc(), 0x5d1c_33a7);
        assert_eq!(p.payload(), &[0xff, 0xfe, 0x7f, 0x7e]);
        assert_eq!(p.csrcs().count(), 0);
        assert!(p.extension().is_none());
    }

    #[test]
    fn rewrites_ssrc_seq_timestamp_marker_in_place_and_keeps_the_payload() {
        let mut buf = PCMU;
        let mut h = RtpHeaderMut::new(&mut buf).unwrap();
        h.set_ssrc(0xdead_beef);
        h.set_sequence(7);
        h.set_timestamp(0x1234_5678);
        h.set_marker(true);
        h.set_payload_type(8);
        let p = RtpPacket::parse(&buf).unwrap();
        assert_eq!(
            (p.ssrc(), p.sequence(), p.timestamp()),
            (0xdead_beef, 7, 0x1234_5678)
        );
        assert!(p.marker());
        assert_eq!(p.payload_type(), 8);
        assert_eq!(p.payload(), &PCMU[12..]);
    }

    #[test]
    fn refuses_version_1_and_short_buffers() {
        let mut v1 = PCMU;
        v1[0] = 0x40;
        assert_eq!(RtpPacket::parse(&v1), Err(Error::BadVersion(1)));
        assert!(matches!(
            RtpPacket::parse(&PCMU[..11]),
            Err(Error::TooShort { .. })
        ));
        assert!(RtpHeaderMut::new(&mut v1).is_err());
    }

    #[test]
    fn refuses_zero_padding_and_padding_longer_than_the_payload() {
        let mut p = PCMU;
        p[0] |= 0x20;
        p[15] = 0;
        assert_eq!(RtpPacket::parse(&p), Err(Error::BadPadding(0)));
        p[15] = 5;
        assert_eq!(RtpPacket::parse(&p), Err(Error::BadPadding(5)));
        p[15] = 4;
        assert_eq!(RtpPacket::parse(&p).unwrap().payload(), &[] as &[u8]);
    }

    #[test]
    fn sequence_distance_wraps_at_65535() {
        assert_eq!(seq_diff(2, 65534), 4);
        assert_eq!(seq_diff(65534, 2), -4);
    }
}
