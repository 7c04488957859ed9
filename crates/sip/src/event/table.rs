//! The bounded table of live subscriptions, keyed by dialog (Call-ID and our tag).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Instant;

use super::state::HintState;
use super::subscription::{respond, NotifyOutcome, Subscription};
use super::EventConfig;
use crate::message::{Request, Response};

/// How many subscriptions may live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// In all (default 10 000).
    pub total: usize,
    /// Per subscriber (the key the driver gives: peer name or source address; default 64).
    pub per_subscriber: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            total: 10_000,
            per_subscriber: 64,
        }
    }
}

/// A subscription's name in the table.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubKey {
    pub call_id: String,
    pub local_tag: String,
}

/// What [`Subscriptions::subscribe`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subscribe {
    /// A new subscription; send `response` (200) and then its first NOTIFY.
    New { key: SubKey, response: Response },
    /// An in-dialog SUBSCRIBE; send `response`, and when it is a 200 a NOTIFY.
    Refreshed { key: SubKey, response: Response },
    /// Refused: send `response` (489, 423, 481, 503, ...).
    Rejected(Response),
}

#[derive(Debug)]
struct Entry {
    sub: Subscription,
    subscriber: String,
}

/// Live subscriptions.
#[derive(Debug, Default)]
pub struct Subscriptions {
    limits: Limits,
    entries: HashMap<SubKey, Entry>,
}

