//! SRTP packets (RFC 3711 sec. 3.1): the payload after the RTP header (CSRCs and extension
//! included in the header) is encrypted; the tag covers the header, the encrypted payload and
//! the rollover counter.

use super::{tags_equal, Context, SrtpError};

/// The RTP header length (fixed part, CSRCs, extension) of `packet`.
fn header_len(packet: &[u8]) -> Result<usize, SrtpError> {
    let first = *packet.first().ok_or(SrtpError::TooShort)?;
    if packet.len() < 12 {
        return Err(SrtpError::TooShort);
    }
    let mut len = 12 + 4 * usize::from(first & 0x0f);
    if first & 0x10 != 0 {
        let ext = packet.get(len + 2..len + 4).ok_or(SrtpError::TooShort)?;
        len += 4 + 4 * usize::from(u16::from_be_bytes([ext[0], ext[1]]));
    }
    if len > packet.len() {
        return Err(SrtpError::TooShort);
    }
    Ok(len)
}

fn ssrc_seq(packet: &[u8]) -> Result<(u32, u16), SrtpError> {
    let ssrc = packet.get(8..12).ok_or(SrtpError::TooShort)?;
    let seq = packet.get(2..4).ok_or(SrtpError::TooShort)?;
    Ok((
        u32::from_be_bytes([ssrc[0], ssrc[1], ssrc[2], ssrc[3]]),
        u16::from_be_bytes([seq[0], seq[1]]),
    ))
}

impl Context {
    /// Protect the RTP packet in `buf[..len]` in place; `buf` must have room for the tag
    /// after it. The protected length.
    pub fn protect_rtp(&mut self, buf: &mut [u8], len: usize) -> Result<usize, SrtpError> {
        let tag_len = self.suite.rtp_tag_len();
        if buf.len() < len + tag_len {
            return Err(SrtpError::NoRoom);
        }
        let packet = buf.get(..len).ok_or(SrtpError::TooShort)?;
        let hl = header_len(packet)?;
        let (ssrc, seq) = ssrc_seq(packet)?;
        let stream = self.stream(ssrc)?;
        let index = stream.rtp.estimate(seq);
        stream.rtp.accept(index);
        let roc = ((index >> 16) as u32).to_be_bytes();
        let (packet, tail) = buf.split_at_mut(len);
        if let Some(payload) = packet.get_mut(hl..) {
            self.rtp.crypt(ssrc, index, payload);
        }
        let tag = self.rtp.tag(&[packet, &roc]);
        if let (Some(out), Some(t)) = (tail.get_mut(..tag_len), tag.get(..tag_len)) {
            out.copy_from_slice(t);
        }
        Ok(len + tag_len)
    }

    /// Verify and decrypt the SRTP packet `buf` in place: the length of the RTP packet left
    /// at its front. A packet with a wrong tag or seen before is refused and changes nothing.
    pub fn unprotect_rtp(&mut self, buf: &mut [u8]) -> Result<usize, SrtpError> {
        let tag_len = self.suite.rtp_tag_len();
        let Some(auth_len) = buf.len().checked_sub(tag_len).filter(|&n| n >= 12) else {
            self.refused += 1;
            return Err(SrtpError::TooShort);
        };
        let (packet, tag) = buf.split_at_mut(auth_len);
        let hl = header_len(packet)?;
        let (ssrc, seq) = ssrc_seq(packet)?;
        let stream = self.stream(ssrc)?;
        let index = stream.rtp.estimate(seq);
        if !stream.rtp.check(index) {
            self.refused += 1;
            return Err(SrtpError::Replayed);
        }
        let roc = ((index >> 16) as u32).to_be_bytes();
        let expected = self.rtp.tag(&[packet, &roc]);
        if !tags_equal(expected.get(..tag_len).unwrap_or_default(), tag) {
            self.refused += 1;
            return Err(SrtpError::AuthFailed);
        }
        if let Some(payload) = packet.get_mut(hl..) {
            self.rtp.crypt(ssrc, index, payload);
        }
        self.stream(ssrc)?.rtp.accept(index);
        Ok(auth_len)
    }
}
