//! Offer/answer scenarios: a basic call, hold and unhold (both styles), session versions,
//! rejected streams, no common codec, answers we receive.

use tandem_sdp::{
    answer, make_offer, process_answer, sdp_version_changed, Codec, Direction, MediaConfig,
    NegotiationError, SdpSession, SessionDescription,
};

fn cfg(ip: &str, port: u16, codecs: Vec<Codec>) -> MediaConfig {
    let mut c = MediaConfig::new(ip.parse().unwrap(), port, codecs);
    c.session_id = 1000;
    c.session_version = 1000;
    c
}

fn phone_offer(extra: &str, conn: &str) -> SessionDescription {
    let text = format!(
        "v=0\r\no=phone 5 6 IN IP4 10.1.1.1\r\ns=-\r\nc=IN IP4 {conn}\r\nt=0 0\r\n\
         m=audio 4000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n{extra}"
    );
    SessionDescription::parse(&text).unwrap()
}

#[test]
fn our_offer_looks_like_chan_sip() {
    let mut c = cfg(
        "192.0.2.1",
        10000,
        vec![Codec::Pcmu, Codec::Pcma, Codec::G722, Codec::Opus],
    );
    c.ptime = Some(20);
    let out = make_offer(&c).print();
    let expected =
        "v=0\r\no=tandem 1000 1000 IN IP4 192.0.2.1\r\ns=tandem\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n\
        m=audio 10000 RTP/AVP 0 8 9 107 101\r\n\
        a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:9 G722/8000\r\n\
        a=rtpmap:107 opus/48000/2\r\na=fmtp:107 useinbandfec=1\r\n\
        a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n\
        a=ptime:20\r\na=sendrecv\r\n";
    assert_eq!(out, expected);
}

#[test]
fn codecs_without_a_payload_number_get_dynamic_ones() {
    let ilbc = Codec::Other {
        name: "iLBC".into(),
        rate: 8000,
    };
    let speex = Codec::Other {
        name: "speex".into(),
        rate: 16000,
    };
    let mut c = cfg(
        "192.0.2.1",
        10000,
        vec![ilbc, Codec::Pcmu, speex, Codec::Pcmu],
    );
    c.telephone_event = Some(96);
    let sdp = make_offer(&c);
    assert_eq!(sdp.media[0].formats, vec!["97", "0", "98", "96"]);
    assert_eq!(sdp.media[0].rtpmap(98).unwrap().encoding, "speex");
}

#[test]
fn a_basic_call_both_ways() {
    let a = cfg("192.0.2.1", 10000, vec![Codec::Pcma, Codec::Pcmu]);
    let b = cfg("192.0.2.2", 20000, vec![Codec::Pcmu]);
    let offer = make_offer(&a);
    let (reply, at_b) = answer(&offer, &b).unwrap();
    assert_eq!(
        (at_b.codec.clone(), at_b.payload_type, at_b.telephone_event),
        (Codec::Pcmu, 0, Some(101))
    );
    assert_eq!(at_b.remote_rtp, Some("192.0.2.1:10000".parse().unwrap()));
    assert_eq!(at_b.direction, Direction::SendRecv);
    assert!(!at_b.remote_hold);
    let at_a = process_answer(&offer, &reply).unwrap();
    assert_eq!(
        (at_a.codec, at_a.payload_type, at_a.telephone_event),
        (Codec::Pcmu, 0, Some(101))
    );
    assert_eq!(at_a.remote_rtp, Some("192.0.2.2:20000".parse().unwrap()));
    assert_eq!(at_a.ptime, 20);
}

#[test]
fn no_common_codec_is_an_error_for_488() {
    let offer = phone_offer("", "10.1.1.1");
    let err = answer(
        &offer,
        &cfg("192.0.2.1", 10000, vec![Codec::G722, Codec::Opus]),
    )
    .unwrap_err();
    assert_eq!(err, NegotiationError::NoCommonCodec);
    // Telephone-event alone is not a codec.
    let only_events = SessionDescription::parse(
        "v=0\r\nc=IN IP4 1.1.1.1\r\nm=audio 4 RTP/AVP 101\r\na=rtpmap:101 telephone-event/8000\r\n",
    )
    .unwrap();
    assert_eq!(
        answer(&only_events, &cfg("192.0.2.1", 1, vec![Codec::Pcmu])).unwrap_err(),
        NegotiationError::NoCommonCodec
    );
}

#[test]
fn srtp_only_or_video_only_offers_have_no_acceptable_media() {
    for body in [
        "v=0\r\nc=IN IP4 1.1.1.1\r\nm=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:x\r\n",
        "v=0\r\nc=IN IP4 1.1.1.1\r\nm=video 4000 RTP/AVP 31\r\n",
        "v=0\r\nc=IN IP4 1.1.1.1\r\nm=audio 0 RTP/AVP 0\r\n",
        "v=0\r\nc=IN IP4 1.1.1.1\r\n",
    ] {
        let offer = SessionDescription::parse(body).unwrap();
        let err = answer(&offer, &cfg("192.0.2.1", 1, vec![Codec::Pcmu])).unwrap_err();
        assert_eq!(err, NegotiationError::NoAcceptableMedia, "{body}");
    }
}

