//! No input makes the message layer panic: RFC 4475 messages mutated at random (bytes flipped,
//! cut, duplicated, SIP punctuation inserted) and pure noise go through the parser, the 400
//! builder, the server checks and the stream framer. Whatever parses must print and parse back
//! to the same message. Deterministic (fixed seeds), no extra dependency.

use tandem_sip::message::stream::{Frame, Framer};
use tandem_sip::message::{
    bad_request_response, parse, validate_request, validate_response, Message,
};

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const INTERESTING: &[&[u8]] = &[
    b"\r\n",
    b"\r\n\r\n",
    b"\r\n ",
    b":",
    b";",
    b",",
    b"<",
    b">",
    b"\"",
    b"\\",
    b"%",
    b"%0",
    b"@",
    b"[",
    b"]",
    b"=",
    b" ",
    b"\t",
    b"\0",
    b"\xff",
    b"\xe2\x82",
    b"Content-Length: 99999\r\n",
    b"l: -1\r\n",
    b"Via: SIP/2.0/UDP [::1\r\n",
    b"SIP/2.0 ",
    b"sip:",
    b"?a=b",
    b";tag=",
];

fn fixtures() -> Vec<Vec<u8>> {
    let dir = format!(
        "{}/../../../shared/fixtures/rfc4475",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut out: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "dat"))
        .filter_map(|e| std::fs::read(e.path()).ok())
        .collect();
    out.sort();
    assert_eq!(out.len(), 49);
    out
}

fn mutate(rng: &mut XorShift, input: &[u8]) -> Vec<u8> {
    let mut b = input.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(b.len() + 1);
        match rng.below(6) {
            0 if !b.is_empty() => {
                let i = rng.below(b.len());
                b[i] = rng.next() as u8;
            }
            1 => b.truncate(at),
            2 => {
                let end = (at + rng.below(64)).min(b.len());
                b.drain(at..end);
            }
            3 => {
                let piece = INTERESTING[rng.below(INTERESTING.len())];
                b.splice(at..at, piece.iter().copied());
            }
            4 => {
                let end = (at + rng.below(200)).min(b.len());
                let dup = b[at..end].to_vec();
                b.splice(at..at, dup);
            }
            _ if !b.is_empty() => {
                let i = rng.below(b.len());
                b[i] = INTERESTING[rng.below(INTERESTING.len())][0];
            }
            _ => {}
        }
    }
    b
}

fn exercise(bytes: &[u8]) -> bool {
    let parsed = parse(bytes).is_ok();
    match parse(bytes) {
        Ok(m) => {
            let printed = m.to_bytes();
            let again = parse(&printed).unwrap_or_else(|e| {
                panic!(
                    "reprint of {:?} failed: {e}\n{:?}",
                    String::from_utf8_lossy(bytes),
                    String::from_utf8_lossy(&printed)
                )
            });
            let mut expected = m.clone();
            let n = m.body().len();
            expected.headers_mut().set("Content-Length", n.to_string());
            assert_eq!(
                again,
                expected,
                "round trip of {:?}",
                String::from_utf8_lossy(bytes)
            );
            match &m {
                Message::Request(r) => {
                    if let Err(rej) = validate_request(r) {
                        let resp = rej.to_response(r);
                        let _ = parse(&resp.to_bytes());
                    }
                }
                Message::Response(r) => {
                    let _ = validate_response(r);
                }
            }
        }
        Err(e) => {
            assert!(e.status == 400 || e.status == 513);
            if let Some(resp) = bad_request_response(bytes, &e) {
                let _ = resp.to_bytes();
            }
        }
    }
    let mut f = Framer::with_limit(4096);
    for chunk in bytes.chunks(97) {
        f.push(chunk);
        loop {
            match f.next_frame() {
                Ok(Some(Frame::Message(m))) => {
                    let _ = parse(&m);
                }
                Ok(Some(Frame::KeepAlive)) => {}
                Ok(None) | Err(_) => break,
            }
        }
    }
    parsed
}

#[test]
fn mutated_torture_messages_never_panic_and_round_trip() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let (mut ok, mut total) = (0usize, 0usize);
    for base in fixtures() {
        exercise(&base);
        for _ in 0..600 {
            total += 1;
            ok += usize::from(exercise(&mutate(&mut rng, &base)));
        }
    }
    // Enough mutants parse for the round-trip property to mean something.
    assert!(ok * 10 > total, "{ok} of {total} mutants parsed");
}

#[test]
fn random_noise_never_panics() {
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
    for _ in 0..5000 {
        let len = rng.below(400);
        let mut b: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        if rng.below(2) == 0 {
            b.splice(0..0, b"INVITE sip:a@b SIP/2.0\r\n".iter().copied());
        }
        exercise(&b);
    }
}