impl Subscriptions {
    pub fn new(limits: Limits) -> Subscriptions {
        Subscriptions {
            limits,
            entries: HashMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Live subscriptions of `subscriber`.
    pub fn count_for(&self, subscriber: &str) -> usize {
        self.entries
            .values()
            .filter(|e| e.subscriber == subscriber)
            .count()
    }

    /// The subscription an in-dialog request (SUBSCRIBE refresh) belongs to.
    pub fn find(&self, req: &Request) -> Option<SubKey> {
        let call_id = req.headers.call_id().ok()?;
        let tag = req.headers.to_hdr().ok()?.tag()?.to_string();
        let key = SubKey {
            call_id: call_id.to_string(),
            local_tag: tag,
        };
        self.entries
            .get(&key)
            .filter(|e| e.sub.matches(req))
            .map(|_| key)
    }

    /// A SUBSCRIBE, new or in-dialog. `subscriber` names who asks, for the per-subscriber
    /// limit; `local_tag` is used only for a new dialog. A SUBSCRIBE with a To tag we do not
    /// know gets chan_sip's `481 Subscription does not exist`; one beyond the limits
    /// `503 Service Unavailable`.
    #[allow(clippy::too_many_arguments)]
    pub fn subscribe(
        &mut self,
        now: Instant,
        req: &Request,
        source: SocketAddr,
        subscriber: &str,
        local_tag: &str,
        contact: &str,
        cfg: &EventConfig,
    ) -> Subscribe {
        let has_to_tag = req.headers.to_hdr().ok().is_some_and(|t| t.tag().is_some());
        if has_to_tag {
            return match self.find(req) {
                Some(key) => match self.entries.get_mut(&key) {
                    Some(e) => Subscribe::Refreshed {
                        response: e.sub.refresh(req, now),
                        key,
                    },
                    None => Subscribe::Rejected(respond(
                        req,
                        481,
                        "Subscription does not exist",
                        local_tag,
                        cfg,
                    )),
                },
                None => Subscribe::Rejected(respond(
                    req,
                    481,
                    "Subscription does not exist",
                    local_tag,
                    cfg,
                )),
            };
        }
        let (response, sub) = match Subscription::accept(req, local_tag, contact, source, cfg, now)
        {
            Ok(x) => x,
            Err(r) => return Subscribe::Rejected(r),
        };
        if self.entries.len() >= self.limits.total
            || self.count_for(subscriber) >= self.limits.per_subscriber
        {
            return Subscribe::Rejected(respond(req, 503, "Service Unavailable", local_tag, cfg));
        }
        let key = SubKey {
            call_id: sub.call_id().to_string(),
            local_tag: local_tag.to_string(),
        };
        if self.entries.contains_key(&key) {
            return Subscribe::Rejected(respond(req, 500, "Server error", local_tag, cfg));
        }
        self.entries.insert(
            key.clone(),
            Entry {
                sub,
                subscriber: subscriber.to_string(),
            },
        );
        Subscribe::New { key, response }
    }

    pub fn get(&self, key: &SubKey) -> Option<&Subscription> {
        self.entries.get(key).map(|e| &e.sub)
    }

    pub fn get_mut(&mut self, key: &SubKey) -> Option<&mut Subscription> {
        self.entries.get_mut(key).map(|e| &mut e.sub)
    }

    pub fn remove(&mut self, key: &SubKey) -> Option<Subscription> {
        self.entries.remove(key).map(|e| e.sub)
    }

    /// Every subscription, for fanning a hint change out to its watchers.
    pub fn iter(&self) -> impl Iterator<Item = (&SubKey, &Subscription)> {
        self.entries.iter().map(|(k, e)| (k, &e.sub))
    }

    /// Subscriptions watching `exten` (the driver filters by context itself).
    pub fn watching(&self, exten: &str) -> Vec<SubKey> {
        let mut v: Vec<SubKey> = self
            .iter()
            .filter(|(_, s)| s.exten() == exten)
            .map(|(k, _)| k.clone())
            .collect();
        v.sort();
        v
    }

    fn reap(&mut self, key: &SubKey) {
        if self.entries.get(key).is_some_and(|e| e.sub.is_terminated()) {
            self.entries.remove(key);
        }
    }

    /// [`Subscription::notify`]; a subscription whose NOTIFY is `terminated` leaves the table.
    pub fn notify(
        &mut self,
        now: Instant,
        key: &SubKey,
        hint: impl Into<HintState>,
    ) -> Option<(Request, SocketAddr)> {
        let e = self.entries.get_mut(key)?;
        let r = (e.sub.notify(now, hint), e.sub.dest());
        self.reap(key);
        Some(r)
    }

    /// [`Subscription::update`], with the same clean-up.
    pub fn update(
        &mut self,
        now: Instant,
        key: &SubKey,
        hint: impl Into<HintState>,
    ) -> Option<(Request, SocketAddr)> {
        let e = self.entries.get_mut(key)?;
        let r = e.sub.update(now, hint).map(|n| (n, e.sub.dest()));
        self.reap(key);
        r
    }

    /// [`Subscription::on_notify_response`]; a refused NOTIFY ends the subscription.
    pub fn on_notify_response(
        &mut self,
        now: Instant,
        key: &SubKey,
        status: u16,
    ) -> Option<(Request, SocketAddr)> {
        let e = self.entries.get_mut(key)?;
        let out = match e.sub.on_notify_response(now, status) {
            NotifyOutcome::Send(n) => Some((*n, e.sub.dest())),
            NotifyOutcome::Idle | NotifyOutcome::Terminated => None,
        };
        self.reap(key);
        out
    }

    /// The next instant a subscription runs out.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.entries
            .values()
            .filter_map(|e| e.sub.expires_at())
            .min()
    }

    /// Final NOTIFYs of the subscriptions that ran out by `now`; they leave the table.
    pub fn handle_timeout(&mut self, now: Instant) -> Vec<(SubKey, Request, SocketAddr)> {
        let mut due: Vec<SubKey> = self
            .entries
            .iter()
            .filter(|(_, e)| e.sub.expires_at().is_some_and(|t| t <= now))
            .map(|(k, _)| k.clone())
            .collect();
        due.sort();
        let mut out = Vec::new();
        for key in due {
            if let Some(mut e) = self.entries.remove(&key) {
                if let Some(n) = e.sub.handle_timeout(now) {
                    out.push((key, n, e.sub.dest()));
                }
            }
        }
        out
    }
}
