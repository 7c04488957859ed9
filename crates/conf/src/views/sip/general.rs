//! `[general]` of sip.conf (chan_sip's `reload_config`).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use crate::{Diagnostic, Section, Span};

use super::super::acl::{Acl, Sense};
pub use super::super::autoban::Autoban;
use super::super::util::{parse_addr_port, strict_uint};
use super::bad_value;
use super::common::{boolean, codec_rule, qualify, qualifyfreq, CodecRule, Common, Transport};
use super::keys::GENERAL_UNSUPPORTED;
use super::register::Registration;
use super::tls::Tls;

pub const DEFAULT_SIP_PORT: u16 = 5060;
/// chan_sip's DEFAULT_MAXMS: what `qualify=yes` means when `[general]` sets no qualify time.
pub const DEFAULT_QUALIFY_MS: u32 = 2000;
/// A bound of ours on `register =>` lines.
pub const MAX_REGISTRATIONS: usize = 1024;

/// `session-timers` in `[general]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionTimers {
    Accept,
    Originate,
    Refuse,
}

/// chan_sip's `DEFAULT_AUTHTIMEOUT`: seconds a TCP/TLS connection has to authenticate.
pub const DEFAULT_TCP_AUTH_TIMEOUT: u32 = 30;

/// `[general]`, with chan_sip's defaults where the file says nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct General {
    /// Where `[general]` starts (None when the file has none).
    pub span: Option<Span>,
    /// `bindaddr`/`udpbindaddr` with `bindport` applied; default `0.0.0.0:5060`.
    pub bindaddr: SocketAddr,
    /// `tcpenable` (default no). chan_sip enables TCP for any value that is not a false word;
    /// tandem requires a yes/no word.
    pub tcpenable: bool,
    /// `tcpbindaddr` as written; see [`General::tcp_bind`].
    pub tcpbindaddr: Option<SocketAddr>,
    /// `tlsenable`, `tlsbindaddr`, `tlscertfile`, ... (see [`Tls`]).
    pub tls: Tls,
    /// `tcpauthtimeout` (seconds, default 30, chan_sip's `DEFAULT_AUTHTIMEOUT`): how long an
    /// accepted TCP or TLS connection may stay before it has to carry something. chan_sip
    /// closes a connection that has not *authenticated* by then; tandem closes one that has
    /// sent no complete message by then (a silent connection is closed by both at the same
    /// time; one that talks but never authenticates lasts until the 600 s idle timeout).
    pub tcpauthtimeout: u32,
    /// `context` (default `default`): where calls from peers without their own context land.
    pub context: String,
    /// `allowguest`. **tandem defaults to `no`**, unlike chan_sip (yes): an unauthenticated
    /// caller must not reach the dialplan unless the administrator asks for it (secure by
    /// default). Write `allowguest=yes` to get Asterisk's behaviour.
    pub allowguest: bool,
    /// tandem's toll-fraud guard (not chan_sip): `maxoutbound` concurrent outbound SIP calls
    /// and `maxcallsperminute` outbound calls started per minute, all peers together
    /// (0 = no limit, the default). The same options on a peer limit the calls to it.
    pub maxoutbound: u32,
    pub maxcallsperminute: u32,
    /// `alwaysauthreject` (default yes, as chan_sip since 1.8): unknown users get the same
    /// answer as a wrong password.
    pub alwaysauthreject: bool,
    /// `externaddr`/`externip`: address (and optional port) to put in SIP and SDP for peers
    /// outside `localnet`.
    pub externaddr: Option<(IpAddr, Option<u16>)>,
    /// `localnet` lines, kept as chan_sip does: deny rules (`ast_append_ha("d", ...)`); see
    /// [`General::is_local`].
    pub localnet: Acl,
    /// `contactpermit`/`contactdeny` (for every peer's REGISTER Contact) and `contactacl`
    /// (named ACLs of acl.conf); see `Peer::contact_allows`.
    pub contact_acl: Acl,
    pub contact_acls: super::super::acl_conf::AclList,
    /// `qualify` in ms as the default for peers (0 = off; `yes` = 2000).
    pub qualify_ms: u32,
    /// `qualifyfreq` in seconds (default 60).
    pub qualifyfreq: u32,
    /// `useragent` (tandem's default: `tandem`; chan_sip's: `Asterisk PBX VERSION`).
    pub useragent: String,
    /// `session-timers` (RFC 4028): `accept` (chan_sip's default), `originate`, `refuse`.
    pub session_timers: SessionTimers,
    /// `session-expires` (default 1800) and `session-minse` (default 90, at least 90).
    pub session_expires: u32,
    pub session_minse: u32,
    /// `session-refresher`: `uas` (default) or `uac`.
    pub session_refresher_uac: bool,
    /// `realm` for digest authentication (default `asterisk`, as chan_sip, so that
    /// `md5secret` values computed for Asterisk, md5(user:asterisk:secret), keep working).
    pub realm: String,
    /// `supported_algorithms_uas`: the digest algorithms tandem's registrar and inbound calls
    /// challenge with, as IANA names (`MD5`, `SHA-256`), in the order written, duplicates
    /// dropped. Default `["MD5"]`, the only one chan_sip knows.
    ///
    /// **A tandem extension of the chan_sip format**: the option and its value syntax are
    /// res_pjsip's auth option of that name (Asterisk 22+, `supported_algorithms_uas =
    /// SHA-256, MD5`: comma-separated, blanks around names and empty entries ignored,
    /// names case-insensitive, an unknown name an error). chan_sip has no such option.
    /// res_pjsip's `SHA-512-256` is an error here (tandem does not implement it). The
    /// challenges go out SHA-256 first whatever the order written (RFC 8760 section 2.4),
    /// where res_pjsip keeps the written order.
    pub auth_algorithms: Vec<String>,
    /// `minexpiry` (default 60), `maxexpiry` (3600), `defaultexpiry` (120), in seconds.
    pub minexpiry: u32,
    pub maxexpiry: u32,
    pub defaultexpiry: u32,
    /// `allow`/`disallow` lines in order; every peer's list starts with these.
    pub codecs: Vec<CodecRule>,
    /// dtmfmode, nat, insecure, directmedia, trustrpid, sendrpid: the defaults of peers.
    pub common: Common,
    /// `transport`: peers' default transports, the first being the default outbound one.
    pub transports: Vec<Transport>,
    /// Defaults of peers: `language` (""), `mohinterpret` ("default"), `mohsuggest` (""),
    /// `vmexten` ("asterisk").
    pub language: String,
    pub mohinterpret: String,
    pub mohsuggest: String,
    pub vmexten: String,
    /// Automatic bans (tandem's own options, see docs/security.md): `autoban` (default
    /// yes), `autoban_failures` (5 authentication failures) within `autoban_window` (60 s),
    /// `autoban_rate` (500 requests per second sustained for 5 s; 0 turns rate bans off),
    /// `autoban_time` (600 s, doubling for repeat offenders), `autoban_exempt` (addresses
    /// and networks never banned, kept as deny-sense rules like `localnet`), and
    /// `blockscanners` (default yes: well-known scanners get no answer and are banned).
    pub autoban: Autoban,
}

