//! Server INVITE transaction (RFC 3261 17.2.1, RFC 6026) driven with a fake clock.

mod txn_support;

use tandem_sip::message::{Message, Request, Transport};
use tandem_sip::transaction::{
    Config, Timer, TransactionLayer, TryingPolicy, TxnError, TxnEvent, TxnId, TxnState,
};
use txn_support::*;

const BRANCH: &str = ";branch=z9hG4bKinv1";

fn receive(l: &mut TransactionLayer, clock: &Clock, transport: Transport) -> (TxnId, Request) {
    l.handle_incoming(clock.ms(0), invite(BRANCH).into(), addr(UAC), transport);
    match &events(l)[..] {
        [TxnEvent::Request { txn, request, .. }] => (*txn, request.clone()),
        other => panic!("{other:?}"),
    }
}

fn ack_for(r: &Request, branch: &str) -> Request {
    let mut ack = invite(branch);
    ack.method = tandem_sip::message::Method::Ack;
    ack.headers.set("CSeq", "1 ACK");
    ack.headers
        .set("To", format!("{};tag=b1", r.headers.get("To").unwrap()));
    ack
}

#[test]
fn a_new_invite_gets_100_trying_at_once_like_chan_sip() {
    let clock = Clock::new();
    let mut l = layer();
    let (id, r) = receive(&mut l, &clock, Transport::Udp);
    let tx = transmits(&mut l);
    assert_eq!(tx.len(), 1);
    assert_eq!(first_line(&tx[0]), "SIP/2.0 100 Trying");
    assert_eq!(tx[0].dest, addr(UAC));
    let Message::Response(trying) = parse_tx(&tx[0]) else {
        panic!()
    };
    assert_eq!(
        trying.headers.to_hdr().unwrap().tag(),
        None,
        "a 100 carries no To tag"
    );
    assert_eq!(trying.headers.get("Call-ID"), r.headers.get("Call-ID"));
    assert_eq!(l.state(id), Some(TxnState::Proceeding));
}

#[test]
fn with_the_rfc_policy_100_trying_goes_out_only_if_the_tu_is_silent_for_200ms() {
    let clock = Clock::new();
    let cfg = Config {
        trying: TryingPolicy::After200ms,
        ..Config::default()
    };
    let mut l = TransactionLayer::new(cfg, 1);
    let (id, _) = receive(&mut l, &clock, Transport::Udp);
    assert!(transmits(&mut l).is_empty());
    assert_eq!(l.timer(id, Timer::Trying), Some(clock.ms(200)));
    let (tx, _) = run_until(&mut l, &clock, clock.ms(300));
    assert_eq!(tx.len(), 1);
    assert_eq!(
        (tx[0].0, first_line(&tx[0].1)),
        (200, "SIP/2.0 100 Trying".to_string())
    );

    // a TU that answers within 200 ms: no 100 from the transaction
    let mut l = TransactionLayer::new(cfg, 1);
    let (id, r) = receive(&mut l, &clock, Transport::Udp);
    l.respond(clock.ms(50), id, answer(&r, 180, "Ringing"))
        .unwrap();
    assert_eq!(transmits(&mut l).len(), 1, "the 180");
    assert_eq!(l.timer(id, Timer::Trying), None);
    let (tx, _) = run_until(&mut l, &clock, clock.ms(1_000));
    assert!(tx.is_empty());
}

#[test]
fn with_policy_never_the_transaction_sends_no_100() {
    let clock = Clock::new();
    let mut l = TransactionLayer::new(
        Config {
            trying: TryingPolicy::Never,
            ..Config::default()
        },
        1,
    );
    receive(&mut l, &clock, Transport::Udp);
    let (tx, _) = run_until(&mut l, &clock, clock.ms(5_000));
    assert!(transmits(&mut l).is_empty() && tx.is_empty());
}

#[test]
fn a_retransmitted_invite_gets_the_last_provisional_again_and_is_not_passed_up() {
    let clock = Clock::new();
    let mut l = layer();
    let (id, r) = receive(&mut l, &clock, Transport::Udp);
    transmits(&mut l);
    l.respond(clock.ms(100), id, answer(&r, 180, "Ringing"))
        .unwrap();
    let ringing = transmits(&mut l);
    l.handle_incoming(
        clock.ms(500),
        invite(BRANCH).into(),
        addr(UAC),
        Transport::Udp,
    );
    assert!(events(&mut l).is_empty());
    let again = transmits(&mut l);
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].bytes, ringing[0].bytes);
}

