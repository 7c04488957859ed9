//! SIP message parser (crates/sip). Invariant: whatever parses serializes to bytes that parse
//! again, and serializing that second message gives the same bytes (a fixed point).
#![no_main]
use libfuzzer_sys::fuzz_target;
use tandem_sip::message::{parse, Message};

fuzz_target!(|data: &[u8]| {
    let Ok(first) = parse(data) else { return };
    let _ = (first.as_request(), first.as_response(), first.body());
    let wire: Vec<u8> = first.to_bytes();
    let second: Message = match parse(&wire) {
        Ok(m) => m,
        Err(e) => panic!("serialized message does not parse again: {e:?}\n{}", String::from_utf8_lossy(&wire)),
    };
    let again = second.to_bytes();
    assert_eq!(
        String::from_utf8_lossy(&wire),
        String::from_utf8_lossy(&again),
        "serialization is not a fixed point"
    );
});
