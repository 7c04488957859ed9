//! `iax.conf` in chan_iax2's format: `[general]` (with its `register =>` lines) and one
//! section per user, peer or friend (templates already expanded by the parser and skipped).
//!
//! Checked against chan_iax2 (`set_config`, `build_peer`, `build_user`, `iax2_register`).
//! Behaviours kept, pinned by tests: `bindport` defaults to 4569 and `bindaddr` may carry its
//! own port; `requirecalltoken` defaults to yes (per user/peer it overrides `[general]`);
//! `register => user[:secret]@host[:port]` with port 4569 by default; `auth=` lists methods
//! and tandem keeps MD5 only (plaintext is refused with a warning, RSA is unsupported);
//! `qualify=yes` means 2000 ms; `type=friend` is both a user and a peer; `host=dynamic`
//! peers register. Every other key is typed here or reported: a known chan_iax2 option that
//! tandem does not implement is a warning `unsupported option 'X' in [S]`, anything else a
//! warning `unknown option 'X' in [S]`, a bad value an error, all with `file:line`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use crate::{ast_false, ast_true, Config, Diagnostic, Item, Section, Span};

use super::acl::{Acl, Sense};
use super::acl_conf::AclList;
use super::autoban::Autoban;
use super::sip::CallerId;
use super::util::{parse_addr_port, port_str2int, strict_uint};

/// chan_iax2 `IAX_DEFAULT_PORTNO`.
pub const DEFAULT_PORT: u16 = 4569;
/// chan_iax2 `DEFAULT_MAXMS` (what `qualify=yes` means).
pub const DEFAULT_QUALIFY_MS: u32 = 2000;
/// chan_iax2 `trunkfreq` default (ms).
pub const DEFAULT_TRUNKFREQ: u32 = 20;

/// `allow=` / `disallow=` in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodecRule {
    pub allow: bool,
    pub value: String,
}

/// The audio formats tandem's IAX2 driver can carry, in preference order.
pub const CODECS: &[&str] = &["ulaw", "alaw", "g722"];

/// Apply `rules` to `start` (names of [`CODECS`]): `all` matches every codec; unknown names
/// are ignored (they were reported when the file loaded).
pub fn apply_codecs(start: &[String], rules: &[CodecRule]) -> Vec<String> {
    let mut out: Vec<String> = start.to_vec();
    for r in rules {
        for name in r.value.split(',').map(str::trim) {
            let names: Vec<&str> = if name.eq_ignore_ascii_case("all") {
                CODECS.to_vec()
            } else {
                CODECS
                    .iter()
                    .copied()
                    .filter(|c| c.eq_ignore_ascii_case(name))
                    .collect()
            };
            for n in names {
                out.retain(|c| c != n);
                if r.allow {
                    out.push(n.to_string());
                }
            }
        }
    }
    out
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct General {
    pub bindaddr: SocketAddr,
    pub codecs: Vec<CodecRule>,
    pub requirecalltoken: bool,
    /// Sources that may skip call tokens (`calltokenoptional`), kept as deny rules as
    /// chan_iax2 does: a source is exempt when this ACL does not allow it.
    pub calltokenoptional: Acl,
    pub trunkfreq: u32,
    pub trunktimestamps: bool,
    pub minregexpire: u16,
    pub maxregexpire: u16,
    /// tandem's automatic bans (`autoban`, `autoban_failures`, ... as in sip.conf).
    pub autoban: Autoban,
}

impl Default for General {
    fn default() -> Self {
        General {
            bindaddr: SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), DEFAULT_PORT),
            codecs: Vec::new(),
            requirecalltoken: true,
            calltokenoptional: Acl::new(),
            trunkfreq: DEFAULT_TRUNKFREQ,
            trunktimestamps: false,
            minregexpire: 60,
            maxregexpire: 60,
            autoban: Autoban::default(),
        }
    }
}

impl General {
    /// The formats of `[general]` in preference order.
    /// Is `ip` exempt from call tokens (`calltokenoptional`)?
    pub fn calltoken_optional(&self, ip: IpAddr) -> bool {
        !self.calltokenoptional.allows(ip)
    }

