//! URIs: `sip:`/`sips:` (RFC 3261 sec. 19.1), `tel:` (RFC 3966) and any other scheme kept raw.
//!
//! ```text
//! sip:sips%3Auser%40example.com@example.net        (RFC 4475 3.1.1.3: the user is escaped)
//! sip:user;par=u%40example.net@example.com          (RFC 4475 3.1.1.9: ';' inside the user)
//! ```

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::params::Params;
use super::scan::{
    escapes_valid, find_byte, percent_decode, rsplit_once_byte, split_once_byte, write_decimal,
};

/// A URI scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheme {
    Sip,
    Sips,
    Tel,
    Other(String),
}

impl Scheme {
    pub fn as_str(&self) -> &str {
        match self {
            Scheme::Sip => "sip",
            Scheme::Sips => "sips",
            Scheme::Tel => "tel",
            Scheme::Other(s) => s,
        }
    }
}

/// A host: a domain name as written, an IPv4 address or an IPv6 reference (`[...]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    Domain(String),
    V4(Ipv4Addr),
    V6(Ipv6Addr),
}

impl Host {
    /// Parses `host` (RFC 3261 sec. 25.1): hostname, IPv4address or `[IPv6address]`.
    pub fn parse(s: &str) -> Result<Host, &'static str> {
        HostRef::parse(s).map(HostRef::to_host)
    }

    /// Case-insensitive comparison for domains, exact for addresses.
    pub fn same(&self, other: &Host) -> bool {
        match (self, other) {
            (Host::Domain(a), Host::Domain(b)) => a.eq_ignore_ascii_case(b),
            _ => self == other,
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Domain(d) => f.write_str(d),
            Host::V4(a) => {
                // By hand: Ipv4Addr's Display was a tenth of serializing an INVITE.
                for (i, o) in a.octets().into_iter().enumerate() {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    write_decimal(f, u64::from(o))?;
                }
                Ok(())
            }
            Host::V6(a) => write!(f, "[{a}]"),
        }
    }
}

/// A [`Host`] borrowed from the text it was read from (checking a header costs no allocation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HostRef<'a> {
    Domain(&'a str),
    V4(Ipv4Addr),
    V6(Ipv6Addr),
}

impl<'a> HostRef<'a> {
    pub(crate) fn parse(s: &'a str) -> Result<HostRef<'a>, &'static str> {
        if let Some(inner) = s.strip_prefix('[') {
            let inner = inner
                .strip_suffix(']')
                .ok_or("unterminated IPv6 reference")?;
            return inner
                .parse()
                .map(HostRef::V6)
                .map_err(|_| "bad IPv6 address");
        }
        if s.is_empty() {
            return Err("empty host");
        }
        if s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            if let Ok(a) = s.parse() {
                return Ok(HostRef::V4(a));
            }
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
        {
            return Err("bad host");
        }
        Ok(HostRef::Domain(s))
    }

    pub(crate) fn to_host(self) -> Host {
        match self {
            HostRef::Domain(d) => Host::Domain(d.to_string()),
            HostRef::V4(a) => Host::V4(a),
            HostRef::V6(a) => Host::V6(a),
        }
    }
}

/// Splits `host[:port]` at the port's ':' (an IPv6 reference keeps its colons); nothing is
/// checked but the brackets.
pub(crate) fn split_hostport(s: &str) -> Result<(&str, Option<&str>), &'static str> {
    if s.starts_with('[') {
        let end = find_byte(s, b']').ok_or("unterminated IPv6 reference")?;
        let host = s.get(..=end).unwrap_or("");
        let rest = s.get(end + 1..).unwrap_or("");
        match rest.strip_prefix(':') {
            Some(p) => Ok((host, Some(p))),
            None if rest.is_empty() => Ok((host, None)),
            None => Err("junk after IPv6 reference"),
        }
    } else {
        Ok(match rsplit_once_byte(s, b':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        })
    }
}

/// Checks a split `host[:port]` (port 0-65535).
pub(crate) fn hostport_from_parts<'a>(
    host: &'a str,
    port: Option<&str>,
) -> Result<(HostRef<'a>, Option<u16>), &'static str> {
    let port = match port {
        Some(p) => {
            if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err("bad port");
            }
            Some(p.parse::<u16>().map_err(|_| "bad port")?)
        }
        None => None,
    };
    Ok((HostRef::parse(host)?, port))
}

