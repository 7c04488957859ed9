//! An incoming INVITE: which peer it is, whether it authenticated, which context and
//! extension it is for, and the SDP answer.

use std::net::SocketAddr;

use tandem_conf::views::sip::{Host, Peer};
use tandem_conf::views::SipConf;
use tandem_sip::auth::{Credentials, DigestServer, Verdict};
use tandem_sip::message::Request;

/// chan_sip's match of a request to an endpoint: a peer with `host=ADDRESS` by source address
/// and port (address only with `insecure=port`; several peers on one address told apart by
/// port), else the From user names a user/friend.
pub fn match_peer<'a>(conf: &'a SipConf, req: &Request, source: SocketAddr) -> Option<&'a Peer> {
    let by_addr = |exact_port: bool| {
        conf.peers
            .iter()
            .filter(|p| p.kind.is_peer())
            .find(|p| match &p.host {
                Some(Host::Addr(ip)) if *ip == source.ip() => {
                    if exact_port {
                        p.port.unwrap_or(5060) == source.port()
                    } else {
                        p.common.insecure.port
                    }
                }
                _ => false,
            })
    };
    if let Some(p) = by_addr(true).or_else(|| by_addr(false)) {
        return Some(p);
    }
    let from_user = req
        .headers
        .from_hdr()
        .ok()
        .and_then(|f| f.uri.user().map(str::to_string))?;
    conf.peer(&from_user).filter(|p| p.kind.is_user())
}

/// What to do with the caller.
pub enum Admission<'a> {
    /// Go ahead, in this context.
    Admit {
        peer: Option<&'a Peer>,
        context: String,
    },
    /// Send a 407 challenge (`stale` for an expired nonce).
    Challenge { stale: bool },
    /// 403 Forbidden: credentials for our nonce, and they are wrong (or nobody by that name).
    Forbidden,
}

/// Authenticate an INVITE as chan_sip does with alwaysauthreject: unknown callers and wrong
/// passwords are answered exactly alike (a challenge, then 403), unless the caller is a
/// peer with `insecure=invite` or no secret, or guests are allowed.
pub fn admit<'a>(
    conf: &'a SipConf,
    auth: &DigestServer,
    req: &Request,
    source: SocketAddr,
    epoch: u64,
    method: &str,
) -> Admission<'a> {
    let peer = match_peer(conf, req, source);
    let src = source.ip().to_string();
    let proxy = req.headers.proxy_authorization();
    let www = req.headers.authorization();
    let creds = proxy.first().or_else(|| www.first()).copied();
    // A peer whose permit/deny refuses the source is treated like nobody (chan_sip's
    // AUTH_ACL_FAILED under alwaysauthreject).
    let peer = peer.filter(|p| p.acl_allows(source.ip()));
    if let Some(p) = peer {
        let secret = super::peers::secret(p);
        if (p.common.insecure.invite && method == "INVITE") || secret.is_none() {
            return Admission::Admit {
                peer,
                context: p.context.clone(),
            };
        }
        let Some(value) = creds else {
            return Admission::Challenge { stale: false };
        };
        let secret = secret.unwrap_or_else(|| tandem_sip::auth::Secret::password(""));
        return match auth.verify_value(value, method, &secret, &src, epoch) {
            Verdict::Ok => Admission::Admit {
                peer,
                context: p.context.clone(),
            },
            Verdict::Stale => Admission::Challenge { stale: true },
            Verdict::Bad => Admission::Forbidden,
        };
    }
    if conf.general.allowguest {
        return Admission::Admit {
            peer: None,
            context: conf.general.context.clone(),
        };
    }
    // Nobody by that name: the same answers as a wrong password, after the same work.
    let Some(value) = creds else {
        return Admission::Challenge { stale: false };
    };
    if let Ok(c) = Credentials::parse(value) {
        let _ = auth.dummy_verify(&c, method, &src, epoch);
    }
    Admission::Forbidden
}

/// The credentials' user when `req` (for `method`) carries credentials that [`admit`]
/// refuses with 403 (a wrong password, or nobody by that name): an authentication failure
/// for the ban engine. In-dialog requests (a To tag) are not admitted here and never fail.
pub fn auth_failure(
    conf: &SipConf,
    auth: &DigestServer,
    req: &Request,
    source: SocketAddr,
    epoch: u64,
    method: &str,
) -> Option<String> {
    let proxy = req.headers.proxy_authorization();
    let www = req.headers.authorization();
    let value = proxy.first().or_else(|| www.first()).copied()?;
    if req.headers.to_hdr().ok().is_some_and(|t| t.tag().is_some()) {
        return None;
    }
    match admit(conf, auth, req, source, epoch, method) {
        Admission::Forbidden => Some(
            Credentials::parse(value)
                .map(|c| c.username)
                .unwrap_or_default(),
        ),
        _ => None,
    }
}
