//! Server non-INVITE transaction (RFC 3261 17.2.2) driven with a fake clock.

mod txn_support;

use tandem_sip::message::{Request, Transport};
use tandem_sip::transaction::{Timer, TransactionLayer, TxnError, TxnEvent, TxnId, TxnState};
use txn_support::*;

fn receive(l: &mut TransactionLayer, clock: &Clock, transport: Transport) -> (TxnId, Request) {
    l.handle_incoming(
        clock.ms(0),
        non_invite("OPTIONS", ";branch=z9hG4bKopt1").into(),
        addr(UAC),
        transport,
    );
    match &events(l)[..] {
        [TxnEvent::Request {
            txn,
            request,
            source,
            ..
        }] => {
            assert_eq!(*source, addr(UAC));
            (*txn, request.clone())
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn retransmissions_are_absorbed_before_any_response() {
    let clock = Clock::new();
    let mut l = layer();
    let (id, _) = receive(&mut l, &clock, Transport::Udp);
    assert_eq!(l.state(id), Some(TxnState::Trying));
    l.handle_incoming(
        clock.ms(500),
        non_invite("OPTIONS", ";branch=z9hG4bKopt1").into(),
        addr(UAC),
        Transport::Udp,
    );
    assert!(events(&mut l).is_empty() && transmits(&mut l).is_empty());
}

#[test]
fn a_provisional_is_resent_for_each_retransmission_in_proceeding() {
    let clock = Clock::new();
    let mut l = layer();
    let (id, r) = receive(&mut l, &clock, Transport::Udp);
    l.respond(clock.ms(10), id, answer(&r, 100, "Trying"))
        .unwrap();
    let first = transmits(&mut l);
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].dest, addr(UAC));
    assert_eq!(l.state(id), Some(TxnState::Proceeding));
    l.handle_incoming(
        clock.ms(500),
        non_invite("OPTIONS", ";branch=z9hG4bKopt1").into(),
        addr(UAC),
        Transport::Udp,
    );
    assert_eq!(transmits(&mut l)[0].bytes, first[0].bytes);
    assert!(events(&mut l).is_empty());
}

#[test]
fn the_final_is_resent_for_retransmissions_until_timer_j_at_64_t1() {
    let clock = Clock::new();
    let mut l = layer();
    let (id, r) = receive(&mut l, &clock, Transport::Udp);
    l.respond(clock.ms(10), id, answer(&r, 200, "OK")).unwrap();
    let fin = transmits(&mut l);
    assert_eq!(l.state(id), Some(TxnState::Completed));
    assert_eq!(l.timer(id, Timer::J), Some(clock.ms(32_010)));
    for t in [500, 1_500, 3_500] {
        l.handle_incoming(
            clock.ms(t),
            non_invite("OPTIONS", ";branch=z9hG4bKopt1").into(),
            addr(UAC),
            Transport::Udp,
        );
        assert_eq!(transmits(&mut l)[0].bytes, fin[0].bytes);
    }
    assert!(events(&mut l).is_empty());
    assert_eq!(
        l.respond(clock.ms(20), id, answer(&r, 500, "Oops")),
        Err(TxnError::WrongState(TxnState::Completed))
    );
    let (tx, ev) = run_until(&mut l, &clock, clock.ms(60_000));
    assert!(tx.is_empty(), "the server never resends on its own");
    assert_eq!(ev, [(32_010, TxnEvent::Terminated { txn: id })]);
    // after J a retransmission is a new request again
    l.handle_incoming(
        clock.ms(60_000),
        non_invite("OPTIONS", ";branch=z9hG4bKopt1").into(),
        addr(UAC),
        Transport::Udp,
    );
    assert!(matches!(&events(&mut l)[..], [TxnEvent::Request { .. }]));
}

#[test]
fn over_tcp_timer_j_is_zero() {
    let clock = Clock::new();
    let mut l = layer();
    let (id, r) = receive(&mut l, &clock, Transport::Tcp);
    l.respond(clock.ms(10), id, answer(&r, 200, "OK")).unwrap();
    let (_, ev) = run_until(&mut l, &clock, clock.ms(10));
    assert_eq!(ev, [(10, TxnEvent::Terminated { txn: id })]);
}

#[test]
fn bad_status_codes_are_refused() {
    let clock = Clock::new();
    let mut l = layer();
    let (id, r) = receive(&mut l, &clock, Transport::Udp);
    assert_eq!(
        l.respond(clock.ms(1), id, answer(&r, 99, "No")),
        Err(TxnError::BadStatus(99))
    );
    assert_eq!(
        l.respond(clock.ms(1), id, answer(&r, 700, "No")),
        Err(TxnError::BadStatus(700))
    );
    assert_eq!(
        l.respond(clock.ms(1), TxnId(999), answer(&r, 200, "OK")),
        Err(TxnError::UnknownTransaction)
    );
}
