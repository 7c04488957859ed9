//! Bindings: contact equality (RFC 3261 19.1.4), where requests go, and the store form.

use std::time::{Duration, Instant};

use tandem_sip::message::{Host, Transport, Uri};
use tandem_sip::registrar::{same_contact, Binding, Target};

fn uri(s: &str) -> Uri {
    Uri::parse(s).unwrap()
}

#[test]
fn contact_equality_follows_rfc3261_19_1_4() {
    assert!(same_contact(
        &uri("sip:alice@192.0.2.1:5060"),
        &uri("sip:alice@192.0.2.1:5060;ob")
    ));
    assert!(same_contact(
        &uri("sip:%61lice@EXAMPLE.com"),
        &uri("sip:alice@example.com")
    ));
    assert!(!same_contact(
        &uri("sip:alice@192.0.2.1:5060"),
        &uri("sip:alice@192.0.2.1")
    ));
    assert!(!same_contact(&uri("sip:Alice@h"), &uri("sip:alice@h")));
    assert!(!same_contact(
        &uri("sip:a@h;transport=tcp"),
        &uri("sip:a@h")
    ));
    assert!(same_contact(
        &uri("sip:a@h;transport=TCP"),
        &uri("sip:a@h;transport=tcp")
    ));
    assert!(!same_contact(&uri("sips:a@h"), &uri("sip:a@h")));
}

fn binding() -> Binding {
    Binding {
        aor: "alice".into(),
        contact: uri("sip:alice@10.0.0.5:5062;transport=tcp"),
        expires_at: Instant::now() + Duration::from_secs(60),
        expires_epoch: 1_000_060,
        call_id: "c@h".into(),
        cseq: 7,
        source: "203.0.113.9:40000".parse().unwrap(),
        transport: Transport::Udp,
        route_to_source: false,
        user_agent: "ua".into(),
        path: vec!["<sip:p1;lr>".into(), "<sip:p2;lr>".into()],
        instance: Some("\"<urn:uuid:1>\"".into()),
    }
}

#[test]
fn target_is_contact_unless_nat_route() {
    let mut b = binding();
    assert_eq!(
        b.target(),
        Target::Contact {
            host: Host::V4("10.0.0.5".parse().unwrap()),
            port: Some(5062),
            transport: Transport::Tcp
        }
    );
    b.route_to_source = true;
    assert_eq!(
        b.target(),
        Target::Source {
            addr: b.source,
            transport: Transport::Udp
        }
    );
}

#[test]
fn stored_round_trip_rebases_expiry_on_the_new_clock() {
    let b = binding();
    let row = b.to_stored();
    let now = Instant::now();
    let back = Binding::from_stored(&row, now, 1_000_000).unwrap();
    assert_eq!(back.remaining(now), 60);
    assert_eq!(back.path, b.path);
    assert_eq!(back.instance, b.instance);
    assert_eq!(back.contact, b.contact);
    // Within the grace period it is kept with 0 s left; after it, dropped.
    assert_eq!(
        Binding::from_stored(&row, now, 1_000_065).map(|b| b.remaining(now)),
        Some(0)
    );
    assert!(Binding::from_stored(&row, now, 1_000_070).is_none());
    let mut bad = row.clone();
    bad.source = "nonsense".into();
    assert!(Binding::from_stored(&bad, now, 1_000_000).is_none());
}
