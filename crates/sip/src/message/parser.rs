//! The message parser (RFC 3261 sec. 7, 18.3, 20.14), for datagrams and for messages cut
//! from a stream by [`super::stream::Framer`].
//!
//! Robust to RFC 4475: folded header lines, odd whitespace, compact names, unknown methods and
//! schemes. A Content-Length larger than the data is an error, a smaller one leaves trailing
//! bytes that are ignored (3.1.1.8); without Content-Length the body is the rest of the datagram.

use std::borrow::Cow;

use super::error::HeaderError;
use super::scan::{is_token, split_once_byte, trim};
use super::{Headers, Message, Method, Request, Response, Uri, MAX_MESSAGE_SIZE};

/// At most this many header lines.
pub(crate) const MAX_HEADERS: usize = 512;

/// Why a message could not be parsed, with the status and short reason phrase to answer with
/// (see [`super::bad_request_response`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {reason} ({detail})")]
pub struct ParseError {
    /// 400, or 513 for an oversized message.
    pub status: u16,
    /// Reason phrase for the response, e.g. `Bad Via Header`.
    pub reason: String,
    /// What exactly was wrong (for logs).
    pub detail: &'static str,
}

impl ParseError {
    fn new(reason: &str, detail: &'static str) -> ParseError {
        ParseError {
            status: 400,
            reason: reason.to_string(),
            detail,
        }
    }
}

impl From<HeaderError> for ParseError {
    fn from(e: HeaderError) -> ParseError {
        let detail = match &e {
            HeaderError::Invalid { why, .. } => why,
            HeaderError::Multiple(_) => "more than one value where one is allowed",
            HeaderError::Missing(_) => "missing header",
        };
        ParseError {
            status: 400,
            reason: e.reason_phrase(),
            detail,
        }
    }
}

/// The start line and header lines of a message, before typed checks.
pub(crate) struct RawHead<'a> {
    /// The header section as text (borrowed unless it was not UTF-8).
    text: Cow<'a, str>,
    /// Where the start line ends in `text`.
    start_end: usize,
    pub headers: Headers,
    /// Offset of the first body byte.
    pub body_start: usize,
}

impl RawHead<'_> {
    pub fn start_line(&self) -> &str {
        self.text.get(..self.start_end).unwrap_or("")
    }
}

/// Finds the blank line ending the header section: returns (end of headers, start of body).
pub(crate) fn find_head_end(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(i) = bytes.get(from..).and_then(|b| memchr::memchr(b'\n', b)) {
        let i = from + i;
        match (bytes.get(i + 1), bytes.get(i + 2)) {
            (Some(b'\n'), _) => return Some((i + 1, i + 2)),
            (Some(b'\r'), Some(b'\n')) => return Some((i + 1, i + 3)),
            _ => from = i + 1,
        }
    }
    None
}

/// Number of CR/LF bytes before the start line (RFC 3261 sec. 7.5 says to ignore them).
pub(crate) fn leading_crlf(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .take_while(|b| matches!(b, b'\r' | b'\n'))
        .count()
}