/// Splits and checks `host[:port]` (port 0-65535).
pub(crate) fn parse_hostport(s: &str) -> Result<(HostRef<'_>, Option<u16>), &'static str> {
    let (host, port) = split_hostport(s)?;
    hostport_from_parts(host, port)
}

/// A `sip:` or `sips:` URI. The user and parameters keep their `%` escapes as written; use
/// [`SipUri::user_decoded`] for the unescaped user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SipUri {
    pub secure: bool,
    pub user: Option<String>,
    pub password: Option<String>,
    pub host: Host,
    pub port: Option<u16>,
    pub params: Params,
    pub headers: Vec<(String, String)>,
}

impl SipUri {
    /// A plain `sip:user@host` URI.
    pub fn new(user: Option<&str>, host: Host) -> Self {
        SipUri {
            secure: false,
            user: user.map(str::to_string),
            password: None,
            host,
            port: None,
            params: Params::new(),
            headers: Vec::new(),
        }
    }

    /// The user part with `%HH` escapes decoded (invalid UTF-8 replaced).
    pub fn user_decoded(&self) -> Option<String> {
        self.user
            .as_deref()
            .map(|u| String::from_utf8_lossy(&percent_decode(u)).into_owned())
    }
}

/// A `sip:`/`sips:` URI checked and split, borrowed from the text it was read from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SipUriRef<'a> {
    pub secure: bool,
    pub user: Option<&'a str>,
    pub password: Option<&'a str>,
    pub host: HostRef<'a>,
    pub port: Option<u16>,
    /// The URI parameters as written: empty, or `;name[=value]...`, each checked.
    pub params: &'a str,
    /// The URI headers after `?` as written (`name=value&...`, each checked).
    pub headers: Option<&'a str>,
}

impl<'a> SipUriRef<'a> {
    fn parse(rest: &'a str, secure: bool) -> Result<SipUriRef<'a>, &'static str> {
        if rest
            .bytes()
            .any(|b| b <= b' ' || b >= 0x7f || matches!(b, b'<' | b'>' | b'"'))
        {
            return Err("illegal character in SIP URI");
        }
        if !escapes_valid(rest) {
            return Err("bad escape in SIP URI");
        }
        let (userinfo, after) = match find_byte(rest, b'@') {
            Some(i) => (rest.get(..i), rest.get(i + 1..).unwrap_or("")),
            None => (None, rest),
        };
        let (user, password) = match userinfo {
            Some(ui) => {
                let (u, p) = match split_once_byte(ui, b':') {
                    Some((u, p)) => (u, Some(p)),
                    None => (ui, None),
                };
                if u.is_empty() {
                    return Err("empty user in SIP URI");
                }
                (Some(u), p)
            }
            None => (None, None),
        };
        let (before_headers, headers) = match split_once_byte(after, b'?') {
            Some((a, h)) => (a, Some(h)),
            None => (after, None),
        };
        let (hostport, params) = match find_byte(before_headers, b';') {
            Some(i) => (
                before_headers.get(..i).unwrap_or(""),
                before_headers.get(i..).unwrap_or(""),
            ),
            None => (before_headers, ""),
        };
        let (host, port) = parse_hostport(hostport)?;
        for (n, v) in uri_params(params) {
            if n.is_empty() || v.is_some_and(str::is_empty) {
                return Err("empty URI parameter");
            }
        }
        if let Some(h) = headers {
            for kv in h.split('&') {
                let (n, _) = split_once_byte(kv, b'=').ok_or("URI header without '='")?;
                if n.is_empty() {
                    return Err("empty URI header name");
                }
            }
        }
        Ok(SipUriRef {
            secure,
            user,
            password,
            host,
            port,
            params,
            headers,
        })
    }

