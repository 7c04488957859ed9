//! Basic calls between two user agents: set-up, BYE from either side, busy, INFO, OPTIONS to
//! the TU, a bad datagram answered 400.

mod ua_sim;

use std::time::Duration;

use tandem_sip::message::{parse, Message, Method, Request, Response, Uri};
use tandem_sip::ua::{EndReason, UaEvent};
use ua_sim::*;

#[test]
fn caller_hears_ringing_then_answer_and_callee_is_confirmed() {
    let mut sim = Sim::new();
    let caller = sim.call(A, OFFER);
    sim.settle();
    assert!(
        sim.sent_starting(B, "SIP/2.0 100 Trying").len() == 1,
        "100 Trying at once"
    );
    let ev = sim.take_events(B);
    let UaEvent::IncomingCall {
        call: callee,
        request,
        source,
    } = &ev[0]
    else {
        panic!("{ev:?}")
    };
    assert_eq!(*source, addr(A));
    assert_eq!(request.body, OFFER.as_bytes());
    let callee = *callee;
    let now = sim.now;
    sim.ua(B).ringing(now, callee).unwrap();
    sim.settle();
    assert_eq!(
        sim.take_events(A),
        vec![UaEvent::CallRinging {
            call: caller,
            status: 180
        }]
    );
    let now = sim.now;
    sim.ua(B)
        .answer(now, callee, ANSWER.as_bytes().to_vec())
        .unwrap();
    sim.settle();
    assert_eq!(
        sim.take_events(A),
        vec![UaEvent::CallAnswered {
            call: caller,
            sdp: ANSWER.as_bytes().to_vec()
        }]
    );
    assert_eq!(
        sim.take_events(B),
        vec![UaEvent::CallConfirmed { call: callee }]
    );
    let ok = &sim.sent_starting(B, "SIP/2.0 200")[0];
    assert!(ok.contains("Contact: <sip:bob@192.0.2.2:5060>"), "{ok}");
    assert!(ok.contains("Content-Type: application/sdp"));
    let acks = sim.sent_starting(A, "ACK ");
    assert_eq!(acks.len(), 1);
    assert!(
        acks[0].contains("CSeq: 102 ACK"),
        "2xx ACK keeps the INVITE's number: {}",
        acks[0]
    );
    let invite_branch = sim.sent_starting(A, "INVITE ")[0]
        .lines()
        .find(|l| l.starts_with("Via"))
        .unwrap()
        .to_string();
    let ack_branch = acks[0]
        .lines()
        .find(|l| l.starts_with("Via"))
        .unwrap()
        .to_string();
    assert_ne!(invite_branch, ack_branch, "the 2xx ACK has its own branch");
    // no retransmission of the 2xx after the ACK
    sim.run(Duration::from_secs(40));
    assert_eq!(sim.sent_starting(B, "SIP/2.0 200").len(), 1);
}

#[test]
fn bye_from_caller_ends_the_call_on_both_sides() {
    let mut sim = Sim::new();
    let (caller, callee) = sim.established(A);
    let now = sim.now;
    sim.ua(A).hangup(now, caller).unwrap();
    sim.settle();
    assert_eq!(
        sim.take_events(B),
        vec![UaEvent::CallEnded {
            call: callee,
            reason: EndReason::RemoteBye
        }]
    );
    assert!(
        sim.take_events(A).is_empty(),
        "no event after our own hangup"
    );
    let bye = &sim.sent_starting(A, "BYE ")[0];
    assert!(bye.contains("CSeq: 103 BYE"), "{bye}");
    assert_eq!(
        sim.sent_starting(B, "SIP/2.0 200 OK").len(),
        2,
        "200 to INVITE and to BYE"
    );
    assert_eq!((sim.ua(A).calls(), sim.ua(B).calls()), (0, 0));
}

