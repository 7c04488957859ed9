//! The crate's one error enum: each variant names the protocol reason.

/// Why a packet could not be read or written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Fewer bytes than the fixed part of the header (or a declared length) needs.
    #[error("packet too short: need {need} bytes, have {have}")]
    TooShort { need: usize, have: usize },
    /// The version field is not 2 (RFC 3550 sec. 5.1).
    #[error("bad RTP/RTCP version {0}, expected 2")]
    BadVersion(u8),
    /// The padding count is zero or runs into the header (RFC 3550 sec. 5.1, P bit).
    #[error("bad padding length {0}")]
    BadPadding(u8),
    /// An RTCP length field or item length runs past the end of the packet.
    #[error("RTCP length field runs past the end of the packet")]
    BadLength,
    /// An RTCP packet has a type other than the one its parser reads.
    #[error("unexpected RTCP packet type {0}")]
    UnexpectedType(u8),
    /// The output buffer cannot hold what is being written.
    #[error("output buffer too small: need {need} bytes, have {have}")]
    BufferTooSmall { need: usize, have: usize },
    /// A value does not fit its wire field (more than 31 report blocks, 15 CSRCs, 255-byte SDES item...).
    #[error("value does not fit its field: {0}")]
    TooMany(&'static str),
}

pub type Result<T> = std::result::Result<T, Error>;
