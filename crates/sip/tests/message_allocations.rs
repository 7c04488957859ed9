//! How many heap allocations parsing and serializing the bench's INVITE costs (issue 8: malloc
//! and free were a fifth of tandem's CPU at 400 calls/s). Counted on this thread only.

use tandem_sip::message;
use tandem_testkit::{thread_allocations, ThreadCounting};

#[global_allocator]
static ALLOCATOR: ThreadCounting = ThreadCounting;

#[path = "../benches/sample/invite.rs"]
mod invite;

fn allocations<T>(f: impl FnOnce() -> T) -> (u64, T) {
    let before = thread_allocations();
    let out = f();
    (thread_allocations() - before, out)
}

#[test]
fn parse_and_serialize_of_an_invite_allocate_little() {
    let bytes = invite::INVITE.as_bytes();
    // The first parse also builds the header-name table (once per process).
    assert!(message::parse(bytes).is_ok());
    let (parse, msg) = allocations(|| message::parse(bytes));
    let msg = msg.expect("the sample parses");
    let (serialize, wire) = allocations(|| msg.to_bytes());
    let (both, len) = allocations(|| message::parse(bytes).map(|m| m.to_bytes().len()));
    assert_eq!(wire, bytes, "serialized as received");
    assert_eq!(len, Ok(bytes.len()));
    println!("allocations: parse {parse}, serialize {serialize}, parse + serialize {both}");
    // Headers text and index, Request-URI user, version, body; one output buffer. Before the
    // borrowed header storage: 50, 8 and 58.
    assert!(parse <= 5, "parse allocated {parse} times");
    assert!(serialize <= 1, "serialize allocated {serialize} times");
    assert!(both <= 6, "parse + serialize allocated {both} times");
}
