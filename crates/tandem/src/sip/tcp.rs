//! SIP over TCP: a listener, one reader and one writer task per connection, messages cut by
//! the protocol crate's framer (64 KiB at most) and handed to the endpoint task; what the UA
//! sends over TCP goes out on the connection it names. TLS ([`super::tls`]) runs the same
//! connection code ([`serve`]) over a TLS stream.

use std::collections::HashMap;
use std::net::SocketAddr;
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
#[derive(Clone, Default)]
pub struct TcpLinks {
    conns: Arc<Mutex<HashMap<SocketAddr, mpsc::Sender<Vec<u8>>>>>,
    /// The ban engine: banned sources are not accepted, and every message is screened as a
    /// UDP datagram is (no answer to a banned source or a scanner).
    pub(super) security: Option<crate::security::Security>,
}

impl TcpLinks {
    pub fn with_security(security: crate::security::Security) -> Self {
        TcpLinks {
            conns: Arc::default(),
            security: Some(security),
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
            serve(stream, dest, rx, links, to, Transport::Tcp).await;
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
                    tracing::warn!("SIP tcp accept: {e}");
                    continue;
                }
            };
            if links.is_banned(peer) {
                continue; // dropped unanswered: the connection closes
            }
            let (tx, rx) = mpsc::channel(WRITE_QUEUE);
            if !links.admit(peer, tx) {
                tracing::warn!("SIP tcp: refused a connection from {peer} (limit reached)");
                continue;
            }
            tokio::spawn(serve(
                stream,
                peer,
                rx,
                links.clone(),
                to_endpoint.clone(),
                Transport::Tcp,
            ));
        }
    });
    Ok(())
}

/// Serve one connection (TCP, or TLS after its handshake) until it closes or idles out.
pub(super) async fn serve<S>(
    stream: S,
    peer: SocketAddr,
    mut rx: mpsc::Receiver<Vec<u8>>,
    links: TcpLinks,
    to: mpsc::Sender<EndpointCmd>,
    transport: Transport,
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
    loop {
        let n = match tokio::time::timeout(IDLE, reader.read(&mut buf)).await {
            Ok(Ok(0)) | Err(_) => break,
            Ok(Ok(n)) => n,
            Ok(Err(e)) => {
                tracing::debug!("SIP tcp {peer}: {e}");
                break;
            }
        };
        framer.push(&buf[..n]);
        loop {
            match framer.next_frame() {
                Ok(Some(Frame::Message(bytes))) => {
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
