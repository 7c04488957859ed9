//! What the IAX2 endpoint publishes for the dialler and the CLI, and the CLI tables in
//! chan_iax2's layouts (`handle_cli_iax2_show_peers`, `_show_registry`, `_show_channels`,
//! `_show_netstats`).

use std::collections::HashMap;
use std::fmt::Write;
use std::net::SocketAddr;

use tandem_conf::views::iax::Host;
use tandem_conf::views::IaxConf;

/// One configured peer as `iax2 show peers` lists it.
#[derive(Clone, Debug, Default)]
pub struct PeerRow {
    pub name: String,
    pub username: String,
    pub dynamic: bool,
    pub addr: Option<SocketAddr>,
    /// `qualify=` limit (0: unmonitored).
    pub maxms: u32,
    /// Last qualify result: `Some(ms)` reachable, `Some(-1)` unreachable, `None` unknown.
    pub lastms: Option<i64>,
    /// `trunk=yes`.
    pub trunk: bool,
}

/// One `register =>` line as `iax2 show registry` lists it.
#[derive(Clone, Debug, Default)]
pub struct RegistryRow {
    pub host: String,
    pub username: String,
    pub perceived: Option<SocketAddr>,
    pub refresh: u16,
    pub state: &'static str,
}

/// One live call as `iax2 show channels` / `netstats` list it.
#[derive(Clone, Debug, Default)]
pub struct CallRow {
    pub channel: String,
    pub peer: String,
    pub username: String,
    pub local_call: u16,
    pub peer_call: u16,
    pub format: String,
    pub lag_ms: u32,
    pub rtt_ms: u32,
    pub rx_frames: u64,
    pub tx_frames: u64,
}

#[derive(Debug, Default)]
pub struct IaxState {
    pub peers: Vec<PeerRow>,
    pub registry: Vec<RegistryRow>,
    /// Live calls by our call number.
    pub calls: HashMap<u16, CallRow>,
    /// Host names resolved at start, by peer.
    pub resolved: HashMap<String, SocketAddr>,
}

impl IaxState {
    pub fn new(conf: &IaxConf) -> IaxState {
        let peers = conf
            .peers
            .iter()
            .filter(|p| p.kind.is_peer())
            .map(|p| PeerRow {
                name: p.name.clone(),
                username: p.username.clone().unwrap_or_default(),
                dynamic: p.is_dynamic(),
                addr: match &p.host {
                    Some(Host::Addr(ip)) => Some(SocketAddr::new(*ip, p.port)),
                    _ => None,
                },
                maxms: p.qualify_ms,
                lastms: None,
                trunk: p.trunk,
            })
            .collect();
        IaxState {
            peers,
            ..IaxState::default()
        }
    }

    fn peer_mut(&mut self, name: &str) -> Option<&mut PeerRow> {
        self.peers
            .iter_mut()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// Where a dynamic peer registered from, if it did.
    pub fn registered(&self, name: &str) -> Option<SocketAddr> {
        self.peers
            .iter()
            .find(|p| p.dynamic && p.name.eq_ignore_ascii_case(name))
            .and_then(|p| p.addr)
    }

    pub fn resolved(&self, name: &str) -> Option<SocketAddr> {
        self.resolved.get(name).copied()
    }

    pub fn set_registered(&mut self, name: &str, addr: Option<SocketAddr>) {
        if let Some(p) = self.peer_mut(name) {
            p.addr = addr;
            if addr.is_none() {
                p.lastms = None;
            }
        }
    }

    pub fn set_lastms(&mut self, name: &str, ms: Option<i64>) {
        if let Some(p) = self.peer_mut(name) {
            p.lastms = ms;
        }
    }

    /// `iax2 show peers`.
    pub fn show_peers(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<15.15}  {:<40.40}       {:<40.40}  {:<6}      {:<11} {:<32.32}",
            "Name/Username", "Host", "Mask", "Port", "Status", "Description"
        );
        let (mut online, mut offline, mut unmonitored) = (0, 0, 0);
        for p in &self.peers {
            let name = if p.username.is_empty() {
                p.name.clone()
            } else {
                format!("{}/{}", p.name, p.username)
            };
            let status = status_text(p);
            match (p.maxms, p.lastms) {
                (0, _) => unmonitored += 1,
                (_, Some(ms)) if ms >= 0 => online += 1,
                _ => offline += 1,
            }
            let host = p
                .addr
                .map(|a| a.ip().to_string())
                .unwrap_or_else(|| "(Unspecified)".to_string());
            let port = p.addr.map(|a| a.port()).unwrap_or(0);
            let _ = writeln!(
                out,
                "{:<15.15}  {:<40.40} {}  255.255.255.255                           {:<6}      {:<11} {:32}",
                name,
                host,
                if p.dynamic { "(D)" } else { "(S)" },
                port,
                status,
                ' '
            );
        }
        let _ = writeln!(
            out,
            "{} iax2 peers [{online} online, {offline} offline, {unmonitored} unmonitored]",
            self.peers.len()
        );
        out
    }

    /// `iax2 show registry`.
    pub fn show_registry(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<45.45}  {:<6.6}  {:<10.10}  {:<45.45} {:>8.8}  State",
            "Host", "dnsmgr", "Username", "Perceived", "Refresh"
        );
        for r in &self.registry {
            let perceived = r
                .perceived
                .map(|a| a.to_string())
                .unwrap_or_else(|| "<Unregistered>".to_string());
            let _ = writeln!(
                out,
                "{:<45.45}  {:<6.6}  {:<10.10}  {:<45.45} {:>8}  {}",
                r.host, "N", r.username, perceived, r.refresh, r.state
            );
        }
        let _ = writeln!(out, "{} IAX2 registrations.", self.registry.len());
        out
    }

    fn sorted_calls(&self) -> Vec<&CallRow> {
        let mut calls: Vec<&CallRow> = self.calls.values().collect();
        calls.sort_by_key(|c| c.local_call);
        calls
    }

    /// `iax2 show channels`.
    pub fn show_channels(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<20.20}  {:<15.15}  {:<10.10}  {:<11.11}  {:<11.11}  {:<7.7}  {:<6.6}  {:<6.6}  Format  FirstMsg  {:>9}",
            "Channel",
            "Peer",
            "Username",
            "ID (Lo/Rem)",
            "Seq (Tx/Rx)",
            "Lag",
            "Jitter",
            "JitBuf",
            "LastMsg"
        );
        let calls = self.sorted_calls();
        for c in &calls {
            let _ = writeln!(
                out,
                "{:<20.20}  {:<15.15}  {:<10.10}  {:05}/{:05}  {:05}/{:05}  {:<5}ms  {:<4}ms  {:<4}ms  {:<6.6}    {:>9}",
                c.channel,
                c.peer,
                c.username,
                c.local_call,
                c.peer_call,
                c.tx_frames % 100_000,
                c.rx_frames % 100_000,
                c.lag_ms,
                -1,
                -1,
                c.format,
                ' '
            );
        }
        let n = calls.len();
        let _ = writeln!(
            out,
            "{n} active IAX channel{}",
            if n == 1 { "" } else { "s" }
        );
        out
    }

    /// `iax2 show netstats`.
    pub fn show_netstats(&self) -> String {
        let mut out = String::new();
        out.push_str("                           -------- LOCAL ---------------------  -------- REMOTE --------------------\n");
        out.push_str("Channel               RTT  Jit  Del  Lost   %  Drop  OOO  Kpkts  Jit  Del  Lost   %  Drop  OOO  Kpkts FirstMsg    LastMsg\n");
        let calls = self.sorted_calls();
        for c in &calls {
            let _ = writeln!(
                out,
                "{:<20.20} {:>4} {:>4} {:>4} {:>5} {:>3} {:>5} {:>4} {:>6} {:>4} {:>4} {:>5} {:>3} {:>5} {:>4} {:>6}",
                c.channel,
                c.rtt_ms,
                -1,
                -1,
                0,
                0,
                0,
                0,
                c.rx_frames / 1000,
                -1,
                -1,
                0,
                0,
                0,
                0,
                c.tx_frames / 1000
            );
        }
        let n = calls.len();
        let _ = writeln!(
            out,
            "{n} active IAX channel{}",
            if n == 1 { "" } else { "s" }
        );
        out
    }
}

