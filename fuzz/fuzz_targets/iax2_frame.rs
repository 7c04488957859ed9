//! IAX2 datagrams and information elements (crates/iax2). Invariants: a parsed full, mini or
//! trunk frame writes bytes that parse to the same frame; IEs of a full frame parse without
//! panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tandem_iax2::frame::Datagram;
use tandem_iax2::ie::Ies;

fuzz_target!(|data: &[u8]| {
    // The whole input as IEs too (the IE parser sees any payload).
    let _ = Ies::parse(data);
    let Ok(d) = Datagram::parse(data) else { return };
    match &d {
        Datagram::Full(f) => {
            let _ = Ies::parse(&f.payload);
            let _ = f.iax_command();
            if let Ok(wire) = f.to_bytes() {
                let back = Datagram::parse(&wire).expect("written full frame parses");
                assert_eq!(back, d, "full frame round trip");
            }
        }
        Datagram::Mini(m) => {
            let wire = m.to_bytes().expect("a parsed mini frame has a call number");
            let back = Datagram::parse(&wire).expect("written mini frame parses");
            assert_eq!(back, d, "mini frame round trip");
        }
        Datagram::Trunk(t) => {
            // `truncated` marks bytes the parser dropped; the written frame has none.
            let wire = t.to_bytes();
            let Ok(Datagram::Trunk(mut back)) = Datagram::parse(&wire) else {
                panic!("written trunk frame does not parse as one")
            };
            back.truncated = t.truncated;
            assert_eq!(&back, t, "trunk frame round trip");
        }
        #[allow(unreachable_patterns)]
        _ => {}
    }
});