    fn to_uri(self) -> SipUri {
        let mut params = Params::new();
        for (n, v) in uri_params(self.params) {
            params.push(n, v);
        }
        let headers = self
            .headers
            .map(|h| {
                h.split('&')
                    .filter_map(|kv| split_once_byte(kv, b'='))
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        SipUri {
            secure: self.secure,
            user: self.user.map(str::to_string),
            password: self.password.map(str::to_string),
            host: self.host.to_host(),
            port: self.port,
            params,
            headers,
        }
    }
}

/// The `name[=value]` pairs of `;a=1;b`-style parameters (empty text: none).
fn uri_params(params: &str) -> impl Iterator<Item = (&str, Option<&str>)> {
    params
        .split(';')
        .skip(1)
        .map(|p| match split_once_byte(p, b'=') {
            Some((n, v)) => (n, Some(v)),
            None => (p, None),
        })
}

impl fmt::Display for SipUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.secure { "sips:" } else { "sip:" })?;
        if let Some(u) = &self.user {
            f.write_str(u)?;
            if let Some(p) = &self.password {
                f.write_str(":")?;
                f.write_str(p)?;
            }
            f.write_str("@")?;
        }
        fmt::Display::fmt(&self.host, f)?;
        if let Some(p) = self.port {
            f.write_str(":")?;
            write_decimal(f, u64::from(p))?;
        }
        fmt::Display::fmt(&self.params, f)?;
        for (i, (n, v)) in self.headers.iter().enumerate() {
            f.write_str(if i == 0 { "?" } else { "&" })?;
            f.write_str(n)?;
            f.write_str("=")?;
            f.write_str(v)?;
        }
        Ok(())
    }
}

/// Any URI the parser accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uri {
    Sip(SipUri),
    /// `tel:` number and its parameters (RFC 3966), both as written.
    Tel {
        number: String,
        params: Params,
    },
    /// An unknown scheme: everything after `scheme:` kept raw (RFC 4475 3.3.2/3.3.4).
    Other {
        scheme: String,
        rest: String,
    },
}

/// A [`Uri`] checked and split, borrowed from the text it was read from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum UriRef<'a> {
    Sip(SipUriRef<'a>),
    /// Number, then `;`-parameters as written.
    Tel(&'a str, &'a str),
    Other(&'a str, &'a str),
}

impl<'a> UriRef<'a> {
    /// Parses an absolute URI. Whitespace, `<`, `>` are rejected everywhere.
    pub(crate) fn parse(s: &'a str) -> Result<UriRef<'a>, &'static str> {
        let (scheme, rest) = split_once_byte(s, b':').ok_or("URI without scheme")?;
        let mut sb = scheme.bytes();
        if !sb.next().is_some_and(|b| b.is_ascii_alphabetic())
            || !sb.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        {
            return Err("bad URI scheme");
        }
        if scheme.eq_ignore_ascii_case("sip") {
            return SipUriRef::parse(rest, false).map(UriRef::Sip);
        }
        if scheme.eq_ignore_ascii_case("sips") {
            return SipUriRef::parse(rest, true).map(UriRef::Sip);
        }
        if rest.is_empty()
            || rest
                .bytes()
                .any(|b| b <= b' ' || b == 0x7f || matches!(b, b'<' | b'>' | b'"'))
        {
            return Err("bad URI");
        }
        if scheme.eq_ignore_ascii_case("tel") {
            return Ok(match find_byte(rest, b';') {
                Some(i) => UriRef::Tel(rest.get(..i).unwrap_or(""), rest.get(i..).unwrap_or("")),
                None => UriRef::Tel(rest, ""),
            });
        }
        Ok(UriRef::Other(scheme, rest))
    }

    pub(crate) fn to_uri(self) -> Uri {
        match self {
            UriRef::Sip(u) => Uri::Sip(u.to_uri()),
            UriRef::Tel(number, p) => {
                let mut params = Params::new();
                for (n, v) in uri_params(p) {
                    params.push(n, v);
                }
                Uri::Tel {
                    number: number.to_string(),
                    params,
                }
            }
            UriRef::Other(scheme, rest) => Uri::Other {
                scheme: scheme.to_string(),
                rest: rest.to_string(),
            },
        }
    }
}

impl Uri {
    /// Parses an absolute URI. Whitespace, `<`, `>` are rejected everywhere.
    pub fn parse(s: &str) -> Result<Uri, &'static str> {
        UriRef::parse(s).map(UriRef::to_uri)
    }

    pub fn scheme(&self) -> Scheme {
        match self {
            Uri::Sip(u) if u.secure => Scheme::Sips,
            Uri::Sip(_) => Scheme::Sip,
            Uri::Tel { .. } => Scheme::Tel,
            Uri::Other { scheme, .. } => Scheme::Other(scheme.clone()),
        }
    }

    pub fn as_sip(&self) -> Option<&SipUri> {
        match self {
            Uri::Sip(u) => Some(u),
            _ => None,
        }
    }

    /// The user of a SIP URI (escapes kept) or the number of a tel URI.
    pub fn user(&self) -> Option<&str> {
        match self {
            Uri::Sip(u) => u.user.as_deref(),
            Uri::Tel { number, .. } => Some(number),
            Uri::Other { .. } => None,
        }
    }

    pub fn host(&self) -> Option<&Host> {
        self.as_sip().map(|u| &u.host)
    }
}

impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Uri::Sip(u) => fmt::Display::fmt(u, f),
            Uri::Tel { number, params } => write!(f, "tel:{number}{params}"),
            Uri::Other { scheme, rest } => write!(f, "{scheme}:{rest}"),
        }
    }
}

impl std::str::FromStr for Uri {
    type Err = &'static str;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uri::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt(s: &str) -> Uri {
        let u = Uri::parse(s).unwrap();
        assert_eq!(u.to_string(), s, "print gives back what was read");
        assert_eq!(Uri::parse(&u.to_string()).unwrap(), u);
        u
    }

    #[test]
    fn escaped_user_is_kept_and_decodable() {
        let u = rt("sip:sips%3Auser%40example.com@example.net");
        let s = u.as_sip().unwrap();
        assert_eq!(s.user.as_deref(), Some("sips%3Auser%40example.com"));
        assert_eq!(s.user_decoded().as_deref(), Some("sips:user@example.com"));
        assert_eq!(s.host, Host::Domain("example.net".into()));
    }

    #[test]
    fn escaped_null_decodes() {
        let u = rt("sip:null-%00-null@example.com");
        assert_eq!(
            u.as_sip().unwrap().user_decoded().as_deref(),
            Some("null-\0-null")
        );
    }

    #[test]
    fn semicolon_in_user_part() {
        let u = rt("sip:user;par=u%40example.net@example.com");
        assert_eq!(u.user(), Some("user;par=u%40example.net"));
        assert!(u.as_sip().unwrap().params.is_empty());
    }

    #[test]
    fn unusual_user_and_password() {
        let u = rt("sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com");
        let s = u.as_sip().unwrap();
        assert_eq!(
            s.user.as_deref(),
            Some("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
        );
        assert_eq!(
            s.password.as_deref(),
            Some("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)")
        );
    }

    #[test]
    fn host_forms_and_ports() {
        let u = rt("sips:alice@192.0.2.4:5061;transport=tcp;lr");
        let s = u.as_sip().unwrap();
        assert!(s.secure);
        assert_eq!(s.host, Host::V4("192.0.2.4".parse().unwrap()));
        assert_eq!(s.port, Some(5061));
        assert_eq!(s.params.value("transport"), Some("tcp"));
        assert_eq!(s.params.get("lr"), Some(None));
        let u = rt("sip:[2001:db8::10]:5070");
        assert_eq!(u.host(), Some(&Host::V6("2001:db8::10".parse().unwrap())));
        assert_eq!(u.as_sip().unwrap().port, Some(5070));
        assert!(Uri::parse("sip:host:70000").is_err());
        assert!(Uri::parse("sip:[::1").is_err());
    }

    #[test]
    fn uri_headers() {
        let u = rt("sip:user@example.com?Route=%3Csip:sip.example.com%3E");
        assert_eq!(
            u.as_sip().unwrap().headers,
            vec![("Route".into(), "%3Csip:sip.example.com%3E".into())]
        );
    }

    #[test]
    fn unknown_and_tel_schemes_are_kept() {
        assert_eq!(
            rt("nobodyKnowsThisScheme:totallyopaquecontent").scheme(),
            Scheme::Other("nobodyKnowsThisScheme".into())
        );
        assert_eq!(
            rt("soap.beep://192.0.2.103:3002").scheme().as_str(),
            "soap.beep"
        );
        let t = rt("tel:+16505552222;phone-context=example.com");
        assert_eq!(t.user(), Some("+16505552222"));
        assert_eq!(t.scheme(), Scheme::Tel);
    }

    #[test]
    fn malformed_uris_are_rejected() {
        for bad in [
            "<sip:user@example.com>",
            "sip:user@example.com; lr",
            "sip:",
            "sip:@host",
            "sip:a@b;",
            "1sip:x",
            "sip:a%4@b",
            "sip:a@b c",
        ] {
            assert!(Uri::parse(bad).is_err(), "{bad}");
        }
    }
}
