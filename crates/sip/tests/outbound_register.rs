//! Outbound registration, the paths that end registered: the REGISTER chan_sip sends, digest
//! challenges, the refresh before expiry, unregister. Fake clock throughout.

mod outbound_common;

use std::time::Instant;

use outbound_common::*;
use tandem_sip::auth::Verdict;
use tandem_sip::message::Transport;
use tandem_sip::outbound::{OutboundRegistration, RegState, INITIAL_CSEQ};

#[test]
fn first_register_is_laid_out_as_chan_sip() {
    let t0 = Instant::now();
    let mut r = registration(config());
    assert_eq!(r.state(), RegState::Unregistered);
    assert_eq!(
        r.refresh_secs(),
        120,
        "Refresh shows the configured expiry before any 200"
    );
    let req = next(&mut r, t0);
    assert_eq!(r.state(), RegState::RequestSent);
    assert_eq!(req.uri.to_string(), "sip:sip.example.com");
    let names: Vec<&str> = req.headers.iter().map(|h| h.name()).collect();
    assert_eq!(
        names,
        [
            "Via",
            "Max-Forwards",
            "From",
            "To",
            "Call-ID",
            "CSeq",
            "Supported",
            "User-Agent",
            "Expires",
            "Contact",
            "Content-Length"
        ]
    );
    assert_eq!(
        req.headers.get("CSeq"),
        Some("102 REGISTER"),
        "INITIAL_CSEQ 101, bumped before sending"
    );
    assert_eq!(INITIAL_CSEQ, 101);
    assert!(req
        .headers
        .get("Via")
        .unwrap()
        .starts_with("SIP/2.0/UDP 192.0.2.1:5060;rport"));
    assert_eq!(req.headers.get("Max-Forwards"), Some("70"));
    let from = req.headers.from_hdr().unwrap();
    assert_eq!(from.uri.to_string(), "sip:alice@sip.example.com");
    assert!(from.tag().is_some_and(|t| t.starts_with("as")));
    let to = req.headers.to_hdr().unwrap();
    assert_eq!(to.uri.to_string(), "sip:alice@sip.example.com");
    assert_eq!(to.tag(), None);
    assert_eq!(req.headers.get("Contact"), Some("<sip:s@192.0.2.1:5060>"));
    assert_eq!(req.headers.get("Expires"), Some("120"));
    assert_eq!(req.headers.get("Supported"), Some("replaces, timer"));
    assert_eq!(req.headers.get("User-Agent"), Some("tandem"));
    assert!(req.headers.get("Authorization").is_none());
    assert_eq!(req.headers.call_id().unwrap(), r.call_id());
    assert!(r.poll_request(t0).is_none(), "one REGISTER at a time");
}

#[test]
fn ok_registers_and_schedules_the_refresh() {
    let t0 = Instant::now();
    let mut r = registration(config());
    let req = next(&mut r, t0);
    let t1 = t0 + secs(1);
    assert!(r.handle_response(t1, &ok(&req, 120)));
    assert_eq!(r.state(), RegState::Registered);
    assert_eq!(r.registered_at(), Some(t1));
    assert_eq!(r.refresh_secs(), 105);
    assert_eq!(r.attempts(), 0);
    assert_eq!(r.poll_timeout(), Some(t1 + secs(105)));
    assert!(r.poll_request(t1 + secs(104)).is_none());
}

#[test]
fn provisional_responses_change_nothing() {
    let t0 = Instant::now();
    let mut r = registration(config());
    let req = next(&mut r, t0);
    assert!(r.handle_response(t0, &reply(&req, 100, "Trying")));
    assert_eq!(r.state(), RegState::RequestSent);
    assert!(
        r.handle_response(t0, &ok(&req, 60)),
        "the final still matches"
    );
    assert_eq!(r.state(), RegState::Registered);
}

