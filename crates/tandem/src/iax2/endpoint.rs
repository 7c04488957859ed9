//! The IAX2 endpoint task: one UDP socket feeding the sans-IO sessions (calls, registrar
//! transactions, our registrations, qualify pokes) held in one [`CallTable`]; timers driven
//! from the earliest `poll_timeout`; trunks flushed every `trunkfreq` ms. The drive loop is
//! the one written in the `tandem-iax2` crate docs.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tandem_ami::AuthFailure;
use tandem_conf::views::iax::Host;
use tandem_conf::views::{IaxConf, RtpConf};
use tandem_iax2::auth::CallTokens;
use tandem_iax2::call::Call;
use tandem_iax2::qualify::{PeerStatus, Qualify, QualifyConfig};
use tandem_iax2::register::{RegEvent, Registration, RegistrationConfig};
use tandem_iax2::registrar::{Registrar, RegistrarConfig, RegistrarTxn};
use tandem_iax2::table::{CallTable, Gate, Inbound};
use tandem_iax2::trunk::TrunkBuilder;
use tandem_iax2::Transmit;
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use super::legs::{self, Leg, Outbound};
use super::socket::BATCH;
use super::state::{regstate_text, CallRow, IaxState, RegistryRow};
use super::{Cmd, IaxDriver, IaxHandle, COMMAND_QUEUE};
use crate::channels::World;
use crate::media::PortRange;
use crate::security::Security;
use tandem_security::Service;

/// Calls, registrar transactions, registrations and pokes at once (chan_iax2 allows 32767).
const MAX_SESSIONS: usize = 16_384;

/// Everything that has a call number.
pub(super) enum Session {
    Call(Box<Leg>),
    RegTxn(Box<RegistrarTxn>),
    Register { idx: usize, reg: Box<Registration> },
    Poke { peer: String, q: Box<Qualify> },
}

impl Session {
    pub(super) fn poll_transmit(&mut self) -> Option<Transmit> {
        match self {
            Session::Call(l) => l.call.poll_transmit(),
            Session::RegTxn(t) => t.poll_transmit(),
            Session::Register { reg, .. } => reg.poll_transmit(),
            Session::Poke { q, .. } => q.poll_transmit(),
        }
    }
    pub(super) fn poll_timeout(&self) -> Option<Instant> {
        match self {
            Session::Call(l) => l.call.poll_timeout(),
            Session::RegTxn(t) => t.poll_timeout(),
            Session::Register { reg, .. } => reg.poll_timeout(),
            Session::Poke { q, .. } => q.poll_timeout(),
        }
    }
    pub(super) fn handle_timeout(&mut self, now: Instant) {
        match self {
            Session::Call(l) => l.call.handle_timeout(now),
            Session::RegTxn(t) => t.handle_timeout(now),
            Session::Register { reg, .. } => reg.handle_timeout(now),
            Session::Poke { q, .. } => q.handle_timeout(now),
        }
    }
    pub(super) fn handle_full(&mut self, now: Instant, f: tandem_iax2::frame::FullFrame) {
        match self {
            Session::Call(l) => {
                if f.frame_type == tandem_iax2::consts::FrameType::Voice {
                    l.rx_frames += 1;
                }
                l.call.handle_full(now, f)
            }
            Session::RegTxn(t) => t.handle_full(now, f),
            Session::Register { reg, .. } => reg.handle_full(now, f),
            Session::Poke { q, .. } => q.handle_full(now, f),
        }
    }
    pub(super) fn peer_call(&self) -> u16 {
        match self {
            Session::Call(l) => l.call.peer_call(),
            Session::RegTxn(t) => t.peer_call(),
            Session::Register { reg, .. } => reg.peer_call(),
            Session::Poke { .. } => 0,
        }
    }
}

