//! The client side (tandem registering to providers and calling through them): answer a
//! challenge with an `Authorization` value, count nonces, re-answer `stale=true` without
//! counting a failure.
//!
//! No randomness inside: the caller passes each cnonce (the binary draws it).

use thiserror::Error;

use super::challenge::Challenge;
use super::credentials::Credentials;
use super::digest::{self, Algorithm, ResponseForm};
use super::params::AuthParseError;
use super::server::Secret;

/// Why no credentials could be produced.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ClientError {
    /// No challenge was given.
    #[error("no digest challenge in the response")]
    NoChallenge,
    /// The challenge headers could not be read.
    #[error(transparent)]
    Parse(#[from] AuthParseError),
    /// Every challenge asks for an algorithm or qop tandem cannot answer (or the stored HA1
    /// is of another hash family).
    #[error("no supported digest algorithm offered")]
    Unsupported,
    /// The server challenged again, without `stale=true`, right after our credentials: the
    /// username or password is wrong (chan_sip: "Failed to authenticate").
    #[error("credentials rejected")]
    Rejected,
}

#[derive(Debug, Clone)]
struct Answered {
    challenge: Challenge,
    algorithm: Algorithm,
    qop_auth: bool,
    nc: u32,
}

/// Digest state for one server (one realm, one header type).
#[derive(Debug, Clone, Default)]
pub struct DigestClient {
    current: Option<Answered>,
    pending: bool,
}

fn usable(c: &Challenge, secret: &Secret) -> Option<Algorithm> {
    let a = c.algorithm()?;
    if !c.qop.is_empty() && !c.offers_qop_auth() {
        return None; // only auth-int (needs the body) or unknown options
    }
    match secret {
        Secret::Ha1 { algorithm, .. } if algorithm.base() != a.base() => None,
        _ => Some(a),
    }
}

fn rank(a: Algorithm) -> usize {
    Algorithm::PREFERENCE
        .iter()
        .position(|p| *p == a)
        .unwrap_or(usize::MAX)
}

impl DigestClient {
    /// A client that has answered nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The nonce count used in the last credentials (0 before any).
    pub fn nc(&self) -> u32 {
        self.current.as_ref().map_or(0, |a| a.nc)
    }

    /// Answers a 401/407: `challenges` are the `WWW-Authenticate` (or `Proxy-Authenticate`)
    /// values of the response, each possibly holding several joined challenges. Picks the
    /// strongest algorithm offered that tandem supports (SHA-256 over MD5), and returns the
    /// credentials for the retried request (`method`, Request-URI `uri`, client nonce
    /// `cnonce`).
    ///
    /// A challenge right after our credentials is a failure ([`ClientError::Rejected`]),
    /// unless it says `stale=true`: then it is answered again and nothing is counted.
    pub fn respond(
        &mut self,
        challenges: &[&str],
        username: &str,
        secret: &Secret,
        method: &str,
        uri: &str,
        cnonce: &str,
    ) -> Result<Credentials, ClientError> {
        let mut parsed: Vec<Challenge> = Vec::new();
        let mut first_err = None;
        for v in challenges {
            match Challenge::parse_all(v) {
                Ok(cs) => parsed.extend(cs),
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        if parsed.is_empty() {
            return Err(first_err.map_or(ClientError::NoChallenge, ClientError::Parse));
        }
        let mut best: Option<(Algorithm, Challenge)> = None;
        for c in parsed {
            if let Some(a) = usable(&c, secret) {
                if best.as_ref().is_none_or(|(b, _)| rank(a) < rank(*b)) {
                    best = Some((a, c));
                }
            }
        }
        let (algorithm, challenge) = best.ok_or(ClientError::Unsupported)?;
        if self.pending && !challenge.stale {
            self.pending = false;
            self.current = None;
            return Err(ClientError::Rejected);
        }
        let nc = match &self.current {
            Some(a)
                if a.challenge.nonce == challenge.nonce && a.challenge.realm == challenge.realm =>
            {
                a.nc.saturating_add(1)
            }
            _ => 1,
        };
        let qop_auth = challenge.offers_qop_auth();
        self.current = Some(Answered {
            challenge,
            algorithm,
            qop_auth,
            nc,
        });
        let creds = self.build(username, secret, method, uri, cnonce)?;
        self.pending = true;
        Ok(creds)
    }

    /// Credentials for a further request with the nonce already held (nc goes up by one),
    /// so a re-REGISTER need not wait for a new challenge. `None` before any challenge.
    pub fn authorize(
        &mut self,
        username: &str,
        secret: &Secret,
        method: &str,
        uri: &str,
        cnonce: &str,
    ) -> Option<Result<Credentials, ClientError>> {
        let cur = self.current.as_mut()?;
        cur.nc = cur.nc.saturating_add(1);
        let r = self.build(username, secret, method, uri, cnonce);
        if r.is_ok() {
            self.pending = true;
        }
        Some(r)
    }

    /// The request with our credentials succeeded: a later challenge is a fresh one, not a
    /// failure.
    pub fn accepted(&mut self) {
        self.pending = false;
    }

    /// Forgets the nonce and any pending answer.
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    fn build(
        &self,
        username: &str,
        secret: &Secret,
        method: &str,
        uri: &str,
        cnonce: &str,
    ) -> Result<Credentials, ClientError> {
        let cur = self.current.as_ref().ok_or(ClientError::NoChallenge)?;
        let c = &cur.challenge;
        let alg = cur.algorithm;
        let ha1 = secret
            .ha1(alg, username, &c.realm)
            .ok_or(ClientError::Unsupported)?;
        let ha1 = digest::session_ha1(alg, &ha1, &c.nonce, cnonce);
        let ha2 = digest::ha2(alg, method, uri);
        let nc = format!("{:08x}", cur.nc);
        let form = if cur.qop_auth {
            ResponseForm::Auth { nc: &nc, cnonce }
        } else {
            ResponseForm::NoQop
        };
        let response = digest::response(alg, &ha1, &c.nonce, &ha2, form);
        let with_cnonce = cur.qop_auth || alg.is_session();
        Ok(Credentials {
            username: username.to_owned(),
            realm: c.realm.clone(),
            nonce: c.nonce.clone(),
            uri: uri.to_owned(),
            response,
            algorithm: Some(alg.name().to_owned()),
            cnonce: with_cnonce.then(|| cnonce.to_owned()),
            opaque: c.opaque.clone(),
            qop: cur.qop_auth.then(|| "auth".to_owned()),
            nc: cur.qop_auth.then_some(nc),
            other: Vec::new(),
        })
    }
}
