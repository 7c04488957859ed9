//! Named ACLs: `acl.conf` (Asterisk's main/named_acl.c) and the ACL lists that use them
//! (`ast_acl_list`, main/acl.c `ast_append_acl` / `ast_apply_acl`).
//!
//! Behaviour pinned by tests:
//! - every section but `[general]` is a named ACL; its `permit`/`deny` lines are appended in
//!   order (`ast_append_ha`, so the last matching rule decides); names are case-sensitive;
//! - acl.conf goes through the config framework (aco): an unknown option (anything in
//!   `[general]`, anything but permit/deny in an ACL) or a bad rule refuses the **whole file**;
//! - a list (a peer's ACL) is the unnamed baseline (`permit`/`deny` lines) followed by the
//!   named ACLs (`acl=a,b`), and refuses an address as soon as **any** of them refuses it;
//! - naming an ACL twice (case-insensitively) is an error and the second mention is skipped;
//! - an ACL that does not exist refuses every address ("marked as undefined and will
//!   automatically fail if applied"); an ACL without rules accepts every address.
//!
//! One deliberate difference: when acl.conf is missing or refused, Asterisk has no ACL
//! configuration at all and `acl=name` then accepts everything; tandem treats every name as
//! undefined (refusing), so a broken acl.conf never opens a peer to the world.

use std::net::IpAddr;

use super::acl::{Acl, Sense};
use super::{IaxConf, ManagerConf, SipConf};
use crate::{Config, Diagnostic, Source};

/// Most named ACLs kept from one file (a bound of ours).
pub const MAX_NAMED_ACLS: usize = 1024;
/// Most named ACLs one list may reference (a bound of ours).
pub const MAX_NAMED_PER_LIST: usize = 64;

/// The named ACLs of acl.conf, in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NamedAcls {
    acls: Vec<(String, Acl)>,
}

impl NamedAcls {
    /// Reads acl.conf. On any error the whole file is refused (an empty set: every name is
    /// then undefined), as aco refuses it.
    pub fn from_config(cfg: &Config) -> (NamedAcls, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let mut acls: Vec<(String, Acl)> = Vec::new();
        let mut failed = false;
        for s in cfg.sections.iter().filter(|s| !s.template) {
            if s.name == "general" {
                for item in &s.items {
                    diags.push(Diagnostic::error(
                        item.span.clone(),
                        format!("unknown option '{}' in [general] of acl.conf", item.key),
                    ));
                    failed = true;
                }
                continue;
            }
            let idx = match acls.iter().position(|(n, _)| *n == s.name) {
                Some(i) => i,
                None if acls.len() < MAX_NAMED_ACLS => {
                    acls.push((s.name.clone(), Acl::new()));
                    acls.len() - 1
                }
                None => {
                    diags.push(Diagnostic::error(
                        s.span.clone(),
                        format!("more than {MAX_NAMED_ACLS} named ACLs"),
                    ));
                    failed = true;
                    continue;
                }
            };
            for item in &s.items {
                let key = item.key.to_ascii_lowercase();
                if key != "permit" && key != "deny" {
                    diags.push(Diagnostic::error(
                        item.span.clone(),
                        format!("unknown option '{}' in ACL [{}]", item.key, s.name),
                    ));
                    failed = true;
                    continue;
                }
                if let Some((_, acl)) = acls.get_mut(idx) {
                    if let Err(e) = acl.append(Sense::from_option_name(&key), item.value.trim()) {
                        diags.push(Diagnostic::error(item.span.clone(), format!("{e}")));
                        failed = true;
                    }
                }
            }
        }
        if failed {
            if let Some(first) = diags.first().map(|d| d.span.clone()) {
                diags.push(Diagnostic::error(
                    first,
                    "acl.conf refused as a whole (as Asterisk does): every named ACL is undefined and refuses all addresses",
                ));
            }
            return (NamedAcls::default(), diags);
        }
        (NamedAcls { acls }, diags)
    }

    /// The rules of the ACL `name` (exact, case-sensitive match).
    pub fn get(&self, name: &str) -> Option<&Acl> {
        self.acls.iter().find(|(n, _)| n == name).map(|(_, a)| a)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.acls.iter().map(|(n, _)| n.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.acls.is_empty()
    }
}

/// One `acl=NAME` reference of a list; `rules` is filled by [`AclList::resolve`]; `None`
/// (undefined, or not resolved yet) refuses every address.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NamedRef {
    pub name: String,
    pub rules: Option<Acl>,
}

/// An `ast_acl_list`: named ACLs applied after a baseline (the baseline is kept where the
/// view keeps it, e.g. `Peer::acl`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AclList {
    pub named: Vec<NamedRef>,
}