#[test]
fn challenge_is_answered_then_registered() {
    let t0 = Instant::now();
    let p = Provider::new(false);
    let mut r = registration(config());
    let first = next(&mut r, t0);
    assert!(r.handle_response(t0, &p.challenge(&first, 401, false)));
    let second = next(&mut r, t0);
    assert_eq!(r.state(), RegState::AuthSent);
    assert_eq!(cseq(&second), cseq(&first) + 1);
    assert_eq!(
        second.headers.call_id().unwrap(),
        first.headers.call_id().unwrap()
    );
    assert_eq!(
        second.headers.from_hdr().unwrap().tag(),
        first.headers.from_hdr().unwrap().tag()
    );
    assert_eq!(p.verdict(&second, "Authorization", PASSWORD), Verdict::Ok);
    let creds = second.headers.get("Authorization").unwrap();
    assert!(
        creds.contains("username=\"alice\"") && creds.contains("uri=\"sip:sip.example.com\""),
        "{creds}"
    );
    assert!(r.handle_response(t0, &ok(&second, 3600)));
    assert_eq!(r.state(), RegState::Registered);
    assert_eq!(r.refresh_secs(), 3585);
}

#[test]
fn proxy_challenge_gets_proxy_authorization() {
    let t0 = Instant::now();
    let p = Provider::new(true);
    let mut r = registration(config());
    let first = next(&mut r, t0);
    r.handle_response(t0, &p.challenge(&first, 407, false));
    let second = next(&mut r, t0);
    assert!(second.headers.get("Authorization").is_none());
    assert_eq!(
        p.verdict(&second, "Proxy-Authorization", PASSWORD),
        Verdict::Ok
    );
}

#[test]
fn authuser_is_the_digest_username() {
    let t0 = Instant::now();
    let p = Provider::new(false);
    let mut cfg = config();
    cfg.authuser = Some("acct-991".into());
    let mut r = registration(cfg);
    let first = next(&mut r, t0);
    r.handle_response(t0, &p.challenge(&first, 401, false));
    let second = next(&mut r, t0);
    assert!(second
        .headers
        .get("Authorization")
        .unwrap()
        .contains("username=\"acct-991\""));
    assert_eq!(
        second.headers.from_hdr().unwrap().uri.to_string(),
        "sip:alice@sip.example.com"
    );
}

#[test]
fn stale_nonce_is_answered_again_without_failing() {
    let t0 = Instant::now();
    let p = Provider::new(false);
    let mut r = registration(config());
    let first = next(&mut r, t0);
    r.handle_response(t0, &p.challenge(&first, 401, false));
    let second = next(&mut r, t0);
    r.handle_response(t0, &p.challenge(&second, 401, true));
    assert_eq!(r.state(), RegState::AuthSent);
    let third = next(&mut r, t0);
    assert_eq!(cseq(&third), cseq(&first) + 2);
    r.handle_response(t0, &ok(&third, 120));
    assert_eq!(r.state(), RegState::Registered);
}

#[test]
fn refresh_goes_fifteen_seconds_before_expiry_with_same_call_id() {
    let t0 = Instant::now();
    let mut r = registration(config());
    let first = next(&mut r, t0);
    r.handle_response(t0, &ok(&first, 3600));
    assert!(r.poll_request(t0 + secs(3584)).is_none());
    let t1 = t0 + secs(3585);
    let refresh = next(&mut r, t1);
    assert_eq!(
        r.state(),
        RegState::RequestSent,
        "chan_sip shows Request Sent while renewing"
    );
    assert_eq!(
        r.registered_at(),
        Some(t0),
        "Reg.Time stays until the next 200"
    );
    assert_eq!(cseq(&refresh), cseq(&first) + 1);
    assert_eq!(
        refresh.headers.call_id().unwrap(),
        first.headers.call_id().unwrap()
    );
    assert_eq!(
        refresh.headers.from_hdr().unwrap().tag(),
        first.headers.from_hdr().unwrap().tag()
    );
    assert_eq!(refresh.headers.get("Expires"), Some("120"));
    r.handle_response(t1, &ok(&refresh, 120));
    assert_eq!(r.registered_at(), Some(t1));
    assert_eq!(r.poll_timeout(), Some(t1 + secs(105)));
}

