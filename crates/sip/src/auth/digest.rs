//! The digest arithmetic of RFC 2617 / RFC 7616: algorithms, H(), HA1, HA2, the response, a
//! constant-time comparison and HMAC-SHA-256 (for the server's nonces).

use md5::{Digest, Md5};
use sha2::Sha256;

/// A digest algorithm tandem can compute (RFC 7616 section 3.3 names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// `MD5`, also what an absent `algorithm` parameter means (RFC 2617 section 3.2.1).
    Md5,
    /// `MD5-sess`: HA1 = H(H(user:realm:password):nonce:cnonce).
    Md5Sess,
    /// `SHA-256` (RFC 7616, RFC 8760 for SIP).
    Sha256,
    /// `SHA-256-sess`.
    Sha256Sess,
}

impl Algorithm {
    /// Every supported algorithm, in the order a client prefers them (strongest first).
    pub const PREFERENCE: [Algorithm; 4] = [
        Algorithm::Sha256,
        Algorithm::Sha256Sess,
        Algorithm::Md5,
        Algorithm::Md5Sess,
    ];

    /// The token as printed in headers.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Md5Sess => "MD5-sess",
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha256Sess => "SHA-256-sess",
        }
    }

    /// Parses an algorithm token, case-insensitively (`md5`, `MD5`, `sha-256-SESS`).
    /// Unknown tokens (`SHA-512-256`, `AKAv1-MD5`) give `None`.
    pub fn from_token(token: &str) -> Option<Algorithm> {
        let t = token.trim();
        [
            Algorithm::Md5,
            Algorithm::Md5Sess,
            Algorithm::Sha256,
            Algorithm::Sha256Sess,
        ]
        .into_iter()
        .find(|a| a.name().eq_ignore_ascii_case(t))
    }

    /// True for the `-sess` variants.
    pub fn is_session(self) -> bool {
        matches!(self, Algorithm::Md5Sess | Algorithm::Sha256Sess)
    }

    /// The hash family without the session variant: an HA1 for `MD5` serves `MD5-sess` too.
    pub fn base(self) -> Algorithm {
        match self {
            Algorithm::Md5 | Algorithm::Md5Sess => Algorithm::Md5,
            Algorithm::Sha256 | Algorithm::Sha256Sess => Algorithm::Sha256,
        }
    }

    /// Length of a hex digest of this algorithm.
    pub fn hex_len(self) -> usize {
        match self.base() {
            Algorithm::Sha256 => 64,
            _ => 32,
        }
    }

    /// H(data) as lowercase hex.
    pub fn hash_hex(self, parts: &[&[u8]]) -> String {
        match self.base() {
            Algorithm::Sha256 => {
                let mut h = Sha256::new();
                for p in parts {
                    h.update(p);
                }
                to_hex(&h.finalize())
            }
            _ => {
                let mut h = Md5::new();
                for p in parts {
                    h.update(p);
                }
                to_hex(&h.finalize())
            }
        }
    }
}

/// Lowercase hex of bytes.
pub fn to_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    s
}

/// HA1 = H(username:realm:password) (RFC 2617 section 3.2.2.2, without the -sess step).
/// This is what `md5secret` in sip.conf holds for MD5.
pub fn ha1(algorithm: Algorithm, username: &str, realm: &str, password: &str) -> String {
    algorithm.hash_hex(&[
        username.as_bytes(),
        b":",
        realm.as_bytes(),
        b":",
        password.as_bytes(),
    ])
}

/// The -sess step: HA1' = H(HA1:nonce:cnonce); other algorithms return HA1 unchanged.
pub fn session_ha1(algorithm: Algorithm, ha1: &str, nonce: &str, cnonce: &str) -> String {
    if algorithm.is_session() {
        algorithm.hash_hex(&[
            ha1.as_bytes(),
            b":",
            nonce.as_bytes(),
            b":",
            cnonce.as_bytes(),
        ])
    } else {
        ha1.to_owned()
    }
}