impl AclList {
    /// `acl=a, b`: appends every name (blanks around names skipped). A name already in the
    /// list is an error (returned) and skipped; the others are still appended.
    pub fn add_names(&mut self, value: &str) -> Result<(), String> {
        let mut err = None;
        for name in value.split(',') {
            let name = name.trim_start_matches([' ', '\t']).trim_end();
            if self.named.iter().any(|r| r.name.eq_ignore_ascii_case(name)) {
                err = Some(format!("named ACL '{name}' is already included"));
                continue;
            }
            if self.named.len() >= MAX_NAMED_PER_LIST {
                return Err(format!("more than {MAX_NAMED_PER_LIST} named ACLs"));
            }
            self.named.push(NamedRef {
                name: name.to_string(),
                rules: None,
            });
        }
        err.map_or(Ok(()), Err)
    }

    /// Looks every name up in acl.conf; undefined names are returned (for a warning).
    pub fn resolve(&mut self, acls: &NamedAcls) -> Vec<String> {
        let mut undefined = Vec::new();
        for r in &mut self.named {
            r.rules = acls.get(&r.name).cloned();
            if r.rules.is_none() {
                undefined.push(r.name.clone());
            }
        }
        undefined
    }

    pub fn is_empty(&self) -> bool {
        self.named.is_empty()
    }

    /// The name of the first named ACL that refuses `addr` (`"(undefined) NAME"` style is left
    /// to the caller), or `None` when all accept it.
    pub fn refused_by(&self, addr: IpAddr) -> Option<&str> {
        self.named
            .iter()
            .find(|r| r.rules.as_ref().is_none_or(|a| !a.allows(addr)))
            .map(|r| r.name.as_str())
    }

    /// `ast_apply_acl`: `baseline` first, then every named ACL; any refusal refuses.
    pub fn allows(&self, baseline: &Acl, addr: IpAddr) -> bool {
        baseline.allows(addr) && self.refused_by(addr).is_none()
    }
}

/// Loads acl.conf from `source` (an empty set when there is none, or when it is refused).
pub fn load_named(source: &dyn Source) -> (NamedAcls, Vec<Diagnostic>) {
    match crate::load_optional(source, "acl.conf") {
        Some(loaded) => {
            let mut diags = loaded.diagnostics;
            let (named, more) = NamedAcls::from_config(&loaded.config);
            diags.extend(more);
            (named, diags)
        }
        None => (NamedAcls::default(), Vec::new()),
    }
}

/// Resolves `list` against `named`; an undefined name is a warning at `span`.
fn resolve_list(
    list: &mut AclList,
    named: &NamedAcls,
    span: &crate::Span,
    who: &str,
    diags: &mut Vec<Diagnostic>,
) {
    for n in list.resolve(named) {
        diags.push(Diagnostic::warning(
            span.clone(),
            format!("{who}: ACL '{n}' does not exist (acl.conf); it refuses every address"),
        ));
    }
}

/// Loads acl.conf from `source` (when there is one) and resolves every named reference of
/// `sip` (peers' `acl`/`contactacl`, `[general]` `contactacl`). Diagnostics carry file:line;
/// a reference to an undefined ACL is a warning at the peer's section.
pub fn resolve_sip(sip: &mut SipConf, source: &dyn Source) -> Vec<Diagnostic> {
    let (named, mut diags) = load_named(source);
    diags.extend(resolve_sip_with(sip, &named));
    diags
}

/// [`resolve_sip`] with acl.conf already loaded.
pub fn resolve_sip_with(sip: &mut SipConf, named: &NamedAcls) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let general_span =
        (sip.general.span.clone()).unwrap_or_else(|| crate::Span::new("sip.conf", 0));
    let general = &mut sip.general.contact_acls;
    resolve_list(
        general,
        named,
        &general_span,
        "[general] contactacl",
        &mut diags,
    );
    for p in &mut sip.peers {
        let who = format!("[{}] acl", p.name);
        resolve_list(&mut p.named_acls, named, &p.span, &who, &mut diags);
        let who = format!("[{}] contactacl", p.name);
        resolve_list(&mut p.contact_named_acls, named, &p.span, &who, &mut diags);
    }
    diags
}

/// Resolves the `acl=` of every iax.conf user and peer (chan_iax2 `build_user`/`build_peer`
/// take `acl` with `permit`/`deny`; chan_iax2 has no global ACL).
pub fn resolve_iax(iax: &mut IaxConf, named: &NamedAcls) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for p in &mut iax.peers {
        let who = format!("[{}] acl", p.name);
        resolve_list(&mut p.named_acls, named, &p.span, &who, &mut diags);
    }
    diags
}

/// Resolves the `acl=` of every manager.conf user (manager.c takes `acl` with
/// `permit`/`deny`; it has no global ACL).
pub fn resolve_manager(manager: &mut ManagerConf, named: &NamedAcls) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for u in &mut manager.users {
        let who = format!("[{}] acl", u.name);
        resolve_list(&mut u.named_acls, named, &u.span, &who, &mut diags);
    }
    diags
}

#[cfg(test)]
#[path = "acl_conf_tests.rs"]
mod tests;