    pub fn formats(&self) -> Vec<String> {
        let all: Vec<String> = CODECS.iter().map(|s| s.to_string()).collect();
        apply_codecs(&all, &self.codecs)
    }
}

/// `register => user[:secret]@host[:port]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    pub user: String,
    pub secret: Option<String>,
    pub host: String,
    pub port: u16,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerType {
    User,
    Peer,
    Friend,
}

impl PeerType {
    pub fn is_user(self) -> bool {
        matches!(self, PeerType::User | PeerType::Friend)
    }
    pub fn is_peer(self) -> bool {
        matches!(self, PeerType::Peer | PeerType::Friend)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Host {
    Dynamic,
    Addr(IpAddr),
    /// A host name, resolved by the driver when it starts.
    Name(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Peer {
    pub name: String,
    pub kind: PeerType,
    pub secret: Option<String>,
    /// `username=`: who we say we are when we call this peer (the USERNAME IE).
    pub username: Option<String>,
    pub host: Option<Host>,
    pub port: u16,
    pub context: String,
    pub callerid: CallerId,
    pub trunk: bool,
    /// Qualify limit in ms (0: no qualify).
    pub qualify_ms: u32,
    /// `permit`/`deny` in order (the last matching rule decides).
    pub acl: Acl,
    /// `acl = NAME[,NAME]`: named ACLs of acl.conf, applied after `acl` (chan_iax2 appends
    /// all three to one `ast_acl_list`); resolved by `acl_conf::resolve_iax`.
    pub named_acls: AclList,
    /// `requirecalltoken` of this section (`None`: `[general]`'s).
    pub requirecalltoken: Option<bool>,
    pub codecs: Vec<CodecRule>,
    pub span: Span,
}

impl Peer {
    pub fn is_dynamic(&self) -> bool {
        self.host == Some(Host::Dynamic)
    }
    /// chan_iax2's `ast_apply_acl(user->acl / peer->acl, ...)`: `permit`/`deny`, then every
    /// `acl=` named ACL; any refusal refuses.
    pub fn acl_allows(&self, ip: IpAddr) -> bool {
        self.named_acls.allows(&self.acl, ip)
    }
    /// Formats in preference order: `[general]`'s, then this section's rules.
    pub fn formats(&self, general: &General) -> Vec<String> {
        apply_codecs(&general.formats(), &self.codecs)
    }
    pub fn requires_calltoken(&self, general: &General) -> bool {
        self.requirecalltoken.unwrap_or(general.requirecalltoken)
    }
}

/// The typed `iax.conf`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IaxConf {
    pub general: General,
    pub registrations: Vec<Registration>,
    pub peers: Vec<Peer>,
}

impl IaxConf {
    pub fn from_config(cfg: &Config) -> (IaxConf, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let mut conf = IaxConf::default();
        let mut seen_general = false;
        for sec in cfg.sections.iter().filter(|s| !s.template) {
            if sec.name.eq_ignore_ascii_case("general") {
                if seen_general {
                    diags.push(Diagnostic::warning(
                        sec.span.clone(),
                        format!(
                            "section [{}] is ignored: chan_iax2 reads only the first [general]",
                            sec.name
                        ),
                    ));
                } else {
                    seen_general = true;
                    read_general(sec, &mut conf, &mut diags);
                }
                continue;
            }
            if conf
                .peers
                .iter()
                .any(|p| p.name.eq_ignore_ascii_case(&sec.name))
            {
                diags.push(Diagnostic::warning(
                    sec.span.clone(),
                    format!(
                        "[{}] is defined again; the first definition is used",
                        sec.name
                    ),
                ));
                continue;
            }
            if let Some(p) = read_peer(sec, &mut diags) {
                conf.peers.push(p);
            }
        }
        (conf, diags)
    }

    /// The peer (or friend) named `name` (case-insensitive).
    pub fn peer(&self, name: &str) -> Option<&Peer> {
        self.peers
            .iter()
            .find(|p| p.kind.is_peer() && p.name.eq_ignore_ascii_case(name))
    }

    /// The user (or friend) named `name` (case-insensitive).
    pub fn user(&self, name: &str) -> Option<&Peer> {
        self.peers
            .iter()
            .find(|p| p.kind.is_user() && p.name.eq_ignore_ascii_case(name))
    }
}

/// Known chan_iax2 options that tandem does not implement (a warning each).
const UNSUPPORTED: &[&str] = &[
    "jitterbuffer",
    "forcejitterbuffer",
    "maxjitterbuffer",
    "resyncthreshold",
    "maxjitterinterps",
    "jittertargetextra",
    "encryption",
    "forceencryption",
    "keyrotate",
    "mailbox",
    "language",
    "accountcode",
    "amaflags",
    "tos",
    "cos",
    "delayreject",
    "iaxcompat",
    "authdebug",
    "autokill",
    "trunkmtu",
    "trunkmaxsize",
    "rtcachefriends",
    "rtignoreregexpire",
    "rtupdate",
    "rtautoclear",
    "maxcallnumbers",
    "maxcallnumbers_nonvalidated",
    "nochecksums",
    "mohinterpret",
    "mohsuggest",
    "transfer",
    "notransfer",
    "regcontext",
    "regexten",
    "inkeys",
    "outkey",
    "timezone",
    "defaultip",
    "sourceaddress",
    "mask",
    "qualifysmoothing",
    "qualifyfreqok",
    "qualifyfreqnotok",
    "adsi",
    "parkinglot",
    "dbsecret",
    "setvar",
    "codecpriority",
    "immediate",
    "sendani",
    "cid_number",
    "fullname",
    "connectedline",
    "description",
    "srvlookup",
    "shrinkcallerid",
    "allowfwdownload",
    "iaxthreadcount",
    "iaxmaxthreadcount",
    "dynamic_dundi",
    "callnumberlimits",
    "parkinglot",
    "language",
    "mohinterpret",
    "tos_audio",
    "cos_audio",
    "forcejitterbuffer",
    "srvlookup",
    "requirecalltoken_nonvalidated",
    "encryptionkey",
    "peercontext",
];

fn unsupported_or_unknown(it: &Item, section: &str, diags: &mut Vec<Diagnostic>) {
    let key = it.key.to_ascii_lowercase();
    let what = if UNSUPPORTED.contains(&key.as_str()) {
        "unsupported"
    } else {
        "unknown"
    };
    diags.push(Diagnostic::warning(
        it.span.clone(),
        format!("{what} option '{}' in [{section}]", it.key),
    ));
}

fn bool_value(it: &Item, section: &str, diags: &mut Vec<Diagnostic>) -> Option<bool> {
    if ast_true(&it.value) {
        Some(true)
    } else if ast_false(&it.value) {
        Some(false)
    } else {
        diags.push(bad(it, section, "expected yes or no"));
        None
    }
}

fn bad(it: &Item, section: &str, why: &str) -> Diagnostic {
    Diagnostic::error(
        it.span.clone(),
        format!(
            "invalid value '{}' for '{}' in [{section}]: {why}",
            it.value, it.key
        ),
    )
}

fn codec_rule(it: &Item, section: &str, allow: bool, diags: &mut Vec<Diagnostic>) -> CodecRule {
    for name in it.value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let known =
            name.eq_ignore_ascii_case("all") || CODECS.iter().any(|c| c.eq_ignore_ascii_case(name));
        if !known && allow {
            diags.push(Diagnostic::warning(
                it.span.clone(),
                format!("codec '{name}' in [{section}] is not supported by tandem's IAX2 driver (ulaw, alaw, g722)"),
            ));
        }
    }
    CodecRule {
        allow,
        value: it.value.clone(),
    }
}

fn read_general(sec: &Section, conf: &mut IaxConf, diags: &mut Vec<Diagnostic>) {
    let g = &mut conf.general;
    let mut port = None;
    let mut bind_ip = None;
    for it in &sec.items {
        let key = it.key.to_ascii_lowercase();
        match key.as_str() {
            "bindport" => match port_str2int(&it.value) {
                Some(p) => port = Some(p),
                None => diags.push(bad(it, "general", "not a port number")),
            },
            "bindaddr" => match parse_addr_port(&it.value) {
                Some((ip, p)) => bind_ip = Some((ip, p)),
                None => diags.push(bad(it, "general", "not an address")),
            },
            "allow" => g.codecs.push(codec_rule(it, "general", true, diags)),
            "disallow" => g.codecs.push(codec_rule(it, "general", false, diags)),
            "bandwidth" => diags.push(Diagnostic::warning(
                it.span.clone(),
                "unsupported option 'bandwidth' in [general]: use allow/disallow".to_string(),
            )),
            "requirecalltoken" => match it.value.trim().to_ascii_lowercase().as_str() {
                "auto" => g.requirecalltoken = true,
                _ => {
                    if let Some(b) = bool_value(it, "general", diags) {
                        g.requirecalltoken = b;
                    }
                }
            },
            "calltokenoptional" => {
                if let Err(e) = g.calltokenoptional.append(Sense::Deny, &it.value) {
                    diags.push(bad(it, "general", &e.0));
                }
            }
            "trunkfreq" => match strict_uint(&it.value) {
                // chan_iax2 clamps to at least 10 ms
                Some(n) => g.trunkfreq = (n.clamp(10, 1000)) as u32,
                None => diags.push(bad(it, "general", "expected milliseconds")),
            },
            "trunktimestamps" => {
                if let Some(b) = bool_value(it, "general", diags) {
                    g.trunktimestamps = b;
                }
            }
            "minregexpire" | "maxregexpire" => match strict_uint(&it.value) {
                Some(n) => {
                    let n = n.min(u64::from(u16::MAX)) as u16;
                    if key == "minregexpire" {
                        g.minregexpire = n;
                    } else {
                        g.maxregexpire = n;
                    }
                }
                None => diags.push(bad(it, "general", "expected seconds")),
            },
            "register" => match parse_register(&it.value) {
                Ok((user, secret, host, p)) => conf.registrations.push(Registration {
                    user,
                    secret,
                    host,
                    port: p,
                    span: it.span.clone(),
                }),
                Err(why) => diags.push(bad(it, "general", why)),
            },
            _ => match g.autoban.read(&key, &it.value, false) {
                Some(Ok(())) => {}
                Some(Err(why)) => diags.push(bad(it, "general", &why)),
                None => unsupported_or_unknown(it, "general", diags),
            },
        }
    }
    let g = &mut conf.general;
    let (ip, addr_port) = bind_ip.unwrap_or((g.bindaddr.ip(), None));
    g.bindaddr = SocketAddr::new(ip, addr_port.or(port).unwrap_or(DEFAULT_PORT));
    if g.maxregexpire < g.minregexpire {
        g.maxregexpire = g.minregexpire;
    }
}

/// `user[:secret]@host[:port]` (chan_iax2 `iax2_register`); an RSA key name in brackets as
/// the secret is not supported.
pub fn parse_register(value: &str) -> Result<(String, Option<String>, String, u16), &'static str> {
    let (cred, hostport) = value
        .trim()
        .rsplit_once('@')
        .ok_or("format is user[:secret]@host[:port]")?;
    let (user, secret) = match cred.split_once(':') {
        Some((u, s)) => (u, Some(s.to_string())),
        None => (cred, None),
    };
    if user.is_empty() {
        return Err("format is user[:secret]@host[:port]");
    }
    if secret.as_deref().is_some_and(|s| s.starts_with('[')) {
        return Err("RSA keys are not supported, use an MD5 secret");
    }
    let hostport = hostport.split('/').next().unwrap_or("");
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (h, port_str2int(p).ok_or("bad port")?),
        None => (hostport, DEFAULT_PORT),
    };
    if host.is_empty() {
        return Err("no host");
    }
    Ok((user.to_string(), secret, host.to_string(), port))
}

