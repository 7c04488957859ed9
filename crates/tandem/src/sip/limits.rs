//! Toll-fraud guard on outbound SIP calls (tandem's own sip.conf options, chan_sip has none):
//! `maxoutbound` (concurrent outbound calls) and `maxcallsperminute` (outbound calls started
//! in the last 60 s), in `[general]` for all outbound calls together and per peer for the
//! calls to that peer (a trunk). A Dial over a limit fails at once with cause 34
//! (no channel: DIALSTATUS=CHANUNAVAIL) and logs one line:
//!
//! `SECURITY[limit] peer=NAME kind=concurrent|rate limit=N` (`peer=*` for the global limits).
//!
//! Concurrent calls are counted as outbound legs come and go (`LegTable`); starts are kept per
//! minute, at most `limit` timestamps per scope, so memory stays bounded.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use tandem_conf::views::SipConf;

const WINDOW: Duration = Duration::from_secs(60);

/// Which limit refused a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The peer, or `*` for the global limits.
    pub scope: String,
    pub kind: &'static str,
    pub limit: u32,
}

impl Refusal {
    /// The alert line.
    pub fn line(&self) -> String {
        format!(
            "SECURITY[limit] peer={} kind={} limit={}",
            self.scope, self.kind, self.limit
        )
    }
}

/// The limits of one scope (0 = none).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    pub concurrent: u32,
    pub per_minute: u32,
}

/// Outbound calls in progress and recent starts, globally and per peer (lower-cased names).
#[derive(Debug, Default)]
pub struct OutboundGate {
    active: HashMap<String, usize>,
    total: usize,
    starts: HashMap<String, VecDeque<Instant>>,
    all_starts: VecDeque<Instant>,
}

fn prune(q: &mut VecDeque<Instant>, now: Instant) {
    while q
        .front()
        .is_some_and(|t| now.saturating_duration_since(*t) >= WINDOW)
    {
        q.pop_front();
    }
}

impl OutboundGate {
    /// May an outbound call to `peer` (None: a host literal) start now? When it may, its start
    /// is counted for the per-minute limits.
    pub fn admit(
        &mut self,
        now: Instant,
        peer: Option<&str>,
        global: Limits,
        per_peer: Limits,
    ) -> Result<(), Refusal> {
        let refuse = |scope: &str, kind, limit| {
            Err(Refusal {
                scope: scope.to_string(),
                kind,
                limit,
            })
        };
        if global.concurrent > 0 && self.total >= global.concurrent as usize {
            return refuse("*", "concurrent", global.concurrent);
        }
        prune(&mut self.all_starts, now);
        if global.per_minute > 0 && self.all_starts.len() >= global.per_minute as usize {
            return refuse("*", "rate", global.per_minute);
        }
        let key = peer.map(str::to_ascii_lowercase);
        if let (Some(name), Some(k)) = (peer, key.as_ref()) {
            let active = self.active.get(k).copied().unwrap_or(0);
            if per_peer.concurrent > 0 && active >= per_peer.concurrent as usize {
                return refuse(name, "concurrent", per_peer.concurrent);
            }
            if per_peer.per_minute > 0 {
                let q = self.starts.entry(k.clone()).or_default();
                prune(q, now);
                if q.len() >= per_peer.per_minute as usize {
                    return refuse(name, "rate", per_peer.per_minute);
                }
                q.push_back(now);
            }
        }
        if global.per_minute > 0 {
            self.all_starts.push_back(now);
        }
        Ok(())
    }

    /// An outbound leg to `peer` ("" for a host literal) exists.
    pub fn started(&mut self, peer: &str) {
        self.total += 1;
        if !peer.is_empty() {
            *self.active.entry(peer.to_ascii_lowercase()).or_default() += 1;
        }
    }

    /// An outbound leg to `peer` is gone.
    pub fn ended(&mut self, peer: &str) {
        self.total = self.total.saturating_sub(1);
        let k = peer.to_ascii_lowercase();
        if let Some(n) = self.active.get_mut(&k) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.active.remove(&k);
            }
        }
    }
}

/// The process' gate (one SIP endpoint per process; it outlives `sip reload`).
static GATE: Mutex<Option<OutboundGate>> = Mutex::new(None);

fn with_gate<T>(f: impl FnOnce(&mut OutboundGate) -> T) -> T {
    let mut g = GATE.lock().unwrap_or_else(PoisonError::into_inner);
    f(g.get_or_insert_with(OutboundGate::default))
}

