//! The IAX2 channel driver: the glue between one UDP socket and the sans-IO `tandem-iax2`
//! stack. No frame parsing and no protocol logic here; that lives in the protocol crate.
//!
//! - [`endpoint`]: the one task that owns the socket, the call table, the registrar, the
//!   registrations, qualify and the trunks.
//! - [`legs`]: what a call is as a channel (events both ways, inbound admission).
//! - [`media`]: the loopback adapter between a channel's RTP media leg and IAX2 voice.
//! - [`socket`]: the UDP socket and its receive buffer.
//! - [`timers`], [`voice`]: the endpoint's wake-ups, and voice out (mini frames or trunks).
//! - [`state`]: what the CLI shows (`iax2 show peers|registry|channels|netstats`).

mod endpoint;
mod inbound;
mod legs;
mod media;
mod socket;
pub mod state;
mod timers;
mod voice;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tandem_conf::views::iax::Host;
use tandem_conf::views::IaxConf;
use tandem_core::{cause, ChannelCommand, ChannelEvent};
use tokio::sync::mpsc;

use crate::channels::{self, ChannelLink, Driver, OutboundRequest};
use crate::media::PortRange;

pub use endpoint::start;
pub use state::IaxState;

/// What the rest of the daemon (the CLI) holds of the running driver.
#[derive(Clone)]
pub struct IaxHandle {
    pub state: Arc<Mutex<IaxState>>,
    /// The endpoint task (`iax2 reload`).
    pub commands: mpsc::Sender<Cmd>,
}

/// `Dial(IAX2/...)` resources: `peer`, `peer/number`, `user:secret@host[:port]/number`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The peer section named, if any.
    pub peer: Option<String>,
    /// An explicit host (`user:secret@host`), when no peer was named.
    pub host: Option<String>,
    pub port: Option<u16>,
    pub username: Option<String>,
    pub secret: Option<String>,
    pub number: Option<String>,
    pub context: Option<String>,
}

/// Parse a resource as chan_iax2's `parse_dial_string`: `[user[:secret]@]peer[:port][/exten[@context]]`.
pub fn parse_target(resource: &str) -> Target {
    let (dest, rest) = match resource.split_once('/') {
        Some((d, r)) => (d, Some(r)),
        None => (resource, None),
    };
    let (number, context) = match rest {
        Some(r) => match r.split_once('@') {
            Some((n, c)) => (Some(n.to_string()), Some(c.to_string())),
            None => (Some(r.to_string()), None),
        },
        None => (None, None),
    };
    let (creds, hostport) = match dest.rsplit_once('@') {
        Some((c, h)) => (Some(c), h),
        None => (None, dest),
    };
    let (username, secret) = match creds {
        Some(c) => match c.split_once(':') {
            Some((u, s)) => (Some(u.to_string()), Some(s.to_string())),
            None => (Some(c.to_string()), None),
        },
        None => (None, None),
    };
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => (h, p.parse().ok()),
        _ => (hostport, None),
    };
    Target {
        peer: Some(host.to_string()).filter(|h| !h.is_empty()),
        host: None,
        port,
        username,
        secret,
        number: number.filter(|n| !n.is_empty()),
        context,
    }
}

/// Where to send a call to `target`, with which credentials and options.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub name: String,
    pub addr: SocketAddr,
    pub username: Option<String>,
    pub secret: Option<String>,
    pub formats: Vec<String>,
    pub trunk: bool,
    pub calltoken: bool,
}

/// Resolve a target against iax.conf and the registrations (numeric hosts only: the driver
/// resolves host names once, when it starts).
pub fn resolve(conf: &IaxConf, state: &IaxState, t: &Target) -> Result<Resolved, u16> {
    let name = t.peer.clone().ok_or(cause::UNALLOCATED)?;
    if let Some(p) = conf.peer(&name) {
        let addr = match &p.host {
            Some(Host::Addr(ip)) => SocketAddr::new(*ip, t.port.unwrap_or(p.port)),
            Some(Host::Dynamic) => state.registered(&p.name).ok_or(cause::SUBSCRIBER_ABSENT)?,
            Some(Host::Name(_)) | None => state.resolved(&p.name).ok_or(cause::UNALLOCATED)?,
        };
        return Ok(Resolved {
            name: p.name.clone(),
            addr,
            username: t.username.clone().or_else(|| p.username.clone()),
            secret: t.secret.clone().or_else(|| p.secret.clone()),
            formats: p.formats(&conf.general),
            trunk: p.trunk,
            calltoken: p.requires_calltoken(&conf.general),
        });
    }
    let ip: IpAddr = if name.eq_ignore_ascii_case("localhost") {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        name.parse().map_err(|_| cause::UNALLOCATED)?
    };
    Ok(Resolved {
        name: name.clone(),
        addr: SocketAddr::new(ip, t.port.unwrap_or(tandem_conf::views::iax::DEFAULT_PORT)),
        username: t.username.clone(),
        secret: t.secret.clone(),
        formats: conf.general.formats(),
        trunk: false,
        calltoken: true,
    })
}

