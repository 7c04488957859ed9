//! Random and mutated input: the parser and the negotiation never panic, and whatever parses
//! prints to a form that parses back to the same print (a fixed point).

use tandem_sdp::{answer, make_offer, process_answer, Codec, MediaConfig, SessionDescription};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "v=0",
    "o=- 1 1 IN IP4 1.2.3.4",
    "o=",
    "s=",
    "c=IN IP4 0.0.0.0",
    "c=IN IP6 ::1",
    "c=IN",
    "t=0 0",
    "m=audio 4000 RTP/AVP 0 8 101",
    "m=audio 0 RTP/AVP",
    "m=video 99999 RTP/AVP 31",
    "m=image 4 udptl t38",
    "m=audio 4/2 RTP/AVPF 96",
    "a=rtpmap:101 telephone-event/8000",
    "a=rtpmap:96 opus/48000/2",
    "a=rtpmap:0 PCMU",
    "a=rtpmap:999 x/1",
    "a=rtpmap:",
    "a=fmtp:101",
    "a=sendonly",
    "a=inactive",
    "a=recvonly",
    "a=ptime:abc",
    "a=ptime:4294967296",
    "a=rtcp:",
    "a=rtcp-mux",
    "b=AS:64",
    "b=",
    "k=clear:x",
    "r=1 2 3",
    "z=0 0",
    "x=unknown",
    "a=:",
    "a=",
    "=",
    "",
    " ",
    "\r",
    "\t",
    "m=",
    "m=audio",
    "m=audio 1",
    "\u{00e9}=\u{00e9}",
];

fn exercise(text: &str) {
    let Ok(sdp) = SessionDescription::parse(text) else {
        return;
    };
    let printed = sdp.print();
    let again = SessionDescription::parse(&printed).expect("our own print parses");
    assert_eq!(
        again.print(),
        printed,
        "print is not a fixed point for {text:?}"
    );
    let local = MediaConfig::new(
        "192.0.2.1".parse().unwrap(),
        10000,
        vec![Codec::Pcmu, Codec::Opus],
    );
    if let Ok((reply, _)) = answer(&sdp, &local) {
        let _ = SessionDescription::parse(&reply.print()).expect("our answer parses");
    }
    let _ = process_answer(&make_offer(&local), &sdp);
    let _ = process_answer(&sdp, &sdp);
    for m in &sdp.media {
        let _ = (
            m.ptime(),
            m.maxptime(),
            m.rtcp_port(),
            m.crypto(),
            m.direction(),
        );
        for pt in m.payload_types() {
            let _ = (m.rtpmap(pt), m.fmtp(pt));
        }
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    for _ in 0..3000 {
        let len = rng.below(300);
        let bytes: Vec<u8> = (0..len).map(|_| (rng.next() & 0xff) as u8).collect();
        let _ = SessionDescription::parse_bytes(&bytes);
        let mut with_header = b"v=0\r\n".to_vec();
        with_header.extend_from_slice(&bytes);
        if let Ok(s) = SessionDescription::parse_bytes(&with_header) {
            exercise(&s.print());
        }
    }
}

#[test]
fn random_line_soup_never_panics_and_prints_stably() {
    let mut rng = Rng(0xfeed_beef_0000_0042);
    for _ in 0..5000 {
        let mut text = String::from(if rng.below(10) == 0 { "" } else { "v=0\r\n" });
        for _ in 0..rng.below(25) {
            text.push_str(PIECES[rng.below(PIECES.len())]);
            text.push_str(if rng.below(2) == 0 { "\r\n" } else { "\n" });
        }
        exercise(&text);
    }
}

#[test]
fn mutated_fixtures_never_panic() {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let original = std::fs::read(entry.unwrap().path()).unwrap();
        for _ in 0..400 {
            let mut b = original.clone();
            for _ in 0..1 + rng.below(8) {
                if b.is_empty() {
                    break;
                }
                let i = rng.below(b.len());
                match rng.below(4) {
                    0 => b[i] = (rng.next() & 0xff) as u8,
                    1 => {
                        let set = b" =:/\r\n0123456789";
                        b[i] = set[rng.below(set.len())];
                    }
                    2 => {
                        b.remove(i);
                    }
                    _ => b.insert(i, b"\n=a:m0 "[rng.below(7)]),
                }
            }
            if let Ok(s) = SessionDescription::parse_bytes(&b) {
                exercise(&s.print());
                exercise(&String::from_utf8_lossy(&b));
            }
        }
    }
}

#[test]
fn bounds_refuse_huge_inputs_without_allocating_them_all() {
    let many_media = format!("v=0\r\n{}", "m=audio 1 RTP/AVP 0\r\n".repeat(100));
    assert!(SessionDescription::parse(&many_media).is_err());
    let many_formats = format!("v=0\r\nm=audio 1 RTP/AVP{}\r\n", " 0".repeat(200));
    assert!(SessionDescription::parse(&many_formats).is_err());
    let many_attrs = format!("v=0\r\n{}", "a=x\r\n".repeat(600));
    assert!(SessionDescription::parse(&many_attrs).is_err());
    let ok = format!("v=0\r\n{}", "a=x\r\n".repeat(500));
    assert!(SessionDescription::parse(&ok).is_ok());
}
