//! One REGISTER, in chan_sip's order (`register_verify`, then `parse_register_contact`): find
//! the peer by the To user, authenticate, and only then read Contact and Expires, so an
//! unauthenticated sender learns nothing from header errors.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use crate::auth::{Credentials, DigestServer, Verdict};
use crate::message::{Contact, Host, Method, NameAddr, Request};

use super::binding::{same_contact, Binding, BindingChange, RemoveReason};
use super::reply;
use super::{soonest, RegisterOutcome, RegisterPeer, RegisterStatus, Registrar, Source, TooBrief};

/// More Contact values than this in one REGISTER is refused (bounded work per request).
pub const MAX_CONTACTS_PER_REQUEST: usize = 64;

/// The peer name a REGISTER is for: the user of the To URI, without `;params`; with no user,
/// the host (chan_sip takes everything after `sip:` up to `@`, so `To: <sip:alice>` names
/// `alice`).
pub fn to_name(to: &NameAddr) -> String {
    let Some(u) = to.uri.as_sip() else {
        return to.uri.user().unwrap_or("").to_string();
    };
    match u.user_decoded() {
        Some(user) => user.split(';').next().unwrap_or("").to_string(),
        None => match &u.host {
            Host::Domain(d) => d.clone(),
            _ => String::new(),
        },
    }
}

enum Gate {
    Pass(RegisterPeer),
    /// alwaysauthreject: answer as a known peer with a wrong password would be answered.
    Fake {
        known: bool,
    },
    Reject {
        status: u16,
        reason: &'static str,
    },
}

/// What one Contact of the request asks for.
struct Op {
    addr: NameAddr,
    /// Granted seconds; 0 removes.
    granted: u32,
}

impl Registrar {
    /// Handles a REGISTER received at `now` (`epoch`: the same moment in Unix seconds, used
    /// for nonces, the `Date` header and stored expiries) from `source`. `lookup` is given the
    /// To user and returns the peer it names (case-insensitive, as chan_sip's peer table).
    pub fn handle_register<F>(
        &mut self,
        now: Instant,
        epoch: u64,
        req: &Request,
        source: &Source,
        auth: &DigestServer,
        lookup: F,
    ) -> RegisterOutcome
    where
        F: FnOnce(&str) -> Option<RegisterPeer>,
    {
        let bad = |reason: &str| {
            outcome(
                reply::with_date(req, 400, reason, epoch),
                RegisterStatus::BadRequest,
            )
        };
        if req.method != Method::Register {
            return bad("Not a REGISTER");
        }
        let to = match req.headers.to_hdr() {
            Ok(t) => t,
            Err(e) => return bad(&e.reason_phrase()),
        };
        let name = to_name(&to);
        let peer = if name.is_empty() { None } else { lookup(&name) };
        let src_ip = source.addr.ip().to_string();
        let creds_value = pick_credentials(req, &auth.config().realm);
        let method = req.method.as_str();
        let always = self.config.alwaysauthreject;

        let gate = match peer {
            None => match always {
                true => Gate::Fake { known: false },
                false => Gate::Reject {
                    status: 404,
                    reason: "Not Found",
                },
            },
            Some(p) if !p.acl_allows => match always {
                true => Gate::Fake { known: true },
                false => Gate::Reject {
                    status: 404,
                    reason: "Not Found",
                },
            },
            Some(p) if !p.dynamic => match always {
                true => Gate::Fake { known: true },
                false => Gate::Reject {
                    status: 403,
                    reason: "Forbidden",
                },
            },
            Some(p) => match (&p.secret, &creds_value) {
                (None, _) => Gate::Pass(p),
                (Some(_), None) => {
                    return outcome(
                        reply::challenge(req, &auth.challenge_values(epoch, &src_ip, false)),
                        RegisterStatus::Challenged { stale: false },
                    )
                }
                (Some(secret), Some(v)) => match Credentials::parse(v) {
                    // check_auth compares the digest username with the peer name first,
                    // case-sensitively: AUTH_USERNAME_MISMATCH.
                    Ok(c) if c.username != p.name => match always {
                        true => Gate::Fake { known: true },
                        false => Gate::Reject {
                            status: 404,
                            reason: "Not Found",
                        },
                    },
                    Ok(c) => match auth.verify(&c, method, secret, &src_ip, epoch) {
                        Verdict::Ok => Gate::Pass(p),
                        Verdict::Stale => {
                            return outcome(
                                reply::challenge(req, &auth.challenge_values(epoch, &src_ip, true)),
                                RegisterStatus::Challenged { stale: true },
                            )
                        }
                        Verdict::Bad => return forbidden(req, true),
                    },
                    Err(_) => return forbidden(req, true),
                },
            },
        };

        let peer = match gate {
            Gate::Pass(p) => p,
            Gate::Reject { status, reason } => {
                return outcome(reply::base(req, status, reason), RegisterStatus::Rejected)
            }
            // transmit_fake_auth_response: a challenge when there are no credentials, the
            // wrong-password answer when there are, after the same amount of hashing.
            Gate::Fake { known } => {
                return match creds_value.map(Credentials::parse) {
                    None => outcome(
                        reply::challenge(req, &auth.challenge_values(epoch, &src_ip, false)),
                        RegisterStatus::Challenged { stale: false },
                    ),
                    Some(Ok(c)) => {
                        let _ = auth.dummy_verify(&c, method, &src_ip, epoch);
                        forbidden(req, known)
                    }
                    Some(Err(_)) => forbidden(req, known),
                };
            }
        };
        self.update(now, epoch, req, source, &peer)
    }

