//! RFC 4028 session timers as chan_sip runs them, on the simulated pair: negotiation as UAS
//! and UAC, 422 with Min-SE and the UAC's one retry, refreshes at half the interval for
//! hours, BYE when the refresh does not come, Originate and Refuse modes.

mod ua_sim;

use std::time::Duration;

use tandem_sip::ua::{EndReason, SessionTimerMode, UaConfig, UaEvent, UserAgent};
use ua_sim::*;

/// Side `i` gets a UA configured by `f` (the sim's own settings kept).
fn configure(sim: &mut Sim, i: usize, f: impl FnOnce(&mut UaConfig)) {
    let mut cfg = sim.sides[i].ua.config().clone();
    f(&mut cfg);
    sim.sides[i].ua = UserAgent::new(cfg);
}

fn header<'a>(msg: &'a str, name: &str) -> Option<&'a str> {
    msg.lines().find_map(|l| {
        l.strip_prefix(name)
            .and_then(|r| r.strip_prefix(':'))
            .map(str::trim)
    })
}

/// A calls B and B answers; both see the call set up.
fn answered(sim: &mut Sim) -> (tandem_sip::ua::CallId, tandem_sip::ua::CallId) {
    sim.established(A)
}

#[test]
fn uas_answers_session_expires_with_require_timer_and_is_the_refresher_by_default() {
    let mut sim = Sim::new();
    configure(&mut sim, A, |c| {
        c.session_timers = SessionTimerMode::Originate;
        c.session_expires = 600;
    });
    answered(&mut sim);
    let inv = &sim.sent_starting(A, "INVITE ")[0];
    assert_eq!(
        header(inv, "Session-Expires"),
        Some("600"),
        "no refresher: the UAS picks (chan_sip)"
    );
    assert_eq!(header(inv, "Min-SE"), Some("90"));
    assert_eq!(header(inv, "Supported"), Some("replaces, timer"));
    let ok = &sim.sent_starting(B, "SIP/2.0 200")[0];
    assert_eq!(
        header(ok, "Session-Expires"),
        Some("600;refresher=uas"),
        "session-refresher=uas"
    );
    assert_eq!(header(ok, "Require"), Some("timer"));
    assert!(header(ok, "Allow").is_some_and(|a| a.ends_with("UPDATE")));
}

#[test]
fn uas_keeps_the_callers_refresher_and_the_smaller_interval() {
    let mut sim = Sim::new();
    let mut inv = invite_to(A, B, OFFER);
    inv.extra_headers
        .push(("Session-Expires".into(), "300;refresher=uac".into()));
    let now = sim.now;
    sim.ua(A).invite(now, inv).unwrap();
    sim.settle();
    let callee = sim.incoming(B);
    let now = sim.now;
    sim.ua(B)
        .answer(now, callee, ANSWER.as_bytes().to_vec())
        .unwrap();
    sim.settle();
    let ok = &sim.sent_starting(B, "SIP/2.0 200")[0];
    assert_eq!(header(ok, "Session-Expires"), Some("300;refresher=uac"));
    assert_eq!(header(ok, "Require"), Some("timer"));
    // the caller (Accept mode) reads the 2xx: it refreshes at 150 s
    let answered_at = sim.now;
    sim.run(Duration::from_secs(200));
    let refreshes = sim.times_starting(A, "UPDATE ");
    assert!(
        !refreshes.is_empty(),
        "the UAC refreshes: {:?}",
        sim.sides[A].sent.last()
    );
    let first = refreshes[0] - answered_at;
    assert!(
        first > Duration::from_secs(149) && first < Duration::from_secs(151),
        "{first:?}"
    );
    assert!(sim.sent_starting(B, "UPDATE ").is_empty());
}

#[test]
fn uas_shrinks_a_longer_request_to_its_session_expires() {
    let mut sim = Sim::new();
    configure(&mut sim, A, |c| {
        c.session_timers = SessionTimerMode::Originate;
        c.session_expires = 7200;
    });
    answered(&mut sim);
    let ok = &sim.sent_starting(B, "SIP/2.0 200")[0];
    assert_eq!(header(ok, "Session-Expires"), Some("1800;refresher=uas"));
}

