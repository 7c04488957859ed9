//! Parse and serialize a typical INVITE (with SDP), as a phone sends it.
//!
//! `cargo bench -p tandem-sip --bench message`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use tandem_sip::message;

#[path = "sample/invite.rs"]
mod invite;
use invite::INVITE;

fn bench(c: &mut Criterion) {
    let bytes = INVITE.as_bytes();
    let msg = message::parse(bytes).expect("the sample parses");
    let mut g = c.benchmark_group("sip_invite");
    g.throughput(Throughput::Elements(1));
    g.bench_function("parse", |b| {
        b.iter(|| message::parse(black_box(bytes)).is_ok())
    });
    g.bench_function("serialize", |b| b.iter(|| black_box(&msg).to_bytes().len()));
    g.bench_function("parse_and_serialize", |b| {
        b.iter(|| {
            message::parse(black_box(bytes))
                .map(|m| m.to_bytes().len())
                .unwrap_or(0)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