/// Splits start line and headers, joining folded lines. `lenient` skips malformed header lines
/// instead of failing (used to build a 400 for a message that failed to parse).
pub(crate) fn split_head(bytes: &[u8], lenient: bool) -> Result<RawHead<'_>, ParseError> {
    let skip = leading_crlf(bytes);
    let rest = bytes.get(skip..).unwrap_or(&[]);
    // A datagram that ends right after a header line has an empty body: its end is known, so
    // the missing blank line is tolerated (the RFC 4475 3.1.2.15 capture is sent like that).
    let (head_end, body_start) = match find_head_end(rest) {
        Some(ends) => ends,
        None if rest.ends_with(b"\n") => (rest.len(), rest.len()),
        None => {
            return Err(ParseError::new(
                "Incomplete Message",
                "no blank line after the headers",
            ))
        }
    };
    let head = rest.get(..head_end).unwrap_or(&[]);
    let text = match std::str::from_utf8(head) {
        Ok(t) => Cow::Borrowed(t),
        Err(_) => String::from_utf8_lossy(head),
    };
    let mut lines = Lines {
        text: &text,
        pos: 0,
    };
    let start_line = lines.next().unwrap_or("");
    let start_end = start_line.len();
    // The header section copied once; lines are ranges of it (folded ones are joined at its
    // end). One entry per line: room for every line.
    let section = text.get(lines.pos..).unwrap_or("");
    let line_count = memchr::memchr_iter(b'\n', section.as_bytes()).count();
    let mut headers = Headers::over_section(section, line_count);
    // Where a piece of `section` starts in it (every line below is a slice of it).
    let base = section.as_ptr() as usize;
    let at = |piece: &str| (piece.as_ptr() as usize).saturating_sub(base);
    for line in lines {
        if line.is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if !headers.continue_last(trim(line)) && !lenient {
                return Err(ParseError::new(
                    "Bad Header Folding",
                    "continuation line before any header",
                ));
            }
            continue;
        }
        let Some((name, value)) = split_once_byte(line, b':') else {
            if lenient {
                continue;
            }
            return Err(ParseError::new(
                "Malformed Header Line",
                "header line without ':'",
            ));
        };
        let name = name.trim_end_matches([' ', '\t']);
        if name.is_empty() || !name.bytes().all(is_token) {
            if lenient {
                continue;
            }
            return Err(ParseError::new(
                "Bad Header Name",
                "header name is not a token",
            ));
        }
        if headers.len() >= MAX_HEADERS {
            return Err(ParseError::new(
                "Too Many Headers",
                "header line limit reached",
            ));
        }
        let value = trim(value);
        headers.push_received(name, at(name), value, at(value));
    }
    Ok(RawHead {
        text,
        start_end,
        headers,
        body_start: skip + body_start,
    })
}

/// The lines of a header section, split at LF with a CR before it dropped (what
/// `text.split('\n')` with `strip_suffix('\r')` gives, found with memchr).
struct Lines<'a> {
    text: &'a str,
    /// Start of the next line; past the end when done.
    pos: usize,
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        let rest = self.text.get(self.pos..)?;
        let line = match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(i) => {
                self.pos += i + 1;
                rest.get(..i).unwrap_or("")
            }
            None => {
                self.pos = self.text.len() + 1;
                rest
            }
        };
        Some(line.strip_suffix('\r').unwrap_or(line))
    }
}

/// `SIP/1*DIGIT.1*DIGIT`, "SIP" in any case.
pub(crate) fn is_sip_version(s: &str) -> bool {
    let Some(prefix) = s.get(..4) else {
        return false;
    };
    if !prefix.eq_ignore_ascii_case("SIP/") {
        return false;
    }
    let Some((maj, min)) = s.get(4..).and_then(|v| v.split_once('.')) else {
        return false;
    };
    let num = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    num(maj) && num(min)
}

pub(crate) fn is_status_line(line: &str) -> bool {
    line.get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("SIP/"))
}

/// Parses `Method SP Request-URI SP SIP-Version` with exactly one space between elements
/// (RFC 4475 3.1.2.7 to 3.1.2.10).
fn parse_request_line(line: &str) -> Result<(Method, Uri, String), ParseError> {
    let bad = |d| ParseError::new("Bad Request-Line", d);
    let mut parts = line.split(' ');
    let (Some(method), Some(uri), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad(
            "request line must be three elements separated by single spaces",
        ));
    };
    if method.is_empty() || !method.bytes().all(is_token) {
        return Err(bad("method is not a token"));
    }
    let uri =
        Uri::parse(uri).map_err(|_| ParseError::new("Bad Request-URI", "malformed Request-URI"))?;
    if !is_sip_version(version) {
        return Err(bad("bad SIP version"));
    }
    Ok((Method::from_token(method), uri, version.to_string()))
}

