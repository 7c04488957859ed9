//! A BLF subscription driven through the real user agent and transaction layer, as bytes:
//! SUBSCRIBE in, 200 and NOTIFY out (the UA adds Via and branch), the phone's 200 back.

mod event_common;

use std::time::Instant;

use event_common::*;
use tandem_sip::event::{EventConfig, ExtensionState as S, Subscribe, Subscriptions};
use tandem_sip::message::{parse, Response};
use tandem_sip::ua::{UaConfig, UaEvent, UserAgent};

#[test]
fn subscribe_through_the_user_agent_gets_200_then_notify_and_a_queued_change() {
    let now = Instant::now();
    let mut ua = UserAgent::new(UaConfig::new(LOCAL.parse().unwrap(), 7));
    let mut table = Subscriptions::default();
    let cfg = EventConfig::default();
    ua.handle_datagram(now, &subscribe().to_bytes(), phone());
    let Some(UaEvent::Request {
        txn,
        request,
        source,
    }) = ua.poll_event()
    else {
        panic!("SUBSCRIBE for the TU")
    };
    let tag = ua.new_token();
    let Subscribe::New { key, response } =
        table.subscribe(now, &request, source, "alice", &tag, &contact(), &cfg)
    else {
        panic!("accepted")
    };
    ua.respond(now, txn, response).unwrap();
    let ok = ua.poll_transmit().unwrap();
    assert_eq!(ok.dest, phone());
    let ok = parse(&ok.bytes).unwrap();
    let ok = ok.as_response().unwrap();
    assert_eq!(
        (ok.status, ok.headers.to_hdr().unwrap().tag()),
        (200, Some(tag.as_str()))
    );

    let (notify, dest) = table.notify(now, &key, S::NotInUse).unwrap();
    let ntxn = ua.send_request(now, notify, dest).unwrap();
    let wire = ua.poll_transmit().unwrap();
    assert_eq!(wire.dest, phone());
    let sent = parse(&wire.bytes).unwrap();
    let sent = sent.as_request().unwrap().clone();
    let via = sent.headers.top_via().unwrap();
    assert!(
        via.branch().is_some_and(|b| b.starts_with("z9hG4bK")),
        "the layer adds the branch"
    );
    assert_eq!(
        sent.headers.iter().next().map(|h| h.name()),
        Some("Via"),
        "Via first"
    );
    assert_eq!(sent.headers.get("Event"), Some("dialog"));
    assert!(String::from_utf8_lossy(&sent.body).contains("version=\"0\""));

    // a change while the NOTIFY is unanswered waits for its 200
    assert!(table.update(now, &key, S::Ringing).is_none());
    let mut r = Response::from_request(&sent, 200, "OK");
    r.headers.push("Content-Length", "0");
    ua.handle_datagram(now, &r.to_bytes(), phone());
    let Some(UaEvent::Response { txn: got, response }) = ua.poll_event() else {
        panic!("NOTIFY answered")
    };
    assert_eq!((got, response.status), (ntxn, 200));
    let (next, _) = table
        .on_notify_response(now, &key, response.status)
        .expect("queued NOTIFY");
    assert!(String::from_utf8_lossy(&next.body)
        .contains("<dialog id=\"101\" direction=\"recipient\">\n<state>early</state>"));
    assert_eq!(next.headers.cseq().unwrap().seq, 103);
    ua.send_request(now, next, dest).unwrap();
    assert!(ua.poll_transmit().is_some());
}
