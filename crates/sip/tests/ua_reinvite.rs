//! re-INVITE in an established call: hold (sendonly) and resume round trips in both
//! directions, glare (491), a re-INVITE whose 2xx is ACKed, an out-of-order CSeq (500).

mod ua_sim;

use tandem_sip::ua::UaEvent;
use ua_sim::*;

const HOLD: &str = "v=0\r\no=- 1 2 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 10000 RTP/AVP 0\r\na=sendonly\r\n";
const HELD: &str = "v=0\r\no=- 2 3 IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\nm=audio 20000 RTP/AVP 0\r\na=recvonly\r\n";

#[test]
fn hold_and_resume_round_trip_from_the_caller() {
    let mut sim = Sim::new();
    let (caller, callee) = sim.established(A);
    for (offer, answer) in [(HOLD, HELD), (OFFER, ANSWER)] {
        let now = sim.now;
        sim.ua(A)
            .reinvite(now, caller, offer.as_bytes().to_vec())
            .unwrap();
        sim.settle();
        let ev = sim.take_events(B);
        let [UaEvent::Reinvite { call, txn, sdp }] = &ev[..] else {
            panic!("{ev:?}")
        };
        assert_eq!((*call, sdp.as_slice()), (callee, offer.as_bytes()));
        let (txn, now) = (*txn, sim.now);
        sim.ua(B)
            .answer_reinvite(now, callee, txn, answer.as_bytes().to_vec())
            .unwrap();
        sim.settle();
        assert_eq!(
            sim.take_events(A),
            vec![UaEvent::ReinviteAnswered {
                call: caller,
                sdp: answer.as_bytes().to_vec()
            }]
        );
    }
    let invites = sim.sent_starting(A, "INVITE ");
    assert!(invites[1].contains("CSeq: 103 INVITE") && invites[1].contains("a=sendonly"));
    assert!(invites[1].contains("tag="), "in the dialog");
    assert!(invites[2].contains("CSeq: 104 INVITE"));
    let acks = sim.sent_starting(A, "ACK ");
    assert_eq!(acks.len(), 3);
    assert!(acks[1].contains("CSeq: 103 ACK") && acks[2].contains("CSeq: 104 ACK"));
    sim.run(std::time::Duration::from_secs(40));
    assert_eq!(
        sim.sent_starting(B, "SIP/2.0 200").len(),
        3,
        "each 2xx ACKed: no retransmission"
    );
    assert!(sim.take_events(B).is_empty(), "the call goes on");
    assert_eq!((sim.ua(A).calls(), sim.ua(B).calls()), (1, 1));
}

#[test]
fn hold_from_the_callee_side_uses_the_callee_cseq_space() {
    let mut sim = Sim::new();
    let (caller, callee) = sim.established(A);
    let now = sim.now;
    sim.ua(B)
        .reinvite(now, callee, HOLD.as_bytes().to_vec())
        .unwrap();
    sim.settle();
    let ev = sim.take_events(A);
    let [UaEvent::Reinvite { call, txn, .. }] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(*call, caller);
    let (txn, now) = (*txn, sim.now);
    sim.ua(A)
        .answer_reinvite(now, caller, txn, HELD.as_bytes().to_vec())
        .unwrap();
    sim.settle();
    assert_eq!(
        sim.take_events(B),
        vec![UaEvent::ReinviteAnswered {
            call: callee,
            sdp: HELD.as_bytes().to_vec()
        }]
    );
    let inv = &sim.sent_starting(B, "INVITE ")[0];
    assert!(
        inv.starts_with("INVITE sip:alice@192.0.2.1:5060 SIP/2.0"),
        "to the caller's Contact: {inv}"
    );
    assert!(inv.contains("CSeq: 102 INVITE"));
}

#[test]
fn rejected_reinvite_keeps_the_call() {
    let mut sim = Sim::new();
    let (caller, callee) = sim.established(A);
    let now = sim.now;
    sim.ua(A)
        .reinvite(now, caller, HOLD.as_bytes().to_vec())
        .unwrap();
    sim.settle();
    let ev = sim.take_events(B);
    let [UaEvent::Reinvite { txn, .. }] = &ev[..] else {
        panic!("{ev:?}")
    };
    let (txn, now) = (*txn, sim.now);
    sim.ua(B)
        .reject_reinvite(now, callee, txn, 488, "Not Acceptable Here")
        .unwrap();
    sim.settle();
    assert_eq!(
        sim.take_events(A),
        vec![UaEvent::ReinviteFailed {
            call: caller,
            status: 488
        }]
    );
    let now = sim.now;
    sim.ua(A).hangup(now, caller).unwrap();
    sim.settle();
    assert!(matches!(
        sim.take_events(B)[..],
        [UaEvent::CallEnded { .. }]
    ));
}

#[test]
fn crossing_reinvites_get_491() {
    let mut sim = Sim::new();
    let (caller, callee) = sim.established(A);
    let now = sim.now;
    sim.ua(A)
        .reinvite(now, caller, HOLD.as_bytes().to_vec())
        .unwrap();
    sim.ua(B)
        .reinvite(now, callee, HOLD.as_bytes().to_vec())
        .unwrap();
    sim.settle();
    assert_eq!(
        sim.take_events(A),
        vec![UaEvent::ReinviteFailed {
            call: caller,
            status: 491
        }]
    );
    assert_eq!(
        sim.take_events(B),
        vec![UaEvent::ReinviteFailed {
            call: callee,
            status: 491
        }]
    );
}

#[test]
fn request_with_an_old_cseq_gets_500() {
    let mut sim = Sim::new();
    let (_caller, _callee) = sim.established(A);
    // replay A's INVITE headers as an INFO with CSeq 1 inside the dialog
    let ok = sim.sent_starting(B, "SIP/2.0 200")[0].clone();
    let to = ok
        .lines()
        .find(|l| l.starts_with("To:"))
        .unwrap()
        .to_string();
    let from = ok
        .lines()
        .find(|l| l.starts_with("From:"))
        .unwrap()
        .to_string();
    let cid = ok
        .lines()
        .find(|l| l.starts_with("Call-ID:"))
        .unwrap()
        .to_string();
    let info = format!("INFO sip:bob@192.0.2.2:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKold1\r\nMax-Forwards: 70\r\n{from}\r\n{to}\r\n{cid}\r\nCSeq: 1 INFO\r\nContent-Length: 0\r\n\r\n");
    sim.inject(B, info.as_bytes());
    let r = sim.sent_starting(B, "SIP/2.0 500");
    assert_eq!(r.len(), 1, "{:?}", sim.sides[B].sent.last());
    assert!(r[0].starts_with("SIP/2.0 500 Server error"));
    assert!(sim.take_events(B).is_empty());
}
