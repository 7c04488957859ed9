//! The ban engine on a fake clock: failures, rates, doubling, exemptions, the bounded table.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use tandem_security::{Config, Engine, Event, Exempt, Reason, UnbanCause, Verdict};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn events(e: &mut Engine) -> Vec<Event> {
    std::iter::from_fn(|| e.poll_event()).collect()
}

fn bans_of(events: &[Event]) -> Vec<(IpAddr, Reason, u64)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Ban {
                remote,
                reason,
                duration,
                ..
            } => Some((*remote, *reason, duration.as_secs())),
            _ => None,
        })
        .collect()
}

#[test]
fn five_failures_within_the_window_ban_for_600_seconds() {
    let t0 = Instant::now();
    let mut e = Engine::new(Config::default(), t0);
    let a = ip("192.0.2.1");
    for n in 0..4 {
        assert!(!e.on_auth_failure(t0 + secs(n * 10), a, "REGISTER", "100"));
    }
    assert_eq!(e.on_request(t0 + secs(45), a), Verdict::Pass);
    assert!(e.on_auth_failure(t0 + secs(50), a, "INVITE", "100"));
    let ev = events(&mut e);
    assert_eq!(ev.len(), 6);
    assert_eq!(
        ev[4].to_string(),
        "SECURITY[auth_failure] remote=192.0.2.1 method=INVITE user=100 count=5"
    );
    assert_eq!(
        ev[5].to_string(),
        "SECURITY[ban] remote=192.0.2.1 reason=auth_failures count=5 duration=600s offence=1"
    );
    assert_eq!(e.on_request(t0 + secs(51), a), Verdict::Drop);
    assert_eq!(e.on_request(t0 + secs(50 + 599), a), Verdict::Drop);
    assert_eq!(e.on_request(t0 + secs(50 + 600), a), Verdict::Pass);
    // Others are untouched.
    assert_eq!(e.on_request(t0 + secs(51), ip("192.0.2.2")), Verdict::Pass);
}

#[test]
fn failures_older_than_the_window_do_not_count() {
    let t0 = Instant::now();
    let mut e = Engine::new(Config::default(), t0);
    let a = ip("192.0.2.1");
    // One failure every 15 s: never 5 within 60 s.
    for n in 0..20 {
        assert!(!e.on_auth_failure(t0 + secs(n * 15), a, "REGISTER", "100"));
    }
    assert!(bans_of(&events(&mut e)).is_empty());
    assert_eq!(e.on_request(t0 + secs(301), a), Verdict::Pass);
}

#[test]
fn repeat_offenders_get_twice_the_previous_ban() {
    let t0 = Instant::now();
    let mut e = Engine::new(Config::default(), t0);
    let a = ip("198.51.100.7");
    let mut t = t0;
    let mut durations = Vec::new();
    for _ in 0..3 {
        for _ in 0..5 {
            e.on_auth_failure(t, a, "REGISTER", "1");
        }
        let ev = events(&mut e);
        let bans = bans_of(&ev);
        durations.push(bans[0].2);
        t += secs(bans[0].2);
        e.handle_timeout(t);
        assert_eq!(
            events(&mut e),
            vec![Event::Unban {
                remote: a,
                cause: UnbanCause::Expired
            }]
        );
    }
    assert_eq!(durations, vec![600, 1200, 2400]);
}

#[test]
fn doubling_stops_at_the_longest_ban() {
    let t0 = Instant::now();
    let cfg = Config {
        max_ban_time: secs(2000),
        ..Config::default()
    };
    let mut e = Engine::new(cfg, t0);
    let a = ip("198.51.100.7");
    let mut t = t0;
    let mut last = 0;
    for _ in 0..30 {
        e.on_scanner(t, a, "friendly-scanner");
        last = bans_of(&events(&mut e))[0].2;
        t += secs(last);
        e.handle_timeout(t);
    }
    assert_eq!(last, 2000);
}

