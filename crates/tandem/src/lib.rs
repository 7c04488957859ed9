//! The part of the `tandem` binary that benchmarks and tests call directly: the media layer
//! (RTP legs, the bridge's per-packet relay step, transcoding, RTCP). `main.rs` uses it as
//! `crate::media`, so the rest of the binary is unchanged.
//!
//! `media` depends only on other crates (never on `crate::` items of the binary): keep it
//! that way, or move what it needs in here too.

pub mod media;