#[test]
fn short_expiry_refreshes_at_eighty_percent() {
    let t0 = Instant::now();
    let mut r = registration(config());
    let first = next(&mut r, t0);
    r.handle_response(t0, &ok(&first, 20));
    assert_eq!(r.refresh_secs(), 16);
    assert_eq!(r.poll_timeout(), Some(t0 + secs(16)));
}

#[test]
fn granted_expiry_falls_back_to_expires_header_then_defaultexpiry() {
    let t0 = Instant::now();
    let mut r = registration(config());
    let first = next(&mut r, t0);
    let mut resp = reply(&first, 200, "OK");
    resp.headers.push("Expires", "600");
    r.handle_response(t0, &resp);
    assert_eq!(r.refresh_secs(), 585);

    let mut cfg = config();
    cfg.timing.default_expiry = 300;
    let mut r = registration(cfg);
    let first = next(&mut r, t0);
    r.handle_response(t0, &reply(&first, 200, "OK"));
    assert_eq!(r.refresh_secs(), 285, "nothing granted: defaultexpiry");
}

#[test]
fn refresh_reuses_the_nonce_and_counts_nc() {
    let t0 = Instant::now();
    let p = Provider::new(true);
    let mut r = registration(config());
    let first = next(&mut r, t0);
    r.handle_response(t0, &p.challenge(&first, 401, false));
    let second = next(&mut r, t0);
    assert!(second
        .headers
        .get("Authorization")
        .unwrap()
        .contains("nc=00000001"));
    r.handle_response(t0, &ok(&second, 120));
    let refresh = next(&mut r, t0 + secs(105));
    assert_eq!(
        r.state(),
        RegState::RequestSent,
        "a reused nonce is not a challenge answer"
    );
    let creds = refresh
        .headers
        .get("Authorization")
        .expect("chan_sip re-uses auth data");
    assert!(creds.contains("nc=00000002"), "{creds}");
    assert_eq!(p.verdict(&refresh, "Authorization", PASSWORD), Verdict::Ok);
}

#[test]
fn challenge_to_a_reused_nonce_is_fresh_not_a_failure() {
    let t0 = Instant::now();
    let mut p = Provider::new(false);
    let mut r = registration(config());
    let first = next(&mut r, t0);
    r.handle_response(t0, &p.challenge(&first, 401, false));
    let second = next(&mut r, t0);
    r.handle_response(t0, &ok(&second, 120));
    let t1 = t0 + secs(105);
    let refresh = next(&mut r, t1);
    assert!(refresh.headers.get("Authorization").is_some());
    // The provider's nonces expired meanwhile: it challenges without stale=true.
    p.epoch += 105;
    r.handle_response(t1, &p.challenge(&refresh, 401, false));
    assert_eq!(r.state(), RegState::AuthSent);
    let answer = next(&mut r, t1);
    assert_eq!(p.verdict(&answer, "Authorization", PASSWORD), Verdict::Ok);
    r.handle_response(t1, &ok(&answer, 120));
    assert_eq!(r.state(), RegState::Registered);
}

#[test]
fn unregister_sends_expires_zero_and_stops() {
    let t0 = Instant::now();
    let mut r = registration(config());
    let first = next(&mut r, t0);
    r.handle_response(t0, &ok(&first, 120));
    let t1 = t0 + secs(30);
    r.unregister(t1);
    let bye = next(&mut r, t1);
    assert_eq!(bye.headers.get("Expires"), Some("0"));
    assert_eq!(bye.headers.get("Contact"), Some("<sip:s@192.0.2.1:5060>"));
    assert_eq!(
        bye.headers.call_id().unwrap(),
        first.headers.call_id().unwrap()
    );
    assert_eq!(cseq(&bye), cseq(&first) + 1);
    r.handle_response(t1, &reply(&bye, 200, "OK"));
    assert_eq!(r.state(), RegState::Unregistered);
    assert_eq!(r.registered_at(), None);
    assert_eq!(r.poll_timeout(), None);
    assert!(
        r.poll_request(t1 + secs(3600)).is_none(),
        "no refresh after unregister"
    );
}

