//! SDES-SRTP offer/answer (RFC 4568): RTP/SAVP with a=crypto, the answer's tag and suite, and
//! a leg that requires encryption refusing clear media.

use tandem_sdp::crypto::{base64_encode, SrtpPolicy};
use tandem_sdp::{
    answer, make_offer, process_answer, Codec, MediaConfig, NegotiationError, SessionDescription,
};

const THEIR_KEY: [u8; 30] = [0x11; 30];
const OUR_KEY: [u8; 30] = [0x22; 30];

fn cfg(srtp: Option<bool>) -> MediaConfig {
    let mut c = MediaConfig::new("192.0.2.1".parse().unwrap(), 10000, vec![Codec::Pcmu]);
    c.srtp = srtp.map(|required| SrtpPolicy {
        key: OUR_KEY.to_vec(),
        required,
    });
    c
}

fn offer(proto: &str, crypto: &str) -> SessionDescription {
    SessionDescription::parse(&format!(
        "v=0\r\no=phone 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n\
         m=audio 4000 {proto} 0\r\n{crypto}"
    ))
    .unwrap()
}

fn baresip_crypto() -> String {
    let k = base64_encode(&THEIR_KEY);
    format!(
        "a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:{k}\r\n\
         a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:{k}\r\n"
    )
}

#[test]
fn an_savp_offer_is_answered_with_the_first_usable_crypto_and_our_key() {
    let (sdp, neg) = answer(&offer("RTP/SAVP", &baresip_crypto()), &cfg(Some(true))).unwrap();
    let m = &sdp.media[0];
    assert_eq!(m.protocol, "RTP/SAVP");
    let lines: Vec<&str> = m.attribute_values("crypto").collect();
    assert_eq!(
        lines,
        [format!(
            "1 AES_CM_128_HMAC_SHA1_32 inline:{}",
            base64_encode(&OUR_KEY)
        )]
    );
    let keys = neg.srtp.unwrap();
    assert_eq!(keys.suite, "AES_CM_128_HMAC_SHA1_32");
    assert_eq!(keys.local_key, OUR_KEY);
    assert_eq!(keys.remote_key, THEIR_KEY);
}

#[test]
fn a_clear_offer_to_a_leg_that_requires_encryption_is_refused() {
    let err = answer(&offer("RTP/AVP", ""), &cfg(Some(true))).unwrap_err();
    assert_eq!(err, NegotiationError::EncryptionRequired);
    // Unusable crypto (unknown suite) counts as none.
    let bad = format!(
        "a=crypto:1 AEAD_AES_256_GCM inline:{}\r\n",
        base64_encode(&[1; 44])
    );
    let err = answer(&offer("RTP/SAVP", &bad), &cfg(Some(true))).unwrap_err();
    assert_eq!(err, NegotiationError::EncryptionRequired);
}

#[test]
fn best_effort_crypto_on_rtp_avp_is_taken_when_allowed_and_ignored_otherwise() {
    let (sdp, neg) = answer(&offer("RTP/AVP", &baresip_crypto()), &cfg(Some(false))).unwrap();
    assert_eq!(sdp.media[0].protocol, "RTP/AVP");
    assert!(neg.srtp.is_some());
    let (sdp, neg) = answer(&offer("RTP/AVP", &baresip_crypto()), &cfg(None)).unwrap();
    assert!(neg.srtp.is_none());
    assert!(!sdp.media[0].has_attribute("crypto"));
}

#[test]
fn an_savp_offer_without_srtp_configured_is_rejected_as_before() {
    let err = answer(&offer("RTP/SAVP", &baresip_crypto()), &cfg(None)).unwrap_err();
    assert_eq!(err, NegotiationError::NoAcceptableMedia);
}

#[test]
fn our_offer_carries_both_suites_and_reads_the_answer_tag() {
    let ours = make_offer(&cfg(Some(true)));
    let m = &ours.media[0];
    assert_eq!(m.protocol, "RTP/SAVP");
    assert_eq!(m.attribute_values("crypto").count(), 2);
    let reparsed = SessionDescription::parse(&ours.print()).unwrap();
    let k = base64_encode(&THEIR_KEY);
    let ans = offer(
        "RTP/SAVP",
        &format!("a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:{k}\r\n"),
    );
    let keys = process_answer(&reparsed, &ans).unwrap().srtp.unwrap();
    assert_eq!(keys.suite, "AES_CM_128_HMAC_SHA1_32");
    assert_eq!(keys.local_key, OUR_KEY);
    assert_eq!(keys.remote_key, THEIR_KEY);
    // An answer in the clear to our RTP/SAVP offer is not accepted.
    let clear = offer("RTP/AVP", "");
    assert_eq!(
        process_answer(&reparsed, &clear).unwrap_err(),
        NegotiationError::EncryptionRequired
    );
    // Tag 1 is _80 in our offer: an answer naming tag 1 with _32 does not match.
    let wrong = offer(
        "RTP/SAVP",
        &format!("a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:{k}\r\n"),
    );
    assert!(process_answer(&reparsed, &wrong).is_err());
}
