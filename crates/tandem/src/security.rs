//! tandem's defences, shared by every protocol: one `tandem-security` [`Hub`] holding an
//! engine per service (SIP from sip.conf, IAX2 from iax.conf, the AMI from manager.conf,
//! each with its own `autoban*` settings), fed from the SIP and IAX2 socket loops (bans,
//! request rates, scanners), from authentication (failures) and from the AMI's logins; its
//! events logged as one stable line each (docs/security.md); `security show bans` and
//! `security unban ADDR`. A source banned by any service gets no answer from any.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tandem_conf::views::autoban::Autoban;
use tandem_conf::views::{iax, sip, IaxConf, ManagerConf, SipConf};
use tandem_security::{scanner, Config, Exempt, Hub, Service, Verdict};

/// The engines, shared by the drivers, the AMI and the CLI.
#[derive(Clone)]
pub struct Security {
    inner: Arc<Mutex<Hub>>,
}

/// An engine's settings from one file's `[general]` options.
fn from_autoban(a: &Autoban) -> Config {
    Config {
        autoban: a.enabled,
        failures: a.failures,
        window: Duration::from_secs(u64::from(a.window)),
        rate: a.rate,
        ban_time: Duration::from_secs(u64::from(a.time)),
        exempt: Exempt::from_acl(a.exempt.clone()),
        block_scanners: a.blockscanners,
        ..Config::default()
    }
}

/// The SIP engine's settings from sip.conf `[general]`.
pub fn config(conf: &SipConf) -> Config {
    let mut cfg = from_autoban(&conf.general.autoban);
    // Static peers (trunks, other PBXs) are never banned for their rate.
    cfg.rate_exempt = conf
        .peers
        .iter()
        .filter_map(|p| match &p.host {
            Some(sip::Host::Addr(ip)) => Some(*ip),
            _ => None,
        })
        .collect();
    cfg
}

/// The IAX2 engine's settings from iax.conf `[general]`.
pub fn iax_config(conf: &IaxConf) -> Config {
    let mut cfg = from_autoban(&conf.general.autoban);
    cfg.block_scanners = false;
    cfg.rate_exempt = conf
        .peers
        .iter()
        .filter_map(|p| match &p.host {
            Some(iax::Host::Addr(ip)) => Some(*ip),
            _ => None,
        })
        .collect();
    cfg
}

/// The AMI engine's settings from manager.conf `[general]`.
pub fn ami_config(conf: &ManagerConf) -> Config {
    let mut cfg = from_autoban(&conf.autoban);
    cfg.block_scanners = false;
    cfg
}

impl Security {
    /// With an engine for each file given.
    pub fn new(
        sip: Option<&SipConf>,
        iax: Option<&IaxConf>,
        ami: Option<&ManagerConf>,
        now: Instant,
    ) -> Self {
        let mut hub = Hub::new();
        if let Some(c) = sip {
            hub.add(Service::Sip, config(c), now);
        }
        if let Some(c) = iax {
            hub.add(Service::Iax2, iax_config(c), now);
        }
        if let Some(c) = ami {
            hub.add(Service::Ami, ami_config(c), now);
        }
        Security {
            inner: Arc::new(Mutex::new(hub)),
        }
    }

    fn hub(&self) -> std::sync::MutexGuard<'_, Hub> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether a SIP datagram (or a whole message off a stream) from `source` may be
    /// handled: not from a banned source, not a scanner's. Looks at nothing but the header
    /// lines.
    pub fn admit_sip(&self, now: Instant, bytes: &[u8], source: SocketAddr) -> bool {
        let mut hub = self.hub();
        if hub.on_request(now, Service::Sip, source.ip()) == Verdict::Drop {
            log_events(&mut hub);
            return false;
        }
        if hub
            .engine(Service::Sip)
            .is_some_and(|e| e.config().block_scanners)
        {
            if let Some(agent) = scanner::detect(bytes) {
                hub.on_scanner(now, Service::Sip, source.ip(), agent);
                log_events(&mut hub);
                return false;
            }
        }
        true
    }

    /// Whether a request of `service` (an IAX2 full frame, an AMI connection) from `source`
    /// may be handled: not banned anywhere (unless `service` exempts it), and counted
    /// towards `service`'s rate.
    pub fn admit(&self, now: Instant, service: Service, source: IpAddr) -> bool {
        let mut hub = self.hub();
        let verdict = hub.on_request(now, service, source);
        log_events(&mut hub);
        verdict == Verdict::Pass
    }

