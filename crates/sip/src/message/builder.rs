//! Building messages: new requests, responses to a request (RFC 3261 sec. 8.2.6), and the 400
//! for a request that failed to parse.

use super::parser::{is_sip_version, is_status_line, split_head};
use super::scan::is_token;
use super::{Headers, Message, Method, NameAddr, ParseError, Request, Response, Uri, SIP_VERSION};

impl Request {
    /// A `SIP/2.0` request with no headers and no body.
    pub fn new(method: Method, uri: Uri) -> Request {
        Request {
            method,
            uri,
            version: SIP_VERSION.to_string(),
            headers: Headers::new(),
            body: Vec::new(),
        }
    }

    /// Appends a header (builder style).
    pub fn with_header(mut self, name: &str, value: impl AsRef<str>) -> Request {
        self.headers.push(name, value);
        self
    }

    /// Sets the body and its Content-Type.
    pub fn with_body(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Request {
        self.headers.set("Content-Type", content_type);
        self.body = body.into();
        self
    }
}

impl Response {
    /// A `SIP/2.0` response with no headers and no body.
    pub fn new(status: u16, reason: &str) -> Response {
        Response {
            status,
            reason: reason.to_string(),
            version: SIP_VERSION.to_string(),
            headers: Headers::new(),
            body: Vec::new(),
        }
    }

    /// A response to `req` carrying its Via lines (in order), From, To, Call-ID and CSeq
    /// (RFC 3261 sec. 8.2.6.2), and Timestamp for a 100 (sec. 8.2.6.1). The To tag is left to
    /// the caller ([`Response::set_to_tag`]), since a 100 must not get one.
    pub fn from_request(req: &Request, status: u16, reason: &str) -> Response {
        let mut r = Response::new(status, reason);
        copy_dialog_headers(&req.headers, &mut r.headers);
        if status == 100 {
            if let Some(t) = req.headers.get("Timestamp") {
                r.headers.push("Timestamp", t);
            }
        }
        r
    }

    /// Adds `;tag=` to the To header when it has none. Returns false when To is missing or
    /// unparseable.
    pub fn set_to_tag(&mut self, tag: &str) -> bool {
        let Some(to) = self.headers.get("To") else {
            return false;
        };
        match NameAddr::parse(to) {
            Ok(na) if na.tag().is_some() => true,
            Ok(_) => {
                let v = format!("{to};tag={tag}");
                self.headers.set("To", v);
                true
            }
            Err(_) => false,
        }
    }