#[test]
fn interval_below_min_se_gets_422_and_the_caller_retries_with_min_se() {
    let mut sim = Sim::new();
    configure(&mut sim, A, |c| {
        c.session_timers = SessionTimerMode::Originate;
        c.session_expires = 60;
        c.min_se = 60;
    });
    let caller = sim.call(A, OFFER);
    sim.settle();
    let r422 = sim.sent_starting(B, "SIP/2.0 422");
    assert_eq!(r422.len(), 1);
    assert!(r422[0].starts_with("SIP/2.0 422 Session Interval Too Small\r\n"));
    assert_eq!(header(&r422[0], "Min-SE"), Some("90"));
    let invites = sim.sent_starting(A, "INVITE ");
    assert_eq!(invites.len(), 2, "one retry");
    assert_eq!(header(&invites[1], "CSeq"), Some("103 INVITE"));
    assert_eq!(header(&invites[1], "Session-Expires"), Some("90"));
    assert_eq!(header(&invites[1], "Min-SE"), Some("90"));
    assert_eq!(
        header(&invites[1], "Call-ID"),
        header(&invites[0], "Call-ID")
    );
    assert_eq!(
        sim.sent_starting(A, "ACK ").len(),
        1,
        "the 422 is ACKed by the transaction"
    );
    let ev = sim.take_events(B);
    assert_eq!(
        ev.iter()
            .filter(|e| matches!(e, UaEvent::IncomingCall { .. }))
            .count(),
        1,
        "the 422 never reaches the TU"
    );
    let callee = ev
        .iter()
        .find_map(|e| match e {
            UaEvent::IncomingCall { call, .. } => Some(*call),
            _ => None,
        })
        .unwrap();
    let now = sim.now;
    sim.ua(B)
        .answer(now, callee, ANSWER.as_bytes().to_vec())
        .unwrap();
    sim.settle();
    assert!(sim.take_events(A).contains(&UaEvent::CallAnswered {
        call: caller,
        sdp: ANSWER.as_bytes().to_vec()
    }));
    let ok = &sim.sent_starting(B, "SIP/2.0 200")[0];
    assert_eq!(header(ok, "Session-Expires"), Some("90;refresher=uas"));
}

/// The response `status` to a request text, as the peer would send it.
fn reply(req: &str, status: &str, extra: &str) -> String {
    let mut out = format!("SIP/2.0 {status}\r\n");
    for name in ["Via", "From", "To", "Call-ID", "CSeq"] {
        let v = header(req, name).unwrap();
        if name == "To" {
            out.push_str(&format!("To: {v};tag=peer422\r\n"));
        } else {
            out.push_str(&format!("{name}: {v}\r\n"));
        }
    }
    out.push_str(extra);
    out.push_str("Content-Length: 0\r\n\r\n");
    out
}

#[test]
fn a_second_422_fails_the_call() {
    let mut sim = Sim::new();
    configure(&mut sim, A, |c| {
        c.session_timers = SessionTimerMode::Originate
    });
    sim.set_drop(|from, _| from == A);
    let caller = sim.call(A, OFFER);
    for n in 1..=2 {
        let inv = sim.sent_starting(A, "INVITE ").last().unwrap().clone();
        sim.inject(
            A,
            reply(&inv, "422 Session Interval Too Small", "Min-SE: 2000\r\n").as_bytes(),
        );
        sim.settle();
        assert_eq!(
            sim.sent_starting(A, "INVITE ").len(),
            2,
            "after 422 number {n}"
        );
    }
    let retry = &sim.sent_starting(A, "INVITE ")[1];
    assert_eq!(header(retry, "Session-Expires"), Some("2000"));
    assert_eq!(header(retry, "Min-SE"), Some("2000"));
    let ev = sim.take_events(A);
    assert!(
        ev.contains(&UaEvent::CallFailed {
            call: caller,
            status: 422,
            reason: "Session Interval Too Small".into()
        }),
        "{ev:?}"
    );
}

