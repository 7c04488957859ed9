//! One binding of an address-of-record (RFC 3261 sec. 10.3): a Contact URI with its expiry,
//! the Call-ID/CSeq that last touched it, and where the REGISTER came from (for NAT).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::message::{Host, NameAddr, Transport, Uri};

/// A registered contact of one peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The address-of-record: the peer name as configured.
    pub aor: String,
    /// The Contact URI as the phone sent it.
    pub contact: Uri,
    /// The expiry granted in the 200 OK; the binding is dropped [`super::EXPIRY_GRACE_SECS`]
    /// later (chan_sip schedules `expire_register` at `expire + 10` seconds).
    pub expires_at: Instant,
    /// The same instant as wall-clock seconds since the Unix epoch (for the store).
    pub expires_epoch: u64,
    pub call_id: String,
    pub cseq: u32,
    /// Where the REGISTER came from (address and port as received).
    pub source: SocketAddr,
    pub transport: Transport,
    /// Send requests to `source` rather than to the Contact (nat=force_rport, or
    /// auto_force_rport with the Via showing NAT): chan_sip's `SIP_NAT_ROUTE`.
    pub route_to_source: bool,
    /// `User-Agent` of the REGISTER ("" when absent).
    pub user_agent: String,
    /// `Path` values (RFC 3327), top first; joined with `,` in the store.
    pub path: Vec<String>,
    /// `+sip.instance` of the Contact (RFC 5626), as written, when present.
    pub instance: Option<String>,
}

/// Where to send requests for a binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The address the REGISTER came from (NAT).
    Source {
        addr: SocketAddr,
        transport: Transport,
    },
    /// The Contact's host and port (port `None`: the transport's default; a domain needs
    /// resolving by the driver).
    Contact {
        host: Host,
        port: Option<u16>,
        transport: Transport,
    },
    /// A Contact that is not a SIP URI and no NAT route: nothing to send to.
    Unroutable,
}

impl Binding {
    /// Seconds left before the granted expiry (0 once passed), rounded up.
    pub fn remaining(&self, now: Instant) -> u32 {
        let d = self.expires_at.saturating_duration_since(now);
        let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
        u32::try_from(secs).unwrap_or(u32::MAX)
    }

    /// Where requests (INVITE, OPTIONS, NOTIFY) for this binding go.
    pub fn target(&self) -> Target {
        if self.route_to_source {
            return Target::Source {
                addr: self.source,
                transport: self.transport.clone(),
            };
        }
        match self.contact.as_sip() {
            Some(u) => {
                let transport = match u.params.value("transport") {
                    Some(t) => Transport::parse(t),
                    None if u.secure => Transport::Tls,
                    None => self.transport.clone(),
                };
                Target::Contact {
                    host: u.host.clone(),
                    port: u.port,
                    transport,
                }
            }
            None => Target::Unroutable,
        }
    }

    /// The Contact value for a 200 OK: `<uri>;expires=N`.
    pub fn contact_value(&self, now: Instant) -> String {
        let mut na = NameAddr::new(self.contact.clone());
        let remaining = self.remaining(now).to_string();
        na.params.set("expires", Some(&remaining));
        na.to_string()
    }

    /// The form the store keeps.
    pub fn to_stored(&self) -> StoredBinding {
        StoredBinding {
            aor: self.aor.clone(),
            contact: self.contact.to_string(),
            expires_epoch: self.expires_epoch,
            call_id: self.call_id.clone(),
            cseq: self.cseq,
            source: self.source.to_string(),
            transport: self.transport.as_str().to_string(),
            user_agent: self.user_agent.clone(),
            path: self.path.join(","),
            instance: self.instance.clone().unwrap_or_default(),
            route_to_source: self.route_to_source,
        }
    }

    /// A binding from a stored row, or `None` when the row is unreadable or expired at
    /// `epoch` (grace included). `now` and `epoch` are the same moment on both clocks.
    pub fn from_stored(row: &StoredBinding, now: Instant, epoch: u64) -> Option<Binding> {
        if row.expires_epoch.saturating_add(super::EXPIRY_GRACE_SECS) <= epoch {
            return None;
        }
        let contact = Uri::parse(&row.contact).ok()?;
        let source: SocketAddr = row.source.parse().ok()?;
        // Never trust a stored expiry beyond what could have been granted.
        let left = row
            .expires_epoch
            .saturating_sub(epoch)
            .min(u64::from(u32::MAX));
        let expires_at = now.checked_add(Duration::from_secs(left))?;
        let path = row
            .path
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(String::from)
            .collect();
        Some(Binding {
            aor: row.aor.clone(),
            contact,
            expires_at,
            expires_epoch: row.expires_epoch,
            call_id: row.call_id.clone(),
            cseq: row.cseq,
            source,
            transport: Transport::parse(&row.transport),
            route_to_source: row.route_to_source,
            user_agent: row.user_agent.clone(),
            path,
            instance: (!row.instance.is_empty()).then(|| row.instance.clone()),
        })
    }
}

/// A binding as persisted: plain strings and numbers, no `Instant`. The binary maps it to the
/// store's row type (`tandem_store::RegistrationRow` has the same fields).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBinding {
    pub aor: String,
    pub contact: String,
    pub expires_epoch: u64,
    pub call_id: String,
    pub cseq: u32,
    /// `ip:port` (`[v6]:port`).
    pub source: String,
    /// `UDP`, `TCP`, ...
    pub transport: String,
    pub user_agent: String,
    pub path: String,
    pub instance: String,
    pub route_to_source: bool,
}

/// Why a binding went away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoveReason {
    /// `Expires: 0`, `expires=0` or `Contact: *`.
    Unregistered,
    /// Its time ran out ([`super::Registrar::expire`]).
    Expired,
    /// The AOR was full and a newer contact took its place.
    Replaced,
}

/// What a REGISTER or the expiry timer changed: the store and `sip show peers` follow these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindingChange {
    Added(Binding),
    Refreshed(Binding),
    Removed {
        binding: Binding,
        reason: RemoveReason,
    },
}

impl BindingChange {
    pub fn binding(&self) -> &Binding {
        match self {
            BindingChange::Added(b) | BindingChange::Refreshed(b) => b,
            BindingChange::Removed { binding, .. } => binding,
        }
    }
}

/// URI equality for bindings, after RFC 3261 sec. 19.1.4: scheme, user and password exact
/// (escapes decoded), host case-insensitive, port as written, and the `transport`, `user`,
/// `ttl`, `method` and `maddr` parameters equal when either side has them. Other schemes
/// compare as text, case-insensitively.
pub fn same_contact(a: &Uri, b: &Uri) -> bool {
    match (a.as_sip(), b.as_sip()) {
        (Some(x), Some(y)) => {
            x.secure == y.secure
                && x.user_decoded() == y.user_decoded()
                && x.password == y.password
                && x.host.same(&y.host)
                && x.port == y.port
                && ["transport", "user", "ttl", "method", "maddr"]
                    .iter()
                    .all(|p| {
                        let (va, vb) = (x.params.get(p), y.params.get(p));
                        match (va, vb) {
                            (None, None) => true,
                            (Some(Some(m)), Some(Some(n))) => m.eq_ignore_ascii_case(n),
                            (Some(None), Some(None)) => true,
                            _ => false,
                        }
                    })
        }
        (None, None) => a.to_string().eq_ignore_ascii_case(&b.to_string()),
        _ => false,
    }
}
