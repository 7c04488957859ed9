//! The `Digest name=value, name="value"` lists shared by challenges and credentials.
//!
//! Tolerant on input: any case for the scheme and the names, spaces and tabs (and folded CRLF)
//! anywhere between items, unquoted values, missing or repeated commas, duplicate names (the
//! last one wins, as chan_sip's digest parser overwrote earlier keys). Strict on size: the
//! value and the number of parameters are bounded.

use thiserror::Error;

/// Longest header value accepted (bytes).
pub const MAX_VALUE_LEN: usize = 8192;
/// Most parameters accepted in one challenge or credentials value.
pub const MAX_PARAMS: usize = 64;
/// Most challenges accepted in one comma-joined header value.
pub const MAX_CHALLENGES: usize = 8;

/// Why a `WWW-Authenticate`/`Authorization` value could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AuthParseError {
    /// The value is longer than [`MAX_VALUE_LEN`].
    #[error("authentication header too long")]
    TooLong,
    /// The scheme is not `Digest` (for example `Basic` or `Bearer`).
    #[error("unsupported authentication scheme")]
    NotDigest,
    /// More than [`MAX_PARAMS`] parameters or [`MAX_CHALLENGES`] challenges.
    #[error("too many authentication parameters")]
    TooMany,
    /// Broken syntax; the text says where.
    #[error("malformed authentication header: {0}")]
    Syntax(&'static str),
    /// A parameter the scheme requires is absent.
    #[error("missing digest parameter {0}")]
    Missing(&'static str),
}

/// One `name=value` item; `name` is lowercased, `value` unescaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// Lowercased parameter name.
    pub name: String,
    /// Value with quotes removed and `\x` escapes resolved.
    pub value: String,
    /// Whether the value was a quoted-string.
    pub quoted: bool,
}

/// The last parameter named `name` (names are compared lowercased).
pub fn get<'a>(params: &'a [Param], name: &str) -> Option<&'a Param> {
    params.iter().rev().find(|p| p.name == name)
}

/// The value of the last parameter named `name`.
pub fn value<'a>(params: &'a [Param], name: &str) -> Option<&'a str> {
    get(params, name).map(|p| p.value.as_str())
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b)
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn skip_ws(&mut self) {
        while self.peek().is_some_and(is_ws) {
            self.i += 1;
        }
    }
    fn skip_ws_commas(&mut self) {
        while self.peek().is_some_and(|b| is_ws(b) || b == b',') {
            self.i += 1;
        }
    }
    fn token(&mut self) -> &[u8] {
        let start = self.i;
        while self.peek().is_some_and(is_token) {
            self.i += 1;
        }
        self.s.get(start..self.i).unwrap_or_default()
    }
}