#[test]
fn refresher_sends_reinvites_with_the_same_sdp_every_half_interval_for_hours() {
    let mut sim = Sim::new();
    configure(&mut sim, A, |c| {
        c.session_timers = SessionTimerMode::Originate;
        c.session_expires = 90;
    });
    configure(&mut sim, B, |c| c.session_refresh_update = false);
    let (caller, callee) = answered(&mut sim);
    let start = sim.now;
    sim.run(Duration::from_secs(3 * 3600));
    let times = sim.times_starting(B, "INVITE ");
    assert!(
        times.len() >= 239 && times.len() <= 241,
        "{} refreshes in 3 h",
        times.len()
    );
    let first = times[0] - start;
    assert!(
        first > Duration::from_secs(44) && first < Duration::from_secs(45),
        "{first:?}"
    );
    for w in times.windows(2) {
        let gap = w[1] - w[0];
        // half the interval after the 2xx of the previous refresh (one round trip later)
        assert!(
            gap >= Duration::from_secs(45) && gap < Duration::from_millis(45_100),
            "{gap:?}"
        );
    }
    let last = sim.sent_starting(B, "INVITE ").last().unwrap().clone();
    assert!(last.ends_with(ANSWER), "our last SDP, same version: {last}");
    assert_eq!(header(&last, "Session-Expires"), Some("90;refresher=uac"));
    // A answers each refresh itself with its last SDP (same o= version): nobody hears of it
    let oks = sim.sent_starting(A, "SIP/2.0 200");
    assert!(oks.last().unwrap().ends_with(OFFER));
    assert!(sim.take_events(A).is_empty() && sim.take_events(B).is_empty());
    assert_eq!(sim.sent_starting(B, "ACK ").len(), times.len());
    assert_eq!((sim.ua(A).calls(), sim.ua(B).calls()), (1, 1));
    let now = sim.now;
    sim.ua(A).hangup(now, caller).unwrap();
    sim.settle();
    assert_eq!(
        sim.take_events(B),
        vec![UaEvent::CallEnded {
            call: callee,
            reason: EndReason::RemoteBye
        }]
    );
}

#[test]
fn refresher_uses_update_when_the_peer_allows_it() {
    let mut sim = Sim::new();
    configure(&mut sim, A, |c| {
        c.session_timers = SessionTimerMode::Originate;
        c.session_expires = 120;
    });
    answered(&mut sim);
    sim.run(Duration::from_secs(3600));
    let updates = sim.sent_starting(B, "UPDATE ");
    assert!(
        updates.len() >= 59 && updates.len() <= 60,
        "{}",
        updates.len()
    );
    assert!(
        updates[0].ends_with("Content-Length: 0\r\n\r\n"),
        "no SDP: {}",
        updates[0]
    );
    assert_eq!(
        header(&updates[0], "Session-Expires"),
        Some("120;refresher=uac")
    );
    let ok = sim.sent_starting(A, "SIP/2.0 200").last().unwrap().clone();
    assert!(ok.contains("CSeq: ") && ok.contains(" UPDATE"));
    assert_eq!(header(&ok, "Session-Expires"), Some("120;refresher=uac"));
    assert_eq!(header(&ok, "Require"), Some("timer"));
    assert_eq!(sim.sent_starting(B, "INVITE ").len(), 0);
    assert!(sim.take_events(A).is_empty() && sim.take_events(B).is_empty());
}

#[test]
fn missing_refresh_ends_the_call_with_bye_32_seconds_before_expiry() {
    let mut sim = Sim::new();
    configure(&mut sim, A, |c| {
        c.session_timers = SessionTimerMode::Originate
    });
    let (caller, callee) = answered(&mut sim);
    // B answered 100 ms ago (the sim's settle); its 2xx reached A one latency later
    let answered_at = sim.now - Duration::from_millis(100);
    let a_got_2xx = answered_at + sim.latency;
    // B's refresh and, once it times out, B's BYE are lost: A must end the call on its own
    sim.set_drop(|from, text| {
        from == B && (text.starts_with("UPDATE ") || text.starts_with("BYE "))
    });
    sim.run(Duration::from_secs(1800));
    let byes = sim.times_starting(A, "BYE ");
    assert_eq!(
        byes,
        vec![a_got_2xx + Duration::from_secs(1800 - 32)],
        "interval minus min(32 s, interval/3)"
    );
    assert_eq!(
        sim.times_starting(B, "UPDATE ")[0],
        answered_at + Duration::from_secs(900),
        "B tried at half"
    );
    assert_eq!(
        sim.take_events(A),
        vec![UaEvent::CallEnded {
            call: caller,
            reason: EndReason::SessionTimerExpired
        }]
    );
    // the refresher whose UPDATE got no answer (64*T1) gave up with BYE itself
    let b_bye = sim.times_starting(B, "BYE ");
    assert_eq!(
        b_bye[0],
        answered_at + Duration::from_secs(900 + 32),
        "first of its retransmissions"
    );
    assert_eq!(
        sim.take_events(B),
        vec![UaEvent::CallEnded {
            call: callee,
            reason: EndReason::SessionTimerExpired
        }]
    );
}

