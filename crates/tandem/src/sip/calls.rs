//! SIP call legs as channels: what the endpoint keeps per call, and the `SIP` driver that
//! Dial asks for outbound legs.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tandem_conf::views::SipConf;
use tandem_core::{cause, ChannelCommand, ChannelEvent};
use tandem_sdp::{Codec, SessionDescription};
use tokio::sync::mpsc;

use super::state::SipState;
use crate::channels::{self, ChannelLink, Driver, OutboundRequest};
use crate::media::{MediaLeg, PortRange};

/// Our key for a call leg (the UA's id comes later for outbound legs).
pub type LegKey = u64;

/// What the endpoint task is told besides datagrams.
pub enum EndpointCmd {
    /// `sip show channels`: the rows, built when asked.
    ShowChannels(tokio::sync::oneshot::Sender<String>),
    /// `sip show channelstats`: each call's RTP statistics.
    ShowChannelStats(tokio::sync::oneshot::Sender<String>),
    /// `sip reload`: a checked sip.conf for new calls and registrations ([`super::reload`]).
    Reload(Arc<SipConf>, tokio::sync::oneshot::Sender<String>),
    /// What transaction `txn` sent could not go out: the TCP or TLS connection to its
    /// destination failed (refused, timed out, the server's certificate did not verify).
    TransportError(tandem_sip::ua::TxnId),
    /// A whole message that arrived on a stream transport (TCP).
    Incoming {
        bytes: Vec<u8>,
        source: SocketAddr,
        transport: tandem_sip::message::Transport,
    },
    /// A command from the core to one leg's channel.
    Channel { key: LegKey, cmd: ChannelCommand },
    /// A new outbound leg Dial asked for; the INVITE goes out on `ChannelCommand::Call`.
    Outbound { key: LegKey, setup: OutboundSetup },
    /// A voicemail box changed: MWI NOTIFYs to the peers that watch it ([`super::mwi`]).
    Mwi(crate::apps::vm_spool::MailboxChange),
}

/// Where and how to call an outbound leg.
pub struct OutboundSetup {
    /// The channel's name, as the core knows it.
    pub name: String,
    /// The channel that dialled this leg (its partner in the bridge).
    pub caller_channel: String,
    pub peer: Option<String>,
    /// The user part of the Request-URI (a number at a trunk, or the peer's name).
    pub user: String,
    pub dest: SocketAddr,
    /// Call over TCP.
    pub tcp: bool,
    /// Call over TLS (registered over TLS, or `transport=tls` first).
    pub tls: bool,
    /// The Request-URI host[:port] text.
    pub host: String,
    pub caller_num: String,
    pub caller_name: String,
    pub codecs: Vec<Codec>,
    pub events: mpsc::Sender<ChannelEvent>,
    pub media: Arc<MediaLeg>,
}

/// One call leg in the endpoint.
pub struct Leg {
    pub inbound: bool,
    pub name: String,
    /// Where a blind transfer (REFER) from this leg sends the other party: the peer's context.
    pub context: String,
    pub events: mpsc::Sender<ChannelEvent>,
    pub media: Arc<MediaLeg>,
    /// Inbound: the SDP answer prepared when the INVITE came in.
    pub answer_sdp: Option<Vec<u8>>,
    /// Outbound: what we offered, to read the answer against.
    pub offer: Option<SessionDescription>,
    pub outbound: Option<OutboundSetup>,
    pub answered: bool,
    pub ended: bool,
    /// Codecs agreed with the far end, best first (re-offers use them).
    pub codecs: Vec<Codec>,
    /// Our SDP session (id and version) for this leg.
    pub session: tandem_sdp::SdpSession,
    pub dtmf: tandem_conf::views::sip::DtmfMode,
    /// The far end has put us on hold.
    pub remote_hold: bool,
    /// What `sip show channels` says of it: the far end, its peer, the format.
    pub remote: String,
    pub peer: String,
    pub format: String,
}

impl Leg {
    /// Tell the core; a full or closed queue means the channel is gone already.
    pub fn emit(&self, event: ChannelEvent) {
        if self.events.try_send(event).is_err() {
            tracing::debug!("{}: channel event dropped (channel gone)", self.name);
        }
    }

    pub fn hang_up_channel(&mut self, cause: u16) {
        if !self.ended {
            self.ended = true;
            self.emit(ChannelEvent::Hangup { cause });
        }
    }
}