pub(super) struct Endpoint {
    pub socket: Arc<UdpSocket>,
    pub conf: Arc<IaxConf>,
    pub world: Arc<World>,
    pub state: Arc<Mutex<IaxState>>,
    pub commands: mpsc::Sender<Cmd>,
    pub ports: Arc<PortRange>,
    pub gate: Gate,
    pub table: CallTable<Session>,
    /// Channel keys to call numbers.
    pub keys: HashMap<u64, u16>,
    /// Outbound legs Dial asked for, not called yet.
    pub pending: HashMap<u64, Box<Outbound>>,
    pub registrar: Registrar,
    pub trunks: HashMap<SocketAddr, TrunkBuilder>,
    pub trunk_rx_start: HashMap<SocketAddr, Instant>,
    pub next_trunk_flush: Option<Instant>,
    pub next_inbound_key: u64,
    pub seed: u64,
    pub pokes: HashMap<String, u16>,
    /// Datagrams dropped (malformed, unknown call, ...).
    pub dropped: u64,
    /// Of those, video mini frames (video is not supported).
    pub video_dropped: u64,
    /// Bans (shared with SIP and the AMI): banned sources get no answer, failed
    /// authentications count towards a ban.
    pub security: Security,
    /// The driver's channel key counter (kept across `iax2 reload`).
    pub next_key: Arc<std::sync::atomic::AtomicU64>,
    /// No session is due before this (it may be earlier than the true earliest deadline,
    /// never later): kept up to date as sessions are given input, so a datagram costs no scan
    /// of every session.
    pub session_deadline: Option<Instant>,
}

/// Bind `[general] bindaddr`, register the `IAX2` technology, start the registrations and
/// serve.
pub async fn start(
    conf: Arc<IaxConf>,
    rtp: &RtpConf,
    world: Arc<World>,
    security: Security,
) -> std::io::Result<IaxHandle> {
    let (socket, rcvbuf) = super::socket::bind(conf.general.bindaddr)?;
    let socket = Arc::new(socket);
    tracing::info!(
        "IAX2 listening on udp {} (receive buffer {} KiB)",
        socket.local_addr()?,
        rcvbuf / 1024
    );
    let mut st = IaxState::new(&conf);
    for p in &conf.peers {
        if let Some(Host::Name(h)) = &p.host {
            match tokio::net::lookup_host((h.as_str(), p.port))
                .await
                .ok()
                .and_then(|mut a| a.next())
            {
                Some(a) => {
                    st.resolved.insert(p.name.clone(), a);
                }
                None => tracing::warn!("IAX2: peer {}: cannot resolve '{h}'", p.name),
            }
        }
    }
    let state = Arc::new(Mutex::new(st));
    let ports = Arc::new(
        PortRange::new(rtp.first_port(), rtp.last_port())
            .with_latch(crate::media::relay::latch_config(rtp)),
    );
    let (tx, rx) = mpsc::channel(COMMAND_QUEUE);
    let next_key = Arc::new(std::sync::atomic::AtomicU64::new(1));
    world
        .registry
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .add(Arc::new(IaxDriver {
            conf: conf.clone(),
            state: state.clone(),
            commands: tx.clone(),
            ports: ports.clone(),
            next_key: next_key.clone(),
        }));
    let now = Instant::now();
    let seed = random_u64();
    let mut gate = Gate::new(CallTokens::new(&seed.to_le_bytes(), now));
    // Per-peer requirecalltoken: the gate lets token-less NEW/REGREQ through and the endpoint
    // decides by the named user or peer (chan_iax2 `calltoken_required`).
    gate.require_calltoken = false;
    let g = &conf.general;
    let mut ep = Endpoint {
        socket,
        conf: conf.clone(),
        world,
        state: state.clone(),
        commands: tx,
        ports,
        gate,
        table: CallTable::with_seed(MAX_SESSIONS, seed),
        keys: HashMap::new(),
        pending: HashMap::new(),
        registrar: Registrar::new(RegistrarConfig {
            min_expire: g.minregexpire,
            max_expire: g.maxregexpire,
            ..RegistrarConfig::default()
        }),
        trunks: HashMap::new(),
        trunk_rx_start: HashMap::new(),
        next_trunk_flush: None,
        next_inbound_key: 1 << 62,
        seed,
        pokes: HashMap::new(),
        dropped: 0,
        security,
        next_key,
        video_dropped: 0,
        session_deadline: None,
    };
    ep.start_registrations(now).await;
    for p in conf
        .peers
        .iter()
        .filter(|p| p.kind.is_peer() && p.qualify_ms > 0)
    {
        if let Some(Host::Addr(ip)) = p.host {
            ep.start_poke(now, &p.name, SocketAddr::new(ip, p.port), p.qualify_ms);
        }
    }
    let commands = ep.commands.clone();
    tokio::spawn(ep.run(rx));
    Ok(IaxHandle { state, commands })
}

/// A full frame has the F bit (the top bit of its first byte) set; mini frames have it
/// clear, meta (trunk, video) frames start with a zero word.
fn is_full_frame(bytes: &[u8]) -> bool {
    bytes.first().is_some_and(|b| b & 0x80 != 0)
}

