//! State changes after the subscription: versions, CSeqs, suppression of repeats, and the
//! queue behind an unanswered NOTIFY (chan_sip's `extensionstate_update`).

mod event_common;

use std::time::Instant;

use event_common::*;
use tandem_sip::event::{ExtensionState as S, NotifyOutcome};

fn version(n: &tandem_sip::message::Request) -> u32 {
    let b = body(n);
    let v = b.split("\" version=\"").nth(1).unwrap();
    v.split('"').next().unwrap().parse().unwrap()
}

#[test]
fn state_changes_give_notifies_with_increasing_version_and_cseq() {
    let now = Instant::now();
    let mut s = accepted(now);
    let first = s.notify(now, S::NotInUse);
    assert_eq!(s.on_notify_response(now, 200), NotifyOutcome::Idle);
    let mut seen = vec![(first.headers.cseq().unwrap().seq, version(&first))];
    for st in [S::Ringing, S::InUse, S::OnHold, S::InUse, S::NotInUse] {
        let n = s.update(now, st).expect("changed state notifies");
        assert!(body(&n).contains(match st {
            S::Ringing => "<state>early</state>",
            S::NotInUse => "<state>terminated</state>",
            _ => "<state>confirmed</state>",
        }));
        assert_eq!(n.headers.get("Subscription-State"), Some("active"));
        seen.push((n.headers.cseq().unwrap().seq, version(&n)));
        assert_eq!(s.on_notify_response(now, 200), NotifyOutcome::Idle);
    }
    assert_eq!(
        seen,
        vec![(102, 0), (103, 1), (104, 2), (105, 3), (106, 4), (107, 5)]
    );
    assert_eq!(s.last_state(), Some(S::NotInUse));
}

#[test]
fn unchanged_state_is_not_notified_but_ringing_is() {
    let now = Instant::now();
    let mut s = accepted(now);
    s.notify(now, S::InUse);
    s.on_notify_response(now, 200);
    assert!(s.update(now, S::InUse).is_none());
    assert!(s.update(now, S::Ringing).is_some());
    s.on_notify_response(now, 200);
    assert!(
        s.update(now, S::Ringing).is_some(),
        "ringing always notifies (a new caller may ring)"
    );
}

#[test]
fn changes_during_an_unanswered_notify_wait_and_the_latest_goes_out() {
    let now = Instant::now();
    let mut s = accepted(now);
    s.notify(now, S::NotInUse);
    assert!(s.is_pending());
    assert!(s.update(now, S::Ringing).is_none());
    assert!(s.update(now, S::InUse).is_none());
    let NotifyOutcome::Send(n) = s.on_notify_response(now, 200) else {
        panic!("queued state")
    };
    assert!(body(&n).contains("<state>confirmed</state>"));
    assert_eq!((n.headers.cseq().unwrap().seq, version(&n)), (103, 1));
    assert_eq!(s.on_notify_response(now, 200), NotifyOutcome::Idle);
}

#[test]
fn provisional_answers_change_nothing() {
    let now = Instant::now();
    let mut s = accepted(now);
    s.notify(now, S::NotInUse);
    assert_eq!(s.on_notify_response(now, 100), NotifyOutcome::Idle);
    assert!(s.is_pending());
}

#[test]
fn refused_or_lost_notify_ends_the_subscription() {
    let now = Instant::now();
    let mut s = accepted(now);
    s.notify(now, S::NotInUse);
    assert_eq!(s.on_notify_response(now, 481), NotifyOutcome::Terminated);
    assert!(s.is_terminated());
    assert!(s.update(now, S::InUse).is_none());
    let mut s = accepted(now);
    s.notify(now, S::NotInUse);
    assert_eq!(s.on_notify_response(now, 408), NotifyOutcome::Terminated);
}

#[test]
fn removed_hint_terminates_with_noresource() {
    let now = Instant::now();
    let mut s = accepted(now);
    s.notify(now, S::InUse);
    s.on_notify_response(now, 200);
    let n = s.update(now, S::Removed).unwrap();
    assert_eq!(
        n.headers.get("Subscription-State"),
        Some("terminated;reason=noresource")
    );
    assert!(s.is_terminated());
}

#[test]
fn deactivated_hint_terminates_with_probation_and_retry_after_60() {
    let now = Instant::now();
    let mut s = accepted(now);
    let n = s.notify(now, S::Deactivated);
    assert_eq!(
        n.headers.get("Subscription-State"),
        Some("terminated;reason=probation")
    );
    assert_eq!(n.headers.get("Retry-After"), Some("60"));
    let names: Vec<&str> = n.headers.iter().map(|h| h.name()).collect();
    assert_eq!(
        names[names.len() - 4..],
        ["Subscription-State", "Retry-After", "Event", "Content-Type"]
    );
}
