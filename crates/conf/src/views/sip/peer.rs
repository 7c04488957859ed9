//! Peers, users and friends (chan_sip's `build_peer`, started from `set_peer_defaults`).

use std::net::IpAddr;

use crate::{Diagnostic, Section, Span};

use super::super::acl::{Acl, Sense};
use super::super::acl_conf::AclList;
use super::super::util::{parse_addr_port, port_str2int, strict_uint};
use super::bad_value;
use super::callerid::CallerId;
use super::common::{codec_rule, qualify, qualifyfreq, CodecRule, Common, Transport};
use super::general::{read_transports, General, DEFAULT_QUALIFY_MS};
use super::keys::{GENERAL_UNSUPPORTED, PEER_UNSUPPORTED};
use super::register::RealmAuth;

/// `type =`. chan_sip ORs the values: `type=peer` then `type=user` makes a friend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerType {
    /// We call it; calls from it are matched by address.
    Peer,
    /// It calls us; matched by the From user name.
    User,
    Friend,
}

impl PeerType {
    pub fn is_peer(self) -> bool {
        matches!(self, PeerType::Peer | PeerType::Friend)
    }
    pub fn is_user(self) -> bool {
        matches!(self, PeerType::User | PeerType::Friend)
    }
}

/// `host =`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Host {
    /// `dynamic`: the peer registers with us.
    Dynamic,
    Addr(IpAddr),
    /// A host name, resolved by the driver (chan_sip resolves it with SRV when `srvlookup`).
    Name(String),
}

/// `amaflags =` (`ast_channel_string2amaflag`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AmaFlags {
    Default,
    Omit,
    Billing,
    Documentation,
}

/// One peer/user/friend. Strings left empty mean "not set", as in chan_sip.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Peer {
    pub name: String,
    pub span: Span,
    pub kind: PeerType,
    /// None when no `host =` line: such a peer cannot be called (fine for a user).
    pub host: Option<Host>,
    /// `port =`: the port of a static host, or the default port of a dynamic one.
    pub port: Option<u16>,
    /// `defaultip =`: where to call a dynamic peer that has not registered.
    pub defaultip: Option<IpAddr>,
    pub secret: String,
    pub md5secret: String,
    /// `remotesecret =`: the secret we use towards the peer (default: `secret`).
    pub remotesecret: String,
    /// `defaultuser =` (or the deprecated `username =`).
    pub defaultuser: String,
    pub fromuser: String,
    pub fromdomain: String,
    /// `fromdomain = domain:port`.
    pub fromdomain_port: Option<u16>,
    pub context: String,
    /// `callerid =`, `fullname =`, `cid_number =`.
    pub callerid: CallerId,
    /// The peer's own `allow`/`disallow`; see [`Peer::codec_rules`].
    pub codecs: Vec<CodecRule>,
    /// dtmfmode, nat, insecure, directmedia, trustrpid, sendrpid (from `[general]` unless set).
    pub common: Common,
    /// `qualify` in ms (0 = off).
    pub qualify_ms: u32,
    /// `qualifyfreq` in seconds.
    pub qualifyfreq: u32,
    /// `permit`/`deny` lines, in order.
    pub acl: Acl,
    /// `acl = NAME[,NAME]`: named ACLs of acl.conf, applied after `acl` (see
    /// [`Peer::acl_allows`]); resolved by `acl_conf::resolve_sip`.
    pub named_acls: AclList,
    /// `contactpermit`/`contactdeny`: which Contact addresses a REGISTER may bind.
    pub contact_acl: Acl,
    /// `contactacl = NAME[,NAME]`.
    pub contact_named_acls: AclList,
    /// `call-limit` (0 = no limit).
    pub call_limit: u32,
    /// tandem's `maxoutbound` / `maxcallsperminute` for calls to this peer (0 = no limit).
    pub maxoutbound: u32,
    pub maxcallsperminute: u32,
    /// `mailbox = a,b@ctx`: blank-stripped, empty entries and duplicates dropped.
    pub mailboxes: Vec<String>,
    /// `transport =`, the first being the one used to call out; `[general]`'s when not set.
    pub transports: Vec<Transport>,
    pub language: String,
    pub accountcode: String,
    pub mohinterpret: String,
    pub mohsuggest: String,
    pub vmexten: String,
    pub description: String,
    pub amaflags: Option<AmaFlags>,
    /// `auth = user:secret@realm` lines: credentials when this peer challenges us.
    pub auths: Vec<RealmAuth>,
}

