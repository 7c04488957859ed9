//! Checks a server applies to a parsed request before acting on it (RFC 3261 sec. 8.2,
//! RFC 4475 sec. 3.2-3.4), and the response checks of a UAC (sec. 8.1.3.3).
//!
//! The order follows sec. 8.2: version, mandatory headers, header syntax, Request-URI scheme
//! (8.2.2.1), Max-Forwards, extensions (8.2.2.3), content (8.2.3).

use super::builder::derive_tag;
use super::content::essence_is;
use super::error::HeaderError;
use super::misc::check_sip_date;
use super::scan::split_commas;
use super::{Method, Request, Response, Uri, SIP_VERSION};

/// What the local server understands.
#[derive(Debug, Clone)]
pub struct Policy<'a> {
    /// Option tags accepted in Require (chan_sip supports `replaces, timer`).
    pub supported: &'a [&'a str],
    /// Request-URI schemes served (lower case).
    pub schemes: &'a [&'a str],
    /// Body types understood (lower-case `type/subtype`).
    pub content_types: &'a [&'a str],
    /// The body type tandem answers an INVITE with; an Accept without it gets 406.
    pub answer_type: &'a str,
}

impl Policy<'static> {
    /// tandem's defaults.
    pub const DEFAULT: Policy<'static> = Policy {
        supported: &["replaces", "timer"],
        schemes: &["sip", "sips"],
        content_types: &[
            "application/sdp",
            "multipart/mixed",
            "multipart/alternative",
            "multipart/related",
            "application/dtmf-relay",
            "application/dtmf",
            "application/media_control+xml",
            "message/sipfrag",
            "text/plain",
            "application/simple-message-summary",
            "application/pidf+xml",
            "application/dialog-info+xml",
        ],
        answer_type: "application/sdp",
    };
}

impl Default for Policy<'static> {
    fn default() -> Self {
        Policy::DEFAULT
    }
}

/// Why a request is refused, with what the response should carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub status: u16,
    pub reason: String,
    /// For 420: the option tags to list in Unsupported.
    pub unsupported: Vec<String>,
    /// For 415: the Accept value to send.
    pub accept: Option<String>,
    /// For 415 on a coding: the Accept-Encoding value to send.
    pub accept_encoding: Option<String>,
}

impl Rejection {
    fn new(status: u16, reason: impl Into<String>) -> Rejection {
        Rejection {
            status,
            reason: reason.into(),
            unsupported: Vec::new(),
            accept: None,
            accept_encoding: None,
        }
    }

    /// The response for `req`: its Via/From/To/Call-ID/CSeq, a To tag derived from the
    /// request, and Unsupported / Accept / Accept-Encoding as the status requires.
    pub fn to_response(&self, req: &Request) -> Response {
        let mut r = Response::from_request(req, self.status, &self.reason);
        r.set_to_tag(&derive_tag(&req.headers));
        if !self.unsupported.is_empty() {
            r.headers.push("Unsupported", self.unsupported.join(", "));
        }
        if let Some(a) = &self.accept {
            r.headers.push("Accept", a.clone());
        }
        if let Some(a) = &self.accept_encoding {
            r.headers.push("Accept-Encoding", a.clone());
        }
        r
    }
}

impl From<HeaderError> for Rejection {
    fn from(e: HeaderError) -> Rejection {
        Rejection::new(400, e.reason_phrase())
    }
}

/// [`validate_request_with`] under [`Policy::DEFAULT`].
pub fn validate_request(req: &Request) -> Result<(), Rejection> {
    validate_request_with(req, &Policy::DEFAULT)
}

