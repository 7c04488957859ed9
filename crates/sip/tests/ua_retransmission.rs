//! The UA core's own 2xx retransmission (RFC 3261 13.3.1.4): T1 doubling to T2 until the ACK,
//! re-ACK of retransmitted 2xx by the caller, and BYE after 64*T1 without an ACK.

mod ua_sim;

use std::time::Duration;

use tandem_sip::ua::{EndReason, UaEvent};
use ua_sim::*;

fn answered(sim: &mut Sim) -> (tandem_sip::ua::CallId, tandem_sip::ua::CallId) {
    let caller = sim.call(A, OFFER);
    sim.run(sim.latency * 2);
    let callee = sim.incoming(B);
    sim.take_events(B);
    let now = sim.now;
    sim.ua(B)
        .answer(now, callee, ANSWER.as_bytes().to_vec())
        .unwrap();
    (caller, callee)
}

#[test]
fn lost_acks_make_the_callee_resend_200_until_an_ack_gets_through() {
    let mut sim = Sim::new();
    let mut lost = 0;
    sim.set_drop(move |from, text| {
        if from == A && text.starts_with("ACK ") && lost < 2 {
            lost += 1;
            return true;
        }
        false
    });
    let (caller, callee) = answered(&mut sim);
    sim.run(Duration::from_secs(5));
    let oks = sim.times_starting(B, "SIP/2.0 200");
    assert_eq!(oks.len(), 3, "original and two retransmissions");
    let gaps: Vec<Duration> = oks.windows(2).map(|w| w[1] - w[0]).collect();
    assert_eq!(
        gaps,
        [Duration::from_millis(500), Duration::from_millis(1000)],
        "T1, then doubled"
    );
    assert_eq!(
        sim.sent_starting(A, "ACK ").len(),
        3,
        "every 2xx is ACKed again"
    );
    let acks = sim.sent_starting(A, "ACK ");
    assert!(acks.iter().all(|a| a == &acks[0]), "the same ACK each time");
    assert_eq!(
        sim.take_events(B),
        vec![UaEvent::CallConfirmed { call: callee }]
    );
    let ev = sim.take_events(A);
    assert_eq!(
        ev,
        vec![UaEvent::CallAnswered {
            call: caller,
            sdp: ANSWER.as_bytes().to_vec()
        }],
        "answered once"
    );
}

#[test]
fn no_ack_within_64_t1_makes_the_callee_send_bye() {
    let mut sim = Sim::new();
    sim.set_drop(|from, text| from == A && text.starts_with("ACK "));
    let (caller, callee) = answered(&mut sim);
    let answered_at = sim.now;
    sim.run(Duration::from_secs(40));
    let oks = sim.times_starting(B, "SIP/2.0 200");
    let gaps: Vec<u64> = oks
        .windows(2)
        .map(|w| (w[1] - w[0]).as_millis() as u64)
        .collect();
    assert_eq!(
        gaps,
        [500, 1000, 2000, 4000, 4000, 4000, 4000, 4000, 4000, 4000],
        "capped at T2"
    );
    let byes = sim.times_starting(B, "BYE ");
    assert_eq!(byes.len(), 1);
    assert_eq!(byes[0] - answered_at, Duration::from_secs(32), "64*T1");
    assert_eq!(
        sim.take_events(B),
        vec![UaEvent::CallEnded {
            call: callee,
            reason: EndReason::Timeout
        }]
    );
    let ev = sim.take_events(A);
    assert_eq!(
        ev.last(),
        Some(&UaEvent::CallEnded {
            call: caller,
            reason: EndReason::RemoteBye
        })
    );
    assert_eq!((sim.ua(A).calls(), sim.ua(B).calls()), (0, 0));
}

#[test]
fn callee_hangup_before_the_ack_sends_bye_once_it_arrives() {
    let mut sim = Sim::new();
    sim.latency = Duration::from_millis(200);
    let (caller, callee) = answered(&mut sim);
    let now = sim.now;
    sim.ua(B).hangup(now, callee).unwrap();
    sim.flush();
    assert!(
        sim.sent_starting(B, "BYE").is_empty(),
        "RFC 3261 15: not before the ACK"
    );
    sim.run(Duration::from_secs(2));
    assert_eq!(sim.sent_starting(B, "BYE ").len(), 1);
    assert!(sim.take_events(B).is_empty());
    let ev = sim.take_events(A);
    assert_eq!(
        ev.last(),
        Some(&UaEvent::CallEnded {
            call: caller,
            reason: EndReason::RemoteBye
        })
    );
}

#[test]
fn invite_without_any_answer_fails_with_408() {
    let mut sim = Sim::new();
    sim.set_drop(|from, _| from == B);
    let caller = sim.call(A, OFFER);
    sim.run(Duration::from_secs(40));
    let ev = sim.take_events(A);
    assert_eq!(
        ev,
        vec![UaEvent::CallFailed {
            call: caller,
            status: 408,
            reason: "Request Timeout".into()
        }]
    );
    assert_eq!(
        sim.sent_starting(A, "INVITE ").len(),
        7,
        "timer A: 0, .5, 1.5, 3.5, 7.5, 15.5, 31.5 s"
    );
}

/// The UA keeps its calls' timers in a heap (ua/call_table.rs): with many calls answered in an
/// order unrelated to their ids and no ACK ever arriving, every call's 2xx retransmissions and
/// its give-up BYE come exactly on time, and the calls end in the order they were answered.
#[test]
fn many_unacked_calls_give_up_in_the_order_they_were_answered() {
    const N: usize = 120;
    let mut sim = Sim::new();
    sim.set_drop(|from, text| from == A && text.starts_with("ACK "));
    for _ in 0..N {
        sim.call(A, OFFER);
    }
    sim.run(sim.latency * 2);
    let incoming: Vec<_> = sim
        .take_events(B)
        .into_iter()
        .filter_map(|e| match e {
            UaEvent::IncomingCall { call, .. } => Some(call),
            _ => None,
        })
        .collect();
    assert_eq!(incoming.len(), N);
    // answer in an order that is neither id order nor its reverse, 3 ms apart
    let mut answered = Vec::new();
    for k in 0..N {
        let callee = incoming[(k * 7) % N];
        let now = sim.now;
        sim.ua(B)
            .answer(now, callee, ANSWER.as_bytes().to_vec())
            .unwrap();
        answered.push((now, callee));
        sim.run(Duration::from_millis(3));
    }
    sim.run(Duration::from_secs(40));

    let ended: Vec<_> = sim
        .take_events(B)
        .into_iter()
        .filter_map(|e| match e {
            UaEvent::CallEnded { call, reason } => Some((call, reason)),
            _ => None,
        })
        .collect();
    let want: Vec<_> = answered
        .iter()
        .map(|(_, c)| (*c, EndReason::Timeout))
        .collect();
    assert_eq!(ended, want, "ended in answer order");
    let byes = sim.times_starting(B, "BYE ");
    let want_byes: Vec<_> = answered
        .iter()
        .map(|(t, _)| *t + Duration::from_secs(32))
        .collect();
    assert_eq!(byes, want_byes, "each BYE 64*T1 after its answer");
    assert_eq!(
        sim.sent_starting(B, "SIP/2.0 200").len(),
        N * 11,
        "the 200 and its 10 retransmissions, per call"
    );
    assert_eq!((sim.ua(A).calls(), sim.ua(B).calls()), (0, 0));
}
