//! Per-packet costs: the relay path (rewrite + forward decision), RTP parse, and for
//! comparison the frame path's jitter buffer and an RTCP compound parse.
//!
//! `cargo bench -p tandem-rtp --bench relay`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::time::{Duration, Instant};
use tandem_rtp::rtcp::{
    parse_compound, write_compound, ReceiverReport, ReportBlock, RtcpPacket, Sdes, SdesChunk,
};
use tandem_rtp::{JitterBuffer, JitterConfig, Rewriter, RtpHeader, RtpPacket};

fn pcmu() -> Vec<u8> {
    RtpHeader::new(0, 1000, 160_000, 0x5d1c_33a7)
        .to_vec(&[0xff; 160])
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("rtp");
    g.throughput(Throughput::Elements(1));

    let packet = pcmu();
    g.bench_function("parse (PCMU, 172 bytes)", |b| {
        b.iter(|| {
            let p = RtpPacket::parse(black_box(&packet)).unwrap();
            black_box((p.sequence(), p.timestamp(), p.ssrc(), p.payload().len()))
        })
    });

    let t0 = Instant::now();
    let mut rw = Rewriter::new(0x1234_5678, 8000);
    rw.allow_only(&[0, 8, 101]);
    let mut buf = pcmu();
    let mut seq = 0u16;
    let mut now = t0;
    g.bench_function("relay: rewrite + forward decision", |b| {
        b.iter(|| {
            seq = seq.wrapping_add(1);
            now += Duration::from_millis(20);
            buf[2..4].copy_from_slice(&seq.to_be_bytes());
            black_box(rw.rewrite(now, black_box(&mut buf)))
        })
    });

    let mut jb = JitterBuffer::new(JitterConfig::default());
    let payload = [0xffu8; 160];
    let mut seq = 0u16;
    let mut now = t0;
    g.bench_function("frame path: jitter buffer push + pop", |b| {
        b.iter(|| {
            seq = seq.wrapping_add(1);
            now += Duration::from_millis(20);
            jb.push(now, seq, u32::from(seq) * 160, false, 0, &payload);
            black_box(jb.pop(now))
        })
    });
    g.finish();

    let compound = write_compound(&[
        RtcpPacket::ReceiverReport(ReceiverReport {
            ssrc: 1,
            reports: vec![ReportBlock {
                ssrc: 2,
                ..Default::default()
            }],
        }),
        RtcpPacket::Sdes(Sdes {
            chunks: vec![SdesChunk::cname(1, "tandem@192.0.2.10")],
        }),
    ])
    .unwrap();
    c.bench_function("rtcp: parse RR + SDES compound", |b| {
        b.iter(|| black_box(parse_compound(black_box(&compound))))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