#[test]
fn missing_connection_is_reported() {
    let offer = SessionDescription::parse("v=0\r\nm=audio 4000 RTP/AVP 0\r\n").unwrap();
    let err = answer(&offer, &cfg("192.0.2.1", 1, vec![Codec::Pcmu])).unwrap_err();
    assert_eq!(err, NegotiationError::MissingConnection);
}

#[test]
fn rejected_streams_are_answered_with_port_zero_in_place() {
    let offer = SessionDescription::parse(
        "v=0\r\nc=IN IP4 1.1.1.1\r\nm=video 5000 RTP/AVP 34\r\nm=audio 4000 RTP/AVP 0\r\n\
         m=audio 4002 RTP/AVP 8\r\nm=image 4004 udptl t38\r\n",
    )
    .unwrap();
    let (reply, n) = answer(
        &offer,
        &cfg("192.0.2.1", 10000, vec![Codec::Pcmu, Codec::Pcma]),
    )
    .unwrap();
    let ports: Vec<u16> = reply.media.iter().map(|m| m.port).collect();
    assert_eq!(ports, vec![0, 10000, 0, 0]);
    assert_eq!(n.remote_port, 4000);
    assert!(reply.print().contains("m=image 0 udptl t38\r\n"));
}

#[test]
fn sendonly_offer_is_hold_answered_recvonly() {
    let (reply, n) = answer(
        &phone_offer("a=sendonly\r\n", "10.1.1.1"),
        &cfg("192.0.2.1", 1, vec![Codec::Pcmu]),
    )
    .unwrap();
    assert!(n.remote_hold);
    assert_eq!(n.direction, Direction::RecvOnly);
    assert_eq!(reply.media[0].direction(), Some(Direction::RecvOnly));
}

#[test]
fn inactive_offer_is_hold_answered_inactive() {
    let (reply, n) = answer(
        &phone_offer("a=inactive\r\n", "10.1.1.1"),
        &cfg("192.0.2.1", 1, vec![Codec::Pcmu]),
    )
    .unwrap();
    assert!(n.remote_hold);
    assert_eq!(n.direction, Direction::Inactive);
    assert!(reply.print().contains("a=inactive\r\n"));
}

#[test]
fn recvonly_offer_is_answered_sendonly_and_is_not_hold() {
    let (_, n) = answer(
        &phone_offer("a=recvonly\r\n", "10.1.1.1"),
        &cfg("192.0.2.1", 1, vec![Codec::Pcmu]),
    )
    .unwrap();
    assert!(!n.remote_hold);
    assert_eq!(n.direction, Direction::SendOnly);
}

#[test]
fn old_style_hold_with_zero_address_is_detected() {
    // RFC 2543 hold: c=0.0.0.0 and no direction attribute. Like chan_sip, the answer stays
    // sendrecv (the address already says "do not send").
    let (reply, n) = answer(
        &phone_offer("", "0.0.0.0"),
        &cfg("192.0.2.1", 1, vec![Codec::Pcmu]),
    )
    .unwrap();
    assert!(n.remote_hold);
    assert_eq!(n.direction, Direction::SendRecv);
    assert_eq!(reply.media[0].direction(), Some(Direction::SendRecv));
    assert_eq!(n.remote_host, "0.0.0.0");
}

#[test]
fn session_level_direction_applies_and_media_level_overrides_it() {
    let offer = SessionDescription::parse(
        "v=0\r\nc=IN IP4 1.1.1.1\r\na=sendonly\r\nm=audio 4000 RTP/AVP 0\r\n",
    )
    .unwrap();
    let (_, n) = answer(&offer, &cfg("192.0.2.1", 1, vec![Codec::Pcmu])).unwrap();
    assert_eq!(n.direction, Direction::RecvOnly);
    let offer = SessionDescription::parse(
        "v=0\r\nc=IN IP4 1.1.1.1\r\na=sendonly\r\nm=audio 4000 RTP/AVP 0\r\na=sendrecv\r\n",
    )
    .unwrap();
    let (_, n) = answer(&offer, &cfg("192.0.2.1", 1, vec![Codec::Pcmu])).unwrap();
    assert_eq!(n.direction, Direction::SendRecv);
}