fn random_u64() -> u64 {
    use std::io::Read;
    let mut b = [0u8; 8];
    if std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut b))
        .is_err()
    {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        return t;
    }
    u64::from_le_bytes(b)
}

impl Endpoint {
    async fn start_registrations(&mut self, now: Instant) {
        for (idx, r) in self.conf.registrations.clone().iter().enumerate() {
            let host = format!("{}:{}", r.host, r.port);
            let server = match tokio::net::lookup_host((r.host.as_str(), r.port)).await {
                Ok(mut a) => a.next(),
                Err(_) => None,
            };
            self.lock().registry.push(RegistryRow {
                host,
                username: r.user.clone(),
                perceived: None,
                refresh: 60,
                state: "Unregistered",
            });
            let Some(server) = server else {
                tracing::warn!(
                    "IAX2: register => {}@{}: cannot resolve the host",
                    r.user,
                    r.host
                );
                continue;
            };
            let cfg = RegistrationConfig {
                username: r.user.clone(),
                secret: r.secret.clone(),
                refresh: 60,
                calltoken: true,
            };
            let lc = self.table.insert_with(now, server, |n| Session::Register {
                idx,
                reg: Box::new(Registration::new(n, server, cfg)),
            });
            if let Ok(lc) = lc {
                if let Some(Session::Register { reg, .. }) = self.table.get_mut(lc) {
                    reg.register(now);
                }
                self.after(now, lc);
            }
        }
    }

    pub(super) fn start_poke(&mut self, now: Instant, peer: &str, addr: SocketAddr, max_ms: u32) {
        if let Some(old) = self.pokes.remove(peer) {
            self.table.remove(now, old);
        }
        let config = QualifyConfig {
            max_ms,
            ..QualifyConfig::default()
        };
        let name = peer.to_string();
        let lc = self.table.insert_with(now, addr, |n| Session::Poke {
            peer: name,
            q: Box::new(Qualify::new(n, addr, config)),
        });
        if let Ok(lc) = lc {
            if let Some(Session::Poke { q, .. }) = self.table.get_mut(lc) {
                q.poke(now);
            }
            self.pokes.insert(peer.to_string(), lc);
            self.after(now, lc);
        }
    }

    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, IaxState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn send(&self, t: &Transmit) {
        tracing::trace!("IAX2 tx {} {:02x?}", t.dest, t.bytes.get(..12));
        if let Err(e) = self.socket.try_send_to(&t.bytes, t.dest) {
            tracing::debug!("IAX2: send to {}: {e}", t.dest);
        }
    }

    async fn run(mut self, mut rx: mpsc::Receiver<Cmd>) {
        let socket = self.socket.clone();
        let mut buf = vec![0u8; 4096];
        loop {
            let deadline = self.next_deadline();
            let sleep = tokio::time::sleep_until(
                deadline
                    .map(tokio::time::Instant::from_std)
                    .unwrap_or_else(|| tokio::time::Instant::now() + Duration::from_secs(3600)),
            );
            tokio::select! {
                r = socket.recv_from(&mut buf) => match r {
                    Ok((n, src)) => {
                        if let Some(bytes) = buf.get(..n) {
                            self.datagram(Instant::now(), src, bytes);
                        }
                    }
                    Err(e) => tracing::debug!("IAX2 recv: {e}"),
                },
                cmd = rx.recv() => match cmd {
                    Some(cmd) => self.command(Instant::now(), cmd),
                    None => return,
                },
                () = sleep => {}
            }
            // Whatever woke the task, take what else is queued on both inputs before the
            // timers are looked at again: on a busy runtime the task's turns are what limits
            // it, not the work per datagram.
            let now = Instant::now();
            for _ in 1..BATCH {
                let mut idle = true;
                if let Ok((n, src)) = socket.try_recv_from(&mut buf) {
                    idle = false;
                    if let Some(bytes) = buf.get(..n) {
                        self.datagram(now, src, bytes);
                    }
                }
                if let Ok(cmd) = rx.try_recv() {
                    idle = false;
                    self.command(now, cmd);
                }
                if idle {
                    break;
                }
            }
            // Timers are checked after every wake-up, so a steady stream of input cannot
            // starve them (trunk frames are flushed every 20 ms).
            if deadline.is_some_and(|d| d <= Instant::now()) {
                self.timeouts(Instant::now());
            }
        }
    }

