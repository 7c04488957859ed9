//! The registrar (RFC 3261 sec. 10.3) with chan_sip's semantics, sans-IO.
//!
//! [`Registrar::handle_register`] takes a parsed REGISTER, the moment (`Instant` for timers,
//! epoch seconds for the store, the nonces and the `Date` header), the source address, the
//! digest server and a peer lookup, and returns the response to send plus the
//! [`BindingChange`]s to persist. [`Registrar::expire`] drops bindings whose time ran out;
//! [`Registrar::next_expiry`] says when to call it next. Nothing here reads a clock or touches
//! the store: the driver saves what the changes say and hands the stored rows back to
//! [`Registrar::restore`] at start.
//!
//! A runnable example of this loop is `examples/registrar_drive.rs`
//! (`cargo run -p tandem-sip --example registrar_drive`).

mod binding;
mod register;
mod reply;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::auth::Secret;
use crate::message::{Response, Transport};

pub use binding::{same_contact, Binding, BindingChange, RemoveReason, StoredBinding, Target};
pub use reply::http_date;

/// chan_sip keeps a registration 10 s past the expiry it granted (`expire + 10` in
/// `parse_register_contact`), so a phone refreshing just in time is never dropped.
pub const EXPIRY_GRACE_SECS: u64 = 10;

/// Default bound on contacts per AOR.
pub const DEFAULT_MAX_CONTACTS: usize = 10;

/// What to do with a requested expiry below `minexpiry`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TooBrief {
    /// chan_sip: grant `minexpiry` instead (`if (expire < min_expiry) expire = min_expiry`).
    #[default]
    Raise,
    /// RFC 3261 sec. 10.3 step 7 (and res_pjsip): `423 Interval Too Brief` with
    /// `Min-Expires`.
    Reject,
}

/// Registrar settings (from sip.conf `[general]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrarConfig {
    /// `minexpiry` (default 60).
    pub minexpiry: u32,
    /// `maxexpiry` (default 3600).
    pub maxexpiry: u32,
    /// `defaultexpiry` (default 120): when neither Expires nor `expires=` is given.
    pub defaultexpiry: u32,
    /// `alwaysauthreject` (default yes): unknown peers are challenged and refused exactly as a
    /// wrong password is.
    pub alwaysauthreject: bool,
    /// Contacts kept per AOR; when a new one arrives on a full AOR, the one expiring soonest
    /// is replaced. chan_sip kept one (a new REGISTER replaced the contact): set 1 for that.
    pub max_contacts: usize,
    /// Below `minexpiry`: raise (chan_sip, default) or 423.
    pub too_brief: TooBrief,
}

impl Default for RegistrarConfig {
    fn default() -> Self {
        RegistrarConfig {
            minexpiry: 60,
            maxexpiry: 3600,
            defaultexpiry: 120,
            alwaysauthreject: true,
            max_contacts: DEFAULT_MAX_CONTACTS,
            too_brief: TooBrief::Raise,
        }
    }
}

/// What the registrar needs to know about the peer a REGISTER names (the To user), as the
/// driver's lookup returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterPeer {
    /// The peer's name as configured: the AOR, and the digest username it must use.
    pub name: String,
    /// `host=dynamic`: only such peers may register.
    pub dynamic: bool,
    /// `secret`/`md5secret`; `None`: no authentication (chan_sip's `check_auth` lets a peer
    /// without a secret in).
    pub secret: Option<Secret>,
    /// The peer's `permit`/`deny` allow the source address (evaluated by the driver).
    pub acl_allows: bool,
    /// `nat=force_rport` (or `yes`): route to the source address.
    pub force_rport: bool,
    /// `nat=auto_force_rport` (the default): route to the source when the top Via shows NAT.
    pub auto_force_rport: bool,
}

impl RegisterPeer {
    /// A `host=dynamic` peer, allowed from anywhere, with chan_sip's default `nat`.
    pub fn dynamic(name: &str, secret: Option<Secret>) -> Self {
        RegisterPeer {
            name: name.to_string(),
            dynamic: true,
            secret,
            acl_allows: true,
            force_rport: false,
            auto_force_rport: true,
        }
    }
}

/// Where a request came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub addr: SocketAddr,
    pub transport: Transport,
}