#[test]
fn we_hold_and_unhold_with_increasing_session_versions() {
    let mut session = SdpSession::new(1000);
    let mut local = cfg("192.0.2.1", 10000, vec![Codec::Pcmu]);
    let first = session.offer(&local);
    assert_eq!(first.origin.session_version, "1000");
    // A refresh with nothing changed keeps the version (session timers).
    assert_eq!(session.offer(&local).origin.session_version, "1000");

    local.direction = Direction::SendOnly;
    let hold = session.offer(&local);
    assert_eq!(hold.origin.session_version, "1001");
    assert_eq!(hold.media[0].direction(), Some(Direction::SendOnly));
    let phone = cfg("10.1.1.1", 4000, vec![Codec::Pcmu]);
    let (reply, at_phone) = answer(&hold, &phone).unwrap();
    assert!(at_phone.remote_hold);
    assert_eq!(reply.media[0].direction(), Some(Direction::RecvOnly));
    let at_us = process_answer(&hold, &reply).unwrap();
    assert_eq!(at_us.direction, Direction::SendOnly);
    assert!(!at_us.remote_hold);

    local.direction = Direction::SendRecv;
    let unhold = session.offer(&local);
    assert_eq!(unhold.origin.session_version, "1002");
    assert_eq!(unhold.origin.session_id, "1000");
    assert_eq!(session.version(), 1002);
}

#[test]
fn answers_to_re_invites_bump_the_version_only_on_change() {
    let mut session = SdpSession::new(7);
    let local = cfg("192.0.2.1", 10000, vec![Codec::Pcmu]);
    let (a1, _) = session
        .answer(&phone_offer("", "10.1.1.1"), &local)
        .unwrap();
    let (a2, n2) = session
        .answer(&phone_offer("a=sendonly\r\n", "10.1.1.1"), &local)
        .unwrap();
    let (a3, n3) = session
        .answer(&phone_offer("a=sendrecv\r\n", "10.1.1.1"), &local)
        .unwrap();
    let versions: Vec<&str> = [&a1, &a2, &a3]
        .iter()
        .map(|s| s.origin.session_version.as_str())
        .collect();
    assert_eq!(versions, vec!["7", "8", "9"]);
    assert!(n2.remote_hold && !n3.remote_hold);
}

#[test]
fn remote_sdp_with_the_same_version_counts_as_unchanged() {
    let a = phone_offer("", "10.1.1.1").origin;
    let mut b = a.clone();
    assert!(sdp_version_changed(None, &a));
    assert!(!sdp_version_changed(Some(&a), &b));
    b.session_version = "7".into();
    assert!(sdp_version_changed(Some(&a), &b));
    b.session_version = "5".into();
    assert!(!sdp_version_changed(Some(&a), &b));
    b.session_id = "99".into();
    assert!(sdp_version_changed(Some(&a), &b));
}

#[test]
fn answer_processing_errors() {
    let offer = make_offer(&cfg("192.0.2.1", 10000, vec![Codec::Pcmu]));
    let rejected =
        SessionDescription::parse("v=0\r\nc=IN IP4 1.1.1.1\r\nm=audio 0 RTP/AVP 0\r\n").unwrap();
    assert_eq!(
        process_answer(&offer, &rejected).unwrap_err(),
        NegotiationError::Rejected
    );
    let wrong =
        SessionDescription::parse("v=0\r\nc=IN IP4 1.1.1.1\r\nm=audio 5 RTP/AVP 8\r\n").unwrap();
    assert_eq!(
        process_answer(&offer, &wrong).unwrap_err(),
        NegotiationError::NoCommonCodec
    );
    let empty = SessionDescription::parse("v=0\r\n").unwrap();
    assert_eq!(
        process_answer(&offer, &empty).unwrap_err(),
        NegotiationError::AnswerMismatch
    );
    let video =
        SessionDescription::parse("v=0\r\nc=IN IP4 1.1.1.1\r\nm=video 5 RTP/AVP 0\r\n").unwrap();
    assert_eq!(
        process_answer(&offer, &video).unwrap_err(),
        NegotiationError::AnswerMismatch
    );
}

#[test]
fn answer_without_rtpmap_for_our_dynamic_number_uses_ours() {
    let offer = make_offer(&cfg("192.0.2.1", 10000, vec![Codec::Opus, Codec::Pcmu]));
    let reply = SessionDescription::parse(
        "v=0\r\nc=IN IP4 1.1.1.1\r\nm=audio 5 RTP/AVP 107 101\r\na=ptime:40\r\n",
    )
    .unwrap();
    let n = process_answer(&offer, &reply).unwrap();
    assert_eq!((n.codec, n.payload_type, n.ptime), (Codec::Opus, 107, 40));
    // No rtpmap for 101 in the answer: events are only used when the answer names them.
    assert_eq!(n.telephone_event, None);
}

#[test]
fn no_telephone_event_when_dtmf_is_not_rfc2833() {
    let mut local = cfg("192.0.2.1", 1, vec![Codec::Pcmu]);
    local.telephone_event = None;
    let (reply, n) = answer(&phone_offer("", "10.1.1.1"), &local).unwrap();
    assert_eq!(n.telephone_event, None);
    assert!(!reply.print().contains("telephone-event"));
    assert!(!make_offer(&local).print().contains("telephone-event"));
}
