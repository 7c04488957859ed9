//! The text of the requests tandem originates, laid out as chan_sip's `transmit_register` and
//! `transmit_invite(SIP_OPTIONS)` lay them out. The top Via has no branch: the transaction
//! layer adds one when it sends.

use std::net::{IpAddr, SocketAddr};

use crate::message::{Method, Request, Transport, Uri};

/// chan_sip's `add_supported` for requests it originates.
pub(crate) const SUPPORTED: &str = "replaces, timer";
/// chan_sip's `DEFAULT_MAX_FORWARDS`.
pub(crate) const MAX_FORWARDS: &str = "70";

/// `host` as it goes into a URI: an IPv6 literal gets brackets.
pub(crate) fn uri_host(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

pub(crate) fn ip_text(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(a) => a.to_string(),
        IpAddr::V6(a) => format!("[{a}]"),
    }
}

/// `ip:port` of our address, IPv6 in brackets.
pub(crate) fn hostport(addr: SocketAddr) -> String {
    format!("{}:{}", ip_text(addr.ip()), addr.port())
}

/// `SIP/2.0/UDP 192.0.2.1:5060;rport` (chan_sip asks for rport by default: `nat=force_rport`).
pub(crate) fn via(transport: &Transport, local: SocketAddr) -> String {
    format!("SIP/2.0/{} {};rport", transport.as_str(), hostport(local))
}

/// chan_sip's `build_contact`: `<sip:user@ip:port>`, with `;transport=` inside the brackets
/// for anything but UDP.
pub(crate) fn contact(user: &str, transport: &Transport, local: SocketAddr) -> String {
    let at = if user.is_empty() {
        String::new()
    } else {
        format!("{user}@")
    };
    match transport {
        Transport::Udp => format!("<sip:{at}{}>", hostport(local)),
        t => format!(
            "<sip:{at}{};transport={}>",
            hostport(local),
            t.as_str().to_ascii_lowercase()
        ),
    }
}

/// Everything a REGISTER needs besides its counters.
#[derive(Debug, Clone)]
pub(crate) struct RegisterParts<'a> {
    pub uri: &'a Uri,
    pub transport: &'a Transport,
    pub local: SocketAddr,
    /// `<sip:user@domain>` (From and To, before the tag).
    pub aor: &'a str,
    pub from_tag: &'a str,
    pub call_id: &'a str,
    pub user_agent: &'a str,
    pub contact: &'a str,
}

/// One REGISTER: `cseq`, `expires`, and an optional (header name, credentials).
pub(crate) fn register(
    p: &RegisterParts<'_>,
    cseq: u32,
    expires: u32,
    auth: Option<(&str, &str)>,
) -> Request {
    let mut req = Request::new(Method::Register, p.uri.clone())
        .with_header("Via", via(p.transport, p.local))
        .with_header("Max-Forwards", MAX_FORWARDS)
        .with_header("From", format!("{};tag={}", p.aor, p.from_tag))
        .with_header("To", p.aor)
        .with_header("Call-ID", p.call_id)
        .with_header("CSeq", format!("{cseq} REGISTER"))
        .with_header("Supported", SUPPORTED);
    if !p.user_agent.is_empty() {
        req.headers.push("User-Agent", p.user_agent);
    }
    if let Some((name, value)) = auth {
        req.headers.push(name, value);
    }
    req.headers.push("Expires", expires.to_string());
    req.headers.push("Contact", p.contact);
    req.headers.push("Content-Length", "0");
    req
}

/// Everything an OPTIONS ping needs besides its Call-ID and tag.
#[derive(Debug, Clone)]
pub(crate) struct OptionsParts<'a> {
    pub uri: &'a Uri,
    pub transport: &'a Transport,
    pub local: SocketAddr,
    pub from_user: &'a str,
    pub user_agent: &'a str,
    pub allow: Option<&'a str>,
}

/// One OPTIONS, as chan_sip's `initreqprep`: From `"user" <sip:user@ip[:port]>`, To the
/// target, our Contact, CSeq 102 (`INITIAL_CSEQ` + 1 on a fresh dialog).
pub(crate) fn options(p: &OptionsParts<'_>, call_id: &str, tag: &str, cseq: u32) -> Request {
    let from_host = if p.local.port() == 5060 {
        ip_text(p.local.ip())
    } else {
        hostport(p.local)
    };
    let mut req = Request::new(Method::Options, p.uri.clone())
        .with_header("Via", via(p.transport, p.local))
        .with_header("Max-Forwards", MAX_FORWARDS)
        .with_header(
            "From",
            format!("\"{0}\" <sip:{0}@{from_host}>;tag={tag}", p.from_user),
        )
        .with_header("To", format!("<{}>", p.uri))
        .with_header("Contact", contact(p.from_user, p.transport, p.local))
        .with_header("Call-ID", call_id)
        .with_header("CSeq", format!("{cseq} OPTIONS"));
    if !p.user_agent.is_empty() {
        req.headers.push("User-Agent", p.user_agent);
    }
    if let Some(a) = p.allow {
        req.headers.push("Allow", a);
    }
    req.headers.push("Supported", SUPPORTED);
    req.headers.push("Content-Length", "0");
    req
}
