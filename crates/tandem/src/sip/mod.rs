//! The SIP channel driver: the glue between UDP sockets and the sans-IO `tandem-sip` stack.
//! No parsing and no transaction logic here; that lives in the protocol crate.

mod calls;
mod endpoint;
mod hints;
mod inbound;
mod legs;
mod limits;
mod media;
mod mwi;
mod outbound;
mod peers;
mod quota;
mod reload;
mod requests;
mod state;
mod tcp;
mod tls;
mod tls_names;

pub use calls::EndpointCmd;
pub use endpoint::{start, SipHandle};
