//! tandem as a client: `register =>` lines (outbound registration to providers) and
//! `qualify=` pings to peers. The state machines are in `tandem_sip::outbound`; this keeps
//! them, feeds them the UA's responses, and publishes their state for the CLI.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Instant;

use tandem_conf::views::sip::Host;
use tandem_conf::views::SipConf;
use tandem_sip::message::Transport;
use tandem_sip::outbound::{
    OutboundRegistration, Qualifier, QualifyConfig, RegistrationConfig, RegistryRow,
};
use tandem_sip::ua::{TxnId, UaEvent, UserAgent};

/// One machine that sends requests through the UA.
enum Client {
    Register(Box<OutboundRegistration>),
    Qualify { peer: String, q: Box<Qualifier> },
}

#[derive(Default)]
pub struct Clients {
    clients: Vec<Client>,
    /// Which client sent which transaction.
    pending: HashMap<TxnId, usize>,
}

impl Clients {
    /// Build the registrations of `[general]` and a qualifier per peer with `qualify=` and a
    /// static address. Host names are resolved here, once (tandem has no dnsmgr yet).
    pub async fn new(
        conf: &SipConf,
        local: SocketAddr,
        user_agent: &str,
        seed: u64,
        now: Instant,
    ) -> Clients {
        let mut clients = Vec::new();
        for (i, r) in conf.registrations.iter().enumerate() {
            let mut cfg = RegistrationConfig::new(&r.user, &r.host, local);
            cfg.authuser = r.authuser.clone();
            cfg.secret = r.secret.clone();
            cfg.port = r.port;
            cfg.domain = r.domain.clone();
            cfg.domain_port = r.domain_port;
            cfg.extension = r.extension.clone();
            cfg.expiry = r.expiry;
            cfg.user_agent = user_agent.to_string();
            cfg.seed = seed.wrapping_add(i as u64 * 7919);
            match OutboundRegistration::new(cfg) {
                Ok(mut reg) => {
                    let dest = resolve(&r.host, r.port).await;
                    if dest.is_none() {
                        tracing::warn!(
                            "SIP: register => {}: cannot resolve '{}'",
                            r.config_value,
                            r.host
                        );
                    }
                    reg.set_destination(dest);
                    // Spread registrations out a little, as chan_sip does at start.
                    reg.start_at(now + std::time::Duration::from_millis(100 * i as u64));
                    clients.push(Client::Register(Box::new(reg)));
                }
                Err(e) => tracing::warn!("SIP: register => {}: {e}", r.config_value),
            }
        }
        for p in conf
            .peers
            .iter()
            .filter(|p| p.kind.is_peer() && p.qualify_ms > 0)
        {
            let target = match &p.host {
                Some(Host::Addr(ip)) => Some(SocketAddr::new(*ip, p.port.unwrap_or(5060))),
                _ => None,
            };
            let Some(target) = target else { continue };
            let from_user = if p.fromuser.is_empty() {
                "asterisk".to_string()
            } else {
                p.fromuser.clone()
            };
            let q = Qualifier::new(QualifyConfig {
                peer: p.name.clone(),
                max_ms: p.qualify_ms,
                freq: std::time::Duration::from_secs(u64::from(p.qualifyfreq.max(1))),
                target: format!("sip:{}@{target}", p.name),
                transport: Transport::Udp,
                local,
                from_user,
                user_agent: user_agent.to_string(),
                allow: Some(super::requests::ALLOW.to_string()),
                seed: seed ^ p.name.len() as u64,
            });
            match q {
                Ok(mut q) => {
                    q.set_destination(Some(target));
                    clients.push(Client::Qualify {
                        peer: p.name.clone(),
                        q: Box::new(q),
                    });
                }
                Err(e) => tracing::warn!("SIP: qualify {}: {e}", p.name),
            }
        }
        Clients {
            clients,
            pending: HashMap::new(),
        }
    }

    /// Send whatever requests are due; true if any went out.
    pub fn poll(&mut self, now: Instant, ua: &mut UserAgent) -> bool {
        let mut sent = false;
        for (i, c) in self.clients.iter_mut().enumerate() {
            let request = match c {
                Client::Register(r) => r.poll_request(now),
                Client::Qualify { q, .. } => q.poll_request(now),
            };
            if let Some((req, dest)) = request {
                match ua.send_request(now, req, dest) {
                    Ok(txn) => {
                        self.pending.insert(txn, i);
                        sent = true;
                    }
                    Err(e) => tracing::warn!("SIP: cannot send: {e}"),
                }
            }
        }
        sent
    }

    /// A response or timeout for one of ours; `false` if the event is not ours.
    pub fn handle_event(&mut self, now: Instant, event: &UaEvent) -> bool {
        let (txn, response) = match event {
            UaEvent::Response { txn, response } => (*txn, Some(response)),
            UaEvent::RequestTimeout { txn } => (*txn, None),
            _ => return false,
        };
        let Some(&i) = self.pending.get(&txn) else {
            return false;
        };
        let final_or_timeout = response.is_none_or(|r| r.status >= 200);
        if final_or_timeout {
            self.pending.remove(&txn);
        }
        match (self.clients.get_mut(i), response) {
            (Some(Client::Register(r)), Some(resp)) => {
                r.handle_response(now, resp);
            }
            (Some(Client::Register(r)), None) => r.handle_txn_timeout(now),
            (Some(Client::Qualify { q, .. }), Some(resp)) => {
                q.handle_response(now, resp);
            }
            (Some(Client::Qualify { q, .. }), None) => q.handle_txn_timeout(now),
            (None, _) => {}
        }
        true
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        for c in &mut self.clients {
            match c {
                Client::Register(r) => r.handle_timeout(now),
                Client::Qualify { q, .. } => q.handle_timeout(now),
            }
        }
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        self.clients
            .iter()
            .filter_map(|c| match c {
                Client::Register(r) => r.poll_timeout(),
                Client::Qualify { q, .. } => q.poll_timeout(),
            })
            .min()
    }

    /// Rows of `sip show registry`.
    pub fn registry(&self, now: Instant, local_epoch: i64) -> Vec<RegistryRow> {
        self.clients
            .iter()
            .filter_map(|c| match c {
                Client::Register(r) => Some(r.registry_row(now, local_epoch)),
                Client::Qualify { .. } => None,
            })
            .collect()
    }

    /// Qualify status text by peer name (`OK (3 ms)`, `UNREACHABLE`, ...).
    pub fn peer_status(&self) -> Vec<(String, String)> {
        self.clients
            .iter()
            .filter_map(|c| match c {
                Client::Qualify { peer, q } => Some((peer.clone(), q.status_text())),
                Client::Register(_) => None,
            })
            .collect()
    }
}

async fn resolve(host: &str, port: u16) -> Option<SocketAddr> {
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return Some(SocketAddr::new(ip, port));
    }
    tokio::net::lookup_host((host, port)).await.ok()?.next()
}
