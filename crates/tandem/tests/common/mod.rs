//! Helpers shared by the end-to-end tests of this crate.

pub mod ami;
#[allow(dead_code)]
pub mod ami_pbx;
#[allow(dead_code)]
pub mod digits;