#[test]
fn timer_g_resends_a_non_2xx_final_doubling_to_t2_until_the_ack_then_timer_i() {
    let clock = Clock::new();
    let mut l = layer();
    let (id, r) = receive(&mut l, &clock, Transport::Udp);
    transmits(&mut l);
    l.respond(clock.ms(0), id, answer(&r, 486, "Busy Here"))
        .unwrap();
    let busy = transmits(&mut l);
    assert_eq!(l.state(id), Some(TxnState::Completed));
    let (tx, ev) = run_until(&mut l, &clock, clock.ms(12_000));
    let times: Vec<u64> = tx.iter().map(|(t, _)| *t).collect();
    assert_eq!(times, [500, 1500, 3500, 7500, 11500]);
    assert!(tx.iter().all(|(_, t)| t.bytes == busy[0].bytes));
    assert!(ev.is_empty());
    // a retransmitted INVITE gets the final again
    l.handle_incoming(
        clock.ms(12_000),
        invite(BRANCH).into(),
        addr(UAC),
        Transport::Udp,
    );
    assert_eq!(transmits(&mut l)[0].bytes, busy[0].bytes);
    // the ACK (same branch) is absorbed: Confirmed, G and H off, I = T4
    l.handle_incoming(
        clock.ms(12_100),
        ack_for(&r, BRANCH).into(),
        addr(UAC),
        Transport::Udp,
    );
    assert!(
        events(&mut l).is_empty(),
        "the TU does not see the ACK for a non-2xx"
    );
    assert_eq!(l.state(id), Some(TxnState::Confirmed));
    assert_eq!(l.timer(id, Timer::G), None);
    assert_eq!(l.timer(id, Timer::H), None);
    assert_eq!(l.timer(id, Timer::I), Some(clock.ms(17_100)));
    // ACK retransmissions are absorbed in Confirmed
    l.handle_incoming(
        clock.ms(13_000),
        ack_for(&r, BRANCH).into(),
        addr(UAC),
        Transport::Udp,
    );
    assert!(events(&mut l).is_empty() && transmits(&mut l).is_empty());
    let (tx, ev) = run_until(&mut l, &clock, clock.ms(60_000));
    assert!(tx.is_empty());
    assert_eq!(ev, [(17_100, TxnEvent::Terminated { txn: id })]);
}

#[test]
fn timer_h_gives_up_when_no_ack_comes() {
    let clock = Clock::new();
    let mut l = layer();
    let (id, r) = receive(&mut l, &clock, Transport::Udp);
    l.respond(clock.ms(1_000), id, answer(&r, 404, "Not Found"))
        .unwrap();
    assert_eq!(transmits(&mut l).len(), 2, "100 Trying and the 404");
    let (tx, ev) = run_until(&mut l, &clock, clock.ms(60_000));
    let times: Vec<u64> = tx.iter().map(|(t, _)| *t).collect();
    assert_eq!(
        times,
        [1_000, 1_500, 2_500, 4_500, 8_500, 12_500, 16_500, 20_500, 24_500, 28_500, 32_500][1..]
    );
    assert_eq!(
        ev,
        [
            (33_000, TxnEvent::Timeout { txn: id }),
            (33_000, TxnEvent::Terminated { txn: id })
        ]
    );
}

#[test]
fn a_2xx_moves_to_accepted_where_invites_are_absorbed_and_the_tu_resends_its_2xx() {
    let clock = Clock::new();
    let mut l = layer();
    let (id, r) = receive(&mut l, &clock, Transport::Udp);
    transmits(&mut l);
    let ok = answer(&r, 200, "OK");
    l.respond(clock.ms(100), id, ok.clone()).unwrap();
    assert_eq!(transmits(&mut l).len(), 1);
    assert_eq!(l.state(id), Some(TxnState::Accepted));
    assert_eq!(l.timer(id, Timer::L), Some(clock.ms(32_100)));
    // no retransmission of its own
    let (tx, _) = run_until(&mut l, &clock, clock.ms(5_000));
    assert!(tx.is_empty());
    // a retransmitted INVITE is absorbed (the UA core resends the 2xx)
    l.handle_incoming(
        clock.ms(5_000),
        invite(BRANCH).into(),
        addr(UAC),
        Transport::Udp,
    );
    assert!(events(&mut l).is_empty() && transmits(&mut l).is_empty());
    l.respond(clock.ms(5_100), id, ok.clone()).unwrap();
    assert_eq!(
        transmits(&mut l).len(),
        1,
        "the TU's 2xx retransmission passes through"
    );
    assert_eq!(
        l.respond(clock.ms(5_200), id, answer(&r, 486, "Busy")),
        Err(TxnError::WrongState(TxnState::Accepted))
    );
    // the ACK for a 2xx has its own branch: no transaction, the TU gets it
    l.handle_incoming(
        clock.ms(5_300),
        ack_for(&r, ";branch=z9hG4bKack2").into(),
        addr(UAC),
        Transport::Udp,
    );
    assert!(
        matches!(&events(&mut l)[..], [TxnEvent::StrayAck { request, .. }] if request.method == tandem_sip::message::Method::Ack)
    );
    let (_, ev) = run_until(&mut l, &clock, clock.ms(60_000));
    assert_eq!(ev, [(32_100, TxnEvent::Terminated { txn: id })]);
}

#[test]
fn over_tcp_no_final_is_resent_and_the_ack_ends_the_transaction_at_once() {
    let clock = Clock::new();
    let mut l = layer();
    let (id, r) = receive(&mut l, &clock, Transport::Tcp);
    transmits(&mut l);
    l.respond(clock.ms(0), id, answer(&r, 486, "Busy Here"))
        .unwrap();
    transmits(&mut l);
    assert_eq!(l.timer(id, Timer::G), None);
    assert_eq!(l.timer(id, Timer::H), Some(clock.ms(32_000)));
    let (tx, _) = run_until(&mut l, &clock, clock.ms(10_000));
    assert!(tx.is_empty());
    l.handle_incoming(
        clock.ms(10_000),
        ack_for(&r, BRANCH).into(),
        addr(UAC),
        Transport::Tcp,
    );
    let (_, ev) = run_until(&mut l, &clock, clock.ms(10_000));
    assert_eq!(
        ev,
        [(10_000, TxnEvent::Terminated { txn: id })],
        "Timer I is zero"
    );
}
