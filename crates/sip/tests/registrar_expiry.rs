//! Expiry as chan_sip's parse_register_contact: the Expires header first, then the contact's
//! expires=, then defaultexpiry; clamped to maxexpiry; below minexpiry raised (chan_sip) or
//! refused with 423 (RFC mode); bindings kept 10 s past what was granted.
mod registrar_common;

use std::time::{Duration, Instant};

use registrar_common::*;
use tandem_sip::auth::Algorithm;
use tandem_sip::registrar::{
    BindingChange, RegisterStatus, Registrar, RegistrarConfig, RemoveReason, TooBrief,
};

fn granted(lines: &[&str], config: RegistrarConfig) -> (u16, Option<String>, Vec<String>) {
    let (auth, now) = (server(&[Algorithm::Md5]), Instant::now());
    let mut reg = Registrar::new(config);
    let out = handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register("open", "e1", 1, lines),
    );
    (
        out.response.status,
        out.response.headers.get("Expires").map(String::from),
        contacts(&out.response),
    )
}

const C: &str = "Contact: <sip:open@192.0.2.7>";

#[test]
fn expires_header_wins_over_the_contact_parameter_as_in_chan_sip() {
    let (s, e, c) = granted(
        &["Contact: <sip:open@192.0.2.7>;expires=300", "Expires: 900"],
        RegistrarConfig::default(),
    );
    assert_eq!((s, e.as_deref()), (200, Some("900")));
    assert_eq!(c, ["<sip:open@192.0.2.7>;expires=900"]);
}

#[test]
fn contact_expires_parameter_is_used_without_a_header() {
    let (_, e, _) = granted(
        &["Contact: <sip:open@192.0.2.7>;expires=300"],
        RegistrarConfig::default(),
    );
    assert_eq!(e.as_deref(), Some("300"));
}

#[test]
fn defaultexpiry_when_neither_is_given() {
    let (_, e, _) = granted(&[C], RegistrarConfig::default());
    assert_eq!(e.as_deref(), Some("120"));
    let (_, e, _) = granted(
        &["Contact: <sip:open@192.0.2.7>;expires=soon"],
        RegistrarConfig::default(),
    );
    assert_eq!(
        e.as_deref(),
        Some("120"),
        "an unreadable expires= falls back to defaultexpiry (sscanf failing)"
    );
}

#[test]
fn above_maxexpiry_is_clamped() {
    let (s, e, _) = granted(&[C, "Expires: 86400"], RegistrarConfig::default());
    assert_eq!((s, e.as_deref()), (200, Some("3600")));
}

#[test]
fn below_minexpiry_is_raised_to_it_like_chan_sip() {
    let (s, e, c) = granted(&[C, "Expires: 5"], RegistrarConfig::default());
    assert_eq!((s, e.as_deref()), (200, Some("60")));
    assert_eq!(c, ["<sip:open@192.0.2.7>;expires=60"]);
}

#[test]
fn below_minexpiry_gets_423_with_min_expires_in_rfc_mode() {
    let (auth, now) = (server(&[Algorithm::Md5]), Instant::now());
    let mut reg = Registrar::new(RegistrarConfig {
        too_brief: TooBrief::Reject,
        minexpiry: 90,
        ..RegistrarConfig::default()
    });
    let out = handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register("open", "e2", 1, &[C, "Expires: 30"]),
    );
    assert_eq!(
        (out.response.status, out.response.reason.as_str()),
        (423, "Interval Too Brief")
    );
    assert_eq!(out.response.headers.get("Min-Expires"), Some("90"));
    assert!(reg.lookup("open").is_empty() && out.changes.is_empty());
    // Expires: 0 is not "too brief": it unregisters.
    let out = handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register("open", "e2", 2, &[C, "Expires: 0"]),
    );
    assert_eq!(out.response.status, 200);
    // A 423 for one contact refuses the whole request.
    let two = ["Contact: <sip:open@192.0.2.7>;expires=600, <sip:open@192.0.2.8>;expires=10"];
    let out = handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register("open", "e2", 3, &two),
    );
    assert_eq!(out.response.status, 423);
    assert!(reg.lookup("open").is_empty());
}

#[test]
fn bindings_expire_ten_seconds_after_the_granted_time() {
    let (auth, t0) = (server(&[Algorithm::Md5]), Instant::now());
    let mut reg = registrar();
    let out = handle(
        &mut reg,
        &auth,
        t0,
        EPOCH,
        &register("open", "x1", 1, &[C, "Expires: 60"]),
    );
    assert_eq!(out.response.status, 200);
    assert_eq!(reg.next_expiry(), Some(t0 + Duration::from_secs(70)));
    assert!(reg.expire(t0 + Duration::from_secs(69)).is_empty());
    assert_eq!(
        reg.lookup("open")[0].remaining(t0 + Duration::from_secs(65)),
        0
    );
    let gone = reg.expire(t0 + Duration::from_secs(70));
    assert_eq!(gone.len(), 1);
    assert!(
        matches!(&gone[0], BindingChange::Removed { reason: RemoveReason::Expired, binding } if binding.aor == "open")
    );
    assert!(reg.lookup("open").is_empty());
    assert_eq!(reg.next_expiry(), None);
}

#[test]
fn a_refresh_extends_the_binding() {
    let (auth, t0) = (server(&[Algorithm::Md5]), Instant::now());
    let mut reg = registrar();
    handle(
        &mut reg,
        &auth,
        t0,
        EPOCH,
        &register("open", "r1", 1, &[C, "Expires: 60"]),
    );
    let t1 = t0 + Duration::from_secs(50);
    let out = handle(
        &mut reg,
        &auth,
        t1,
        EPOCH + 50,
        &register("open", "r1", 2, &[C, "Expires: 60"]),
    );
    assert_eq!(out.status, RegisterStatus::Registered);
    assert!(
        matches!(out.changes.as_slice(), [BindingChange::Refreshed(b)] if b.cseq == 2 && b.expires_epoch == EPOCH + 110)
    );
    assert_eq!(reg.lookup("open").len(), 1);
    assert!(
        reg.expire(t0 + Duration::from_secs(100)).is_empty(),
        "the old deadline no longer applies"
    );
    assert_eq!(reg.next_expiry(), Some(t1 + Duration::from_secs(70)));
}

#[test]
fn the_200_lists_remaining_time_of_other_contacts() {
    let (auth, t0) = (server(&[Algorithm::Md5]), Instant::now());
    let mut reg = registrar();
    handle(
        &mut reg,
        &auth,
        t0,
        EPOCH,
        &register(
            "open",
            "l1",
            1,
            &["Contact: <sip:open@10.0.0.1>", "Expires: 600"],
        ),
    );
    let t1 = t0 + Duration::from_secs(100);
    let out = handle(
        &mut reg,
        &auth,
        t1,
        EPOCH + 100,
        &register(
            "open",
            "l2",
            1,
            &["Contact: <sip:open@10.0.0.2>", "Expires: 300"],
        ),
    );
    assert_eq!(out.response.headers.get("Expires"), Some("300"));
    assert_eq!(
        contacts(&out.response),
        [
            "<sip:open@10.0.0.1>;expires=500",
            "<sip:open@10.0.0.2>;expires=300"
        ]
    );
}

#[test]
fn an_unreadable_expires_header_is_a_400_after_authentication() {
    let (s, _, _) = granted(&[C, "Expires: 99999999999"], RegistrarConfig::default());
    assert_eq!(s, 400);
}
