//! Sans-IO IAX2 (RFC 5456), as Asterisk's chan_iax2 speaks it.
//!
//! No sockets, no clock, no runtime: every entry point takes `now: Instant` and returns what to
//! send and when it wants to be woken.

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
pub mod reliable;
pub mod timestamp;
pub mod auth;
#[cfg(test)]
mod reliable_tests;
pub mod call;
pub mod table;
pub mod register;
pub mod registrar;
pub mod qualify;