    fn datagram(&mut self, now: Instant, src: SocketAddr, bytes: &[u8]) {
        tracing::trace!("IAX2 rx {src} {:02x?}", bytes.get(..12));
        if !self.screen(now, src, bytes) {
            self.dropped += 1;
            return;
        }
        match self.gate.classify(now, src, bytes, &self.table) {
            Inbound::Full { local_call, frame } => {
                if let Some(s) = self.table.get_mut(local_call) {
                    s.handle_full(now, frame);
                }
                self.after(now, local_call);
            }
            Inbound::Mini { local_call, frame } => {
                if let Some(Session::Call(l)) = self.table.get_mut(local_call) {
                    l.call.handle_mini(now, frame);
                }
                self.after(now, local_call);
            }
            Inbound::Trunk(t) => {
                let start = *self.trunk_rx_start.entry(src).or_insert_with(|| {
                    tracing::info!("IAX2: trunk frames from {src}");
                    now
                });
                for e in t.entries {
                    let Some(lc) = self.table.find_by_peer(src, e.call) else {
                        self.dropped += 1;
                        continue;
                    };
                    if let Some(Session::Call(l)) = self.table.get_mut(lc) {
                        l.call.handle_trunk_entry(now, start, t.timestamp, e);
                    }
                    self.after(now, lc);
                }
            }
            Inbound::NewCall {
                frame,
                ies,
                token_validated,
            } => self.new_call(now, src, frame, ies, token_validated),
            Inbound::NewRegistration {
                frame,
                ies,
                token_validated,
            } => self.new_registration(now, src, frame, ies, token_validated),
            Inbound::Reply(t) => self.send(&t),
            Inbound::Drop(why) => {
                self.dropped += 1;
                if why.starts_with("video") {
                    self.video_dropped += 1;
                    // Video is left out: say so once, then every 1000th frame.
                    if self.video_dropped % 1000 == 1 {
                        tracing::warn!(
                            "IAX2: {why}: dropped ({} video frames so far)",
                            self.video_dropped
                        );
                    }
                } else {
                    tracing::debug!("IAX2: dropped a datagram from {src}: {why}");
                }
            }
        }
    }

    /// Before anything else: a banned source gets no answer at all. Full frames (the F bit)
    /// count towards `autoban_rate`; mini and meta (trunk) frames, a call's media, do not
    /// (50 a second per call would ban a busy peer), they are only checked against the bans.
    fn screen(&self, now: Instant, src: SocketAddr, bytes: &[u8]) -> bool {
        if is_full_frame(bytes) {
            self.security.admit(now, Service::Iax2, src.ip())
        } else {
            !self.security.is_banned(Service::Iax2, src.ip())
        }
    }

    /// An authentication from `src` failed (`method`: AUTHREP, NEW, REGREQ).
    pub(super) fn auth_failed(&self, now: Instant, src: SocketAddr, method: &str, user: &str) {
        self.security
            .auth_failed(now, Service::Iax2, src.ip(), method, user);
    }

    /// An authentication's security event on the AMI (`remote`, local call `call`).
    pub(super) fn report(&self, remote: SocketAddr, call: u16, outcome: Result<&str, AuthFailure>) {
        let local = self
            .socket
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
        let outcome = outcome.as_ref().map(|a| *a);
        crate::ami::security::iax2_auth(&self.world, local, remote, call, outcome);
    }

    /// A refused authentication of `account`: no such account (`known` false), a wrong MD5
    /// answer to the challenge (`attempt`), or none where `secret` is needed.
    pub(super) fn report_refusal(
        &self,
        remote: SocketAddr,
        call: u16,
        account: &str,
        known: bool,
        secret: &str,
        attempt: Option<&(String, String)>,
    ) {
        let username = account.to_string();
        let why = match (known, attempt) {
            (false, _) => AuthFailure::UnknownUser { username },
            (true, Some((challenge, response))) => {
                let first = secret.split(';').next().unwrap_or_default();
                AuthFailure::Challenge {
                    username,
                    challenge: challenge.clone(),
                    response: response.clone(),
                    expected: tandem_iax2::auth::md5_response(challenge, first),
                }
            }
            (true, None) => AuthFailure::Password { username },
        };
        self.report(remote, call, Err(why));
    }

