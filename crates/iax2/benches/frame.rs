//! Parse and serialize IAX2 frames: a NEW with its IEs as chan_iax2 sends it, a mini voice
//! frame, and a 10-call trunk datagram.
//!
//! `cargo bench -p tandem-iax2 --bench frame`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use tandem_iax2::consts::{format, FrameType, IaxCommand};
use tandem_iax2::frame::{Datagram, FullFrame, MiniFrame};
use tandem_iax2::ie::{id, IeBuf, Ies};
use tandem_iax2::trunk::{TrunkEntry, TrunkFlavour, TrunkFrame};

fn new_frame() -> FullFrame {
    let mut b = IeBuf::new();
    b.short(id::VERSION, 2);
    b.str(id::CALLED_NUMBER, "6001");
    b.str(id::CALLING_NUMBER, "2000");
    b.byte(id::CALLINGPRES, 0);
    b.byte(id::CALLINGTON, 0);
    b.short(id::CALLINGTNS, 0);
    b.str(id::CALLING_NAME, "Alice Example");
    b.str(id::LANGUAGE, "en");
    b.str(id::CALLED_CONTEXT, "from-trunk");
    b.str(id::USERNAME, "alice");
    b.int(id::FORMAT, format::ULAW as u32);
    b.versioned_u64(id::FORMAT2, format::ULAW);
    b.int(
        id::CAPABILITY,
        (format::ULAW | format::ALAW | format::G722 | format::GSM) as u32,
    );
    b.versioned_u64(
        id::CAPABILITY2,
        format::ULAW | format::ALAW | format::G722 | format::GSM,
    );
    b.str(id::CODEC_PREFS, "DCBE");
    b.int(id::DATETIME, 0x3576_8a2b);
    b.empty(id::CALLTOKEN);
    let mut f = FullFrame::new(FrameType::Iax, IaxCommand::New.to_u64(), b.into_bytes());
    f.source_call = 0x1234;
    f.timestamp = 3;
    f
}

fn bench(c: &mut Criterion) {
    let new = new_frame();
    let new_bytes = new.to_bytes().unwrap();
    let mini = MiniFrame {
        source_call: 0x1234,
        timestamp: 0x5678,
        payload: vec![0x55; 160],
    };
    let mini_bytes = mini.to_bytes().unwrap();
    let trunk = TrunkFrame {
        flavour: TrunkFlavour::Mini,
        timestamp: 1000,
        entries: (1..=10)
            .map(|n| TrunkEntry {
                call: n,
                timestamp: Some(20 * n),
                data: vec![0x55; 160],
            })
            .collect(),
        truncated: false,
    };
    let trunk_bytes = trunk.to_bytes();

    let mut g = c.benchmark_group("iax2");
    g.throughput(Throughput::Bytes(new_bytes.len() as u64));
    g.bench_function("parse NEW + IEs", |b| {
        b.iter(|| {
            let Ok(Datagram::Full(f)) = Datagram::parse(black_box(&new_bytes)) else {
                unreachable!()
            };
            black_box(Ies::parse(&f.payload).unwrap());
        })
    });
    g.bench_function("serialize NEW", |b| {
        b.iter(|| black_box(black_box(&new).to_bytes().unwrap()))
    });
    g.throughput(Throughput::Bytes(mini_bytes.len() as u64));
    g.bench_function("parse mini", |b| {
        b.iter(|| black_box(Datagram::parse(black_box(&mini_bytes)).unwrap()))
    });
    g.bench_function("serialize mini", |b| {
        b.iter(|| black_box(black_box(&mini).to_bytes().unwrap()))
    });
    g.throughput(Throughput::Bytes(trunk_bytes.len() as u64));
    g.bench_function("parse trunk x10", |b| {
        b.iter(|| black_box(Datagram::parse(black_box(&trunk_bytes)).unwrap()))
    });
    g.bench_function("serialize trunk x10", |b| {
        b.iter(|| black_box(black_box(&trunk).to_bytes()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
