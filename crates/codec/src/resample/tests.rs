use super::*;
use crate::test_signal::{rms, tone, tone_fit};

fn run(r: &mut Resampler, input: &[i16], frame: usize) -> Vec<i16> {
    let mut out = Vec::new();
    let mut buf = vec![0i16; frame * 6 + 6];
    for chunk in input.chunks(frame) {
        let n = r.process(chunk, &mut buf).unwrap();
        out.extend_from_slice(&buf[..n]);
    }
    out
}

#[test]
fn a_1khz_tone_survives_8k_to_16k_and_back() {
    let input = tone(1000.0, 8000, 8000, 10000.0);
    let mut up = Resampler::new(8000, 16000).unwrap();
    let mut down = Resampler::new(16000, 8000).unwrap();
    let wide = run(&mut up, &input, 160);
    assert_eq!(wide.len(), 16000);
    let back = run(&mut down, &wide, 320);
    assert_eq!(back.len(), 8000);
    let (amp, snr) = tone_fit(&wide[400..], 1000.0, 16000);
    assert!((amp - 10000.0).abs() < 50.0, "amplitude at 16 kHz {amp}");
    assert!(snr > 60.0, "SNR at 16 kHz {snr:.1} dB");
    let (amp, snr) = tone_fit(&back[400..], 1000.0, 8000);
    assert!(
        (amp - 10000.0).abs() < 100.0,
        "amplitude after the round trip {amp}"
    );
    assert!(snr > 55.0, "SNR after the round trip {snr:.1} dB");
}

#[test]
fn a_7khz_tone_does_not_alias_into_the_8khz_band() {
    // At 8 kHz a 7 kHz tone would fold to 1 kHz; the filter must remove it first.
    let input = tone(7000.0, 16000, 16000, 16000.0);
    let mut down = Resampler::new(16000, 8000).unwrap();
    let out = run(&mut down, &input, 320);
    let level = rms(&out[400..]);
    // 16000 peak is 11314 rms; 70 dB down is about 3.6.
    assert!(level < 4.0, "rms after down-sampling: {level}");
    let (alias, _) = tone_fit(&out[400..], 1000.0, 8000);
    assert!(alias < 5.0, "1 kHz alias amplitude {alias}");
}

#[test]
fn up_sampling_leaves_no_image() {
    // A 3 kHz tone at 8 kHz has its first image at 5 kHz once the rate doubles.
    let input = tone(3000.0, 8000, 8000, 16000.0);
    let mut up = Resampler::new(8000, 16000).unwrap();
    let out = run(&mut up, &input, 160);
    let (image, _) = tone_fit(&out[400..], 5000.0, 16000);
    let (wanted, _) = tone_fit(&out[400..], 3000.0, 16000);
    assert!(image < 3.0, "5 kHz image amplitude {image}");
    assert!((wanted - 16000.0).abs() < 200.0, "3 kHz amplitude {wanted}");
}

#[test]
fn pass_band_is_flat_to_3400_hz() {
    for freq in [300.0, 1000.0, 2000.0, 3000.0, 3400.0] {
        let input = tone(freq, 16000, 16000, 10000.0);
        let out = run(&mut Resampler::new(16000, 8000).unwrap(), &input, 320);
        let (amp, _) = tone_fit(&out[400..], freq, 8000);
        assert!(
            (amp / 10000.0 - 1.0).abs() < 0.01,
            "{freq} Hz: amplitude {amp}"
        );
    }
}

#[test]
fn all_rate_pairs_carry_a_tone() {
    for (from, to) in [(8000, 48000), (48000, 8000), (16000, 48000), (48000, 16000)] {
        let input = tone(1000.0, from, from as usize, 8000.0);
        let mut r = Resampler::new(from, to).unwrap();
        let frame = from as usize / 50;
        let out = run(&mut r, &input, frame);
        assert_eq!(out.len(), to as usize);
        let (amp, snr) = tone_fit(&out[to as usize / 20..], 1000.0, to);
        assert!((amp - 8000.0).abs() < 80.0, "{from}->{to}: amplitude {amp}");
        assert!(snr > 55.0, "{from}->{to}: SNR {snr:.1} dB");
    }
}

#[test]
fn odd_chunks_downsample_like_whole_frames() {
    let input = tone(440.0, 48000, 4800, 8000.0);
    let whole = run(&mut Resampler::new(48000, 8000).unwrap(), &input, 960);
    let odd = run(&mut Resampler::new(48000, 8000).unwrap(), &input, 7);
    assert_eq!(whole, odd);
}

#[test]
fn same_rate_is_a_copy_and_bad_ratios_are_refused() {
    let mut r = Resampler::new(16000, 16000).unwrap();
    let mut out = [0i16; 3];
    assert_eq!(r.process(&[1, 2, 3], &mut out), Ok(3));
    assert_eq!(out, [1, 2, 3]);
    assert!(Resampler::new(8000, 11025).is_err());
    assert!(Resampler::new(0, 8000).is_err());
}

#[test]
fn short_output_is_an_error_not_a_panic() {
    let mut r = Resampler::new(8000, 16000).unwrap();
    let mut out = [0i16; 10];
    assert_eq!(
        r.process(&[0; 6], &mut out),
        Err(CodecError::OutputTooSmall {
            needed: 12,
            available: 10
        })
    );
}

#[test]
fn full_scale_input_clips_instead_of_wrapping() {
    let input: Vec<i16> = (0..1600)
        .map(|i| if i % 16 < 8 { i16::MAX } else { i16::MIN })
        .collect();
    let out = run(&mut Resampler::new(8000, 48000).unwrap(), &input, 160);
    // Gibbs overshoot of a square wave would exceed the range; it must clip, never flip sign.
    let peaks = out
        .iter()
        .filter(|&&x| x == i16::MAX || x == i16::MIN)
        .count();
    assert!(peaks > 0);
}
