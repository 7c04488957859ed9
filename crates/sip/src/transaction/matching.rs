//! Matching keys (RFC 3261 17.1.3 for responses, 17.2.3 for requests, with the RFC 2543
//! fallback) and the server transport's Via handling (18.2.1 `received`, RFC 3581 `rport`,
//! 18.2.2 where responses go).

use std::net::{IpAddr, SocketAddr};

use super::{is_reliable, ResponseRouting};
use crate::message::{Headers, Host, Method, Request, Response, Transport, Via};

/// The key of a server transaction.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum ServerKey {
    /// RFC 3261: branch (with the magic cookie), sent-by of the top Via, and the method (ACK
    /// counted as INVITE).
    Branch {
        branch: String,
        sent_by: String,
        method: Method,
    },
    /// RFC 2543 peers (branch missing or without the cookie): Request-URI, From tag, Call-ID,
    /// CSeq number and method (ACK as INVITE) and the whole top Via. The To tag is checked
    /// separately, since the ACK carries the tag of our response, not of the INVITE.
    Legacy {
        uri: String,
        from_tag: String,
        call_id: String,
        cseq: u32,
        method: Method,
        top_via: String,
    },
}

impl ServerKey {
    pub fn is_legacy(&self) -> bool {
        matches!(self, ServerKey::Legacy { .. })
    }
}

/// The key of a client transaction: branch of the top Via and the CSeq method.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ClientKey {
    pub branch: String,
    pub method: Method,
}

fn sent_by(via: &Via) -> String {
    let host = match &via.host {
        Host::Domain(d) => d.to_ascii_lowercase(),
        h => h.to_string(),
    };
    match via.port {
        Some(p) => format!("{host}:{p}"),
        None => host,
    }
}

/// The server key of `req` as if its method were `method` (ACK is mapped to INVITE by the
/// caller), with the To tag of the request (for the RFC 2543 check). `None` when the top Via,
/// CSeq, From or Call-ID cannot be read.
pub(crate) fn server_key(req: &Request, method: Method) -> Option<(ServerKey, Option<String>)> {
    let via = req.headers.top_via().ok()?;
    let to_tag = req
        .headers
        .to_hdr()
        .ok()
        .and_then(|t| t.tag().map(str::to_string));
    if via.has_rfc3261_branch() {
        let branch = via.branch()?.to_string();
        return Some((
            ServerKey::Branch {
                branch,
                sent_by: sent_by(&via),
                method,
            },
            to_tag,
        ));
    }
    let cseq = req.headers.cseq().ok()?;
    // Compared as sent: what stamp_via added is left out.
    let mut via = via;
    via.params.remove("received");
    if via.params.has("rport") {
        via.params.set("rport", None);
    }
    let from_tag = req.headers.from_hdr().ok()?.tag().unwrap_or("").to_string();
    let key = ServerKey::Legacy {
        uri: req.uri.to_string(),
        from_tag,
        call_id: req.headers.call_id().ok()?.to_string(),
        cseq: cseq.seq,
        method,
        top_via: via.to_string(),
    };
    Some((key, to_tag))
}

/// The method under which a request is matched: ACK finds its INVITE.
pub(crate) fn match_method(m: &Method) -> Method {
    if *m == Method::Ack {
        Method::Invite
    } else {
        m.clone()
    }
}

/// The client key of a response: top Via branch and CSeq method.
pub(crate) fn response_key(resp: &Response) -> Option<ClientKey> {
    let via = resp.headers.top_via().ok()?;
    let branch = via.branch()?.to_string();
    let method = resp.headers.cseq().ok()?.method;
    Some(ClientKey { branch, method })
}

/// RFC 3261 18.2.1 and RFC 3581: adds `received` to the top Via when its host is not the
/// source address (or when `rport` was asked for), and fills an empty `rport` with the
/// source port. Returns the top Via as stamped, `None` when there is none to read.
pub fn stamp_via(req: &mut Request, source: SocketAddr) -> Option<Via> {
    let mut via = req.headers.top_via().ok()?;
    let ip = source.ip();
    let host_is_source = match &via.host {
        Host::V4(a) => IpAddr::V4(*a) == ip,
        Host::V6(a) => IpAddr::V6(*a) == ip,
        Host::Domain(_) => false,
    };
    let wants_rport = via.rport() == Some(None);
    if host_is_source && !wants_rport {
        return Some(via);
    }
    via.set_received(&ip.to_string());
    if wants_rport {
        via.set_rport(source.port());
    }
    replace_top_via(req, &via.to_string());
    Some(via)
}

/// Rewrites the first Via value, keeping the others (comma-joined or on their own lines) in
/// order. Via lines end up first among the headers, which does not change their meaning.
pub(crate) fn replace_top_via(req: &mut Request, value: &str) {
    let lines: Vec<String> = req.headers.get_all("Via").map(str::to_string).collect();
    let mut out = Vec::with_capacity(lines.len() + 1);
    for (i, line) in lines.into_iter().enumerate() {
        if i == 0 {
            let mut one = Headers::new();
            one.push("Via", line);
            out.push(value.to_string());
            let rest: Vec<&str> = one.values("Via").into_iter().skip(1).collect();
            if !rest.is_empty() {
                out.push(rest.join(", "));
            }
        } else {
            out.push(line);
        }
    }
    if out.is_empty() {
        out.push(value.to_string());
    }
    req.headers.remove("Via");
    for v in out.into_iter().rev() {
        req.headers.push_front("Via", v);
    }
}

/// Where the responses of a server transaction go (RFC 3261 18.2.2, RFC 3581 sec. 4): back
/// to the source on a reliable transport or when `rport` was asked for; otherwise to the
/// source address (the `received` address) at the sent-by port, 5060 (5061 for TLS) when none
/// is given, unless `routing` says to answer to the source port (chan_sip's `nat=`). `maddr`
/// (multicast) is not supported and ignored.
pub fn response_destination(
    via: &Via,
    source: SocketAddr,
    transport: &Transport,
    routing: ResponseRouting,
) -> SocketAddr {
    if is_reliable(transport) || via.rport().is_some() {
        return source;
    }
    let behind_nat = via.host.to_string().trim_matches(['[', ']']) != source.ip().to_string();
    match routing {
        ResponseRouting::ForceRport => return source,
        ResponseRouting::AutoForceRport if behind_nat => return source,
        _ => {}
    }
    let default = if *transport == Transport::Tls {
        5061
    } else {
        5060
    };
    SocketAddr::new(source.ip(), via.port.unwrap_or(default))
}
