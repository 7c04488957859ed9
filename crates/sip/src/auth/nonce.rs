//! Stateless server nonces: `nonce = hex(time) || hex(MAC(secret, time, realm, source))`.
//!
//! Nothing is stored per challenge, so a flood of unauthenticated REGISTERs grows no table.
//! The MAC is HMAC-SHA-256 truncated to 128 bits. Binding the nonce to the realm means two
//! challenges for different realms differ (as res_pjsip_authenticator_digest.c's
//! `build_nonce` does); binding it to the source address (the caller decides what that string
//! is, res_pjsip uses the IP without the port because TCP ports change) means a nonce
//! captured elsewhere is useless from another address.
//!
//! The lifetime defaults to 32 seconds, the default of `nonce_lifetime` in res_pjsip's
//! `[auth]` objects. chan_sip itself kept one random nonce per dialog and marked it used after
//! one answer; a stateless server cannot do that, so a captured Authorization can be replayed
//! from the same source within the lifetime (nonce-count replay tracking would need state).

use std::fmt;

use super::digest::{ct_eq, hmac_sha256, to_hex};

/// Default nonce lifetime in seconds (res_pjsip `nonce_lifetime` default).
pub const DEFAULT_NONCE_LIFETIME_SECS: u64 = 32;

const TS_HEX: usize = 16;
const MAC_BYTES: usize = 16;
/// Length of every nonce this manager issues.
pub const NONCE_LEN: usize = TS_HEX + MAC_BYTES * 2;

/// What a received nonce turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonceCheck {
    /// Issued by us, for this realm and source, within its lifetime.
    Fresh,
    /// Issued by us but older than the lifetime (or dated in the future after a clock step).
    Expired,
    /// Not one of ours: forged, another realm or source, another server secret, malformed.
    Invalid,
}

/// Issues and checks nonces; holds only the secret key and the lifetime.
#[derive(Clone)]
pub struct NonceManager {
    key: Vec<u8>,
    lifetime_secs: u64,
}

impl fmt::Debug for NonceManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NonceManager")
            .field("lifetime_secs", &self.lifetime_secs)
            .finish_non_exhaustive()
    }
}

impl NonceManager {
    /// A manager keyed with `secret` (the binary draws it at random at start; 32 bytes are
    /// plenty), with the default lifetime.
    pub fn new(secret: &[u8]) -> Self {
        NonceManager {
            key: secret.to_vec(),
            lifetime_secs: DEFAULT_NONCE_LIFETIME_SECS,
        }
    }

    /// Sets the lifetime in seconds.
    pub fn with_lifetime(mut self, secs: u64) -> Self {
        self.lifetime_secs = secs;
        self
    }

    /// The lifetime in seconds.
    pub fn lifetime(&self) -> u64 {
        self.lifetime_secs
    }

    fn mac_hex(&self, ts: u64, realm: &str, source: &str) -> String {
        let realm_len = (realm.len() as u64).to_be_bytes();
        let source_len = (source.len() as u64).to_be_bytes();
        let mac = hmac_sha256(
            &self.key,
            &[
                b"tandem-digest-nonce-v1",
                &ts.to_be_bytes(),
                &realm_len,
                realm.as_bytes(),
                &source_len,
                source.as_bytes(),
            ],
        );
        to_hex(mac.get(..MAC_BYTES).unwrap_or(&mac))
    }

    /// A nonce for a challenge sent at `now` (seconds) to `source` for `realm`.
    pub fn issue(&self, now: u64, realm: &str, source: &str) -> String {
        format!("{:016x}{}", now, self.mac_hex(now, realm, source))
    }

    /// Checks a nonce received at `now` from `source` for `realm`.
    /// The MAC is always computed, whatever the input, so the cost does not depend on it.
    pub fn check(&self, nonce: &str, now: u64, realm: &str, source: &str) -> NonceCheck {
        let ts = nonce
            .get(..TS_HEX)
            .filter(|t| t.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|t| u64::from_str_radix(t, 16).ok());
        let expected = self.mac_hex(ts.unwrap_or(0), realm, source);
        let got = nonce.get(TS_HEX..).unwrap_or("");
        let mac_ok = ct_eq(expected.as_bytes(), got.to_ascii_lowercase().as_bytes());
        match ts {
            Some(ts) if mac_ok && nonce.len() == NONCE_LEN => {
                if now > ts.saturating_add(self.lifetime_secs)
                    || ts > now.saturating_add(self.lifetime_secs)
                {
                    NonceCheck::Expired
                } else {
                    NonceCheck::Fresh
                }
            }
            _ => NonceCheck::Invalid,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mgr() -> NonceManager {
        NonceManager::new(b"0123456789abcdef0123456789abcdef")
    }

    #[test]
    fn a_fresh_nonce_checks_within_its_lifetime() {
        let m = mgr();
        let n = m.issue(1000, "asterisk", "192.0.2.1");
        assert_eq!(n.len(), NONCE_LEN);
        assert_eq!(
            m.check(&n, 1000, "asterisk", "192.0.2.1"),
            NonceCheck::Fresh
        );
        assert_eq!(
            m.check(&n, 1032, "asterisk", "192.0.2.1"),
            NonceCheck::Fresh
        );
        assert_eq!(
            m.check(&n, 1033, "asterisk", "192.0.2.1"),
            NonceCheck::Expired
        );
    }

    #[test]
    fn default_lifetime_is_res_pjsip_nonce_lifetime_32s() {
        assert_eq!(mgr().lifetime(), 32);
        assert_eq!(mgr().with_lifetime(5).lifetime(), 5);
    }

    #[test]
    fn nonce_is_bound_to_realm_source_and_secret() {
        let m = mgr();
        let n = m.issue(1000, "asterisk", "192.0.2.1");
        assert_eq!(m.check(&n, 1001, "other", "192.0.2.1"), NonceCheck::Invalid);
        assert_eq!(
            m.check(&n, 1001, "asterisk", "192.0.2.2"),
            NonceCheck::Invalid
        );
        let other = NonceManager::new(b"another secret");
        assert_eq!(
            other.check(&n, 1001, "asterisk", "192.0.2.1"),
            NonceCheck::Invalid
        );
    }

    #[test]
    fn tampered_and_malformed_nonces_are_invalid() {
        let m = mgr();
        let n = m.issue(1000, "r", "s");
        // Moving the timestamp forward breaks the MAC.
        let forged = format!("{:016x}{}", 2000u64, n.get(16..).unwrap_or(""));
        assert_eq!(m.check(&forged, 2000, "r", "s"), NonceCheck::Invalid);
        for bad in [
            "",
            "xyz",
            "00000000000003e8",
            "ééééééééééééééééééé",
            &format!("{n}0"),
        ] {
            assert_eq!(m.check(bad, 1000, "r", "s"), NonceCheck::Invalid, "{bad}");
        }
    }

    #[test]
    fn a_nonce_from_the_future_after_a_clock_step_is_expired_not_fresh() {
        let m = mgr();
        let n = m.issue(10_000, "r", "s");
        assert_eq!(m.check(&n, 9_990, "r", "s"), NonceCheck::Fresh);
        assert_eq!(m.check(&n, 1_000, "r", "s"), NonceCheck::Expired);
    }

    #[test]
    fn debug_does_not_print_the_secret() {
        let s = format!("{:?}", mgr());
        assert!(!s.contains("0123456789"), "{s}");
    }
}
