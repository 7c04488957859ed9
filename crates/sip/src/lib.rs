//! Sans-IO SIP (RFC 3261).
//!
//! No sockets, no clock, no runtime: every state machine takes its input together with `now`
//! and returns what to send and when it wants to be woken.
//!
//! - [`message`]: requests, responses, URIs and headers (one file per header family), the
//!   parser and the serializer.
//! - [`auth`]: digest authentication (RFC 2617 / RFC 7616, MD5 and SHA-256), both sides.
//! - [`outbound`]: outbound registration (`register =>`) and qualify (OPTIONS pings).

pub mod auth;
pub mod dialog;
pub mod event;
pub mod message;
pub mod outbound;
pub mod q850;
pub mod registrar;
pub mod transaction;
pub mod ua;