    /// `iax2 reload`: new calls, registrations to tandem and `iax2 show peers` use `conf`;
    /// calls in progress keep what they started with; where dynamic peers registered from
    /// is kept. `bindaddr` and `register =>` lines take effect at the next start.
    fn reload(&mut self, conf: Arc<IaxConf>) -> String {
        let mut out = String::new();
        if conf.general.bindaddr != self.conf.general.bindaddr {
            out.push_str("bindaddr/bindport changed: takes effect at the next restart\n");
        }
        if conf.registrations != self.conf.registrations {
            out.push_str("register => lines changed: take effect at the next restart\n");
        }
        self.world
            .registry
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .add(Arc::new(IaxDriver {
                conf: conf.clone(),
                state: self.state.clone(),
                commands: self.commands.clone(),
                ports: self.ports.clone(),
                next_key: self.next_key.clone(),
            }));
        {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            let fresh = IaxState::new(&conf);
            let old = std::mem::replace(&mut state.peers, fresh.peers);
            for p in old.iter().filter(|p| p.dynamic) {
                if let Some(addr) = p.addr {
                    state.set_registered(&p.name, Some(addr));
                }
            }
        }
        let n = conf.peers.len();
        self.conf = conf;
        tracing::info!("IAX2 reloaded: {n} peers and users");
        out.push_str(&format!("IAX2 reloaded: {n} peers and users.\n"));
        out
    }

    fn command(&mut self, now: Instant, cmd: Cmd) {
        match cmd {
            Cmd::Outbound(out) => {
                self.pending.insert(out.key, out);
            }
            Cmd::Voice { key, pt, payload } => {
                let Some(&lc) = self.keys.get(&key) else {
                    return;
                };
                self.voice_out(now, lc, pt, &payload);
            }
            Cmd::Reload(conf, reply) => {
                let _ = reply.send(self.reload(conf));
            }
            Cmd::Channel { key, cmd } => {
                if let Some(out) = self.pending.remove(&key) {
                    match cmd {
                        tandem_core::ChannelCommand::Call { .. } => self.place_call(now, *out),
                        tandem_core::ChannelCommand::Hangup { .. } => {}
                        _ => {
                            self.pending.insert(key, out);
                        }
                    }
                    return;
                }
                let Some(&lc) = self.keys.get(&key) else {
                    return;
                };
                if let Some(Session::Call(l)) = self.table.get_mut(lc) {
                    if matches!(cmd, tandem_core::ChannelCommand::Hangup { .. }) {
                        l.channel_gone = true;
                    }
                    legs::apply_command(&mut l.call, now, &cmd);
                }
                self.after(now, lc);
            }
        }
    }

    fn place_call(&mut self, now: Instant, out: Outbound) {
        let r = &out.resolved;
        let dial = tandem_iax2::call::Dial {
            called_number: out.target.number.clone().unwrap_or_else(|| "s".to_string()),
            called_context: out.target.context.clone(),
            calling_number: Some(out.caller_num.clone()).filter(|s| !s.is_empty()),
            calling_name: Some(out.caller_name.clone()).filter(|s| !s.is_empty()),
            username: r.username.clone(),
            secret: r.secret.clone(),
            calltoken: r.calltoken,
            ..Default::default()
        };
        let config = tandem_iax2::call::CallConfig {
            capability: super::media::capability(&r.formats).max(tandem_iax2::consts::format::ULAW),
            format: super::media::bit_of(&out.codec).unwrap_or(tandem_iax2::consts::format::ULAW),
            trunk: r.trunk,
            ..Default::default()
        };
        let addr = r.addr;
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel();
        let Outbound {
            key,
            name,
            events,
            media,
            adapter,
            resolved,
            ..
        } = out;
        let built = self.table.insert_with(now, addr, |n| {
            let call = Call::outgoing(now, n, addr, dial, config);
            let mut leg = Leg::new(key, name.clone(), call);
            leg.username = resolved.username.clone().unwrap_or_default();
            leg.events = Some(events.clone());
            leg.media = Some((media.clone(), adapter.clone()));
            leg.stop_adapter = Some(stop_tx);
            Session::Call(Box::new(leg))
        });
        let Ok(lc) = built else {
            tracing::warn!("{name}: no free IAX2 call number");
            let _ = events.try_send(tandem_core::ChannelEvent::Hangup {
                cause: tandem_core::cause::NORMAL_CIRCUIT_CONGESTION,
            });
            return;
        };
        tracing::info!("{name}: calling {addr} (call {lc})");
        super::media::spawn_adapter(key, adapter, self.commands.clone(), stop_rx);
        self.keys.insert(key, lc);
        self.publish_call(lc);
        self.after(now, lc);
    }

