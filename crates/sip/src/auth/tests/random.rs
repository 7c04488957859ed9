//! Random and mutated input never panics.

use super::super::digest::Algorithm;
use super::super::*;
use super::{answer, server, SECRET, SRC};

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "Digest",
    "digest ",
    " ",
    "\t",
    "\r\n ",
    ",",
    "=",
    "\"",
    "\\",
    "realm",
    "nonce",
    "qop",
    "auth",
    "auth-int",
    "nc",
    "cnonce",
    "uri",
    "username",
    "response",
    "algorithm",
    "MD5",
    "SHA-256-sess",
    "stale",
    "true",
    "opaque",
    "domain",
    "00000001",
    "é",
    "\u{0}",
    "sip:a@b",
    "Basic",
    "Digest realm=",
];

fn random_value(rng: &mut XorShift) -> String {
    let mut s = String::new();
    for _ in 0..rng.below(40) {
        if rng.below(4) == 0 {
            s.push(char::from_u32(rng.below(0x250) as u32).unwrap_or('x'));
        } else {
            s.push_str(PIECES.get(rng.below(PIECES.len())).copied().unwrap_or(""));
        }
    }
    s
}

fn mutate(rng: &mut XorShift, base: &str) -> String {
    let mut chars: Vec<char> = base.chars().collect();
    for _ in 0..=rng.below(4) {
        let i = rng.below(chars.len() + 1);
        match rng.below(3) {
            0 if i < chars.len() => {
                chars.remove(i);
            }
            1 => chars.insert(
                i,
                ['"', '\\', ',', '=', ' ', 'D']
                    .get(rng.below(6))
                    .copied()
                    .unwrap_or('x'),
            ),
            _ => {
                if let Some(c) = chars.get_mut(i) {
                    *c = char::from_u32(rng.below(128) as u32).unwrap_or('x');
                }
            }
        }
    }
    chars.into_iter().collect()
}

#[test]
fn random_and_mutated_input_never_panics_the_parsers_server_or_client() {
    let s = server(&[Algorithm::Md5, Algorithm::Sha256Sess], true);
    let good_ch = s.challenge_values(0, SRC, false).concat();
    let good_cr = answer(
        &s.challenge_values(0, SRC, false),
        "u",
        &Secret::password("p"),
        "c",
    )
    .to_header_value();
    let nonces = NonceManager::new(SECRET);
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut parsed = 0usize;
    for i in 0..20_000 {
        let v = match i % 3 {
            0 => random_value(&mut rng),
            1 => mutate(&mut rng, &good_ch),
            _ => mutate(&mut rng, &good_cr),
        };
        if let Ok(c) = Challenge::parse(&v) {
            parsed += 1;
            // Whatever parses prints to something that parses back to the same challenge.
            assert_eq!(
                Challenge::parse(&c.to_header_value()).as_ref(),
                Ok(&c),
                "{v:?}"
            );
        }
        let _ = Challenge::parse_all(&v);
        if let Ok(c) = Credentials::parse(&v) {
            parsed += 1;
            assert_eq!(
                Credentials::parse(&c.to_header_value()).as_ref(),
                Ok(&c),
                "{v:?}"
            );
            let _ = s.verify(&c, "REGISTER", &Secret::md5secret("00"), SRC, 1);
            let _ = s.dummy_verify(&c, "REGISTER", SRC, 1);
        }
        let _ = s.verify_value(&v, "INVITE", &Secret::password("p"), SRC, 1);
        let _ = DigestClient::new().respond(
            &[v.as_str()],
            "u",
            &Secret::password("p"),
            "INVITE",
            "sip:x",
            "c",
        );
        let _ = nonces.check(&v, 1, "asterisk", SRC);
    }
    assert!(
        parsed > 100,
        "the mutations should keep some inputs valid ({parsed})"
    );
}
