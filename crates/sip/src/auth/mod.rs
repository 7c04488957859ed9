//! Digest authentication, sans-IO: RFC 2617 and RFC 7616 (MD5, MD5-sess, SHA-256,
//! SHA-256-sess; qop=auth and the RFC 2069 no-qop form old phones and chan_sip use), as a
//! server (401/407 challenges, verification) and as a client (answering providers).
//!
//! Everything works on header *values* (the text after `WWW-Authenticate:` or
//! `Authorization:`), so this module does not depend on the message types. Time comes in
//! as `now` (seconds); nothing here reads a clock or draws random numbers.
//!
//! - [`Challenge`], [`Credentials`]: parse and print the two header families.
//! - [`DigestServer`] with [`NonceManager`]: stateless nonces, [`Verdict`] Ok/Stale/Bad,
//!   `dummy_verify` for unknown users (alwaysauthreject).
//! - [`DigestClient`]: picks the best algorithm offered, counts nc, handles `stale=true`.

pub mod challenge;
pub mod client;
pub mod credentials;
pub mod digest;
pub mod nonce;
pub mod params;
pub mod server;

#[cfg(test)]
mod tests;

pub use challenge::Challenge;
pub use client::{ClientError, DigestClient};
pub use credentials::Credentials;
pub use digest::Algorithm;
pub use nonce::{NonceCheck, NonceManager, DEFAULT_NONCE_LIFETIME_SECS};
pub use params::AuthParseError;
pub use server::{DigestServer, Secret, ServerConfig, Verdict, DEFAULT_REALM};
