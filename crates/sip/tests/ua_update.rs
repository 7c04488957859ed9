//! UPDATE (RFC 3311) in a confirmed dialog: without SDP the UA answers 200 itself (a
//! session refresh); with an SDP offer it goes up as `UaEvent::Update` and is answered with
//! `answer_update` or `reject_update`; an offer with the SDP version already in use is
//! answered by the UA; UPDATE before the answer still reaches the TU as `DialogRequest`.

mod ua_sim;

use tandem_sip::message::Method;
use tandem_sip::ua::{UaEvent, ALLOW_CALLS};
use ua_sim::*;

const HOLD: &str = "v=0\r\no=- 1 2 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 10000 RTP/AVP 0\r\na=sendonly\r\n";
const HELD: &str = "v=0\r\no=- 2 3 IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\nm=audio 20000 RTP/AVP 0\r\na=recvonly\r\n";

fn response_status(ev: &[UaEvent]) -> Vec<u16> {
    ev.iter()
        .filter_map(|e| match e {
            UaEvent::Response { response, .. } => Some(response.status),
            _ => None,
        })
        .collect()
}

#[test]
fn allow_lists_update_on_invite_and_2xx() {
    let mut sim = Sim::new();
    sim.established(A);
    assert!(sim.sent_starting(A, "INVITE ")[0].contains(&format!("Allow: {ALLOW_CALLS}\r\n")));
    assert!(sim.sent_starting(B, "SIP/2.0 200")[0].contains("Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, SUBSCRIBE, NOTIFY, INFO, PUBLISH, MESSAGE, UPDATE\r\n"));
}

#[test]
fn update_without_sdp_is_answered_200_by_the_ua() {
    let mut sim = Sim::new();
    let (caller, _callee) = sim.established(A);
    let now = sim.now;
    sim.ua(A)
        .send_in_dialog(now, caller, Method::Update, None, &[])
        .unwrap();
    sim.settle();
    assert_eq!(response_status(&sim.take_events(A)), vec![200]);
    assert!(sim.take_events(B).is_empty(), "the TU never hears of it");
    let ok = sim.sent_starting(B, "SIP/2.0 200").last().unwrap().clone();
    assert!(ok.contains(" UPDATE\r\n") && ok.contains("Contact: "));
    // the default timer (B refreshes every 900 s, so it runs) is echoed on the UPDATE's 2xx
    assert!(
        ok.contains("Session-Expires: 1800;refresher=uas\r\n"),
        "{ok}"
    );
}

#[test]
fn update_with_sdp_goes_to_the_tu_and_its_answer_comes_back() {
    let mut sim = Sim::new();
    let (caller, callee) = sim.established(A);
    let now = sim.now;
    sim.ua(A)
        .send_in_dialog(
            now,
            caller,
            Method::Update,
            Some(("application/sdp", HOLD.as_bytes().to_vec())),
            &[],
        )
        .unwrap();
    sim.settle();
    let ev = sim.take_events(B);
    let [UaEvent::Update { call, txn, sdp }] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!((*call, sdp.as_slice()), (callee, HOLD.as_bytes()));
    let (txn, now) = (*txn, sim.now);
    sim.ua(B)
        .answer_update(now, callee, txn, HELD.as_bytes().to_vec())
        .unwrap();
    sim.settle();
    let ev = sim.take_events(A);
    let [UaEvent::Response { response, .. }] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(
        (response.status, response.body.as_slice()),
        (200, HELD.as_bytes())
    );
    assert_eq!(
        response.headers.get("Content-Type"),
        Some("application/sdp")
    );
    assert!(
        sim.ua(B)
            .answer_update(now, callee, txn, Vec::new())
            .is_err(),
        "answered once"
    );
    // the UPDATE changed the session: a re-INVITE with that version now is a refresh
    let now = sim.now;
    sim.ua(A)
        .reinvite(now, caller, HOLD.as_bytes().to_vec())
        .unwrap();
    sim.settle();
    assert!(
        sim.take_events(B).is_empty(),
        "same version: answered by the UA"
    );
    assert_eq!(
        sim.take_events(A),
        vec![UaEvent::ReinviteAnswered {
            call: caller,
            sdp: HELD.as_bytes().to_vec()
        }]
    );
}