#[test]
fn short_interval_expires_at_two_thirds() {
    let mut sim = Sim::new();
    configure(&mut sim, A, |c| {
        c.session_timers = SessionTimerMode::Originate;
        c.session_expires = 90;
    });
    let (caller, _) = answered(&mut sim);
    let t0 = sim.now;
    sim.set_drop(|from, text| from == B && text.starts_with("UPDATE "));
    sim.run(Duration::from_secs(120));
    let bye = sim.times_starting(A, "BYE ")[0] - t0;
    // 90 - min(30, 32) = 60 s after the 2xx (which came just before t0)
    assert!(
        bye > Duration::from_secs(59) && bye <= Duration::from_secs(60),
        "{bye:?}"
    );
    assert!(sim.take_events(A).contains(&UaEvent::CallEnded {
        call: caller,
        reason: EndReason::SessionTimerExpired
    }));
}

#[test]
fn a_refresh_from_the_peer_restarts_the_timer() {
    let mut sim = Sim::new();
    configure(&mut sim, A, |c| {
        c.session_timers = SessionTimerMode::Originate;
        c.session_expires = 90;
    });
    // B is the refresher; A must not time out while refreshes come, then must once they stop
    answered(&mut sim);
    sim.run(Duration::from_secs(600));
    assert!(sim.sent_starting(A, "BYE ").is_empty());
    let stop = sim.now;
    sim.set_drop(|from, text| from == B && text.starts_with("UPDATE "));
    sim.run(Duration::from_secs(120));
    let bye = sim.times_starting(A, "BYE ")[0];
    let last_refresh = *sim
        .times_starting(B, "UPDATE ")
        .iter()
        .rfind(|t| **t <= stop)
        .unwrap();
    let d = bye - last_refresh;
    assert!(
        d > Duration::from_secs(59) && d < Duration::from_millis(60_100),
        "{d:?}"
    );
}

#[test]
fn originate_mode_uas_runs_timers_for_a_caller_that_did_not_ask() {
    let mut sim = Sim::new();
    configure(&mut sim, A, |c| c.session_timers = SessionTimerMode::Refuse);
    configure(&mut sim, B, |c| {
        c.session_timers = SessionTimerMode::Originate
    });
    let t0 = sim.now;
    answered(&mut sim);
    let inv = &sim.sent_starting(A, "INVITE ")[0];
    assert_eq!(
        header(inv, "Supported"),
        Some("replaces"),
        "the caller does not do timers"
    );
    let ok = &sim.sent_starting(B, "SIP/2.0 200")[0];
    assert_eq!(header(ok, "Session-Expires"), Some("1800;refresher=uas"));
    assert_eq!(
        header(ok, "Require"),
        None,
        "the caller did not say it supports timers"
    );
    sim.run(Duration::from_secs(1000));
    let t = sim.times_starting(B, "UPDATE ");
    assert_eq!(t.len(), 1);
    assert!(t[0] - t0 > Duration::from_secs(900) && t[0] - t0 < Duration::from_secs(901));
}

#[test]
fn accept_mode_runs_timers_when_the_caller_only_says_supported_timer() {
    // chan_sip's handle_request_invite_st: Supported: timer without Session-Expires still
    // gets session-expires (1800) with the configured refresher (uas)
    let mut sim = Sim::new();
    answered(&mut sim);
    let inv = &sim.sent_starting(A, "INVITE ")[0];
    assert_eq!(header(inv, "Supported"), Some("replaces, timer"));
    assert_eq!(header(inv, "Session-Expires"), None);
    assert_eq!(header(inv, "Min-SE"), None);
    let ok = &sim.sent_starting(B, "SIP/2.0 200")[0];
    assert_eq!(header(ok, "Session-Expires"), Some("1800;refresher=uas"));
    assert_eq!(header(ok, "Require"), Some("timer"));
    sim.run(Duration::from_secs(4 * 3600));
    assert_eq!(
        sim.sent_starting(B, "UPDATE ").len(),
        15,
        "every 900 s for 4 hours"
    );
    assert!(sim.sent_starting(A, "UPDATE ").is_empty() && sim.sent_starting(A, "BYE ").is_empty());
    assert!(sim.take_events(A).is_empty() && sim.take_events(B).is_empty());
}

#[test]
fn accept_mode_sends_min_se_when_it_is_not_the_default() {
    let mut sim = Sim::new();
    configure(&mut sim, A, |c| c.min_se = 120);
    sim.call(A, OFFER);
    let inv = &sim.sent_starting(A, "INVITE ")[0];
    assert_eq!(header(inv, "Session-Expires"), None);
    assert_eq!(header(inv, "Min-SE"), Some("120"));
}