fn lossy(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// Parses one or more comma-joined `Digest` items (`Digest a=1, b=2, Digest a=3`).
/// Each inner vector is one challenge (or one set of credentials).
pub fn parse_list(value: &str) -> Result<Vec<Vec<Param>>, AuthParseError> {
    if value.len() > MAX_VALUE_LEN {
        return Err(AuthParseError::TooLong);
    }
    let mut c = Cursor {
        s: value.as_bytes(),
        i: 0,
    };
    c.skip_ws();
    let scheme = c.token();
    if !scheme.eq_ignore_ascii_case(b"digest") {
        return Err(AuthParseError::NotDigest);
    }
    if c.peek().is_some_and(|b| !is_ws(b)) {
        return Err(AuthParseError::Syntax("no space after the scheme"));
    }
    let mut all: Vec<Vec<Param>> = Vec::new();
    let mut current: Vec<Param> = Vec::new();
    let mut total = 0usize;
    loop {
        c.skip_ws_commas();
        if c.peek().is_none() {
            break;
        }
        let name = c.token().to_ascii_lowercase();
        if name.is_empty() {
            return Err(AuthParseError::Syntax("expected a parameter name"));
        }
        c.skip_ws();
        if c.peek() != Some(b'=') {
            if name == b"digest" {
                // A second challenge joined into the same header value.
                all.push(std::mem::take(&mut current));
                if all.len() >= MAX_CHALLENGES {
                    return Err(AuthParseError::TooMany);
                }
                continue;
            }
            return Err(AuthParseError::Syntax(
                "expected '=' after a parameter name",
            ));
        }
        c.i += 1;
        c.skip_ws();
        let (val, quoted) = if c.peek() == Some(b'"') {
            c.i += 1;
            let mut out = Vec::new();
            loop {
                match c.peek() {
                    None => return Err(AuthParseError::Syntax("unterminated quoted string")),
                    Some(b'"') => {
                        c.i += 1;
                        break;
                    }
                    Some(b'\\') => {
                        c.i += 1;
                        match c.peek() {
                            Some(b) => {
                                out.push(b);
                                c.i += 1;
                            }
                            None => {
                                return Err(AuthParseError::Syntax("unterminated quoted string"));
                            }
                        }
                    }
                    Some(b) => {
                        out.push(b);
                        c.i += 1;
                    }
                }
            }
            (lossy(out), true)
        } else {
            let start = c.i;
            while c
                .peek()
                .is_some_and(|b| !is_ws(b) && b != b',' && b != b'"')
            {
                c.i += 1;
            }
            if c.peek() == Some(b'"') {
                return Err(AuthParseError::Syntax("quote inside an unquoted value"));
            }
            (
                lossy(c.s.get(start..c.i).unwrap_or_default().to_vec()),
                false,
            )
        };
        total += 1;
        if total > MAX_PARAMS {
            return Err(AuthParseError::TooMany);
        }
        current.push(Param {
            name: lossy(name),
            value: val,
            quoted,
        });
    }
    all.push(current);
    Ok(all)
}

/// Parses exactly one `Digest` item; a second joined item is a syntax error.
pub fn parse_one(value: &str) -> Result<Vec<Param>, AuthParseError> {
    let mut list = parse_list(value)?;
    if list.len() != 1 {
        return Err(AuthParseError::Syntax("more than one Digest item"));
    }
    Ok(list.pop().unwrap_or_default())
}

/// Writes a `Digest a="b", c=d` value.
#[derive(Debug)]
pub struct Printer {
    out: String,
    first: bool,
}

impl Default for Printer {
    fn default() -> Self {
        Printer {
            out: String::from("Digest"),
            first: true,
        }
    }
}

impl Printer {
    /// Starts a value with the `Digest` scheme.
    pub fn new() -> Self {
        Self::default()
    }

    fn sep(&mut self, name: &str) {
        self.out.push_str(if self.first { " " } else { ", " });
        self.first = false;
        self.out.push_str(name);
        self.out.push('=');
    }

    /// Appends `name="value"`, escaping `"` and `\`.
    pub fn quoted(&mut self, name: &str, value: &str) {
        self.sep(name);
        self.out.push('"');
        for ch in value.chars() {
            if ch == '"' || ch == '\\' {
                self.out.push('\\');
            }
            self.out.push(ch);
        }
        self.out.push('"');
    }

    /// Appends `name=value` with the value as a bare token.
    pub fn token(&mut self, name: &str, value: &str) {
        self.sep(name);
        self.out.push_str(value);
    }

    /// The finished header value.
    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(v: &str) -> Vec<Param> {
        parse_one(v).unwrap_or_else(|e| panic!("{v}: {e}"))
    }

    #[test]
    fn names_are_lowercased_and_scheme_case_is_ignored() {
        let p = one("dIgEsT Realm=\"a\", NONCE=b");
        assert_eq!(value(&p, "realm"), Some("a"));
        assert_eq!(value(&p, "nonce"), Some("b"));
        assert!(get(&p, "realm").is_some_and(|p| p.quoted));
        assert!(get(&p, "nonce").is_some_and(|p| !p.quoted));
    }

    #[test]
    fn odd_spacing_tabs_folding_and_missing_commas_are_tolerated() {
        let p = one("  Digest\trealm = \"x y\" ,,nonce=\"n\"\r\n opaque=o   stale = TRUE , ");
        assert_eq!(value(&p, "realm"), Some("x y"));
        assert_eq!(value(&p, "nonce"), Some("n"));
        assert_eq!(value(&p, "opaque"), Some("o"));
        assert_eq!(value(&p, "stale"), Some("TRUE"));
    }

    #[test]
    fn quoted_string_escapes_are_resolved() {
        let p = one(r#"Digest username="a\"b\\c\d""#);
        assert_eq!(value(&p, "username"), Some("a\"b\\cd"));
    }

    #[test]
    fn duplicate_parameters_last_one_wins() {
        let p = one("Digest nonce=\"1\", nonce=\"2\"");
        assert_eq!(value(&p, "nonce"), Some("2"));
    }

    #[test]
    fn other_schemes_and_broken_values_are_errors() {
        assert_eq!(parse_one("Basic abc="), Err(AuthParseError::NotDigest));
        assert_eq!(parse_one(""), Err(AuthParseError::NotDigest));
        assert!(matches!(
            parse_one("Digest realm=\"open"),
            Err(AuthParseError::Syntax(_))
        ));
        assert!(matches!(
            parse_one("Digest realm"),
            Err(AuthParseError::Syntax(_))
        ));
        assert_eq!(parse_one("Digestrealm=1"), Err(AuthParseError::NotDigest));
        assert!(matches!(
            parse_one("Digest,realm=1"),
            Err(AuthParseError::Syntax(_))
        ));
        assert!(matches!(
            parse_one("Digest a=b\"c\""),
            Err(AuthParseError::Syntax(_))
        ));
        assert!(matches!(
            parse_one("Digest realm=\"x\\"),
            Err(AuthParseError::Syntax(_))
        ));
    }

    #[test]
    fn sizes_are_bounded() {
        let long = format!("Digest realm=\"{}\"", "a".repeat(MAX_VALUE_LEN));
        assert_eq!(parse_one(&long), Err(AuthParseError::TooLong));
        let many = format!("Digest {}", "a=1,".repeat(MAX_PARAMS + 1));
        assert_eq!(parse_one(&many), Err(AuthParseError::TooMany));
    }

    #[test]
    fn comma_joined_challenges_split_on_the_scheme() {
        let l = parse_list("Digest realm=\"a\", algorithm=SHA-256, Digest realm=\"b\"")
            .unwrap_or_default();
        assert_eq!(l.len(), 2);
        assert_eq!(
            l.first().and_then(|p| value(p, "algorithm")),
            Some("SHA-256")
        );
        assert_eq!(l.get(1).and_then(|p| value(p, "realm")), Some("b"));
        assert!(parse_one("Digest realm=\"a\", Digest realm=\"b\"").is_err());
    }

    #[test]
    fn printing_escapes_quotes_and_backslashes() {
        let mut p = Printer::new();
        p.quoted("realm", "a\"b\\");
        p.token("algorithm", "MD5");
        let s = p.finish();
        assert_eq!(s, r#"Digest realm="a\"b\\", algorithm=MD5"#);
        assert_eq!(value(&one(&s), "realm"), Some("a\"b\\"));
    }
}
