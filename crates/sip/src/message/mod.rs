//! SIP messages (RFC 3261 sec. 7): requests, responses, URIs and headers, the parser and the
//! serializer, semantic checks a server applies (RFC 4475), and a TCP stream framer.
//!
//! Headers are kept as an ordered list of raw lines (name as written, folded lines joined);
//! typed views are methods on [`Headers`], one file per header family (`via.rs`,
//! `name_addr.rs`, `cseq.rs`, ...). [`parse`] checks the headers every layer needs — Via,
//! From, To, Call-ID, CSeq, Content-Length — so a message it returns can be matched to a
//! transaction; [`validate_request`] applies the server-side checks of RFC 3261 sec. 8.2.

mod auth;
mod builder;
mod call_id;
mod content;
mod cseq;
mod error;
mod expires;
mod headers;
mod max_forwards;
mod method;
mod misc;
mod name_addr;
mod params;
mod parser;
mod scan;
pub mod stream;
mod uri;
mod validate;
mod via;

pub use auth::auth_scheme;
pub use builder::{bad_request_response, derive_tag};
pub use call_id::check_call_id;
pub use content::{parse_content_length, MediaType};
pub use cseq::CSeq;
pub use error::HeaderError;
pub use expires::parse_delta_seconds;
pub use headers::{canonical_name, is_list_header, Header, Headers};
pub use max_forwards::parse_max_forwards;
pub use method::Method;
pub use misc::check_sip_date;
pub use name_addr::{Contact, NameAddr};
pub use params::Params;
pub use parser::{parse, ParseError};
pub use scan::percent_decode;
pub use uri::{Host, Scheme, SipUri, Uri};
pub use validate::{validate_request, validate_request_with, validate_response, Policy, Rejection};
pub use via::{Transport, Via, MAGIC_COOKIE};

/// The largest message accepted, on any transport.
pub const MAX_MESSAGE_SIZE: usize = 64 * 1024;

/// The only SIP version tandem speaks.
pub const SIP_VERSION: &str = "SIP/2.0";

/// A request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    pub uri: Uri,
    /// As written, e.g. `SIP/2.0`.
    pub version: String,
    pub headers: Headers,
    pub body: Vec<u8>,
}

/// A response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub reason: String,
    pub version: String,
    pub headers: Headers,
    pub body: Vec<u8>,
}

/// A request or a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Request(Request),
    Response(Response),
}

impl Message {
    pub fn headers(&self) -> &Headers {
        match self {
            Message::Request(r) => &r.headers,
            Message::Response(r) => &r.headers,
        }
    }

    pub fn headers_mut(&mut self) -> &mut Headers {
        match self {
            Message::Request(r) => &mut r.headers,
            Message::Response(r) => &mut r.headers,
        }
    }

    pub fn body(&self) -> &[u8] {
        match self {
            Message::Request(r) => &r.body,
            Message::Response(r) => &r.body,
        }
    }

    pub fn as_request(&self) -> Option<&Request> {
        match self {
            Message::Request(r) => Some(r),
            Message::Response(_) => None,
        }
    }

    pub fn as_response(&self) -> Option<&Response> {
        match self {
            Message::Response(r) => Some(r),
            Message::Request(_) => None,
        }
    }

    /// The wire form, with a Content-Length that matches the body.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Message::Request(r) => r.to_bytes(),
            Message::Response(r) => r.to_bytes(),
        }
    }
}

impl Request {
    /// The wire form, with a Content-Length that matches the body.
    pub fn to_bytes(&self) -> Vec<u8> {
        let start = format!("{} {} {}", self.method, self.uri, self.version);
        write_message(&start, &self.headers, &self.body)
    }
}

impl Response {
    /// The wire form, with a Content-Length that matches the body.
    pub fn to_bytes(&self) -> Vec<u8> {
        let start = format!("{} {} {}", self.version, self.status, self.reason);
        write_message(&start, &self.headers, &self.body)
    }
}

impl From<Request> for Message {
    fn from(r: Request) -> Message {
        Message::Request(r)
    }
}

impl From<Response> for Message {
    fn from(r: Response) -> Message {
        Message::Response(r)
    }
}

/// Start line, headers in order (the first Content-Length line rewritten to the body length,
/// later ones dropped, one appended when there was none), blank line, body.
fn write_message(start: &str, headers: &Headers, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(start.len() + 32 * headers.len() + body.len() + 32);
    out.extend_from_slice(start.as_bytes());
    out.extend_from_slice(b"\r\n");
    let mut wrote_length = false;
    for h in headers {
        if h.canonical() == "Content-Length" {
            if wrote_length {
                continue;
            }
            wrote_length = true;
            out.extend_from_slice(format!("{}: {}\r\n", h.name(), body.len()).as_bytes());
            continue;
        }
        out.extend_from_slice(h.name().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(h.value().as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if !wrote_length {
        out.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}
