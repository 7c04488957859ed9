//! `register =>` lines (chan_sip's `sip_parse_register_line`, channels/sip/config_parser.c)
//! and `auth =` lines (`add_realm_authentication`).

use crate::{Diagnostic, Section, Span};

use super::super::util::{atoi, leading_int, port_str2int, separate_args, strip_quoted};
use super::common::Transport;

/// chan_sip copies the line into `char buf[256]`.
pub const MAX_REGISTER_LINE: usize = 255;

const FORMAT: &str = "format for registration is [peer?][transport://]user[@domain][:secret[:authuser]]@host[:port][/extension][~expiry]";

/// One outbound registration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    pub span: Span,
    /// The value as written (chan_sip ignores a line identical to an earlier one).
    pub config_value: String,
    /// `peer?`: the peer whose settings (outbound proxy, ...) the registration uses.
    pub peer: Option<String>,
    pub transport: Transport,
    /// The user to register (To/From user).
    pub user: String,
    /// `user@domain`: the domain to register in, when it differs from `host`.
    pub domain: Option<String>,
    /// `user@domain:port:secret:authuser`: the port of `domain`.
    pub domain_port: Option<u16>,
    pub secret: Option<String>,
    /// The user name for digest authentication, when it differs from `user`.
    pub authuser: Option<String>,
    /// Where to send the REGISTER.
    pub host: String,
    /// `host:port`; 5060 (5061 for tls) when not given.
    pub port: u16,
    /// `/extension`: the Contact user, and the extension calls from the provider go to
    /// (default `s`).
    pub extension: String,
    /// `~expiry` in seconds; `[general]`'s `defaultexpiry` as read *before* this line.
    pub expiry: u32,
}

fn opt(s: &str) -> Option<String> {
    let s = strip_quoted(s);
    if s.is_empty() {
        None
    } else {
        Some(s.to_string())
    }
}

impl Registration {
    /// Parse the value of a `register =>` line exactly as chan_sip splits it:
    /// `@` from the right separates user part and host part; then `?` (peer), `/`+`/`
    /// (transport), `:` (secret, authuser), `~` (expiry), `/` (extension), `:` (port), `@`
    /// (domain); `name@domain:port:secret:authuser` is reordered as chan_sip does. Splits do
    /// not happen inside `"..."`, `[...]`, `(...)` or after `\`. Each field is blank-stripped
    /// and unquoted.
    ///
    /// Where chan_sip logs a notice and goes on (bad port, unknown transport), tandem returns
    /// an error; `~expiry` must be a positive number.
    pub fn parse(
        value: &str,
        default_expiry: u32,
        span: &Span,
    ) -> Result<(Registration, Vec<Diagnostic>), Diagnostic> {
        let err = |m: String| Diagnostic::error(span.clone(), m);
        let warns = Vec::new();
        if value.len() > MAX_REGISTER_LINE {
            return Err(err(format!(
                "register line longer than {MAX_REGISTER_LINE} characters (chan_sip truncates it)"
            )));
        }
        let (userpart, hostpart) = match value.rfind('@') {
            Some(at) => (&value[..at], &value[at + 1..]),
            None => ("", ""),
        };
        if userpart.is_empty() || hostpart.is_empty() {
            return Err(err(FORMAT.to_string()));
        }
        // [peer?]rest
        let pre1 = separate_args(userpart, b'?', 2);
        let (peer, rest) = match (pre1.first(), pre1.get(1)) {
            (Some(p), Some(r)) if !r.is_empty() => (Some(*p), *r),
            (Some(p), _) => (None, *p),
            (None, _) => (None, ""),
        };
        // [transport:]/[blank]/user...
        let pre2 = separate_args(rest, b'/', 3);
        let (transport_word, blank, rest) = match (pre2.first(), pre2.get(1), pre2.get(2)) {
            (Some(t), b, Some(u)) if !u.is_empty() => (Some(*t), b.copied().unwrap_or(""), *u),
            (Some(t), b, _) => (None, b.copied().unwrap_or(""), *t),
            (None, b, _) => (None, b.copied().unwrap_or(""), ""),
        };
        if !blank.is_empty() {
            return Err(err(FORMAT.to_string()));
        }
        let user1 = separate_args(rest, b':', 3);
        let host1 = separate_args(hostpart, b'~', 2);
        let host2 = separate_args(host1.first().copied().unwrap_or(""), b'/', 2);
        let host3 = separate_args(host2.first().copied().unwrap_or(""), b':', 2);
        let user2 = separate_args(user1.first().copied().unwrap_or(""), b'@', 2);
        let user3 = separate_args(user1.get(2).copied().unwrap_or(""), b':', 2);

        let mut secret = user1.get(1).copied();
        let mut authuser = user3.first().copied();
        let mut domainport = user3.get(1).copied();
        if user3.len() == 2 {
            // [(:secret[:username])|(:regdomainport:secret:username)]
            domainport = secret;
            secret = user3.first().copied();
            authuser = user3.get(1).copied();
        }

        let transport = match transport_word {
            None => Transport::Udp,
            Some(t) => {
                // chan_sip drops the last character (the ':' of "tcp:") and compares 3 letters.
                let word = t.get(..t.len().saturating_sub(1)).unwrap_or("");
                match Transport::from_prefix(word) {
                    Some(tr @ (Transport::Udp | Transport::Tcp | Transport::Tls))
                        if word.len() >= 3 =>
                    {
                        tr
                    }
                    _ => {
                        return Err(err(format!(
                            "'{word}' is not a valid transport (expected udp, tcp or tls)"
                        )))
                    }
                }
            }
        };
        let mut port = match host3.get(1) {
            Some(p) => match port_str2int(p) {
                Some(p) => p,
                None => return Err(err(format!("'{p}' is not a valid port number"))),
            },
            None => 0,
        };
        if port == 0 {
            port = if transport == Transport::Tls {
                5061
            } else {
                5060
            };
        }
        let domain_port = match domainport {
            Some(p) => match port_str2int(p) {
                Some(p) => Some(p),
                None => return Err(err(format!("'{p}' is not a valid domain port number"))),
            },
            None => None,
        };
        let expiry = match host1.get(1) {
            Some(e) => {
                let e = strip_quoted(e);
                match leading_int(e) {
                    Some(n) if n > 0 && atoi(e) <= i64::from(u32::MAX) => n as u32,
                    _ => {
                        return Err(err(format!(
                            "'{e}' is not a valid expiry (a positive number of seconds)"
                        )))
                    }
                }
            }
            None => default_expiry,
        };
        let host = strip_quoted(host3.first().copied().unwrap_or("")).to_string();
        if host.is_empty() {
            return Err(err(FORMAT.to_string()));
        }
        let user = strip_quoted(user2.first().copied().unwrap_or("")).to_string();
        let reg = Registration {
            span: span.clone(),
            config_value: value.to_string(),
            peer: peer.and_then(opt),
            transport,
            user,
            domain: user2.get(1).and_then(|d| opt(d)),
            domain_port,
            secret: secret.and_then(opt),
            authuser: authuser.and_then(opt),
            host,
            port,
            extension: host2
                .get(1)
                .and_then(|e| opt(e))
                .unwrap_or_else(|| "s".to_string()),
            expiry,
        };
        Ok((reg, warns))
    }
}