#[test]
fn a_sustained_rate_bans_after_five_seconds_but_a_burst_does_not() {
    let t0 = Instant::now();
    let cfg = Config {
        rate: 100,
        ..Config::default()
    };
    let mut e = Engine::new(cfg, t0);
    let flood = ip("203.0.113.3");
    let burst = ip("203.0.113.4");
    // 4 seconds over the rate, then a quiet second, then 4 more: no ban.
    for s in [0, 1, 2, 3, 5, 6, 7, 8] {
        for i in 0..150 {
            let t = t0 + secs(s) + Duration::from_millis(i * 6);
            assert_eq!(e.on_request(t, burst), Verdict::Pass);
        }
    }
    // Five seconds in a row over: banned in the fifth, at its 101st request.
    let mut dropped_at = None;
    'outer: for s in 10..16 {
        for i in 0..150u64 {
            let t = t0 + secs(s) + Duration::from_millis(i * 6);
            if e.on_request(t, flood) == Verdict::Drop {
                dropped_at = Some((s, i));
                break 'outer;
            }
        }
    }
    assert_eq!(dropped_at, Some((14, 100)));
    let ev = events(&mut e);
    assert_eq!(bans_of(&ev), vec![(flood, Reason::Rate, 600)]);
    assert!(
        ev[0].to_string().contains("reason=rate count=101"),
        "{}",
        ev[0]
    );
    assert_eq!(e.on_request(t0 + secs(20), burst), Verdict::Pass);
}

#[test]
fn static_peers_are_never_banned_for_rate_but_are_for_failures() {
    let t0 = Instant::now();
    let trunk = ip("192.0.2.50");
    let mut cfg = Config {
        rate: 10,
        ..Config::default()
    };
    cfg.rate_exempt.insert(trunk);
    let mut e = Engine::new(cfg, t0);
    for s in 0..20 {
        for i in 0..50 {
            assert_eq!(
                e.on_request(t0 + secs(s) + Duration::from_millis(i * 10), trunk),
                Verdict::Pass
            );
        }
    }
    for _ in 0..5 {
        e.on_auth_failure(t0 + secs(21), trunk, "INVITE", "trunk");
    }
    assert_eq!(e.on_request(t0 + secs(22), trunk), Verdict::Drop);
}

#[test]
fn exempt_addresses_are_never_banned() {
    let t0 = Instant::now();
    let mut exempt = Exempt::default();
    exempt.append("10.0.0.0/8, !10.9.9.9").unwrap();
    exempt.append("2001:db8::/32").unwrap();
    let mut e = Engine::new(
        Config {
            exempt,
            rate: 10,
            ..Config::default()
        },
        t0,
    );
    for who in ["10.1.2.3", "2001:db8::1"] {
        let a = ip(who);
        for _ in 0..10 {
            e.on_auth_failure(t0, a, "REGISTER", "x");
        }
        e.on_scanner(t0, a, "sipcli");
        for i in 0..500 {
            assert_eq!(
                e.on_request(t0 + Duration::from_millis(i * 20), a),
                Verdict::Pass
            );
        }
    }
    // The inverted entry is not exempt.
    for _ in 0..5 {
        e.on_auth_failure(t0, ip("10.9.9.9"), "REGISTER", "x");
    }
    assert!(e.is_banned(t0, ip("10.9.9.9")));
    assert_eq!(e.bans(t0).len(), 1);
}

#[test]
fn a_bad_exempt_entry_is_an_error() {
    let mut exempt = Exempt::default();
    assert!(exempt.append("10.0.0.0/33").is_err());
    assert!(exempt.append("not-an-address").is_err());
}

