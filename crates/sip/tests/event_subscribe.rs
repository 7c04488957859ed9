//! New subscriptions: the 200 and the first NOTIFY as chan_sip sends them, and the refusals
//! of `handle_request_subscribe`.

mod event_common;

use std::time::Instant;

use event_common::*;
use tandem_sip::event::{ExtensionState, Format};
use tandem_sip::message::parse;

#[test]
fn subscribe_dialog_gets_200_with_our_tag_expires_and_contact() {
    let (resp, sub) = accept(&subscribe(), Instant::now()).unwrap();
    assert_eq!(
        text(resp.to_bytes()),
        "SIP/2.0 200 OK\r\n\
         Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bKsub1;rport\r\n\
         From: \"Alice\" <sip:100@192.0.2.2>;tag=abc\r\n\
         To: <sip:101@192.0.2.2>;tag=ourtag1\r\n\
         Call-ID: blf-1@192.0.2.10\r\n\
         CSeq: 1 SUBSCRIBE\r\n\
         Server: tandem\r\n\
         Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, SUBSCRIBE, NOTIFY, INFO, PUBLISH, MESSAGE\r\n\
         Supported: replaces, timer\r\n\
         Expires: 600\r\n\
         Contact: <sip:101@192.0.2.2>;expires=600\r\n\
         Content-Length: 0\r\n\r\n"
    );
    assert_eq!(sub.format(), Format::DialogInfo);
    assert_eq!(sub.exten(), "101");
    assert_eq!(sub.dest(), phone());
}

#[test]
fn initial_notify_for_idle_extension_is_terminated_dialog_version_0() {
    let mut sub = accepted(Instant::now());
    let n = sub.notify(Instant::now(), ExtensionState::NotInUse);
    assert_eq!(
        text(n.to_bytes()),
        "NOTIFY sip:100@192.0.2.10:5062;transport=udp SIP/2.0\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:101@192.0.2.2>;tag=ourtag1\r\n\
         To: \"Alice\" <sip:100@192.0.2.2>;tag=abc\r\n\
         Contact: <sip:101@192.0.2.2>\r\n\
         Call-ID: blf-1@192.0.2.10\r\n\
         CSeq: 102 NOTIFY\r\n\
         User-Agent: tandem\r\n\
         Subscription-State: active\r\n\
         Event: dialog\r\n\
         Content-Type: application/dialog-info+xml\r\n\
         Content-Length: 200\r\n\r\n\
         <?xml version=\"1.0\"?>\n\
         <dialog-info xmlns=\"urn:ietf:params:xml:ns:dialog-info\" version=\"0\" state=\"full\" entity=\"sip:101@192.0.2.2\">\n\
         <dialog id=\"101\">\n\
         <state>terminated</state>\n\
         </dialog>\n\
         </dialog-info>\n"
    );
    assert!(sub.is_pending());
}

#[test]
fn notify_follows_the_record_route_set() {
    let req =
        subscribe_with(&["Record-Route: <sip:proxy1.example.com;lr>, <sip:proxy2.example.com;lr>"]);
    let (resp, mut sub) = accept(&req, Instant::now()).unwrap();
    assert_eq!(
        resp.headers.get("Record-Route"),
        Some("<sip:proxy1.example.com;lr>, <sip:proxy2.example.com;lr>")
    );
    let n = sub.notify(Instant::now(), ExtensionState::InUse);
    assert_eq!(
        n.headers.values("Route"),
        vec!["<sip:proxy1.example.com;lr>", "<sip:proxy2.example.com;lr>"]
    );
}

#[test]
fn missing_expires_gets_default_120_and_long_ones_are_cut_to_3600() {
    let (r, s) = accept(&subscribe_with(&["Expires: -"]), Instant::now()).unwrap();
    assert_eq!((r.headers.get("Expires"), s.expiry()), (Some("120"), 120));
    let (r, _) = accept(&subscribe_with(&["Expires: 86400"]), Instant::now()).unwrap();
    assert_eq!(r.headers.get("Expires"), Some("3600"));
    assert_eq!(
        r.headers.get("Contact"),
        Some("<sip:101@192.0.2.2>;expires=3600")
    );
}

#[test]
fn short_expires_gets_423_with_min_expires() {
    let r = accept(&subscribe_with(&["Expires: 30"]), Instant::now()).unwrap_err();
    assert_eq!((r.status, r.reason.as_str()), (423, "Interval too small"));
    assert_eq!(r.headers.get("Min-Expires"), Some("60"));
    assert_eq!(r.headers.to_hdr().unwrap().tag(), Some(TAG));
    assert!(r.headers.get("Contact").is_none());
}