#[test]
fn rejected_update_keeps_the_call() {
    let mut sim = Sim::new();
    let (caller, callee) = sim.established(A);
    let now = sim.now;
    sim.ua(A)
        .send_in_dialog(
            now,
            caller,
            Method::Update,
            Some(("application/sdp", HOLD.as_bytes().to_vec())),
            &[],
        )
        .unwrap();
    sim.settle();
    let ev = sim.take_events(B);
    let [UaEvent::Update { txn, .. }] = &ev[..] else {
        panic!("{ev:?}")
    };
    let (txn, now) = (*txn, sim.now);
    assert!(
        sim.ua(B)
            .reject_update(now, callee, txn, 200, "OK")
            .is_err(),
        "only a final non-2xx"
    );
    sim.ua(B)
        .reject_update(now, callee, txn, 488, "Not Acceptable Here")
        .unwrap();
    sim.settle();
    assert_eq!(response_status(&sim.take_events(A)), vec![488]);
    assert_eq!((sim.ua(A).calls(), sim.ua(B).calls()), (1, 1));
}

#[test]
fn update_with_the_sdp_version_in_use_is_answered_with_our_last_sdp() {
    let mut sim = Sim::new();
    let (caller, _callee) = sim.established(A);
    let now = sim.now;
    sim.ua(A)
        .send_in_dialog(
            now,
            caller,
            Method::Update,
            Some(("application/sdp", OFFER.as_bytes().to_vec())),
            &[],
        )
        .unwrap();
    sim.settle();
    assert!(sim.take_events(B).is_empty());
    let ev = sim.take_events(A);
    let [UaEvent::Response { response, .. }] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(
        (response.status, response.body.as_slice()),
        (200, ANSWER.as_bytes())
    );
}

#[test]
fn update_offer_crossing_our_reinvite_gets_491() {
    let mut sim = Sim::new();
    let (caller, callee) = sim.established(A);
    let now = sim.now;
    sim.ua(B)
        .reinvite(now, callee, HELD.as_bytes().to_vec())
        .unwrap();
    sim.ua(A)
        .send_in_dialog(
            now,
            caller,
            Method::Update,
            Some(("application/sdp", HOLD.as_bytes().to_vec())),
            &[],
        )
        .unwrap();
    sim.settle();
    assert_eq!(response_status(&sim.take_events(A)), vec![491]);
    assert!(!sim
        .take_events(B)
        .iter()
        .any(|e| matches!(e, UaEvent::Update { .. })));
}

#[test]
fn bye_while_an_update_waits_for_the_tu_answers_it_487() {
    let mut sim = Sim::new();
    let (caller, callee) = sim.established(A);
    let now = sim.now;
    sim.ua(A)
        .send_in_dialog(
            now,
            caller,
            Method::Update,
            Some(("application/sdp", HOLD.as_bytes().to_vec())),
            &[],
        )
        .unwrap();
    sim.settle();
    assert!(matches!(sim.take_events(B)[..], [UaEvent::Update { .. }]));
    let now = sim.now;
    sim.ua(A).hangup(now, caller).unwrap();
    sim.settle();
    assert_eq!(sim.sent_starting(B, "SIP/2.0 487").len(), 1);
    assert!(matches!(sim.take_events(B)[..], [UaEvent::CallEnded { call, .. }] if call == callee));
}

#[test]
fn update_before_the_answer_still_reaches_the_tu_as_a_dialog_request() {
    let mut sim = Sim::new();
    sim.call(A, OFFER);
    sim.settle();
    let callee = sim.incoming(B);
    let now = sim.now;
    sim.ua(B).ringing(now, callee).unwrap();
    sim.settle();
    let ringing = sim.sent_starting(B, "SIP/2.0 180")[0].clone();
    let line = |name: &str| {
        ringing
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap()
            .to_string()
    };
    let update = format!(
        "UPDATE sip:bob@192.0.2.2:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKearlyupd\r\n\
         Max-Forwards: 70\r\n{}\r\n{}\r\n{}\r\nCSeq: 103 UPDATE\r\nContent-Length: 0\r\n\r\n",
        line("From:"),
        line("To:"),
        line("Call-ID:")
    );
    sim.take_events(B);
    sim.inject(B, update.as_bytes());
    let ev = sim.take_events(B);
    assert!(
        matches!(&ev[..], [UaEvent::DialogRequest { call, request, .. }] if *call == callee && request.method == Method::Update),
        "{ev:?}"
    );
}
