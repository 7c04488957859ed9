//! `WWW-Authenticate` / `Proxy-Authenticate` values: `Digest realm=..., nonce=..., ...`.
//!
//! Wire sample (chan_sip's own 401, `transmit_response_with_auth`):
//! `Digest algorithm=MD5, realm="asterisk", nonce="4ec1b1b8"` and, when the credentials were
//! right but the nonce old, the same with `, stale=true` appended.

use std::fmt;

use super::digest::Algorithm;
use super::params::{self, AuthParseError, Param, Printer};

/// One digest challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// `realm`, required.
    pub realm: String,
    /// `nonce`, required.
    pub nonce: String,
    /// `opaque`, returned untouched by the client.
    pub opaque: Option<String>,
    /// `stale=true`: the previous credentials were right, only the nonce was old.
    pub stale: bool,
    /// `algorithm` token as received (`None`: absent, which means MD5).
    pub algorithm: Option<String>,
    /// The `qop` options (`["auth", "auth-int"]`); empty when the server sent no qop
    /// (RFC 2069 style, as chan_sip does).
    pub qop: Vec<String>,
    /// `domain`, a space-separated URI list, kept as text.
    pub domain: Option<String>,
    /// Parameters tandem does not interpret (`charset`, `userhash`, ...), kept for printing.
    pub other: Vec<Param>,
}

impl Challenge {
    /// A challenge for `realm` with `nonce` and an explicit `algorithm`, no qop.
    pub fn new(realm: &str, nonce: &str, algorithm: Algorithm) -> Self {
        Challenge {
            realm: realm.to_owned(),
            nonce: nonce.to_owned(),
            opaque: None,
            stale: false,
            algorithm: Some(algorithm.name().to_owned()),
            qop: Vec::new(),
            domain: None,
            other: Vec::new(),
        }
    }

    /// Parses one challenge (the whole header value).
    pub fn parse(value: &str) -> Result<Challenge, AuthParseError> {
        Self::from_params(params::parse_one(value)?)
    }

    /// Parses a header value that may hold several comma-joined challenges.
    pub fn parse_all(value: &str) -> Result<Vec<Challenge>, AuthParseError> {
        params::parse_list(value)?
            .into_iter()
            .map(Self::from_params)
            .collect()
    }

    fn from_params(ps: Vec<Param>) -> Result<Challenge, AuthParseError> {
        let realm = params::value(&ps, "realm").ok_or(AuthParseError::Missing("realm"))?;
        let nonce = params::value(&ps, "nonce").ok_or(AuthParseError::Missing("nonce"))?;
        let qop = params::value(&ps, "qop")
            .map(|q| {
                q.split(|c: char| c == ',' || c.is_ascii_whitespace())
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        const KNOWN: [&str; 7] = [
            "realm",
            "nonce",
            "opaque",
            "stale",
            "algorithm",
            "qop",
            "domain",
        ];
        let mut other: Vec<Param> = Vec::new();
        for p in &ps {
            if !KNOWN.contains(&p.name.as_str()) {
                // Keep the last value of a duplicated unknown parameter, like the known ones.
                other.retain(|o| o.name != p.name);
                other.push(p.clone());
            }
        }
        Ok(Challenge {
            realm: realm.to_owned(),
            nonce: nonce.to_owned(),
            opaque: params::value(&ps, "opaque").map(str::to_owned),
            stale: params::value(&ps, "stale")
                .is_some_and(|s| s.trim().eq_ignore_ascii_case("true")),
            algorithm: params::value(&ps, "algorithm").map(str::to_owned),
            qop,
            domain: params::value(&ps, "domain").map(str::to_owned),
            other,
        })
    }

    /// The algorithm to answer with: absent means MD5; `None` when tandem cannot compute it.
    pub fn algorithm(&self) -> Option<Algorithm> {
        match &self.algorithm {
            None => Some(Algorithm::Md5),
            Some(t) => Algorithm::from_token(t),
        }
    }

    /// Whether `qop=auth` is among the options offered.
    pub fn offers_qop_auth(&self) -> bool {
        self.qop.iter().any(|q| q.eq_ignore_ascii_case("auth"))
    }

    /// The header value, in chan_sip's order (algorithm, realm, nonce), then qop, opaque,
    /// domain, the unknown parameters, and `stale=true` last as chan_sip appends it.
    pub fn to_header_value(&self) -> String {
        let mut p = Printer::new();
        if let Some(a) = &self.algorithm {
            p.token("algorithm", a);
        }
        p.quoted("realm", &self.realm);
        p.quoted("nonce", &self.nonce);
        if !self.qop.is_empty() {
            p.quoted("qop", &self.qop.join(","));
        }
        if let Some(o) = &self.opaque {
            p.quoted("opaque", o);
        }
        if let Some(d) = &self.domain {
            p.quoted("domain", d);
        }
        for o in &self.other {
            if o.quoted {
                p.quoted(&o.name, &o.value);
            } else {
                p.token(&o.name, &o.value);
            }
        }
        if self.stale {
            p.token("stale", "true");
        }
        p.finish()
    }
}

impl fmt::Display for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_header_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rfc2617_section_3_5_challenge() {
        let c = Challenge::parse(
            "Digest\r\n realm=\"testrealm@host.com\",\r\n qop=\"auth,auth-int\",\r\n \
             nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\",\r\n opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
        );
        let c = c.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.realm, "testrealm@host.com");
        assert_eq!(c.nonce, "dcd98b7102dd2f0e8b11d0f600bfb0c093");
        assert_eq!(
            c.opaque.as_deref(),
            Some("5ccc069c403ebaf9f0171e9517f40e41")
        );
        assert_eq!(c.qop, vec!["auth".to_owned(), "auth-int".to_owned()]);
        assert_eq!(c.algorithm, None);
        assert_eq!(c.algorithm(), Some(Algorithm::Md5));
        assert!(c.offers_qop_auth());
        assert!(!c.stale);
    }