#[test]
fn bye_from_callee_ends_the_call_on_both_sides() {
    let mut sim = Sim::new();
    let (caller, callee) = sim.established(A);
    let now = sim.now;
    sim.ua(B).hangup(now, callee).unwrap();
    sim.settle();
    assert_eq!(
        sim.take_events(A),
        vec![UaEvent::CallEnded {
            call: caller,
            reason: EndReason::RemoteBye
        }]
    );
    let bye = &sim.sent_starting(B, "BYE ")[0];
    assert!(
        bye.starts_with("BYE sip:alice@192.0.2.1:5060 SIP/2.0"),
        "to the caller's Contact: {bye}"
    );
    assert!(bye.contains("CSeq: 102 BYE"));
    assert_eq!((sim.ua(A).calls(), sim.ua(B).calls()), (0, 0));
}

#[test]
fn calls_work_in_the_other_direction_too() {
    let mut sim = Sim::new();
    let (caller, callee) = sim.established(B);
    let now = sim.now;
    sim.ua(A).hangup(now, callee).unwrap();
    sim.settle();
    assert_eq!(
        sim.take_events(B),
        vec![UaEvent::CallEnded {
            call: caller,
            reason: EndReason::RemoteBye
        }]
    );
}

#[test]
fn busy_callee_gives_486_and_the_caller_acks_it() {
    let mut sim = Sim::new();
    let caller = sim.call(A, OFFER);
    sim.settle();
    let callee = sim.incoming(B);
    let now = sim.now;
    sim.ua(B).reject(now, callee, 486, "Busy Here").unwrap();
    sim.settle();
    assert_eq!(
        sim.take_events(A),
        vec![UaEvent::CallFailed {
            call: caller,
            status: 486,
            reason: "Busy Here".into()
        }]
    );
    let acks = sim.sent_starting(A, "ACK ");
    assert_eq!(acks.len(), 1, "non-2xx ACK from the transaction");
    sim.run(Duration::from_secs(40));
    assert_eq!(
        sim.sent_starting(B, "SIP/2.0 486").len(),
        1,
        "ACK stopped the retransmissions"
    );
    assert_eq!((sim.ua(A).calls(), sim.ua(B).calls()), (0, 0));
}

#[test]
fn hangup_of_an_unanswered_incoming_call_is_603_declined() {
    let mut sim = Sim::new();
    let caller = sim.call(A, OFFER);
    sim.settle();
    let callee = sim.incoming(B);
    let now = sim.now;
    sim.ua(B).hangup(now, callee).unwrap();
    sim.settle();
    assert_eq!(
        sim.take_events(A),
        vec![UaEvent::CallFailed {
            call: caller,
            status: 603,
            reason: "Declined".into()
        }]
    );
}

