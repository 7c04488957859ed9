use super::*;
use crate::test_signal::{snr_db, tone};

/// Reference vectors made with spandsp 0.0.6 (Debian's libspandsp, the code Asterisk's
/// codecs/g722 is a copy of): 8000 samples of a modulated four-tone mix plus noise at 16 kHz,
/// its G.722 coding, that coding decoded; and the same in the 8 kHz mode (every other input
/// sample). How they were made is in tests/fixtures/g722/README.md.
const WIDE_IN: &[u8] = include_bytes!("../../tests/fixtures/g722/wide_in.s16");
const WIDE_CODED: &[u8] = include_bytes!("../../tests/fixtures/g722/wide.g722");
const WIDE_OUT: &[u8] = include_bytes!("../../tests/fixtures/g722/wide_out.s16");
const NARROW_CODED: &[u8] = include_bytes!("../../tests/fixtures/g722/narrow.g722");
const NARROW_OUT: &[u8] = include_bytes!("../../tests/fixtures/g722/narrow_out.s16");

fn samples(bytes: &[u8]) -> Vec<i16> {
    bytes
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect()
}

#[test]
fn encoder_is_bit_exact_with_spandsp() {
    let input = samples(WIDE_IN);
    let mut enc = Encoder::new(Rate::Wide);
    let mut out = vec![0u8; input.len() / 2];
    // In 20 ms frames, as a call would: the state carries across frames.
    let mut n = 0;
    for frame in input.chunks(320) {
        n += enc.encode(frame, &mut out[n..]);
    }
    assert_eq!(n, WIDE_CODED.len());
    let first_diff = out.iter().zip(WIDE_CODED).position(|(a, b)| a != b);
    assert_eq!(first_diff, None);
}

#[test]
fn decoder_is_bit_exact_with_spandsp() {
    let mut dec = Decoder::new(Rate::Wide);
    let mut out = vec![0i16; WIDE_CODED.len() * 2];
    let mut n = 0;
    for frame in WIDE_CODED.chunks(160) {
        n += dec.decode(frame, &mut out[n..]);
    }
    assert_eq!(n, out.len());
    let expected = samples(WIDE_OUT);
    let first_diff = out.iter().zip(&expected).position(|(a, b)| a != b);
    assert_eq!(first_diff, None);
}

#[test]
fn narrow_mode_is_bit_exact_with_asterisks_8khz_translators() {
    let input: Vec<i16> = samples(WIDE_IN).into_iter().step_by(2).collect();
    let mut enc = Encoder::new(Rate::Narrow);
    let mut coded = vec![0u8; input.len()];
    assert_eq!(enc.encode(&input, &mut coded), input.len());
    assert_eq!(coded, NARROW_CODED);
    // The higher band of every byte is the fixed code 3.
    assert!(coded.iter().all(|&c| c & 0xc0 == 0xc0));

    let mut dec = Decoder::new(Rate::Narrow);
    let mut out = vec![0i16; NARROW_CODED.len()];
    assert_eq!(dec.decode(NARROW_CODED, &mut out), out.len());
    assert_eq!(out, samples(NARROW_OUT));
}

#[test]
fn a_tone_survives_a_round_trip() {
    for freq in [400.0, 1000.0, 3000.0, 6000.0] {
        let input = tone(freq, 16000, 16000, 10000.0);
        let mut enc = Encoder::new(Rate::Wide);
        let mut dec = Decoder::new(Rate::Wide);
        let mut coded = vec![0u8; 8000];
        assert_eq!(enc.encode(&input, &mut coded), 8000);
        let mut out = vec![0i16; 16000];
        assert_eq!(dec.decode(&coded, &mut out), 16000);
        // The QMF pair delays by 22 samples; skip the start-up.
        let snr = snr_db(&input[2000..15000 - 22], &out[2000 + 22..15000]);
        assert!(snr > 20.0, "{freq} Hz: SNR {snr:.1} dB");
    }
}

#[test]
fn coding_is_deterministic_and_reset_by_new() {
    let input = tone(1000.0, 16000, 3200, 8000.0);
    let mut a = vec![0u8; 1600];
    let mut b = vec![0u8; 1600];
    Encoder::new(Rate::Wide).encode(&input, &mut a);
    Encoder::new(Rate::Wide).encode(&input, &mut b);
    assert_eq!(a, b);
    // A second pass through the same encoder starts from a different state.
    let mut enc = Encoder::new(Rate::Wide);
    enc.encode(&input, &mut a);
    enc.encode(&input, &mut b);
    assert_ne!(a, b);
}

#[test]
fn short_buffers_stop_early_without_panicking() {
    let mut enc = Encoder::new(Rate::Wide);
    let mut out = [0u8; 3];
    assert_eq!(enc.encode(&[100; 11], &mut out), 3);
    assert_eq!(enc.encode(&[100; 5], &mut out), 2);
    let mut dec = Decoder::new(Rate::Wide);
    let mut pcm = [0i16; 5];
    assert_eq!(dec.decode(&[0x55; 10], &mut pcm), 4);
}

#[test]
fn full_scale_input_saturates_instead_of_wrapping() {
    // A full-scale square wave at 4 kHz drives the decoder's QMF past 16 bits.
    let input: Vec<i16> = (0..16000)
        .map(|i| if (i / 2) % 2 == 0 { i16::MAX } else { i16::MIN })
        .collect();
    let mut coded = vec![0u8; 8000];
    Encoder::new(Rate::Wide).encode(&input, &mut coded);
    let mut out = vec![0i16; 16000];
    Decoder::new(Rate::Wide).decode(&coded, &mut out);
    // The QMF overshoots: those samples stick at the limits instead of changing sign.
    let clipped = out
        .iter()
        .filter(|&&s| s == i16::MAX || s == i16::MIN)
        .count();
    assert!(clipped > 0);
    assert!(crate::test_signal::rms(&out[1000..]) > 10000.0);
}
