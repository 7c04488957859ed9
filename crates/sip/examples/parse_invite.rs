//! Parses and serializes the bench's INVITE N times (argument, default 10,000), for counting
//! instructions with callgrind without criterion's own work in the count:
//!
//! `valgrind --tool=callgrind target/release/examples/parse_invite 0` and `... 10000`: the
//! difference of the two totals divided by 10,000 is the cost of one parse + serialize.

#[path = "../benches/sample/invite.rs"]
mod invite;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let bytes = std::hint::black_box(invite::INVITE.as_bytes());
    let mut total = 0usize;
    for _ in 0..n {
        total += tandem_sip::message::parse(std::hint::black_box(bytes))
            .map(|m| m.to_bytes().len())
            .unwrap_or(0);
    }
    println!("{n} INVITEs parsed and serialized, {total} bytes");
}