    /// Authenticated: read Contact/Expires and apply RFC 3261 sec. 10.3 steps 6-8.
    fn update(
        &mut self,
        now: Instant,
        epoch: u64,
        req: &Request,
        source: &Source,
        peer: &RegisterPeer,
    ) -> RegisterOutcome {
        let bad = |reason: &str| {
            outcome(
                reply::with_date(req, 400, reason, epoch),
                RegisterStatus::BadRequest,
            )
        };
        let h = &req.headers;
        let (call_id, cseq, contacts, expires_hdr) =
            match (h.call_id(), h.cseq(), h.contacts(), h.expires()) {
                (Ok(a), Ok(b), Ok(c), Ok(d)) => (a.to_string(), b.seq, c, d),
                (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), _) | (.., Err(e)) => {
                    return bad(&e.reason_phrase())
                }
            };
        if contacts.len() > MAX_CONTACTS_PER_REQUEST {
            return bad("Too Many Contacts");
        }
        let aor = peer.name.clone();
        let wildcard = contacts.first() == Some(&Contact::Star);
        if wildcard && expires_hdr != Some(0) {
            // parse_register_contact: `*` needs `Expires: 0` (and no other Contact).
            return bad("Bad Request");
        }
        if wildcard || (contacts.is_empty() && expires_hdr == Some(0)) {
            // chan_sip unregisters on `*` and also on `Expires: 0` with no Contact at all.
            if self
                .lookup(&aor)
                .iter()
                .any(|b| b.call_id == call_id && b.cseq >= cseq)
            {
                return bad("Invalid CSeq number");
            }
            let removed = self.bindings.remove(&super::key(&aor)).unwrap_or_default();
            let changes = removed
                .into_iter()
                .map(|binding| BindingChange::Removed {
                    binding,
                    reason: RemoveReason::Unregistered,
                })
                .collect();
            let resp = self.ok(req, now, epoch, &aor, 0);
            return RegisterOutcome {
                response: resp,
                status: RegisterStatus::Unregistered,
                aor: Some(aor),
                changes,
            };
        }
        if contacts.is_empty() {
            let left = self
                .lookup(&aor)
                .iter()
                .map(|b| b.remaining(now))
                .max()
                .unwrap_or(0);
            let resp = self.ok(req, now, epoch, &aor, left);
            return RegisterOutcome {
                response: resp,
                status: RegisterStatus::Query,
                aor: Some(aor),
                changes: Vec::new(),
            };
        }

        // Step 6: the expiry of each contact. chan_sip reads the Expires header first and the
        // contact's expires= only without it (RFC 3261 prefers the parameter).
        let c = &self.config;
        let mut ops = Vec::new();
        for contact in contacts.into_iter().take(c.max_contacts.max(1)) {
            let Contact::Addr(addr) = contact else {
                continue;
            };
            let requested = expires_hdr
                .or_else(|| addr.expires())
                .unwrap_or(c.defaultexpiry);
            let granted = if requested == 0 {
                0
            } else {
                let g = requested.min(c.maxexpiry);
                if g < c.minexpiry {
                    if c.too_brief == TooBrief::Reject {
                        let r = reply::with_date(req, 423, "Interval Too Brief", epoch)
                            .with_header("Min-Expires", c.minexpiry.to_string());
                        return outcome(r, RegisterStatus::BadRequest);
                    }
                    c.minexpiry
                } else {
                    g
                }
            };
            ops.push(Op { addr, granted });
        }

        // Step 7, checked for every contact before anything changes: a binding last set by
        // the same Call-ID with a CSeq not lower than this one aborts the request.
        for op in &ops {
            if let Some(b) = self.lookup(&aor).iter().find(|b| matches(b, &op.addr)) {
                if b.call_id == call_id && b.cseq >= cseq {
                    return bad("Invalid CSeq number");
                }
            }
        }

