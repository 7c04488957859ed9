//! Outbound registration, the paths that go wrong: wrong credentials, refusals, 423, no
//! answer, the attempt limit. chan_sip's register timeout (20 s) drives every retry.

mod outbound_common;

use std::time::Instant;

use outbound_common::*;
use tandem_sip::outbound::{RegState, MAX_AUTHTRIES};

#[test]
fn wrong_password_is_no_authentication_then_retried_after_backoff() {
    let t0 = Instant::now();
    let p = Provider::new(false);
    let mut cfg = config();
    cfg.secret = Some("wrong".into());
    let mut r = registration(cfg);
    let first = next(&mut r, t0);
    r.handle_response(t0, &p.challenge(&first, 401, false));
    let answer = next(&mut r, t0);
    assert_ne!(
        p.verdict(&answer, "Authorization", PASSWORD),
        tandem_sip::auth::Verdict::Ok
    );
    // The server challenges again, not stale: our credentials are refused.
    r.handle_response(t0, &p.challenge(&answer, 401, false));
    assert_eq!(r.state(), RegState::NoAuthentication);
    assert!(r.poll_request(t0).is_none(), "no third REGISTER right away");
    assert_eq!(
        r.poll_timeout(),
        Some(t0 + secs(20)),
        "first backoff: registertimeout"
    );
    assert!(r.poll_request(t0 + secs(19)).is_none());
    let retry = next(&mut r, t0 + secs(20));
    assert_eq!(r.state(), RegState::RequestSent);
    assert!(
        retry.headers.get("Authorization").is_none(),
        "the refused nonce is forgotten"
    );
    assert_eq!(cseq(&retry), cseq(&answer) + 1);
    // Refused again: the backoff doubles.
    let t1 = t0 + secs(20);
    r.handle_response(t1, &p.challenge(&retry, 401, false));
    let answer = next(&mut r, t1);
    r.handle_response(t1, &p.challenge(&answer, 401, false));
    assert_eq!(r.state(), RegState::NoAuthentication);
    assert_eq!(r.poll_timeout(), Some(t1 + secs(40)));
}

#[test]
fn backoff_is_capped() {
    let t0 = Instant::now();
    let mut cfg = config();
    cfg.timing.max_backoff = secs(60);
    let mut r = registration(cfg);
    let mut now = t0;
    let mut waits = Vec::new();
    for _ in 0..4 {
        let req = next(&mut r, now);
        r.handle_response(now, &reply(&req, 404, "Not Found"));
        let wake = r.poll_timeout().unwrap();
        waits.push((wake - now).as_secs());
        now = wake;
    }
    assert_eq!(waits, [20, 40, 60, 60]);
}

#[test]
fn forbidden_is_no_authentication() {
    let t0 = Instant::now();
    let mut r = registration(config());
    let req = next(&mut r, t0);
    r.handle_response(t0, &reply(&req, 403, "Forbidden"));
    assert_eq!(r.state(), RegState::NoAuthentication);
    assert_eq!(r.poll_timeout(), Some(t0 + secs(20)));
}

#[test]
fn refusal_without_retry_stays_as_chan_sip() {
    let t0 = Instant::now();
    let mut cfg = config();
    cfg.timing.retry_rejected = false;
    let mut r = registration(cfg);
    let req = next(&mut r, t0);
    r.handle_response(t0, &reply(&req, 404, "Not Found"));
    assert_eq!(r.state(), RegState::Rejected);
    assert_eq!(r.poll_timeout(), None, "chan_sip gives up until a reload");
    assert!(r.poll_request(t0 + secs(100_000)).is_none());
}

#[test]
fn register_retry_403_waits_for_the_register_timeout() {
    let t0 = Instant::now();
    let mut cfg = config();
    cfg.timing.register_retry_403 = true;
    let mut r = registration(cfg);
    let req = next(&mut r, t0);
    r.handle_response(t0, &reply(&req, 403, "Forbidden"));
    assert_eq!(
        r.state(),
        RegState::RequestSent,
        "non-fatal: the state is left alone"
    );
    assert_eq!(r.poll_timeout(), Some(t0 + secs(20)));
    next(&mut r, t0 + secs(20));
}

