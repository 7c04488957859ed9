//! The subscription table is bounded in total and per subscriber.

mod event_common;

use std::time::Instant;

use event_common::*;
use tandem_sip::event::{EventConfig, Limits, Subscribe, Subscriptions};

fn sub(n: usize) -> tandem_sip::message::Request {
    subscribe_with(&[&format!("Call-ID: blf-{n}@192.0.2.10")])
}

#[test]
fn per_subscriber_limit_gets_503_and_others_still_subscribe() {
    let now = Instant::now();
    let mut t = Subscriptions::new(Limits {
        total: 100,
        per_subscriber: 3,
    });
    for i in 0..3 {
        new_in(&mut t, now, &sub(i), "alice", &format!("t{i}")).unwrap();
    }
    let r = new_in(&mut t, now, &sub(3), "alice", "t3").unwrap_err();
    assert_eq!((r.status, r.reason.as_str()), (503, "Service Unavailable"));
    new_in(&mut t, now, &sub(4), "bob", "t4").unwrap();
    assert_eq!(
        (t.count_for("alice"), t.count_for("bob"), t.len()),
        (3, 1, 4)
    );
}

#[test]
fn total_limit_gets_503() {
    let now = Instant::now();
    let mut t = Subscriptions::new(Limits {
        total: 2,
        per_subscriber: 10,
    });
    new_in(&mut t, now, &sub(0), "a", "t0").unwrap();
    new_in(&mut t, now, &sub(1), "b", "t1").unwrap();
    assert_eq!(
        new_in(&mut t, now, &sub(2), "c", "t2").unwrap_err().status,
        503
    );
    // a freed slot is usable again
    let key = t.iter().map(|(k, _)| k.clone()).next().unwrap();
    t.remove(&key);
    new_in(&mut t, now, &sub(2), "c", "t2").unwrap();
}

#[test]
fn bad_subscribes_are_refused_before_the_limit_is_looked_at() {
    let now = Instant::now();
    let mut t = Subscriptions::new(Limits {
        total: 0,
        per_subscriber: 0,
    });
    let r = new_in(&mut t, now, &subscribe_with(&["Event: foo"]), "a", "t").unwrap_err();
    assert_eq!(r.status, 489);
}

#[test]
fn unknown_in_dialog_subscribe_gets_481() {
    let mut t = Subscriptions::default();
    match t.subscribe(
        Instant::now(),
        &resubscribe(2, 600),
        phone(),
        "a",
        "t",
        &contact(),
        &EventConfig::default(),
    ) {
        Subscribe::Rejected(r) => assert_eq!(
            (r.status, r.reason.as_str()),
            (481, "Subscription does not exist")
        ),
        other => panic!("{other:?}"),
    }
}