    /// Appends a header (builder style).
    pub fn with_header(mut self, name: &str, value: impl AsRef<str>) -> Response {
        self.headers.push(name, value);
        self
    }
}

fn copy_dialog_headers(from: &Headers, to: &mut Headers) {
    for v in from.get_all("Via") {
        to.push("Via", v);
    }
    for name in ["From", "To", "Call-ID", "CSeq"] {
        if let Some(v) = from.get(name) {
            to.push(name, v);
        }
    }
}

/// A To tag derived from the request (Call-ID, From, CSeq, top Via), so that retransmissions of
/// a request get the same tag without any state or randomness. 16 hex digits.
pub fn derive_tag(headers: &Headers) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for name in ["Call-ID", "From", "CSeq", "Via"] {
        for b in headers.get(name).unwrap_or("").bytes().chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// The response to send for a request that failed to parse: `err.status` with `err.reason`,
/// carrying the Via, From, To, Call-ID and CSeq read leniently from `bytes`, with a To tag added
/// when the To header can be read. `None` when no response can be formed — a response, an ACK,
/// an unreadable request line or one of those five headers missing — and the datagram is then
/// dropped.
pub fn bad_request_response(bytes: &[u8], err: &ParseError) -> Option<Response> {
    let head = split_head(bytes, true).ok()?;
    if is_status_line(head.start_line()) {
        return None;
    }
    let mut words = head.start_line().split_ascii_whitespace();
    let method = words.next()?;
    let last = words.next_back()?;
    if !method.bytes().all(is_token) || !is_sip_version(last) || method == "ACK" {
        return None;
    }
    let h = &head.headers;
    if ["Via", "From", "To", "Call-ID", "CSeq"]
        .iter()
        .any(|n| h.get(n).is_none_or(str::is_empty))
    {
        return None;
    }
    let mut r = Response::new(err.status, &err.reason);
    copy_dialog_headers(h, &mut r.headers);
    r.set_to_tag(&derive_tag(h));
    Some(r)
}

impl Message {
    /// Shorthand for parsing; see [`super::parse`].
    pub fn parse(bytes: &[u8]) -> Result<Message, ParseError> {
        super::parse(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::parse;

    fn invite() -> Request {
        let raw = b"INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP a.example.com;branch=z9hG4bK1\r\nv: SIP/2.0/UDP b.example.com;branch=z9hG4bK2\r\nf: Alice <sip:alice@example.com>;tag=88\r\nt: <sip:bob@example.com>\r\ni: c1@a\r\nCSeq: 1 INVITE\r\nTimestamp: 54\r\nMax-Forwards: 70\r\nl: 0\r\n\r\n";
        parse(raw).unwrap().as_request().unwrap().clone()
    }

    #[test]
    fn response_copies_via_from_to_call_id_cseq() {
        let req = invite();
        let mut r = Response::from_request(&req, 180, "Ringing");
        let names: Vec<&str> = r.headers.iter().map(|h| h.name()).collect();
        assert_eq!(names, ["Via", "Via", "From", "To", "Call-ID", "CSeq"]);
        assert_eq!(r.headers.vias().unwrap()[1].branch(), Some("z9hG4bK2"));
        assert!(r.set_to_tag("abc"));
        assert_eq!(r.headers.to_hdr().unwrap().tag(), Some("abc"));
        assert!(r.set_to_tag("other"), "an existing tag is kept");
        assert_eq!(r.headers.to_hdr().unwrap().tag(), Some("abc"));
        let again = parse(&r.to_bytes()).unwrap();
        assert_eq!(again.as_response().unwrap().status, 180);
        assert_eq!(again.headers().get("Content-Length"), Some("0"));
    }

    #[test]
    fn trying_copies_timestamp() {
        let r = Response::from_request(&invite(), 100, "Trying");
        assert_eq!(r.headers.get("Timestamp"), Some("54"));
        assert!(Response::from_request(&invite(), 200, "OK")
            .headers
            .get("Timestamp")
            .is_none());
    }

    #[test]
    fn new_request_serializes_with_length() {
        let req = Request::new(Method::Message, Uri::parse("sip:bob@example.com").unwrap())
            .with_header("Call-ID", "x@y")
            .with_body("text/plain", b"hi".to_vec());
        let bytes = req.to_bytes();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with("MESSAGE sip:bob@example.com SIP/2.0\r\nCall-ID: x@y\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi"), "{text}");
        assert_eq!(
            parse(&bytes).unwrap(),
            Message::Request(req.with_header("Content-Length", "2"))
        );
    }

    #[test]
    fn derived_tag_is_stable() {
        let a = invite();
        assert_eq!(derive_tag(&a.headers), derive_tag(&invite().headers));
        assert_eq!(derive_tag(&a.headers).len(), 16);
    }

    #[test]
    fn bad_request_needs_request_line_and_core_headers() {
        let err = ParseError {
            status: 400,
            reason: "Bad Request-Line".into(),
            detail: "",
        };
        let raw = b"INVITE  sip:a@b  SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n";
        let r = bad_request_response(raw, &err).unwrap();
        assert_eq!((r.status, r.reason.as_str()), (400, "Bad Request-Line"));
        assert!(r.headers.to_hdr().unwrap().tag().is_some());
        assert!(bad_request_response(b"SIP/2.0 200 OK\r\nVia: x\r\n\r\n", &err).is_none());
        assert!(bad_request_response(b"garbage\r\n\r\n", &err).is_none());
        let ack = String::from_utf8_lossy(raw).replacen("INVITE ", "ACK ", 1);
        assert!(bad_request_response(ack.as_bytes(), &err).is_none());
        let no_call_id = String::from_utf8_lossy(raw).replace("Call-ID: x\r\n", "");
        assert!(bad_request_response(no_call_id.as_bytes(), &err).is_none());
    }
}
