//! Helpers shared by the end-to-end tests of this crate.

pub mod digits;