        let route_to_source =
            peer.force_rport || (peer.auto_force_rport && via_shows_nat(req, source));
        let user_agent = h.get("User-Agent").unwrap_or("").trim().to_string();
        let path: Vec<String> = h.values("Path").into_iter().map(String::from).collect();
        let max = self.config.max_contacts.max(1);
        let mut changes = Vec::new();
        let mut touched: Vec<usize> = Vec::new();
        let mut last_granted = 0;
        for op in ops {
            last_granted = op.granted;
            let list = self.list_mut(&aor);
            let found = list.iter().position(|b| matches(b, &op.addr));
            if op.granted == 0 {
                if let Some(i) = found {
                    let binding = list.remove(i);
                    touched.retain(|&t| t != i);
                    touched.iter_mut().for_each(|t| *t -= usize::from(*t > i));
                    changes.push(BindingChange::Removed {
                        binding,
                        reason: RemoveReason::Unregistered,
                    });
                }
                continue;
            }
            let secs = Duration::from_secs(u64::from(op.granted));
            let binding = Binding {
                aor: aor.clone(),
                contact: op.addr.uri.clone(),
                expires_at: now.checked_add(secs).unwrap_or(now),
                expires_epoch: epoch.saturating_add(u64::from(op.granted)),
                call_id: call_id.clone(),
                cseq,
                source: source.addr,
                transport: source.transport.clone(),
                route_to_source,
                user_agent: user_agent.clone(),
                path: path.clone(),
                instance: op.addr.params.value("+sip.instance").map(String::from),
            };
            match found {
                Some(i) => {
                    if let Some(slot) = list.get_mut(i) {
                        *slot = binding.clone();
                    }
                    touched.push(i);
                    changes.push(BindingChange::Refreshed(binding));
                }
                None => {
                    if list.len() >= max {
                        let untouched: Vec<(usize, Instant)> = list
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| !touched.contains(i))
                            .map(|(i, b)| (i, b.expires_at))
                            .collect();
                        let victim = untouched
                            .iter()
                            .min_by_key(|(_, t)| *t)
                            .map(|(i, _)| *i)
                            .or_else(|| soonest(list));
                        if let Some(i) = victim {
                            let old = list.remove(i);
                            touched.retain(|&t| t != i);
                            touched.iter_mut().for_each(|t| *t -= usize::from(*t > i));
                            changes.push(BindingChange::Removed {
                                binding: old,
                                reason: RemoveReason::Replaced,
                            });
                        }
                    }
                    list.push(binding.clone());
                    touched.push(list.len() - 1);
                    changes.push(BindingChange::Added(binding));
                }
            }
        }
        self.prune_empty(&aor);
        let status = if changes
            .iter()
            .all(|c| matches!(c, BindingChange::Removed { .. }))
            && last_granted == 0
        {
            RegisterStatus::Unregistered
        } else {
            RegisterStatus::Registered
        };
        let resp = self.ok(req, now, epoch, &aor, last_granted);
        RegisterOutcome {
            response: resp,
            status,
            aor: Some(aor),
            changes,
        }
    }

    /// 200 OK with Date, `Expires` (what this request was granted, as chan_sip's `respprep`)
    /// and every current binding of `aor` as `Contact: <uri>;expires=N` (RFC 3261 step 8).
    fn ok(
        &self,
        req: &Request,
        now: Instant,
        epoch: u64,
        aor: &str,
        expires: u32,
    ) -> crate::message::Response {
        let mut r =
            reply::with_date(req, 200, "OK", epoch).with_header("Expires", expires.to_string());
        for b in self.lookup(aor) {
            r.headers.push("Contact", b.contact_value(now));
        }
        r
    }
}

fn outcome(response: crate::message::Response, status: RegisterStatus) -> RegisterOutcome {
    RegisterOutcome {
        response,
        status,
        aor: None,
        changes: Vec::new(),
    }
}

/// chan_sip's `403 Forbidden` after credentials that do not verify; the same for a wrong
/// password and (alwaysauthreject) an unknown peer.
fn forbidden(req: &Request, known_peer: bool) -> RegisterOutcome {
    outcome(
        reply::base(req, 403, "Forbidden"),
        RegisterStatus::AuthFailed { known_peer },
    )
}

/// The `Authorization` value to check: the first one for our realm, else the first one.
fn pick_credentials<'a>(req: &'a Request, realm: &str) -> Option<&'a str> {
    let all: Vec<&str> = req.headers.get_all("Authorization").collect();
    all.iter()
        .copied()
        .find(|v| Credentials::parse(v).is_ok_and(|c| c.realm == realm))
        .or_else(|| all.first().copied())
}

/// The binding `addr` refers to: the same URI (RFC 3261 sec. 19.1.4), or the same
/// `+sip.instance` (RFC 5626: a phone that moved keeps its binding).
fn matches(b: &Binding, addr: &NameAddr) -> bool {
    if same_contact(&b.contact, &addr.uri) {
        return true;
    }
    match (&b.instance, addr.params.value("+sip.instance")) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// The top Via's sent-by is not where the packet came from (chan_sip's NAT detection for
/// `auto_force_rport`). A Via naming a host rather than an address counts as NAT.
fn via_shows_nat(req: &Request, source: &Source) -> bool {
    let Ok(via) = req.headers.top_via() else {
        return true;
    };
    let ip: Option<IpAddr> = match via.host {
        Host::V4(a) => Some(IpAddr::V4(a)),
        Host::V6(a) => Some(IpAddr::V6(a)),
        Host::Domain(_) => None,
    };
    let default_port = if via.transport == crate::message::Transport::Tls {
        5061
    } else {
        5060
    };
    ip != Some(source.addr.ip()) || via.port.unwrap_or(default_port) != source.addr.port()
}