#[test]
fn autoban_off_reports_but_never_bans() {
    let t0 = Instant::now();
    let mut e = Engine::new(
        Config {
            autoban: false,
            rate: 1,
            ..Config::default()
        },
        t0,
    );
    let a = ip("192.0.2.1");
    for n in 0..10 {
        e.on_auth_failure(t0 + secs(n), a, "REGISTER", "1");
        e.on_request(t0 + secs(n), a);
        e.on_request(t0 + secs(n), a);
    }
    e.on_scanner(t0, a, "friendly-scanner");
    let ev = events(&mut e);
    assert_eq!(
        ev.iter()
            .filter(|e| matches!(e, Event::AuthFailure { .. }))
            .count(),
        10
    );
    assert!(ev.iter().any(|e| matches!(e, Event::Scanner { .. })));
    assert!(bans_of(&ev).is_empty());
    assert_eq!(e.on_request(t0 + secs(11), a), Verdict::Pass);
}

#[test]
fn a_scanner_is_banned_at_once_and_shown() {
    let t0 = Instant::now();
    let mut e = Engine::new(Config::default(), t0);
    let a = ip("127.0.0.1");
    e.on_scanner(t0, a, "friendly-scanner");
    let ev = events(&mut e);
    assert_eq!(
        ev[0].to_string(),
        "SECURITY[scanner] remote=127.0.0.1 agent=friendly-scanner"
    );
    assert_eq!(bans_of(&ev), vec![(a, Reason::Scanner, 600)]);
    let rows = e.bans(t0 + secs(100));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].remote, a);
    assert_eq!(rows[0].remaining, secs(500));
}

#[test]
fn unban_lifts_the_ban_and_forgets_the_history() {
    let t0 = Instant::now();
    let mut e = Engine::new(Config::default(), t0);
    let a = ip("192.0.2.1");
    e.on_scanner(t0, a, "sipcli");
    events(&mut e);
    assert!(e.unban(t0 + secs(1), a));
    assert_eq!(
        events(&mut e),
        vec![Event::Unban {
            remote: a,
            cause: UnbanCause::Admin
        }]
    );
    assert_eq!(e.on_request(t0 + secs(2), a), Verdict::Pass);
    assert!(!e.unban(t0 + secs(2), a), "not banned any more");
    // The next ban is a first offence again.
    e.on_scanner(t0 + secs(3), a, "sipcli");
    assert_eq!(bans_of(&events(&mut e))[0].2, 600);
    assert_eq!(e.poll_timeout(), Some(t0 + secs(603)));
}

#[test]
fn the_timeout_is_the_earliest_end_of_a_ban() {
    let t0 = Instant::now();
    let mut e = Engine::new(Config::default(), t0);
    assert_eq!(e.poll_timeout(), None);
    e.on_scanner(t0 + secs(10), ip("192.0.2.1"), "x");
    e.on_scanner(t0, ip("192.0.2.2"), "x");
    assert_eq!(e.poll_timeout(), Some(t0 + secs(600)));
    events(&mut e);
    e.handle_timeout(t0 + secs(600));
    assert_eq!(
        events(&mut e),
        vec![Event::Unban {
            remote: ip("192.0.2.2"),
            cause: UnbanCause::Expired
        }]
    );
    assert_eq!(e.poll_timeout(), Some(t0 + secs(610)));
    e.handle_timeout(t0 + secs(610));
    assert_eq!(e.poll_timeout(), None);
}

#[test]
fn a_spoofed_source_flood_keeps_the_table_bounded() {
    let t0 = Instant::now();
    let cfg = Config {
        max_sources: 1000,
        max_bans: 100,
        rate: 1,
        rate_seconds: 1,
        ..Config::default()
    };
    let mut e = Engine::new(cfg, t0);
    for i in 0..100_000u32 {
        let a = IpAddr::from((0x0a00_0000u32 + i).to_be_bytes());
        e.on_request(t0, a);
        e.on_auth_failure(t0, a, "REGISTER", "x");
        assert!(e.tracked_sources() <= 1000);
    }
    // Two requests in one second from a new source ban it even now (rate 1, 1 s).
    let late = ip("192.0.2.99");
    e.on_request(t0, late);
    assert_eq!(e.on_request(t0, late), Verdict::Drop);
    assert!(e.bans(t0).len() <= 100);
    assert!(e.bans(t0).iter().any(|r| r.remote == late));
    while e.poll_event().is_some() {}
}
