//! Out-of-dialog requests other than INVITE: OPTIONS, REGISTER, and what tandem does not do.

use std::net::SocketAddr;
use std::time::Instant;

use tandem_sip::message::{Method, Request, Response, Transport};
use tandem_sip::registrar::{RegisterStatus, Source};

use super::endpoint::{epoch_now, Endpoint};
use super::peers;

/// Methods chan_sip lists in Allow.
pub const ALLOW: &str =
    "INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, SUBSCRIBE, NOTIFY, INFO, PUBLISH, MESSAGE";

pub(super) fn out_of_dialog(
    ep: &mut Endpoint,
    now: Instant,
    req: &Request,
    source: SocketAddr,
) -> Response {
    match req.method {
        Method::Options => ep
            .reply(req, 200, "OK")
            .with_header("Allow", ALLOW)
            .with_header("Supported", "replaces, timer")
            .with_header("Accept", "application/sdp"),
        Method::Register => {
            if let Some(denied) = contact_denied(ep, req, source) {
                tracing::warn!(
                    "SIP REGISTER denied peer={} from={source}: contact {denied} refused by the contact ACL",
                    denied_peer(req)
                );
                return ep
                    .reply(req, 603, "Denied")
                    .with_header("Server", ep.conf.general.useragent.as_str());
            }
            let conf = ep.conf.clone();
            let outcome = ep.registrar.handle_register(
                now,
                epoch_now(),
                req,
                // The client's top Via names the transport it used (UDP or TCP).
                &Source {
                    addr: source,
                    transport: req
                        .headers
                        .top_via()
                        .map_or(Transport::Udp, |v| v.transport),
                },
                &ep.auth,
                |name| peers::register_peer(&conf, name, source.ip()),
            );
            let algorithm = credentials_algorithm(req, &ep.auth.config().realm);
            if let RegisterStatus::AuthFailed { .. } = outcome.status {
                // A wrong password or (alwaysauthreject) nobody by that name: one failure
                // towards the source's ban.
                let user = credentials_user(req);
                ep.security.auth_failed(
                    now,
                    tandem_security::Service::Sip,
                    source.ip(),
                    "REGISTER",
                    &user,
                );
                crate::ami::security::sip_auth_failed(
                    &ep.world,
                    req,
                    conf.general.bindaddr,
                    source,
                );
            }
            log_register(&outcome.status, outcome.aor.as_deref(), source, algorithm);
            ep.apply_changes(&outcome.changes);
            outcome
                .response
                .with_header("Server", ep.conf.general.useragent.as_str())
        }
        _ => ep.reply(req, 501, "Not Implemented"),
    }
}

/// chan_sip's contact ACL (`parse_register_contact`, after authentication succeeded): a
/// REGISTER of a peer whose source passes its ACL and whose credentials verify (or that has
/// no secret), binding a Contact at an address that `[general]`'s or the peer's
/// `contactpermit`/`contactdeny`/`contactacl` refuse, is answered `603 Denied`. Returns the
/// refused address. Removals (expires 0) are not checked, as in chan_sip.
fn contact_denied(ep: &Endpoint, req: &Request, source: SocketAddr) -> Option<std::net::IpAddr> {
    use tandem_sip::message::{Contact, Host};
    let name = denied_peer(req);
    let peer = ep.conf.peer(&name).filter(|p| p.kind.is_peer())?;
    if !peer.acl_allows(source.ip()) {
        return None;
    }
    if matches!(req.headers.expires(), Ok(Some(0))) {
        return None;
    }
    if let Some(secret) = peers::secret(peer) {
        let value = req.headers.get_all("Authorization").next()?;
        let src = source.ip().to_string();
        let verdict = ep
            .auth
            .verify_value(value, "REGISTER", &secret, &src, epoch_now());
        if verdict != tandem_sip::auth::Verdict::Ok {
            return None;
        }
    }
    let contacts = req.headers.contacts().ok()?;
    contacts.iter().find_map(|c| match c {
        Contact::Addr(na) if na.expires() != Some(0) => {
            let ip = match na.uri.host()? {
                Host::V4(a) => std::net::IpAddr::V4(*a),
                Host::V6(a) => std::net::IpAddr::V6(*a),
                Host::Domain(_) => return None,
            };
            (!peer.contact_allows(&ep.conf.general, ip)).then_some(ip)
        }
        _ => None,
    })
}

/// The peer a REGISTER names (its To user).
fn denied_peer(req: &Request) -> String {
    req.headers
        .to_hdr()
        .ok()
        .and_then(|t| t.uri.user().map(str::to_string))
        .unwrap_or_default()
}

/// The digest algorithm of the request's credentials for `realm` (as the registrar picks
/// them), `-` when there are none.
fn credentials_algorithm(req: &Request, realm: &str) -> &'static str {
    let all: Vec<tandem_sip::auth::Credentials> = req
        .headers
        .get_all("Authorization")
        .filter_map(|v| tandem_sip::auth::Credentials::parse(v).ok())
        .collect();
    let picked = all
        .iter()
        .find(|c| c.realm == realm)
        .or_else(|| all.first());
    match picked.map(|c| c.algorithm()) {
        Some(Some(a)) => a.name(),
        Some(None) => "unknown",
        None => "-",
    }
}

/// The user named by the request's first Authorization header (`-` when none parses).
fn credentials_user(req: &Request) -> String {
    req.headers
        .get_all("Authorization")
        .find_map(|v| tandem_sip::auth::Credentials::parse(v).ok())
        .map_or_else(|| "-".to_string(), |c| c.username)
}

/// One stable line per registration event (readable by fail2ban-style tools too); an
/// accepted registration names the digest algorithm of its credentials.
fn log_register(status: &RegisterStatus, aor: Option<&str>, source: SocketAddr, algorithm: &str) {
    let aor = aor.unwrap_or("-");
    match status {
        RegisterStatus::Registered => {
            tracing::info!("SIP REGISTER ok peer={aor} from={source} algorithm={algorithm}")
        }
        RegisterStatus::Unregistered => {
            tracing::info!("SIP REGISTER removed peer={aor} from={source}")
        }
        RegisterStatus::Query => tracing::debug!("SIP REGISTER query peer={aor} from={source}"),
        RegisterStatus::Challenged { .. } => {
            tracing::debug!("SIP REGISTER challenged peer={aor} from={source}")
        }
        RegisterStatus::AuthFailed { .. } => {
            tracing::warn!("SIP REGISTER auth-failed peer={aor} from={source}")
        }
        RegisterStatus::Rejected | RegisterStatus::BadRequest => {
            tracing::info!("SIP REGISTER rejected peer={aor} from={source}")
        }
    }
}
