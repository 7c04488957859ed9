//! tandem-rtp: sans-IO RTP and RTCP (RFC 3550), RFC 4733 telephone-events, a jitter buffer for
//! the frame path and a rewriter for the relay path.
//!
//! Deterministic and free of I/O: no sockets, no clock reads, no threads. Every input carries
//! the time it happened (`now: Instant`); every machine answers with what to send, what to tell
//! the application, and when to be woken (`poll_transmit`, `poll_event`, `poll_timeout`).
//!
//! # Pieces
//! - [`header`]: zero-copy [`RtpPacket`] view, in-place [`RtpHeaderMut`], [`RtpHeader`] writer.
//! - [`rtcp`]: SR, RR, SDES, BYE (one file each) and compound packets.
//! - [`stats`]: receiver statistics (RFC 3550 A.1/A.3/A.8) and sender statistics.
//! - [`session`]: [`RtcpSession`], which schedules and builds reports and reads the peer's.
//! - [`dtmf`]: RFC 4733 event payload, [`DtmfSender`], [`DtmfReceiver`].
//! - [`jitter`]: [`JitterBuffer`] for playback/recording/mixing (never on the relay path).
//! - [`srtp`]: SRTP/SRTCP protect and unprotect (RFC 3711) for the SDES suites (RFC 4568).
//! - [`rewriter`]: [`Rewriter`], which maps any inbound stream onto one outbound SSRC with
//!   continuous sequence numbers and timestamps, per packet and without allocating.
//!
//! # Drive loop
//! ```
//! use std::time::{Duration, Instant};
//! use tandem_rtp::{NtpClock, NtpTime, RtcpConfig, RtcpSession, RtpHeader, RtpPacket};
//!
//! /// `start` and the wall time come from the driver: nothing in this crate reads a clock.
//! /// (tests/drive_loop.rs runs this same loop on a fake clock.)
//! fn drive(start: Instant, unix_now: Duration) -> u64 {
//!     let ntp = NtpClock::new(start, NtpTime::from_unix(unix_now));
//!     let cfg = RtcpConfig { ssrc: 0x1234, cname: "tandem@192.0.2.10".into(), clock_rate: 8000,
//!                            interval: Duration::from_secs(5), seed: 7, ntp };
//!     let mut rtcp = RtcpSession::new(start, cfg);
//!
//!     // A packet arrives:
//!     let bytes = RtpHeader::new(0, 1, 160, 0xabcd).to_vec(&[0xff; 160]).unwrap();
//!     let packet = RtpPacket::parse(&bytes).unwrap();
//!     rtcp.handle_rtp_received(start, &packet);
//!
//!     // The driver sleeps until the session's deadline, then wakes it and drains it:
//!     while let Some(wake) = rtcp.poll_timeout() {
//!         if wake > start + Duration::from_secs(20) { break; }
//!         rtcp.handle_timeout(wake);
//!         while let Some(datagram) = rtcp.poll_transmit() {
//!             let _ = datagram; // send it on the RTCP socket
//!         }
//!     }
//!     rtcp.reports_sent()
//! }
//! ```

pub mod dtmf;
pub mod error;
pub mod header;
pub mod jitter;
pub mod latch;
pub mod ntp;
pub mod rewriter;
mod rng;
pub mod rtcp;
pub mod session;
pub mod srtp;
pub mod stats;

pub use dtmf::{DtmfReceiver, DtmfSender, TelephoneEvent};
pub use error::{Error, Result};
pub use header::{seq_diff, Extension, RtpHeader, RtpHeaderMut, RtpPacket};
pub use jitter::{JitterBuffer, JitterConfig, Playout};
pub use latch::{Latch, LatchConfig, StrictMode, Verdict};
pub use ntp::{NtpClock, NtpTime};
pub use rewriter::{Decision, Rewriter};
pub use session::{RtcpConfig, RtcpEvent, RtcpSession};
