//! Scenarios across the auth module: RFC vectors, server <-> client round trips, the
//! stale/wrong/unknown paths, the SIPVicious quirk, and random input.

use super::digest::Algorithm;
use super::*;

mod quirks;
mod random;
mod rfc_vectors;
mod round_trip;

const SECRET: &[u8] = b"nonce key for tests, 32 bytes ok";
const SRC: &str = "192.0.2.10";

pub(super) fn server(algorithms: &[Algorithm], qop: bool) -> DigestServer {
    let config = ServerConfig {
        algorithms: algorithms.to_vec(),
        qop,
        ..ServerConfig::default()
    };
    DigestServer::new(config, SECRET)
}

pub(super) fn answer(values: &[String], user: &str, secret: &Secret, cnonce: &str) -> Credentials {
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let creds = DigestClient::new().respond(
        &refs,
        user,
        secret,
        "REGISTER",
        "sip:127.0.0.1:5060",
        cnonce,
    );
    creds.unwrap_or_else(|e| panic!("client could not answer: {e}"))
}
