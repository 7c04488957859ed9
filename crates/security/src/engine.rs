//! The ban engine: bounded tables of tracked sources and of bans.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::event::{Event, Reason, UnbanCause};

/// What to do with a datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Handle it.
    Pass,
    /// Banned source: no answer at all.
    Drop,
}

/// Events held for the caller at most (it drains them after every call).
const MAX_EVENTS: usize = 4096;
/// The longest `autoban_failures` honoured (one timestamp is kept per failure).
pub const MAX_FAILURES: u32 = 1000;

/// What is known of one source that is not banned.
#[derive(Debug)]
struct Tracked {
    /// Insertion number, to match the eviction queue.
    generation: u64,
    /// Times of recent authentication failures, oldest first (at most `failures`).
    failures: VecDeque<Instant>,
    /// The second (since the engine's start) being counted, and its requests so far.
    second: u64,
    in_second: u32,
    /// Whole seconds in a row, ending with the previous one, over the rate.
    streak: u32,
}

/// One ban, active (until in the future) or remembered for doubling.
#[derive(Clone, Debug)]
struct Ban {
    reason: Reason,
    count: u32,
    since: Instant,
    until: Instant,
    /// How many bans this source has had (1 = first).
    offences: u32,
    /// Set once the lifting has been reported.
    lifted: bool,
}

/// One row of `security show bans`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BanRow {
    pub remote: IpAddr,
    pub reason: Reason,
    pub count: u32,
    /// Time left.
    pub remaining: Duration,
    pub duration: Duration,
    pub offences: u32,
}

pub struct Engine {
    config: Config,
    /// The engine's time zero (rate seconds count from it).
    epoch: Instant,
    tracked: HashMap<IpAddr, Tracked>,
    /// Sources in the order they started being tracked (with their generation): the front
    /// is forgotten first when the table is full.
    order: VecDeque<(IpAddr, u64)>,
    next_generation: u64,
    bans: HashMap<IpAddr, Ban>,
    /// The earliest time an active ban ends (cached; recomputed when bans change).
    next_expiry: Option<Instant>,
    events: VecDeque<Event>,
    /// Events lost because the caller did not drain them.
    pub dropped_events: u64,
}