/// Channel name counters, per peer, as Asterisk's `SIP/peer-0000002a`.
static SEQUENCE: AtomicU64 = AtomicU64::new(0);

pub fn channel_name(peer: &str) -> String {
    format!(
        "SIP/{peer}-{:08x}",
        SEQUENCE.fetch_add(1, Ordering::Relaxed)
    )
}

/// Forward a channel's commands to the endpoint task, tagged with its leg.
pub fn forward_commands(
    key: LegKey,
    mut commands: mpsc::Receiver<ChannelCommand>,
    to: mpsc::Sender<EndpointCmd>,
) {
    tokio::spawn(async move {
        while let Some(cmd) = commands.recv().await {
            if to.send(EndpointCmd::Channel { key, cmd }).await.is_err() {
                return;
            }
        }
        // The core dropped the channel without hanging up: do it for it.
        let _ = to
            .send(EndpointCmd::Channel {
                key,
                cmd: ChannelCommand::Hangup {
                    cause: cause::NORMAL_CLEARING,
                },
            })
            .await;
    });
}

/// The `SIP` technology for Dial: `SIP/peer`, `SIP/number@peer`, `SIP/number@host[:port]`.
pub struct SipDriver {
    pub conf: Arc<SipConf>,
    pub per_peer: PeerCounts,
    pub state: Arc<Mutex<SipState>>,
    pub commands: mpsc::Sender<EndpointCmd>,
    pub ports: Arc<PortRange>,
    pub media_ip: IpAddr,
    pub next_key: Arc<AtomicU64>,
}

impl SipDriver {
    /// Where `resource` goes: (peer name, request user, destination, host text, over TCP).
    fn resolve(
        &self,
        resource: &str,
    ) -> Result<(Option<String>, String, SocketAddr, String, bool), u16> {
        let (user, target) = match resource.rsplit_once('@') {
            Some((u, t)) => (u.to_string(), t.to_string()),
            None => (String::new(), resource.to_string()),
        };
        if let Some(peer) = self.conf.peer(&target) {
            let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            let row = state
                .peers
                .iter()
                .find(|p| p.name.eq_ignore_ascii_case(&peer.name));
            let Some(addr) = row.and_then(|r| r.addr) else {
                tracing::info!("SIP/{resource}: peer '{}' is not registered", peer.name);
                return Err(cause::SUBSCRIBER_ABSENT);
            };
            let user = if user.is_empty() {
                // Calling a peer by name: its registered contact user, else the name.
                row.map(|r| r.username.clone())
                    .filter(|u| !u.is_empty())
                    .unwrap_or_else(|| peer.name.clone())
            } else {
                user
            };
            let tcp = row.is_some_and(|r| r.tcp);
            return Ok((Some(peer.name.clone()), user, addr, addr.to_string(), tcp));
        }
        // Not a peer: a host[:port] literal.
        let addr: Option<SocketAddr> = target.parse().ok().or_else(|| {
            target
                .parse::<IpAddr>()
                .ok()
                .map(|ip| SocketAddr::new(ip, 5060))
        });
        match addr {
            Some(a) => Ok((None, user, a, target, false)),
            None => {
                tracing::warn!("SIP/{resource}: no peer or address '{target}'");
                Err(cause::UNALLOCATED)
            }
        }
    }
}