    /// A static SIP peer's address (`host=ADDRESS`) or a SIP `autoban_exempt` one.
    pub fn is_trusted_sip(&self, ip: IpAddr) -> bool {
        self.hub()
            .engine(Service::Sip)
            .is_some_and(|e| e.config().rate_exempt.contains(&ip) || e.config().exempt.contains(ip))
    }

    /// Whether `service` must drop `source` now (no counting).
    pub fn is_banned(&self, service: Service, source: IpAddr) -> bool {
        self.hub().is_banned(Instant::now(), service, source)
    }

    /// A request of `service` from `source` failed authentication.
    pub fn auth_failed(
        &self,
        now: Instant,
        service: Service,
        source: IpAddr,
        method: &str,
        user: &str,
    ) {
        let mut hub = self.hub();
        hub.on_auth_failure(now, service, source, method, user);
        log_events(&mut hub);
    }

    /// Reports lifted bans until the process ends (one task; bans themselves end on time
    /// without it: the checks compare with `now`).
    pub fn spawn_timer(&self) {
        let me = self.clone();
        tokio::spawn(async move {
            loop {
                let wake = me.hub().poll_timeout();
                let at = wake.unwrap_or_else(|| Instant::now() + Duration::from_secs(1));
                // Bans added meanwhile may end sooner: look again at least every second.
                let at = at.min(Instant::now() + Duration::from_secs(1));
                tokio::time::sleep_until(at.into()).await;
                let mut hub = me.hub();
                hub.handle_timeout(Instant::now());
                log_events(&mut hub);
            }
        });
    }

    /// How many bans are active now (the metrics endpoint).
    pub fn ban_count(&self) -> usize {
        self.hub().bans(Instant::now()).len()
    }

    /// `security show bans`.
    pub fn show_bans(&self, now: Instant) -> String {
        let hub = self.hub();
        let rows = hub.bans(now);
        let mut out = format!(
            "{:<39} {:<14} {:>6} {:>10} {:>10} {:>5}  {}\n",
            "Address", "Reason", "Count", "Remaining", "Duration", "Bans", "Service"
        );
        for r in &rows {
            let b = &r.ban;
            out.push_str(&format!(
                "{:<39} {:<14} {:>6} {:>10} {:>10} {:>5}  {}\n",
                b.remote.to_string(),
                b.reason.as_str(),
                b.count,
                format!("{}s", b.remaining.as_secs()),
                format!("{}s", b.duration.as_secs()),
                b.offences,
                r.service.as_str()
            ));
        }
        out.push_str(&format!(
            "{} active ban{} ({} sources tracked)\n",
            rows.len(),
            if rows.len() == 1 { "" } else { "s" },
            hub.tracked_sources()
        ));
        out
    }

    /// `security unban ADDR`: lifted in every service.
    pub fn unban(&self, now: Instant, addr: &str) -> String {
        let Ok(ip) = addr.trim().parse::<IpAddr>() else {
            return format!("'{addr}' is not an IP address\n");
        };
        let mut hub = self.hub();
        let was = hub.unban(now, ip);
        log_events(&mut hub);
        if was {
            format!("{ip} unbanned\n")
        } else {
            format!("{ip} is not banned\n")
        }
    }
}

