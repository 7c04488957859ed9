//! One ban list for every service: an [`Engine`] per service (SIP, IAX2, AMI), each with the
//! settings of its own file, and a source banned by any of them dropped by all.
//!
//! Why several engines rather than one: each file has its own `autoban_failures`,
//! `autoban_window`, `autoban_rate`, `autoban_time` and `autoban_exempt`, and a request of one
//! protocol must be counted against that protocol's limits (an IAX2 peer's full frames are not
//! SIP requests). Why one ban list: an address that brute-forces IAX2 is hostile to SIP and
//! the AMI too, so a ban anywhere drops it everywhere. The one exception is a service's own
//! `autoban_exempt`: an address a service exempts is never dropped by that service, whoever
//! banned it (exempting the office network in sip.conf keeps its phones working even when a
//! misconfigured IAX2 client there got banned by iax.conf's rules).
//!
//! Each engine keeps its own history, so doubling counts the bans of one service only.

use std::fmt;
use std::net::IpAddr;
use std::time::Instant;

use crate::config::Config;
use crate::engine::{BanRow, Engine, Verdict};
use crate::event::Event;

/// What a request or a failure came in through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    Sip,
    Iax2,
    Ami,
}

impl Service {
    pub fn as_str(self) -> &'static str {
        match self {
            Service::Sip => "sip",
            Service::Iax2 => "iax2",
            Service::Ami => "ami",
        }
    }
}

/// An event and the service whose engine reported it. Its `Display` is the event's line
/// followed by ` service=NAME` (`SECURITY[ban] remote=192.0.2.9 reason=auth_failures count=5
/// duration=600s offence=1 service=iax2`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tagged {
    pub service: Service,
    pub event: Event,
}

impl fmt::Display for Tagged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} service={}", self.event, self.service.as_str())
    }
}

/// One row of `security show bans`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HubBan {
    pub service: Service,
    pub ban: BanRow,
}

/// The engines of the services that are configured.
#[derive(Default)]
pub struct Hub {
    engines: Vec<(Service, Engine)>,
    /// Which engine [`Hub::poll_event`] drains next (round robin, so none starves).
    next_event: usize,
}

impl Hub {
    pub fn new() -> Self {
        Hub::default()
    }

    /// Adds (or replaces) the engine of `service`.
    pub fn add(&mut self, service: Service, config: Config, now: Instant) {
        self.engines.retain(|(s, _)| *s != service);
        self.engines.push((service, Engine::new(config, now)));
        self.engines.sort_by_key(|(s, _)| *s);
    }

    pub fn engine(&self, service: Service) -> Option<&Engine> {
        self.engines
            .iter()
            .find(|(s, _)| *s == service)
            .map(|(_, e)| e)
    }

    fn engine_mut(&mut self, service: Service) -> Option<&mut Engine> {
        self.engines
            .iter_mut()
            .find(|(s, _)| *s == service)
            .map(|(_, e)| e)
    }

    /// Whether `service` exempts `ip` (its `autoban_exempt`).
    fn exempt(&self, service: Service, ip: IpAddr) -> bool {
        self.engine(service)
            .is_some_and(|e| e.config().exempt.contains(ip))
    }

    /// Whether `service` must drop everything from `ip` now: banned by any service, unless
    /// `service` exempts it. No counting.
    pub fn is_banned(&self, now: Instant, service: Service, ip: IpAddr) -> bool {
        !self.exempt(service, ip) && self.engines.iter().any(|(_, e)| e.is_banned(now, ip))
    }

    /// A request (datagram, message, connection) of `service` from `ip`: dropped when the
    /// source is banned anywhere, else counted towards `service`'s rate limit. A service
    /// without an engine passes everything not banned elsewhere.
    pub fn on_request(&mut self, now: Instant, service: Service, ip: IpAddr) -> Verdict {
        if self.is_banned(now, service, ip) {
            return Verdict::Drop;
        }
        match self.engine_mut(service) {
            Some(e) => e.on_request(now, ip),
            None => Verdict::Pass,
        }
    }

    /// A well-known scanner's request through `service`.
    pub fn on_scanner(&mut self, now: Instant, service: Service, ip: IpAddr, agent: &str) {
        if let Some(e) = self.engine_mut(service) {
            e.on_scanner(now, ip, agent);
        }
    }

    /// An authentication failure through `service`; returns whether it banned the source.
    pub fn on_auth_failure(
        &mut self,
        now: Instant,
        service: Service,
        ip: IpAddr,
        method: &str,
        user: &str,
    ) -> bool {
        self.engine_mut(service)
            .is_some_and(|e| e.on_auth_failure(now, ip, method, user))
    }

    /// `security unban ADDR`: lifted in every service. Returns whether any had banned it.
    pub fn unban(&mut self, now: Instant, ip: IpAddr) -> bool {
        let mut was = false;
        for (_, e) in &mut self.engines {
            was |= e.unban(now, ip);
        }
        was
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        self.engines
            .iter()
            .filter_map(|(_, e)| e.poll_timeout())
            .min()
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        for (_, e) in &mut self.engines {
            e.handle_timeout(now);
        }
    }

