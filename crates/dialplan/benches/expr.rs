//! Expression evaluation and substitution.
//!
//! `cargo bench -p tandem-dialplan --bench expr`

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use tandem_dialplan::{Env, LocalTime};

/// A minimal environment: three variables, nothing else.
struct BenchEnv;

impl Env for BenchEnv {
    fn get_var(&self, name: &str) -> Option<String> {
        match name {
            "EXTEN" => Some("95551234".into()),
            "COUNT" => Some("7".into()),
            "CALLERNUM" => Some("6001".into()),
            _ => None,
        }
    }
    fn set_var(&mut self, _: &str, _: &str) {}
    fn unset_var(&mut self, _: &str) {}
    fn get_global(&self, _: &str) -> Option<String> {
        None
    }
    fn set_global(&mut self, _: &str, _: &str) {}
    fn set_local(&mut self, _: &str, _: &str) {}
    fn now(&self) -> LocalTime {
        LocalTime::new(1_764_150_000, 0)
    }
    fn random(&mut self) -> u64 {
        4
    }
    fn db_get(&self, _: &str, _: &str) -> Option<String> {
        None
    }
    fn db_put(&mut self, _: &str, _: &str, _: &str) -> bool {
        true
    }
    fn db_delete(&mut self, _: &str, _: &str) -> Option<String> {
        None
    }
    fn callerid(&self, _: &str) -> Option<String> {
        Some("6001".into())
    }
    fn set_callerid(&mut self, _: &str, _: &str) {}
    fn channel(&self, _: &str) -> Option<String> {
        None
    }
    fn set_channel(&mut self, _: &str, _: &str) -> bool {
        false
    }
    fn warn(&mut self, _: &str) {}
}

fn bench(c: &mut Criterion) {
    let mut env = BenchEnv;
    let mut g = c.benchmark_group("expr");
    g.bench_function("arith_compare", |b| {
        b.iter(|| tandem_dialplan::expr::evaluate(black_box("7 + 3 * 2 > 12 & 1"), &mut env))
    });
    g.bench_function("regex_match", |b| {
        b.iter(|| tandem_dialplan::expr::evaluate(black_box("95551234 : \"9([0-9]+)\""), &mut env))
    });
    g.bench_function("conditional", |b| {
        b.iter(|| {
            tandem_dialplan::expr::evaluate(black_box("\"abc\" = \"abc\" ? 10 :: 20"), &mut env)
        })
    });
    g.finish();
    let mut g = c.benchmark_group("substitute");
    g.bench_function("dial_string", |b| {
        b.iter(|| {
            tandem_dialplan::subst::substitute(
                black_box("SIP/${EXTEN:1}@mysipprovider-out,30,r"),
                &mut env,
            )
        })
    });
    g.bench_function("gotoif_expression", |b| {
        b.iter(|| {
            tandem_dialplan::subst::substitute(
                black_box("$[${COUNT} < 10 & ${LEN(${EXTEN})} > 4]?loop:done"),
                &mut env,
            )
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
