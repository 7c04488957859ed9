//! SRTCP packets (RFC 3711 sec. 3.4): everything after the first 8 bytes (header and sender
//! SSRC) is encrypted; then the E flag with the 31-bit SRTCP index; then an 80-bit tag over
//! all of that (80 bits for both SDES suites, RFC 4568 sec. 6.2).

use super::{tags_equal, Context, SrtpError};

const TAG: usize = 10;

fn ssrc(packet: &[u8]) -> Result<u32, SrtpError> {
    let b = packet.get(4..8).ok_or(SrtpError::TooShort)?;
    Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

impl Context {
    /// Protect the RTCP compound packet in `buf[..len]` in place (encrypted, E set); `buf`
    /// must have 14 bytes of room after it. The protected length.
    pub fn protect_rtcp(&mut self, buf: &mut [u8], len: usize) -> Result<usize, SrtpError> {
        if buf.len() < len + 4 + TAG {
            return Err(SrtpError::NoRoom);
        }
        let packet = buf
            .get(..len)
            .filter(|p| p.len() >= 8)
            .ok_or(SrtpError::TooShort)?;
        let ssrc = ssrc(packet)?;
        let stream = self.stream(ssrc)?;
        // Incremented before use, as libsrtp: the first SRTCP index sent is 1.
        stream.rtcp_out = (stream.rtcp_out + 1) & 0x7fff_ffff;
        let index = stream.rtcp_out;
        if let Some(body) = buf.get_mut(8..len) {
            self.rtcp.crypt(ssrc, u64::from(index), body);
        }
        if let Some(word) = buf.get_mut(len..len + 4) {
            word.copy_from_slice(&(0x8000_0000 | index).to_be_bytes());
        }
        let (authed, tail) = buf.split_at_mut(len + 4);
        let tag = self.rtcp.tag(&[authed]);
        if let (Some(out), Some(t)) = (tail.get_mut(..TAG), tag.get(..TAG)) {
            out.copy_from_slice(t);
        }
        Ok(len + 4 + TAG)
    }

    /// Verify and (when E is set) decrypt the SRTCP packet `buf` in place: the length of the
    /// RTCP packet left at its front.
    pub fn unprotect_rtcp(&mut self, buf: &mut [u8]) -> Result<usize, SrtpError> {
        let Some(authed_len) = buf.len().checked_sub(TAG).filter(|&n| n >= 8 + 4) else {
            self.refused += 1;
            return Err(SrtpError::TooShort);
        };
        let (authed, tag) = buf.split_at_mut(authed_len);
        let rtcp_len = authed_len - 4;
        let word = authed.get(rtcp_len..).ok_or(SrtpError::TooShort)?;
        let word = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        let (encrypted, index) = (word & 0x8000_0000 != 0, word & 0x7fff_ffff);
        let ssrc = ssrc(authed)?;
        if !self.stream(ssrc)?.rtcp_in.check(u64::from(index)) {
            self.refused += 1;
            return Err(SrtpError::Replayed);
        }
        let expected = self.rtcp.tag(&[authed]);
        if !tags_equal(expected.get(..TAG).unwrap_or_default(), tag) {
            self.refused += 1;
            return Err(SrtpError::AuthFailed);
        }
        if encrypted {
            if let Some(body) = authed.get_mut(8..rtcp_len) {
                self.rtcp.crypt(ssrc, u64::from(index), body);
            }
        }
        self.stream(ssrc)?.rtcp_in.accept(u64::from(index));
        Ok(rtcp_len)
    }
}
