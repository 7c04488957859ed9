//! Client INVITE transaction (RFC 3261 17.1.1, RFC 6026) driven with a fake clock.

mod txn_support;

use tandem_sip::message::{Message, Method, Transport};
use tandem_sip::transaction::{Timer, TxnError, TxnEvent, TxnState};
use txn_support::*;

fn start(
    l: &mut tandem_sip::transaction::TransactionLayer,
    clock: &Clock,
    transport: Transport,
) -> (tandem_sip::transaction::TxnId, Vec<u8>) {
    let id = l
        .send_request(clock.ms(0), invite(""), addr(UAS), transport)
        .unwrap();
    let tx = transmits(l);
    assert_eq!(tx.len(), 1);
    (id, tx[0].bytes.clone())
}

#[test]
fn invite_is_resent_at_500ms_1s_2s_doubling_until_timer_b_times_out_at_32s() {
    let clock = Clock::new();
    let mut l = layer();
    let (id, first) = start(&mut l, &clock, Transport::Udp);
    let (tx, ev) = run_until(&mut l, &clock, clock.ms(60_000));
    let times: Vec<u64> = tx.iter().map(|(t, _)| *t).collect();
    // intervals 500, 1000, 2000, 4000, 8000, 16000 ms (Timer A is not capped for INVITE)
    assert_eq!(times, [500, 1500, 3500, 7500, 15500, 31500]);
    assert!(tx
        .iter()
        .all(|(_, t)| t.bytes == first && t.txn == Some(id)));
    assert_eq!(
        ev,
        [
            (32_000, TxnEvent::Timeout { txn: id }),
            (32_000, TxnEvent::Terminated { txn: id })
        ]
    );
    assert!(l.is_empty());
    assert_eq!(l.poll_timeout(), None);
}

#[test]
fn a_fresh_branch_is_added_when_the_via_has_none() {
    let clock = Clock::new();
    let mut l = layer();
    let (_, first) = start(&mut l, &clock, Transport::Udp);
    let Message::Request(sent) = tandem_sip::message::parse(&first).unwrap() else {
        panic!()
    };
    let via = sent.headers.top_via().unwrap();
    assert!(via.has_rfc3261_branch(), "{via}");
    let id2 = l
        .send_request(clock.ms(0), invite(""), addr(UAS), Transport::Udp)
        .unwrap();
    let Message::Request(second) = parse_tx(&transmits(&mut l)[0]) else {
        panic!()
    };
    assert_ne!(
        second.headers.top_via().unwrap().branch(),
        via.branch(),
        "{id2}"
    );
}

#[test]
fn a_provisional_response_stops_timer_a_and_timer_b() {
    let clock = Clock::new();
    let mut l = layer();
    let (id, first) = start(&mut l, &clock, Transport::Udp);
    let Message::Request(sent) = tandem_sip::message::parse(&first).unwrap() else {
        panic!()
    };
    let (tx, _) = run_until(&mut l, &clock, clock.ms(700));
    assert_eq!(tx.len(), 1, "one resend at 500 ms");
    l.handle_incoming(
        clock.ms(700),
        answer(&sent, 180, "Ringing").into(),
        addr(UAS),
        Transport::Udp,
    );
    assert!(
        matches!(&events(&mut l)[..], [TxnEvent::Response { txn, response }] if *txn == id && response.status == 180)
    );
    assert_eq!(l.state(id), Some(TxnState::Proceeding));
    assert_eq!(l.timer(id, Timer::A), None);
    assert_eq!(l.timer(id, Timer::B), None);
    let (tx, ev) = run_until(&mut l, &clock, clock.ms(600_000));
    assert!(
        tx.is_empty() && ev.is_empty(),
        "no resend and no timeout while proceeding"
    );
    assert_eq!(l.state(id), Some(TxnState::Proceeding));
}

