//! AMI message framing (crates/ami). Invariant: the messages (and errors) do not depend on how
//! the byte stream is cut into reads. The first byte picks the cut.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tandem_ami::{Decoder, FrameError, Message};

fn drain(d: &mut Decoder, out: &mut Vec<Result<Message, FrameError>>) {
    while let Some(m) = d.poll() {
        out.push(m);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&cut, stream)) = data.split_first() else { return };
    let mut whole = Decoder::new();
    let mut a = Vec::new();
    whole.push(stream);
    drain(&mut whole, &mut a);

    // In two pieces at `cut` (scaled over the stream), polling in between.
    let at = if stream.is_empty() { 0 } else { usize::from(cut) * stream.len() / 256 };
    let mut split = Decoder::new();
    let mut b = Vec::new();
    split.push(&stream[..at]);
    drain(&mut split, &mut b);
    split.push(&stream[at..]);
    drain(&mut split, &mut b);
    assert_eq!(a, b, "framing depends on the read boundaries");

    // Byte by byte.
    let mut bytes = Decoder::new();
    let mut c = Vec::new();
    for chunk in stream.chunks(1) {
        bytes.push(chunk);
        drain(&mut bytes, &mut c);
    }
    assert_eq!(a, c, "framing byte by byte differs");
    for m in a.iter().flatten() {
        let _ = (m.get("Action"), m.get_all("Variable").count());
    }
});
