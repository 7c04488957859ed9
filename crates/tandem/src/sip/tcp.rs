//! SIP over TCP: a listener, one reader and one writer task per connection, messages cut by
//! the protocol crate's framer (64 KiB at most) and handed to the endpoint task; what the UA
//! sends over TCP goes out on the connection it names. TLS ([`super::tls`]) runs the same
//! connection code ([`serve`]) over a TLS stream.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tandem_sip::message::stream::{Frame, Framer};
use tandem_sip::message::Transport;
use tandem_sip::ua::TxnId;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use super::calls::EndpointCmd;

/// Connections at most, and per source address (a stranger cannot open unbounded ones).
const MAX_CONNECTIONS: usize = 1024;
const MAX_PER_SOURCE: usize = 32;
/// A connection with nothing read for this long is closed.
const IDLE: Duration = Duration::from_secs(600);
/// Messages waiting to be written on one connection.
pub(super) const WRITE_QUEUE: usize = 256;

/// The open connections, by remote address.
#[derive(Clone)]
pub struct TcpLinks {
    conns: Arc<Mutex<HashMap<SocketAddr, mpsc::Sender<Vec<u8>>>>>,
    /// The ban engine: banned sources are not accepted, and every message is screened as a
    /// UDP datagram is (no answer to a banned source or a scanner).
    pub(super) security: Option<crate::security::Security>,
    /// `tcpauthtimeout`: an accepted connection that has sent no complete message by then is
    /// closed (chan_sip closes one that has not authenticated by then).
    auth_timeout: Duration,
    /// Connections refused for the limits so far (logged at powers of two, not one line each:
    /// a flood must not become a log flood).
    refused: Arc<AtomicU64>,
}

impl TcpLinks {
    /// Links screened by `security`, closing silent accepted connections after
    /// `auth_timeout_s` seconds (`tcpauthtimeout`).
    pub fn with_security(security: crate::security::Security, auth_timeout_s: u32) -> Self {
        TcpLinks {
            conns: Arc::default(),
            security: Some(security),
            auth_timeout: Duration::from_secs(u64::from(auth_timeout_s.max(1))),
            refused: Arc::default(),
        }
    }

    /// An accepted connection from `peer` was refused (limits reached): say so now and then.
    pub(super) fn note_refused(&self, what: &str, peer: SocketAddr) {
        let n = self.refused.fetch_add(1, Ordering::Relaxed) + 1;
        if n.is_power_of_two() {
            tracing::warn!(
                "SIP {what}: refused a connection from {peer} (limit reached: {MAX_PER_SOURCE} \
                 per source, {MAX_CONNECTIONS} in all); {n} refused so far"
            );
        }
    }

    /// How long the first complete message may take on a connection: `tcpauthtimeout` for
    /// one a client opened to us, the idle timeout for one tandem opened (chan_sip applies
    /// no authentication timeout to its own client connections).
    pub(super) fn first_message_within(&self, accepted: bool) -> Duration {
        if accepted {
            self.auth_timeout.min(IDLE)
        } else {
            IDLE
        }
    }

    /// Whether SIP must drop everything from `peer` (banned by any service).
    pub(super) fn is_banned(&self, peer: SocketAddr) -> bool {
        self.security
            .as_ref()
            .is_some_and(|s| s.is_banned(tandem_security::Service::Sip, peer.ip()))
    }

    /// Whether a message (or, with empty `bytes`, a connection) from `peer` may go on.
    fn screen(&self, bytes: &[u8], peer: SocketAddr) -> bool {
        self.security
            .as_ref()
            .is_none_or(|s| s.admit_sip(std::time::Instant::now(), bytes, peer))
    }

    /// Queue `bytes` for the connection to `dest`; false when there is none (or it is full).
    pub fn send(&self, dest: SocketAddr, bytes: Vec<u8>) -> bool {
        let conns = self.conns.lock().unwrap_or_else(PoisonError::into_inner);
        conns
            .get(&dest)
            .is_some_and(|tx| tx.try_send(bytes).is_ok())
    }

    /// Send over the connection to `dest`, opening one first when there is none (requests
    /// tandem originates to a TCP peer). When the connection cannot be opened, transaction
    /// `txn` (the sender) fails at once ([`transport_failed`]).
    pub fn send_or_connect(
        &self,
        dest: SocketAddr,
        bytes: Vec<u8>,
        txn: Option<TxnId>,
        to_endpoint: &mpsc::Sender<EndpointCmd>,
    ) {
        if self.send(dest, bytes.clone()) {
            return;
        }
        let links = self.clone();
        let to = to_endpoint.clone();
        tokio::spawn(async move {
            let stream =
                match tokio::time::timeout(Duration::from_secs(10), TcpStream::connect(dest)).await
                {
                    Ok(Ok(s)) => s,
                    Ok(Err(e)) => {
                        tracing::warn!("SIP tcp: cannot connect to {dest}: {e}");
                        return transport_failed(&to, txn).await;
                    }
                    Err(_) => {
                        tracing::warn!("SIP tcp: connecting to {dest} timed out");
                        return transport_failed(&to, txn).await;
                    }
                };
            let (tx, rx) = mpsc::channel(WRITE_QUEUE);
            if !links.admit(dest, tx.clone()) {
                tracing::warn!("SIP tcp: connection limit reached, not connecting to {dest}");
                return transport_failed(&to, txn).await;
            }
            let _ = tx.try_send(bytes);
            serve(stream, dest, rx, links, to, Transport::Tcp, false).await;
        });
    }