/// Parses `SIP-Version SP Status-Code SP Reason-Phrase` (status 100-699, RFC 4475 3.1.2.19).
fn parse_status_line(line: &str) -> Result<(String, u16, String), ParseError> {
    let bad = |d| ParseError::new("Bad Status-Line", d);
    let mut parts = line.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    let code = parts.next().unwrap_or("");
    let reason = parts.next().unwrap_or("");
    if !is_sip_version(version) {
        return Err(bad("bad SIP version"));
    }
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("status code is not three digits"));
    }
    let status: u16 = code.parse().map_err(|_| bad("bad status code"))?;
    if !(100..=699).contains(&status) {
        return Err(bad("status code out of range"));
    }
    Ok((version.to_string(), status, reason.to_string()))
}

/// Checks the headers every layer relies on; absent ones are left to [`super::validate_request`].
/// Each is checked in place (a scan, nothing built): the parsed message keeps them as text.
fn check_core_headers(h: &Headers) -> Result<(), ParseError> {
    fn absent_ok<T>(r: Result<T, HeaderError>) -> Result<(), ParseError> {
        match r {
            Ok(_) | Err(HeaderError::Missing(_)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
    absent_ok(h.check_vias())?;
    absent_ok(h.check_single_name_addr("From"))?;
    absent_ok(h.check_single_name_addr("To"))?;
    absent_ok(h.call_id())?;
    absent_ok(h.check_cseq())?;
    Ok(())
}

/// Parses one message from a datagram (or a message cut from a stream).
pub fn parse(bytes: &[u8]) -> Result<Message, ParseError> {
    if bytes.len() > MAX_MESSAGE_SIZE {
        return Err(ParseError {
            status: 513,
            reason: "Message Too Large".into(),
            detail: "over 64 KiB",
        });
    }
    let head = split_head(bytes, false)?;
    check_core_headers(&head.headers)?;
    let start_line = head.text.get(..head.start_end).unwrap_or("");
    let available = bytes.get(head.body_start..).unwrap_or(&[]);
    let body = match head.headers.content_length()? {
        Some(n) => available.get(..n).ok_or_else(|| {
            ParseError::new(
                "Content-Length Larger Than Message",
                "body shorter than Content-Length",
            )
        })?,
        None => available,
    }
    .to_vec();
    if is_status_line(start_line) {
        let (version, status, reason) = parse_status_line(start_line)?;
        Ok(Message::Response(Response {
            status,
            reason,
            version,
            headers: head.headers,
            body,
        }))
    } else {
        let (method, uri, version) = parse_request_line(start_line)?;
        Ok(Message::Request(Request {
            method,
            uri,
            version,
            headers: head.headers,
            body,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTIONS: &str = "OPTIONS sip:user@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nTo: <sip:user@example.com>\r\nFrom: <sip:c@example.com>;tag=1\r\nCall-ID: a@b\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n";

    #[test]
    fn folded_lines_are_joined_with_one_space() {
        let m =
            parse(b"INVITE sip:a@b SIP/2.0\r\nSubject: one\r\n  two\r\n\tthree\r\nl: 0\r\n\r\n")
                .unwrap();
        assert_eq!(m.headers().get("s"), Some("one two three"));
    }

    #[test]
    fn bare_lf_line_endings_are_accepted() {
        let m = parse(b"OPTIONS sip:a@b SIP/2.0\nCall-ID: x\nl: 0\n\n").unwrap();
        assert_eq!(m.headers().call_id(), Ok("x"));
    }

    #[test]
    fn leading_crlfs_are_ignored() {
        let m = parse(b"\r\n\r\nOPTIONS sip:a@b SIP/2.0\r\nl: 0\r\n\r\n").unwrap();
        assert!(m.as_request().is_some());
    }

    #[test]
    fn no_content_length_means_rest_of_datagram() {
        let m = parse(format!("{OPTIONS}\r\nhello\r\n").as_bytes()).unwrap();
        assert_eq!(m.body(), b"hello\r\n");
    }

    #[test]
    fn content_length_too_large_negative_or_extra() {
        let e = parse(format!("{OPTIONS}Content-Length: 10\r\n\r\nshort").as_bytes()).unwrap_err();
        assert_eq!(e.reason, "Content-Length Larger Than Message");
        let e = parse(format!("{OPTIONS}Content-Length: -1\r\n\r\n").as_bytes()).unwrap_err();
        assert_eq!(e.reason, "Bad Content-Length Header");
        let m = parse(format!("{OPTIONS}Content-Length: 2\r\n\r\nhello").as_bytes()).unwrap();
        assert_eq!(m.body(), b"he");
    }

    #[test]
    fn binary_body_is_kept_intact() {
        let mut raw = format!("{OPTIONS}Content-Length: 4\r\n\r\n").into_bytes();
        raw.extend_from_slice(&[0, 0xff, b'\r', 0x80]);
        assert_eq!(parse(&raw).unwrap().body(), &[0, 0xff, b'\r', 0x80]);
    }

    #[test]
    fn oversized_message_is_513() {
        let raw = vec![b'a'; MAX_MESSAGE_SIZE + 1];
        assert_eq!(parse(&raw).unwrap_err().status, 513);
    }

    #[test]
    fn start_lines() {
        assert!(parse(b"SIP/2.0 180 Ringing\r\nl: 0\r\n\r\n").is_ok());
        assert!(parse(b"SIP/2.0 100\r\nl: 0\r\n\r\n").is_ok());
        let r = parse(b"SIP/2.0 100 \r\nl: 0\r\n\r\n").unwrap();
        assert_eq!(r.as_response().unwrap().reason, "");
        for bad in [
            "SIP/2.0 1000 Big\r\n\r\n",
            "SIP/2.0 099 Small\r\n\r\n",
            "SIP/2.0 20 OK\r\n\r\n",
            "INVITE  sip:a@b SIP/2.0\r\n\r\n",
            "INVITE sip:a@b SIP/2.0 \r\n\r\n",
            "INVITE <sip:a@b> SIP/2.0\r\n\r\n",
            "INVITE sip:a@b HTTP/1.1\r\n\r\n",
            "INV(ITE sip:a@b SIP/2.0\r\n\r\n",
            "\r\n\r\n",
            "",
        ] {
            assert!(parse(bad.as_bytes()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn malformed_header_lines() {
        assert_eq!(
            parse(b"OPTIONS sip:a@b SIP/2.0\r\nnocolon\r\n\r\n")
                .unwrap_err()
                .reason,
            "Malformed Header Line"
        );
        assert_eq!(
            parse(b"OPTIONS sip:a@b SIP/2.0\r\n folded\r\n\r\n")
                .unwrap_err()
                .reason,
            "Bad Header Folding"
        );
        assert_eq!(
            parse(b"OPTIONS sip:a@b SIP/2.0\r\nBad Name: x\r\n\r\n")
                .unwrap_err()
                .reason,
            "Bad Header Name"
        );
        assert_eq!(
            parse(b"OPTIONS sip:a@b SIP/2.0\r\nl: 0")
                .unwrap_err()
                .reason,
            "Incomplete Message"
        );
        assert!(
            parse(b"OPTIONS sip:a@b SIP/2.0\r\nl: 0\r\n").is_ok(),
            "datagram ending after a header line"
        );
    }

    #[test]
    fn core_headers_are_checked() {
        let e = parse(b"OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;;\r\n\r\n").unwrap_err();
        assert_eq!(e.reason, "Bad Via Header");
        let e = parse(b"OPTIONS sip:a@b SIP/2.0\r\nCall-ID: a\r\ni: b\r\n\r\n").unwrap_err();
        assert_eq!(e.reason, "Multiple Call-ID Headers");
    }

    #[test]
    fn version_check() {
        assert!(is_sip_version("SIP/2.0"));
        assert!(is_sip_version("sip/7.0"));
        assert!(!is_sip_version("SIP/2"));
        assert!(!is_sip_version("SIP/.0"));
    }
}