impl Default for General {
    fn default() -> Self {
        General {
            span: None,
            bindaddr: SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), DEFAULT_SIP_PORT),
            tcpenable: false,
            tcpbindaddr: None,
            tls: Tls::default(),
            tcpauthtimeout: DEFAULT_TCP_AUTH_TIMEOUT,
            context: "default".into(),
            allowguest: false,
            maxoutbound: 0,
            maxcallsperminute: 0,
            alwaysauthreject: true,
            externaddr: None,
            localnet: Acl::new(),
            contact_acl: Acl::new(),
            contact_acls: Default::default(),
            qualify_ms: 0,
            qualifyfreq: 60,
            useragent: "tandem".into(),
            session_timers: SessionTimers::Accept,
            session_expires: 1800,
            session_minse: 90,
            session_refresher_uac: false,
            realm: "asterisk".into(),
            auth_algorithms: vec!["MD5".into()],
            minexpiry: 60,
            maxexpiry: 3600,
            defaultexpiry: 120,
            codecs: Vec::new(),
            common: Common::default(),
            transports: vec![Transport::Udp],
            language: String::new(),
            mohinterpret: "default".into(),
            mohsuggest: String::new(),
            vmexten: "asterisk".into(),
            autoban: Autoban::default(),
        }
    }
}

impl General {
    /// Where TCP listens when `tcpenable` is on: `tcpbindaddr`, else `bindaddr`; port 5060
    /// when none was given (chan_sip's `sip_tcp_desc.local_address`).
    pub fn tcp_bind(&self) -> Option<SocketAddr> {
        if !self.tcpenable {
            return None;
        }
        let mut a = self.tcpbindaddr.unwrap_or(self.bindaddr);
        if a.port() == 0 {
            a.set_port(DEFAULT_SIP_PORT);
        }
        Some(a)
    }

