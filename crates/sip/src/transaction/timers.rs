//! Transaction timers (RFC 3261 sec. 17, table 4; RFC 6026 L and M): a named enum and a small
//! fixed table of deadlines per transaction. The next wake-up is the minimum of the table.
//!
//! | timer | machine            | value (unreliable)   | reliable (TCP) |
//! |-------|--------------------|----------------------|----------------|
//! | A     | client INVITE      | T1, doubling         | off            |
//! | B     | client INVITE      | 64*T1                | 64*T1          |
//! | D     | client INVITE      | 32 s                 | 0              |
//! | E     | client non-INVITE  | T1, doubling to T2   | off            |
//! | F     | client non-INVITE  | 64*T1                | 64*T1          |
//! | G     | server INVITE      | T1, doubling to T2   | off            |
//! | H     | server INVITE      | 64*T1                | 64*T1          |
//! | I     | server INVITE      | T4                   | 0              |
//! | J     | server non-INVITE  | 64*T1                | 0              |
//! | K     | client non-INVITE  | T4                   | 0              |
//! | L     | server INVITE      | 64*T1 (RFC 6026)     | 64*T1          |
//! | M     | client INVITE      | 64*T1 (RFC 6026)     | 64*T1          |
//! | Trying| server INVITE      | 200 ms (only with [`super::TryingPolicy::After200ms`]) |

use std::time::{Duration, Instant};

/// A transaction timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timer {
    A,
    B,
    D,
    E,
    F,
    G,
    H,
    I,
    J,
    K,
    /// RFC 6026: server INVITE leaves Accepted.
    L,
    /// RFC 6026: client INVITE leaves Accepted.
    M,
    /// Send `100 Trying` when the TU has not answered an INVITE within 200 ms.
    Trying,
}

const COUNT: usize = 13;

impl Timer {
    /// Every timer, in table order (also the order in which timers due at the same instant fire).
    pub const ALL: [Timer; COUNT] = [
        Timer::A,
        Timer::B,
        Timer::D,
        Timer::E,
        Timer::F,
        Timer::G,
        Timer::H,
        Timer::I,
        Timer::J,
        Timer::K,
        Timer::L,
        Timer::M,
        Timer::Trying,
    ];

    fn index(self) -> usize {
        self as usize
    }
}

/// The deadline table of one transaction.
#[derive(Debug, Clone, Default)]
pub struct Timers {
    at: [Option<Instant>; COUNT],
}

impl Timers {
    pub fn new() -> Timers {
        Timers::default()
    }

    /// Arms `t` to fire at `at` (replacing an earlier deadline).
    pub fn set(&mut self, t: Timer, at: Instant) {
        if let Some(slot) = self.at.get_mut(t.index()) {
            *slot = Some(at);
        }
    }

    pub fn clear(&mut self, t: Timer) {
        if let Some(slot) = self.at.get_mut(t.index()) {
            *slot = None;
        }
    }

    pub fn clear_all(&mut self) {
        self.at = [None; COUNT];
    }

    pub fn get(&self, t: Timer) -> Option<Instant> {
        self.at.get(t.index()).copied().flatten()
    }

    /// The earliest armed deadline.
    pub fn next(&self) -> Option<Instant> {
        self.at.iter().flatten().min().copied()
    }

    /// Disarms and returns the earliest timer due at or before `now` (ties in table order),
    /// with the deadline it had.
    pub fn pop_expired(&mut self, now: Instant) -> Option<(Timer, Instant)> {
        let mut best: Option<(Instant, Timer)> = None;
        for t in Timer::ALL {
            if let Some(at) = self.get(t) {
                if at <= now && best.is_none_or(|(b, _)| at < b) {
                    best = Some((at, t));
                }
            }
        }
        let (at, t) = best?;
        self.clear(t);
        Some((t, at))
    }
}

/// Timer base values (RFC 3261 sec. 17.1.1.1 and table 4). Defaults: T1 500 ms, T2 4 s,
/// T4 5 s, D 32 s, 100 Trying delay 200 ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimerConfig {
    pub t1: Duration,
    pub t2: Duration,
    pub t4: Duration,
    /// Timer D on unreliable transports ("at least 32 seconds").
    pub d: Duration,
    /// Delay before the transaction sends `100 Trying` itself with
    /// [`super::TryingPolicy::After200ms`].
    pub trying: Duration,
}

impl Default for TimerConfig {
    fn default() -> Self {
        TimerConfig {
            t1: Duration::from_millis(500),
            t2: Duration::from_secs(4),
            t4: Duration::from_secs(5),
            d: Duration::from_secs(32),
            trying: Duration::from_millis(200),
        }
    }
}

impl TimerConfig {
    /// 64*T1: timers B, F, H, L, M, and J on unreliable transports.
    pub fn t1x64(&self) -> Duration {
        self.t1.saturating_mul(64)
    }

    /// The next retransmission interval after `current`: doubled, capped at T2 when `cap`.
    pub fn double(&self, current: Duration, cap: bool) -> Duration {
        let next = current.saturating_mul(2);
        if cap {
            next.min(self.t2)
        } else {
            next
        }
    }

    /// The deadline of a retransmission timer that was due at `fired` and now waits
    /// `interval`: kept on its schedule, unless the driver woke so late that it would be due
    /// again at once (no bursts after a stall).
    pub fn rearm(fired: Instant, interval: Duration, now: Instant) -> Instant {
        let next = fired + interval;
        if next <= now {
            now + interval
        } else {
            next
        }
    }

    /// A wait timer: its unreliable value, zero on a reliable transport.
    pub fn wait(&self, unreliable: Duration, reliable: bool) -> Duration {
        if reliable {
            Duration::ZERO
        } else {
            unreliable
        }
    }
}