#[test]
fn unregister_answers_a_challenge() {
    let t0 = Instant::now();
    let p = Provider::new(false);
    let mut r = registration(config());
    let first = next(&mut r, t0);
    r.handle_response(t0, &ok(&first, 120));
    r.unregister(t0);
    let bye = next(&mut r, t0);
    r.handle_response(t0, &p.challenge(&bye, 401, false));
    let bye2 = next(&mut r, t0);
    assert_eq!(bye2.headers.get("Expires"), Some("0"));
    assert_eq!(p.verdict(&bye2, "Authorization", PASSWORD), Verdict::Ok);
    r.handle_response(t0, &reply(&bye2, 200, "OK"));
    assert_eq!(r.state(), RegState::Unregistered);
}

#[test]
fn unregister_without_answer_gives_up_after_register_timeout() {
    let t0 = Instant::now();
    let mut r = registration(config());
    let first = next(&mut r, t0);
    r.handle_response(t0, &ok(&first, 120));
    r.unregister(t0);
    next(&mut r, t0);
    assert_eq!(r.poll_timeout(), Some(t0 + secs(20)));
    r.handle_timeout(t0 + secs(20));
    assert_eq!(r.state(), RegState::Unregistered);
    assert!(r.poll_request(t0 + secs(200)).is_none());
}

#[test]
fn domain_port_transport_forms() {
    let t0 = Instant::now();
    let mut cfg = config();
    cfg.domain = Some("example.org".into());
    cfg.domain_port = Some(5070);
    cfg.transport = Transport::Tcp;
    cfg.extension = "1234".into();
    let mut r = registration(cfg);
    let req = next(&mut r, t0);
    assert_eq!(req.uri.to_string(), "sip:example.org:5070");
    assert_eq!(
        req.headers.to_hdr().unwrap().uri.to_string(),
        "sip:alice@example.org",
        "no port in To"
    );
    assert_eq!(
        req.headers.get("Contact"),
        Some("<sip:1234@192.0.2.1:5060;transport=tcp>")
    );
    assert!(req.headers.get("Via").unwrap().starts_with("SIP/2.0/TCP "));

    let mut cfg = config();
    cfg.port = 5080;
    let mut r = registration(cfg);
    assert_eq!(next(&mut r, t0).uri.to_string(), "sip:sip.example.com:5080");

    let mut cfg = config();
    cfg.host = "2001:db8::5".into();
    cfg.local = addr("[2001:db8::1]:5060");
    let mut r = registration(cfg);
    let req = next(&mut r, t0);
    assert_eq!(req.uri.to_string(), "sip:[2001:db8::5]");
    assert_eq!(
        req.headers.get("Contact"),
        Some("<sip:s@[2001:db8::1]:5060>")
    );
}

#[test]
fn bad_configuration_is_refused() {
    let mut cfg = config();
    cfg.user = String::new();
    assert!(OutboundRegistration::new(cfg).is_err());
    let mut cfg = config();
    cfg.host = "bad host".into();
    assert!(OutboundRegistration::new(cfg).is_err());
}

#[test]
fn different_seeds_give_different_call_ids_and_same_seed_the_same() {
    let a = OutboundRegistration::new(config()).unwrap();
    let b = OutboundRegistration::new(config()).unwrap();
    let mut cfg = config();
    cfg.seed = 8;
    let c = OutboundRegistration::new(cfg).unwrap();
    assert_eq!(a.call_id(), b.call_id());
    assert_ne!(a.call_id(), c.call_id());
    assert!(a.call_id().ends_with("@192.0.2.1"));
}
