//! Client non-INVITE transaction (RFC 3261 17.1.2) driven with a fake clock.

mod txn_support;

use tandem_sip::message::{Message, Transport};
use tandem_sip::transaction::{Timer, TxnEvent, TxnState};
use txn_support::*;

#[test]
fn timer_e_doubles_up_to_t2_and_timer_f_times_out_at_32s() {
    let clock = Clock::new();
    let mut l = layer();
    let id = l
        .send_request(
            clock.ms(0),
            non_invite("OPTIONS", ""),
            addr(UAS),
            Transport::Udp,
        )
        .unwrap();
    let first = transmits(&mut l);
    assert_eq!(first.len(), 1);
    let (tx, ev) = run_until(&mut l, &clock, clock.ms(60_000));
    let times: Vec<u64> = tx.iter().map(|(t, _)| *t).collect();
    // 500, 1000, 2000, then T2 = 4000 ms
    assert_eq!(
        times,
        [500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]
    );
    assert!(tx.iter().all(|(_, t)| t.bytes == first[0].bytes));
    assert_eq!(
        ev,
        [
            (32_000, TxnEvent::Timeout { txn: id }),
            (32_000, TxnEvent::Terminated { txn: id })
        ]
    );
}

#[test]
fn in_proceeding_timer_e_fires_every_t2() {
    let clock = Clock::new();
    let mut l = layer();
    let id = l
        .send_request(
            clock.ms(0),
            non_invite("REGISTER", ""),
            addr(UAS),
            Transport::Udp,
        )
        .unwrap();
    let Message::Request(sent) = parse_tx(&transmits(&mut l)[0]) else {
        panic!()
    };
    l.handle_incoming(
        clock.ms(200),
        answer(&sent, 100, "Trying").into(),
        addr(UAS),
        Transport::Udp,
    );
    assert!(
        matches!(&events(&mut l)[..], [TxnEvent::Response { response, .. }] if response.status == 100)
    );
    assert_eq!(l.state(id), Some(TxnState::Proceeding));
    let (tx, ev) = run_until(&mut l, &clock, clock.ms(13_000));
    let times: Vec<u64> = tx.iter().map(|(t, _)| *t).collect();
    assert_eq!(times, [500, 4500, 8500, 12500]);
    assert!(ev.is_empty());
    // Timer F still runs in Proceeding
    let (_, ev) = run_until(&mut l, &clock, clock.ms(40_000));
    assert_eq!(ev.first(), Some(&(32_000, TxnEvent::Timeout { txn: id })));
}

#[test]
fn a_final_response_completes_and_timer_k_absorbs_retransmitted_finals() {
    let clock = Clock::new();
    let mut l = layer();
    let id = l
        .send_request(
            clock.ms(0),
            non_invite("BYE", ""),
            addr(UAS),
            Transport::Udp,
        )
        .unwrap();
    let Message::Request(sent) = parse_tx(&transmits(&mut l)[0]) else {
        panic!()
    };
    let ok = answer(&sent, 200, "OK");
    l.handle_incoming(clock.ms(300), ok.clone().into(), addr(UAS), Transport::Udp);
    assert_eq!(
        events(&mut l),
        [TxnEvent::Response {
            txn: id,
            response: ok.clone()
        }]
    );
    assert_eq!(l.state(id), Some(TxnState::Completed));
    assert_eq!(l.timer(id, Timer::K), Some(clock.ms(5_300)), "T4");
    assert_eq!(l.timer(id, Timer::E), None);
    l.handle_incoming(
        clock.ms(1_000),
        ok.clone().into(),
        addr(UAS),
        Transport::Udp,
    );
    assert!(events(&mut l).is_empty(), "absorbed");
    assert!(transmits(&mut l).is_empty());
    let (tx, ev) = run_until(&mut l, &clock, clock.ms(60_000));
    assert!(tx.is_empty());
    assert_eq!(ev, [(5_300, TxnEvent::Terminated { txn: id })]);
}

#[test]
fn over_tcp_nothing_is_resent_and_timer_k_is_zero() {
    let clock = Clock::new();
    let mut l = layer();
    let id = l
        .send_request(
            clock.ms(0),
            non_invite("OPTIONS", ""),
            addr(UAS),
            Transport::Tcp,
        )
        .unwrap();
    let Message::Request(sent) = parse_tx(&transmits(&mut l)[0]) else {
        panic!()
    };
    assert_eq!(l.timer(id, Timer::E), None);
    assert_eq!(l.timer(id, Timer::F), Some(clock.ms(32_000)));
    l.handle_incoming(
        clock.ms(50),
        answer(&sent, 404, "Not Found").into(),
        addr(UAS),
        Transport::Tcp,
    );
    assert!(
        matches!(&events(&mut l)[..], [TxnEvent::Response { response, .. }] if response.status == 404)
    );
    let (tx, ev) = run_until(&mut l, &clock, clock.ms(50));
    assert!(tx.is_empty());
    assert_eq!(ev, [(50, TxnEvent::Terminated { txn: id })]);
}

#[test]
fn a_response_with_another_cseq_method_does_not_match() {
    let clock = Clock::new();
    let mut l = layer();
    l.send_request(
        clock.ms(0),
        non_invite("OPTIONS", ";branch=z9hG4bKsame"),
        addr(UAS),
        Transport::Udp,
    )
    .unwrap();
    let mut other = non_invite("INFO", ";branch=z9hG4bKsame");
    other.headers.set("CSeq", "5 INFO");
    l.handle_incoming(
        clock.ms(10),
        answer(&other, 200, "OK").into(),
        addr(UAS),
        Transport::Udp,
    );
    assert!(matches!(
        &events(&mut l)[..],
        [TxnEvent::StrayResponse { .. }]
    ));
}
