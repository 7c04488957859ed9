//! What the SIP driver shows the CLI: `sip show peers`, `sip show peer NAME`.

use std::net::SocketAddr;

use tandem_conf::views::sip::{Host, Peer};
use tandem_conf::views::SipConf;
use tandem_sip::registrar::Registrar;

/// One peer's row.
#[derive(Clone, Debug)]
pub struct PeerRow {
    pub name: String,
    /// The user part of the registered contact (chan_sip's `peer->username`), or defaultuser.
    pub username: String,
    pub dynamic: bool,
    /// Where it is: the registered source, or its static host.
    pub addr: Option<SocketAddr>,
    pub force_rport: &'static str,
    pub comedia: &'static str,
    pub acl: bool,
    pub context: String,
    pub secret_set: bool,
    pub useragent: String,
    pub registered_expires_epoch: Option<u64>,
    pub contact: String,
    /// `Unmonitored`, `OK (3 ms)`, `UNREACHABLE`, ...
    pub status: String,
    /// Reached over TCP: registered over TCP, or `transport=tcp` first for a static host.
    pub tcp: bool,
    /// Reached over TLS: registered over TLS, or `transport=tls` first for a static host.
    pub tls: bool,
    pub monitored: bool,
}

/// One SIP dialog of `sip show channels`.
#[derive(Clone, Debug)]
pub struct DialogRow {
    pub peer: String,
    pub user: String,
    pub call_id: String,
    pub format: String,
    pub answered: bool,
}

pub struct SipState {
    pub peers: Vec<PeerRow>,
    /// `sip show registry`.
    pub registry: Vec<tandem_sip::outbound::RegistryRow>,
}

fn row(p: &Peer) -> PeerRow {
    let nat = &p.common.nat;
    let force_rport = if nat.force_rport {
        "Yes"
    } else if nat.auto_force_rport {
        "Auto (No)"
    } else {
        "No"
    };
    let comedia = if nat.comedia {
        "Yes"
    } else if nat.auto_comedia {
        "Auto (No)"
    } else {
        "No"
    };
    let addr = match &p.host {
        Some(Host::Addr(ip)) => Some(SocketAddr::new(*ip, p.port.unwrap_or(5060))),
        _ => None,
    };
    PeerRow {
        name: p.name.clone(),
        username: p.defaultuser.clone(),
        dynamic: p.is_dynamic(),
        addr,
        force_rport,
        comedia,
        acl: !p.acl.is_empty(),
        context: p.context.clone(),
        secret_set: !p.secret.is_empty() || !p.md5secret.is_empty(),
        useragent: String::new(),
        registered_expires_epoch: None,
        contact: String::new(),
        status: if p.qualify_ms > 0 {
            "UNKNOWN".into()
        } else {
            "Unmonitored".into()
        },
        tcp: p.transports.first() == Some(&tandem_conf::views::sip::Transport::Tcp),
        tls: p.transports.first() == Some(&tandem_conf::views::sip::Transport::Tls),
        monitored: p.qualify_ms > 0,
    }
}

impl SipState {
    pub fn new(conf: &SipConf) -> Self {
        SipState {
            peers: conf
                .peers
                .iter()
                .filter(|p| p.kind.is_peer())
                .map(row)
                .collect(),
            registry: Vec::new(),
        }
    }

    /// Fold the registrar's bindings into the rows of dynamic peers.
    pub fn update_bindings(&mut self, registrar: &Registrar) {
        for p in self.peers.iter_mut().filter(|p| p.dynamic) {
            // Several contacts: calls go to the one registered (or refreshed) last.
            match registrar
                .lookup(&p.name)
                .iter()
                .max_by_key(|b| b.expires_epoch)
            {
                Some(b) => {
                    p.addr = Some(b.source);
                    p.username = b.contact.user().map(str::to_string).unwrap_or_default();
                    p.useragent = b.user_agent.clone();
                    p.registered_expires_epoch = Some(b.expires_epoch);
                    p.contact = b.contact.to_string();
                    p.tcp = b.transport == tandem_sip::message::Transport::Tcp;
                    p.tls = b.transport == tandem_sip::message::Transport::Tls;
                }
                None => {
                    p.addr = None;
                    p.useragent.clear();
                    p.registered_expires_epoch = None;
                    p.contact.clear();
                }
            }
        }
    }