impl Driver for SipDriver {
    fn tech(&self) -> &'static str {
        "SIP"
    }

    fn request(&self, request: &OutboundRequest<'_>) -> Result<ChannelLink, u16> {
        let (peer, user, dest, host, tcp) = self.resolve(request.resource)?;
        if let Some(p) = peer
            .as_deref()
            .and_then(|p| self.conf.peer(p))
            .filter(|p| p.call_limit > 0)
        {
            let counts = self.per_peer.lock().unwrap_or_else(PoisonError::into_inner);
            let active = counts
                .get(&p.name.to_ascii_lowercase())
                .copied()
                .unwrap_or(0);
            if active >= p.call_limit as usize {
                tracing::warn!(
                    "SIP/{}: call-limit {} reached",
                    request.resource,
                    p.call_limit
                );
                return Err(cause::USER_BUSY);
            }
        }
        // maxoutbound / maxcallsperminute (tandem's toll-fraud guard).
        super::limits::admit_outbound(&self.conf, peer.as_deref())?;
        let media = self.ports.allocate_now(self.media_ip).map_err(|e| {
            tracing::warn!("SIP: no RTP port: {e}");
            cause::NORMAL_CIRCUIT_CONGESTION
        })?;
        media.set_comedia(
            peer.as_deref()
                .and_then(|p| self.conf.peer(p))
                .map_or(self.conf.general.common.nat.comedia, |p| {
                    p.common.nat.comedia
                }),
        );
        let peer_conf = peer.as_deref().and_then(|p| self.conf.peer(p));
        if peer_conf.map_or(self.conf.general.common.encryption, |p| p.common.encryption) {
            media.require_srtp();
        }
        let tls = peer.as_deref().is_some_and(|p| {
            let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            state
                .peers
                .iter()
                .any(|r| r.tls && r.name.eq_ignore_ascii_case(p))
        });
        let mut codecs =
            super::media::peer_codecs(&self.conf, peer.as_deref().and_then(|p| self.conf.peer(p)));
        super::media::prefer(&mut codecs, request.caller.format.as_deref());
        let name = channel_name(peer.as_deref().unwrap_or(&host));
        let (link, driver_end) = channels::link(name.clone(), media.clone());
        let key = self.next_key.fetch_add(1, Ordering::Relaxed);
        let setup = OutboundSetup {
            name,
            caller_channel: request.caller.name.clone(),
            peer,
            user,
            dest,
            tcp,
            tls,
            host,
            caller_num: request.caller.caller.num.clone(),
            caller_name: request.caller.caller.name.clone(),
            codecs,
            events: driver_end.events,
            media,
        };
        self.commands
            .try_send(EndpointCmd::Outbound { key, setup })
            .map_err(|_| cause::NORMAL_CIRCUIT_CONGESTION)?;
        forward_commands(key, driver_end.commands, self.commands.clone());
        Ok(link)
    }
}

/// Calls per peer (lower-cased name), shared with the driver for `call-limit`.
pub type PeerCounts = Arc<Mutex<HashMap<String, usize>>>;

/// Legs by our key, and the UA's call ids to our keys; counts per peer are kept as legs come
/// and go (no scan of every leg per message).
pub struct LegTable<Id: std::hash::Hash + Eq + Copy> {
    pub legs: HashMap<LegKey, Leg>,
    pub by_call: HashMap<Id, LegKey>,
    pub calls: HashMap<LegKey, Id>,
    pub per_peer: PeerCounts,
    /// Bumped on every change a busy lamp could care about.
    pub generation: u64,
}

impl<Id: std::hash::Hash + Eq + Copy> Default for LegTable<Id> {
    fn default() -> Self {
        LegTable {
            legs: HashMap::new(),
            by_call: HashMap::new(),
            calls: HashMap::new(),
            per_peer: Arc::default(),
            generation: 0,
        }
    }
}

impl<Id: std::hash::Hash + Eq + Copy> LegTable<Id> {
    pub fn insert(&mut self, key: LegKey, leg: Leg) {
        // The peer's dtmfmode decides how its digits are read and sent (media::dtmf).
        leg.media.set_dtmf_mode(leg.dtmf, false);
        *self
            .per_peer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(leg.peer.to_ascii_lowercase())
            .or_default() += 1;
        if !leg.inbound {
            super::limits::leg_started(&leg.peer);
        }
        self.legs.insert(key, leg);
        self.generation += 1;
    }

    pub fn bind(&mut self, key: LegKey, call: Id) {
        self.by_call.insert(call, key);
        self.calls.insert(key, call);
        self.generation += 1;
    }

    /// A leg's state changed (answered).
    pub fn touch(&mut self) {
        self.generation += 1;
    }

    pub fn key_of(&self, call: Id) -> Option<LegKey> {
        self.by_call.get(&call).copied()
    }

    pub fn remove(&mut self, key: LegKey) -> Option<Leg> {
        if let Some(call) = self.calls.remove(&key) {
            self.by_call.remove(&call);
        }
        let leg = self.legs.remove(&key)?;
        if !leg.inbound {
            super::limits::leg_ended(&leg.peer);
        }
        let mut counts = self.per_peer.lock().unwrap_or_else(PoisonError::into_inner);
        let name = leg.peer.to_ascii_lowercase();
        if let Some(n) = counts.get_mut(&name) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                counts.remove(&name);
            }
        }
        self.generation += 1;
        Some(leg)
    }
}