/// What the endpoint task is told besides datagrams.
pub enum Cmd {
    /// A new outbound leg; the NEW goes out on `ChannelCommand::Call`.
    Outbound(Box<legs::Outbound>),
    /// A command from the core to one leg's channel.
    Channel { key: u64, cmd: ChannelCommand },
    /// 20 ms of voice from the bridge (an RTP payload and its payload type).
    Voice { key: u64, pt: u8, payload: Vec<u8> },
    /// `iax2 reload`: a checked iax.conf for new calls and registrations; the answer is
    /// the CLI's text.
    Reload(Arc<IaxConf>, tokio::sync::oneshot::Sender<String>),
}

/// How many commands may wait for the endpoint task.
const COMMAND_QUEUE: usize = 8192;

/// The `IAX2` technology in the driver registry.
pub struct IaxDriver {
    conf: Arc<IaxConf>,
    state: Arc<Mutex<IaxState>>,
    commands: mpsc::Sender<Cmd>,
    ports: Arc<PortRange>,
    /// Shared by the drivers a reload replaces, so channel keys never repeat.
    next_key: Arc<AtomicU64>,
}

impl Driver for IaxDriver {
    fn tech(&self) -> &'static str {
        "IAX2"
    }

    fn request(&self, request: &OutboundRequest<'_>) -> Result<ChannelLink, u16> {
        let target = parse_target(request.resource);
        let resolved = {
            let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            resolve(&self.conf, &state, &target)
        };
        let resolved = resolved.inspect_err(|c| {
            tracing::warn!("IAX2: cannot call '{}' (cause {c})", request.resource);
        })?;
        let key = self.next_key.fetch_add(1, Ordering::Relaxed);
        let name = format!("IAX2/{}-{}", resolved.name, key % 32768);
        let (media, adapter) = media::pair(&self.ports).map_err(|e| {
            tracing::warn!("IAX2: no media port: {e}");
            cause::NORMAL_CIRCUIT_CONGESTION
        })?;
        let codec = media::prefer(&resolved.formats, request.caller.format.as_deref());
        media::set_codec(&media, &codec);
        let (link, driver) = channels::link(name.clone(), media.clone());
        let out = legs::Outbound {
            key,
            name,
            target,
            resolved,
            codec,
            caller_num: request.caller.caller.num.clone(),
            caller_name: request.caller.caller.name.clone(),
            events: driver.events,
            media,
            adapter,
        };
        legs::forward_commands(key, driver.commands, self.commands.clone());
        self.commands
            .try_send(Cmd::Outbound(Box::new(out)))
            .map_err(|_| cause::NORMAL_CIRCUIT_CONGESTION)?;
        Ok(link)
    }
}

/// Q.850 cause for a call event that ends a channel.
pub fn event_for_cause(code: Option<u8>, default: u16) -> ChannelEvent {
    ChannelEvent::Hangup {
        cause: code.map(u16::from).filter(|c| *c != 0).unwrap_or(default),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dial_string_peer_only() {
        let t = parse_target("b");
        assert_eq!(t.peer.as_deref(), Some("b"));
        assert_eq!(t.number, None);
    }

    #[test]
    fn dial_string_peer_and_number_and_context() {
        let t = parse_target("b/200@from-a");
        assert_eq!(t.peer.as_deref(), Some("b"));
        assert_eq!(t.number.as_deref(), Some("200"));
        assert_eq!(t.context.as_deref(), Some("from-a"));
    }

    #[test]
    fn dial_string_user_secret_host_port() {
        let t = parse_target("u:pw@127.0.0.1:4570/600");
        assert_eq!(t.username.as_deref(), Some("u"));
        assert_eq!(t.secret.as_deref(), Some("pw"));
        assert_eq!(t.peer.as_deref(), Some("127.0.0.1"));
        assert_eq!(t.port, Some(4570));
        assert_eq!(t.number.as_deref(), Some("600"));
    }

    #[test]
    fn unknown_peer_that_is_no_address_is_unallocated() {
        let conf = IaxConf::default();
        let st = IaxState::default();
        assert_eq!(
            resolve(&conf, &st, &parse_target("nobody/1")).err(),
            Some(cause::UNALLOCATED)
        );
        let r = resolve(&conf, &st, &parse_target("u:s@127.0.0.1/1")).unwrap();
        assert_eq!(r.addr.port(), 4569);
        assert_eq!(r.secret.as_deref(), Some("s"));
    }

    #[test]
    fn peer_hangup_cause_defaults_when_absent_or_zero() {
        assert_eq!(
            event_for_cause(None, 16),
            ChannelEvent::Hangup { cause: 16 }
        );
        assert_eq!(
            event_for_cause(Some(0), 16),
            ChannelEvent::Hangup { cause: 16 }
        );
        assert_eq!(
            event_for_cause(Some(17), 16),
            ChannelEvent::Hangup { cause: 17 }
        );
    }
}