/// The checks of RFC 3261 sec. 8.2 a UAS applies before processing `req`.
pub fn validate_request_with(req: &Request, policy: &Policy<'_>) -> Result<(), Rejection> {
    let h = &req.headers;
    if !req.version.eq_ignore_ascii_case(SIP_VERSION) {
        return Err(Rejection::new(505, "Version Not Supported"));
    }
    // Mandatory headers (sec. 8.1.1; Max-Forwards may be absent from RFC 2543 clients, 4475 3.4.1),
    // each single-valued and well formed (4475 3.3.8, 3.3.9).
    // Each checked in place: nothing is built only to be thrown away.
    h.check_vias()?;
    h.check_single_name_addr("From")?;
    h.check_single_name_addr("To")?;
    h.call_id()?;
    let cseq = h.cseq()?;
    let max_forwards = h.max_forwards()?;
    h.content_length()?;
    let content_type = h.content_type_parts()?;
    h.expires()?;
    h.check_contacts()?;
    h.check_name_addr_list("Route")?;
    h.check_name_addr_list("Record-Route")?;
    if let Some(d) = h.get("Date") {
        if h.count("Date") > 1 {
            return Err(HeaderError::Multiple("Date").into());
        }
        check_sip_date(d).map_err(|_| Rejection::new(400, "Bad Date Header"))?;
    }
    if cseq.method != req.method {
        return Err(Rejection::new(400, "CSeq Method Mismatch"));
    }
    // 8.2.2.1: a scheme we do not serve.
    let scheme = req.uri.scheme();
    if !policy
        .schemes
        .iter()
        .any(|s| s.eq_ignore_ascii_case(scheme.as_str()))
    {
        return Err(Rejection::new(416, "Unsupported URI Scheme"));
    }
    // Headers may not appear in a Request-URI (sec. 19.1.1 table; RFC 4475 3.1.2.11).
    if let Uri::Sip(u) = &req.uri {
        if !u.headers.is_empty() {
            return Err(Rejection::new(400, "Bad Request-URI"));
        }
    }
    // A UAS answers OPTIONS at Max-Forwards 0 itself (sec. 11, 16.3); anything else would have
    // to be forwarded with no hops left.
    if max_forwards == Some(0) && req.method != Method::Options {
        return Err(Rejection::new(483, "Too Many Hops"));
    }
    // 8.2.2.3: Require is ignored on ACK and CANCEL.
    if !matches!(req.method, Method::Ack | Method::Cancel) {
        let unknown: Vec<String> = h
            .require()
            .into_iter()
            .filter(|t| !policy.supported.iter().any(|s| s.eq_ignore_ascii_case(t)))
            .map(str::to_string)
            .collect();
        if !unknown.is_empty() {
            let mut r = Rejection::new(420, "Bad Extension");
            r.unsupported = unknown;
            return Err(r);
        }
    }
    // 8.2.3: content.
    if !req.body.is_empty() {
        let Some((kind, subtype)) = content_type else {
            return Err(Rejection::new(400, "Missing Content-Type Header"));
        };
        if !policy
            .content_types
            .iter()
            .any(|e| essence_is(kind, subtype, e))
        {
            let mut r = Rejection::new(415, "Unsupported Media Type");
            r.accept = Some(policy.content_types.join(", "));
            return Err(r);
        }
        let coded = h
            .get_all("Content-Encoding")
            .flat_map(split_commas)
            .any(|c| !c.is_empty() && !c.eq_ignore_ascii_case("identity"));
        if coded {
            let mut r = Rejection::new(415, "Unsupported Media Type");
            r.accept_encoding = Some("identity".into());
            return Err(r);
        }
    }
    // RFC 4475 3.3.15: an INVITE whose Accept rules out the answer's type.
    if req.method == Method::Invite && h.contains("Accept") {
        let accept = h.accept();
        if !accept.is_empty() && !accept.iter().any(|a| a.matches(policy.answer_type)) {
            let mut r = Rejection::new(406, "Not Acceptable");
            r.accept = Some(policy.answer_type.to_string());
            return Err(r);
        }
    }
    Ok(())
}

/// Checks of a response arriving at a UAC; `Err` means drop it silently (responses are never
/// answered). More than one Via means it was not meant for us (sec. 8.1.3.3, RFC 4475 3.3.10).
pub fn validate_response(resp: &Response) -> Result<(), &'static str> {
    let h = &resp.headers;
    let vias = h.check_vias().map_err(|_| "missing or bad Via")?;
    if vias != 1 {
        return Err("more than one Via in a response");
    }
    h.check_single_name_addr("From")
        .map_err(|_| "missing or bad From")?;
    h.check_single_name_addr("To")
        .map_err(|_| "missing or bad To")?;
    h.call_id().map_err(|_| "missing or bad Call-ID")?;
    h.cseq().map_err(|_| "missing or bad CSeq")?;
    if !resp.version.eq_ignore_ascii_case(SIP_VERSION) {
        return Err("unsupported SIP version");
    }
    Ok(())
}
