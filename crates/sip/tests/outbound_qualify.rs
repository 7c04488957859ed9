//! Qualify (OPTIONS pings) on a fake clock: chan_sip's cadence (qualifyfreq when OK, 10 s
//! otherwise, 2 x qualify ms to answer) and the `sip show peers` status texts.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tandem_sip::message::{parse, Request, Response};
use tandem_sip::outbound::{Qualifier, QualifyConfig, QualifyStatus};

const PEER: &str = "203.0.113.9:5060";

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn qualifier(max_ms: u32) -> Qualifier {
    let mut cfg = QualifyConfig::new("bob", "sip:bob@203.0.113.9:5060", addr("192.0.2.1:5060"));
    cfg.max_ms = max_ms;
    cfg.seed = 11;
    let mut q = Qualifier::new(cfg).unwrap();
    q.set_destination(Some(addr(PEER)));
    q
}

fn ping(q: &mut Qualifier, now: Instant) -> Request {
    let (req, dest) = q.poll_request(now).expect("an OPTIONS is due");
    assert_eq!(dest, addr(PEER));
    let mut wire = req.clone();
    let via = wire.headers.get("Via").unwrap().to_string();
    wire.headers.set("Via", format!("{via};branch=z9hG4bKq"));
    parse(&wire.to_bytes())
        .unwrap()
        .as_request()
        .unwrap()
        .clone()
}

fn answer(req: &Request, status: u16) -> Response {
    let mut r = Response::from_request(req, status, "Whatever");
    r.set_to_tag("peer");
    r
}

#[test]
fn options_is_laid_out_as_chan_sip_poke() {
    let t0 = Instant::now();
    let mut q = qualifier(2000);
    assert_eq!(q.status_text(), "UNKNOWN");
    let req = ping(&mut q, t0);
    assert_eq!(req.uri.to_string(), "sip:bob@203.0.113.9:5060");
    assert_eq!(req.headers.get("CSeq"), Some("102 OPTIONS"));
    assert_eq!(req.headers.get("Max-Forwards"), Some("70"));
    assert_eq!(
        req.headers.get("From").unwrap().split(";tag=").next(),
        Some("\"tandem\" <sip:tandem@192.0.2.1>")
    );
    assert_eq!(req.headers.get("To"), Some("<sip:bob@203.0.113.9:5060>"));
    assert_eq!(
        req.headers.get("Contact"),
        Some("<sip:tandem@192.0.2.1:5060>")
    );
    assert!(req
        .headers
        .get("Via")
        .unwrap()
        .starts_with("SIP/2.0/UDP 192.0.2.1:5060;rport"));
    assert!(q.poll_request(t0).is_none(), "one ping at a time");
}

#[test]
fn answer_within_qualify_is_ok_and_next_ping_after_qualifyfreq() {
    let t0 = Instant::now();
    let mut q = qualifier(2000);
    let req = ping(&mut q, t0);
    let t1 = t0 + ms(12);
    assert!(q.handle_response(t1, &answer(&req, 200)));
    assert_eq!(q.status(), QualifyStatus::Ok { rtt_ms: 12 });
    assert_eq!(q.status_text(), "OK (12 ms)");
    assert_eq!(q.poll_timeout(), Some(t1 + Duration::from_secs(60)));
    assert!(q.poll_request(t1 + Duration::from_secs(59)).is_none());
    let again = ping(&mut q, t1 + Duration::from_secs(60));
    assert_ne!(
        again.headers.call_id().unwrap(),
        req.headers.call_id().unwrap(),
        "a new dialog per ping"
    );
    assert_eq!(again.headers.get("CSeq"), Some("102 OPTIONS"));
}

#[test]
fn any_final_answer_counts_as_alive() {
    let t0 = Instant::now();
    let mut q = qualifier(2000);
    let req = ping(&mut q, t0);
    assert!(q.handle_response(t0 + ms(30), &answer(&req, 404)));
    assert_eq!(q.status_text(), "OK (30 ms)");
}

#[test]
fn hundred_trying_is_not_an_answer() {
    let t0 = Instant::now();
    let mut q = qualifier(2000);
    let req = ping(&mut q, t0);
    assert!(q.handle_response(t0 + ms(5), &answer(&req, 100)));
    assert_eq!(q.status_text(), "UNKNOWN");
    q.handle_response(t0 + ms(40), &answer(&req, 200));
    assert_eq!(q.status_text(), "OK (40 ms)");
}

#[test]
fn instant_answer_rounds_up_to_one_ms() {
    let t0 = Instant::now();
    let mut q = qualifier(2000);
    let req = ping(&mut q, t0);
    q.handle_response(t0, &answer(&req, 200));
    assert_eq!(q.status_text(), "OK (1 ms)");
}

