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

pub use error::Error;
pub mod reliable;
pub mod timestamp;
pub mod auth;
#[cfg(test)]
mod reliable_tests;
