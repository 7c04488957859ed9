//! The SIP endpoint task: one UDP socket feeding the sans-IO user agent; timers driven from
//! its next deadline; REGISTER to the registrar (persisted in the store), OPTIONS answered,
//! INVITEs turned into channels that run the dialplan, Dial's legs turned into INVITEs.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use tandem_conf::views::{RtpConf, SipConf};
use tandem_sip::auth::{DigestServer, ServerConfig};
use tandem_sip::event::{Limits, SubKey, Subscriptions};
use tandem_sip::message::{Request, Response, Transport};
use tandem_sip::registrar::{BindingChange, Registrar, StoredBinding};
use tandem_sip::ua::{Refresher, SessionTimerMode, TxnId, UaConfig, UaEvent, UserAgent};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use super::calls::{EndpointCmd, LegTable, SipDriver};
use super::outbound::Clients;
use super::state::{DialogRow, SipState};
use super::tcp::{self, TcpLinks};
use super::{peers, requests};
use crate::channels::World;
use crate::media::PortRange;
use crate::security::Security;
use tandem_security::Service;

/// What other parts of the daemon (the CLI) know of the running driver.
#[derive(Clone)]
pub struct SipHandle {
    /// Commands to the endpoint task (the CLI asks it for `sip show channels`).
    pub commands: mpsc::Sender<EndpointCmd>,
    pub state: Arc<Mutex<SipState>>,
}

/// How many driver commands may wait for the endpoint task.
const COMMAND_QUEUE: usize = 4096;

/// Bind the socket of `[general] bindaddr/bindport`, register the `SIP` technology and start
/// serving.
pub async fn start(
    conf: Arc<SipConf>,
    rtp: &RtpConf,
    world: Arc<World>,
    security: Security,
) -> std::io::Result<SipHandle> {
    let socket = UdpSocket::bind(conf.general.bindaddr).await?;
    let local = socket.local_addr()?;
    tracing::info!("SIP listening on udp {local}");
    let media_ip = media_address(&conf, local);
    let now = Instant::now();
    let epoch = epoch_now();
    let mut registrar = Registrar::new(peers::registrar_config(&conf));
    match world.shared.store.load_registrations() {
        Ok(rows) => {
            let stored: Vec<StoredBinding> = rows.into_iter().map(peers::row_to_stored).collect();
            let kept = registrar.restore(now, epoch, stored.iter());
            let restored = kept.iter().filter(|k| **k).count();
            if restored > 0 {
                tracing::info!("SIP: {restored} registrations restored from the store");
            }
        }
        Err(e) => tracing::warn!("SIP: cannot load registrations: {e}"),
    }
    let state = Arc::new(Mutex::new(SipState::new(&conf)));
    let (cmd_tx, cmd_rx) = mpsc::channel(COMMAND_QUEUE);
    let cmd_tx_handle = cmd_tx.clone();
    let auth_timeout = conf.general.tcpauthtimeout;
    let tcp = TcpLinks::with_security(security.clone(), auth_timeout);
    if let Some(addr) = conf.general.tcp_bind() {
        tcp::listen(addr, tcp.clone(), cmd_tx.clone()).await?;
    }
    let tls = super::tls::start(
        &conf.general.tls,
        SocketAddr::new(media_ip, local.port()),
        TcpLinks::with_security(security.clone(), auth_timeout),
        cmd_tx.clone(),
    )
    .await?;
    let ports = Arc::new(
        PortRange::new(rtp.first_port(), rtp.last_port())
            .with_latch(crate::media::relay::latch_config(rtp)),
    );
    let next_key = Arc::new(AtomicU64::new(1));
    let legs = LegTable::default();
    world
        .registry
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .add(Arc::new(SipDriver {
            conf: conf.clone(),
            per_peer: legs.per_peer.clone(),
            state: state.clone(),
            commands: cmd_tx.clone(),
            ports: ports.clone(),
            media_ip,
            next_key: next_key.clone(),
        }));
    let ua_local = SocketAddr::new(media_ip, local.port());
    let seed = epoch ^ u64::from(local.port()).rotate_left(32);
    let mut ua_config = UaConfig::new(ua_local, seed);
    // Finished transactions linger 32 s (timer K/J): the table must hold rate x 32 s x ~3
    // transactions per call; these bounds carry several hundred calls per second.
    ua_config.max_transactions = 65_536;
    ua_config.max_calls = 8_192;
    ua_config.user_agent = conf.general.useragent.clone();
    let g = &conf.general;
    ua_config.session_timers = match g.session_timers {
        tandem_conf::views::sip::SessionTimers::Accept => SessionTimerMode::Accept,
        tandem_conf::views::sip::SessionTimers::Originate => SessionTimerMode::Originate,
        tandem_conf::views::sip::SessionTimers::Refuse => SessionTimerMode::Refuse,
    };
    ua_config.session_expires = g.session_expires;
    ua_config.min_se = g.session_minse;
    ua_config.refresher = if g.session_refresher_uac {
        Refresher::Uac
    } else {
        Refresher::Uas
    };
    let clients = Clients::new(
        &conf,
        ua_local,
        &conf.general.useragent,
        seed.rotate_left(17),
        now,
    )
    .await;
    let mut endpoint = Endpoint {
        socket,
        ua: UserAgent::new(ua_config),
        auth: DigestServer::new(
            ServerConfig {
                realm: conf.general.realm.clone(),
                // sip.conf `supported_algorithms_uas` (IANA names checked when the file loaded).
                algorithms: conf
                    .general
                    .auth_algorithms
                    .iter()
                    .filter_map(|name| tandem_sip::auth::Algorithm::from_token(name))
                    .collect(),
                ..ServerConfig::default()
            },
            &random_secret(),
        ),
        registrar,
        tcp,
        tls,
        clients,
        conf,
        world,
        state: state.clone(),
        legs,
        cmd_rx,
        cmd_tx,
        ports,
        media_ip,
        next_key,
        seen_generation: 0,
        subs: Subscriptions::new(Limits::default()),
        sub_contexts: HashMap::new(),
        sub_txns: HashMap::new(),
        sub_states: HashMap::new(),
        security: security.clone(),
        strangers_dropped: 0,
    };
    endpoint.publish_bindings();
    endpoint.publish_clients(now);
    super::mwi::spawn_forwarder(cmd_tx_handle.clone());
    tokio::spawn(endpoint.run());
    Ok(SipHandle {
        commands: cmd_tx_handle,
        state,
    })
}