#[test]
fn slow_answer_is_lagged_and_pinged_again_in_ten_seconds() {
    let t0 = Instant::now();
    let mut q = qualifier(1000);
    let req = ping(&mut q, t0);
    let t1 = t0 + ms(1500);
    q.handle_response(t1, &answer(&req, 200));
    assert_eq!(q.status(), QualifyStatus::Lagged { rtt_ms: 1500 });
    assert_eq!(q.status_text(), "LAGGED (1500 ms)");
    assert_eq!(q.poll_timeout(), Some(t1 + Duration::from_secs(10)));
}

#[test]
fn no_answer_within_twice_qualify_is_unreachable() {
    let t0 = Instant::now();
    let mut q = qualifier(2000);
    let req = ping(&mut q, t0);
    assert_eq!(
        q.poll_timeout(),
        Some(t0 + ms(4000)),
        "sip_poke_noanswer after maxms * 2"
    );
    q.handle_timeout(t0 + ms(3999));
    assert_eq!(q.status_text(), "UNKNOWN");
    let t1 = t0 + ms(4000);
    q.handle_timeout(t1);
    assert_eq!(q.status(), QualifyStatus::Unreachable);
    assert_eq!(q.status_text(), "UNREACHABLE");
    // A late answer belongs to a dialog chan_sip has dropped.
    assert!(!q.handle_response(t1 + ms(10), &answer(&req, 200)));
    assert_eq!(q.status_text(), "UNREACHABLE");
    // Retried quickly: DEFAULT_FREQ_NOTOK.
    assert_eq!(q.poll_timeout(), Some(t1 + Duration::from_secs(10)));
    let retry = ping(&mut q, t1 + Duration::from_secs(10));
    q.handle_response(t1 + Duration::from_secs(10) + ms(20), &answer(&retry, 200));
    assert_eq!(q.status_text(), "OK (20 ms)", "back from unreachable");
}

#[test]
fn transaction_timeout_is_unreachable_at_once() {
    let t0 = Instant::now();
    let mut cfg = QualifyConfig::new("bob", "sip:bob@203.0.113.9", addr("192.0.2.1:5060"));
    cfg.max_ms = 20_000; // 2 x 20 s is past timer F
    let mut q = Qualifier::new(cfg).unwrap();
    q.set_destination(Some(addr(PEER)));
    q.poll_request(t0).unwrap();
    q.handle_txn_timeout(t0 + Duration::from_secs(32));
    assert_eq!(q.status_text(), "UNREACHABLE");
    assert_eq!(q.poll_timeout(), Some(t0 + Duration::from_secs(42)));
}

#[test]
fn cadence_over_a_flapping_peer() {
    // OK -> unreachable -> OK: pings at 0 and 60; no answer by 64; pings at 74 and 134.
    let t0 = Instant::now();
    let mut q = qualifier(2000);
    let s = Duration::from_secs;
    let mut sent = Vec::new();
    let mut now = t0;
    let answers = [Some(ms(10)), None, Some(ms(10)), Some(ms(10))];
    for a in answers {
        now = q.poll_timeout().unwrap_or(now).max(now);
        let req = ping(&mut q, now);
        sent.push((now - t0).as_secs());
        match a {
            Some(rtt) => {
                q.handle_response(now + rtt, &answer(&req, 200));
            }
            None => {
                let wake = q.poll_timeout().unwrap();
                q.handle_timeout(wake);
                now = wake;
            }
        }
    }
    assert_eq!(sent, [0, 60, 74, 134]);
    // each answer took 10 ms and each wait starts at the answer
    assert_eq!(q.poll_timeout(), Some(t0 + s(194) + ms(30)));
}

#[test]
fn qualify_no_is_unmonitored_and_never_pings() {
    let t0 = Instant::now();
    let mut q = qualifier(0);
    assert_eq!(q.status(), QualifyStatus::Unmonitored);
    assert_eq!(q.status_text(), "Unmonitored");
    assert!(q.poll_request(t0).is_none());
    assert_eq!(q.poll_timeout(), None);
}

#[test]
fn losing_the_address_forgets_the_state_and_a_new_one_is_pinged_at_once() {
    let t0 = Instant::now();
    let mut q = qualifier(2000);
    let req = ping(&mut q, t0);
    q.handle_response(t0 + ms(10), &answer(&req, 200));
    q.set_destination(None);
    assert_eq!(q.status_text(), "UNKNOWN");
    assert_eq!(q.poll_timeout(), None);
    q.set_destination(Some(addr("203.0.113.10:5062")));
    let (req, dest) = q.poll_request(t0 + ms(20)).expect("pinged at once");
    assert_eq!(dest, addr("203.0.113.10:5062"));
    assert_eq!(req.headers.get("CSeq"), Some("102 OPTIONS"));
}

#[test]
fn bad_target_is_refused() {
    let cfg = QualifyConfig::new("bob", "not a uri", addr("192.0.2.1:5060"));
    assert!(Qualifier::new(cfg).is_err());
}