#[test]
fn a_non_2xx_final_is_acked_with_the_invite_branch_routes_and_the_response_to_tag() {
    let clock = Clock::new();
    let mut l = layer();
    let (id, first) = start(&mut l, &clock, Transport::Udp);
    let Message::Request(sent) = tandem_sip::message::parse(&first).unwrap() else {
        panic!()
    };
    l.handle_incoming(
        clock.ms(100),
        answer(&sent, 486, "Busy Here").into(),
        addr(UAS),
        Transport::Udp,
    );
    let tx = transmits(&mut l);
    assert_eq!(tx.len(), 1);
    assert_eq!(tx[0].dest, addr(UAS));
    let Message::Request(ack) = parse_tx(&tx[0]) else {
        panic!("ACK expected")
    };
    assert_eq!(ack.method, Method::Ack);
    assert_eq!(ack.uri, sent.uri);
    assert_eq!(ack.headers.vias().unwrap().len(), 1);
    assert_eq!(
        ack.headers.top_via().unwrap(),
        sent.headers.top_via().unwrap()
    );
    assert_eq!(ack.headers.to_hdr().unwrap().tag(), Some("b1"));
    assert_eq!(ack.headers.get("From"), sent.headers.get("From"));
    assert_eq!(ack.headers.get("Call-ID"), sent.headers.get("Call-ID"));
    assert_eq!(ack.headers.get("CSeq"), Some("1 ACK"));
    assert_eq!(
        ack.headers.get_all("Route").collect::<Vec<_>>(),
        ["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"]
    );
    assert!(
        matches!(&events(&mut l)[..], [TxnEvent::Response { response, .. }] if response.status == 486)
    );
    assert_eq!(l.state(id), Some(TxnState::Completed));
    assert_eq!(l.timer(id, Timer::D), Some(clock.ms(32_100)));

    // Timer D: retransmitted finals get the same ACK again and do not reach the TU.
    l.handle_incoming(
        clock.ms(2_000),
        answer(&sent, 486, "Busy Here").into(),
        addr(UAS),
        Transport::Udp,
    );
    let again = transmits(&mut l);
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].bytes, tx[0].bytes);
    assert!(events(&mut l).is_empty());
    let (tx, ev) = run_until(&mut l, &clock, clock.ms(40_000));
    assert!(tx.is_empty(), "no INVITE resend in Completed");
    assert_eq!(ev, [(32_100, TxnEvent::Terminated { txn: id })]);
}

#[test]
fn a_2xx_moves_to_accepted_and_every_2xx_goes_up_until_timer_m() {
    let clock = Clock::new();
    let mut l = layer();
    let (id, first) = start(&mut l, &clock, Transport::Udp);
    let Message::Request(sent) = tandem_sip::message::parse(&first).unwrap() else {
        panic!()
    };
    let ok = answer(&sent, 200, "OK");
    l.handle_incoming(clock.ms(100), ok.clone().into(), addr(UAS), Transport::Udp);
    assert!(
        transmits(&mut l).is_empty(),
        "the 2xx ACK is the TU's job, not the transaction's"
    );
    assert_eq!(
        events(&mut l),
        [TxnEvent::Response {
            txn: id,
            response: ok.clone()
        }]
    );
    assert_eq!(l.state(id), Some(TxnState::Accepted));
    assert_eq!(l.timer(id, Timer::A), None);
    // RFC 6026: a retransmitted 2xx still matches, so the TU can resend its ACK.
    l.handle_incoming(clock.ms(600), ok.clone().into(), addr(UAS), Transport::Udp);
    assert_eq!(
        events(&mut l),
        [TxnEvent::Response {
            txn: id,
            response: ok.clone()
        }]
    );
    // a 4xx after the 2xx is ignored
    l.handle_incoming(
        clock.ms(700),
        answer(&sent, 486, "Busy Here").into(),
        addr(UAS),
        Transport::Udp,
    );
    assert!(events(&mut l).is_empty() && transmits(&mut l).is_empty());
    let (_, ev) = run_until(&mut l, &clock, clock.ms(40_000));
    assert_eq!(ev, [(32_100, TxnEvent::Terminated { txn: id })]);
    l.handle_incoming(
        clock.ms(40_000),
        ok.clone().into(),
        addr(UAS),
        Transport::Udp,
    );
    assert!(
        matches!(&events(&mut l)[..], [TxnEvent::StrayResponse { response, .. }] if response.status == 200)
    );
}

