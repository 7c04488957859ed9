//! The SIP endpoint task: one UDP socket feeding the sans-IO transaction layer; timers driven
//! from its next deadline; REGISTER to the registrar (persisted in the store), OPTIONS
//! answered, bad input answered with 400.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use tandem_conf::views::SipConf;
use tandem_core::Shared;
use tandem_sip::auth::{DigestServer, ServerConfig};
use tandem_sip::message::{self, Message, Method, Policy, Request, Response, Transport};
use tandem_sip::registrar::{BindingChange, Registrar, RegisterStatus, Source, StoredBinding};
use tandem_sip::transaction::{self, TransactionLayer, TxnEvent, TxnId};
use tokio::net::UdpSocket;

use super::peers;
use super::state::SipState;

/// What other parts of the daemon (the CLI) know of the running driver.
#[derive(Clone)]
pub struct SipHandle {
    pub local: SocketAddr,
    pub state: Arc<Mutex<SipState>>,
}

/// Methods chan_sip lists in Allow.
const ALLOW: &str = "INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, SUBSCRIBE, NOTIFY, INFO, PUBLISH, MESSAGE";

/// Bind the socket of `[general] bindaddr/bindport` and start serving.
pub async fn start(conf: Arc<SipConf>, shared: Arc<Shared>) -> std::io::Result<SipHandle> {
    let socket = UdpSocket::bind(conf.general.bindaddr).await?;
    let local = socket.local_addr()?;
    tracing::info!("SIP listening on udp {local}");
    let now = Instant::now();
    let epoch = epoch_now();
    let mut registrar = Registrar::new(peers::registrar_config(&conf));
    match shared.store.load_registrations() {
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
    let endpoint = Endpoint {
        socket,
        auth: DigestServer::new(
            ServerConfig { realm: conf.general.realm.clone(), ..ServerConfig::default() },
            &random_secret(),
        ),
        layer: TransactionLayer::new(transaction::Config::default(), epoch ^ u64::from(local.port())),
        registrar,
        conf,
        shared,
        state: state.clone(),
        tag_seq: 0,
    };
    endpoint.publish_bindings();
    tokio::spawn(endpoint.run());
    Ok(SipHandle { local, state })
}

fn epoch_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Key material for nonces: 32 bytes from the kernel.
fn random_secret() -> Vec<u8> {
    use std::io::Read;
    let mut bytes = vec![0u8; 32];
    if std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes)).is_err() {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        bytes = t.to_le_bytes().repeat(2);
    }
    bytes
}

struct Endpoint {
    socket: UdpSocket,
    auth: DigestServer,
    layer: TransactionLayer,
    registrar: Registrar,
    conf: Arc<SipConf>,
    shared: Arc<Shared>,
    state: Arc<Mutex<SipState>>,
    tag_seq: u64,
}