#[test]
fn giving_up_codes_are_rejected() {
    for code in [400u16, 404, 414, 479, 493] {
        let t0 = Instant::now();
        let mut r = registration(config());
        let req = next(&mut r, t0);
        r.handle_response(t0, &reply(&req, code, "No"));
        assert_eq!(r.state(), RegState::Rejected, "{code}");
    }
}

#[test]
fn interval_too_brief_retries_at_once_with_min_expires() {
    let t0 = Instant::now();
    let mut r = registration(config());
    let first = next(&mut r, t0);
    r.handle_response(
        t0,
        &reply(&first, 423, "Interval Too Brief").with_header("Min-Expires", "600"),
    );
    let second = next(&mut r, t0);
    assert_eq!(second.headers.get("Expires"), Some("600"));
    assert_eq!(cseq(&second), cseq(&first) + 1);
    assert_eq!(r.expiry(), 600);
    r.handle_response(t0, &ok(&second, 600));
    assert_eq!(r.state(), RegState::Registered);
    assert_eq!(r.refresh_secs(), 585);
    // sip_reregister asks for the configured expiry again at each refresh.
    let refresh = next(&mut r, t0 + secs(585));
    assert_eq!(refresh.headers.get("Expires"), Some("120"));
}

#[test]
fn interval_too_brief_above_maxexpiry_gives_up() {
    let t0 = Instant::now();
    let mut r = registration(config());
    let first = next(&mut r, t0);
    r.handle_response(
        t0,
        &reply(&first, 423, "Interval Too Brief").with_header("Min-Expires", "3601"),
    );
    assert_eq!(r.state(), RegState::Rejected);
    assert_eq!(r.expiry(), 120, "back to the configured expiry");
    assert!(r.poll_request(t0).is_none());
}

#[test]
fn interval_too_brief_without_min_expires_is_rejected_not_expires_zero() {
    let t0 = Instant::now();
    let mut r = registration(config());
    let first = next(&mut r, t0);
    r.handle_response(t0, &reply(&first, 423, "Interval Too Brief"));
    assert_eq!(r.state(), RegState::Rejected);
    assert!(r.poll_request(t0).is_none());
}

#[test]
fn no_answer_retries_after_register_timeout_and_ignores_late_answers() {
    let t0 = Instant::now();
    let mut r = registration(config());
    let first = next(&mut r, t0);
    assert_eq!(r.poll_timeout(), Some(t0 + secs(20)));
    assert!(r.poll_request(t0 + secs(19)).is_none());
    let t1 = t0 + secs(20);
    let second = next(&mut r, t1);
    assert_eq!(r.state(), RegState::RequestSent);
    assert_eq!(r.attempts(), 2);
    assert_eq!(cseq(&second), cseq(&first) + 1);
    assert_eq!(
        second.headers.call_id().unwrap(),
        first.headers.call_id().unwrap()
    );
    // A 200 for the abandoned attempt is not ours any more.
    assert!(!r.handle_response(t1, &ok(&first, 120)));
    assert_eq!(r.state(), RegState::RequestSent);
    // The transaction layer gives up on the second one too (timer F): wait for the timeout.
    r.handle_txn_timeout(t1 + secs(10));
    assert!(r.poll_request(t1 + secs(19)).is_none());
    next(&mut r, t1 + secs(20));
    assert_eq!(r.attempts(), 3);
}

#[test]
fn transaction_timeout_waits_for_a_longer_register_timeout() {
    let t0 = Instant::now();
    let mut cfg = config();
    cfg.timing.register_timeout = secs(60);
    let mut r = registration(cfg);
    next(&mut r, t0);
    r.handle_txn_timeout(t0 + secs(32));
    assert_eq!(r.state(), RegState::RequestSent);
    assert!(r.poll_request(t0 + secs(59)).is_none());
    next(&mut r, t0 + secs(60));
}

