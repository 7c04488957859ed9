//! SRTP and SRTCP (RFC 3711) with the two SDES suites of RFC 4568: AES_CM_128_HMAC_SHA1_80 and
//! AES_CM_128_HMAC_SHA1_32. Sans-IO and allocation-free per packet: packets are protected and
//! unprotected in the caller's buffer.
//!
//! One [`Context`] per direction: the keys a leg sends with (ours, from our `a=crypto`) protect,
//! the keys the far end offered unprotect. Key derivation rate 0 and no MKI, as SDES keys are
//! used by every common phone.
//!
//! - [`kdf`]: the session keys from a master key and salt (RFC 3711 sec. 4.3.1);
//! - [`replay`]: the rollover counter estimate and the 64-packet replay window (sec. 3.3.1-2);
//! - [`Context::protect_rtp`] / [`Context::unprotect_rtp`] (sec. 3.3, 4.1.1, 4.2);
//! - [`Context::protect_rtcp`] / [`Context::unprotect_rtcp`] (sec. 3.4: E flag and 31-bit index).

pub mod kdf;
pub mod replay;
mod rtcp;
mod rtp;
#[cfg(test)]
mod tests;

use aes::cipher::{InnerIvInit, KeyInit, StreamCipher};
use hmac::{Hmac, Mac};
use sha1::Sha1;

pub use replay::ReplayWindow;

/// Master key and salt lengths of the AES_CM_128 suites (16 + 14 bytes).
pub const MASTER_KEY_LEN: usize = 16;
pub const MASTER_SALT_LEN: usize = 14;
/// The most a protected packet grows: SRTCP's E+index word and an 80-bit tag.
pub const MAX_OVERHEAD: usize = 4 + 10;
/// Distinct SSRCs one context keeps state for (a stranger cannot make it grow).
const MAX_STREAMS: usize = 16;

/// The crypto suite of an `a=crypto` line (RFC 4568 sec. 6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Suite {
    AesCm128HmacSha1_80,
    AesCm128HmacSha1_32,
}

impl Suite {
    /// The suite's name as SDP writes it.
    pub fn name(self) -> &'static str {
        match self {
            Suite::AesCm128HmacSha1_80 => "AES_CM_128_HMAC_SHA1_80",
            Suite::AesCm128HmacSha1_32 => "AES_CM_128_HMAC_SHA1_32",
        }
    }

    /// A suite by its SDP name (case-sensitive, as RFC 4568's grammar); None for the others.
    pub fn from_name(name: &str) -> Option<Suite> {
        match name {
            "AES_CM_128_HMAC_SHA1_80" => Some(Suite::AesCm128HmacSha1_80),
            "AES_CM_128_HMAC_SHA1_32" => Some(Suite::AesCm128HmacSha1_32),
            _ => None,
        }
    }

    /// The SRTP authentication tag length. SRTCP always uses 80 bits (RFC 4568 sec. 6.2.1).
    pub fn rtp_tag_len(self) -> usize {
        match self {
            Suite::AesCm128HmacSha1_80 => 10,
            Suite::AesCm128HmacSha1_32 => 4,
        }
    }
}

/// Why a packet could not be protected or unprotected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SrtpError {
    #[error("packet too short for SRTP/SRTCP")]
    TooShort,
    #[error("no room in the buffer for the authentication tag")]
    NoRoom,
    #[error("authentication tag mismatch")]
    AuthFailed,
    #[error("replayed or too old packet")]
    Replayed,
    #[error("too many SSRCs on one SRTP context")]
    TooManyStreams,
}

type Aes128Ctr = ctr::Ctr128BE<aes::Aes128>;
type HmacSha1 = Hmac<Sha1>;

/// The three session keys of one direction of RTP or RTCP.
#[derive(Clone)]
struct SessionKeys {
    cipher: aes::Aes128,
    salt: [u8; 14],
    auth: HmacSha1,
}

impl SessionKeys {
    fn derive(key: &[u8; 16], salt: &[u8; 14], labels: [u8; 3]) -> SessionKeys {
        let enc = kdf::derive::<16>(key, salt, labels[0]);
        let auth = kdf::derive::<20>(key, salt, labels[1]);
        let session_salt = kdf::derive::<14>(key, salt, labels[2]);
        SessionKeys {
            cipher: aes::Aes128::new(&enc.into()),
            salt: session_salt,
            // HMAC accepts keys of any length: this cannot fail.
            auth: <HmacSha1 as KeyInit>::new_from_slice(&auth)
                .unwrap_or_else(|_| <HmacSha1 as KeyInit>::new(&Default::default())),
        }
    }