    pub(super) fn publish_call(&mut self, lc: u16) {
        let row = match self.table.get(lc) {
            Some(Session::Call(l)) => CallRow {
                channel: l.name.clone(),
                peer: l.call.peer().ip().to_string(),
                username: l.username.clone(),
                local_call: lc,
                peer_call: l.call.peer_call(),
                format: super::media::name_of(l.call.format())
                    .unwrap_or("unknown")
                    .to_string(),
                lag_ms: 0,
                rtt_ms: 0,
                rx_frames: l.rx_frames,
                tx_frames: l.tx_frames,
            },
            _ => return,
        };
        let mut st = self.lock();
        let old = st.calls.insert(lc, row);
        if let (Some(old), Some(new)) = (old, st.calls.get_mut(&lc)) {
            new.lag_ms = old.lag_ms;
            new.rtt_ms = old.rtt_ms;
        }
    }

    /// Drain one session after an input: send its frames, act on its events, free it when it
    /// has ended.
    pub(super) fn after(&mut self, now: Instant, lc: u16) {
        self.after_once(now, lc);
        // Acting on events may have queued frames (AUTHREQ, ACCEPT, REJECT...): send them now.
        self.flush_session(lc);
        self.note_deadline(lc);
    }

    fn flush_session(&mut self, lc: u16) {
        let Some(s) = self.table.get_mut(lc) else {
            return;
        };
        let mut out = Vec::new();
        while let Some(t) = s.poll_transmit() {
            out.push(t);
        }
        for t in &out {
            self.send(t);
        }
    }

    fn after_once(&mut self, now: Instant, lc: u16) {
        let Some(s) = self.table.get_mut(lc) else {
            return;
        };
        let mut out = Vec::new();
        while let Some(t) = s.poll_transmit() {
            out.push(t);
        }
        let peer_call = s.peer_call();
        for t in &out {
            self.send(t);
        }
        if peer_call != 0 {
            self.table.set_peer_call(lc, peer_call);
        }
        match self.table.get_mut(lc) {
            Some(Session::Call(_)) => self.call_events(now, lc),
            Some(Session::RegTxn(_)) => self.registrar_step(now, lc),
            Some(Session::Register { idx, reg }) => {
                let idx = *idx;
                let mut events = Vec::new();
                while let Some(e) = reg.poll_event() {
                    events.push(e);
                }
                let (state, refresh) = (reg.state(), reg.refresh());
                let mut st = self.lock();
                if let Some(row) = st.registry.get_mut(idx) {
                    row.state = regstate_text(state);
                    row.refresh = refresh;
                    for e in events {
                        match e {
                            RegEvent::Registered { apparent_addr, .. } => {
                                tracing::info!(
                                    "IAX2: registered to {} as {}",
                                    row.host,
                                    row.username
                                );
                                row.perceived = apparent_addr;
                            }
                            other => {
                                tracing::warn!("IAX2: registration to {}: {other:?}", row.host);
                                row.perceived = None;
                            }
                        }
                    }
                }
            }
            Some(Session::Poke { peer, q }) => {
                while q.poll_event().is_some() {}
                let ms = match q.status() {
                    PeerStatus::Reachable { ms } | PeerStatus::Lagged { ms } => Some(i64::from(ms)),
                    PeerStatus::Unreachable => Some(-1),
                    PeerStatus::Unknown => None,
                };
                let peer = peer.clone();
                self.lock().set_lastms(&peer, ms);
            }
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_full_frame;
    use tandem_iax2::consts::FrameType;
    use tandem_iax2::frame::{FullFrame, MiniFrame};

    #[test]
    fn only_full_frames_count_towards_the_rate() {
        let full = FullFrame {
            source_call: 5,
            dest_call: 0,
            retransmitted: false,
            timestamp: 3,
            oseqno: 0,
            iseqno: 0,
            frame_type: FrameType::Iax,
            subclass: 1,
            video_marker: false,
            payload: Vec::new(),
        };
        assert!(full.to_bytes().is_ok_and(|b| is_full_frame(&b)));
        let mini = MiniFrame {
            source_call: 5,
            timestamp: 20,
            payload: vec![0xff; 160],
        };
        assert!(mini.to_bytes().is_ok_and(|b| !is_full_frame(&b)));
        // A meta (trunk) frame starts with a zero word; nothing at all is not a full frame.
        assert!(!is_full_frame(&[0, 0, 1, 0]));
        assert!(!is_full_frame(&[]));
    }
}
