//! RFC 3711 appendix B vectors and libsrtp's known-answer packets, then behaviour: round trips,
//! tampering, replay, rollover.

use aes::cipher::{KeyIvInit, StreamCipher};

use super::*;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn arr<const N: usize>(s: &str) -> [u8; N] {
    hex(s).try_into().unwrap()
}

const MASTER_KEY: &str = "E1F97A0D3E018BE0D64FA32C06DE4139";
const MASTER_SALT: &str = "0EC675AD498AFEEBB6960B3AABE6";

fn context(suite: Suite) -> Context {
    Context::new(suite, &arr(MASTER_KEY), &arr(MASTER_SALT))
}

#[test]
fn rfc3711_b2_aes_cm_keystream() {
    let salt = arr::<14>("F0F1F2F3F4F5F6F7F8F9FAFBFCFD");
    let iv = iv(&salt, 0, 0);
    assert_eq!(iv.to_vec(), hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000"));
    let key = arr::<16>("2B7E151628AED2A6ABF7158809CF4F3C");
    let mut ks = [0u8; 48];
    ctr::Ctr128BE::<aes::Aes128>::new(&key.into(), &iv.into()).apply_keystream(&mut ks);
    assert_eq!(
        ks.to_vec(),
        hex(
            "E03EAD0935C95E80E166B16DD92B4EB4 D23513162B02D0F72A43A2FE4A5F97AB
             41E95B3BB0A2E8DD477901E4FCA894C0"
        )
    );
}

#[test]
fn rfc3711_b3_key_derivation() {
    let (k, s) = (arr(MASTER_KEY), arr(MASTER_SALT));
    assert_eq!(
        kdf::derive::<16>(&k, &s, 0).to_vec(),
        hex("C61E7A93744F39EE10734AFE3FF7A087")
    );
    assert_eq!(
        kdf::derive::<14>(&k, &s, 2).to_vec(),
        hex("30CBBC08863D8C85D49DB34A9AE1")
    );
    assert_eq!(
        kdf::derive::<20>(&k, &s, 1).to_vec(),
        hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4")
    );
}

const PLAIN_RTP: &str = "800f1234decafbadcafebabeabababababababababababababababab";
const SRTP_80: &str =
    "800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb";
const PLAIN_RTCP: &str = "81c8000bcafebabeabababababababababababababababab";
const SRTCP: &str = "81c8000bcafebabe7128035be487b9bdbef89041f977a5a880000001993e08cd54d6c1230798";

#[test]
fn protect_rtp_matches_the_known_answer_for_sha1_80() {
    let mut buf = [0u8; 64];
    let plain = hex(PLAIN_RTP);
    buf[..plain.len()].copy_from_slice(&plain);
    let n = context(Suite::AesCm128HmacSha1_80)
        .protect_rtp(&mut buf, plain.len())
        .unwrap();
    assert_eq!(buf[..n].to_vec(), hex(SRTP_80));
}

#[test]
fn sha1_32_is_the_same_ciphertext_with_a_4_byte_tag() {
    let mut buf = [0u8; 64];
    let plain = hex(PLAIN_RTP);
    buf[..plain.len()].copy_from_slice(&plain);
    let n = context(Suite::AesCm128HmacSha1_32)
        .protect_rtp(&mut buf, plain.len())
        .unwrap();
    assert_eq!(n, plain.len() + 4);
    assert_eq!(buf[..n].to_vec(), hex(SRTP_80)[..n].to_vec());
}

#[test]
fn unprotect_rtp_recovers_the_plaintext() {
    let mut buf = hex(SRTP_80);
    let n = context(Suite::AesCm128HmacSha1_80)
        .unprotect_rtp(&mut buf)
        .unwrap();
    assert_eq!(buf[..n].to_vec(), hex(PLAIN_RTP));
}

#[test]
fn srtcp_matches_the_known_answer_and_round_trips() {
    let mut buf = [0u8; 64];
    let plain = hex(PLAIN_RTCP);
    buf[..plain.len()].copy_from_slice(&plain);
    let n = context(Suite::AesCm128HmacSha1_80)
        .protect_rtcp(&mut buf, plain.len())
        .unwrap();
    assert_eq!(buf[..n].to_vec(), hex(SRTCP));
    let mut rx = hex(SRTCP);
    // SRTCP keeps an 80-bit tag with the _32 suite too.
    let n = context(Suite::AesCm128HmacSha1_32)
        .unprotect_rtcp(&mut rx)
        .unwrap();
    assert_eq!(rx[..n].to_vec(), plain);
}

#[test]
fn a_tampered_packet_is_refused_and_left_unchanged() {
    let mut rx = context(Suite::AesCm128HmacSha1_80);
    let mut buf = hex(SRTP_80);
    buf[14] ^= 1;
    let before = buf.clone();
    assert_eq!(rx.unprotect_rtp(&mut buf), Err(SrtpError::AuthFailed));
    assert_eq!(buf, before);
    assert_eq!(rx.refused, 1);
    let mut wrong_key = Context::new(Suite::AesCm128HmacSha1_80, &[7; 16], &[9; 14]);
    assert_eq!(
        wrong_key.unprotect_rtp(&mut hex(SRTP_80)),
        Err(SrtpError::AuthFailed)
    );
    let mut rtcp = hex(SRTCP);
    rtcp[9] ^= 0x80;
    assert_eq!(
        context(Suite::AesCm128HmacSha1_80).unprotect_rtcp(&mut rtcp),
        Err(SrtpError::AuthFailed)
    );
}

#[test]
fn a_replayed_packet_is_refused() {
    let mut rx = context(Suite::AesCm128HmacSha1_80);
    assert!(rx.unprotect_rtp(&mut hex(SRTP_80)).is_ok());
    assert_eq!(
        rx.unprotect_rtp(&mut hex(SRTP_80)),
        Err(SrtpError::Replayed)
    );
    let mut rtcp_rx = context(Suite::AesCm128HmacSha1_80);
    assert!(rtcp_rx.unprotect_rtcp(&mut hex(SRTCP)).is_ok());
    assert_eq!(
        rtcp_rx.unprotect_rtcp(&mut hex(SRTCP)),
        Err(SrtpError::Replayed)
    );
}

fn rtp(seq: u16, payload: u8) -> [u8; 64] {
    let mut b = [0u8; 64];
    b[0] = 0x80;
    b[2..4].copy_from_slice(&seq.to_be_bytes());
    b[8..12].copy_from_slice(&0x1234_5678u32.to_be_bytes());
    b[12..32].fill(payload);
    b
}

#[test]
fn the_rollover_counter_follows_a_sequence_wrap_and_reordering_within_the_window() {
    let (mut tx, mut rx) = (
        context(Suite::AesCm128HmacSha1_32),
        context(Suite::AesCm128HmacSha1_32),
    );
    let mut sent = Vec::new();
    for i in 0..200u32 {
        let seq = (65_500 + i) as u16;
        let mut b = rtp(seq, i as u8);
        let n = tx.protect_rtp(&mut b, 32).unwrap();
        sent.push((b, n, i as u8));
    }
    // Delivered with neighbours swapped: all accepted, each once.
    for pair in sent.chunks(2) {
        for (b, n, p) in pair.iter().rev() {
            let mut pkt = b[..*n].to_vec();
            let len = rx.unprotect_rtp(&mut pkt).unwrap();
            assert_eq!(len, 32);
            assert!(pkt[12..32].iter().all(|x| x == p));
        }
    }
    assert_eq!(rx.streams[0].rtp.roc(), 1);
    // Too old (more than 64 behind the highest): refused.
    let (old, n, _) = &sent[100];
    assert_eq!(
        rx.unprotect_rtp(&mut old[..*n].to_vec()),
        Err(SrtpError::Replayed)
    );
}

#[test]
fn the_index_estimate_is_the_nearest_to_the_highest_sequence() {
    let mut w = ReplayWindow::default();
    w.accept(0x0001_fff0); // ROC 1, seq 0xfff0
    assert_eq!(w.estimate(0x0005), 0x0002_0005);
    assert_eq!(w.estimate(0xffe0), 0x0001_ffe0);
    let mut w = ReplayWindow::default();
    w.accept(0x0002_0003); // ROC 2, seq 3
    assert_eq!(w.estimate(0xfffe), 0x0001_fffe);
    assert_eq!(w.estimate(0x0010), 0x0002_0010);
}

#[test]
fn short_packets_and_full_buffers_are_errors_not_panics() {
    let mut c = context(Suite::AesCm128HmacSha1_80);
    assert_eq!(c.unprotect_rtp(&mut [0x80; 5]), Err(SrtpError::TooShort));
    assert_eq!(c.unprotect_rtcp(&mut [0x81; 12]), Err(SrtpError::TooShort));
    let mut b = [0x80u8; 20];
    assert_eq!(c.protect_rtp(&mut b, 20), Err(SrtpError::NoRoom));
    // CSRC count 15 with a 30-byte packet: the header runs past the end.
    let mut b = [0u8; 64];
    b[0] = 0x8f;
    assert_eq!(c.protect_rtp(&mut b, 30), Err(SrtpError::TooShort));
    assert_eq!(
        Suite::from_name("AES_CM_128_HMAC_SHA1_32"),
        Some(Suite::AesCm128HmacSha1_32)
    );
    assert_eq!(Suite::from_name("AEAD_AES_256_GCM"), None);
}
