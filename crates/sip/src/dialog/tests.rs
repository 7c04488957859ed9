use super::*;
use crate::message::{parse, Message};

fn req(raw: &str) -> Request {
    match parse(raw.replace('\n', "\r\n").as_bytes()) {
        Ok(Message::Request(r)) => r,
        other => panic!("{other:?}"),
    }
}

fn resp(raw: &str) -> Response {
    match parse(raw.replace('\n', "\r\n").as_bytes()) {
        Ok(Message::Response(r)) => r,
        other => panic!("{other:?}"),
    }
}

const INVITE: &str = "INVITE sip:bob@192.0.2.2 SIP/2.0
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa
Max-Forwards: 70
From: Alice <sip:alice@192.0.2.1>;tag=alicetag
To: <sip:bob@192.0.2.2>
Call-ID: call1@192.0.2.1
CSeq: 102 INVITE
Contact: <sip:alice@192.0.2.1:5060>
Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>
Content-Length: 0

";

const OK: &str = "SIP/2.0 200 OK
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa
From: Alice <sip:alice@192.0.2.1>;tag=alicetag
To: <sip:bob@192.0.2.2>;tag=bobtag
Call-ID: call1@192.0.2.1
CSeq: 102 INVITE
Contact: <sip:bob@192.0.2.2:5070>
Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>
Content-Length: 0

";

#[test]
fn uac_dialog_reverses_record_route_and_targets_contact() {
    let mut d = Dialog::uac(&req(INVITE), &resp(OK)).unwrap();
    assert_eq!(d.state, DialogState::Confirmed);
    assert_eq!(
        (d.local_tag.as_str(), d.remote_tag.as_str()),
        ("alicetag", "bobtag")
    );
    assert_eq!(d.remote_target.to_string(), "sip:bob@192.0.2.2:5070");
    assert_eq!(d.local_cseq, 103);
    let bye = d.request(Method::Bye);
    assert_eq!(
        bye.uri.to_string(),
        "sip:bob@192.0.2.2:5070",
        "loose routing keeps the target"
    );
    let routes: Vec<&str> = bye.headers.values("Route");
    assert_eq!(
        routes,
        ["<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"]
    );
    assert_eq!(bye.headers.cseq().unwrap(), CSeq::new(103, Method::Bye));
    assert_eq!(bye.headers.from_hdr().unwrap().tag(), Some("alicetag"));
    assert_eq!(bye.headers.to_hdr().unwrap().tag(), Some("bobtag"));
    assert_eq!(bye.headers.get("Max-Forwards"), Some("70"));
    assert!(bye.headers.get("Via").is_none(), "Via is the UA's");
    assert_eq!(
        d.request(Method::Info).headers.cseq().unwrap().seq,
        104,
        "CSeq counts up"
    );
}

#[test]
fn uas_dialog_keeps_record_route_order_and_remote_cseq() {
    let mut ok = resp(OK);
    ok.headers.set("Contact", "<sip:bob@192.0.2.2:5070>");
    let mut d = Dialog::uas(&req(INVITE), &ok).unwrap();
    assert_eq!(
        (d.local_tag.as_str(), d.remote_tag.as_str()),
        ("bobtag", "alicetag")
    );
    assert_eq!(d.remote_target.to_string(), "sip:alice@192.0.2.1:5060");
    assert_eq!(d.remote_cseq, Some(102));
    let bye = d.request(Method::Bye);
    assert_eq!(
        bye.headers.values("Route"),
        ["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"]
    );
    assert_eq!(bye.headers.cseq().unwrap().seq, UAS_FIRST_CSEQ);
    assert_eq!(
        NameAddr::parse(bye.headers.get("From").unwrap())
            .unwrap()
            .tag(),
        Some("bobtag")
    );
    assert_eq!(
        NameAddr::parse(bye.headers.get("To").unwrap())
            .unwrap()
            .tag(),
        Some("alicetag")
    );
}

