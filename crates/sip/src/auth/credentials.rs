//! `Authorization` / `Proxy-Authorization` values: the client's digest credentials.
//!
//! Wire sample (RFC 2617 section 3.5):
//! `Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",
//! uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b",
//! response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"`

use std::fmt;

use super::digest::Algorithm;
use super::params::{self, AuthParseError, Param, Printer};

/// Digest credentials as sent by a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// `username`, required.
    pub username: String,
    /// `realm`, required.
    pub realm: String,
    /// `nonce` from the challenge being answered, required.
    pub nonce: String,
    /// `uri` (the digest-uri, normally the Request-URI), required.
    pub uri: String,
    /// `response`, the request-digest in hex, required.
    pub response: String,
    /// `algorithm` token as received (`None`: absent, which means MD5).
    pub algorithm: Option<String>,
    /// `cnonce`.
    pub cnonce: Option<String>,
    /// `opaque`, echoed from the challenge.
    pub opaque: Option<String>,
    /// `qop` chosen by the client (`auth`), absent in RFC 2069 style.
    pub qop: Option<String>,
    /// `nc`, the nonce count as sent (8 hex digits).
    pub nc: Option<String>,
    /// Parameters tandem does not interpret, kept for printing.
    pub other: Vec<Param>,
}

impl Credentials {
    /// Parses an `Authorization` header value.
    pub fn parse(value: &str) -> Result<Credentials, AuthParseError> {
        let ps = params::parse_one(value)?;
        let req = |name: &'static str| {
            params::value(&ps, name)
                .map(str::to_owned)
                .ok_or(AuthParseError::Missing(name))
        };
        let opt = |name: &str| params::value(&ps, name).map(str::to_owned);
        const KNOWN: [&str; 10] = [
            "username",
            "realm",
            "nonce",
            "uri",
            "response",
            "algorithm",
            "cnonce",
            "opaque",
            "qop",
            "nc",
        ];
        let mut other: Vec<Param> = Vec::new();
        for p in &ps {
            if !KNOWN.contains(&p.name.as_str()) {
                other.retain(|o| o.name != p.name);
                other.push(p.clone());
            }
        }
        Ok(Credentials {
            username: req("username")?,
            realm: req("realm")?,
            nonce: req("nonce")?,
            uri: req("uri")?,
            response: req("response")?,
            algorithm: opt("algorithm"),
            cnonce: opt("cnonce"),
            opaque: opt("opaque"),
            qop: opt("qop"),
            nc: opt("nc"),
            other,
        })
    }

    /// The algorithm used: absent means MD5; `None` when tandem does not know the token.
    pub fn algorithm(&self) -> Option<Algorithm> {
        match &self.algorithm {
            None => Some(Algorithm::Md5),
            Some(t) => Algorithm::from_token(t),
        }
    }

    /// The nonce count as a number, when `nc` is 1 to 8 hex digits.
    pub fn nc_value(&self) -> Option<u32> {
        let nc = self.nc.as_deref()?;
        if nc.is_empty() || nc.len() > 8 {
            return None;
        }
        u32::from_str_radix(nc, 16).ok()
    }

    /// The header value: username, realm, nonce, uri, response, algorithm, cnonce, opaque,
    /// qop, nc (the order of RFC 2617's grammar), then unknown parameters.
    pub fn to_header_value(&self) -> String {
        let mut p = Printer::new();
        p.quoted("username", &self.username);
        p.quoted("realm", &self.realm);
        p.quoted("nonce", &self.nonce);
        p.quoted("uri", &self.uri);
        p.quoted("response", &self.response);
        if let Some(a) = &self.algorithm {
            p.token("algorithm", a);
        }
        if let Some(c) = &self.cnonce {
            p.quoted("cnonce", c);
        }
        if let Some(o) = &self.opaque {
            p.quoted("opaque", o);
        }
        if let Some(q) = &self.qop {
            p.token("qop", q);
        }
        if let Some(n) = &self.nc {
            p.token("nc", n);
        }
        for o in &self.other {
            if o.quoted {
                p.quoted(&o.name, &o.value);
            } else {
                p.token(&o.name, &o.value);
            }
        }
        p.finish()
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_header_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC2617: &str = "Digest username=\"Mufasa\",\r\n realm=\"testrealm@host.com\",\r\n \
        nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\",\r\n uri=\"/dir/index.html\",\r\n qop=auth,\r\n \
        nc=00000001,\r\n cnonce=\"0a4f113b\",\r\n response=\"6629fae49393a05397450978507c4ef1\",\r\n \
        opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";

    #[test]
    fn parses_rfc2617_section_3_5_credentials() {
        let c = Credentials::parse(RFC2617).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.username, "Mufasa");
        assert_eq!(c.uri, "/dir/index.html");
        assert_eq!(c.qop.as_deref(), Some("auth"));
        assert_eq!(c.nc.as_deref(), Some("00000001"));
        assert_eq!(c.nc_value(), Some(1));
        assert_eq!(c.cnonce.as_deref(), Some("0a4f113b"));
        assert_eq!(c.response, "6629fae49393a05397450978507c4ef1");
        assert_eq!(c.algorithm(), Some(Algorithm::Md5));
    }

    #[test]
    fn round_trips_through_the_printer() {
        let c = Credentials::parse(RFC2617).unwrap_or_else(|e| panic!("{e}"));
        let printed = c.to_header_value();
        assert!(printed.starts_with("Digest username=\"Mufasa\", realm=\"testrealm@host.com\""));
        assert_eq!(Credentials::parse(&printed), Ok(c));
    }

    #[test]
    fn tolerates_unquoted_values_odd_case_and_spacing() {
        let c = Credentials::parse(
            "digest USERNAME = 101 ,Realm=asterisk,nonce=abc uri=sip:pbx response=ABCDEF Algorithm=md5",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.username, "101");
        assert_eq!(c.realm, "asterisk");
        assert_eq!(c.uri, "sip:pbx");
        assert_eq!(c.response, "ABCDEF");
        assert_eq!(c.algorithm(), Some(Algorithm::Md5));
    }

    #[test]
    fn missing_required_parameters_are_named() {
        assert_eq!(
            Credentials::parse("Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\""),
            Err(AuthParseError::Missing("response"))
        );
        assert_eq!(
            Credentials::parse("Digest realm=\"r\""),
            Err(AuthParseError::Missing("username"))
        );
    }

    #[test]
    fn nc_value_rejects_non_hex_and_overlong_counts() {
        let mut c = Credentials::parse(RFC2617).unwrap_or_else(|e| panic!("{e}"));
        c.nc = Some("0000000g".into());
        assert_eq!(c.nc_value(), None);
        c.nc = Some("000000001".into());
        assert_eq!(c.nc_value(), None);
        c.nc = Some("ffffffff".into());
        assert_eq!(c.nc_value(), Some(u32::MAX));
    }
}