#[test]
fn info_dtmf_reaches_the_tu_which_chooses_the_answer() {
    // The TU answers INFO itself (chan_sip: 200 for DTMF bodies, 415 for unknown types).
    let mut sim = Sim::new();
    let (caller, callee) = sim.established(A);
    let now = sim.now;
    let txn = sim.ua(A).send_dtmf_info(now, caller, '5', 160).unwrap();
    sim.settle();
    let ev = sim.take_events(B);
    let (in_txn, request) = match &ev[..] {
        [UaEvent::DialogRequest { call, txn, request }] if *call == callee => {
            (*txn, request.clone())
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(request.method, Method::Info);
    assert_eq!(request.body, b"Signal=5\r\nDuration=160\r\n".to_vec());
    assert_eq!(
        request.headers.get("Content-Type"),
        Some("application/dtmf-relay")
    );
    let now = sim.now;
    let resp = Response::from_request(&request, 415, "Unsupported media type");
    sim.ua(B).respond(now, in_txn, resp).unwrap();
    sim.settle();
    let ev = sim.take_events(A);
    assert!(
        matches!(&ev[..], [UaEvent::Response { txn: t, response }] if *t == txn && response.status == 415),
        "{ev:?}"
    );
}

#[test]
fn options_out_of_dialog_is_passed_to_the_tu_which_answers() {
    let mut sim = Sim::new();
    let req = Request::new(Method::Options, Uri::parse("sip:192.0.2.2").unwrap())
        .with_header("Max-Forwards", "70")
        .with_header("From", "<sip:qualify@192.0.2.1>;tag=q1")
        .with_header("To", "<sip:192.0.2.2>")
        .with_header("Call-ID", "opt-1@192.0.2.1")
        .with_header("CSeq", "1 OPTIONS");
    let now = sim.now;
    let ctxn = sim.ua(A).send_request(now, req, addr(B)).unwrap();
    sim.settle();
    let ev = sim.take_events(B);
    let [UaEvent::Request {
        txn,
        request,
        source,
    }] = &ev[..]
    else {
        panic!("{ev:?}")
    };
    assert_eq!(
        (request.method.clone(), *source),
        (Method::Options, addr(A))
    );
    let resp = Response::from_request(request, 200, "OK").with_header("Allow", "INVITE, OPTIONS");
    let (txn, now) = (*txn, sim.now);
    sim.ua(B).respond(now, txn, resp).unwrap();
    sim.settle();
    let ev = sim.take_events(A);
    let [UaEvent::Response { txn, response }] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!((*txn, response.status), (ctxn, 200));
    assert!(
        response.headers.to_hdr().unwrap().tag().is_some(),
        "the UA added a To tag"
    );
}

#[test]
fn unparsable_datagram_gets_400_with_the_reason_and_the_ua_keeps_serving() {
    let mut sim = Sim::new();
    let bad = b"INVITE sip:bob@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKx\r\nFrom: <sip:a@192.0.2.1>;tag=1\r\nTo: <sip:bob@192.0.2.2>\r\nCall-ID: bad1\r\nCSeq: 1 INVITE\r\nCSeq: 2 INVITE\r\nContent-Length: 0\r\n\r\n";
    sim.inject(B, bad);
    let sent = sim.sent_starting(B, "SIP/2.0 400");
    assert_eq!(sent.len(), 1, "{:?}", sim.sides[B].sent);
    let Ok(Message::Response(r)) = parse(sent[0].as_bytes()) else {
        panic!()
    };
    assert!(
        r.reason.contains("CSeq"),
        "the reason names the problem: {}",
        r.reason
    );
    assert!(r.headers.to_hdr().unwrap().tag().is_some());
    assert!(sim.take_events(B).is_empty());
    sim.inject(B, b"\x00\x01garbage");
    assert_eq!(sim.sides[B].sent.len(), 1, "noise is dropped");
    // still serving
    let caller = sim.call(A, OFFER);
    sim.settle();
    let _ = sim.incoming(B);
    assert_eq!(sim.ua(A).calls(), 1, "{caller}");
}

#[test]
fn in_dialog_request_for_unknown_dialog_gets_481() {
    let mut sim = Sim::new();
    let bye = b"BYE sip:bob@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKbye1\r\nMax-Forwards: 70\r\nFrom: <sip:a@192.0.2.1>;tag=1\r\nTo: <sip:bob@192.0.2.2>;tag=nosuch\r\nCall-ID: gone\r\nCSeq: 5 BYE\r\nContent-Length: 0\r\n\r\n";
    sim.inject(B, bye);
    assert_eq!(sim.sent_starting(B, "SIP/2.0 481").len(), 1);
}

#[test]
fn invite_beyond_max_calls_gets_503() {
    let mut sim = Sim::new();
    let mut cfg = tandem_sip::ua::UaConfig::new(addr(B), 7);
    cfg.max_calls = 1;
    sim.sides[B].ua = tandem_sip::ua::UserAgent::new(cfg);
    let first = sim.call(A, OFFER);
    sim.settle();
    let second = sim.call(A, OFFER);
    sim.settle();
    let ev = sim.take_events(A);
    assert_eq!(
        ev,
        vec![UaEvent::CallFailed {
            call: second,
            status: 503,
            reason: "Service Unavailable".into()
        }],
        "{first}"
    );
    assert_eq!(sim.ua(B).calls(), 1);
}
