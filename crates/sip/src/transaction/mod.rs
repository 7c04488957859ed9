//! The RFC 3261 sec. 17 transaction layer, sans-IO (with the RFC 6026 `Accepted` states).
//!
//! One file per machine: [`client_invite`] (17.1.1), [`client_non_invite`] (17.1.2),
//! [`server_invite`] (17.2.1), [`server_non_invite`] (17.2.2); [`timers`] holds the timer enum
//! and the per-transaction deadline table; [`matching`] the 17.1.3 / 17.2.3 keys (with the
//! RFC 2543 fallback) and the 18.2 response address; [`layer`] the [`TransactionLayer`] that
//! routes messages to machines.
//!
//! # Drive-loop contract
//!
//! Nothing here reads a clock or touches a socket. The driver passes `now` into every call,
//! and after **every** input (`handle_incoming`, `send_request`, `respond`, `handle_timeout`,
//! `handle_transport_error`) drains the outputs: `poll_transmit` until `None` (write each
//! [`Transmit`] to its transport), `poll_event` until `None` (hand each [`TxnEvent`] to the
//! transaction user), then asks `poll_timeout` and sleeps until that instant or the next
//! datagram, whichever comes first.
//!
//! A runnable example of this loop is `examples/transaction_drive.rs`
//! (`cargo run -p tandem-sip --example transaction_drive`).

pub mod client_invite;
pub mod client_non_invite;
pub mod layer;
pub mod matching;
pub mod server_invite;
pub mod server_non_invite;
pub mod timers;

use std::collections::VecDeque;
use std::fmt;
use std::net::SocketAddr;

use crate::message::{Request, Response, Transport};

pub use client_invite::build_ack;
pub use client_non_invite::build_cancel;
pub use layer::TransactionLayer;
pub use timers::{Timer, TimerConfig, Timers};

/// Identifies one transaction for the lifetime of a [`TransactionLayer`] (never reused).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TxnId(pub u64);

impl fmt::Display for TxnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "txn#{}", self.0)
    }
}

/// Bytes to write to `dest` over `transport`. `txn` names the transaction that sent them
/// (`None` for stateless sends such as a 503 under overload or a 2xx ACK), so that a send
/// failure can be reported back with [`TransactionLayer::handle_transport_error`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    pub dest: SocketAddr,
    pub transport: Transport,
    pub bytes: Vec<u8>,
    pub txn: Option<TxnId>,
}

/// What the transaction user (the UA core, the registrar, the dialog layer) is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxnEvent {
    /// A new request created server transaction `txn`. Retransmissions are absorbed and do
    /// not show up again. Its top Via already carries `received`/`rport` (RFC 3261 18.2.1,
    /// RFC 3581), so a response built from it routes back correctly.
    Request {
        txn: TxnId,
        request: Request,
        source: SocketAddr,
        transport: Transport,
    },
    /// A response for client transaction `txn` (retransmitted finals are absorbed, except 2xx
    /// to an INVITE: every 2xx goes up so the TU can resend its ACK, RFC 6026).
    Response { txn: TxnId, response: Response },
    /// Timer B or F (client: no final response), or H (server INVITE: no ACK for the final).
    Timeout { txn: TxnId },
    /// The driver reported that a send of `txn` failed.
    TransportError { txn: TxnId },
    /// `txn` is gone; its id will never be seen again.
    Terminated { txn: TxnId },
    /// An ACK that is not part of a transaction: the ACK for a 2xx (RFC 3261 17.2.3/13.3.1.4),
    /// for the dialog layer.
    StrayAck {
        request: Request,
        source: SocketAddr,
        transport: Transport,
    },
    /// A response that matches no client transaction, e.g. a 2xx retransmission after the
    /// client INVITE transaction ended, or a second 2xx from a forking proxy.
    StrayResponse {
        response: Response,
        source: SocketAddr,
        transport: Transport,
    },
    /// A new request was refused because the transaction table was full
    /// ([`Config::max_transactions`]); `answered` says whether a 503 went back.
    Overloaded { source: SocketAddr, answered: bool },
}