    #[test]
    fn prints_like_chan_sip_and_appends_stale_last() {
        let mut c = Challenge::new("asterisk", "4ec1b1b8", Algorithm::Md5);
        assert_eq!(
            c.to_header_value(),
            "Digest algorithm=MD5, realm=\"asterisk\", nonce=\"4ec1b1b8\""
        );
        c.stale = true;
        assert_eq!(
            c.to_string(),
            "Digest algorithm=MD5, realm=\"asterisk\", nonce=\"4ec1b1b8\", stale=true"
        );
    }

    #[test]
    fn round_trips_every_field() {
        let mut c = Challenge::new("r\"x", "n", Algorithm::Sha256Sess);
        c.qop = vec!["auth".into(), "auth-int".into()];
        c.opaque = Some("op".into());
        c.domain = Some("sip:a.example sip:b.example".into());
        c.stale = true;
        c.other.push(Param {
            name: "charset".into(),
            value: "UTF-8".into(),
            quoted: false,
        });
        let back = Challenge::parse(&c.to_header_value());
        assert_eq!(back, Ok(c));
    }

    #[test]
    fn unquoted_values_stale_case_and_unknown_algorithm() {
        let c = Challenge::parse(
            "DIGEST REALM=pbx,NONCE=abc,QOP=auth,STALE=TRUE,ALGORITHM=sha-512-256",
        );
        let c = c.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.realm, "pbx");
        assert!(c.stale);
        assert!(c.offers_qop_auth());
        assert_eq!(c.algorithm(), None);
    }

    #[test]
    fn missing_realm_or_nonce_is_an_error() {
        assert_eq!(
            Challenge::parse("Digest nonce=\"a\""),
            Err(AuthParseError::Missing("realm"))
        );
        assert_eq!(
            Challenge::parse("Digest realm=\"a\""),
            Err(AuthParseError::Missing("nonce"))
        );
    }

    #[test]
    fn parse_all_reads_comma_joined_challenges() {
        let all = Challenge::parse_all(
            "Digest realm=\"a\", nonce=\"1\", algorithm=SHA-256, Digest realm=\"a\", nonce=\"1\", algorithm=MD5",
        )
        .unwrap_or_default();
        let algs: Vec<_> = all.iter().map(Challenge::algorithm).collect();
        assert_eq!(algs, vec![Some(Algorithm::Sha256), Some(Algorithm::Md5)]);
    }
}
