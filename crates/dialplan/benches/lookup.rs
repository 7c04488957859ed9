//! Extension lookup in a context of 10,000 explicit extensions and 1,000 patterns.
//!
//! `cargo bench -p tandem-dialplan --bench lookup`

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use tandem_conf::MemSource;
use tandem_dialplan::model::Target;
use tandem_dialplan::{Dialplan, LocalTime};

fn big_context() -> Dialplan {
    let mut text = String::from("[general]\nstatic=yes\n\n[big]\n");
    for i in 0..10_000u32 {
        text.push_str(&format!(
            "exten => {},1,Dial(SIP/{})\n",
            100_000 + i,
            100_000 + i
        ));
    }
    // 1,000 patterns of varied specificity: _NXX[0-9]N.., _1NXX..., _9XX., ...
    for i in 0..1_000u32 {
        let p = match i % 4 {
            0 => format!("_{}NXXXXXX", 200 + i),
            1 => format!("_1{}XXXX", 300 + i),
            2 => format!("_9{}.", 400 + i),
            _ => format!("_[2-9]{}X", 10 + i),
        };
        text.push_str(&format!("exten => {p},1,NoOp({i})\n"));
    }
    text.push_str("exten => _X.,1,NoOp(catch-all)\n");
    let src = MemSource::new().with("extensions.conf", &text);
    let loaded = tandem_conf::load(&src, "extensions.conf");
    let (dp, _) = tandem_dialplan::load::load(&loaded.config, &|_| true, &|_| true);
    dp
}

fn bench(c: &mut Criterion) {
    let dp = big_context();
    let now = LocalTime::new(1_764_150_000, 0);
    assert!(dp
        .find("big", "105000", Target::Priority(1), None, now)
        .is_some());
    assert!(dp
        .find("big", "5551234", Target::Priority(1), None, now)
        .is_some());
    let mut g = c.benchmark_group("lookup_10k_explicit_1k_patterns");
    g.bench_function("explicit_hit", |b| {
        b.iter(|| {
            dp.find(
                black_box("big"),
                black_box("105000"),
                Target::Priority(1),
                None,
                now,
            )
            .is_some()
        })
    });
    g.bench_function("pattern_hit_first", |b| {
        b.iter(|| {
            dp.find(
                black_box("big"),
                black_box("2004567890"),
                Target::Priority(1),
                None,
                now,
            )
            .is_some()
        })
    });
    g.bench_function("pattern_hit_catch_all", |b| {
        b.iter(|| {
            dp.find(
                black_box("big"),
                black_box("5551234"),
                Target::Priority(1),
                None,
                now,
            )
            .is_some()
        })
    });
    g.bench_function("miss", |b| {
        b.iter(|| {
            dp.find(
                black_box("big"),
                black_box("*99"),
                Target::Priority(1),
                None,
                now,
            )
            .is_some()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