    /// Whether `ip` is inside a `localnet` (so no `externaddr` rewriting for it).
    pub fn is_local(&self, ip: IpAddr) -> bool {
        !self.localnet.is_empty() && self.localnet.sense_for(ip) == Sense::Deny
    }
}

/// Peer options that chan_sip ignores in `[general]`.
const PEER_ONLY: &[&str] = &[
    "type",
    "host",
    "port",
    "defaultip",
    "secret",
    "md5secret",
    "remotesecret",
    "defaultuser",
    "username",
    "fromuser",
    "permit",
    "deny",
    "call-limit",
    "mailbox",
    "accountcode",
    "amaflags",
    "description",
    "fullname",
    "cid_number",
    "auth",
];

pub(crate) fn read(
    sec: Option<&Section>,
    diags: &mut Vec<Diagnostic>,
) -> (General, Vec<Registration>) {
    let mut g = General::default();
    let mut regs: Vec<Registration> = Vec::new();
    let Some(sec) = sec else {
        return (g, regs);
    };
    g.span = Some(sec.span.clone());
    let s = "general";
    let mut bindaddr: (IpAddr, Option<u16>) = (IpAddr::V4(Ipv4Addr::UNSPECIFIED), None);
    let mut bindport: Option<(u16, Span)> = None;
    let mut transports_item: Option<Span> = None;
    for item in &sec.items {
        let key = item.key.to_ascii_lowercase();
        let v = item.value.trim();
        let bad = |why: &str| bad_value(&item.span, &item.key, &item.value, s, why);
        if g.common.handle(&key, item, s, diags) || g.tls.handle(&key, item, s, diags) {
            continue;
        }
        if let Some(rule) = codec_rule(&key, item) {
            g.codecs.push(rule);
            continue;
        }
        if let Some(r) = g.autoban.read(&key, v, true) {
            if let Err(why) = r {
                diags.push(bad(&why));
            }
            continue;
        }
        match key.as_str() {
            "context" => g.context = v.to_string(),
            "tcpauthtimeout" => match strict_uint(v).and_then(|n| u32::try_from(n).ok()) {
                Some(n) if n > 0 => g.tcpauthtimeout = n,
                _ => diags.push(bad("expected a positive number of seconds")),
            },
            "maxoutbound" | "maxcallsperminute" => {
                match strict_uint(v).and_then(|n| u32::try_from(n).ok()) {
                    Some(n) if key == "maxoutbound" => g.maxoutbound = n,
                    Some(n) => g.maxcallsperminute = n,
                    None => diags.push(bad("expected a number of calls (0 = no limit)")),
                }
            }
            "allowguest" => {
                if let Some(b) = boolean(item, s, diags) {
                    g.allowguest = b;
                }
            }
            "alwaysauthreject" => {
                if let Some(b) = boolean(item, s, diags) {
                    g.alwaysauthreject = b;
                }
            }
            "realm" => g.realm = v.to_string(),
            "supported_algorithms_uas" => {
                if let Some(list) = read_auth_algorithms(item, s, diags) {
                    g.auth_algorithms = list;
                }
            }
            "useragent" => g.useragent = v.to_string(),
            "session-timers" => match v.to_ascii_lowercase().as_str() {
                "accept" => g.session_timers = SessionTimers::Accept,
                "originate" => g.session_timers = SessionTimers::Originate,
                "refuse" => g.session_timers = SessionTimers::Refuse,
                _ => diags.push(bad("expected accept, originate or refuse")),
            },
            "session-expires" => match strict_uint(v).and_then(|n| u32::try_from(n).ok()) {
                Some(n) if n >= 90 => g.session_expires = n,
                _ => diags.push(bad("expected a number of seconds of at least 90")),
            },
            "session-minse" => match strict_uint(v).and_then(|n| u32::try_from(n).ok()) {
                Some(n) if n >= 90 => g.session_minse = n,
                _ => diags.push(bad("expected a number of seconds of at least 90 (RFC 4028)")),
            },
            "session-refresher" => match v.to_ascii_lowercase().as_str() {
                "uac" => g.session_refresher_uac = true,
                "uas" => g.session_refresher_uac = false,
                _ => diags.push(bad("expected uac or uas")),
            },
            "bindaddr" | "udpbindaddr" => match parse_addr_port(v) {
                Some(a) => bindaddr = a,
                None => diags.push(bad("expected an IP address with an optional port")),
            },
            "bindport" => match strict_uint(v).and_then(|n| u16::try_from(n).ok()) {
                Some(p) if p > 0 => bindport = Some((p, item.span.clone())),
                _ => diags.push(bad("expected a port number from 1 to 65535")),
            },
            "tcpenable" => {
                if let Some(b) = boolean(item, s, diags) {
                    g.tcpenable = b;
                }
            }
            "tcpbindaddr" => match parse_addr_port(v) {
                Some((ip, port)) => g.tcpbindaddr = Some(SocketAddr::new(ip, port.unwrap_or(0))),
                None => diags.push(bad("expected an IP address with an optional port")),
            },
            "externaddr" | "externip" => match parse_addr_port(v) {
                Some(a) => g.externaddr = Some(a),
                None => diags.push(bad("expected an IP address with an optional port (host names need externhost, which tandem does not support)")),
            },
            "localnet" => {
                if let Err(e) = g.localnet.append(Sense::Deny, v) {
                    diags.push(bad(&e.0));
                }
            }
            "contactpermit" | "contactdeny" if !v.is_empty() => {
                let sense = Sense::from_option_name(&key["contact".len()..]);
                if let Err(e) = g.contact_acl.append(sense, v) {
                    diags.push(bad(&e.0));
                }
            }
            "contactacl" if !v.is_empty() => {
                if let Err(e) = g.contact_acls.add_names(v) {
                    diags.push(bad(&e));
                }
            }
            "contactpermit" | "contactdeny" | "contactacl" => {}
            "qualify" => {
                if let Some(ms) = qualify(item, s, DEFAULT_QUALIFY_MS, diags) {
                    g.qualify_ms = ms;
                }
            }
            "qualifyfreq" => {
                if let Some(f) = qualifyfreq(item, s, diags) {
                    g.qualifyfreq = f;
                }
            }
            "minexpiry" | "minexpirey" | "maxexpiry" | "maxexpirey" | "defaultexpiry" | "defaultexpirey" => {
                match strict_uint(v).and_then(|n| u32::try_from(n).ok()) {
                    Some(n) if n > 0 => match &key[..3] {
                        "min" => g.minexpiry = n,
                        "max" => g.maxexpiry = n,
                        _ => g.defaultexpiry = n,
                    },
                    _ => diags.push(bad("expected a positive number of seconds")),
                }
            }
            "transport" => {
                g.transports = read_transports(item, s, diags);
                transports_item = Some(item.span.clone());
            }
            "language" => g.language = v.to_string(),
            "mohinterpret" => g.mohinterpret = v.to_string(),
            "mohsuggest" => g.mohsuggest = v.to_string(),
            "vmexten" => g.vmexten = v.to_string(),
            "register" => {
                if regs.len() >= MAX_REGISTRATIONS {
                    diags.push(Diagnostic::error(item.span.clone(), format!("too many register lines (more than {MAX_REGISTRATIONS})")));
                    continue;
                }
                // chan_sip drops a line identical to an earlier one (sip_register finds it).
                if regs.iter().any(|r| r.config_value == item.value) {
                    diags.push(Diagnostic::warning(item.span.clone(), "duplicate register line ignored"));
                    continue;
                }
                // The expiry default is the `defaultexpiry` read so far, as in chan_sip.
                match Registration::parse(&item.value, g.defaultexpiry, &item.span) {
                    Ok((r, warns)) => {
                        diags.extend(warns);
                        regs.push(r);
                    }
                    Err(d) => diags.push(d),
                }
            }
            k if PEER_ONLY.contains(&k) => diags.push(Diagnostic::warning(
                item.span.clone(),
                format!("option '{}' is a peer option; chan_sip ignores it in [general]", item.key),
            )),
            k if GENERAL_UNSUPPORTED.contains(&k) => diags.push(Diagnostic::warning(
                item.span.clone(),
                format!("unsupported option '{}' in [general]", item.key),
            )),
            _ => diags.push(Diagnostic::warning(item.span.clone(), format!("unknown option '{}' in [general]", item.key))),
        }
    }
    let (ip, addr_port) = bindaddr;
    let port = match (bindport, addr_port) {
        (Some((p, span)), Some(_)) => {
            diags.push(Diagnostic::warning(
                span,
                format!("bindport is also specified in bindaddr. Using {p}."),
            ));
            p
        }
        (Some((p, _)), None) => p,
        (None, Some(p)) if p > 0 => p,
        _ => DEFAULT_SIP_PORT,
    };
    g.bindaddr = SocketAddr::new(ip, port);
    // chan_sip drops tcp (without tcpenable) and tls (without tlsenable) from the defaults.
    if let Some(span) = transports_item {
        if !g.tls.enabled && g.transports.contains(&Transport::Tls) {
            diags.push(Diagnostic::warning(
                span.clone(),
                "cannot use 'tls' transport with tlsenable=no; removed",
            ));
            g.transports.retain(|t| *t != Transport::Tls);
        }
        if !g.tcpenable && g.transports.contains(&Transport::Tcp) {
            diags.push(Diagnostic::warning(
                span.clone(),
                "cannot use 'tcp' transport with tcpenable=no; removed",
            ));
            g.transports.retain(|t| *t != Transport::Tcp);
        }
        if g.transports.is_empty() {
            diags.push(Diagnostic::warning(
                span,
                "no valid transports available, falling back to 'udp'",
            ));
            g.transports.push(Transport::Udp);
        }
    }
    (g, regs)
}

