//! The SIP endpoint's defences: the `tandem-security` engine fed from the socket loop (bans,
//! request rates, scanners) and from authentication (failures); its events logged as one
//! stable line each (docs/security.md); `security show bans` and `security unban ADDR`.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tandem_conf::views::sip::Host;
use tandem_conf::views::SipConf;
use tandem_security::{scanner, Config, Engine, Exempt, Verdict};

/// The engine, shared by the endpoint task and the CLI.
#[derive(Clone)]
pub struct Security {
    inner: Arc<Mutex<Engine>>,
}

/// The engine's settings from sip.conf `[general]`.
pub fn config(conf: &SipConf) -> Config {
    let a = &conf.general.autoban;
    let mut cfg = Config {
        autoban: a.enabled,
        failures: a.failures,
        window: Duration::from_secs(u64::from(a.window)),
        rate: a.rate,
        ban_time: Duration::from_secs(u64::from(a.time)),
        exempt: Exempt::from_acl(a.exempt.clone()),
        block_scanners: a.blockscanners,
        ..Config::default()
    };
    // Static peers (trunks, other PBXs) are never banned for their rate.
    cfg.rate_exempt = conf
        .peers
        .iter()
        .filter_map(|p| match &p.host {
            Some(Host::Addr(ip)) => Some(*ip),
            _ => None,
        })
        .collect();
    cfg
}

impl Security {
    pub fn new(conf: &SipConf, now: Instant) -> Self {
        Security {
            inner: Arc::new(Mutex::new(Engine::new(config(conf), now))),
        }
    }

    fn engine(&self) -> std::sync::MutexGuard<'_, Engine> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether a datagram (or a whole message off a stream) from `source` may be handled:
    /// not from a banned source, not a scanner's. Looks at nothing but the header lines.
    pub fn admit(&self, now: Instant, bytes: &[u8], source: SocketAddr) -> bool {
        let mut engine = self.engine();
        if engine.on_request(now, source.ip()) == Verdict::Drop {
            log_events(&mut engine);
            return false;
        }
        if engine.config().block_scanners {
            if let Some(agent) = scanner::detect(bytes) {
                engine.on_scanner(now, source.ip(), agent);
                log_events(&mut engine);
                return false;
            }
        }
        true
    }

    /// Whether `source` is banned now (no counting).
    pub fn is_banned(&self, source: SocketAddr) -> bool {
        self.engine().is_banned(Instant::now(), source.ip())
    }

    /// A request from `source` failed authentication.
    pub fn auth_failed(&self, now: Instant, source: IpAddr, method: &str, user: &str) {
        let mut engine = self.engine();
        engine.on_auth_failure(now, source, method, user);
        log_events(&mut engine);
    }

    /// When a ban ends next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.engine().poll_timeout()
    }

    pub fn handle_timeout(&self, now: Instant) {
        let mut engine = self.engine();
        engine.handle_timeout(now);
        log_events(&mut engine);
    }

    /// How many sources are banned now (the metrics endpoint).
    pub fn ban_count(&self) -> usize {
        self.engine().bans(Instant::now()).len()
    }

    /// `security show bans`.
    pub fn show_bans(&self, now: Instant) -> String {
        let engine = self.engine();
        let rows = engine.bans(now);
        let mut out = format!(
            "{:<39} {:<14} {:>6} {:>10} {:>10} {:>5}\n",
            "Address", "Reason", "Count", "Remaining", "Duration", "Bans"
        );
        for r in &rows {
            out.push_str(&format!(
                "{:<39} {:<14} {:>6} {:>10} {:>10} {:>5}\n",
                r.remote.to_string(),
                r.reason.as_str(),
                r.count,
                format!("{}s", r.remaining.as_secs()),
                format!("{}s", r.duration.as_secs()),
                r.offences
            ));
        }
        out.push_str(&format!(
            "{} active ban{} ({} sources tracked)\n",
            rows.len(),
            if rows.len() == 1 { "" } else { "s" },
            engine.tracked_sources()
        ));
        out
    }

    /// `security unban ADDR`.
    pub fn unban(&self, now: Instant, addr: &str) -> String {
        let Ok(ip) = addr.trim().parse::<IpAddr>() else {
            return format!("'{addr}' is not an IP address\n");
        };
        let mut engine = self.engine();
        let was = engine.unban(now, ip);
        log_events(&mut engine);
        if was {
            format!("{ip} unbanned\n")
        } else {
            format!("{ip} is not banned\n")
        }
    }
}

/// Each event on one line, at warning level (bans, scanners, failures) or info (unbans).
fn log_events(engine: &mut Engine) {
    while let Some(e) = engine.poll_event() {
        match e {
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
    fn a_scanner_datagram_is_dropped_and_its_source_then_dropped_for_anything() {
        let s = Security::new(&conf("[general]\n"), Instant::now());
        let src: SocketAddr = "198.51.100.1:5060"
            .parse()
            .unwrap_or(SocketAddr::from(([0, 0, 0, 0], 0)));
        let scan = b"OPTIONS sip:x SIP/2.0\r\nUser-Agent: friendly-scanner\r\n\r\n";
        let phone = b"OPTIONS sip:x SIP/2.0\r\nUser-Agent: baresip\r\n\r\n";
        let other: SocketAddr = "198.51.100.2:5060".parse().unwrap_or(src);
        assert!(s.admit(Instant::now(), phone, src));
        assert!(!s.admit(Instant::now(), scan, src));
        assert!(!s.admit(Instant::now(), phone, src), "banned now");
        assert!(s.is_banned(src));
        assert!(s.admit(Instant::now(), phone, other));
        assert!(s.show_bans(Instant::now()).contains("198.51.100.1"));
        assert_eq!(
            s.unban(Instant::now(), "198.51.100.1"),
            "198.51.100.1 unbanned\n"
        );
        assert_eq!(
            s.unban(Instant::now(), "nonsense"),
            "'nonsense' is not an IP address\n"
        );
        assert!(s.admit(Instant::now(), phone, src));
    }

    #[test]
    fn with_blockscanners_off_a_scanner_is_handled_like_anyone() {
        let s = Security::new(&conf("[general]\nblockscanners=no\n"), Instant::now());
        let src: SocketAddr = "198.51.100.1:5060"
            .parse()
            .unwrap_or(SocketAddr::from(([0, 0, 0, 0], 0)));
        let scan = b"REGISTER sip:x SIP/2.0\r\nUser-Agent: friendly-scanner\r\n\r\n";
        assert!(s.admit(Instant::now(), scan, src));
        for _ in 0..5 {
            s.auth_failed(Instant::now(), src.ip(), "REGISTER", "100");
        }
        assert!(
            !s.admit(Instant::now(), scan, src),
            "banned by its failures"
        );
    }
}
