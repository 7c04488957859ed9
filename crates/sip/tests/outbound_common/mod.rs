//! Shared helpers for the outbound scenario tests: a provider that answers REGISTERs
//! with a real DigestServer, and response builders.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tandem_sip::auth::{Algorithm, DigestServer, Secret, ServerConfig, Verdict};
use tandem_sip::message::{parse, Request, Response};
use tandem_sip::outbound::{OutboundRegistration, RegistrationConfig};

pub const LOCAL: &str = "192.0.2.1:5060";
pub const PROVIDER: &str = "198.51.100.7:5060";
pub const PASSWORD: &str = "s3cret";

pub fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

pub fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// `register => alice:s3cret@sip.example.com`.
pub fn config() -> RegistrationConfig {
    let mut c = RegistrationConfig::new("alice", "sip.example.com", addr(LOCAL));
    c.secret = Some(PASSWORD.to_string());
    c.seed = 7;
    c
}

pub fn registration(cfg: RegistrationConfig) -> OutboundRegistration {
    let mut r = OutboundRegistration::new(cfg).unwrap();
    r.set_destination(Some(addr(PROVIDER)));
    r
}

/// The next request, checked to survive serialization and parsing unchanged.
pub fn next(r: &mut OutboundRegistration, now: Instant) -> Request {
    let (req, dest) = r.poll_request(now).expect("a REGISTER is due");
    assert_eq!(dest, addr(PROVIDER));
    wire(&req)
}

/// Serializes and parses a request (what a peer would see), with a branch added to the Via
/// as the transaction layer would.
pub fn wire(req: &Request) -> Request {
    let mut req = req.clone();
    let via = req.headers.get("Via").unwrap().to_string();
    req.headers.set("Via", format!("{via};branch=z9hG4bKtest"));
    let parsed = parse(&req.to_bytes()).unwrap_or_else(|e| panic!("{e:?}"));
    parsed.as_request().unwrap().clone()
}

pub fn reply(req: &Request, status: u16, reason: &str) -> Response {
    let mut r = Response::from_request(req, status, reason);
    r.set_to_tag("prov1");
    r
}

/// 200 with our Contact carrying `expires=`.
pub fn ok(req: &Request, expires: u32) -> Response {
    let mut r = reply(req, 200, "OK");
    let contact = req.headers.get("Contact").unwrap().to_string();
    r.headers
        .push("Contact", format!("{contact};expires={expires}"));
    r
}

pub fn cseq(req: &Request) -> u32 {
    req.headers.cseq().unwrap().seq
}

/// A provider with a digest realm.
pub struct Provider {
    pub server: DigestServer,
    pub epoch: u64,
}

impl Provider {
    pub fn new(qop: bool) -> Provider {
        let cfg = ServerConfig {
            realm: "provider".into(),
            algorithms: vec![Algorithm::Md5],
            qop,
            ..ServerConfig::default()
        };
        Provider {
            server: DigestServer::new(cfg, b"provider secret, thirty-two b!!!"),
            epoch: 1_700_000_000,
        }
    }

    /// A 401 (or 407) challenging `req`.
    pub fn challenge(&self, req: &Request, status: u16, stale: bool) -> Response {
        let (reason, header) = if status == 407 {
            ("Proxy Authentication Required", "Proxy-Authenticate")
        } else {
            ("Unauthorized", "WWW-Authenticate")
        };
        let mut r = reply(req, status, reason);
        for v in self.server.challenge_values(self.epoch, "client", stale) {
            r.headers.push(header, v);
        }
        r
    }

    /// The verdict on `req`'s credentials (in `header`) for `password`.
    pub fn verdict(&self, req: &Request, header: &str, password: &str) -> Verdict {
        let v = req.headers.get(header).expect("credentials");
        self.server.verify_value(
            v,
            "REGISTER",
            &Secret::password(password),
            "client",
            self.epoch,
        )
    }
}
