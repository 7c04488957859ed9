//! CANCEL of an unanswered call, CANCEL held back until a provisional, and the race of a
//! 200 OK with our CANCEL (ACK, then BYE).

mod ua_sim;

use std::time::Duration;

use tandem_sip::ua::{EndReason, UaEvent};
use ua_sim::*;

#[test]
fn cancel_before_answer_ends_the_callee_call_with_487() {
    let mut sim = Sim::new();
    let caller = sim.call(A, OFFER);
    sim.settle();
    let callee = sim.incoming(B);
    let now = sim.now;
    sim.ua(B).ringing(now, callee).unwrap();
    sim.settle();
    sim.take_events(A);
    let now = sim.now;
    sim.ua(A).hangup(now, caller).unwrap();
    sim.settle();
    let ev = sim.take_events(B);
    assert_eq!(
        ev.last(),
        Some(&UaEvent::CallEnded {
            call: callee,
            reason: EndReason::Cancelled
        })
    );
    let cancel = &sim.sent_starting(A, "CANCEL ")[0];
    assert!(cancel.contains("CSeq: 102 CANCEL"), "{cancel}");
    assert_eq!(
        sim.sent_starting(B, "SIP/2.0 200 OK").len(),
        1,
        "200 to the CANCEL"
    );
    let r487 = &sim.sent_starting(B, "SIP/2.0 487")[0];
    assert!(r487.contains("CSeq: 102 INVITE"));
    assert_eq!(sim.sent_starting(A, "ACK ").len(), 1, "the 487 is ACKed");
    assert!(
        sim.take_events(A).is_empty(),
        "no event after our own hangup"
    );
    sim.run(Duration::from_secs(40));
    assert_eq!((sim.ua(A).calls(), sim.ua(B).calls()), (0, 0));
    assert_eq!(sim.sent_starting(B, "SIP/2.0 487").len(), 1);
}

#[test]
fn hangup_before_any_provisional_waits_for_it_then_cancels() {
    let mut sim = Sim::new();
    let caller = sim.call(A, OFFER);
    let now = sim.now;
    sim.ua(A).hangup(now, caller).unwrap();
    sim.flush();
    assert!(
        sim.sent_starting(A, "CANCEL").is_empty(),
        "RFC 3261 9.1: not before a provisional"
    );
    sim.settle();
    assert_eq!(
        sim.sent_starting(A, "CANCEL ").len(),
        1,
        "sent once 100 Trying came"
    );
    let ev = sim.take_events(B);
    assert!(
        matches!(
            ev.last(),
            Some(UaEvent::CallEnded {
                reason: EndReason::Cancelled,
                ..
            })
        ),
        "{ev:?}"
    );
}

#[test]
fn answer_crossing_cancel_is_acked_then_hung_up_with_bye() {
    let mut sim = Sim::new();
    let caller = sim.call(A, OFFER);
    sim.settle();
    let callee = sim.incoming(B);
    sim.take_events(B);
    let now = sim.now;
    sim.ua(B).ringing(now, callee).unwrap();
    sim.settle();
    // both at the same instant: the 200 and the CANCEL cross on the link
    let now = sim.now;
    sim.ua(B)
        .answer(now, callee, ANSWER.as_bytes().to_vec())
        .unwrap();
    sim.ua(A).hangup(now, caller).unwrap();
    sim.settle();
    let a_sent: Vec<String> = sim.sides[A]
        .sent
        .iter()
        .map(|t| first_line(t).to_string())
        .collect();
    let cancel = a_sent
        .iter()
        .position(|l| l.starts_with("CANCEL"))
        .expect("CANCEL");
    let ack = a_sent
        .iter()
        .position(|l| l.starts_with("ACK"))
        .expect("ACK");
    let bye = a_sent
        .iter()
        .position(|l| l.starts_with("BYE"))
        .expect("BYE");
    assert!(cancel < ack && ack < bye, "{a_sent:?}");
    assert!(
        sim.sent_starting(B, "SIP/2.0 487").is_empty(),
        "the INVITE was already answered"
    );
    let ev = sim.take_events(B);
    assert_eq!(
        ev,
        vec![
            UaEvent::CallConfirmed { call: callee },
            UaEvent::CallEnded {
                call: callee,
                reason: EndReason::RemoteBye
            }
        ]
    );
    assert!(
        sim.take_events(A)
            .iter()
            .all(|e| !matches!(e, UaEvent::CallAnswered { .. })),
        "the TU hung up: not told"
    );
    sim.run(Duration::from_secs(1));
    assert_eq!((sim.ua(A).calls(), sim.ua(B).calls()), (0, 0));
}

#[test]
fn cancel_for_no_invite_gets_481() {
    let mut sim = Sim::new();
    let cancel = b"CANCEL sip:bob@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKnone\r\nMax-Forwards: 70\r\nFrom: <sip:a@192.0.2.1>;tag=1\r\nTo: <sip:bob@192.0.2.2>\r\nCall-ID: none\r\nCSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n";
    sim.inject(B, cancel);
    assert_eq!(sim.sent_starting(B, "SIP/2.0 481").len(), 1);
}