/// The digest algorithms tandem can challenge with, by IANA name (RFC 7616 section 6.1).
const AUTH_ALGORITHMS: &[&str] = &["MD5", "SHA-256"];
/// A bound of ours on the entries of `supported_algorithms_uas`.
const MAX_AUTH_ALGORITHM_ENTRIES: usize = 16;

/// `supported_algorithms_uas = SHA-256, MD5` (res_pjsip's
/// `ast_sip_auth_digest_algorithms_vector_init`): split on `,`, each name trimmed, empty
/// entries skipped, names matched case-insensitively and kept in their IANA spelling.
/// Any unknown name is an error and leaves the default in place (res_pjsip rejects the
/// object); a list that names nothing warns and keeps the default (MD5), as res_pjsip
/// falls back to its default when the vector stays empty.
fn read_auth_algorithms(
    item: &crate::Item,
    section: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    let mut ok = true;
    for (n, word) in item.value.split(',').enumerate() {
        if n >= MAX_AUTH_ALGORITHM_ENTRIES {
            diags.push(bad_value(
                &item.span,
                &item.key,
                &item.value,
                section,
                "too many entries",
            ));
            return None;
        }
        let word = word.trim();
        if word.is_empty() {
            continue;
        }
        match AUTH_ALGORITHMS
            .iter()
            .find(|a| a.eq_ignore_ascii_case(word))
        {
            Some(a) if out.iter().any(|o| o == a) => diags.push(Diagnostic::warning(
                item.span.clone(),
                format!(
                    "digest algorithm '{word}' listed twice in '{}'; the repeat is ignored",
                    item.key
                ),
            )),
            Some(a) => out.push((*a).to_owned()),
            None => {
                let why = if word.eq_ignore_ascii_case("SHA-512-256") {
                    "digest algorithm 'SHA-512-256' is not supported by tandem (expected MD5 or SHA-256)".to_owned()
                } else {
                    format!("unknown digest algorithm '{word}' (expected MD5 or SHA-256)")
                };
                diags.push(bad_value(&item.span, &item.key, &item.value, section, &why));
                ok = false;
            }
        }
    }
    if !ok {
        return None;
    }
    if out.is_empty() {
        diags.push(Diagnostic::warning(
            item.span.clone(),
            format!("'{}' names no digest algorithm; using MD5", item.key),
        ));
        return None;
    }
    Some(out)
}

/// `transport = udp,tcp,...`: words split on `,`, leading blanks skipped, matched by prefix.
/// WebSocket is reported (not served by tandem) and left out.
pub(crate) fn read_transports(
    item: &crate::Item,
    section: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Transport> {
    let mut out = Vec::new();
    for word in item.value.split(',') {
        let word = word.trim_start();
        match Transport::from_prefix(word) {
            Some(t @ (Transport::Udp | Transport::Tcp | Transport::Tls)) => {
                if !out.contains(&t) {
                    out.push(t);
                }
            }
            Some(_) => diags.push(Diagnostic::warning(
                item.span.clone(),
                format!("transport '{word}' (WebSocket) in [{section}] is not supported; ignored"),
            )),
            None => diags.push(bad_value(
                &item.span,
                &item.key,
                &item.value,
                section,
                &format!("'{word}' is not a transport (expected udp, tcp, tls, ws or wss)"),
            )),
        }
    }
    out
}
