//! Sans-IO AMI (Asterisk Manager Interface), as Asterisk's main/manager.c speaks it.
//!
//! No sockets, no clock, no async: the server owns the TCP connection and the time.
//!
//! Drive loop, per connection:
//! 1. send [`BANNER`];
//! 2. push received bytes into a [`Decoder`]; for each message [`Decoder::poll`] returns,
//!    call [`Session::handle`] with the current [`Clock`] and carry out the [`Outcome`]
//!    (send, close, refuse after a pause, or run the action and send its answer, built with
//!    [`Reply`] and [`Event`]); a framing error is answered with [`Reply::error`];
//! 3. for each event of the daemon, send its text when [`Session::wants`] its category.
//!
//! ```
//! use tandem_ami::{Clock, Decoder, Outcome, Session};
//! use tandem_conf::views::ManagerConf;
//!
//! let conf = ManagerConf::default();
//! let mut session = Session::new("127.0.0.1".parse().unwrap(), 7);
//! let mut dec = Decoder::new();
//! dec.push(b"Action: Ping\r\nActionID: 1\r\n\r\n");
//! let msg = dec.poll().unwrap().unwrap();
//! // Not logged in yet.
//! assert_eq!(
//!     session.handle(&msg, &conf, Clock::default()),
//!     Outcome::Send("Response: Error\r\nActionID: 1\r\nMessage: Permission denied\r\n\r\n".into())
//! );
//! ```

pub mod actions;
mod frame;
pub mod perm;
mod render;
mod security;
mod session;

pub use actions::{ActionSpec, ACTIONS};
pub use frame::{Decoder, FrameError, Message, MAX_HEADERS, MAX_LINE, MAX_MESSAGE};
pub use render::{cause_text, ChannelSnapshot, Event, Reply, State};
pub use security::SecurityEvent;
pub use session::{md5_hex, AuthFailure, Clock, LoggedIn, Outcome, Run, Session};

/// The first line of every connection. `AMI_VERSION` of include/asterisk/manager.h in
/// Asterisk 22 is 9.0.0; clients (panoramisk) read the version after the `/`.
pub const BANNER: &str = "Asterisk Call Manager/9.0.0\r\n";

/// How many messages may wait for a slow client before the server disconnects it.
pub const OUTPUT_QUEUE: usize = 1024;