#[test]
fn strict_router_first_becomes_request_uri_and_target_goes_last() {
    let ok = OK.replace(
        "Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>",
        "Record-Route: <sip:p1.example.com;lr>, <sip:strict.example.com>",
    );
    let mut d = Dialog::uac(&req(INVITE), &resp(&ok)).unwrap();
    let bye = d.request(Method::Bye);
    assert_eq!(bye.uri.to_string(), "sip:strict.example.com");
    assert_eq!(
        bye.headers.values("Route"),
        ["<sip:p1.example.com;lr>", "<sip:bob@192.0.2.2:5070>"]
    );
    assert_eq!(d.next_hop().to_string(), "sip:strict.example.com");
}

#[test]
fn no_route_set_means_no_route_header() {
    let ok = OK.replace(
        "Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\n",
        "",
    );
    let mut d = Dialog::uac(&req(INVITE), &resp(&ok)).unwrap();
    let r = d.request(Method::Refer);
    assert!(r.headers.get("Route").is_none());
    assert_eq!(r.uri.to_string(), "sip:bob@192.0.2.2:5070");
}

#[test]
fn ack_for_2xx_reuses_invite_cseq_number() {
    let mut d = Dialog::uac(&req(INVITE), &resp(OK)).unwrap();
    let ack = d.ack_for_2xx(102);
    assert_eq!(ack.method, Method::Ack);
    assert_eq!(ack.headers.cseq().unwrap(), CSeq::new(102, Method::Ack));
    assert_eq!(ack.uri.to_string(), "sip:bob@192.0.2.2:5070");
    assert_eq!(d.local_cseq, 103, "the ACK takes no new number");
    assert_eq!(d.request(Method::Bye).headers.cseq().unwrap().seq, 103);
}

#[test]
fn lower_remote_cseq_is_refused_and_higher_moves_it_up() {
    let mut ok = resp(OK);
    ok.headers.set("Contact", "<sip:bob@192.0.2.2>");
    let mut d = Dialog::uas(&req(INVITE), &ok).unwrap();
    let bye = |n: u32, m: &str| {
        req(&format!(
            "{m} sip:bob@192.0.2.2 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK{n}\nFrom: <sip:alice@192.0.2.1>;tag=alicetag\nTo: <sip:bob@192.0.2.2>;tag=bobtag\nCall-ID: call1@192.0.2.1\nCSeq: {n} {m}\nContent-Length: 0\n\n"
        ))
    };
    assert_eq!(
        d.check_remote_cseq(&bye(101, "BYE")),
        Err(DialogError::CSeqOutOfOrder {
            got: 101,
            last: 102
        })
    );
    assert_eq!(
        d.check_remote_cseq(&bye(102, "ACK")),
        Ok(()),
        "ACK carries the INVITE's number"
    );
    assert_eq!(d.check_remote_cseq(&bye(103, "INFO")), Ok(()));
    assert_eq!(d.remote_cseq, Some(103));
    assert!(d.check_remote_cseq(&bye(102, "BYE")).is_err());
    assert!(d.matches_request(&bye(104, "BYE")));
}

#[test]
fn uac_dialog_needs_a_to_tag_and_early_dialog_is_confirmed_by_2xx() {
    let trying = OK
        .replace("200 OK", "100 Trying")
        .replace(";tag=bobtag", "");
    assert_eq!(
        Dialog::uac(&req(INVITE), &resp(&trying)),
        Err(DialogError::NoToTag)
    );
    let ringing = OK.replace("200 OK", "180 Ringing").replace(
        "Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\n",
        "",
    );
    let mut d = Dialog::uac(&req(INVITE), &resp(&ringing)).unwrap();
    assert_eq!(d.state, DialogState::Early);
    assert!(d.route_set.is_empty());
    d.update_from_response(&resp(OK));
    assert_eq!(d.state, DialogState::Confirmed);
    assert_eq!(
        d.route_set.len(),
        2,
        "the 2xx's route set replaces the early one"
    );
}

#[test]
fn reinvite_contact_refreshes_remote_target() {
    let mut d = Dialog::uac(&req(INVITE), &resp(OK)).unwrap();
    let mut re = req(INVITE);
    re.headers.set("Contact", "<sip:bob@198.51.100.7:5080>");
    d.refresh_target(&re);
    assert_eq!(d.remote_target.to_string(), "sip:bob@198.51.100.7:5080");
}
