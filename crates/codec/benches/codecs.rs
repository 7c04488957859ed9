//! Encode and decode of one 20 ms frame for each codec, the resampler on one frame, and a
//! transcoding chain. `cargo bench -p tandem-codec --bench codecs`

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use tandem_codec::{Codec, CodecKind, Resampler, Transcoder};

fn tone(freq: f64, rate: u32, n: usize) -> Vec<i16> {
    (0..n)
        .map(|i| {
            (8000.0 * (2.0 * std::f64::consts::PI * freq * i as f64 / rate as f64).sin()) as i16
        })
        .collect()
}

fn codecs(c: &mut Criterion) {
    for kind in [
        CodecKind::Pcmu,
        CodecKind::Pcma,
        CodecKind::G722,
        CodecKind::Opus,
    ] {
        let mut codec = Codec::new(kind).unwrap();
        let pcm = tone(1000.0, kind.sample_rate(), kind.frame_samples());
        let mut payload = vec![0u8; 2000];
        let mut out = vec![0i16; kind.frame_samples()];
        c.bench_function(&format!("{kind}/encode 20ms"), |b| {
            b.iter(|| codec.encode(black_box(&pcm), &mut payload).unwrap())
        });
        let n = codec.encode(&pcm, &mut payload).unwrap();
        let packet = payload[..n].to_vec();
        c.bench_function(&format!("{kind}/decode 20ms"), |b| {
            b.iter(|| codec.decode(black_box(&packet), &mut out).unwrap())
        });
    }
}

fn resampler(c: &mut Criterion) {
    for (from, to) in [
        (8000, 16000),
        (16000, 8000),
        (8000, 48000),
        (48000, 8000),
        (16000, 48000),
        (48000, 16000),
    ] {
        let mut r = Resampler::new(from, to).unwrap();
        let pcm = tone(1000.0, from, from as usize / 50);
        let mut out = vec![0i16; to as usize / 50];
        c.bench_function(&format!("resample {from}->{to} 20ms"), |b| {
            b.iter(|| r.process(black_box(&pcm), &mut out).unwrap())
        });
    }
}

fn transcoder(c: &mut Criterion) {
    for (from, to) in [
        (CodecKind::Pcmu, CodecKind::Pcma),
        (CodecKind::Pcmu, CodecKind::G722),
        (CodecKind::G722, CodecKind::Pcmu),
        (CodecKind::Opus, CodecKind::Pcmu),
    ] {
        let mut source = Codec::new(from).unwrap();
        let mut payload = vec![0u8; 2000];
        let n = source
            .encode(
                &tone(1000.0, from.sample_rate(), from.frame_samples()),
                &mut payload,
            )
            .unwrap();
        let packet = payload[..n].to_vec();
        let mut t = Transcoder::new(from, to).unwrap();
        let mut out = vec![0u8; 4000];
        c.bench_function(&format!("transcode {} 20ms", t.path()), |b| {
            b.iter(|| t.transcode(black_box(&packet), &mut out).unwrap())
        });
    }
}

criterion_group!(benches, codecs, resampler, transcoder);
criterion_main!(benches);