/// The address written into SDP and Contact: `externaddr`, else the bound address, else
/// loopback (with a warning: phones elsewhere could not reach it).
fn media_address(conf: &SipConf, local: SocketAddr) -> IpAddr {
    if let Some((ip, _)) = conf.general.externaddr {
        return ip;
    }
    if !local.ip().is_unspecified() {
        return local.ip();
    }
    tracing::warn!("SIP: bindaddr is a wildcard and no externaddr is set: SDP will say 127.0.0.1");
    IpAddr::V4(Ipv4Addr::LOCALHOST)
}

pub(super) fn epoch_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Key material for nonces: 32 bytes from the kernel.
fn random_secret() -> Vec<u8> {
    use std::io::Read;
    let mut bytes = vec![0u8; 32];
    if std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .is_err()
    {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        bytes = t.to_le_bytes().repeat(2);
    }
    bytes
}

pub(super) struct Endpoint {
    socket: UdpSocket,
    pub(super) ua: UserAgent,
    pub(super) auth: DigestServer,
    pub(super) registrar: Registrar,
    tcp: TcpLinks,
    tls: super::tls::TlsLinks,
    clients: Clients,
    pub(super) conf: Arc<SipConf>,
    pub(super) world: Arc<World>,
    pub(super) state: Arc<Mutex<SipState>>,
    pub(super) legs: LegTable<tandem_sip::ua::CallId>,
    cmd_rx: mpsc::Receiver<EndpointCmd>,
    pub(super) cmd_tx: mpsc::Sender<EndpointCmd>,
    pub(super) ports: Arc<PortRange>,
    pub(super) media_ip: IpAddr,
    pub(super) next_key: Arc<AtomicU64>,
    seen_generation: u64,
    /// BLF subscriptions, the context each one's hint lives in, and our NOTIFYs in flight.
    pub(super) subs: Subscriptions,
    pub(super) sub_contexts: HashMap<SubKey, String>,
    pub(super) sub_txns: HashMap<TxnId, SubKey>,
    /// The last state each subscription was told.
    pub(super) sub_states: HashMap<SubKey, tandem_sip::event::ExtensionState>,
    /// Bans, scanners, authentication failures.
    pub(super) security: Security,
    /// New requests from strangers dropped while the transaction table was over their share
    /// (`quota`).
    strangers_dropped: u64,
}

