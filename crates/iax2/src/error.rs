//! The crate's error type: each variant names the protocol reason.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    #[error("datagram of {len} bytes is shorter than a {what} ({need} bytes)")]
    TooShort {
        what: &'static str,
        len: usize,
        need: usize,
    },
    #[error("datagram of {0} bytes is larger than the {max} bytes accepted", max = crate::frame::MAX_DATAGRAM)]
    TooLong(usize),
    #[error("mini frame with call number 0")]
    ZeroCallNumber,
    #[error("video mini frame from call {source_call} (video is not supported)")]
    UnsupportedVideo { source_call: u16 },
    #[error("meta frame command {0} is not supported")]
    UnsupportedMeta(u8),
    #[error("meta trunk flavour {0} is unknown")]
    UnknownTrunkFlavour(u8),
    #[error("compressed subclass 0xff is invalid")]
    BadSubclass,
    #[error("subclass {0:#x} cannot be compressed (more than one bit above 0x7f)")]
    CannotCompress(u64),
    #[error("information element {ie} claims {len} bytes, only {left} remain")]
    IeOverrun { ie: u8, len: usize, left: usize },
    #[error("information elements end with a stray byte")]
    IeStrayByte,
    #[error("the call table is full ({0} calls)")]
    TableFull(usize),
    #[error("call number {0} is not in use")]
    NoSuchCall(u16),
    #[error("operation not allowed in call state {0}")]
    BadState(&'static str),
}