    /// XOR the AES-CM keystream for (`ssrc`, `index`) into `data` (RFC 3711 sec. 4.1.1).
    fn crypt(&self, ssrc: u32, index: u64, data: &mut [u8]) {
        let iv = iv(&self.salt, ssrc, index);
        let core = ctr::CtrCore::<aes::Aes128, ctr::flavors::Ctr128BE>::inner_iv_init(
            self.cipher.clone(),
            &iv.into(),
        );
        let mut ctr = Aes128Ctr::from_core(core);
        ctr.apply_keystream(data);
    }

    /// HMAC-SHA1 over `parts`, the full 20 bytes.
    fn tag(&self, parts: &[&[u8]]) -> [u8; 20] {
        let mut mac = self.auth.clone();
        for p in parts {
            mac.update(p);
        }
        mac.finalize().into_bytes().into()
    }
}

/// The AES-CM IV: `(salt << 16) ^ (ssrc << 64) ^ (index << 16)`.
pub fn iv(salt: &[u8; 14], ssrc: u32, index: u64) -> [u8; 16] {
    let mut iv = [0u8; 16];
    iv[..14].copy_from_slice(salt);
    for (b, s) in iv[4..8].iter_mut().zip(ssrc.to_be_bytes()) {
        *b ^= s;
    }
    for (b, s) in iv[8..14].iter_mut().zip(&index.to_be_bytes()[2..8]) {
        *b ^= s;
    }
    iv
}

/// Constant-time comparison of two tags.
fn tags_equal(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Per-SSRC state: the RTP rollover counter, highest sequence and replay window.
#[derive(Clone, Copy)]
struct Stream {
    ssrc: u32,
    rtp: ReplayWindow,
    /// SRTCP: the next index we send, or the replay window of what we receive.
    rtcp_out: u32,
    rtcp_in: ReplayWindow,
}

/// One direction of SRTP and SRTCP under one master key.
#[derive(Clone)]
pub struct Context {
    suite: Suite,
    rtp: SessionKeys,
    rtcp: SessionKeys,
    streams: Vec<Stream>,
    /// Packets refused (authentication or replay), for statistics and rare logging.
    pub refused: u64,
}

impl Context {
    /// A context for `suite` from the 30-byte key||salt of an `a=crypto` inline key.
    pub fn new(suite: Suite, key: &[u8; MASTER_KEY_LEN], salt: &[u8; MASTER_SALT_LEN]) -> Self {
        Context {
            suite,
            rtp: SessionKeys::derive(key, salt, [0, 1, 2]),
            rtcp: SessionKeys::derive(key, salt, [3, 4, 5]),
            streams: Vec::with_capacity(2),
            refused: 0,
        }
    }

    /// From the concatenated master key and salt (the decoded inline key); None when its
    /// length is not 30 bytes.
    pub fn from_key_salt(suite: Suite, key_salt: &[u8]) -> Option<Self> {
        let key: [u8; 16] = key_salt.get(..16)?.try_into().ok()?;
        let salt: [u8; 14] = key_salt.get(16..30)?.try_into().ok()?;
        (key_salt.len() == 30).then(|| Context::new(suite, &key, &salt))
    }

    pub fn suite(&self) -> Suite {
        self.suite
    }

    fn stream(&mut self, ssrc: u32) -> Result<&mut Stream, SrtpError> {
        let i = match self.streams.iter().position(|s| s.ssrc == ssrc) {
            Some(i) => i,
            None => {
                if self.streams.len() >= MAX_STREAMS {
                    // The oldest goes: a new SSRC (a re-INVITE, a transfer) replaces it.
                    self.streams.remove(0);
                }
                self.streams.push(Stream {
                    ssrc,
                    rtp: ReplayWindow::default(),
                    rtcp_out: 0,
                    rtcp_in: ReplayWindow::default(),
                });
                self.streams.len() - 1
            }
        };
        self.streams.get_mut(i).ok_or(SrtpError::TooManyStreams)
    }
}