/// HA2 = H(method:uri) (qop=auth or no qop).
pub fn ha2(algorithm: Algorithm, method: &str, uri: &str) -> String {
    algorithm.hash_hex(&[method.as_bytes(), b":", uri.as_bytes()])
}

/// How the response is formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseForm<'a> {
    /// RFC 2069 (no qop): H(HA1:nonce:HA2).
    NoQop,
    /// RFC 2617 qop=auth: H(HA1:nonce:nc:cnonce:auth:HA2).
    Auth {
        /// nonce-count exactly as sent (8 hex digits).
        nc: &'a str,
        /// the client nonce.
        cnonce: &'a str,
    },
}

/// The request-digest from an (already session-adjusted) HA1.
pub fn response(
    algorithm: Algorithm,
    ha1: &str,
    nonce: &str,
    ha2: &str,
    form: ResponseForm<'_>,
) -> String {
    match form {
        ResponseForm::NoQop => {
            algorithm.hash_hex(&[ha1.as_bytes(), b":", nonce.as_bytes(), b":", ha2.as_bytes()])
        }
        ResponseForm::Auth { nc, cnonce } => algorithm.hash_hex(&[
            ha1.as_bytes(),
            b":",
            nonce.as_bytes(),
            b":",
            nc.as_bytes(),
            b":",
            cnonce.as_bytes(),
            b":auth:",
            ha2.as_bytes(),
        ]),
    }
}

/// Compares two byte strings in time that depends only on their lengths.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b.iter()) {
        diff |= x ^ y;
    }
    std::hint::black_box(diff) == 0
}

/// HMAC-SHA-256 (RFC 2104), written out so the crate needs no extra dependency.
pub fn hmac_sha256(key: &[u8], message: &[&[u8]]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        let d = Sha256::digest(key);
        k[..32].copy_from_slice(&d);
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut ipad = [0x36u8; BLOCK];
    let mut opad = [0x5cu8; BLOCK];
    for i in 0..BLOCK {
        ipad[i] ^= k[i];
        opad[i] ^= k[i];
    }
    let mut inner = Sha256::new();
    inner.update(ipad);
    for m in message {
        inner.update(m);
    }
    let inner = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(opad);
    outer.update(inner);
    let mut out = [0u8; 32];
    out.copy_from_slice(&outer.finalize());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_tokens_are_case_insensitive() {
        assert_eq!(Algorithm::from_token("md5"), Some(Algorithm::Md5));
        assert_eq!(
            Algorithm::from_token("SHA-256-SESS"),
            Some(Algorithm::Sha256Sess)
        );
        assert_eq!(Algorithm::from_token("MD5-sess"), Some(Algorithm::Md5Sess));
        assert_eq!(Algorithm::from_token("SHA-512-256"), None);
        assert_eq!(Algorithm::from_token("AKAv1-MD5"), None);
    }

    #[test]
    fn md5_and_sha256_of_known_strings() {
        assert_eq!(
            Algorithm::Md5.hash_hex(&[b"abc"]),
            "900150983cd24fb0d6963f7d28e17f72"
        );
        assert_eq!(
            Algorithm::Sha256.hash_hex(&[b"a", b"bc"]),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn hmac_sha256_matches_rfc4231_test_cases_1_and_2() {
        let mac = hmac_sha256(&[0x0b; 20], &[b"Hi There"]);
        assert_eq!(
            to_hex(&mac),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        let mac = hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            to_hex(&mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn hmac_sha256_long_key_is_hashed_first_rfc4231_case_6() {
        let mac = hmac_sha256(
            &[0xaa; 131],
            &[b"Test Using Larger Than Block-Size Key - Hash Key First"],
        );
        assert_eq!(
            to_hex(&mac),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn ct_eq_compares_contents_and_lengths() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"abcd"));
        assert!(ct_eq(b"", b""));
    }
}
