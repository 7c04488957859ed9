//! SDP as real phones send it (fixtures written in each vendor's style, quirks included):
//! parse, answer, and print/parse round trips.

use tandem_sdp::{answer, Codec, CodecOrder, Direction, MediaConfig, SessionDescription};

fn fixture(name: &str) -> SessionDescription {
    let path = format!("{}/tests/fixtures/{name}.sdp", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    SessionDescription::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

const ALL: &[&str] = &[
    "polycom",
    "yealink",
    "grandstream",
    "cisco",
    "baresip",
    "linphone",
    "asterisk",
];

fn tandem(codecs: Vec<Codec>) -> MediaConfig {
    let mut c = MediaConfig::new("198.51.100.1".parse().unwrap(), 10000, codecs);
    c.session_id = 42;
    c.session_version = 42;
    c
}

#[test]
fn every_fixture_parses_and_printing_is_stable() {
    for name in ALL {
        let sdp = fixture(name);
        let printed = sdp.print();
        assert!(printed.starts_with("v=0\r\no="), "{name}");
        assert!(printed.ends_with("\r\n"), "{name}");
        assert!(!printed.contains("\n\n"), "{name}");
        let again = SessionDescription::parse(&printed).unwrap();
        assert_eq!(
            again.print(),
            printed,
            "{name}: print(parse(print(x))) != print(x)"
        );
        assert_eq!(
            again.media, sdp.media,
            "{name}: media changed in the round trip"
        );
    }
}

#[test]
fn polycom_g722_first_with_its_8000_clock() {
    let sdp = fixture("polycom");
    let m = &sdp.media[0];
    assert_eq!(m.formats, vec!["9", "0", "8", "18", "127"]);
    let r = m.rtpmap(9).unwrap();
    assert_eq!((r.encoding.as_str(), r.clock_rate), ("G722", 8000));
    // Session-level a=sendrecv applies to the stream.
    assert_eq!(sdp.media_direction(0), Direction::SendRecv);
    // Telephone-event on 127 without an fmtp: we echo 127 and send Asterisk's 0-16.
    let (reply, n) = answer(&sdp, &tandem(vec![Codec::G722, Codec::Pcmu])).unwrap();
    assert_eq!(
        (n.codec, n.payload_type, n.telephone_event),
        (Codec::G722, 9, Some(127))
    );
    let out = reply.print();
    assert!(out.contains("m=audio 10000 RTP/AVP 9 0 127\r\n"), "{out}");
    assert!(
        out.contains("a=rtpmap:127 telephone-event/8000\r\na=fmtp:127 0-16\r\n"),
        "{out}"
    );
}

#[test]
fn yealink_duplicate_rtpmap_first_wins_and_x_nat_is_kept() {
    let sdp = fixture("yealink");
    let m = &sdp.media[0];
    assert_eq!(
        m.attribute_values("rtpmap")
            .filter(|v| v.starts_with("0 "))
            .count(),
        2
    );
    assert_eq!(m.rtpmap(0).unwrap().encoding, "PCMU");
    assert_eq!(
        m.attribute("X-nat").and_then(|a| a.value.as_deref()),
        Some("0")
    );
    assert_eq!(m.rtcp_port(), Some(11797));
    assert_eq!(m.ptime(), Some(20));
    // fmtp before its rtpmap is fine.
    assert_eq!(m.fmtp(101).unwrap().params, "0-15");
    assert!(sdp.print().contains("a=X-nat:0\r\n"));
    let (_, n) = answer(&sdp, &tandem(vec![Codec::Pcma, Codec::Pcmu])).unwrap();
    assert_eq!((n.codec, n.payload_type), (Codec::Pcma, 8));
    assert_eq!(n.telephone_event, Some(101));
    assert_eq!(n.remote_rtp, Some("10.0.0.21:11796".parse().unwrap()));
    assert_eq!(n.remote_rtcp_port, Some(11797));
    assert_eq!(n.ptime, 20);
}

#[test]
fn grandstream_blank_session_name_trailing_blanks_and_upper_case_event() {
    let sdp = fixture("grandstream");
    assert_eq!(sdp.session_name, "");
    assert!(sdp.print().contains("s=-\r\n"));
    assert_eq!(sdp.connection.as_ref().unwrap().address, "192.168.0.105");
    assert_eq!(sdp.media[0].formats.len(), 5);
    assert_eq!(sdp.media[0].maxptime(), Some(60));
    let (reply, n) = answer(&sdp, &tandem(vec![Codec::Pcmu, Codec::Pcma])).unwrap();
    // Our order by default: PCMU although the phone lists PCMA first.
    assert_eq!((n.codec.clone(), n.payload_type), (Codec::Pcmu, 0));
    assert_eq!(n.telephone_event, Some(101));
    assert!(reply.print().contains("a=fmtp:101 0-16\r\n"));
}

#[test]
fn grandstream_offer_order_wins_when_configured() {
    let sdp = fixture("grandstream");
    let mut cfg = tandem(vec![Codec::Pcmu, Codec::Pcma]);
    cfg.codec_order = CodecOrder::Theirs;
    let (reply, n) = answer(&sdp, &cfg).unwrap();
    assert_eq!(n.codec, Codec::Pcma);
    assert!(reply.print().contains("m=audio 10000 RTP/AVP 8 0 101\r\n"));
    cfg.single_codec = true;
    let (reply, n) = answer(&sdp, &cfg).unwrap();
    assert_eq!(n.joint.len(), 1);
    assert!(reply.print().contains("m=audio 10000 RTP/AVP 8 101\r\n"));
}

#[test]
fn cisco_media_level_connection_wins_over_session_level() {
    let sdp = fixture("cisco");
    assert_eq!(sdp.origin.username, "CiscoSystemsSIP-GW-UserAgent");
    assert_eq!(sdp.media[0].bandwidths[0].kind, "AS");
    let (_, n) = answer(&sdp, &tandem(vec![Codec::Pcmu])).unwrap();
    assert_eq!(n.remote_host, "172.16.5.11");
    assert_eq!(n.remote_port, 17410);
    // CN (19) is not taken as a codec.
    assert_eq!(n.joint, vec![(0, Codec::Pcmu)]);
}

#[test]
fn baresip_ipv6_opus_and_raw_ice_crypto() {
    let sdp = fixture("baresip");
    let m = &sdp.media[0];
    assert!(m.rtcp_mux());
    assert_eq!(m.crypto().len(), 1);
    assert!(m.crypto()[0].starts_with("1 AES_CM_128_HMAC_SHA1_80 inline:"));
    assert_eq!(m.candidates().len(), 1);
    assert_eq!(
        m.attribute("ice-ufrag").and_then(|a| a.value.as_deref()),
        Some("Fq3h")
    );
    let mut cfg = MediaConfig::new(
        "2001:db8::1".parse().unwrap(),
        10000,
        vec![Codec::Opus, Codec::G722],
    );
    cfg.session_id = 7;
    let (reply, n) = answer(&sdp, &cfg).unwrap();
    assert_eq!((n.codec.clone(), n.payload_type), (Codec::Opus, 96));
    assert_eq!(n.remote_rtp, Some("[2001:db8::10]:30000".parse().unwrap()));
    // opus at 48 kHz, but only an 8 kHz event offered: that one is used.
    assert_eq!(n.telephone_event, Some(101));
    // baresip writes G722/16000; it is still G.722 on payload type 97.
    assert_eq!(n.joint, vec![(96, Codec::Opus), (97, Codec::G722)]);
    let out = reply.print();
    assert!(out.contains("c=IN IP6 2001:db8::1\r\n"), "{out}");
    assert!(
        out.contains("a=rtpmap:96 opus/48000/2\r\na=fmtp:96 stereo=1;sprop-stereo=1\r\n"),
        "{out}"
    );
    // The video stream is declined with port 0; no rtcp-mux answered (we do not do it yet).
    assert!(out.contains("m=video 0 RTP/AVP 100\r\n"), "{out}");
    assert!(!out.contains("rtcp-mux"));
    assert_eq!(reply.media.len(), 2);
}

#[test]
fn linphone_event_rate_follows_the_codec_and_t38_is_declined() {
    let sdp = fixture("linphone");
    assert_eq!(sdp.other.len(), 1);
    assert!(sdp.print().contains("y=1234\r\n"));
    let (reply, n) = answer(&sdp, &tandem(vec![Codec::Opus, Codec::Pcmu])).unwrap();
    assert_eq!(n.codec, Codec::Opus);
    assert_eq!(n.telephone_event, Some(101)); // telephone-event/48000 goes with opus
    let out = reply.print();
    assert!(
        out.contains("a=rtpmap:101 telephone-event/48000\r\n"),
        "{out}"
    );
    assert!(out.contains("m=image 0 udptl t38\r\n"), "{out}");
    let (_, n) = answer(&sdp, &tandem(vec![Codec::Pcmu])).unwrap();
    assert_eq!(n.telephone_event, Some(100)); // PCMU: telephone-event/8000
}

#[test]
fn asterisk_offer_answered_with_a_second_asterisk_config() {
    let sdp = fixture("asterisk");
    assert_eq!(sdp.session_name, "Asterisk PBX 16.28.0");
    assert_eq!(sdp.media[0].maxptime(), Some(150));
    let gsm = Codec::Other {
        name: "GSM".into(),
        rate: 8000,
    };
    let (reply, n) = answer(&sdp, &tandem(vec![gsm.clone(), Codec::Pcma])).unwrap();
    assert_eq!((n.codec, n.payload_type), (gsm, 3));
    assert!(reply.print().contains("m=audio 10000 RTP/AVP 3 8 101\r\n"));
}

#[test]
fn answers_keep_the_offer_stream_count_and_order() {
    for name in ALL {
        let sdp = fixture(name);
        let cfg = tandem(vec![Codec::Pcmu, Codec::Pcma, Codec::G722, Codec::Opus]);
        let (reply, _) = answer(&sdp, &cfg).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(reply.media.len(), sdp.media.len(), "{name}");
        for (a, o) in reply.media.iter().zip(&sdp.media) {
            assert_eq!(a.media, o.media, "{name}");
        }
    }
}
