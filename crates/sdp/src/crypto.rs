//! `a=crypto` (RFC 4568, SDES): SRTP master keys carried in SDP, for the suites tandem speaks
//! (AES_CM_128_HMAC_SHA1_80 and _32, 30-byte inline key||salt).
//!
//! ```text
//! a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4
//! ```
//! Only the first key of a line is used; a lifetime or MKI after it is read and ignored on
//! receive (tandem never sends them). Session parameters (`UNENCRYPTED_SRTP`, ...) make the line
//! unusable: tandem does not weaken SRTP.

use std::fmt;

/// The two suites tandem accepts, by their SDP names, best first.
pub const SUITES: [&str; 2] = ["AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32"];

/// Master key (16) and salt (14) of the AES_CM_128 suites.
pub const KEY_SALT_LEN: usize = 30;

/// One `a=crypto` line.
#[derive(Clone, PartialEq, Eq)]
pub struct Crypto {
    pub tag: u32,
    pub suite: String,
    /// The decoded inline key: master key || master salt.
    pub key_salt: Vec<u8>,
    /// Session parameters after the key (kept; a line with any is not used by tandem).
    pub params: Vec<String>,
}

impl fmt::Debug for Crypto {
    /// Keys are never printed in logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Crypto")
            .field("tag", &self.tag)
            .field("suite", &self.suite)
            .field("key_salt", &"<redacted>")
            .finish()
    }
}

impl Crypto {
    /// The value of an `a=crypto` attribute; None when it is malformed.
    pub fn parse(value: &str) -> Option<Crypto> {
        let mut f = value.split_whitespace();
        let tag = f
            .next()?
            .parse::<u32>()
            .ok()
            .filter(|t| *t < 1_000_000_000)?;
        let suite = f.next()?.to_string();
        let key_params = f.next()?;
        // Several keys may be listed with ';': the first one is used.
        let first = key_params.split(';').next()?;
        let inline = first.strip_prefix("inline:")?;
        let b64 = inline.split('|').next()?;
        let key_salt = base64_decode(b64)?;
        let params = f.take(16).map(str::to_string).collect();
        Some(Crypto {
            tag,
            suite,
            key_salt,
            params,
        })
    }

    /// A line tandem can use: a known suite, a 30-byte key, no session parameters.
    pub fn usable(&self) -> bool {
        SUITES.contains(&self.suite.as_str())
            && self.key_salt.len() == KEY_SALT_LEN
            && self.params.is_empty()
    }

    /// The attribute value: `TAG SUITE inline:BASE64`.
    pub fn value(&self) -> String {
        let mut v = format!(
            "{} {} inline:{}",
            self.tag,
            self.suite,
            base64_encode(&self.key_salt)
        );
        for p in &self.params {
            v.push(' ');
            v.push_str(p);
        }
        v
    }
}

/// What SRTP the offer/answer agreed on: the suite, the key we send with and the key the far
/// end sends with.
#[derive(Clone, PartialEq, Eq)]
pub struct SrtpKeys {
    pub suite: String,
    pub local_key: Vec<u8>,
    pub remote_key: Vec<u8>,
}

impl fmt::Debug for SrtpKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SrtpKeys")
            .field("suite", &self.suite)
            .finish_non_exhaustive()
    }
}

/// Our side of SRTP for an offer or an answer.
#[derive(Clone, PartialEq, Eq)]
pub struct SrtpPolicy {
    /// Our 30-byte key (fresh random per leg, from the driver).
    pub key: Vec<u8>,
    /// `encryption=yes`: a stream without usable crypto is refused (answer: 488; offer:
    /// RTP/SAVP). Without it, crypto is used when offered (best effort).
    pub required: bool,
}

impl fmt::Debug for SrtpPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SrtpPolicy")
            .field("required", &self.required)
            .finish_non_exhaustive()
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                let idx = ((n >> (18 - 6 * i)) & 63) as usize;
                out.push(char::from(ALPHABET.get(idx).copied().unwrap_or(b'A')));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Standard base64, padding optional; None on any other character or a bad length.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    if text.len() > 1024 || text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4568_example_line_parses_with_lifetime_and_mki_ignored() {
        let c = Crypto::parse(
            "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4",
        )
        .unwrap();
        assert_eq!(c.tag, 1);
        assert_eq!(c.suite, "AES_CM_128_HMAC_SHA1_80");
        assert_eq!(c.key_salt.len(), 30);
        assert!(c.usable());
        assert_eq!(
            c.value(),
            "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR"
        );
    }

    #[test]
    fn unknown_suites_short_keys_and_session_params_are_unusable() {
        let key = base64_encode(&[7; 30]);
        assert!(
            !Crypto::parse(&format!("1 AES_256_CM_HMAC_SHA1_80 inline:{key}"))
                .unwrap()
                .usable()
        );
        assert!(!Crypto::parse("1 AES_CM_128_HMAC_SHA1_80 inline:AAAA")
            .unwrap()
            .usable());
        assert!(!Crypto::parse(&format!(
            "1 AES_CM_128_HMAC_SHA1_32 inline:{key} UNENCRYPTED_SRTP"
        ))
        .unwrap()
        .usable());
        assert!(Crypto::parse("x AES_CM_128_HMAC_SHA1_80 inline:AAAA").is_none());
        assert!(Crypto::parse("1 AES_CM_128_HMAC_SHA1_80 key:AAAA").is_none());
        assert!(Crypto::parse("1 AES_CM_128_HMAC_SHA1_80 inline:A!AA").is_none());
    }

    #[test]
    fn base64_round_trips_every_length() {
        for n in 0..40u8 {
            let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37)).collect();
            assert_eq!(base64_decode(&base64_encode(&bytes)).unwrap(), bytes);
        }
        assert_eq!(base64_encode(b"foob"), "Zm9vYg==");
    }

    #[test]
    fn keys_are_not_printed_in_debug_output() {
        let c = Crypto::parse(&format!(
            "2 AES_CM_128_HMAC_SHA1_32 inline:{}",
            base64_encode(&[0x41; 30])
        ))
        .unwrap();
        assert!(!format!("{c:?}").contains("QUFB"));
        assert!(!format!("{c:?}").contains("65"));
    }
}
