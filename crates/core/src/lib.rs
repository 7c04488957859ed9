//! The core: channels, the channel command/event interface, the dialplan executor and the
//! applications it runs.
//!
//! The core knows channels, not protocols: it never imports a protocol crate. A driver turns
//! protocol events into [`ChannelEvent`]s and carries out [`ChannelCommand`]s. The executor
//! ([`pbx`]) runs the dialplan on a [`Channel`]; whatever an application needs from the
//! outside world (answering, waiting, dialling, playing) it asks of a [`Host`] with one
//! [`Request`] and gets one [`Reply`]. The executor is `async` but runtime-agnostic: the
//! binary drives it with tokio, `tandem dialplan run` with a host that answers at once.

pub mod apps;
pub mod cause;
pub mod cdr;
mod cdr_env;
pub mod channel;
pub mod command;
pub mod dial;
pub mod digits;
pub mod env;
pub mod goto;
pub mod host;
pub mod pbx;
pub mod shared;
pub mod sim;

pub use channel::{CallerId, Channel, ChannelState, VarObserver, VarWatch};
pub use command::{ChannelCommand, ChannelEvent, Goto, Indication};
pub use host::{DialRequest, DialStatus, Host, Reply, Request};
pub use pbx::{EndReason, Pbx, TraceLine};
pub use shared::Shared;
