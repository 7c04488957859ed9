//! ITU-T G.711 mu-law, bit-exact with Asterisk's `main/ulaw.c` (default build, without
//! `G711_NEW_ALGORITHM`).
//!
//! Asterisk encodes through a 16,384-entry table indexed by `(sample as u16) >> 2`, filled by a
//! loop over every sample value; each entry ends up holding the code of the *last* sample of its
//! group of four, `sample | 3`. For non-negative samples that changes nothing (the low two bits
//! never reach the mantissa), but a negative sample is coded as if its magnitude were up to 3
//! smaller: `-4` is coded `0x7F` (-0), not `0x7E` (-8). [`encode_sample`] reproduces that table
//! arithmetically, so there is no table to build and no branch but the sign.

/// Bias added to the magnitude before finding the segment (G.711's 33, scaled by 4).
const BIAS: i32 = 0x84;
/// Largest magnitude coded without clipping: 8159 * 4 - BIAS + 3.
const CLIP: i32 = 32635;

/// Decoded value of every mu-law byte (Asterisk's `__ast_mulaw`), built at compile time.
pub static DECODE_TABLE: [i16; 256] = build_decode_table();

const fn build_decode_table() -> [i16; 256] {
    const SEGMENT_BASE: [i32; 8] = [0, 132, 396, 924, 1980, 4092, 8316, 16764];
    let mut table = [0i16; 256];
    let mut i = 0;
    while i < 256 {
        let mu = !(i as u8);
        let exponent = ((mu & 0x70) >> 4) as usize;
        let mantissa = (mu & 0x0f) as i32;
        let magnitude = (mantissa << (exponent + 3)) + SEGMENT_BASE[exponent];
        table[i] = if mu & 0x80 != 0 {
            -magnitude as i16
        } else {
            magnitude as i16
        };
        i += 1;
    }
    table
}

/// Encodes one 16-bit linear sample to a mu-law byte, exactly as Asterisk's `AST_LIN2MU`.
#[inline]
pub const fn encode_sample(sample: i16) -> u8 {
    // The table entry for a group of four holds the code of its last member.
    let s = (sample | 3) as i32;
    let sign = ((s >> 8) & 0x80) as u8;
    let magnitude = if s.abs() > CLIP { CLIP } else { s.abs() } + BIAS;
    // magnitude >= 132, so the segment (exponent) is floor(log2(magnitude)) - 7, in 0..=7.
    let exponent = (31 - magnitude.leading_zeros() as i32) - 7;
    let mantissa = (magnitude >> (exponent + 3)) & 0x0f;
    !(sign | ((exponent as u8) << 4) | mantissa as u8)
}

/// Decodes one mu-law byte to 16-bit linear (Asterisk's `AST_MULAW`).
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

    /// Asterisk's `linear2ulaw()` as written in main/ulaw.c, exponent found by its lookup
    /// table (here: a loop), and `ast_ulaw_init()`'s table fill over every sample value.
    fn asterisk_lin2mu_table() -> Vec<u8> {
        fn linear2ulaw(sample: i16) -> u8 {
            let mut sample = sample as i32;
            let sign = (sample >> 8) & 0x80;
            if sign != 0 {
                sample = -sample;
            }
            if sample > CLIP {
                sample = CLIP;
            }
            sample += BIAS;
            let v = (sample >> 7) & 0xff;
            let mut exponent = 0;
            while exponent < 7 && v >= (2 << exponent) {
                exponent += 1;
            }
            let mantissa = (sample >> (exponent + 3)) & 0x0f;
            !((sign | (exponent << 4) | mantissa) as u8)
        }
        let mut table = vec![0u8; 16384];
        for i in -32768i32..32768 {
            table[((i as i16 as u16) >> 2) as usize] = linear2ulaw(i as i16);
        }
        table
    }

    #[test]
    fn encode_matches_asterisk_table_for_every_sample() {
        let table = asterisk_lin2mu_table();
        for i in i16::MIN..=i16::MAX {
            assert_eq!(
                encode_sample(i),
                table[((i as u16) >> 2) as usize],
                "sample {i}"
            );
        }
    }

    #[test]
    fn all_256_decode_values_match_the_ccitt_reference() {
        // Python's audioop (Sun's g711.c), see tests/fixtures/g711/README.md.
        let reference = include_bytes!("../tests/fixtures/g711/ulaw_decode.s16");
        for (code, pair) in reference.chunks_exact(2).enumerate() {
            let expected = i16::from_le_bytes([pair[0], pair[1]]);
            assert_eq!(decode_sample(code as u8), expected, "code {code:#04x}");
        }
    }

    #[test]
    fn decode_edges_are_the_g711_values() {
        assert_eq!(decode_sample(0x00), -32124);
        assert_eq!(decode_sample(0x80), 32124);
        assert_eq!(decode_sample(0x7f), 0);
        assert_eq!(decode_sample(0xff), 0);
        assert_eq!(decode_sample(0x7e), -8);
        assert_eq!(decode_sample(0xfe), 8);
        assert_eq!(decode_sample(0x70), -120);
        assert_eq!(decode_sample(0x6f), -132);
    }

    #[test]
    fn encode_edge_samples() {
        assert_eq!(encode_sample(0), 0xff);
        assert_eq!(encode_sample(i16::MAX), 0x80);
        assert_eq!(encode_sample(i16::MIN), 0x00);
        assert_eq!(encode_sample(32124), 0x80);
        assert_eq!(encode_sample(-32124), 0x00);
        assert_eq!(encode_sample(-1), 0x7f);
        // The table quirk: -4 is coded as -1 would be (-0, 0x7f); the formula gives 0x7e.
        assert_eq!(encode_sample(-4), 0x7f);
        assert_eq!(encode_sample(4), 0xfe);
        assert_eq!(encode_sample(-8), 0x7e);
        assert_eq!(encode_sample(-9), 0x7e);
    }

    #[test]
    fn re_encoding_a_decoded_value_gives_the_same_code() {
        for c in 0..=255u8 {
            let again = encode_sample(decode_sample(c));
            // -0 (0x7f) decodes to 0, which codes as +0 (0xff); every other code is stable.
            if c == 0x7f {
                assert_eq!(again, 0xff);
            } else {
                assert_eq!(again, c, "code {c:#04x}");
            }
        }
    }

    #[test]
    fn round_trip_error_is_within_half_a_step_plus_the_table_rounding() {
        for i in i16::MIN..=i16::MAX {
            let back = decode_sample(encode_sample(i)) as i32;
            let m = (i as i32).abs().min(CLIP);
            // Step size of the segment the value falls in, half of it is the quantisation error;
            // the table adds up to 3 for negative samples.
            let step = if m + BIAS < 256 {
                8
            } else {
                1 << (31 - (m + BIAS).leading_zeros() - 4)
            };
            let err = (back - (i as i32).clamp(-CLIP, CLIP)).abs();
            assert!(
                err <= step / 2 + 4,
                "sample {i}: decoded {back}, step {step}"
            );
        }
    }

    #[test]
    fn slices_stop_at_the_shorter_buffer() {
        let pcm = [0i16, 1000, -1000, 32000];
        let mut out = [0u8; 3];
        assert_eq!(encode(&pcm, &mut out), 3);
        let mut back = [0i16; 8];
        assert_eq!(decode(&out, &mut back), 3);
        assert_eq!(back[..3], [0, 988, -988]);
    }
}