#[test]
fn unknown_event_package_gets_489() {
    for ev in [
        "Event: as-feature-event",
        "Event: conference;id=1",
        "Event: -",
    ] {
        let r = accept(&subscribe_with(&[ev]), Instant::now()).unwrap_err();
        assert_eq!((r.status, r.reason.as_str()), (489, "Bad Event"), "{ev}");
    }
}

#[test]
fn dialog_without_accept_gets_489() {
    let r = accept(&subscribe_with(&["Accept: -"]), Instant::now()).unwrap_err();
    assert_eq!((r.status, r.reason.as_str()), (489, "Bad Event"));
}

#[test]
fn unknown_accept_format_is_named_in_the_489() {
    let r = accept(
        &subscribe_with(&["Accept: application/rlmi+xml"]),
        Instant::now(),
    )
    .unwrap_err();
    assert_eq!(
        (r.status, r.reason.as_str()),
        (489, "Bad Event (format application/rlmi+xml)")
    );
}

#[test]
fn event_parameters_are_ignored() {
    let (_, s) = accept(
        &subscribe_with(&["Event: dialog;sla;include-session-description"]),
        Instant::now(),
    )
    .unwrap();
    assert_eq!(s.format(), Format::DialogInfo);
}

#[test]
fn accept_decides_the_format_not_the_event() {
    // chan_sip: Event dialog with Accept pidf+xml gets presence NOTIFYs
    let (_, mut s) = accept(
        &subscribe_with(&["Accept: application/pidf+xml"]),
        Instant::now(),
    )
    .unwrap();
    assert_eq!(s.format(), Format::Pidf);
    let n = s.notify(Instant::now(), ExtensionState::NotInUse);
    assert_eq!(n.headers.get("Event"), Some("presence"));
    assert_eq!(n.headers.get("Content-Type"), Some("application/pidf+xml"));
    // the first Accept line that names a known type wins
    let req = subscribe_with(&[
        "Event: presence",
        "Accept: multipart/related, application/rlmi+xml, application/pidf+xml, application/xpidf+xml",
    ]);
    assert_eq!(
        accept(&req, Instant::now()).unwrap().1.format(),
        Format::Pidf
    );
    let req = subscribe_with(&["Event: presence", "Accept: application/cpim-pidf+xml"]);
    assert_eq!(
        accept(&req, Instant::now()).unwrap().1.format(),
        Format::CpimPidf
    );
}

#[test]
fn polycom_asking_for_pidf_gets_xpidf() {
    let req = subscribe_with(&[
        "Event: presence",
        "Accept: application/pidf+xml",
        "User-Agent: PolycomSoundPointIP-SPIP_650-UA/3.2.3",
    ]);
    let (_, mut s) = accept(&req, Instant::now()).unwrap();
    assert_eq!(s.format(), Format::Xpidf);
    assert_eq!(
        s.notify(Instant::now(), ExtensionState::InUse)
            .headers
            .get("Content-Type"),
        Some("application/xpidf+xml")
    );
}

#[test]
fn message_summary_needs_simple_message_summary_in_accept() {
    let req = subscribe_with(&["Event: message-summary", "Accept: application/pidf+xml"]);
    let r = accept(&req, Instant::now()).unwrap_err();
    assert_eq!((r.status, r.reason.as_str()), (406, "Not Acceptable"));
    let req = subscribe_with(&["Event: message-summary", "Accept: -"]);
    let (_, mut s) = accept(&req, Instant::now()).unwrap();
    assert_eq!(s.format(), Format::MessageSummary);
    let n = s.notify_mwi(Instant::now(), 1, 0, "sip:*97@192.0.2.2", false);
    assert_eq!(n.headers.get("Event"), Some("message-summary"));
    assert_eq!(body(&n), "Messages-Waiting: yes\r\nMessage-Account: sip:*97@192.0.2.2\r\nVoice-Message: 1/0 (0/0)\r\n");
}

#[test]
fn subscribe_with_a_to_tag_we_never_gave_gets_481() {
    let r = accept(&resubscribe(2, 600), Instant::now()).unwrap_err();
    assert_eq!(
        (r.status, r.reason.as_str()),
        (481, "Subscription does not exist")
    );
}

#[test]
fn notify_round_trips_through_the_parser() {
    let mut sub = accepted(Instant::now());
    let n = sub.notify(Instant::now(), ExtensionState::Ringing);
    let again = parse(&n.to_bytes()).unwrap();
    let again = again.as_request().unwrap();
    assert_eq!(again.body, n.body);
    assert_eq!(again.headers.cseq().unwrap().seq, 102);
}