impl Engine {
    pub fn new(mut config: Config, now: Instant) -> Self {
        config.failures = config.failures.clamp(1, MAX_FAILURES);
        config.rate_seconds = config.rate_seconds.max(1);
        config.max_sources = config.max_sources.max(1);
        config.max_bans = config.max_bans.max(1);
        Engine {
            config,
            epoch: now,
            tracked: HashMap::new(),
            order: VecDeque::new(),
            next_generation: 0,
            bans: HashMap::new(),
            next_expiry: None,
            events: VecDeque::new(),
            dropped_events: 0,
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// A datagram arrived from `ip`: drop it if the source is banned, else count it
    /// towards the rate limit (which may ban it, and drop this one).
    pub fn on_request(&mut self, now: Instant, ip: IpAddr) -> Verdict {
        if self.is_banned(now, ip) {
            return Verdict::Drop;
        }
        let rate = self.config.rate;
        if rate == 0 || self.config.exempt.contains(ip) || self.config.rate_exempt.contains(&ip) {
            return Verdict::Pass;
        }
        let second = now.saturating_duration_since(self.epoch).as_secs();
        let need = self.config.rate_seconds - 1;
        let autoban = self.config.autoban;
        let t = self.track(ip, second);
        if t.second != second {
            // A new second: the one that ended extends the streak if it was over the rate
            // and directly precedes this one.
            t.streak = if t.in_second > rate && second == t.second + 1 {
                t.streak + 1
            } else {
                0
            };
            t.second = second;
            t.in_second = 0;
        }
        t.in_second = t.in_second.saturating_add(1);
        if t.in_second > rate && t.streak >= need && autoban {
            let count = t.in_second;
            self.ban(now, ip, Reason::Rate, count);
            return Verdict::Drop;
        }
        Verdict::Pass
    }

    /// Whether `ip` is banned at `now` (no counting).
    pub fn is_banned(&self, now: Instant, ip: IpAddr) -> bool {
        self.bans.get(&ip).is_some_and(|b| b.until > now)
    }

    /// A request of a well-known scanner (`agent` names what gave it away): reported, and
    /// its source banned at once (unless exempt or autoban is off).
    pub fn on_scanner(&mut self, now: Instant, ip: IpAddr, agent: &str) {
        self.emit(Event::Scanner {
            remote: ip,
            agent: agent.to_owned(),
        });
        if self.config.autoban && !self.config.exempt.contains(ip) && !self.is_banned(now, ip) {
            self.ban(now, ip, Reason::Scanner, 1);
        }
    }

    /// A request from `ip` failed authentication (bad digest, or an unknown user). Bans
    /// the source when this makes `autoban_failures` within `autoban_window`; returns
    /// whether it did.
    pub fn on_auth_failure(&mut self, now: Instant, ip: IpAddr, method: &str, user: &str) -> bool {
        let second = now.saturating_duration_since(self.epoch).as_secs();
        let (window, limit) = (self.config.window, self.config.failures);
        let t = self.track(ip, second);
        while t
            .failures
            .front()
            .is_some_and(|f| now.saturating_duration_since(*f) >= window)
        {
            t.failures.pop_front();
        }
        if t.failures.len() >= limit as usize {
            t.failures.pop_front();
        }
        t.failures.push_back(now);
        let count = t.failures.len() as u32;
        self.emit(Event::AuthFailure {
            remote: ip,
            method: method.to_owned(),
            user: user.to_owned(),
            count,
        });
        if count >= limit
            && self.config.autoban
            && !self.config.exempt.contains(ip)
            && !self.is_banned(now, ip)
        {
            self.ban(now, ip, Reason::AuthFailures, count);
            return true;
        }
        false
    }

    /// `security unban ADDR`: lift the ban and forget the source's history. Returns
    /// whether it was banned.
    pub fn unban(&mut self, now: Instant, ip: IpAddr) -> bool {
        let was = self.is_banned(now, ip);
        self.bans.remove(&ip);
        self.tracked.remove(&ip);
        if was {
            self.emit(Event::Unban {
                remote: ip,
                cause: UnbanCause::Admin,
            });
            self.recompute_expiry(now);
        }
        was
    }

    /// When [`Engine::handle_timeout`] next has something to do (a ban ends).
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.next_expiry
    }

    /// Report bans that ended by `now`; forget old history.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.next_expiry.is_none_or(|t| t > now) {
            return;
        }
        let mut ended: Vec<IpAddr> = Vec::new();
        let history = self.config.history;
        self.bans.retain(|ip, b| {
            if b.until <= now && !b.lifted {
                b.lifted = true;
                ended.push(*ip);
            }
            now.saturating_duration_since(b.until) < history
        });
        ended.sort();
        for ip in ended {
            self.emit(Event::Unban {
                remote: ip,
                cause: UnbanCause::Expired,
            });
        }
        self.recompute_expiry(now);
    }

    /// The active bans, longest remaining first.
    pub fn bans(&self, now: Instant) -> Vec<BanRow> {
        let mut rows: Vec<BanRow> = self
            .bans
            .iter()
            .filter(|(_, b)| b.until > now)
            .map(|(ip, b)| BanRow {
                remote: *ip,
                reason: b.reason,
                count: b.count,
                remaining: b.until.saturating_duration_since(now),
                duration: b.until.saturating_duration_since(b.since),
                offences: b.offences,
            })
            .collect();
        rows.sort_by(|a, b| b.remaining.cmp(&a.remaining).then(a.remote.cmp(&b.remote)));
        rows
    }

    /// Sources tracked now (for tests and `security show bans`' footer).
    pub fn tracked_sources(&self) -> usize {
        self.tracked.len()
    }

    /// The next event to report.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    fn emit(&mut self, e: Event) {
        if self.events.len() >= MAX_EVENTS {
            self.dropped_events += 1;
            return;
        }
        self.events.push_back(e);
    }

    /// The source's entry, created (forgetting the oldest when full) if new.
    fn track(&mut self, ip: IpAddr, second: u64) -> &mut Tracked {
        if !self.tracked.contains_key(&ip) {
            while self.tracked.len() >= self.config.max_sources {
                let Some((old, generation)) = self.order.pop_front() else {
                    break;
                };
                if self
                    .tracked
                    .get(&old)
                    .is_some_and(|t| t.generation == generation)
                {
                    self.tracked.remove(&old);
                }
            }
            let generation = self.next_generation;
            self.next_generation += 1;
            self.order.push_back((ip, generation));
            // Entries removed by unban leave stale queue items: keep the queue bounded.
            if self.order.len() > self.config.max_sources.saturating_mul(2) {
                let tracked = &self.tracked;
                self.order.retain(|(a, g)| {
                    tracked.get(a).is_some_and(|t| t.generation == *g) || *g == generation
                });
            }
        }
        let generation = self.next_generation.saturating_sub(1);
        self.tracked.entry(ip).or_insert_with(|| Tracked {
            generation,
            failures: VecDeque::new(),
            second,
            in_second: 0,
            streak: 0,
        })
    }

    fn ban(&mut self, now: Instant, ip: IpAddr, reason: Reason, count: u32) {
        // Repeat offenders: twice the previous ban, as long as the history remembers it.
        let offences = self
            .bans
            .get(&ip)
            .map_or(1, |b| b.offences.saturating_add(1));
        let shift = (offences - 1).min(20);
        let duration = self
            .config
            .ban_time
            .checked_mul(1u32 << shift)
            .unwrap_or(self.config.max_ban_time)
            .min(self.config.max_ban_time);
        if !self.bans.contains_key(&ip) && self.bans.len() >= self.config.max_bans {
            // Full: forget the ban (or history) that ends first.
            if let Some(victim) = self
                .bans
                .iter()
                .min_by_key(|(_, b)| b.until)
                .map(|(a, _)| *a)
            {
                self.bans.remove(&victim);
            }
        }
        let until = now + duration;
        self.bans.insert(
            ip,
            Ban {
                reason,
                count,
                since: now,
                until,
                offences,
                lifted: false,
            },
        );
        self.tracked.remove(&ip);
        self.next_expiry = Some(self.next_expiry.map_or(until, |t| t.min(until)));
        self.emit(Event::Ban {
            remote: ip,
            reason,
            count,
            duration,
            offence: offences,
        });
    }

    fn recompute_expiry(&mut self, now: Instant) {
        self.next_expiry = self
            .bans
            .values()
            .filter(|b| !b.lifted)
            .map(|b| b.until)
            .min()
            .map(|t| t.max(now));
    }
}
