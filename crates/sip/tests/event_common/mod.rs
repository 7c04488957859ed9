//! Shared SUBSCRIBE fixtures for the event tests.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Instant;

use tandem_sip::event::{our_contact, EventConfig, SubKey, Subscribe, Subscription, Subscriptions};
use tandem_sip::message::{parse, Request, Response};

pub const PHONE: &str = "192.0.2.10:5062";
pub const LOCAL: &str = "192.0.2.2:5060";
pub const TAG: &str = "ourtag1";

pub fn phone() -> SocketAddr {
    PHONE.parse().unwrap()
}

pub fn contact() -> String {
    our_contact("101", LOCAL.parse().unwrap())
}

/// A Yealink-style BLF SUBSCRIBE for extension 101; `extra` lines replace the defaults
/// named in them (Event, Accept, Expires) or are appended.
pub fn subscribe_with(extra: &[&str]) -> Request {
    let mut lines: Vec<String> = vec![
        "Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bKsub1;rport".into(),
        "Max-Forwards: 70".into(),
        "From: \"Alice\" <sip:100@192.0.2.2>;tag=abc".into(),
        "To: <sip:101@192.0.2.2>".into(),
        "Call-ID: blf-1@192.0.2.10".into(),
        "CSeq: 1 SUBSCRIBE".into(),
        "Contact: <sip:100@192.0.2.10:5062;transport=udp>".into(),
        "Event: dialog".into(),
        "Accept: application/dialog-info+xml".into(),
        "Expires: 600".into(),
        "User-Agent: Yealink SIP-T46S".into(),
    ];
    for e in extra {
        let name = e.split(':').next().unwrap();
        if let Some(i) = lines
            .iter()
            .position(|l| l.split(':').next().unwrap() == name)
        {
            lines.remove(i);
            if !e.ends_with(": -") {
                lines.insert(i, e.to_string());
            }
        } else if !e.ends_with(": -") {
            lines.push(e.to_string());
        }
    }
    let text = format!(
        "SUBSCRIBE sip:101@192.0.2.2 SIP/2.0\r\n{}\r\nContent-Length: 0\r\n\r\n",
        lines.join("\r\n")
    );
    parse(text.as_bytes())
        .unwrap()
        .as_request()
        .unwrap()
        .clone()
}

pub fn subscribe() -> Request {
    subscribe_with(&[])
}

/// An in-dialog SUBSCRIBE (To tag ours) with CSeq `cseq` and `Expires: expires`.
pub fn resubscribe(cseq: u32, expires: u32) -> Request {
    subscribe_with(&[
        &format!("To: <sip:101@192.0.2.2>;tag={TAG}"),
        &format!("CSeq: {cseq} SUBSCRIBE"),
        &format!("Expires: {expires}"),
        "Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bKre;rport",
    ])
}

pub fn accept(req: &Request, now: Instant) -> Result<(Response, Subscription), Response> {
    Subscription::accept(req, TAG, &contact(), phone(), &EventConfig::default(), now)
}

pub fn accepted(now: Instant) -> Subscription {
    accept(&subscribe(), now).unwrap().1
}

pub fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap()
}

pub fn body(req: &Request) -> String {
    String::from_utf8(req.body.clone()).unwrap()
}

pub fn new_in(
    table: &mut Subscriptions,
    now: Instant,
    req: &Request,
    who: &str,
    tag: &str,
) -> Result<SubKey, Response> {
    match table.subscribe(
        now,
        req,
        phone(),
        who,
        tag,
        &contact(),
        &EventConfig::default(),
    ) {
        Subscribe::New { key, response } => {
            assert_eq!(response.status, 200);
            Ok(key)
        }
        Subscribe::Refreshed { response, .. } | Subscribe::Rejected(response) => Err(response),
    }
}