impl Peer {
    /// chan_sip's `ast_apply_acl(peer->acl, ...)`: `permit`/`deny`, then every `acl=` named
    /// ACL; any refusal refuses.
    pub fn acl_allows(&self, ip: std::net::IpAddr) -> bool {
        self.named_acls.allows(&self.acl, ip)
    }

    /// Whether a REGISTER of this peer may bind a Contact at `ip`: `[general]`'s contact ACL
    /// and then the peer's (`contactpermit`/`contactdeny`/`contactacl`) must both accept it.
    pub fn contact_allows(&self, general: &super::General, ip: std::net::IpAddr) -> bool {
        general.contact_acls.allows(&general.contact_acl, ip)
            && self.contact_named_acls.allows(&self.contact_acl, ip)
    }

    /// The `allow`/`disallow` rules to apply, in order, to [`super::DEFAULT_CODECS`]:
    /// `[general]`'s, then the peer's own (chan_sip copies the global capabilities first).
    pub fn codec_rules<'a>(
        &'a self,
        general: &'a General,
    ) -> impl Iterator<Item = &'a CodecRule> + 'a {
        general.codecs.iter().chain(self.codecs.iter())
    }

    pub fn is_dynamic(&self) -> bool {
        self.host == Some(Host::Dynamic)
    }
}

/// Options tandem reads only in `[general]`.
const GENERAL_ONLY: &[&str] = &[
    "bindaddr",
    "udpbindaddr",
    "bindport",
    "tcpenable",
    "tcpbindaddr",
    "allowguest",
    "alwaysauthreject",
    "realm",
    "useragent",
    "externaddr",
    "externip",
    "localnet",
    "minexpiry",
    "minexpirey",
    "maxexpiry",
    "maxexpirey",
    "defaultexpiry",
    "defaultexpirey",
    "register",
];

