//! Sans-IO IAX2 (RFC 5456), as Asterisk's chan_iax2 speaks it.
//!
//! No sockets, no clock, no runtime: every entry point takes `now: Instant` and returns what to
//! send and when it wants to be woken.
//!
//! - Wire: [`frame`] (full, mini, classification), [`trunk`] (meta trunk frames and a
//!   builder), [`ie`] / [`ie_value`] (information elements), [`consts`] (numbers).
//! - Per call: [`reliable`] (sequence numbers, ACK, retransmission, VNAK), [`timestamp`],
//!   [`link`] (both together with the call numbers), [`call`] (the call state machine).
//! - Per endpoint: [`table`] ([`table::CallTable`] of sessions by call number, and the
//!   [`table::Gate`] that issues and checks call tokens and answers stateless frames),
//!   [`register`] (outbound registration), [`registrar`] (inbound), [`qualify`] (POKE),
//!   [`auth`] (MD5, call tokens).
//!
//! # Drive-loop contract
//!
//! For each datagram: `gate.classify(now, src, bytes, &table)` and act on the [`table::Inbound`]
//! (hand a frame to its session, create a session for a NEW or REGREQ, or send the stateless
//! reply). After **every** input to a session, drain its `poll_transmit` (send each
//! [`Transmit`]) and `poll_event`, re-index its peer call number with
//! [`table::CallTable::set_peer_call`], free it when it reports it has ended, and sleep until the
//! earliest `poll_timeout` of all sessions, then call their `handle_timeout(now)`.
//!
//! ```
//! use std::time::Instant;
//! use tandem_iax2::auth::CallTokens;
//! use tandem_iax2::call::{Call, CallConfig, CallEvent, Dial};
//! use tandem_iax2::table::{CallTable, Gate, Inbound};
//!
//! let now = Instant::now();
//! let (alice, bob) = ("192.0.2.1:4569".parse().unwrap(), "192.0.2.2:4569".parse().unwrap());
//! let mut a_table = CallTable::new(16);
//! let dial = Dial { called_number: "600".into(), calltoken: true, ..Dial::default() };
//! let a = a_table.insert_with(now, bob, |n| Call::outgoing(now, n, bob, dial, CallConfig::default())).unwrap();
//!
//! let b_gate = Gate::new(CallTokens::new(b"random secret", now));
//! let mut b_table: CallTable<Call> = CallTable::new(16);
//! // NEW asks for a token, the gate answers CALLTOKEN, the NEW comes again with it.
//! for _ in 0..2 {
//!     let dgram = a_table.get_mut(a).unwrap().poll_transmit().unwrap();
//!     match b_gate.classify(now, alice, &dgram.bytes, &b_table) {
//!         Inbound::Reply(reply) => {
//!             let Ok(tandem_iax2::frame::Datagram::Full(f)) = tandem_iax2::frame::Datagram::parse(&reply.bytes) else { panic!() };
//!             a_table.get_mut(a).unwrap().handle_full(now, f);
//!         }
//!         Inbound::NewCall { frame, ies, token_validated } => {
//!             assert!(token_validated);
//!             let b = b_table
//!                 .insert_with(now, alice, |n| Call::incoming(now, n, alice, &frame, &ies, CallConfig::default()))
//!                 .unwrap();
//!             let call = b_table.get_mut(b).unwrap();
//!             assert!(matches!(call.poll_event(), Some(CallEvent::Offered(_))));
//!             call.accept(now, None); // then poll_transmit() carries the ACCEPT
//!             assert!(call.poll_transmit().is_some());
//!         }
//!         other => panic!("{other:?}"),
//!     }
//! }
//! ```

pub mod consts;
pub mod error;
pub mod frame;
pub mod ie;
pub mod ie_value;
pub mod trunk;

pub mod link;

pub use error::Error;

use std::net::SocketAddr;

/// Bytes to write to `dest` (one UDP datagram).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    pub dest: SocketAddr,
    pub bytes: Vec<u8>,
}
pub mod auth;
pub mod call;
pub mod qualify;
pub mod register;
pub mod registrar;
pub mod reliable;
#[cfg(test)]
mod reliable_tests;
pub mod table;
pub mod timestamp;
