//! Requests tandem starts on its own, as chan_sip does: outbound registration to providers
//! (`register =>` lines) and qualify (OPTIONS pings to peers with `qualify=`).
//!
//! Both machines are sans-IO and speak the crate's verbs. They build requests and read
//! responses; they own no transaction: the driver sends each request through the
//! [`TransactionLayer`](crate::transaction::TransactionLayer), hands back the responses of
//! that transaction (`handle_response`) or its timeout (`handle_txn_timeout`), and resolves
//! host names (`set_destination`).
//!
//! # Drive-loop contract
//!
//! After creating a machine and after **every** input (`handle_response`,
//! `handle_txn_timeout`, `handle_timeout`, `set_destination`, `unregister`), call
//! `poll_request(now)` until it returns `None` and send each request; then sleep until
//! `poll_timeout()` (or the next input) and call `handle_timeout(now)`.
//!
//! A runnable example of this loop is `examples/outbound_drive.rs`
//! (`cargo run -p tandem-sip --example outbound_drive`).
//!
//! - [`register`]: [`OutboundRegistration`], chan_sip's `transmit_register`,
//!   `handle_response_register`, `sip_reregister` and `sip_reg_timeout`.
//! - [`expiry`]: the granted expiry of a 200 and the re-registration point.
//! - [`qualify`]: [`Qualifier`], chan_sip's `sip_poke_peer`, `handle_response_peerpoke`,
//!   `sip_poke_noanswer` and the status column of `sip show peers`.
//! - [`registry`]: the `sip show registry` table.

mod config;
pub mod expiry;
pub mod qualify;
pub mod register;
pub mod registry;
mod request;

pub use expiry::{
    granted_expiry, refresh_ms, EXPIRY_GUARD_LIMIT, EXPIRY_GUARD_MIN_MS, EXPIRY_GUARD_SECS,
};
pub use qualify::{
    Qualifier, QualifyConfig, QualifyStatus, DEFAULT_FREQ_NOTOK, DEFAULT_QUALIFY_FREQ,
};
pub use register::{
    OutboundError, OutboundRegistration, RegState, RegistrationConfig, RegistryTiming,
    DEFAULT_REGISTER_TIMEOUT, INITIAL_CSEQ, MAX_AUTHTRIES,
};
pub use registry::{format_reg_time, show_registry, RegistryRow};

/// splitmix64: the mixer behind every Call-ID, tag and cnonce (seeded by the driver, so two
/// runs differ while tests stay deterministic).
pub(crate) fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a of a string, to fold a name into a seed.
pub(crate) fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}
