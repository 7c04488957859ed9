//! SRTP key derivation (RFC 3711 sec. 4.3.1 and 4.3.3) with key derivation rate 0: each session
//! key is the AES-CM keystream under the master key, from the IV `(label << 48 ^ salt) << 16`.

use aes::cipher::{KeyIvInit, StreamCipher};

/// The `N`-byte session key with `label` (0-2 for SRTP encryption/auth/salt, 3-5 for SRTCP).
pub fn derive<const N: usize>(key: &[u8; 16], salt: &[u8; 14], label: u8) -> [u8; N] {
    let mut iv = [0u8; 16];
    iv[..14].copy_from_slice(salt);
    // key_id = label || r (48 bits, 0 with kdr 0) is aligned to the right of the salt.
    iv[7] ^= label;
    let mut out = [0u8; N];
    let mut ctr = ctr::Ctr128BE::<aes::Aes128>::new(key.into(), &iv.into());
    ctr.apply_keystream(&mut out);
    out
}