/// Build the peer from its section(s) (several when the name is repeated: chan_sip merges
/// them). `None` when chan_sip would not create it (no or unknown type, bad ACL, bad defaultip).
pub(crate) fn read(secs: &[&Section], g: &General, diags: &mut Vec<Diagnostic>) -> Option<Peer> {
    let first = secs.first()?;
    let name = first.name.clone();
    let s = name.as_str();
    let items: Vec<&crate::Item> = secs.iter().flat_map(|sec| sec.items.iter()).collect();

    let last_type = items
        .iter()
        .rev()
        .find(|i| i.key.eq_ignore_ascii_case("type"));
    match last_type {
        None => {
            diags.push(Diagnostic::error(
                first.span.clone(),
                format!("[{name}] lacks type (peer, user or friend); chan_sip skips the section"),
            ));
            return None;
        }
        Some(t)
            if !["peer", "user", "friend"]
                .iter()
                .any(|w| t.value.trim().eq_ignore_ascii_case(w)) =>
        {
            diags.push(Diagnostic::error(
                t.span.clone(),
                format!("unknown type '{}' for [{name}] (expected peer, user or friend); chan_sip skips the section", t.value),
            ));
            return None;
        }
        Some(_) => {}
    }

    let mut p = Peer {
        name: name.clone(),
        span: first.span.clone(),
        kind: PeerType::Peer,
        host: None,
        port: None,
        defaultip: None,
        secret: String::new(),
        md5secret: String::new(),
        remotesecret: String::new(),
        defaultuser: String::new(),
        fromuser: String::new(),
        fromdomain: String::new(),
        fromdomain_port: None,
        context: g.context.clone(),
        callerid: CallerId::default(),
        codecs: Vec::new(),
        common: g.common.clone(),
        qualify_ms: g.qualify_ms,
        qualifyfreq: g.qualifyfreq,
        acl: Acl::new(),
        named_acls: AclList::default(),
        contact_acl: Acl::new(),
        contact_named_acls: AclList::default(),
        call_limit: 0,
        maxoutbound: 0,
        maxcallsperminute: 0,
        mailboxes: Vec::new(),
        transports: Vec::new(),
        language: g.language.clone(),
        accountcode: String::new(),
        mohinterpret: g.mohinterpret.clone(),
        mohsuggest: g.mohsuggest.clone(),
        vmexten: g.vmexten.clone(),
        description: String::new(),
        amaflags: None,
        auths: Vec::new(),
    };
    let (mut is_peer, mut is_user) = (false, false);
    let mut dropped = false;
    let mut transports_set = false;

    for item in items {
        let key = item.key.to_ascii_lowercase();
        let v = item.value.trim();
        let bad = |why: &str| bad_value(&item.span, &item.key, &item.value, s, why);
        if p.common.handle(&key, item, s, diags) {
            continue;
        }
        if let Some(rule) = codec_rule(&key, item) {
            p.codecs.push(rule);
            continue;
        }
        match key.as_str() {
            "type" => {
                if v.eq_ignore_ascii_case("peer") {
                    is_peer = true;
                } else if v.eq_ignore_ascii_case("user") {
                    is_user = true;
                } else if v.eq_ignore_ascii_case("friend") {
                    is_peer = true;
                    is_user = true;
                } else {
                    diags.push(bad("expected peer, user or friend"));
                }
            }
            "host" => {
                if v.eq_ignore_ascii_case("dynamic") {
                    p.host = Some(Host::Dynamic);
                } else {
                    let h = v.split(';').next().unwrap_or("");
                    match parse_addr_port(h) {
                        Some((ip, None)) => p.host = Some(Host::Addr(ip)),
                        Some((_, Some(_))) => {
                            diags.push(bad("a host must not include a port; use port ="))
                        }
                        None if is_host_name(h) => p.host = Some(Host::Name(h.to_string())),
                        None => diags.push(bad("expected dynamic, an IP address or a host name")),
                    }
                }
            }
            "port" => match port_str2int(v) {
                Some(port) if strict_uint(v).is_some() => p.port = Some(port),
                _ => diags.push(bad("expected a port number from 1 to 65535")),
            },
            "defaultip" => {
                if v.is_empty() {
                    p.defaultip = None;
                } else {
                    match parse_addr_port(v) {
                        Some((ip, None)) => p.defaultip = Some(ip),
                        _ => {
                            diags.push(bad("expected an IP address (chan_sip drops the peer when it cannot resolve it)"));
                            dropped = true;
                        }
                    }
                }
            }
            "secret" => p.secret = item.value.clone(),
            "md5secret" => p.md5secret = item.value.clone(),
            "remotesecret" => p.remotesecret = item.value.clone(),
            "defaultuser" => p.defaultuser = v.to_string(),
            "username" => {
                p.defaultuser = v.to_string();
                diags.push(Diagnostic::warning(
                    item.span.clone(),
                    "'username' for sip peers is deprecated in favor of 'defaultuser'",
                ));
            }
            "fromuser" => p.fromuser = v.to_string(),
            "fromdomain" => match v.split_once(':') {
                Some((d, port)) => {
                    p.fromdomain = d.to_string();
                    match port_str2int(port) {
                        Some(n) => p.fromdomain_port = Some(n),
                        None => diags.push(bad(&format!(
                            "'{port}' is not a valid port number for fromdomain"
                        ))),
                    }
                }
                None => {
                    p.fromdomain = v.to_string();
                    p.fromdomain_port = None;
                }
            },
            "context" => p.context = v.to_string(),
            "callerid" => p.callerid = CallerId::parse(&item.value),
            "fullname" => p.callerid.name = item.value.clone(),
            "cid_number" => p.callerid.number = v.to_string(),
            "qualify" => {
                let yes = if g.qualify_ms != 0 {
                    g.qualify_ms
                } else {
                    DEFAULT_QUALIFY_MS
                };
                if let Some(ms) = qualify(item, s, yes, diags) {
                    p.qualify_ms = ms;
                }
            }
            "qualifyfreq" => {
                if let Some(f) = qualifyfreq(item, s, diags) {
                    p.qualifyfreq = f;
                }
            }
            "permit" | "deny" => {
                if !v.is_empty() {
                    if let Err(e) = p.acl.append(Sense::from_option_name(&key), v) {
                        diags.push(bad(&format!("{e}; chan_sip drops the peer")));
                        dropped = true;
                    }
                }
            }
            "acl" => {
                if !v.is_empty() {
                    if let Err(e) = p.named_acls.add_names(v) {
                        diags.push(bad(&format!("{e}; chan_sip drops the peer")));
                        dropped = true;
                    }
                }
            }
            "contactpermit" | "contactdeny" | "contactacl" if !v.is_empty() => {
                let res = if key == "contactacl" {
                    p.contact_named_acls.add_names(v)
                } else {
                    let sense = Sense::from_option_name(&key["contact".len()..]);
                    p.contact_acl.append(sense, v).map_err(|e| e.to_string())
                };
                if let Err(e) = res {
                    diags.push(bad(&format!("{e}; chan_sip drops the peer")));
                    dropped = true;
                }
            }
            "contactpermit" | "contactdeny" | "contactacl" => {}
            "maxoutbound" | "maxcallsperminute" => {
                match strict_uint(v).and_then(|n| u32::try_from(n).ok()) {
                    Some(n) if key == "maxoutbound" => p.maxoutbound = n,
                    Some(n) => p.maxcallsperminute = n,
                    None => diags.push(bad("expected a number of calls (0 = no limit)")),
                }
            }
            "call-limit" => match strict_uint(v).and_then(|n| u32::try_from(n).ok()) {
                Some(n) => p.call_limit = n,
                None => diags.push(bad("expected a number of calls (0 = no limit)")),
            },
            "mailbox" => {
                for m in v.split(',') {
                    let m = m.trim();
                    if !m.is_empty() && !p.mailboxes.iter().any(|x| x == m) {
                        p.mailboxes.push(m.to_string());
                    }
                }
            }
            "transport" => {
                let mut list = read_transports(item, s, diags);
                if !g.tcpenable && list.contains(&Transport::Tcp) {
                    diags.push(Diagnostic::warning(
                        item.span.clone(),
                        "'tcp' is not a valid transport when tcpenable=no; the defaults of [general] are used if no other is given",
                    ));
                    list.retain(|t| *t != Transport::Tcp);
                }
                if !g.tls.enabled && list.contains(&Transport::Tls) {
                    diags.push(Diagnostic::warning(
                        item.span.clone(),
                        "'tls' is not a valid transport when tlsenable=no; the defaults of [general] are used if no other is given",
                    ));
                    list.retain(|t| *t != Transport::Tls);
                }
                p.transports = list;
                transports_set = true;
            }
            "language" => p.language = v.to_string(),
            "accountcode" => p.accountcode = v.to_string(),
            "mohinterpret" => p.mohinterpret = v.to_string(),
            "mohsuggest" => p.mohsuggest = v.to_string(),
            "vmexten" => p.vmexten = v.to_string(),
            "description" => p.description = item.value.clone(),
            "amaflags" => {
                let f = match v.to_ascii_lowercase().as_str() {
                    "default" => Some(AmaFlags::Default),
                    "omit" => Some(AmaFlags::Omit),
                    "billing" => Some(AmaFlags::Billing),
                    "documentation" => Some(AmaFlags::Documentation),
                    _ => None,
                };
                match f {
                    Some(f) => p.amaflags = Some(f),
                    None => diags.push(bad("expected default, omit, billing or documentation")),
                }
            }
            "auth" => {
                if !v.is_empty() {
                    match RealmAuth::parse(v, &item.span) {
                        Ok(a) => p.auths.push(a),
                        Err(d) => diags.push(d),
                    }
                }
            }
            k if PEER_UNSUPPORTED.contains(&k) => diags.push(Diagnostic::warning(
                item.span.clone(),
                format!("unsupported option '{}' in [{s}]", item.key),
            )),
            k if GENERAL_ONLY.contains(&k) || GENERAL_UNSUPPORTED.contains(&k) => {
                diags.push(Diagnostic::warning(
                    item.span.clone(),
                    format!(
                        "option '{}' belongs in [general]; chan_sip ignores it in [{s}]",
                        item.key
                    ),
                ))
            }
            _ => diags.push(Diagnostic::warning(
                item.span.clone(),
                format!("unknown option '{}' in [{s}]", item.key),
            )),
        }
    }
    if !transports_set || p.transports.is_empty() {
        p.transports = g.transports.clone();
    }
    p.kind = match (is_peer, is_user) {
        (true, true) => PeerType::Friend,
        (false, true) => PeerType::User,
        _ => PeerType::Peer,
    };
    if dropped {
        return None;
    }
    Some(p)
}

/// Letters, digits, `-`, `.`, `_` (a DNS name as chan_sip would look it up).
fn is_host_name(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 253
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
}
