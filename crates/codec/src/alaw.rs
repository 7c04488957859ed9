//! ITU-T G.711 A-law, bit-exact with Asterisk's `main/alaw.c` (default build, without
//! `G711_NEW_ALGORITHM`).
//!
//! Asterisk encodes through an 8,192-entry table indexed by `(sample as u16) >> 3`, filled by a
//! loop over every sample value, so each entry holds the code of `sample | 7`. Non-negative
//! samples are unaffected (the low three bits never reach the code), but a negative sample is
//! coded as if its magnitude were up to 7 smaller: `-16` is coded `0x55` (like -9), not `0x54`.
//! [`encode_sample`] reproduces that arithmetically.

/// Even bits inverted on the wire (G.711's alternate mark inversion).
const AMI_MASK: u8 = 0x55;

/// Decoded value of every A-law byte (Asterisk's `__ast_alaw`), built at compile time.
pub static DECODE_TABLE: [i16; 256] = build_decode_table();

const fn build_decode_table() -> [i16; 256] {
    let mut table = [0i16; 256];
    let mut i = 0;
    while i < 256 {
        let a = (i as u8) ^ AMI_MASK;
        let mut value = (((a & 0x0f) as i32) << 4) + 8;
        let segment = ((a & 0x70) >> 4) as i32;
        if segment != 0 {
            value = (value + 0x100) << (segment - 1);
        }
        table[i] = if a & 0x80 != 0 {
            value as i16
        } else {
            -value as i16
        };
        i += 1;
    }
    table
}

/// Encodes one 16-bit linear sample to an A-law byte, exactly as Asterisk's `AST_LIN2A`.
#[inline]
pub const fn encode_sample(sample: i16) -> u8 {
    // The table entry for a group of eight holds the code of its last member.
    let s = (sample | 7) as i32;
    let (mask, magnitude) = if s >= 0 {
        (AMI_MASK | 0x80, s)
    } else {
        (AMI_MASK, -s)
    };
    // magnitude <= 32767 because of the `| 7`; segments end at 0xff, 0x1ff, ... 0x7fff.
    let code = if magnitude <= 0xff {
        (magnitude >> 4) as u8
    } else {
        let segment = (31 - magnitude.leading_zeros() as i32) - 7;
        ((segment << 4) | ((magnitude >> (segment + 3)) & 0x0f)) as u8
    };
    code ^ mask
}

/// Decodes one A-law byte to 16-bit linear (Asterisk's `AST_ALAW`).
#[inline]
pub fn decode_sample(code: u8) -> i16 {
    DECODE_TABLE[code as usize]
}

/// Encodes `pcm` into `out`, one byte per sample; returns the number of bytes written
/// (`min(pcm.len(), out.len())`). Allocates nothing.
pub fn encode(pcm: &[i16], out: &mut [u8]) -> usize {
    let n = pcm.len().min(out.len());
    for (o, &s) in out[..n].iter_mut().zip(&pcm[..n]) {
        *o = encode_sample(s);
    }
    n
}

/// Decodes `payload` into `pcm`, one sample per byte; returns the number of samples written
/// (`min(payload.len(), pcm.len())`). Allocates nothing.
pub fn decode(payload: &[u8], pcm: &mut [i16]) -> usize {
    let n = payload.len().min(pcm.len());
    for (p, &c) in pcm[..n].iter_mut().zip(&payload[..n]) {
        *p = DECODE_TABLE[c as usize];
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asterisk's `linear2alaw()` (segment search loop) and `ast_alaw_init()`'s table fill.
    fn asterisk_lin2a_table() -> Vec<u8> {
        fn linear2alaw(linear: i16) -> u8 {
            const SEG_END: [i32; 8] = [0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff, 0x3fff, 0x7fff];
            let mut pcm_val = linear as i32;
            let mask = if pcm_val >= 0 {
                0x55 | 0x80
            } else {
                pcm_val = -pcm_val;
                0x55
            };
            let mut seg = 0;
            while seg < 8 && pcm_val > SEG_END[seg] {
                seg += 1;
            }
            let shift = if seg != 0 { seg + 3 } else { 4 };
            ((((seg as i32) << 4) | ((pcm_val >> shift) & 0x0f)) ^ mask) as u8
        }
        let mut table = vec![0u8; 8192];
        for i in -32768i32..32768 {
            table[((i as i16 as u16) >> 3) as usize] = linear2alaw(i as i16);
        }
        table
    }

    #[test]
    fn encode_matches_asterisk_table_for_every_sample() {
        let table = asterisk_lin2a_table();
        for i in i16::MIN..=i16::MAX {
            assert_eq!(
                encode_sample(i),
                table[((i as u16) >> 3) as usize],
                "sample {i}"
            );
        }
    }

    #[test]
    fn all_256_decode_values_match_the_ccitt_reference() {
        // Python's audioop (Sun's g711.c), see tests/fixtures/g711/README.md.
        let reference = include_bytes!("../tests/fixtures/g711/alaw_decode.s16");
        for (code, pair) in reference.chunks_exact(2).enumerate() {
            let expected = i16::from_le_bytes([pair[0], pair[1]]);
            assert_eq!(decode_sample(code as u8), expected, "code {code:#04x}");
        }
    }

    #[test]
    fn decode_edges_are_the_g711_values() {
        assert_eq!(decode_sample(0xd5), 8);
        assert_eq!(decode_sample(0x55), -8);
        assert_eq!(decode_sample(0xaa), 32256);
        assert_eq!(decode_sample(0x2a), -32256);
        assert_eq!(decode_sample(0x80), 5504);
        assert_eq!(decode_sample(0x00), -5504);
        assert_eq!(decode_sample(0xd4), 24);
    }

    #[test]
    fn encode_edge_samples() {
        assert_eq!(encode_sample(0), 0xd5);
        assert_eq!(encode_sample(i16::MAX), 0xaa);
        assert_eq!(encode_sample(i16::MIN), 0x2a);
        assert_eq!(encode_sample(16), 0xd4);
        // The table quirk: -16 is coded as -9 would be.
        assert_eq!(encode_sample(-16), 0x55);
        assert_eq!(encode_sample(-24), 0x54);
        assert_eq!(encode_sample(-1), 0x55);
    }

    #[test]
    fn every_code_survives_decode_and_re_encode() {
        for c in 0..=255u8 {
            assert_eq!(encode_sample(decode_sample(c)), c, "code {c:#04x}");
        }
    }

    #[test]
    fn round_trip_error_is_within_half_a_step_plus_the_table_rounding() {
        for i in i16::MIN..=i16::MAX {
            let back = decode_sample(encode_sample(i)) as i32;
            let m = (i as i32).abs();
            let step = if m < 512 {
                16
            } else {
                1 << (31 - m.leading_zeros() - 4)
            };
            let err = (back - i as i32).abs();
            assert!(
                err <= step / 2 + 8,
                "sample {i}: decoded {back}, step {step}"
            );
        }
    }
}