#[test]
fn over_tcp_the_invite_is_sent_once_and_timer_b_still_times_out() {
    let clock = Clock::new();
    let mut l = layer();
    let (id, _) = start(&mut l, &clock, Transport::Tcp);
    assert_eq!(l.timer(id, Timer::A), None);
    let (tx, ev) = run_until(&mut l, &clock, clock.ms(60_000));
    assert!(tx.is_empty());
    assert_eq!(
        ev,
        [
            (32_000, TxnEvent::Timeout { txn: id }),
            (32_000, TxnEvent::Terminated { txn: id })
        ]
    );
}

#[test]
fn over_tcp_a_non_2xx_is_acked_and_timer_d_is_zero() {
    let clock = Clock::new();
    let mut l = layer();
    let (id, first) = start(&mut l, &clock, Transport::Tcp);
    let Message::Request(sent) = tandem_sip::message::parse(&first).unwrap() else {
        panic!()
    };
    l.handle_incoming(
        clock.ms(100),
        answer(&sent, 603, "Decline").into(),
        addr(UAS),
        Transport::Tcp,
    );
    assert_eq!(transmits(&mut l).len(), 1, "ACK");
    run_until(&mut l, &clock, clock.ms(100));
    assert_eq!(l.state(id), None, "terminated at once");
}

#[test]
fn a_transport_error_is_reported_and_ends_the_transaction() {
    let clock = Clock::new();
    let mut l = layer();
    let (id, _) = start(&mut l, &clock, Transport::Udp);
    l.handle_transport_error(clock.ms(10), id);
    assert_eq!(
        events(&mut l),
        [
            TxnEvent::TransportError { txn: id },
            TxnEvent::Terminated { txn: id }
        ]
    );
    assert!(l.is_empty());
    let (tx, _) = run_until(&mut l, &clock, clock.ms(60_000));
    assert!(tx.is_empty());
}

#[test]
fn cancel_waits_for_a_provisional_then_reuses_the_invite_branch() {
    let clock = Clock::new();
    let mut l = layer();
    let (id, first) = start(&mut l, &clock, Transport::Udp);
    let Message::Request(sent) = tandem_sip::message::parse(&first).unwrap() else {
        panic!()
    };
    assert_eq!(l.cancel(clock.ms(50), id), Err(TxnError::NoProvisionalYet));
    l.handle_incoming(
        clock.ms(100),
        answer(&sent, 180, "Ringing").into(),
        addr(UAS),
        Transport::Udp,
    );
    events(&mut l);
    let cid = l.cancel(clock.ms(200), id).unwrap();
    let tx = transmits(&mut l);
    assert_eq!(tx.len(), 1);
    let Message::Request(cancel) = parse_tx(&tx[0]) else {
        panic!()
    };
    assert_eq!(cancel.method, Method::Cancel);
    assert_eq!(cancel.uri, sent.uri);
    assert_eq!(
        cancel.headers.top_via().unwrap().branch(),
        sent.headers.top_via().unwrap().branch()
    );
    assert_eq!(cancel.headers.get("CSeq"), Some("1 CANCEL"));
    assert_eq!(cancel.headers.get("To"), sent.headers.get("To"));
    assert_eq!(cancel.headers.count("Route"), 2);
    // same branch, different CSeq method: each response finds its own transaction
    l.handle_incoming(
        clock.ms(300),
        answer(&cancel, 200, "OK").into(),
        addr(UAS),
        Transport::Udp,
    );
    l.handle_incoming(
        clock.ms(310),
        answer(&sent, 487, "Request Terminated").into(),
        addr(UAS),
        Transport::Udp,
    );
    let ev = events(&mut l);
    assert!(
        matches!(&ev[0], TxnEvent::Response { txn, response } if *txn == cid && response.status == 200)
    );
    assert!(
        matches!(&ev[1], TxnEvent::Response { txn, response } if *txn == id && response.status == 487)
    );
    let Message::Request(ack) = parse_tx(&transmits(&mut l)[0]) else {
        panic!()
    };
    assert_eq!(ack.method, Method::Ack);
}

#[test]
fn ack_cannot_be_sent_as_a_transaction() {
    let clock = Clock::new();
    let mut l = layer();
    let ack = non_invite("ACK", ";branch=z9hG4bKack");
    assert_eq!(
        l.send_request(clock.ms(0), ack, addr(UAS), Transport::Udp),
        Err(TxnError::AckNotATransaction)
    );
}