/// One `auth = user[:secret]@realm` or `auth = user#md5secret@realm` credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RealmAuth {
    pub span: Span,
    pub user: String,
    pub realm: String,
    pub secret: Option<String>,
    pub md5secret: Option<String>,
}

impl RealmAuth {
    /// `add_realm_authentication`: `@` from the right gives the realm; then `:` (secret) or,
    /// failing that, `#` (md5secret).
    pub fn parse(value: &str, span: &Span) -> Result<RealmAuth, Diagnostic> {
        let bad = || {
            Diagnostic::error(
                span.clone(),
                "format for authentication entry is user[:secret]@realm or user#md5secret@realm",
            )
        };
        let (userpart, realm) = value.rsplit_once('@').ok_or_else(bad)?;
        if userpart.is_empty() || realm.is_empty() {
            return Err(bad());
        }
        let (user, secret, md5) = if let Some((u, s)) = userpart.split_once(':') {
            (u, Some(s.to_string()), None)
        } else if let Some((u, m)) = userpart.split_once('#') {
            (u, None, Some(m.to_string()))
        } else {
            (userpart, None, None)
        };
        Ok(RealmAuth {
            span: span.clone(),
            user: user.to_string(),
            realm: realm.to_string(),
            secret,
            md5secret: md5,
        })
    }
}

pub(crate) fn read_authentication(
    sec: &Section,
    auths: &mut Vec<RealmAuth>,
    diags: &mut Vec<Diagnostic>,
) {
    for item in &sec.items {
        if item.key.eq_ignore_ascii_case("auth") {
            if item.value.trim().is_empty() {
                continue;
            }
            match RealmAuth::parse(item.value.trim(), &item.span) {
                Ok(a) => auths.push(a),
                Err(d) => diags.push(d),
            }
        } else {
            diags.push(Diagnostic::warning(
                item.span.clone(),
                format!(
                    "unknown option '{}' in [{}] (only auth = user:secret@realm is read there)",
                    item.key, sec.name
                ),
            ));
        }
    }
}
