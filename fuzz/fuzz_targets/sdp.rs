//! SDP parser (crates/sdp). Invariant: a parsed description prints to text that parses again
//! and prints the same.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tandem_sdp::SessionDescription;

fuzz_target!(|data: &[u8]| {
    let Ok(sd) = SessionDescription::parse_bytes(data) else { return };
    let text = sd.to_string();
    let again = match SessionDescription::parse(&text) {
        Ok(s) => s,
        Err(e) => panic!("printed SDP does not parse again: {e:?}\n{text}"),
    };
    assert_eq!(text, again.to_string(), "printing is not a fixed point");
});