/// The Dial side: refuse (cause 34, with the alert line) or count the start.
pub fn admit_outbound(conf: &SipConf, peer: Option<&str>) -> Result<(), u16> {
    let global = Limits {
        concurrent: conf.general.maxoutbound,
        per_minute: conf.general.maxcallsperminute,
    };
    let per_peer = peer
        .and_then(|p| conf.peer(p))
        .map_or(Limits::default(), |p| Limits {
            concurrent: p.maxoutbound,
            per_minute: p.maxcallsperminute,
        });
    if global == Limits::default() && per_peer == Limits::default() {
        return Ok(());
    }
    with_gate(|g| g.admit(Instant::now(), peer, global, per_peer)).map_err(|r| {
        tracing::warn!("{}", r.line());
        tandem_core::cause::NORMAL_CIRCUIT_CONGESTION
    })
}

/// The leg table's side: an outbound leg was added / removed.
pub fn leg_started(peer: &str) {
    with_gate(|g| g.started(peer));
}

pub fn leg_ended(peer: &str) {
    with_gate(|g| g.ended(peer));
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: Limits = Limits {
        concurrent: 0,
        per_minute: 0,
    };

    #[test]
    fn per_peer_concurrent_limit_counts_live_legs_only() {
        let mut g = OutboundGate::default();
        let t = Instant::now();
        let two = Limits {
            concurrent: 2,
            per_minute: 0,
        };
        assert!(g.admit(t, Some("trunk"), NONE, two).is_ok());
        g.started("trunk");
        assert!(g.admit(t, Some("Trunk"), NONE, two).is_ok());
        g.started("Trunk");
        let r = g.admit(t, Some("trunk"), NONE, two).unwrap_err();
        assert_eq!(
            r.line(),
            "SECURITY[limit] peer=trunk kind=concurrent limit=2"
        );
        // Another peer is not affected; a hang-up frees a line.
        assert!(g.admit(t, Some("other"), NONE, two).is_ok());
        g.ended("trunk");
        assert!(g.admit(t, Some("trunk"), NONE, two).is_ok());
    }

    #[test]
    fn global_concurrent_limit_counts_every_outbound_leg() {
        let mut g = OutboundGate::default();
        let t = Instant::now();
        let one = Limits {
            concurrent: 1,
            per_minute: 0,
        };
        g.started("");
        let r = g.admit(t, Some("trunk"), one, NONE).unwrap_err();
        assert_eq!(r.line(), "SECURITY[limit] peer=* kind=concurrent limit=1");
        g.ended("");
        assert!(g.admit(t, None, one, NONE).is_ok());
    }

    #[test]
    fn calls_per_minute_slide_over_sixty_seconds() {
        let mut g = OutboundGate::default();
        let t = Instant::now();
        let rate = Limits {
            concurrent: 0,
            per_minute: 3,
        };
        for i in 0..3 {
            assert!(g
                .admit(t + Duration::from_secs(i * 10), Some("trunk"), NONE, rate)
                .is_ok());
        }
        let r = g
            .admit(t + Duration::from_secs(59), Some("trunk"), NONE, rate)
            .unwrap_err();
        assert_eq!(r.line(), "SECURITY[limit] peer=trunk kind=rate limit=3");
        // A refused call is not counted: at 60 s the first start has left the window.
        assert!(g
            .admit(t + Duration::from_secs(60), Some("trunk"), NONE, rate)
            .is_ok());
        // The global rate counts calls to every peer.
        let mut g = OutboundGate::default();
        assert!(g.admit(t, Some("a"), rate, NONE).is_ok());
        assert!(g.admit(t, Some("b"), rate, NONE).is_ok());
        assert!(g.admit(t, None, rate, NONE).is_ok());
        let r = g.admit(t, Some("c"), rate, NONE).unwrap_err();
        assert_eq!((r.scope.as_str(), r.kind), ("*", "rate"));
    }

    #[test]
    fn a_peer_refused_by_its_rate_does_not_use_up_the_global_rate() {
        let mut g = OutboundGate::default();
        let t = Instant::now();
        let one = Limits {
            concurrent: 0,
            per_minute: 1,
        };
        let two = Limits {
            concurrent: 0,
            per_minute: 2,
        };
        assert!(g.admit(t, Some("a"), two, one).is_ok());
        assert!(g.admit(t, Some("a"), two, one).is_err());
        assert!(g.admit(t, Some("b"), two, one).is_ok());
    }
}