    pub(super) fn admit(&self, peer: SocketAddr, tx: mpsc::Sender<Vec<u8>>) -> bool {
        let mut conns = self.conns.lock().unwrap_or_else(PoisonError::into_inner);
        let from_source = conns.keys().filter(|a| a.ip() == peer.ip()).count();
        if conns.len() >= MAX_CONNECTIONS || from_source >= MAX_PER_SOURCE {
            return false;
        }
        conns.insert(peer, tx);
        true
    }

    pub(super) fn forget(&self, peer: SocketAddr) {
        self.conns
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&peer);
    }
}

/// What transaction `txn` sent never left (its connection could not be opened): the endpoint
/// fails the transaction now, as chan_sip fails a call whose INVITE it cannot transmit
/// (`XMIT_ERROR`), rather than after Timer B's 32 s.
pub(super) async fn transport_failed(to: &mpsc::Sender<EndpointCmd>, txn: Option<TxnId>) {
    if let Some(txn) = txn {
        let _ = to.send(EndpointCmd::TransportError(txn)).await;
    }
}

/// Listen on `addr` and serve connections until the endpoint goes away.
pub async fn listen(
    addr: SocketAddr,
    links: TcpLinks,
    to_endpoint: mpsc::Sender<EndpointCmd>,
) -> std::io::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    tracing::info!("SIP listening on tcp {}", listener.local_addr()?);
    tokio::spawn(async move {
        loop {
            let (stream, peer) = match listener.accept().await {
                Ok(c) => c,
                Err(e) => {
                    accept_failed("tcp", &e).await;
                    continue;
                }
            };
            if links.is_banned(peer) {
                continue; // dropped unanswered: the connection closes
            }
            let (tx, rx) = mpsc::channel(WRITE_QUEUE);
            if !links.admit(peer, tx) {
                links.note_refused("tcp", peer);
                continue;
            }
            tokio::spawn(serve(
                stream,
                peer,
                rx,
                links.clone(),
                to_endpoint.clone(),
                Transport::Tcp,
                true,
            ));
        }
    });
    Ok(())
}

/// An accept that failed (out of file descriptors, most likely): said once a second at most,
/// and the listener pauses a little instead of spinning on the error.
pub(super) async fn accept_failed(what: &str, e: &std::io::Error) {
    static LAST: Mutex<Option<std::time::Instant>> = Mutex::new(None);
    let now = std::time::Instant::now();
    let say = {
        let mut last = LAST.lock().unwrap_or_else(PoisonError::into_inner);
        let due = last.is_none_or(|t| now.duration_since(t) >= Duration::from_secs(1));
        if due {
            *last = Some(now);
        }
        due
    };
    if say {
        tracing::warn!("SIP {what} accept: {e}");
    }
    tokio::time::sleep(Duration::from_millis(10)).await;
}

/// Serve one connection (TCP, or TLS after its handshake) until it closes or idles out.
/// `accepted`: a client opened it to us (its first message is due within `tcpauthtimeout`).
pub(super) async fn serve<S>(
    stream: S,
    peer: SocketAddr,
    mut rx: mpsc::Receiver<Vec<u8>>,
    links: TcpLinks,
    to: mpsc::Sender<EndpointCmd>,
    transport: Transport,
    accepted: bool,
) where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let (mut reader, mut writer) = tokio::io::split(stream);
    let writer_task = tokio::spawn(async move {
        while let Some(bytes) = rx.recv().await {
            // TLS buffers records: flushed after each message (a no-op for TCP).
            if writer.write_all(&bytes).await.is_err() || writer.flush().await.is_err() {
                break;
            }
        }
    });
    let mut framer = Framer::new();
    let mut buf = vec![0u8; 16 * 1024];
    // Until its first complete message, a connection has `tcpauthtimeout` in all; after
    // that, each read may wait up to the idle timeout.
    let first_by = tokio::time::Instant::now() + links.first_message_within(accepted);
    let mut talked = false;
    loop {
        let wait = if talked {
            tokio::time::sleep(IDLE)
        } else {
            tokio::time::sleep_until(first_by)
        };
        let n = match tokio::select! {
            r = reader.read(&mut buf) => Some(r),
            () = wait => None,
        } {
            None => {
                if !talked {
                    tracing::debug!("SIP {transport:?} {peer}: nothing within tcpauthtimeout");
                }
                break;
            }
            Some(Ok(0)) => break,
            Some(Ok(n)) => n,
            Some(Err(e)) => {
                tracing::debug!("SIP tcp {peer}: {e}");
                break;
            }
        };
        framer.push(&buf[..n]);
        loop {
            match framer.next_frame() {
                Ok(Some(Frame::Message(bytes))) => {
                    talked = true;
                    if !links.screen(&bytes, peer) {
                        // Banned (now) or a scanner: no answer, and no more of this connection.
                        links.forget(peer);
                        writer_task.abort();
                        return;
                    }
                    let cmd = EndpointCmd::Incoming {
                        bytes,
                        source: peer,
                        transport: transport.clone(),
                    };
                    if to.send(cmd).await.is_err() {
                        break;
                    }
                }
                Ok(Some(Frame::KeepAlive)) => {
                    // RFC 5626 pong.
                    links.send(peer, b"\r\n".to_vec());
                }
                Ok(None) => break,
                Err(e) => {
                    tracing::info!("SIP tcp {peer}: {e}; closing");
                    links.forget(peer);
                    writer_task.abort();
                    return;
                }
            }
        }
    }
    links.forget(peer);
    writer_task.abort();
}
