//! Content-Length, Content-Type and Content-Encoding (RFC 3261 sec. 20.12, 20.14, 20.15).

use std::fmt;

use super::error::{invalid, optional, HeaderError};
use super::params::{parse_header_params, Params};
use super::scan::{is_token, Scanner};
use super::Headers;

/// Parses a Content-Length value: digits only; a sign is an error (RFC 4475 3.1.2.3).
pub fn parse_content_length(s: &str) -> Result<usize, &'static str> {
    let s = s.trim();
    if s.starts_with('-') {
        return Err("negative Content-Length");
    }
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err("Content-Length is not a number");
    }
    let n = s.parse::<u64>().map_err(|_| "Content-Length too large")?;
    usize::try_from(n).map_err(|_| "Content-Length too large")
}

/// A media type: `type/subtype;params` (RFC 3261 sec. 20.15).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaType {
    pub kind: String,
    pub subtype: String,
    pub params: Params,
}

impl MediaType {
    pub fn parse(s: &str) -> Result<MediaType, &'static str> {
        let mut params = Params::new();
        let (kind, subtype) = scan_media_type(s, |n, v| params.push(n, v))?;
        Ok(MediaType {
            kind: kind.to_string(),
            subtype: subtype.to_string(),
            params,
        })
    }

    pub fn essence(&self) -> String {
        format!("{}/{}", self.kind, self.subtype).to_ascii_lowercase()
    }

    /// True when this (possibly a wildcard from Accept, `*/*`, `application/*`) covers `essence`.
    pub fn matches(&self, essence: &str) -> bool {
        let (k, s) = essence.split_once('/').unwrap_or((essence, ""));
        (self.kind == "*" || self.kind.eq_ignore_ascii_case(k))
            && (self.subtype == "*" || self.subtype.eq_ignore_ascii_case(s))
    }
}

/// Checks a media type and splits it into type and subtype, handing each parameter to
/// `param`: the one parser behind [`MediaType::parse`] and [`Headers::content_type_parts`].
fn scan_media_type<'a>(
    s: &'a str,
    param: impl FnMut(&'a str, Option<&'a str>),
) -> Result<(&'a str, &'a str), &'static str> {
    let mut sc = Scanner::new(s);
    sc.skip_ws();
    let kind = sc.token().ok_or("missing media type")?;
    sc.skip_ws();
    if !sc.eat(b'/') {
        return Err("missing '/' in media type");
    }
    sc.skip_ws();
    let subtype = sc.take_while(is_token);
    if subtype.is_empty() {
        return Err("missing media subtype");
    }
    parse_header_params(&mut sc, param)?;
    sc.skip_ws();
    if !sc.at_end() {
        return Err("junk after media type");
    }
    Ok((kind, subtype))
}

/// True when `essence` is `kind/subtype` in lower case (what [`MediaType::essence`] gives),
/// compared without building it.
pub(crate) fn essence_is(kind: &str, subtype: &str, essence: &str) -> bool {
    let lower_eq = |a: &[u8], b: &[u8]| {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| *x == y.to_ascii_lowercase())
    };
    let e = essence.as_bytes();
    e.len() == kind.len() + 1 + subtype.len()
        && lower_eq(e.get(..kind.len()).unwrap_or(&[]), kind.as_bytes())
        && e.get(kind.len()) == Some(&b'/')
        && lower_eq(e.get(kind.len() + 1..).unwrap_or(&[]), subtype.as_bytes())
}

impl fmt::Display for MediaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}{}", self.kind, self.subtype, self.params)
    }
}

impl Headers {
    /// `Ok(None)` when absent.
    pub fn content_length(&self) -> Result<Option<usize>, HeaderError> {
        optional(self, "Content-Length")?
            .map(|v| parse_content_length(v).map_err(invalid("Content-Length")))
            .transpose()
    }

    pub fn content_type(&self) -> Result<Option<MediaType>, HeaderError> {
        optional(self, "Content-Type")?
            .map(|v| MediaType::parse(v).map_err(invalid("Content-Type")))
            .transpose()
    }

    /// Content-Encoding codings, lower case, in order.
    /// Checks Content-Type as [`Headers::content_type`] does and gives its type and subtype
    /// as written, without building a [`MediaType`].
    pub(crate) fn content_type_parts(&self) -> Result<Option<(&str, &str)>, HeaderError> {
        optional(self, "Content-Type")?
            .map(|v| scan_media_type(v, |_, _| {}).map_err(invalid("Content-Type")))
            .transpose()
    }

    pub fn content_encoding(&self) -> Vec<String> {
        self.values("Content-Encoding")
            .iter()
            .map(|v| v.to_ascii_lowercase())
            .collect()
    }

    /// The Accept list as media ranges (unparseable entries are skipped).
    pub fn accept(&self) -> Vec<MediaType> {
        self.values("Accept")
            .iter()
            .filter_map(|v| MediaType::parse(v).ok())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_length_values() {
        assert_eq!(parse_content_length(" 150 "), Ok(150));
        assert_eq!(parse_content_length("0"), Ok(0));
        assert_eq!(parse_content_length("-999"), Err("negative Content-Length"));
        assert!(parse_content_length("1 2").is_err());
        assert!(parse_content_length("").is_err());
        assert!(parse_content_length("99999999999999999999999").is_err());
    }

    #[test]
    fn compact_length_and_type() {
        let mut h = Headers::new();
        h.push("l", "0");
        h.push("c", "multipart/mixed;boundary=7a9cbec02ceef655");
        assert_eq!(h.content_length(), Ok(Some(0)));
        let t = h.content_type().unwrap().unwrap();
        assert_eq!(t.essence(), "multipart/mixed");
        assert_eq!(t.params.value("boundary"), Some("7a9cbec02ceef655"));
        assert_eq!(MediaType::parse(&t.to_string()).unwrap(), t);
        h.push("Content-Length", "5");
        assert_eq!(
            h.content_length(),
            Err(HeaderError::Multiple("Content-Length"))
        );
    }

    #[test]
    fn essence_compared_without_building_it() {
        for (t, e) in [
            ("Application/SDP", "application/sdp"),
            ("text/plain;charset=utf-8", "text/plain"),
            ("multipart/mixed", "multipart/mixe"),
            ("multipart/mixed", "multipart/mixedd"),
            ("text/plain", "textplain"),
            ("text/plain", "text/Plain"),
        ] {
            let m = MediaType::parse(t).unwrap();
            assert_eq!(
                essence_is(&m.kind, &m.subtype, e),
                m.essence() == e,
                "{t} {e}"
            );
        }
    }

    #[test]
    fn media_ranges() {
        let star = MediaType::parse("*/*").unwrap();
        assert!(star.matches("application/sdp"));
        let app = MediaType::parse("Application/*").unwrap();
        assert!(app.matches("application/sdp"));
        assert!(!MediaType::parse("text/nobodyKnowsThis")
            .unwrap()
            .matches("application/sdp"));
        assert!(MediaType::parse("application").is_err());
        assert!(MediaType::parse("application/sdp x").is_err());
    }

    #[test]
    fn accept_list_across_lines() {
        let mut h = Headers::new();
        h.push("Accept", "application/sdp, application/pkcs7-mime,\tmultipart/mixed, multipart/signed, message/sip, message/sipfrag");
        assert_eq!(h.accept().len(), 6);
        h.push("Content-Encoding", "GZIP");
        assert_eq!(h.content_encoding(), vec!["gzip"]);
    }
}