fn read_peer(sec: &Section, diags: &mut Vec<Diagnostic>) -> Option<Peer> {
    let name = sec.name.clone();
    let Some(kind) = sec.get("type") else {
        diags.push(Diagnostic::warning(
            sec.span.clone(),
            format!("section [{name}] has no type= (user, peer or friend): ignored"),
        ));
        return None;
    };
    let kind = match kind.trim().to_ascii_lowercase().as_str() {
        "user" => PeerType::User,
        "peer" => PeerType::Peer,
        "friend" => PeerType::Friend,
        _ => {
            diags.push(Diagnostic::error(
                sec.span.clone(),
                format!("invalid type '{kind}' in [{name}]: expected user, peer or friend"),
            ));
            return None;
        }
    };
    let mut p = Peer {
        name: name.clone(),
        kind,
        secret: None,
        username: None,
        host: None,
        port: DEFAULT_PORT,
        context: "default".to_string(),
        callerid: CallerId::default(),
        trunk: false,
        qualify_ms: 0,
        acl: Acl::new(),
        named_acls: AclList::default(),
        requirecalltoken: None,
        codecs: Vec::new(),
        span: sec.span.clone(),
    };
    for it in &sec.items {
        let key = it.key.to_ascii_lowercase();
        match key.as_str() {
            "type" => {}
            "secret" => p.secret = Some(it.value.clone()),
            "username" => p.username = Some(it.value.trim().to_string()),
            "host" => {
                let v = it.value.trim();
                p.host = Some(if v.eq_ignore_ascii_case("dynamic") {
                    Host::Dynamic
                } else {
                    match parse_addr_port(v) {
                        Some((ip, port)) => {
                            if let Some(port) = port {
                                p.port = port;
                            }
                            Host::Addr(ip)
                        }
                        None => Host::Name(v.to_string()),
                    }
                });
            }
            "port" => match port_str2int(&it.value) {
                Some(n) => p.port = n,
                None => diags.push(bad(it, &name, "not a port number")),
            },
            "context" => p.context = it.value.trim().to_string(),
            "callerid" => p.callerid = CallerId::parse(&it.value),
            "trunk" => {
                if let Some(b) = bool_value(it, &name, diags) {
                    p.trunk = b;
                }
            }
            "qualify" => {
                let v = it.value.trim();
                if ast_true(v) {
                    p.qualify_ms = DEFAULT_QUALIFY_MS;
                } else if ast_false(v) {
                    p.qualify_ms = 0;
                } else if let Some(n) = strict_uint(v) {
                    p.qualify_ms = n.min(u64::from(u32::MAX)) as u32;
                } else {
                    diags.push(bad(it, &name, "expected yes, no or milliseconds"));
                }
            }
            "permit" | "deny" => {
                if let Err(e) = p.acl.append(Sense::from_option_name(&key), &it.value) {
                    diags.push(bad(it, &name, &e.0));
                }
            }
            "acl" => {
                if let Err(e) = p.named_acls.add_names(&it.value) {
                    diags.push(bad(it, &name, &e));
                }
            }
            "auth" => {
                for m in it.value.split(',').map(|m| m.trim().to_ascii_lowercase()) {
                    match m.as_str() {
                        "md5" => {}
                        "plaintext" => diags.push(Diagnostic::warning(
                            it.span.clone(),
                            format!("auth=plaintext in [{name}] is refused: tandem authenticates with MD5 only"),
                        )),
                        _ => diags.push(Diagnostic::warning(
                            it.span.clone(),
                            format!("auth method '{m}' in [{name}] is not supported: MD5 is used"),
                        )),
                    }
                }
            }
            "requirecalltoken" => match it.value.trim().to_ascii_lowercase().as_str() {
                "auto" => p.requirecalltoken = Some(true),
                _ => p.requirecalltoken = bool_value(it, &name, diags),
            },
            "allow" => p.codecs.push(codec_rule(it, &name, true, diags)),
            "disallow" => p.codecs.push(codec_rule(it, &name, false, diags)),
            _ => unsupported_or_unknown(it, &name, diags),
        }
    }
    if kind.is_peer() && p.host.is_none() {
        diags.push(Diagnostic::error(
            sec.span.clone(),
            format!("peer [{name}] has no host= (an address or dynamic)"),
        ));
        return None;
    }
    Some(p)
}

#[cfg(test)]
#[path = "iax_tests.rs"]
mod tests;
