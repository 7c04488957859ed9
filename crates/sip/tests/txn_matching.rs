//! Request and response matching (RFC 3261 17.1.3, 17.2.3, RFC 2543 fallback), CANCEL,
//! stray messages and the server transport's Via stamping (18.2.1, RFC 3581).

mod txn_support;

use tandem_sip::message::{Method, Request, Transport};
use tandem_sip::transaction::{
    Config, ResponseRouting, TransactionLayer, TxnEvent, TxnId, TxnKind,
};
use txn_support::*;

fn new_request(ev: &[TxnEvent]) -> (TxnId, Request) {
    match ev {
        [TxnEvent::Request { txn, request, .. }] => (*txn, request.clone()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn cancel_gets_its_own_transaction_and_the_tu_finds_the_invite() {
    let clock = Clock::new();
    let mut l = layer();
    l.handle_incoming(
        clock.ms(0),
        invite(";branch=z9hG4bKc1").into(),
        addr(UAC),
        Transport::Udp,
    );
    let (inv, _) = new_request(&events(&mut l));
    let mut cancel = invite(";branch=z9hG4bKc1");
    cancel.method = Method::Cancel;
    cancel.headers.set("CSeq", "1 CANCEL");
    l.handle_incoming(clock.ms(100), cancel.into(), addr(UAC), Transport::Udp);
    let (cid, creq) = new_request(&events(&mut l));
    assert_ne!(cid, inv);
    assert_eq!(l.kind(cid), Some(TxnKind::ServerNonInvite));
    assert_eq!(l.find_invite_for_cancel(&creq), Some(inv));
    // a CANCEL with another branch refers to nothing
    let mut other = creq.clone();
    other
        .headers
        .set("Via", "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKzz");
    assert_eq!(l.find_invite_for_cancel(&other), None);
}

#[test]
fn the_same_branch_from_another_sent_by_is_another_transaction() {
    let clock = Clock::new();
    let mut l = layer();
    l.handle_incoming(
        clock.ms(0),
        invite(";branch=z9hG4bKdup").into(),
        addr(UAC),
        Transport::Udp,
    );
    let (a, _) = new_request(&events(&mut l));
    let mut other = invite(";branch=z9hG4bKdup");
    other
        .headers
        .set("Via", "SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bKdup");
    l.handle_incoming(
        clock.ms(10),
        other.into(),
        addr("192.0.2.9:5060"),
        Transport::Udp,
    );
    let (b, _) = new_request(&events(&mut l));
    assert_ne!(a, b);
}

#[test]
fn rfc2543_requests_match_by_uri_tags_call_id_cseq_and_via() {
    let clock = Clock::new();
    let mut l = layer();
    // no magic cookie: an old RFC 2543 phone
    l.handle_incoming(
        clock.ms(0),
        invite(";branch=1234").into(),
        addr(UAC),
        Transport::Udp,
    );
    let (id, r) = new_request(&events(&mut l));
    transmits(&mut l);
    l.handle_incoming(
        clock.ms(500),
        invite(";branch=1234").into(),
        addr(UAC),
        Transport::Udp,
    );
    assert!(events(&mut l).is_empty(), "retransmission matched");
    assert_eq!(transmits(&mut l).len(), 1, "100 Trying again");
    // without any branch too
    let mut l2 = layer();
    l2.handle_incoming(clock.ms(0), invite("").into(), addr(UAC), Transport::Udp);
    new_request(&events(&mut l2));
    l2.handle_incoming(clock.ms(500), invite("").into(), addr(UAC), Transport::Udp);
    assert!(events(&mut l2).is_empty());
    // a new CSeq is a new transaction
    let mut next = invite(";branch=1234");
    next.headers.set("CSeq", "2 INVITE");
    l.handle_incoming(clock.ms(600), next.into(), addr(UAC), Transport::Udp);
    assert_ne!(new_request(&events(&mut l)).0, id);
    // the ACK for our 486 matches by the To tag we sent
    l.respond(clock.ms(700), id, answer(&r, 486, "Busy Here"))
        .unwrap();
    let mut ack = invite(";branch=1234");
    ack.method = Method::Ack;
    ack.headers.set("CSeq", "1 ACK");
    ack.headers.set("To", "Bob <sip:bob@192.0.2.2>;tag=wrong");
    l.handle_incoming(clock.ms(800), ack.clone().into(), addr(UAC), Transport::Udp);
    assert!(
        matches!(&events(&mut l)[..], [TxnEvent::StrayAck { .. }]),
        "wrong To tag: not ours"
    );
    ack.headers.set("To", "Bob <sip:bob@192.0.2.2>;tag=b1");
    l.handle_incoming(clock.ms(900), ack.into(), addr(UAC), Transport::Udp);
    assert!(events(&mut l).is_empty());
    assert_eq!(
        l.state(id),
        Some(tandem_sip::transaction::TxnState::Confirmed)
    );
}

#[test]
fn rfc2543_cancel_finds_its_invite() {
    let clock = Clock::new();
    let mut l = layer();
    l.handle_incoming(clock.ms(0), invite("").into(), addr(UAC), Transport::Udp);
    let (inv, _) = new_request(&events(&mut l));
    let mut cancel = invite("");
    cancel.method = Method::Cancel;
    cancel.headers.set("CSeq", "1 CANCEL");
    l.handle_incoming(clock.ms(10), cancel.into(), addr(UAC), Transport::Udp);
    let (_, creq) = new_request(&events(&mut l));
    assert_eq!(l.find_invite_for_cancel(&creq), Some(inv));
}

#[test]
fn an_unmatched_response_goes_up_as_stray() {
    let clock = Clock::new();
    let mut l = layer();
    let r = invite(";branch=z9hG4bKnobody");
    l.handle_incoming(
        clock.ms(0),
        answer(&r, 200, "OK").into(),
        addr(UAS),
        Transport::Udp,
    );
    assert!(
        matches!(&events(&mut l)[..], [TxnEvent::StrayResponse { response, source, .. }] if response.status == 200 && *source == addr(UAS))
    );
}

#[test]
fn requests_get_received_and_rport_and_responses_follow_them() {
    let clock = Clock::new();
    let mut l = layer();
    // behind NAT: Via says 10.0.0.5:5060 with ;rport, the packet comes from 203.0.113.7:40000
    let mut r = non_invite("OPTIONS", ";rport;branch=z9hG4bKnat");
    r.headers
        .set("Via", "SIP/2.0/UDP 10.0.0.5:5060;rport;branch=z9hG4bKnat");
    l.handle_incoming(
        clock.ms(0),
        r.into(),
        addr("203.0.113.7:40000"),
        Transport::Udp,
    );
    let (id, got) = new_request(&events(&mut l));
    let via = got.headers.top_via().unwrap();
    assert_eq!(via.received(), Some("203.0.113.7"));
    assert_eq!(via.rport(), Some(Some(40000)));
    assert_eq!(l.destination(id), Some(addr("203.0.113.7:40000")));
    l.respond(clock.ms(1), id, answer(&got, 200, "OK")).unwrap();
    let tx = transmits(&mut l);
    assert_eq!(tx[0].dest, addr("203.0.113.7:40000"));
    assert!(String::from_utf8_lossy(&tx[0].bytes).contains("received=203.0.113.7"));
    // a retransmission (same Via as sent) still matches
    let mut again = non_invite("OPTIONS", "");
    again
        .headers
        .set("Via", "SIP/2.0/UDP 10.0.0.5:5060;rport;branch=z9hG4bKnat");
    l.handle_incoming(
        clock.ms(500),
        again.into(),
        addr("203.0.113.7:40000"),
        Transport::Udp,
    );
    assert!(events(&mut l).is_empty());

    // no rport, RFC 3261 routing: the received address at the sent-by port
    let mut l = TransactionLayer::new(
        Config {
            routing: ResponseRouting::Rfc3261,
            ..Config::default()
        },
        7,
    );
    let mut r = non_invite("OPTIONS", "");
    r.headers.set(
        "Via",
        "SIP/2.0/UDP pbx.example.com:5070;branch=z9hG4bKnorport",
    );
    l.handle_incoming(
        clock.ms(0),
        r.into(),
        addr("198.51.100.1:33333"),
        Transport::Udp,
    );
    let (id, got) = new_request(&events(&mut l));
    assert_eq!(
        got.headers.top_via().unwrap().received(),
        Some("198.51.100.1")
    );
    assert_eq!(l.destination(id), Some(addr("198.51.100.1:5070")));
    // the same host as the source: left alone
    l.handle_incoming(
        clock.ms(0),
        non_invite("INFO", ";branch=z9hG4bKplain").into(),
        addr(UAC),
        Transport::Udp,
    );
    let (_, got) = new_request(&events(&mut l));
    assert_eq!(got.headers.top_via().unwrap().received(), None);
}

#[test]
fn a_stamped_via_keeps_the_other_vias_in_order() {
    let clock = Clock::new();
    let mut l = layer();
    let mut r = non_invite("OPTIONS", "");
    r.headers.set(
        "Via",
        "SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp1, SIP/2.0/UDP 10.0.0.5;branch=z9hG4bKu1",
    );
    l.handle_incoming(clock.ms(0), r.into(), addr(UAC), Transport::Udp);
    let (_, got) = new_request(&events(&mut l));
    let vias = got.headers.vias().unwrap();
    assert_eq!(vias.len(), 2);
    assert_eq!(vias[0].branch(), Some("z9hG4bKp1"));
    assert_eq!(vias[0].received(), Some("192.0.2.1"));
    assert_eq!(vias[1].branch(), Some("z9hG4bKu1"));
}

#[test]
fn auto_force_rport_answers_a_client_behind_nat_at_its_source_port() {
    // chan_sip's default nat=auto_force_rport: the Via host is not the source address.
    let clock = Clock::new();
    let mut l = layer();
    let mut r = non_invite("OPTIONS", "");
    r.headers
        .set("Via", "SIP/2.0/UDP pbx.example.com:5070;branch=z9hG4bKauto");
    l.handle_incoming(
        clock.ms(0),
        r.into(),
        addr("198.51.100.1:33333"),
        Transport::Udp,
    );
    let (id, _) = new_request(&events(&mut l));
    assert_eq!(l.destination(id), Some(addr("198.51.100.1:33333")));
}
