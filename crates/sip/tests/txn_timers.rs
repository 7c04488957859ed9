//! The per-transaction deadline table and the timer arithmetic.

use std::time::{Duration, Instant};

use tandem_sip::transaction::{Timer, TimerConfig, Timers};

#[test]
fn next_wake_up_is_the_minimum_and_expired_timers_pop_in_time_order() {
    let t0 = Instant::now();
    let mut t = Timers::new();
    assert_eq!(t.next(), None);
    t.set(Timer::B, t0 + Duration::from_secs(32));
    t.set(Timer::A, t0 + Duration::from_millis(500));
    assert_eq!(t.next(), Some(t0 + Duration::from_millis(500)));
    assert_eq!(t.pop_expired(t0), None);
    let late = t0 + Duration::from_secs(40);
    assert_eq!(
        t.pop_expired(late),
        Some((Timer::A, t0 + Duration::from_millis(500)))
    );
    assert_eq!(
        t.pop_expired(late),
        Some((Timer::B, t0 + Duration::from_secs(32)))
    );
    assert_eq!(t.pop_expired(late), None);
    assert_eq!(t.next(), None);
}

#[test]
fn doubling_caps_at_t2_only_when_asked_and_64_t1_is_32s() {
    let c = TimerConfig::default();
    assert_eq!(
        c.double(Duration::from_secs(2), true),
        Duration::from_secs(4)
    );
    assert_eq!(
        c.double(Duration::from_secs(4), true),
        Duration::from_secs(4)
    );
    assert_eq!(
        c.double(Duration::from_secs(4), false),
        Duration::from_secs(8)
    );
    assert_eq!(c.t1x64(), Duration::from_secs(32));
    assert_eq!(c.wait(c.t4, true), Duration::ZERO);
    assert_eq!(c.wait(c.t4, false), Duration::from_secs(5));
}

#[test]
fn a_late_wake_up_does_not_cause_a_burst_of_resends() {
    let t0 = Instant::now();
    let i = Duration::from_secs(1);
    assert_eq!(
        TimerConfig::rearm(t0, i, t0 + Duration::from_millis(10)),
        t0 + i,
        "on schedule"
    );
    assert_eq!(
        TimerConfig::rearm(t0, i, t0 + Duration::from_secs(5)),
        t0 + Duration::from_secs(6)
    );
}

#[test]
fn a_custom_t1_scales_every_timer() {
    let c = TimerConfig {
        t1: Duration::from_millis(250),
        ..TimerConfig::default()
    };
    assert_eq!(c.t1x64(), Duration::from_secs(16));
}