    /// Every service's active bans, longest remaining first.
    pub fn bans(&self, now: Instant) -> Vec<HubBan> {
        let mut rows: Vec<HubBan> = self
            .engines
            .iter()
            .flat_map(|(s, e)| {
                e.bans(now)
                    .into_iter()
                    .map(|ban| HubBan { service: *s, ban })
            })
            .collect();
        rows.sort_by(|a, b| {
            (b.ban.remaining.cmp(&a.ban.remaining))
                .then(a.ban.remote.cmp(&b.ban.remote))
                .then(a.service.cmp(&b.service))
        });
        rows
    }

    pub fn tracked_sources(&self) -> usize {
        self.engines.iter().map(|(_, e)| e.tracked_sources()).sum()
    }

    /// The next event of any engine.
    pub fn poll_event(&mut self) -> Option<Tagged> {
        let n = self.engines.len();
        for i in 0..n {
            let idx = (self.next_event + i) % n;
            if let Some((service, e)) = self.engines.get_mut(idx) {
                if let Some(event) = e.poll_event() {
                    self.next_event = (idx + 1) % n;
                    return Some(Tagged {
                        service: *service,
                        event,
                    });
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Exempt;
    use std::time::Duration;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    fn hub(t0: Instant) -> Hub {
        let mut h = Hub::new();
        h.add(Service::Sip, Config::default(), t0);
        h.add(
            Service::Iax2,
            Config {
                failures: 3,
                ban_time: Duration::from_secs(60),
                ..Config::default()
            },
            t0,
        );
        h
    }

    #[test]
    fn a_ban_by_one_service_drops_the_source_in_every_service() {
        let t0 = Instant::now();
        let mut h = hub(t0);
        let bad = ip("192.0.2.9");
        for _ in 0..2 {
            assert!(!h.on_auth_failure(t0, Service::Iax2, bad, "AUTHREP", "b"));
        }
        assert!(h.on_auth_failure(t0, Service::Iax2, bad, "AUTHREP", "b"));
        assert_eq!(h.on_request(t0, Service::Sip, bad), Verdict::Drop);
        assert_eq!(h.on_request(t0, Service::Iax2, bad), Verdict::Drop);
        // AMI has no engine here: it still drops what another service banned.
        assert_eq!(h.on_request(t0, Service::Ami, bad), Verdict::Drop);
        assert_eq!(
            h.on_request(t0, Service::Sip, ip("192.0.2.10")),
            Verdict::Pass
        );
        let rows = h.bans(t0);
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].service, rows[0].ban.remote), (Service::Iax2, bad));
        assert_eq!(rows[0].ban.duration, Duration::from_secs(60));
        let lines: Vec<String> = std::iter::from_fn(|| h.poll_event())
            .map(|t| t.to_string())
            .collect();
        assert_eq!(
            lines.last().map(String::as_str),
            Some("SECURITY[ban] remote=192.0.2.9 reason=auth_failures count=3 duration=60s offence=1 service=iax2")
        );
        assert_eq!(
            lines[0],
            "SECURITY[auth_failure] remote=192.0.2.9 method=AUTHREP user=b count=1 service=iax2"
        );
        // Lifted after its 60 s everywhere; the SIP engine never counted anything.
        assert_eq!(
            h.on_request(t0 + Duration::from_secs(61), Service::Sip, bad),
            Verdict::Pass
        );
    }

    #[test]
    fn failures_count_per_service() {
        let t0 = Instant::now();
        let mut h = hub(t0);
        let a = ip("198.51.100.7");
        // Two IAX2 failures and four SIP ones: neither service reaches its limit.
        for _ in 0..2 {
            h.on_auth_failure(t0, Service::Iax2, a, "REGREQ", "b");
        }
        for _ in 0..4 {
            h.on_auth_failure(t0, Service::Sip, a, "REGISTER", "b");
        }
        assert!(!h.is_banned(t0, Service::Sip, a));
        assert!(h.on_auth_failure(t0, Service::Sip, a, "REGISTER", "b"));
        assert!(h.is_banned(t0, Service::Iax2, a));
    }

    #[test]
    fn a_service_that_exempts_an_address_keeps_serving_it_and_unban_lifts_everywhere() {
        let t0 = Instant::now();
        let mut exempt = Exempt::default();
        assert!(exempt.append("10.0.0.0/8").is_ok());
        let mut h = Hub::new();
        h.add(
            Service::Sip,
            Config {
                exempt,
                ..Config::default()
            },
            t0,
        );
        h.add(
            Service::Ami,
            Config {
                failures: 1,
                ..Config::default()
            },
            t0,
        );
        let office = ip("10.1.2.3");
        assert!(h.on_auth_failure(t0, Service::Ami, office, "Login", "admin"));
        assert!(h.is_banned(t0, Service::Ami, office));
        assert!(
            !h.is_banned(t0, Service::Sip, office),
            "sip.conf exempts it"
        );
        assert_eq!(h.on_request(t0, Service::Sip, office), Verdict::Pass);
        assert!(h.unban(t0, office));
        assert!(!h.is_banned(t0, Service::Ami, office));
        assert!(!h.unban(t0, office));
        assert_eq!(h.poll_timeout(), None);
    }
}
