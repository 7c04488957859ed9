//! A full transaction table (Config::max_transactions): new requests get a stateless 503 (or
//! are dropped), ACKs still reach the TU, client sends are refused.

mod txn_support;

use tandem_sip::message::{Message, Transport};
use tandem_sip::transaction::{Config, OverloadPolicy, TransactionLayer, TxnError, TxnEvent};
use txn_support::*;

fn small(overload: OverloadPolicy) -> TransactionLayer {
    TransactionLayer::new(
        Config {
            max_transactions: 2,
            overload,
            ..Config::default()
        },
        3,
    )
}

#[test]
fn a_full_table_answers_new_requests_with_503_and_keeps_serving_existing_ones() {
    let clock = Clock::new();
    let mut l = small(OverloadPolicy::Reject503);
    l.handle_incoming(
        clock.ms(0),
        non_invite("OPTIONS", ";branch=z9hG4bK1").into(),
        addr(UAC),
        Transport::Udp,
    );
    l.handle_incoming(
        clock.ms(0),
        non_invite("OPTIONS", ";branch=z9hG4bK2").into(),
        addr(UAC),
        Transport::Udp,
    );
    assert_eq!(events(&mut l).len(), 2);
    assert_eq!(l.len(), 2);
    l.handle_incoming(
        clock.ms(1),
        invite(";branch=z9hG4bK3").into(),
        addr(UAC),
        Transport::Udp,
    );
    assert_eq!(
        events(&mut l),
        [TxnEvent::Overloaded {
            source: addr(UAC),
            answered: true
        }]
    );
    let tx = transmits(&mut l);
    assert_eq!(tx.len(), 1);
    assert_eq!(tx[0].txn, None, "stateless");
    let Message::Response(r) = parse_tx(&tx[0]) else {
        panic!()
    };
    assert_eq!((r.status, r.reason.as_str()), (503, "Service Unavailable"));
    assert!(r.headers.to_hdr().unwrap().tag().is_some());
    assert_eq!(r.headers.top_via().unwrap().branch(), Some("z9hG4bK3"));
    assert_eq!(l.len(), 2);
    // existing transactions still absorb retransmissions
    l.handle_incoming(
        clock.ms(2),
        non_invite("OPTIONS", ";branch=z9hG4bK1").into(),
        addr(UAC),
        Transport::Udp,
    );
    assert!(events(&mut l).is_empty());
    // an ACK is never refused
    let mut ack = invite(";branch=z9hG4bKack");
    ack.method = tandem_sip::message::Method::Ack;
    ack.headers.set("CSeq", "1 ACK");
    l.handle_incoming(clock.ms(3), ack.into(), addr(UAC), Transport::Udp);
    assert!(matches!(&events(&mut l)[..], [TxnEvent::StrayAck { .. }]));
    // client side
    assert_eq!(
        l.send_request(
            clock.ms(4),
            non_invite("OPTIONS", ""),
            addr(UAS),
            Transport::Udp
        ),
        Err(TxnError::Full)
    );
}

#[test]
fn with_the_drop_policy_nothing_is_sent_and_room_comes_back_after_timer_j() {
    let clock = Clock::new();
    let mut l = small(OverloadPolicy::Drop);
    for b in ["a", "b"] {
        l.handle_incoming(
            clock.ms(0),
            non_invite("OPTIONS", &format!(";branch=z9hG4bK{b}")).into(),
            addr(UAC),
            Transport::Udp,
        );
    }
    let ids: Vec<_> = events(&mut l)
        .into_iter()
        .map(|e| match e {
            TxnEvent::Request { txn, request, .. } => (txn, request),
            _ => panic!(),
        })
        .collect();
    l.handle_incoming(
        clock.ms(1),
        non_invite("OPTIONS", ";branch=z9hG4bKc").into(),
        addr(UAC),
        Transport::Udp,
    );
    assert_eq!(
        events(&mut l),
        [TxnEvent::Overloaded {
            source: addr(UAC),
            answered: false
        }]
    );
    assert!(transmits(&mut l).is_empty());
    for (id, r) in &ids {
        l.respond(clock.ms(2), *id, answer(r, 200, "OK")).unwrap();
    }
    run_until(&mut l, &clock, clock.ms(40_000));
    assert!(l.is_empty());
    l.handle_incoming(
        clock.ms(40_000),
        non_invite("OPTIONS", ";branch=z9hG4bKc").into(),
        addr(UAC),
        Transport::Udp,
    );
    assert!(matches!(&events(&mut l)[..], [TxnEvent::Request { .. }]));
}
