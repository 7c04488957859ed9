//! Refresh, unsubscribe and expiry of a subscription, on a fake clock.

mod event_common;

use std::time::{Duration, Instant};

use event_common::*;
use tandem_sip::event::{EventConfig, ExtensionState as S, Subscribe, Subscriptions, EXPIRY_GRACE};

#[test]
fn in_dialog_subscribe_matches_by_call_id_and_tags() {
    let s = accepted(Instant::now());
    assert!(s.matches(&resubscribe(2, 600)));
    assert!(!s.matches(&subscribe()), "no To tag");
    let other_call = subscribe_with(&[
        &format!("To: <sip:101@192.0.2.2>;tag={TAG}"),
        "Call-ID: other",
    ]);
    assert!(!s.matches(&other_call));
    let other_from = subscribe_with(&[
        &format!("To: <sip:101@192.0.2.2>;tag={TAG}"),
        "From: <sip:100@192.0.2.2>;tag=zzz",
    ]);
    assert!(!s.matches(&other_from));
}

#[test]
fn refresh_extends_the_subscription_and_answers_200() {
    let t0 = Instant::now();
    let mut s = accepted(t0);
    assert_eq!(
        s.expires_at(),
        Some(t0 + Duration::from_secs(600) + EXPIRY_GRACE)
    );
    s.notify(t0, S::NotInUse);
    s.on_notify_response(t0, 200);
    let t1 = t0 + Duration::from_secs(500);
    let r = s.refresh(&resubscribe(2, 300), t1);
    assert_eq!((r.status, r.headers.get("Expires")), (200, Some("300")));
    assert_eq!(
        r.headers.get("Contact"),
        Some("<sip:101@192.0.2.2>;expires=300")
    );
    assert_eq!(r.headers.to_hdr().unwrap().tag(), Some(TAG));
    assert_eq!(s.expires_at(), Some(t1 + Duration::from_secs(310)));
    // chan_sip notifies after every SUBSCRIBE, even with the state unchanged
    let n = s.notify(t1, S::NotInUse);
    assert_eq!(n.headers.get("Subscription-State"), Some("active"));
    assert_eq!(n.headers.cseq().unwrap().seq, 103);
}

#[test]
fn refresh_with_an_old_cseq_gets_500() {
    let mut s = accepted(Instant::now());
    let r = s.refresh(&resubscribe(5, 600), Instant::now());
    assert_eq!(r.status, 200);
    let r = s.refresh(&resubscribe(4, 600), Instant::now());
    assert_eq!((r.status, r.reason.as_str()), (500, "Server error"));
}

#[test]
fn refresh_too_short_gets_423_and_keeps_the_old_expiry() {
    let t0 = Instant::now();
    let mut s = accepted(t0);
    let r = s.refresh(&resubscribe(2, 10), t0);
    assert_eq!((r.status, r.headers.get("Min-Expires")), (423, Some("60")));
    assert_eq!(s.expiry(), 600);
}

#[test]
fn unsubscribe_gets_200_and_a_final_terminated_notify() {
    let t0 = Instant::now();
    let mut s = accepted(t0);
    s.notify(t0, S::InUse);
    s.on_notify_response(t0, 200);
    let r = s.refresh(&resubscribe(2, 0), t0);
    assert_eq!((r.status, r.headers.get("Expires")), (200, Some("0")));
    assert!(
        r.headers.get("Contact").is_none(),
        "no Contact when unsubscribing"
    );
    let n = s.notify(t0, S::InUse);
    assert_eq!(
        n.headers.get("Subscription-State"),
        Some("terminated;reason=timeout")
    );
    assert!(
        body(&n).contains("<state>confirmed</state>"),
        "the body still says the current state"
    );
    assert!(s.is_terminated());
    assert_eq!(s.expires_at(), None);
}

