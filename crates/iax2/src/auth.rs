//! MD5 challenge/response and call tokens.
//!
//! MD5 (chan_iax2 `authenticate` / `authenticate_verify`): the response is the lowercase hex
//! MD5 of the challenge string followed by the secret; the verifier compares it without regard
//! to case against each `;`-separated secret. Plaintext passwords are never sent or accepted
//! by this crate.
//!
//! Call tokens (chan_iax2 `handle_call_token`, RFC 5456 has none: an Asterisk 1.6.2 addition
//! against spoofed NEWs): the server answers a NEW carrying an empty CALLTOKEN IE with a token
//! `"<seconds>?<40 hex>"` where the hex digest covers the source address (`ip:port`), the
//! seconds and a server secret; the client repeats the NEW with that token, and the server
//! accepts it if the digest matches and it is less than 10 s old (`max_calltoken_delay`).
//! Asterisk uses SHA-1 and wall-clock seconds; this crate uses the first 20 bytes of SHA-256
//! and seconds since the issuer's epoch `Instant` (no clock is read). Only the issuer ever
//! checks a token, so peers see the same shape.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use md5::{Digest as _, Md5};
use sha2::Sha256;

/// chan_iax2 `max_calltoken_delay`.
pub const MAX_CALLTOKEN_DELAY: Duration = Duration::from_secs(10);

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The MD5_RESULT for `challenge` and `secret`.
pub fn md5_response(challenge: &str, secret: &str) -> String {
    let mut h = Md5::new();
    h.update(challenge.as_bytes());
    h.update(secret.as_bytes());
    hex(&h.finalize())
}

/// Checks an MD5_RESULT against every `;`-separated secret (case-insensitive, as `strcasecmp`).
pub fn verify_md5(challenge: &str, secrets: &str, result: &str) -> bool {
    secrets
        .split(';')
        .any(|secret| md5_response(challenge, secret).eq_ignore_ascii_case(result))
}

/// The outcome of checking a received call token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenCheck {
    Valid,
    /// Malformed, or the digest does not match this source address.
    Invalid,
    /// Issued in the future or `max_delay` or more ago.
    Expired,
}

/// Issues and checks call tokens.
#[derive(Debug, Clone)]
pub struct CallTokens {
    secret: Vec<u8>,
    epoch: Instant,
    max_delay: Duration,
}

impl CallTokens {
    /// `secret` should be random bytes chosen at start-up (Asterisk: `randomcalltokendata`);
    /// `epoch` is any fixed instant (seconds in tokens count from it).
    pub fn new(secret: &[u8], epoch: Instant) -> CallTokens {
        CallTokens {
            secret: secret.to_vec(),
            epoch,
            max_delay: MAX_CALLTOKEN_DELAY,
        }
    }

    pub fn with_max_delay(mut self, d: Duration) -> CallTokens {
        self.max_delay = d;
        self
    }

    fn secs(&self, now: Instant) -> u32 {
        now.saturating_duration_since(self.epoch)
            .as_secs()
            .min(u64::from(u32::MAX)) as u32
    }

    fn digest(&self, addr: &SocketAddr, secs: u32) -> String {
        let mut h = Sha256::new();
        h.update(addr.to_string().as_bytes());
        h.update(secs.to_string().as_bytes());
        h.update(&self.secret);
        hex(&h.finalize()[..20])
    }

    pub fn issue(&self, now: Instant, addr: &SocketAddr) -> String {
        let secs = self.secs(now);
        format!("{secs}?{}", self.digest(addr, secs))
    }

    pub fn check(&self, now: Instant, addr: &SocketAddr, token: &[u8]) -> TokenCheck {
        let Ok(text) = std::str::from_utf8(token) else {
            return TokenCheck::Invalid;
        };
        let text = text.trim_end_matches('\0');
        let Some((secs, hash)) = text.split_once('?') else {
            return TokenCheck::Invalid;
        };
        let Ok(rec) = secs.parse::<u32>() else {
            return TokenCheck::Invalid;
        };
        let want = self.digest(addr, rec);
        // compare without an early exit
        let same = want.len() == hash.len()
            && want
                .bytes()
                .zip(hash.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if !same {
            return TokenCheck::Invalid;
        }
        let now_secs = self.secs(now);
        if now_secs < rec || u64::from(now_secs - rec) >= self.max_delay.as_secs() {
            return TokenCheck::Expired;
        }
        TokenCheck::Valid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_response_is_lowercase_hex_of_challenge_then_secret() {
        let r = md5_response("314159", "s3cr3t");
        assert_eq!(r.len(), 32);
        assert!(r
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_eq!(md5_response("", ""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(
            md5_response("a", "bc"),
            "900150983cd24fb0d6963f7d28e17f72",
            "md5(\"abc\")"
        );
    }

    #[test]
    fn md5_verify_ignores_case_and_tries_each_secret() {
        let r = md5_response("99", "two").to_uppercase();
        assert!(verify_md5("99", "one;two", &r));
        assert!(!verify_md5("99", "one;three", &r));
        assert!(!verify_md5("98", "two", &r));
    }

    #[test]
    fn call_token_is_seconds_question_mark_40_hex_and_valid_for_10_seconds() {
        let t0 = Instant::now();
        let tokens = CallTokens::new(b"k", t0);
        let a: SocketAddr = "192.0.2.1:4569".parse().unwrap();
        let tok = tokens.issue(t0 + Duration::from_secs(3), &a);
        let (secs, hash) = tok.split_once('?').unwrap();
        assert_eq!(secs, "3");
        assert_eq!(hash.len(), 40);
        let b = tok.as_bytes();
        assert_eq!(
            tokens.check(t0 + Duration::from_secs(3), &a, b),
            TokenCheck::Valid
        );
        assert_eq!(
            tokens.check(t0 + Duration::from_millis(12_999), &a, b),
            TokenCheck::Valid
        );
        assert_eq!(
            tokens.check(t0 + Duration::from_secs(13), &a, b),
            TokenCheck::Expired
        );
        assert_eq!(
            tokens.check(t0, &a, b),
            TokenCheck::Expired,
            "from the future"
        );
    }

    #[test]
    fn call_token_is_bound_to_address_and_secret() {
        let t0 = Instant::now();
        let tokens = CallTokens::new(b"k", t0);
        let a: SocketAddr = "192.0.2.1:4569".parse().unwrap();
        let other: SocketAddr = "192.0.2.1:4570".parse().unwrap();
        let tok = tokens.issue(t0, &a);
        assert_eq!(
            tokens.check(t0, &other, tok.as_bytes()),
            TokenCheck::Invalid
        );
        assert_eq!(
            CallTokens::new(b"x", t0).check(t0, &a, tok.as_bytes()),
            TokenCheck::Invalid
        );
        assert_eq!(tokens.check(t0, &a, b"garbage"), TokenCheck::Invalid);
        assert_eq!(tokens.check(t0, &a, b"1?"), TokenCheck::Invalid);
        assert_eq!(tokens.check(t0, &a, &[0xff, 0xfe]), TokenCheck::Invalid);
    }
}