impl Endpoint {
    async fn run(mut self) {
        let mut buf = vec![0u8; tandem_sip::message::MAX_MESSAGE_SIZE + 1];
        loop {
            let now = Instant::now();
            if self.clients.poll(now, &mut self.ua) {
                self.publish_clients(now);
            }
            self.drain().await;
            let wake = [
                self.ua.poll_timeout(),
                self.registrar.next_expiry(),
                self.clients.poll_timeout(),
                self.subs.poll_timeout(),
            ]
            .into_iter()
            .flatten()
            .min();
            let sleep = async {
                match wake {
                    Some(at) => tokio::time::sleep_until(at.into()).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                received = self.socket.recv_from(&mut buf) => match received {
                    Ok((n, source)) => self.handle_datagram(&buf[..n], source),
                    Err(e) => tracing::warn!("SIP socket: {e}"),
                },
                cmd = self.cmd_rx.recv() => match cmd {
                    Some(cmd) => self.handle_command(Instant::now(), cmd),
                    None => return,
                },
                () = sleep => {
                    let now = Instant::now();
                    self.ua.handle_timeout(now);
                    self.clients.handle_timeout(now);
                    self.expire_subscriptions(now);
                    let expired = self.registrar.expire(now);
                    self.apply_changes(&expired);
                }
            }
            self.drain().await;
        }
    }

    fn handle_datagram(&mut self, datagram: &[u8], source: SocketAddr) {
        // Before any parsing: a banned source, or a scanner, gets no answer at all.
        if !self.security.admit_sip(Instant::now(), datagram, source) {
            return;
        }
        if datagram.iter().all(|b| b.is_ascii_whitespace()) {
            return; // CRLF keep-alive
        }
        if datagram.len() > tandem_sip::message::MAX_MESSAGE_SIZE {
            tracing::info!(
                "SIP: dropped a datagram over {} bytes from {source}",
                tandem_sip::message::MAX_MESSAGE_SIZE
            );
            return;
        }
        let txns = self.ua.transactions();
        if !super::quota::stranger_admitted(txns.len(), txns.config().max_transactions, datagram)
            && !self.security.is_trusted_sip(source.ip())
        {
            self.strangers_dropped += 1;
            if self.strangers_dropped.is_power_of_two() {
                tracing::warn!(
                    "SIP: transaction table over 3/4 full ({} of {}): dropped {} new request(s) \
                     from addresses that are no static peer's",
                    txns.len(),
                    txns.config().max_transactions,
                    self.strangers_dropped
                );
            }
            return;
        }
        crate::metrics::sip_in(datagram);
        self.ua.handle_datagram(Instant::now(), datagram, source);
    }

    /// Act on the UA's events and send what it has to send, until both are empty.
    async fn drain(&mut self) {
        loop {
            let mut progressed = false;
            while let Some(event) = self.ua.poll_event() {
                progressed = true;
                self.handle_event(Instant::now(), event);
            }
            while let Some(t) = self.ua.poll_transmit() {
                progressed = true;
                crate::metrics::sip_out(&t.bytes);
                if t.transport == Transport::Tcp {
                    self.tcp
                        .send_or_connect(t.dest, t.bytes, t.txn, &self.cmd_tx);
                } else if t.transport == Transport::Tls {
                    self.tls
                        .send_or_connect(t.dest, t.bytes, t.txn, &self.cmd_tx);
                } else if let Err(e) = self.socket.send_to(&t.bytes, t.dest).await {
                    tracing::warn!("SIP: send to {}: {e}", t.dest);
                }
            }
            if !progressed {
                break;
            }
        }
        self.after_changes();
        self.publish_table_sizes();
    }

    /// The sizes of the UA's and the driver's tables, for `/metrics`.
    fn publish_table_sizes(&self) {
        use std::sync::atomic::Ordering::Relaxed;
        let t = &crate::metrics::TABLES;
        let txns = self.ua.transactions().len();
        t.sip_transactions.store(txns as u64, Relaxed);
        t.sip_dialogs.store(self.ua.calls() as u64, Relaxed);
        t.sip_legs.store(self.legs.legs.len() as u64, Relaxed);
    }

    /// After a batch of messages: busy lamps follow the calls (only when calls changed and
    /// someone is watching).
    fn after_changes(&mut self) {
        if self.legs.generation == self.seen_generation {
            return;
        }
        self.seen_generation = self.legs.generation;
        if self.subs.iter().next().is_some() {
            self.update_subscriptions(Instant::now());
        }
    }

    /// `sip show channelstats`: the calls whose media tandem handles, with their RTP
    /// statistics.
    pub(super) fn show_channelstats(&self) -> String {
        let rows: Vec<crate::media::stats::StatsRow> = self
            .legs
            .legs
            .iter()
            .map(|(key, leg)| crate::media::stats::StatsRow {
                peer: leg.remote.clone(),
                call_id: self
                    .legs
                    .calls
                    .get(key)
                    .and_then(|c| self.ua.sip_call_id(*c))
                    .unwrap_or("(not yet)")
                    .to_string(),
                stats: leg.media.stats(),
            })
            .collect();
        crate::media::stats::show_channelstats(&rows)
    }

    /// `sip show channels`, built when asked.
    pub(super) fn show_channels(&self) -> String {
        let rows: Vec<DialogRow> = self
            .legs
            .legs
            .iter()
            .map(|(key, leg)| DialogRow {
                peer: leg.remote.clone(),
                user: leg.peer.clone(),
                call_id: self
                    .legs
                    .calls
                    .get(key)
                    .and_then(|c| self.ua.sip_call_id(*c))
                    .unwrap_or("(not yet)")
                    .to_string(),
                format: format!("({})", leg.format),
                answered: leg.answered,
            })
            .collect();
        super::state::show_channels(&rows)
    }

    fn handle_event(&mut self, now: Instant, event: UaEvent) {
        match event {
            UaEvent::Request {
                txn,
                request,
                source,
            } if request.method == tandem_sip::message::Method::Subscribe => {
                self.note_auth_failure(now, &request, source, "SUBSCRIBE");
                self.subscribe(now, txn, &request, source);
            }
            UaEvent::Request {
                txn,
                request,
                source,
            } => {
                let response = requests::out_of_dialog(self, now, &request, source);
                if let Err(e) = self.ua.respond(now, txn, response) {
                    tracing::warn!("SIP: cannot respond in {txn}: {e}");
                }
            }
            UaEvent::IncomingCall {
                call,
                request,
                source,
            } => {
                self.note_auth_failure(now, &request, source, "INVITE");
                self.incoming_call(now, call, &request, source)
            }
            UaEvent::Response { txn, ref response } if self.sub_txns.contains_key(&txn) => {
                let status = response.status;
                if status >= 200 {
                    self.notify_answered(now, txn, Some(status));
                }
            }
            UaEvent::RequestTimeout { txn } if self.sub_txns.contains_key(&txn) => {
                self.notify_answered(now, txn, None);
            }
            UaEvent::Response { .. } | UaEvent::RequestTimeout { .. } => {
                if self.clients.handle_event(now, &event) {
                    self.publish_clients(now);
                }
            }
            other => self.call_event(now, other),
        }
    }

    /// Registrations that changed: into the store, and into what `sip show peers` shows.
    pub(super) fn apply_changes(&mut self, changes: &[BindingChange]) {
        if changes.is_empty() {
            return;
        }
        for change in changes {
            let stored = change.binding().to_stored();
            let result = match change {
                BindingChange::Added(_) | BindingChange::Refreshed(_) => self
                    .world
                    .shared
                    .store
                    .save_registration(&peers::stored_to_row(&stored)),
                BindingChange::Removed { .. } => self
                    .world
                    .shared
                    .store
                    .delete_registration(&stored.aor, &stored.contact)
                    .map(|_| ()),
            };
            if let Err(e) = result {
                tracing::warn!("SIP: store: registration of {}: {e}", stored.aor);
            }
        }
        self.publish_bindings();
        // A peer with mailbox= that (re-)registered learns its mailboxes' state.
        for change in changes {
            if let BindingChange::Added(_) = change {
                let aor = change.binding().aor.clone();
                self.mwi_on_register(Instant::now(), &aor);
            }
        }
    }

    /// Registry rows and qualify results into what the CLI shows.
    fn publish_clients(&self, now: Instant) {
        let local_epoch = crate::localtime::now();
        let rows = self
            .clients
            .registry(now, local_epoch.epoch + i64::from(local_epoch.utc_offset));
        let status = self.clients.peer_status();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        crate::ami::events::registry_changes(&self.world, &state.registry, &rows);
        state.registry = rows;
        for (peer, text) in status {
            if let Some(row) = state.peers.iter_mut().find(|p| p.name == peer) {
                row.status = text;
            }
        }
    }

    fn publish_bindings(&mut self) {
        {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            let before: Vec<_> = state.peers.iter().map(|p| p.addr).collect();
            state.update_bindings(&self.registrar);
            let after = state.peers.iter().map(|p| (p.name.as_str(), p.addr));
            crate::ami::events::peer_changes(&self.world, &before, after);
        }
        self.update_subscriptions(Instant::now());
    }

    /// Feed the ban engine when `req` carries credentials that [`inbound::admit`] will
    /// refuse (403): the same decision, made once more here so that legs.rs and hints.rs
    /// answer exactly as before. Requests without credentials cost nothing.
    fn note_auth_failure(&self, now: Instant, req: &Request, source: SocketAddr, method: &str) {
        if let Some(user) =
            super::inbound::auth_failure(&self.conf, &self.auth, req, source, epoch_now(), method)
        {
            self.security
                .auth_failed(now, Service::Sip, source.ip(), method, &user);
            crate::ami::security::sip_auth_failed(
                &self.world,
                req,
                self.conf.general.bindaddr,
                source,
            );
        }
    }

    /// A response with tandem's Server header.
    pub(super) fn reply(&self, req: &Request, status: u16, reason: &str) -> Response {
        Response::from_request(req, status, reason)
            .with_header("Server", self.conf.general.useragent.as_str())
    }
}