#[test]
fn subscribe_with_expires_0_is_a_fetch_answered_by_one_terminated_notify() {
    let t0 = Instant::now();
    let (r, mut s) = accept(&subscribe_with(&["Expires: 0"]), t0).unwrap();
    assert_eq!(r.headers.get("Expires"), Some("0"));
    let n = s.notify(t0, S::NotInUse);
    assert_eq!(
        n.headers.get("Subscription-State"),
        Some("terminated;reason=timeout")
    );
}

#[test]
fn expiry_sends_terminated_timeout_ten_seconds_after_the_granted_time() {
    let t0 = Instant::now();
    let mut s = accepted(t0);
    s.notify(t0, S::InUse);
    s.on_notify_response(t0, 200);
    assert!(s.handle_timeout(t0 + Duration::from_secs(609)).is_none());
    let n = s
        .handle_timeout(t0 + Duration::from_secs(610))
        .expect("final NOTIFY");
    assert_eq!(
        n.headers.get("Subscription-State"),
        Some("terminated;reason=timeout")
    );
    assert!(
        body(&n).contains("<dialog id=\"101\">\n<state>terminated</state>"),
        "deactivated body"
    );
    assert!(s.is_terminated());
    assert!(
        s.handle_timeout(t0 + Duration::from_secs(700)).is_none(),
        "only once"
    );
}

#[test]
fn expires_param_option_writes_the_time_left() {
    let t0 = Instant::now();
    let cfg = EventConfig {
        expires_param: true,
        ..EventConfig::default()
    };
    let (_, mut s) =
        tandem_sip::event::Subscription::accept(&subscribe(), TAG, &contact(), phone(), &cfg, t0)
            .unwrap();
    let n = s.notify(t0 + Duration::from_secs(100), S::NotInUse);
    assert_eq!(
        n.headers.get("Subscription-State"),
        Some("active;expires=500")
    );
}

#[test]
fn table_refresh_unsubscribe_and_expiry() {
    let t0 = Instant::now();
    let cfg = EventConfig::default();
    let mut table = Subscriptions::default();
    let key = new_in(&mut table, t0, &subscribe(), "alice", TAG).unwrap();
    let (n, dest) = table.notify(t0, &key, S::NotInUse).unwrap();
    assert_eq!(dest, phone());
    assert_eq!(n.headers.cseq().unwrap().seq, 102);
    assert!(table.on_notify_response(t0, &key, 200).is_none());
    assert_eq!(table.poll_timeout(), Some(t0 + Duration::from_secs(610)));
    assert_eq!(table.watching("101"), vec![key.clone()]);
    // refresh through the table
    match table.subscribe(
        t0,
        &resubscribe(2, 120),
        phone(),
        "alice",
        "unused",
        &contact(),
        &cfg,
    ) {
        Subscribe::Refreshed { key: k, response } => {
            assert_eq!((k, response.status), (key.clone(), 200));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(table.poll_timeout(), Some(t0 + Duration::from_secs(130)));
    // expiry: final NOTIFY, gone from the table
    let out = table.handle_timeout(t0 + Duration::from_secs(130));
    assert_eq!(out.len(), 1);
    assert_eq!(
        out[0].1.headers.get("Subscription-State"),
        Some("terminated;reason=timeout")
    );
    assert!(table.is_empty());
    assert_eq!(table.poll_timeout(), None);
    // a second one, ended by the subscriber
    let key = new_in(&mut table, t0, &subscribe(), "alice", TAG).unwrap();
    table.notify(t0, &key, S::NotInUse);
    table.on_notify_response(t0, &key, 200);
    match table.subscribe(
        t0,
        &resubscribe(2, 0),
        phone(),
        "alice",
        "x",
        &contact(),
        &cfg,
    ) {
        Subscribe::Refreshed { response, .. } => assert_eq!(response.status, 200),
        other => panic!("{other:?}"),
    }
    let (n, _) = table.notify(t0, &key, S::NotInUse).unwrap();
    assert_eq!(
        n.headers.get("Subscription-State"),
        Some("terminated;reason=timeout")
    );
    assert!(table.is_empty(), "terminated subscriptions leave the table");
}
