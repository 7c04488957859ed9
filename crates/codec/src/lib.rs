//! tandem-codec: the audio codecs of tandem and the paths between them.
//!
//! - [`ulaw`] and [`alaw`]: ITU-T G.711, bit-exact with Asterisk's tables.
//! - [`g722`]: ITU-T G.722 at 64 kbit/s, bit-exact with the spandsp code Asterisk ships.
//! - [`opus`]: Opus through libopus (the `opus` crate), 48 kHz mono.
//! - [`resample`]: 8/16/48 kHz conversion, a polyphase FIR.
//! - [`transcode`]: the cheapest chain from one codec to another, by Asterisk's cost table.
//!
//! A frame is 20 ms of PCM: 160 samples at 8 kHz, 320 at 16 kHz, 960 at 48 kHz. Everything is
//! pure: no I/O, no clock, no allocation per frame (states are allocated when created).
//!
//! ```
//! use tandem_codec::{Codec, CodecKind};
//! let mut pcmu = Codec::new(CodecKind::Pcmu).unwrap();
//! let pcm = [1000i16; 160];
//! let mut payload = [0u8; 160];
//! assert_eq!(pcmu.encode(&pcm, &mut payload), Ok(160));
//! let mut back = [0i16; 160];
//! assert_eq!(pcmu.decode(&payload, &mut back), Ok(160));
//! assert_eq!(back[0], 988);
//! ```

pub mod alaw;
mod codec;
pub mod g722;
pub mod opus;
pub mod resample;
pub mod tones;
pub mod transcode;
pub mod ulaw;

#[cfg(test)]
mod test_signal;

pub use codec::{Codec, CodecKind};
pub use resample::Resampler;
pub use transcode::{Path, Transcoder};

/// Length of a frame in milliseconds.
pub const FRAME_MS: u32 = 20;

/// Most PCM samples one call takes or gives: 120 ms at 48 kHz, Opus's longest packet.
pub const MAX_FRAME_SAMPLES: usize = 5760;

/// What can go wrong while coding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    #[error("output buffer too small: {needed} needed, {available} available")]
    OutputTooSmall { needed: usize, available: usize },
    #[error("frame of {samples} samples is too long (at most {max})")]
    FrameTooLong { samples: usize, max: usize },
    #[error("no resampler from {from} Hz to {to} Hz (one rate must divide the other)")]
    UnsupportedRates { from: u32, to: u32 },
    #[error("no transcoding path from {from} to {to}")]
    NoPath { from: CodecKind, to: CodecKind },
    #[error("opus: {0}")]
    Opus(String),
}