    /// `sip show peers`, in chan_sip's layout.
    pub fn show_peers(&self) -> String {
        let mut out = format!(
            "{:<25.25} {:<39.39} {:<3.3} {:<10.10} {:<10.10} {:<3.3} {:<8} {:<11} {:<32.32} {}\n",
            "Name/username",
            "Host",
            "Dyn",
            "Forcerport",
            "Comedia",
            "ACL",
            "Port",
            "Status",
            "Description",
            ""
        );
        let (mut online, mut offline, mut mon_online, mut mon_offline) = (0, 0, 0, 0);
        for p in &self.peers {
            let name = if p.username.is_empty() {
                p.name.clone()
            } else {
                format!("{}/{}", p.name, p.username)
            };
            let host = p
                .addr
                .map_or("(Unspecified)".to_string(), |a| a.ip().to_string());
            let port = p.addr.map_or(0, |a| a.port());
            let up = if p.monitored {
                p.status.starts_with("OK") || p.status.starts_with("LAGGED")
            } else {
                p.addr.is_some()
            };
            match (p.monitored, up) {
                (true, true) => mon_online += 1,
                (true, false) => mon_offline += 1,
                (false, true) => online += 1,
                (false, false) => offline += 1,
            }
            out.push_str(&format!(
                "{:<25.25} {:<39.39} {:<3.3} {:<10.10} {:<10.10} {:<3.3} {:<8} {:<11} {:<32.32} {}\n",
                name,
                host,
                if p.dynamic { "D" } else { "" },
                p.force_rport,
                p.comedia,
                if p.acl { "A" } else { "" },
                port,
                p.status,
                "",
                ""
            ));
        }
        out.push_str(&format!(
            "{} sip peers [Monitored: {mon_online} online, {mon_offline} offline Unmonitored: {online} online, {offline} offline]\n",
            self.peers.len(),
        ));
        out
    }

    /// `sip show peer NAME`: the essentials, in chan_sip's `key : value` layout.
    pub fn show_peer(&self, name: &str) -> Option<String> {
        let p = self
            .peers
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))?;
        let addr = p.addr.map_or("(null)".to_string(), |a| a.to_string());
        Some(format!(
            "\n\n  * Name       : {}\n  Secret       : {}\n  Context      : {}\n  Dynamic      : {}\n  Addr->IP     : {}\n  Defaddr->IP  : (null)\n  Username     : {}\n  Useragent    : {}\n  Reg. Contact : {}\n  Status       : {}\n\n",
            p.name,
            if p.secret_set { "<Set>" } else { "<Not set>" },
            p.context,
            if p.dynamic { "Yes" } else { "No" },
            addr,
            p.username,
            p.useragent,
            p.contact,
            p.status,
        ))
    }
}

impl SipState {
    /// `sip show registry`.
    pub fn show_registry(&self) -> String {
        tandem_sip::outbound::show_registry(&self.registry)
    }
}

/// `sip show channels`, in chan_sip's layout.
pub fn show_channels(dialogs: &[DialogRow]) -> String {
    let line = |a: &str, b: &str, c: &str, d: &str, e: &str, f: &str, g: &str, h: &str| {
        format!("{a:<15.15}  {b:<15.15}  {c:<15.15}  {d:<15.15}  {e:<7.7}  {f:<15.15}  {g:<10.10}  {h:<10.10}\n")
    };
    let mut out = line(
        "Peer",
        "User/ANR",
        "Call ID",
        "Format",
        "Hold",
        "Last Message",
        "Expiry",
        "Peer",
    );
    for d in dialogs {
        let state = if d.answered { "Rx: ACK" } else { "Tx: INVITE" };
        out.push_str(&line(
            &d.peer, &d.user, &d.call_id, &d.format, "No", state, "", &d.user,
        ));
    }
    let n = dialogs.len();
    out.push_str(&format!(
        "{n} active SIP dialog{}\n",
        if n == 1 { "" } else { "s" }
    ));
    out
}