#[test]
fn refuse_mode_ignores_timers() {
    let mut sim = Sim::new();
    configure(&mut sim, A, |c| {
        c.session_timers = SessionTimerMode::Originate
    });
    configure(&mut sim, B, |c| c.session_timers = SessionTimerMode::Refuse);
    answered(&mut sim);
    let ok = &sim.sent_starting(B, "SIP/2.0 200")[0];
    assert_eq!(header(ok, "Session-Expires"), None);
    assert_eq!(header(ok, "Require"), None);
    assert_eq!(header(ok, "Supported"), Some("replaces"));
    sim.run(Duration::from_secs(4 * 3600));
    assert!(
        sim.sent_starting(B, "UPDATE ").is_empty() && sim.sent_starting(B, "INVITE ").is_empty()
    );
    assert!(sim.sent_starting(B, "BYE ").is_empty());
    // the Originate caller got no Session-Expires back: it refreshes itself, B answers plainly
    assert!(!sim.sent_starting(A, "UPDATE ").is_empty());
    assert_eq!(
        header(
            sim.sent_starting(B, "SIP/2.0 200").last().unwrap(),
            "Session-Expires"
        ),
        None
    );
    assert_eq!((sim.ua(A).calls(), sim.ua(B).calls()), (1, 1));
}

#[test]
fn refuse_mode_as_caller_sends_no_timer_headers() {
    let mut sim = Sim::new();
    configure(&mut sim, A, |c| c.session_timers = SessionTimerMode::Refuse);
    sim.call(A, OFFER);
    let inv = &sim.sent_starting(A, "INVITE ")[0];
    assert_eq!(header(inv, "Supported"), Some("replaces"));
    assert_eq!(header(inv, "Session-Expires"), None);
}

#[test]
fn refuse_mode_answers_require_timer_with_420() {
    let mut sim = Sim::new();
    configure(&mut sim, B, |c| c.session_timers = SessionTimerMode::Refuse);
    let mut inv = invite_to(A, B, OFFER);
    inv.extra_headers.push(("Require".into(), "timer".into()));
    inv.extra_headers
        .push(("Session-Expires".into(), "1800".into()));
    let now = sim.now;
    let caller = sim.ua(A).invite(now, inv).unwrap();
    sim.settle();
    let r = &sim.sent_starting(B, "SIP/2.0 420")[0];
    assert!(r.starts_with("SIP/2.0 420 Option Disabled\r\n"));
    assert_eq!(header(r, "Unsupported"), Some("timer"));
    assert!(sim.take_events(B).is_empty());
    assert!(sim
        .take_events(A)
        .iter()
        .any(|e| matches!(e, UaEvent::CallFailed { call, status: 420, .. } if *call == caller)));
}

#[test]
fn unparsable_session_expires_gets_400() {
    let mut sim = Sim::new();
    let mut inv = invite_to(A, B, OFFER);
    inv.extra_headers
        .push(("Session-Expires".into(), "1800;refresher=proxy".into()));
    let now = sim.now;
    sim.ua(A).invite(now, inv).unwrap();
    sim.settle();
    let r = &sim.sent_starting(B, "SIP/2.0 400")[0];
    assert!(
        r.starts_with("SIP/2.0 400 Session-Expires Invalid Syntax\r\n"),
        "{r}"
    );
    assert!(sim.take_events(B).is_empty());
}

#[test]
fn session_expires_below_our_min_se_in_the_2xx_tears_the_call_down() {
    let mut sim = Sim::new();
    configure(&mut sim, A, |c| c.min_se = 1000);
    sim.set_drop(|from, t| from == A && t.starts_with("INVITE "));
    let caller = sim.call(A, OFFER);
    let inv = sim.sent_starting(A, "INVITE ")[0].clone();
    let ok = reply(
        &inv,
        "200 OK",
        "Contact: <sip:bob@192.0.2.2:5060>\r\nSession-Expires: 600;refresher=uac\r\n",
    );
    sim.clear_drop();
    sim.inject(A, ok.as_bytes());
    sim.settle();
    assert_eq!(sim.sent_starting(A, "ACK ").len(), 1);
    assert_eq!(sim.sent_starting(A, "BYE ").len(), 1);
    let ev = sim.take_events(A);
    assert!(
        ev.contains(&UaEvent::CallFailed {
            call: caller,
            status: 422,
            reason: "Session Interval Too Small".into()
        }),
        "{ev:?}"
    );
}