/// Each event on one line, at warning level (bans, scanners, failures) or info (unbans).
fn log_events(hub: &mut Hub) {
    while let Some(e) = hub.poll_event() {
        match e.event {
            tandem_security::Event::Unban { .. } => tracing::info!("{e}"),
            _ => tracing::warn!("{e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_conf::{load, MemSource};

    fn conf(text: &str) -> SipConf {
        let l = load(&MemSource::new().with("sip.conf", text), "sip.conf");
        SipConf::from_config(&l.config).0
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    #[test]
    fn sip_conf_settings_reach_the_engine() {
        let c = conf(
            "[general]\nautoban_failures=3\nautoban_window=30\nautoban_rate=0\nautoban_time=60\n\
             autoban_exempt=10.0.0.0/8\nblockscanners=no\n\n\
             [trunk]\ntype=peer\nhost=192.0.2.10\n\n[phone]\ntype=friend\nhost=dynamic\nsecret=x\n",
        );
        let cfg = config(&c);
        assert_eq!(cfg.failures, 3);
        assert_eq!(cfg.window, Duration::from_secs(30));
        assert_eq!((cfg.rate, cfg.ban_time), (0, Duration::from_secs(60)));
        assert!(!cfg.block_scanners && cfg.autoban);
        assert!(cfg.exempt.contains(ip("10.2.3.4")) && !cfg.exempt.contains(ip("11.0.0.1")));
        // Static peers: rate-exempt; dynamic ones are not known by address.
        assert_eq!(cfg.rate_exempt.len(), 1);
        assert!(cfg.rate_exempt.contains(&ip("192.0.2.10")));
    }

    #[test]
    fn iax_conf_and_manager_conf_settings_reach_their_engines() {
        let src = MemSource::new()
            .with(
                "iax.conf",
                "[general]\nautoban_failures=2\nautoban_time=30\nautoban_exempt=10.0.0.0/8\n\
                 [trunk]\ntype=peer\nhost=192.0.2.20\n[b]\ntype=friend\nhost=dynamic\n",
            )
            .with("manager.conf", "[general]\nautoban=no\nautoban_rate=5\n");
        let iax = IaxConf::from_config(&load(&src, "iax.conf").config).0;
        let ami = ManagerConf::from_config(&load(&src, "manager.conf").config).0;
        let cfg = iax_config(&iax);
        assert_eq!((cfg.failures, cfg.ban_time), (2, Duration::from_secs(30)));
        assert!(cfg.exempt.contains(ip("10.1.1.1")) && !cfg.block_scanners);
        assert_eq!(cfg.rate_exempt.len(), 1);
        assert!(cfg.rate_exempt.contains(&ip("192.0.2.20")));
        let cfg = ami_config(&ami);
        assert!(!cfg.autoban && cfg.rate == 5 && cfg.failures == 5);
        // Two IAX2 failures ban for IAX2 and SIP alike; `security show bans` names the service.
        let s = Security::new(
            Some(&conf("[general]\n")),
            Some(&iax),
            Some(&ami),
            Instant::now(),
        );
        let bad = ip("198.51.100.4");
        for _ in 0..2 {
            s.auth_failed(Instant::now(), Service::Iax2, bad, "REGREQ", "b");
        }
        assert!(s.is_banned(Service::Sip, bad) && s.is_banned(Service::Ami, bad));
        assert!(!s.admit(Instant::now(), Service::Ami, bad));
        let shown = s.show_bans(Instant::now());
        assert!(
            shown
                .lines()
                .any(|l| l.starts_with("198.51.100.4") && l.ends_with("iax2")),
            "{shown}"
        );
        // autoban=no in manager.conf: AMI failures are reported, nobody is banned by them.
        let other = ip("198.51.100.5");
        for _ in 0..10 {
            s.auth_failed(Instant::now(), Service::Ami, other, "Login", "admin");
        }
        assert!(!s.is_banned(Service::Ami, other));
        assert_eq!(s.ban_count(), 1);
    }

    #[test]
    fn a_scanner_datagram_is_dropped_and_its_source_then_dropped_for_anything() {
        let s = Security::new(Some(&conf("[general]\n")), None, None, Instant::now());
        let src: SocketAddr = "198.51.100.1:5060"
            .parse()
            .unwrap_or(SocketAddr::from(([0, 0, 0, 0], 0)));
        let scan = b"OPTIONS sip:x SIP/2.0\r\nUser-Agent: friendly-scanner\r\n\r\n";
        let phone = b"OPTIONS sip:x SIP/2.0\r\nUser-Agent: baresip\r\n\r\n";
        let other: SocketAddr = "198.51.100.2:5060".parse().unwrap_or(src);
        assert!(s.admit_sip(Instant::now(), phone, src));
        assert!(!s.admit_sip(Instant::now(), scan, src));
        assert!(!s.admit_sip(Instant::now(), phone, src), "banned now");
        assert!(s.is_banned(Service::Sip, src.ip()));
        assert!(s.admit_sip(Instant::now(), phone, other));
        assert!(s.show_bans(Instant::now()).contains("198.51.100.1"));
        assert_eq!(
            s.unban(Instant::now(), "198.51.100.1"),
            "198.51.100.1 unbanned\n"
        );
        assert_eq!(
            s.unban(Instant::now(), "nonsense"),
            "'nonsense' is not an IP address\n"
        );
        assert!(s.admit_sip(Instant::now(), phone, src));
    }

    #[test]
    fn with_blockscanners_off_a_scanner_is_handled_like_anyone() {
        let s = Security::new(
            Some(&conf("[general]\nblockscanners=no\n")),
            None,
            None,
            Instant::now(),
        );
        let src: SocketAddr = "198.51.100.1:5060"
            .parse()
            .unwrap_or(SocketAddr::from(([0, 0, 0, 0], 0)));
        let scan = b"REGISTER sip:x SIP/2.0\r\nUser-Agent: friendly-scanner\r\n\r\n";
        assert!(s.admit_sip(Instant::now(), scan, src));
        for _ in 0..5 {
            s.auth_failed(Instant::now(), Service::Sip, src.ip(), "REGISTER", "100");
        }
        assert!(
            !s.admit_sip(Instant::now(), scan, src),
            "banned by its failures"
        );
    }
}
