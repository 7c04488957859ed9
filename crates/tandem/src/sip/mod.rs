//! The SIP channel driver: the glue between UDP sockets and the sans-IO `tandem-sip` stack.
//! No parsing and no transaction logic here; that lives in the protocol crate.

mod endpoint;
mod peers;
mod state;

pub use endpoint::{start, SipHandle};
