//! The server side (registrar, inbound calls): challenges for 401/407 and verification of
//! the credentials that come back.
//!
//! ```
//! use tandem_sip::auth::{Credentials, DigestServer, Secret, ServerConfig, Verdict};
//! let server = DigestServer::new(ServerConfig::default(), b"random secret drawn at start");
//! let challenge = server.challenge_values(1_000, "192.0.2.7", false);
//! assert_eq!(challenge.len(), 1);
//! // ... the 401 goes out, the phone answers with an Authorization header ...
//! # let value = tandem_sip::auth::DigestClient::new()
//! #     .respond(&[challenge[0].as_str()], "101", &Secret::password("pw"), "REGISTER", "sip:pbx", "c")
//! #     .unwrap().to_header_value();
//! let creds = Credentials::parse(&value).unwrap();
//! let verdict = server.verify(&creds, "REGISTER", &Secret::password("pw"), "192.0.2.7", 1_005);
//! assert_eq!(verdict, Verdict::Ok);
//! ```

use super::challenge::Challenge;
use super::credentials::Credentials;
use super::digest::{self, ct_eq, Algorithm, ResponseForm};
use super::nonce::{NonceCheck, NonceManager, DEFAULT_NONCE_LIFETIME_SECS};

/// chan_sip's default realm (`DEFAULT_REALM` in chan_sip.c; `realm=` in `[general]`).
pub const DEFAULT_REALM: &str = "asterisk";

/// What the server knows about a user's secret.
#[derive(Clone, PartialEq, Eq)]
pub enum Secret {
    /// The clear password (`secret=` in sip.conf).
    Password(String),
    /// A precomputed HA1 = H(user:realm:password) for one hash family (`md5secret=` in
    /// sip.conf is the MD5 one). It only answers challenges of that family.
    Ha1 {
        /// `Md5` or `Sha256` (a `-sess` variant means the same family).
        algorithm: Algorithm,
        /// The hex digest.
        ha1: String,
    },
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Secret::Password(_) => f.write_str("Secret::Password(..)"),
            Secret::Ha1 { algorithm, .. } => write!(f, "Secret::Ha1({})", algorithm.name()),
        }
    }
}

impl Secret {
    /// A clear password.
    pub fn password(p: &str) -> Self {
        Secret::Password(p.to_owned())
    }

    /// sip.conf `md5secret`: MD5(user:realm:secret) in hex.
    pub fn md5secret(hex: &str) -> Self {
        Secret::Ha1 {
            algorithm: Algorithm::Md5,
            ha1: hex.trim().to_ascii_lowercase(),
        }
    }

    /// HA1 for `algorithm`'s family, or `None` when a stored HA1 is of another family.
    pub fn ha1(&self, algorithm: Algorithm, username: &str, realm: &str) -> Option<String> {
        match self {
            Secret::Password(p) => Some(digest::ha1(algorithm.base(), username, realm, p)),
            Secret::Ha1 { algorithm: a, ha1 } => {
                (a.base() == algorithm.base()).then(|| ha1.clone())
            }
        }
    }
}

/// The answer to a set of credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Right response on a fresh nonce: let the request through.
    Ok,
    /// Right response on an old (or foreign) nonce: challenge again with `stale=true`, the
    /// client re-answers without asking its user (res_pjsip's AUTH_STALE).
    Stale,
    /// Anything else: wrong password, unknown user, malformed or unsupported credentials.
    Bad,
}

/// How the server challenges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// The realm (sip.conf `[general] realm`, default `asterisk`).
    pub realm: String,
    /// Algorithms offered; one challenge header each, SHA-256 ones first (RFC 8760 section
    /// 2.4: in order of preference). Default: MD5 only, as chan_sip.
    pub algorithms: Vec<Algorithm>,
    /// Offer `qop="auth"`. chan_sip never did (RFC 2069 style challenges); default `false`.
    pub qop: bool,
    /// An `opaque` to put in challenges (not checked on the way back, as pjsip).
    pub opaque: Option<String>,
    /// Nonce lifetime in seconds (default 32, res_pjsip's `nonce_lifetime`).
    pub nonce_lifetime_secs: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            realm: DEFAULT_REALM.to_owned(),
            algorithms: vec![Algorithm::Md5],
            qop: false,
            opaque: None,
            nonce_lifetime_secs: DEFAULT_NONCE_LIFETIME_SECS,
        }
    }
}

/// Challenges and verifies. Holds no per-client state.
#[derive(Debug, Clone)]
pub struct DigestServer {
    config: ServerConfig,
    nonces: NonceManager,
}

/// The password the dummy path hashes; its value does not matter, only its cost.
const DUMMY_PASSWORD: &str = "tandem-dummy-password-for-unknown-users";

impl DigestServer {
    /// A server with `config`, keying its nonces with `secret` (random, drawn by the binary).
    pub fn new(config: ServerConfig, secret: &[u8]) -> Self {
        let nonces = NonceManager::new(secret).with_lifetime(config.nonce_lifetime_secs);
        DigestServer { config, nonces }
    }