/// chan_iax2 `peer_status`.
pub fn status_text(p: &PeerRow) -> String {
    if p.maxms == 0 {
        return "Unmonitored".to_string();
    }
    match p.lastms {
        Some(ms) if ms < 0 => "UNREACHABLE".to_string(),
        Some(ms) if ms > i64::from(p.maxms) => format!("LAGGED ({ms} ms)"),
        Some(ms) => format!("OK ({ms} ms)"),
        None => "UNKNOWN".to_string(),
    }
}

/// chan_iax2 `regstate2str`.
pub fn regstate_text(s: tandem_iax2::register::RegState) -> &'static str {
    use tandem_iax2::register::RegState;
    match s {
        RegState::Unregistered => "Unregistered",
        RegState::RegSent => "Request Sent",
        RegState::AuthSent => "Auth. Sent",
        RegState::Registered => "Registered",
        RegState::Rejected => "Rejected",
        RegState::Timeout => "Timeout",
        RegState::NoAuth => "No Authentication",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peers_footer_counts_online_offline_unmonitored() {
        let st = IaxState {
            peers: vec![
                PeerRow {
                    name: "a".into(),
                    maxms: 2000,
                    lastms: Some(3),
                    ..Default::default()
                },
                PeerRow {
                    name: "b".into(),
                    maxms: 2000,
                    lastms: Some(-1),
                    ..Default::default()
                },
                PeerRow {
                    name: "c".into(),
                    dynamic: true,
                    ..Default::default()
                },
            ],
            ..IaxState::default()
        };
        let out = st.show_peers();
        assert!(out.starts_with("Name/Username"));
        assert!(out.contains("OK (3 ms)"));
        assert!(out.contains("UNREACHABLE"));
        assert!(out.contains("(Unspecified)"));
        assert!(out.ends_with("3 iax2 peers [1 online, 1 offline, 1 unmonitored]\n"));
    }

    #[test]
    fn channels_footer_is_singular_for_one() {
        let mut st = IaxState::default();
        assert!(st.show_channels().ends_with("0 active IAX channels\n"));
        st.calls.insert(
            2,
            CallRow {
                channel: "IAX2/b-2".into(),
                ..Default::default()
            },
        );
        assert!(st.show_channels().ends_with("1 active IAX channel\n"));
        assert!(st.show_netstats().contains("IAX2/b-2"));
    }

    #[test]
    fn registry_shows_unregistered_perceived() {
        let mut st = IaxState::default();
        st.registry.push(RegistryRow {
            host: "127.0.0.1:4569".into(),
            username: "b".into(),
            state: "Request Sent",
            ..Default::default()
        });
        let out = st.show_registry();
        assert!(out.contains("<Unregistered>"));
        assert!(out.ends_with("1 IAX2 registrations.\n"));
    }
}
