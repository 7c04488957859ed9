//! tandem-sdp: SDP (RFC 8866) parse/print and offer/answer (RFC 3264).
//!
//! Pure and sans-IO: no sockets, no clock, no randomness. The caller supplies the session id
//! (random in the binary) and receives descriptions and negotiation results.
//!
//! ```
//! use tandem_sdp::{answer, make_offer, process_answer, Codec, MediaConfig};
//!
//! let alice = MediaConfig::new("192.0.2.10".parse().unwrap(), 10000, vec![Codec::Pcma, Codec::Pcmu]);
//! let bob = MediaConfig::new("192.0.2.20".parse().unwrap(), 20000, vec![Codec::Pcmu]);
//! let offer = make_offer(&alice);
//! let (reply, at_bob) = answer(&offer, &bob).expect("a common codec");
//! let at_alice = process_answer(&offer, &reply).expect("a usable answer");
//! assert_eq!(at_bob.codec, Codec::Pcmu);
//! assert_eq!(at_alice.remote_port, 20000);
//! ```
//!
//! See `docs/sdp.md` for the choices made.

mod allow;
mod attr;
mod codec;
pub mod crypto;
mod model;
mod negotiate;
mod parse;

pub use allow::{AsteriskFormat, CodecPrefs, CodecPrefsWarning, FormatKind, ASTERISK_FORMATS};
pub use attr::{Direction, Fmtp, Rtpmap};
pub use codec::{Codec, StaticPayload, STATIC_PAYLOAD_TYPES};
pub use model::{
    Attribute, Bandwidth, Connection, MediaDescription, Origin, RawLine, SessionDescription,
};
pub use negotiate::{
    answer, make_offer, process_answer, sdp_version_changed, CodecOrder, MediaConfig, Negotiated,
    NegotiationError, SdpSession,
};
pub use parse::{MAX_ATTRIBUTES, MAX_FORMATS, MAX_LINES, MAX_MEDIA, MAX_SDP_LEN};

/// Why an SDP body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SdpError {
    #[error("SDP does not start with a v= line")]
    MissingVersion,
    #[error("SDP v= line is not a number")]
    BadVersion,
    #[error("SDP o= line has fewer than 6 fields")]
    BadOrigin,
    #[error("SDP c= line has fewer than 3 fields")]
    BadConnection,
    #[error("SDP m= line cannot be read")]
    BadMedia,
    #[error("SDP too large: too many {0}")]
    TooLarge(&'static str),
}
