//! SIP messages (RFC 3261 sec. 7): requests, responses, URIs and headers, the parser and the
//! serializer, semantic checks a server applies (RFC 4475), and a TCP stream framer.
//!
//! Headers are kept as an ordered list of raw lines (name as written, folded lines joined), the
//! ranges of one text buffer per message;
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
mod header_names;
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

use std::fmt;

pub use auth::auth_scheme;
pub use builder::{bad_request_response, derive_tag};
pub use call_id::check_call_id;
pub use content::{parse_content_length, MediaType};
pub use cseq::CSeq;
pub use error::HeaderError;
pub use expires::parse_delta_seconds;
pub use header_names::{canonical_name, is_list_header};
pub use headers::{Header, HeaderIter, Headers};
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
        write_message(
            format_args!("{} {} {}", self.method, self.uri, self.version),
            &self.headers,
            &self.body,
        )
    }
}

impl Response {
    /// The wire form, with a Content-Length that matches the body.
    pub fn to_bytes(&self) -> Vec<u8> {
        write_message(
            format_args!("{} {} {}", self.version, self.status, self.reason),
            &self.headers,
            &self.body,
        )
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

/// Room for the start line and the Content-Length line when sizing the output.
const START_LINE_GUESS: usize = 128;

/// Start line, headers in order (the first Content-Length line rewritten to the body length,
/// later ones dropped, one appended when there was none), blank line, body. Written straight
/// into one buffer sized from the headers: one allocation.
fn write_message(start: fmt::Arguments<'_>, headers: &Headers, body: &[u8]) -> Vec<u8> {
    let mut out = Out(Vec::with_capacity(
        START_LINE_GUESS + headers.text_len() + 4 * headers.len() + 2 + body.len(),
    ));
    // Writing to a Vec cannot fail.
    let _ = fmt::write(&mut out, start);
    out.push(b"\r\n");
    let mut wrote_length = false;
    for h in headers {
        if h.canonical() == "Content-Length" {
            if wrote_length {
                continue;
            }
            wrote_length = true;
            out.push(h.name().as_bytes());
            out.push(b": ");
            let _ = scan::write_decimal(&mut out, body.len() as u64);
            out.push(b"\r\n");
            continue;
        }
        out.push(h.name().as_bytes());
        out.push(b": ");
        out.push(h.value().as_bytes());
        out.push(b"\r\n");
    }
    if !wrote_length {
        out.push(b"Content-Length: ");
        let _ = scan::write_decimal(&mut out, body.len() as u64);
        out.push(b"\r\n");
    }
    out.push(b"\r\n");
    out.push(body);
    out.0
}

/// The serialization buffer.
struct Out(Vec<u8>);

impl Out {
    fn push(&mut self, b: &[u8]) {
        self.0.extend_from_slice(b);
    }
}

impl fmt::Write for Out {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}
