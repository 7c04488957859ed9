//! An outgoing INVITE challenged with 401/407: re-sent once with credentials (new CSeq, same
//! Call-ID and From tag), failing only when challenged again.

mod ua_sim;

use tandem_sip::auth::{DigestServer, Secret, ServerConfig, Verdict};
use tandem_sip::message::Response;
use tandem_sip::ua::UaEvent;
use ua_sim::*;

fn challenge_for(
    req: &tandem_sip::message::Request,
    server: &DigestServer,
    status: u16,
) -> Response {
    let (reason, header) = if status == 407 {
        ("Proxy Authentication Required", "Proxy-Authenticate")
    } else {
        ("Unauthorized", "WWW-Authenticate")
    };
    let mut r = Response::from_request(req, status, reason);
    for v in server.challenge_values(100, "192.0.2.1", false) {
        r.headers.push(header, v);
    }
    r
}

fn incoming_request(sim: &mut Sim) -> (tandem_sip::ua::CallId, tandem_sip::message::Request) {
    let ev = sim.take_events(B);
    ev.into_iter()
        .find_map(|e| match e {
            UaEvent::IncomingCall { call, request, .. } => Some((call, request)),
            _ => None,
        })
        .expect("IncomingCall")
}

#[test]
fn challenged_invite_is_resent_with_credentials_and_then_answered() {
    for status in [401u16, 407] {
        let mut sim = Sim::new();
        let server = DigestServer::new(ServerConfig::default(), b"k");
        let mut inv = invite_to(A, B, OFFER);
        inv.credentials = Some(("alice".into(), Secret::password("s3cret")));
        let now = sim.now;
        let caller = sim.ua(A).invite(now, inv).unwrap();
        sim.settle();
        let (first, req) = incoming_request(&mut sim);
        let now = sim.now;
        sim.ua(B)
            .challenge(now, first, challenge_for(&req, &server, status))
            .unwrap();
        sim.settle();
        assert!(
            sim.take_events(A).is_empty(),
            "the challenge is handled inside the UA"
        );
        let (second, retry) = incoming_request(&mut sim);
        assert_ne!(first, second, "the retry is a new incoming call");
        let header = if status == 407 {
            "Proxy-Authorization"
        } else {
            "Authorization"
        };
        let creds = retry.headers.get(header).expect("credentials");
        assert_eq!(
            server.verify_value(
                creds,
                "INVITE",
                &Secret::password("s3cret"),
                "192.0.2.1",
                100
            ),
            Verdict::Ok
        );
        assert_eq!(retry.headers.cseq().unwrap().seq, 103, "fresh CSeq");
        assert_eq!(
            retry.headers.call_id().unwrap(),
            req.headers.call_id().unwrap()
        );
        assert_eq!(
            retry.headers.from_hdr().unwrap().tag(),
            req.headers.from_hdr().unwrap().tag()
        );
        assert_ne!(
            retry.headers.top_via().unwrap().branch(),
            req.headers.top_via().unwrap().branch()
        );
        assert_eq!(
            sim.sent_starting(A, "ACK ").len(),
            1,
            "the 4xx is ACKed by the transaction"
        );
        let now = sim.now;
        sim.ua(B)
            .answer(now, second, ANSWER.as_bytes().to_vec())
            .unwrap();
        sim.settle();
        assert_eq!(
            sim.take_events(A),
            vec![UaEvent::CallAnswered {
                call: caller,
                sdp: ANSWER.as_bytes().to_vec()
            }]
        );
        let ack = sim.sent_starting(A, "ACK ").pop().unwrap();
        assert!(
            ack.contains("CSeq: 103 ACK") && ack.contains(header),
            "2xx ACK carries the credentials: {ack}"
        );
        assert_eq!(
            sim.take_events(B),
            vec![UaEvent::CallConfirmed { call: second }]
        );
    }
}

#[test]
fn second_challenge_fails_the_call() {
    let mut sim = Sim::new();
    let server = DigestServer::new(ServerConfig::default(), b"k");
    let mut inv = invite_to(A, B, OFFER);
    inv.credentials = Some(("alice".into(), Secret::password("wrong")));
    let now = sim.now;
    let caller = sim.ua(A).invite(now, inv).unwrap();
    for _ in 0..2 {
        sim.settle();
        let (call, req) = incoming_request(&mut sim);
        let now = sim.now;
        sim.ua(B)
            .challenge(now, call, challenge_for(&req, &server, 401))
            .unwrap();
    }
    sim.settle();
    assert_eq!(
        sim.take_events(A),
        vec![UaEvent::CallFailed {
            call: caller,
            status: 401,
            reason: "Unauthorized".into()
        }]
    );
    assert_eq!(sim.sent_starting(A, "INVITE ").len(), 2, "one retry only");
    assert_eq!(sim.ua(A).calls(), 0);
}

#[test]
fn challenge_without_credentials_fails_at_once() {
    let mut sim = Sim::new();
    let server = DigestServer::new(ServerConfig::default(), b"k");
    let caller = sim.call(A, OFFER);
    sim.settle();
    let (call, req) = incoming_request(&mut sim);
    let now = sim.now;
    sim.ua(B)
        .challenge(now, call, challenge_for(&req, &server, 407))
        .unwrap();
    sim.settle();
    assert_eq!(
        sim.take_events(A),
        vec![UaEvent::CallFailed {
            call: caller,
            status: 407,
            reason: "Proxy Authentication Required".into()
        }]
    );
}
