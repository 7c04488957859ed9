use super::*;
use crate::test_signal::{tone, tone_fit};
use CodecKind::*;

fn path(from: CodecKind, to: CodecKind) -> String {
    Path::find(from, to).unwrap().to_string()
}

#[test]
fn paths_are_asterisks_cheapest() {
    assert_eq!(path(Pcmu, Pcmu), "ulaw");
    assert_eq!(path(Pcmu, Pcma), "ulaw->alaw");
    assert_eq!(path(Pcmu, Slin8), "ulaw->slin");
    // 8 kHz codecs reach G.722 through its narrow mode, not through a resampler.
    assert_eq!(path(Pcmu, G722), "ulaw->slin->g722");
    assert_eq!(path(G722, Pcma), "g722->slin->alaw");
    assert_eq!(path(G722, Slin16), "g722->slin16");
    assert_eq!(path(Pcmu, Opus), "ulaw->slin->slin48->opus");
    assert_eq!(path(Opus, G722), "opus->slin48->slin16->g722");
    assert_eq!(path(Slin16, Pcmu), "slin16->slin->ulaw");
}

#[test]
fn path_costs_add_up_asterisks_table() {
    let p = Path::find(Pcmu, G722).unwrap();
    assert_eq!(p.cost, cost::LY_LL_ORIGSAMP + cost::LL_LY_UPSAMP);
    assert_eq!(p.steps(), 2);
    assert_eq!(Path::find(Pcmu, Pcma).unwrap().cost, cost::LY_LY_ORIGSAMP);
    assert_eq!(Path::find(Pcma, Pcma).unwrap().cost, 0);
    // Every format reaches every other.
    for a in CodecKind::ALL {
        for b in CodecKind::ALL {
            assert!(Path::find(a, b).is_some(), "{a} -> {b}");
        }
    }
}

#[test]
fn mu_to_a_table_is_decode_then_encode() {
    for c in 0..=255u8 {
        assert_eq!(ulaw_to_alaw(c), alaw::encode_sample(ulaw::decode_sample(c)));
        assert_eq!(alaw_to_ulaw(c), ulaw::encode_sample(alaw::decode_sample(c)));
    }
    assert_eq!(ulaw_to_alaw(0xff), 0xd5);
    // A-law +8 is mu-law +8 (0xfe), not +0.
    assert_eq!(alaw_to_ulaw(0xd5), 0xfe);
}

fn run(from: CodecKind, to: CodecKind, pcm: &[i16]) -> Vec<i16> {
    let mut source = Codec::new(from).unwrap();
    let mut sink = Codec::new(to).unwrap();
    let mut t = Transcoder::new(from, to).unwrap();
    let mut payload = vec![0u8; 2000];
    let mut out = vec![0u8; 4000];
    let mut pcm_out = vec![0i16; 2000];
    let mut result = Vec::new();
    for frame in pcm.chunks_exact(from.frame_samples()) {
        let n = source.encode(frame, &mut payload).unwrap();
        let m = t.transcode(&payload[..n], &mut out).unwrap();
        let k = sink.decode(&out[..m], &mut pcm_out).unwrap();
        assert_eq!(k, to.frame_samples(), "{from} -> {to}: samples per frame");
        result.extend_from_slice(&pcm_out[..k]);
    }
    result
}

#[test]
fn pcmu_to_pcma_carries_a_tone() {
    let out = run(Pcmu, Pcma, &tone(1000.0, 8000, 8000, 10000.0));
    let (amp, snr) = tone_fit(&out, 1000.0, 8000);
    assert!((amp / 10000.0 - 1.0).abs() < 0.02, "amplitude {amp}");
    assert!(snr > 30.0, "SNR {snr:.1} dB");
}

#[test]
fn pcmu_to_g722_and_back_carries_a_tone() {
    let wide = run(Pcmu, G722, &tone(1000.0, 8000, 8000, 10000.0));
    assert_eq!(wide.len(), 16000);
    let (amp, snr) = tone_fit(&wide[1600..], 1000.0, 16000);
    // The narrow mode puts the 8 kHz signal in the lower band of the QMF: about half the
    // level comes out at 16 kHz (Asterisk's lintog722 behaves the same).
    assert!(amp > 3000.0, "amplitude at 16 kHz {amp}");
    assert!(snr > 15.0, "SNR at 16 kHz {snr:.1} dB");

    let back = run(G722, Pcmu, &tone(1000.0, 16000, 16000, 10000.0));
    assert_eq!(back.len(), 8000);
    let (amp, snr) = tone_fit(&back[800..], 1000.0, 8000);
    assert!(amp > 3000.0, "amplitude at 8 kHz {amp}");
    assert!(snr > 15.0, "SNR at 8 kHz {snr:.1} dB");
}

#[test]
fn opus_to_pcma_carries_a_tone() {
    let out = run(Opus, Pcma, &tone(1000.0, 48000, 48000, 10000.0));
    let (amp, snr) = tone_fit(&out[1600..], 1000.0, 8000);
    assert!((amp / 10000.0 - 1.0).abs() < 0.15, "amplitude {amp}");
    assert!(snr > 15.0, "SNR {snr:.1} dB");
}

#[test]
fn same_format_is_copied() {
    let mut t = Transcoder::new(G722, G722).unwrap();
    let mut out = [0u8; 4];
    assert_eq!(t.transcode(&[1, 2, 3], &mut out), Ok(3));
    assert_eq!(out[..3], [1, 2, 3]);
    assert!(t.transcode(&[0; 5], &mut out).is_err());
}

#[test]
fn linear_ends_are_l16() {
    let mut t = Transcoder::new(Slin8, Pcmu).unwrap();
    let mut out = [0u8; 2];
    // 1000 big-endian, then 0.
    assert_eq!(t.transcode(&[0x03, 0xe8, 0, 0], &mut out), Ok(2));
    assert_eq!(out, [ulaw::encode_sample(1000), 0xff]);
}