    /// The configuration.
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// The challenges for a 401/407 sent at `now` to `source`: one per offered algorithm,
    /// SHA-256 family first, all with the same nonce. `stale` marks a re-challenge after a
    /// [`Verdict::Stale`].
    pub fn challenges(&self, now: u64, source: &str, stale: bool) -> Vec<Challenge> {
        let nonce = self.nonces.issue(now, &self.config.realm, source);
        Algorithm::PREFERENCE
            .into_iter()
            .filter(|a| self.config.algorithms.contains(a))
            .map(|a| {
                let mut c = Challenge::new(&self.config.realm, &nonce, a);
                if self.config.qop {
                    c.qop = vec!["auth".to_owned()];
                }
                c.opaque = self.config.opaque.clone();
                c.stale = stale;
                c
            })
            .collect()
    }

    /// [`DigestServer::challenges`] as header values, one `WWW-Authenticate` (or
    /// `Proxy-Authenticate`) header each.
    pub fn challenge_values(&self, now: u64, source: &str, stale: bool) -> Vec<String> {
        self.challenges(now, source, stale)
            .iter()
            .map(Challenge::to_header_value)
            .collect()
    }

    /// Verifies `creds` for a request with `method`, against the user's `secret`, received
    /// from `source` at `now` (seconds, the clock given to [`DigestServer::challenges`]).
    ///
    /// The caller has looked the user up by `creds.username`; when there is no such user it
    /// calls [`DigestServer::dummy_verify`] instead, which costs the same.
    pub fn verify(
        &self,
        creds: &Credentials,
        method: &str,
        secret: &Secret,
        source: &str,
        now: u64,
    ) -> Verdict {
        self.evaluate(creds, method, secret, source, now)
    }

    /// The unknown-user path (alwaysauthreject): the same work as [`DigestServer::verify`]
    /// with a throwaway secret, and always [`Verdict::Bad`], the answer a wrong password
    /// gets.
    pub fn dummy_verify(
        &self,
        creds: &Credentials,
        method: &str,
        source: &str,
        now: u64,
    ) -> Verdict {
        let v = self.evaluate(
            creds,
            method,
            &Secret::password(DUMMY_PASSWORD),
            source,
            now,
        );
        std::hint::black_box(v);
        Verdict::Bad
    }

    /// Parses an `Authorization` value and verifies it; a value that does not parse is
    /// [`Verdict::Bad`].
    pub fn verify_value(
        &self,
        value: &str,
        method: &str,
        secret: &Secret,
        source: &str,
        now: u64,
    ) -> Verdict {
        match Credentials::parse(value) {
            Ok(c) => self.verify(&c, method, secret, source, now),
            Err(_) => Verdict::Bad,
        }
    }

    fn evaluate(
        &self,
        creds: &Credentials,
        method: &str,
        secret: &Secret,
        source: &str,
        now: u64,
    ) -> Verdict {
        let realm = self.config.realm.as_str();
        let algorithm = creds.algorithm();
        let alg_ok = algorithm.is_some_and(|a| self.config.algorithms.contains(&a));
        let alg = algorithm.unwrap_or(Algorithm::Md5);
        let realm_ok = creds.realm == realm;
        let nonce = self.nonces.check(&creds.nonce, now, realm, source);

        // Which formula: chan_sip decides by the presence of nc (check_auth computes
        // H(HA1:nonce:nc:cnonce:auth:HA2) when nc is there, else RFC 2069's H(HA1:nonce:HA2)).
        let cnonce = creds.cnonce.as_deref().unwrap_or("");
        let nc = creds.nc.as_deref().unwrap_or("");
        let has_nc = creds.nc.is_some() && creds.cnonce.is_some();
        let (form, form_ok) = match creds.qop.as_deref() {
            None if has_nc => (
                ResponseForm::Auth { nc, cnonce },
                creds.nc_value().is_some(),
            ),
            None => (ResponseForm::NoQop, true),
            Some(q) if q.eq_ignore_ascii_case("auth") && has_nc => (
                ResponseForm::Auth { nc, cnonce },
                creds.nc_value().is_some(),
            ),
            // SIPVicious' svcrack sends qop=auth without cnonce/nc. With qop offered that is
            // broken; without it, it is the RFC 2069 response with a stray qop, as chan_sip
            // (which never offered qop) accepted.
            Some(q) if q.eq_ignore_ascii_case("auth") => (ResponseForm::NoQop, !self.config.qop),
            Some(_) => (ResponseForm::NoQop, false),
        };
        let sess_ok = !alg.is_session() || creds.cnonce.is_some();

        // Always hash a HA1, even from a stored one, so both kinds of secret cost the same.
        let computed = std::hint::black_box(digest::ha1(
            alg.base(),
            &creds.username,
            realm,
            DUMMY_PASSWORD,
        ));
        let (ha1, secret_ok) = match secret.ha1(alg, &creds.username, realm) {
            Some(h) => (h, true),
            None => (computed, false),
        };
        let ha1 = digest::session_ha1(alg, &ha1, &creds.nonce, cnonce);
        let ha2 = digest::ha2(alg, method, &creds.uri);
        let expected = digest::response(alg, &ha1, &creds.nonce, &ha2, form);
        let response_ok = ct_eq(
            expected.as_bytes(),
            creds.response.to_ascii_lowercase().as_bytes(),
        );

        if !(alg_ok && realm_ok && form_ok && sess_ok && secret_ok && response_ok) {
            return Verdict::Bad;
        }
        match nonce {
            NonceCheck::Fresh => Verdict::Ok,
            // res_pjsip_authenticator_digest.c: a right digest on a nonce it cannot find
            // (expired, or not built for this source) is AUTH_STALE.
            NonceCheck::Expired | NonceCheck::Invalid => Verdict::Stale,
        }
    }
}