/// The state of a transaction, as RFC 3261 and RFC 6026 name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxnState {
    Calling,
    Trying,
    Proceeding,
    Completed,
    Confirmed,
    Accepted,
    Terminated,
}

/// Which of the four machines a transaction runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxnKind {
    ClientInvite,
    ClientNonInvite,
    ServerInvite,
    ServerNonInvite,
}

/// Who sends `100 Trying` for a new INVITE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TryingPolicy {
    /// The server INVITE transaction sends it as soon as the INVITE arrives. chan_sip sends
    /// its 100 straight away for a new INVITE (`handle_request_invite`), so this is the default.
    #[default]
    Immediate,
    /// RFC 3261 17.2.1: the transaction sends it only if the TU has not answered within 200 ms.
    After200ms,
    /// The TU sends its own.
    Never,
}

/// What happens to a new request when [`Config::max_transactions`] are live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OverloadPolicy {
    /// Answer statelessly with `503 Service Unavailable` (ACKs are still passed up).
    #[default]
    Reject503,
    /// Drop it silently: the client will retransmit and may find room later.
    Drop,
}

/// Where responses go when the request did not ask for `rport` (chan_sip's `nat=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResponseRouting {
    /// RFC 3261 18.2.2 to the letter: the source address at the Via's sent-by port.
    Rfc3261,
    /// chan_sip's default `nat=auto_force_rport`: when the Via's sent-by host is not the
    /// source address (the client is behind NAT), answer to the source address and port.
    #[default]
    AutoForceRport,
    /// `nat=force_rport`: always answer to the source address and port.
    ForceRport,
}

/// Layer configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    pub timers: TimerConfig,
    pub trying: TryingPolicy,
    pub routing: ResponseRouting,
    /// Live transactions at most (client and server together). Default 10 000.
    pub max_transactions: usize,
    pub overload: OverloadPolicy,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            timers: TimerConfig::default(),
            trying: TryingPolicy::default(),
            routing: ResponseRouting::default(),
            max_transactions: 10_000,
            overload: OverloadPolicy::default(),
        }
    }
}

/// Why a call into the layer was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TxnError {
    #[error("no such transaction")]
    UnknownTransaction,
    #[error("transaction table full")]
    Full,
    #[error("ACK is not sent in a transaction (use send_stateless)")]
    AckNotATransaction,
    #[error("request has no usable {0} header")]
    BadHeader(&'static str),
    #[error("status {0} is not a valid response code")]
    BadStatus(u16),
    #[error("response not allowed in state {0:?}")]
    WrongState(TxnState),
    #[error("not a {0:?} transaction")]
    WrongKind(TxnKind),
    #[error("no provisional response yet: CANCEL must wait (RFC 3261 9.1)")]
    NoProvisionalYet,
    #[error("branch already in use")]
    DuplicateBranch,
}

/// True for transports that retransmit themselves (timers A, E, G off; D, I, J, K zero).
pub fn is_reliable(t: &Transport) -> bool {
    !matches!(t, Transport::Udp | Transport::Other(_))
}

/// Where a machine writes its output; the layer supplies the transaction's address.
pub(crate) struct Ctx<'a> {
    pub id: TxnId,
    pub dest: SocketAddr,
    pub transport: &'a Transport,
    pub transmits: &'a mut VecDeque<Transmit>,
    pub events: &'a mut VecDeque<TxnEvent>,
}

impl Ctx<'_> {
    pub fn send(&mut self, bytes: Vec<u8>) {
        self.transmits.push_back(Transmit {
            dest: self.dest,
            transport: self.transport.clone(),
            bytes,
            txn: Some(self.id),
        });
    }

    pub fn emit(&mut self, ev: TxnEvent) {
        self.events.push_back(ev);
    }
}