#[test]
fn register_attempts_limit_ends_in_failed() {
    let t0 = Instant::now();
    let mut cfg = config();
    cfg.timing.register_attempts = 2;
    let mut r = registration(cfg);
    next(&mut r, t0);
    next(&mut r, t0 + secs(20));
    r.handle_timeout(t0 + secs(40));
    assert_eq!(r.state(), RegState::Failed);
    assert_eq!(r.poll_timeout(), None);
    assert!(r.poll_request(t0 + secs(1000)).is_none());
}

#[test]
fn server_error_waits_for_the_register_timeout() {
    let t0 = Instant::now();
    let mut r = registration(config());
    let req = next(&mut r, t0);
    r.handle_response(t0 + secs(1), &reply(&req, 503, "Service Unavailable"));
    assert_eq!(
        r.state(),
        RegState::RequestSent,
        "chan_sip has no REGISTER handling for 503"
    );
    assert!(r.poll_request(t0 + secs(19)).is_none());
    next(&mut r, t0 + secs(20));
}

#[test]
fn request_timeout_408_resets_the_attempt_counter() {
    let t0 = Instant::now();
    let mut r = registration(config());
    next(&mut r, t0);
    let req = next(&mut r, t0 + secs(20));
    assert_eq!(r.attempts(), 2);
    r.handle_response(t0 + secs(21), &reply(&req, 408, "Request Timeout"));
    assert_eq!(r.attempts(), 0);
}

#[test]
fn challenges_are_answered_at_most_three_times_per_attempt() {
    let t0 = Instant::now();
    let p = Provider::new(false);
    let mut r = registration(config());
    let mut req = next(&mut r, t0);
    r.handle_response(t0, &p.challenge(&req, 401, false));
    for _ in 1..MAX_AUTHTRIES {
        req = next(&mut r, t0);
        r.handle_response(t0, &p.challenge(&req, 401, true));
    }
    req = next(&mut r, t0);
    r.handle_response(t0, &p.challenge(&req, 401, true));
    assert!(
        r.poll_request(t0).is_none(),
        "fourth challenge: \"Failed to authenticate\""
    );
    assert_eq!(
        r.state(),
        RegState::AuthSent,
        "as chan_sip, until the register timeout"
    );
    let retry = next(&mut r, t0 + secs(20));
    assert_eq!(r.state(), RegState::RequestSent);
    r.handle_response(t0 + secs(20), &p.challenge(&retry, 401, false));
    assert!(
        r.poll_request(t0 + secs(20)).is_some(),
        "a new attempt gets new tries"
    );
}

#[test]
fn unanswerable_challenge_waits_for_the_register_timeout() {
    let t0 = Instant::now();
    let mut r = registration(config());
    let req = next(&mut r, t0);
    let resp =
        reply(&req, 401, "Unauthorized").with_header("WWW-Authenticate", "Basic realm=\"x\"");
    r.handle_response(t0, &resp);
    assert_eq!(r.state(), RegState::RequestSent);
    assert!(r.poll_request(t0).is_none());
    next(&mut r, t0 + secs(20));
}

#[test]
fn unresolved_host_counts_an_attempt_and_retries_later() {
    let t0 = Instant::now();
    let mut r = tandem_sip::outbound::OutboundRegistration::new(config()).unwrap();
    assert!(r.poll_request(t0).is_none(), "no destination: nothing sent");
    assert_eq!(r.attempts(), 1);
    assert_eq!(r.poll_timeout(), Some(t0 + secs(20)));
    r.set_destination(Some(addr(PROVIDER)));
    let req = next(&mut r, t0 + secs(20));
    assert_eq!(cseq(&req), 102, "no CSeq was spent on the unsent attempt");
}

#[test]
fn responses_for_other_registrations_are_ignored() {
    let t0 = Instant::now();
    let mut r = registration(config());
    let req = next(&mut r, t0);
    let mut other = ok(&req, 120);
    other.headers.set("Call-ID", "someone-else@x");
    assert!(!r.handle_response(t0, &other));
    let mut older = ok(&req, 120);
    older.headers.set("CSeq", "101 REGISTER");
    assert!(!r.handle_response(t0, &older));
    assert_eq!(r.state(), RegState::RequestSent);
}