impl Endpoint {
    async fn run(mut self) {
        let mut buf = vec![0u8; message::MAX_MESSAGE_SIZE + 1];
        loop {
            let wake = [self.layer.poll_timeout(), self.registrar.next_expiry()].into_iter().flatten().min();
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
                () = sleep => {
                    let now = Instant::now();
                    self.layer.handle_timeout(now);
                    let expired = self.registrar.expire(now);
                    self.apply_changes(&expired);
                }
            }
            self.drain().await;
        }
    }

    fn handle_datagram(&mut self, datagram: &[u8], source: SocketAddr) {
        if datagram.iter().all(|b| b.is_ascii_whitespace()) {
            return; // CRLF keep-alive
        }
        if datagram.len() > message::MAX_MESSAGE_SIZE {
            tracing::info!("SIP: dropped a datagram over {} bytes from {source}", message::MAX_MESSAGE_SIZE);
            return;
        }
        match message::parse(datagram) {
            Err(e) => {
                tracing::info!("SIP: bad message from {source}: {e}");
                if let Some(resp) = message::bad_request_response(datagram, &e) {
                    self.layer.send_stateless(&Message::Response(resp), source, Transport::Udp);
                }
            }
            Ok(Message::Request(req)) if req.method != Method::Ack => {
                if let Err(rejection) = message::validate_request_with(&req, &Policy::DEFAULT) {
                    let resp = rejection.to_response(&req);
                    self.layer.send_stateless(&Message::Response(resp), source, Transport::Udp);
                    return;
                }
                self.layer.handle_incoming(Instant::now(), Message::Request(req), source, Transport::Udp);
            }
            Ok(msg) => self.layer.handle_incoming(Instant::now(), msg, source, Transport::Udp),
        }
    }

    /// Send what the layer has to send, and act on its events.
    async fn drain(&mut self) {
        loop {
            let mut progressed = false;
            while let Some(event) = self.layer.poll_event() {
                progressed = true;
                self.handle_event(event);
            }
            while let Some(t) = self.layer.poll_transmit() {
                progressed = true;
                if let Err(e) = self.socket.send_to(&t.bytes, t.dest).await {
                    tracing::warn!("SIP: send to {}: {e}", t.dest);
                    if let Some(txn) = t.txn {
                        self.layer.handle_transport_error(Instant::now(), txn);
                    }
                }
            }
            if !progressed {
                break;
            }
        }
    }

    fn handle_event(&mut self, event: TxnEvent) {
        match event {
            TxnEvent::Request { txn, request, source, transport } => self.handle_request(txn, &request, source, transport),
            TxnEvent::Overloaded { source, answered } => {
                tracing::warn!("SIP: transaction table full; request from {source} refused (answered: {answered})");
            }
            other => tracing::debug!("SIP: {other:?}"),
        }
    }

    fn handle_request(&mut self, txn: TxnId, req: &Request, source: SocketAddr, transport: Transport) {
        let now = Instant::now();
        let response = match req.method {
            Method::Options => self
                .reply(req, 200, "OK")
                .with_header("Allow", ALLOW)
                .with_header("Supported", "replaces, timer")
                .with_header("Accept", "application/sdp"),
            Method::Register => {
                let conf = self.conf.clone();
                let outcome = self.registrar.handle_register(
                    now,
                    epoch_now(),
                    req,
                    &Source { addr: source, transport },
                    &self.auth,
                    |name| peers::register_peer(&conf, name, source.ip()),
                );
                log_register(&outcome.status, outcome.aor.as_deref(), source);
                self.apply_changes(&outcome.changes);
                outcome.response.with_header("Server", self.conf.general.useragent.as_str())
            }
            _ => self.reply(req, 501, "Not Implemented"),
        };
        if let Err(e) = self.layer.respond(now, txn, response) {
            tracing::warn!("SIP: cannot respond in {txn}: {e}");
        }
    }

    /// Registrations that changed: into the store, and into what `sip show peers` shows.
    fn apply_changes(&mut self, changes: &[BindingChange]) {
        if changes.is_empty() {
            return;
        }
        for change in changes {
            let stored = change.binding().to_stored();
            let result = match change {
                BindingChange::Added(_) | BindingChange::Refreshed(_) => {
                    self.shared.store.save_registration(&peers::stored_to_row(&stored))
                }
                BindingChange::Removed { .. } => {
                    self.shared.store.delete_registration(&stored.aor, &stored.contact).map(|_| ())
                }
            };
            if let Err(e) = result {
                tracing::warn!("SIP: store: registration of {}: {e}", stored.aor);
            }
        }
        self.publish_bindings();
    }

    fn publish_bindings(&self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.update_bindings(&self.registrar);
    }

    /// A response with tandem's To tag and Server header.
    fn reply(&mut self, req: &Request, status: u16, reason: &str) -> Response {
        let mut resp = Response::from_request(req, status, reason);
        self.tag_seq += 1;
        resp.set_to_tag(&format!("tdm{:x}", self.tag_seq));
        resp.with_header("Server", self.conf.general.useragent.as_str())
    }
}

/// One stable line per registration event (readable by fail2ban-style tools too).
fn log_register(status: &RegisterStatus, aor: Option<&str>, source: SocketAddr) {
    let aor = aor.unwrap_or("-");
    match status {
        RegisterStatus::Registered => tracing::info!("SIP REGISTER ok peer={aor} from={source}"),
        RegisterStatus::Unregistered => tracing::info!("SIP REGISTER removed peer={aor} from={source}"),
        RegisterStatus::Query => tracing::debug!("SIP REGISTER query peer={aor} from={source}"),
        RegisterStatus::Challenged { .. } => tracing::debug!("SIP REGISTER challenged peer={aor} from={source}"),
        RegisterStatus::AuthFailed { .. } => tracing::warn!("SIP REGISTER auth-failed peer={aor} from={source}"),
        RegisterStatus::Rejected | RegisterStatus::BadRequest => {
            tracing::info!("SIP REGISTER rejected peer={aor} from={source}")
        }
    }
}
