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