/// What happened to a REGISTER, for logs, ban counters and `sip show peers`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegisterStatus {
    /// 200: bindings added or refreshed (and maybe some removed).
    Registered,
    /// 200: every contact of the request removed.
    Unregistered,
    /// 200: no Contact, the current bindings listed.
    Query,
    /// 401 without credentials (or for a stale nonce: `stale` true).
    Challenged { stale: bool },
    /// 403 after credentials: wrong password, wrong digest username, or (alwaysauthreject)
    /// a peer that does not exist or may not register. `known_peer` is for the log only; the
    /// response does not show it.
    AuthFailed { known_peer: bool },
    /// 404 or 403 without alwaysauthreject: no such peer, ACL, or not `host=dynamic`.
    Rejected,
    /// 400 (bad headers, `*` misuse, CSeq out of order) or 423.
    BadRequest,
}

/// The answer to one REGISTER.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterOutcome {
    pub response: Response,
    pub status: RegisterStatus,
    /// The peer, once authenticated.
    pub aor: Option<String>,
    pub changes: Vec<BindingChange>,
}

/// The binding table: AOR (peer name, compared case-insensitively as chan_sip's peer table)
/// to its contacts, oldest first.
#[derive(Debug, Clone, Default)]
pub struct Registrar {
    config: RegistrarConfig,
    bindings: BTreeMap<String, Vec<Binding>>,
}

fn key(aor: &str) -> String {
    aor.to_ascii_lowercase()
}

impl Registrar {
    pub fn new(config: RegistrarConfig) -> Self {
        Registrar {
            config,
            bindings: BTreeMap::new(),
        }
    }

    pub fn config(&self) -> &RegistrarConfig {
        &self.config
    }

    /// Replaces the settings (reload). Existing bindings keep their expiry.
    pub fn set_config(&mut self, config: RegistrarConfig) {
        self.config = config;
    }

    /// The contacts of `aor`, oldest first (empty when not registered).
    pub fn lookup(&self, aor: &str) -> &[Binding] {
        self.bindings.get(&key(aor)).map_or(&[], Vec::as_slice)
    }

    /// Every binding, by AOR.
    pub fn iter(&self) -> impl Iterator<Item = &Binding> {
        self.bindings.values().flatten()
    }

    /// Removes every binding whose granted expiry plus [`EXPIRY_GRACE_SECS`] is not after
    /// `now`.
    pub fn expire(&mut self, now: Instant) -> Vec<BindingChange> {
        let grace = Duration::from_secs(EXPIRY_GRACE_SECS);
        let mut changes = Vec::new();
        for list in self.bindings.values_mut() {
            list.retain(|b| {
                let keep = b.expires_at.checked_add(grace).is_none_or(|t| t > now);
                if !keep {
                    changes.push(BindingChange::Removed {
                        binding: b.clone(),
                        reason: RemoveReason::Expired,
                    });
                }
                keep
            });
        }
        self.bindings.retain(|_, l| !l.is_empty());
        changes
    }

    /// When [`Registrar::expire`] next has work.
    pub fn next_expiry(&self) -> Option<Instant> {
        let grace = Duration::from_secs(EXPIRY_GRACE_SECS);
        self.iter()
            .map(|b| b.expires_at.checked_add(grace).unwrap_or(b.expires_at))
            .min()
    }

    /// Loads stored bindings at start; `now` and `epoch` are the same moment. Rows that are
    /// unreadable or expired are skipped (the driver should delete them; they are returned
    /// as `false` entries of the result, in input order). At most `max_contacts` per AOR are
    /// kept, the latest expiring ones.
    pub fn restore<'a>(
        &mut self,
        now: Instant,
        epoch: u64,
        rows: impl IntoIterator<Item = &'a StoredBinding>,
    ) -> Vec<bool> {
        let mut kept = Vec::new();
        for row in rows {
            match Binding::from_stored(row, now, epoch) {
                Some(b) => {
                    let list = self.bindings.entry(key(&b.aor)).or_default();
                    if let Some(old) = list
                        .iter_mut()
                        .find(|x| same_contact(&x.contact, &b.contact))
                    {
                        *old = b;
                    } else {
                        list.push(b);
                    }
                    kept.push(true);
                }
                None => kept.push(false),
            }
        }
        let max = self.config.max_contacts.max(1);
        for list in self.bindings.values_mut() {
            while list.len() > max {
                if let Some(i) = soonest(list) {
                    list.remove(i);
                }
            }
        }
        kept
    }

    fn list_mut(&mut self, aor: &str) -> &mut Vec<Binding> {
        self.bindings.entry(key(aor)).or_default()
    }

    fn prune_empty(&mut self, aor: &str) {
        if self.bindings.get(&key(aor)).is_some_and(Vec::is_empty) {
            self.bindings.remove(&key(aor));
        }
    }
}

/// Index of the binding expiring first.
fn soonest(list: &[Binding]) -> Option<usize> {
    list.iter()
        .enumerate()
        .min_by_key(|(_, b)| b.expires_at)
        .map(|(i, _)| i)
}
