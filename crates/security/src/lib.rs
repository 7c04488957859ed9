//! tandem's defences (SIP, IAX2, AMI), sans-IO: per-source counting of authentication failures and of
//! request rates, bans (doubling for repeat offenders), and recognition of well-known
//! scanners.
//!
//! Nothing here reads a clock or touches a socket: every entry point takes `now`, and what
//! happened comes out as [`Event`] values the caller logs (their `Display` is the stable
//! one-line format of `docs/security.md`, meant for fail2ban-style tools too).
//!
//! The run-loop contract, as the other sans-IO engines of tandem:
//! - for every datagram, before parsing it, ask [`Engine::on_request`]; `Drop` means send
//!   nothing back;
//! - if [`scanner::detect`] recognises the datagram, call [`Engine::on_scanner`] and drop;
//! - after an authentication failure, call [`Engine::on_auth_failure`];
//! - when [`Engine::poll_timeout`] passes, call [`Engine::handle_timeout`];
//! - after every call, drain [`Engine::poll_event`] and log each event on one line.
//!
//! ```
//! use std::net::IpAddr;
//! use std::time::{Duration, Instant};
//! use tandem_security::{Config, Engine, Verdict};
//!
//! let t0 = Instant::now(); // the caller's clock; the engine never reads one
//! let mut engine = Engine::new(Config::default(), t0);
//! let bad: IpAddr = "192.0.2.9".parse().unwrap();
//! for n in 0..5 {
//!     assert_eq!(engine.on_request(t0, bad), Verdict::Pass);
//!     engine.on_auth_failure(t0 + Duration::from_secs(n), bad, "REGISTER", "100");
//! }
//! assert_eq!(engine.on_request(t0 + Duration::from_secs(6), bad), Verdict::Drop);
//! let lines: Vec<String> = std::iter::from_fn(|| engine.poll_event()).map(|e| e.to_string()).collect();
//! assert!(lines.last().unwrap().starts_with("SECURITY[ban] remote=192.0.2.9 reason=auth_failures count=5 duration=600s"));
//! ```
//!
//! [`Hub`] holds one engine per service (each with its own file's settings) and drops a
//! source banned by any of them everywhere.

mod config;
mod engine;
mod event;
mod hub;
pub mod scanner;

pub use config::{Config, Exempt};
pub use engine::{BanRow, Engine, Verdict};
pub use event::{Event, Reason, UnbanCause};
pub use hub::{Hub, HubBan, Service, Tagged};
