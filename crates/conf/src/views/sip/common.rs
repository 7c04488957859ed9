//! Options that both `[general]` and peers take (chan_sip's `handle_common_options`, plus
//! `allow`/`disallow`, `qualify`, `qualifyfreq` and `transport`). In `[general]` they are the
//! defaults every peer starts from (`set_peer_defaults` copies the global flags).

use crate::{ast_false, ast_true, Diagnostic, Item, Span};

use super::bad_value;

/// One `allow =` or `disallow =` line, kept raw and in order: the effective codec list of a
/// peer is [`super::DEFAULT_CODECS`], then `[general]`'s rules, then the peer's own (chan_sip
/// starts each peer from the global capabilities). The SDP crate applies them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodecRule {
    pub op: CodecOp,
    /// The value as written, e.g. `all`, `ulaw,alaw`, `g729`.
    pub value: String,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodecOp {
    Allow,
    Disallow,
}

/// `dtmfmode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DtmfMode {
    /// RFC 2833 / RFC 4733 telephone-events (chan_sip's default).
    #[default]
    Rfc2833,
    Info,
    ShortInfo,
    Inband,
    Auto,
}

/// `nat`: the four chan_sip flags, as `sip_parse_nat_option` sets them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Nat {
    /// Answer to the source port (RFC 3581 `rport`), always.
    pub force_rport: bool,
    /// Send media to where media comes from (symmetric RTP).
    pub comedia: bool,
    /// force_rport only when the peer is seen behind NAT.
    pub auto_force_rport: bool,
    /// comedia only when the peer is seen behind NAT.
    pub auto_comedia: bool,
}

impl Default for Nat {
    /// chan_sip's default since Asterisk 12: `nat=auto_force_rport`.
    fn default() -> Self {
        Nat {
            force_rport: false,
            comedia: false,
            auto_force_rport: true,
            auto_comedia: false,
        }
    }
}

impl Nat {
    pub const NO: Nat = Nat {
        force_rport: false,
        comedia: false,
        auto_force_rport: false,
        auto_comedia: false,
    };

    /// `sip_parse_nat_option`: words separated by `,`, from all flags clear. A false word
    /// (`no`) clears everything and stops; `yes` means `force_rport,comedia` and stops;
    /// `force_rport`/`comedia` are ignored after their `auto_` form, which clears them.
    /// Returns the flags and the unknown words (chan_sip ignores them).
    pub fn parse(value: &str) -> (Nat, Vec<String>, bool) {
        let mut n = Nat::NO;
        let mut unknown = Vec::new();
        let mut deprecated_yes = false;
        for word in value.split(',') {
            if ast_false(word) {
                n = Nat::NO;
                break;
            } else if word.eq_ignore_ascii_case("yes") {
                n = Nat {
                    force_rport: true,
                    comedia: true,
                    auto_force_rport: false,
                    auto_comedia: false,
                };
                deprecated_yes = true;
                break;
            } else if word.eq_ignore_ascii_case("force_rport") {
                if !n.auto_force_rport {
                    n.force_rport = true;
                }
            } else if word.eq_ignore_ascii_case("comedia") {
                if !n.auto_comedia {
                    n.comedia = true;
                }
            } else if word.eq_ignore_ascii_case("auto_force_rport") {
                n.auto_force_rport = true;
                n.force_rport = false;
            } else if word.eq_ignore_ascii_case("auto_comedia") {
                n.auto_comedia = true;
                n.comedia = false;
            } else {
                unknown.push(word.to_string());
            }
        }
        (n, unknown, deprecated_yes)
    }
}

/// `insecure`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Insecure {
    /// `port`: match a `host=` peer by address only, any source port.
    pub port: bool,
    /// `invite`: do not challenge INVITEs from this peer.
    pub invite: bool,
}

/// `sendrpid`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SendRpid {
    #[default]
    No,
    /// `yes` or `rpid`: Remote-Party-ID.
    Rpid,
    /// `pai`: P-Asserted-Identity.
    Pai,
}

/// `directmedia` / `canreinvite`. tandem always relays media: only `No` is implemented.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DirectMedia {
    #[default]
    No,
    /// Any other setting; reported as a warning and treated as `No`.
    Requested,
}

/// A SIP transport (`transport =`, `register => tcp://...`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    Udp,
    Tcp,
    /// SIP over TLS (`tlsenable=yes` in `[general]`).
    Tls,
    Ws,
    Wss,
}

impl Transport {
    /// chan_sip compares the first 3 letters (2 for `ws`), case-insensitively.
    pub fn from_prefix(word: &str) -> Option<Transport> {
        let w = word.as_bytes();
        let pre = |p: &str| w.len() >= p.len() && w[..p.len()].eq_ignore_ascii_case(p.as_bytes());
        if pre("udp") {
            Some(Transport::Udp)
        } else if pre("wss") {
            Some(Transport::Wss)
        } else if pre("ws") {
            Some(Transport::Ws)
        } else if pre("tcp") {
            Some(Transport::Tcp)
        } else if pre("tls") {
            Some(Transport::Tls)
        } else {
            None
        }
    }
}

/// The settings shared by `[general]` and peers. A peer starts from `[general]`'s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Common {
    pub dtmfmode: DtmfMode,
    pub nat: Nat,
    pub insecure: Insecure,
    pub directmedia: DirectMedia,
    pub trustrpid: bool,
    pub sendrpid: SendRpid,
    /// `encryption` (default no): media is SRTP with SDES keys (RFC 4568); a call without
    /// usable crypto is refused (488) and offers to this peer are RTP/SAVP.
    pub encryption: bool,
}

impl Default for Common {
    fn default() -> Self {
        Common {
            dtmfmode: DtmfMode::Rfc2833,
            nat: Nat::default(),
            insecure: Insecure::default(),
            directmedia: DirectMedia::No,
            trustrpid: false,
            sendrpid: SendRpid::No,
            encryption: false,
        }
    }
}

/// A boolean written with `ast_true`/`ast_false` words; an error otherwise.
pub(crate) fn boolean(item: &Item, section: &str, diags: &mut Vec<Diagnostic>) -> Option<bool> {
    let v = item.value.trim();
    if ast_true(v) {
        Some(true)
    } else if ast_false(v) {
        Some(false)
    } else {
        diags.push(bad_value(
            &item.span,
            &item.key,
            &item.value,
            section,
            "expected yes or no",
        ));
        None
    }
}

impl Common {
    /// Handle `item` if it is one of the common options; `false` if it is not.
    pub(crate) fn handle(
        &mut self,
        key: &str,
        item: &Item,
        section: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> bool {
        let v = item.value.trim();
        let bad = |why: &str| bad_value(&item.span, &item.key, &item.value, section, why);
        match key {
            "encryption" => {
                if let Some(b) = boolean(item, section, diags) {
                    self.encryption = b;
                }
            }
            "dtmfmode" => {
                let mode = match v.to_ascii_lowercase().as_str() {
                    "rfc2833" => Some(DtmfMode::Rfc2833),
                    "info" => Some(DtmfMode::Info),
                    "shortinfo" => Some(DtmfMode::ShortInfo),
                    "inband" => Some(DtmfMode::Inband),
                    "auto" => Some(DtmfMode::Auto),
                    _ => None,
                };
                match mode {
                    Some(m) => self.dtmfmode = m,
                    None => diags.push(bad("expected rfc2833, info, shortinfo, inband or auto")),
                }
            }
            "nat" => {
                let (nat, unknown, yes) = Nat::parse(v);
                if !unknown.is_empty() {
                    diags.push(bad(&format!(
                        "unknown nat mode '{}' (expected no, force_rport, comedia, auto_force_rport, auto_comedia)",
                        unknown.join(",")
                    )));
                } else {
                    if yes {
                        diags.push(Diagnostic::warning(
                            item.span.clone(),
                            "nat=yes is deprecated, use nat=force_rport,comedia instead",
                        ));
                    }
                    self.nat = nat;
                }
            }
            "directmedia" | "canreinvite" => {
                if ast_false(v) {
                    self.directmedia = DirectMedia::No;
                } else {
                    let known = ast_true(v)
                        || v.split(',').all(|w| {
                            ["update", "nonat", "outgoing"]
                                .iter()
                                .any(|k| w.eq_ignore_ascii_case(k))
                        });
                    if known {
                        diags.push(Diagnostic::warning(
                            item.span.clone(),
                            format!(
                                "{}={} is not supported: tandem relays all media (directmedia=no)",
                                item.key, item.value
                            ),
                        ));
                        self.directmedia = DirectMedia::Requested;
                    } else {
                        diags.push(bad("expected no, yes, nonat, update or outgoing"));
                    }
                }
            }
            "insecure" => {
                let mut ins = Insecure::default();
                if !v.is_empty() && !ast_false(v) {
                    for word in v.split(',') {
                        if word.eq_ignore_ascii_case("port") {
                            ins.port = true;
                        } else if word.eq_ignore_ascii_case("invite") {
                            ins.invite = true;
                        } else if word.eq_ignore_ascii_case("very") {
                            diags
                                .push(bad("'very' was removed in Asterisk 1.6; write port,invite"));
                            return true;
                        } else {
                            diags.push(bad(&format!(
                                "unknown insecure mode '{word}' (expected port, invite or no)"
                            )));
                            return true;
                        }
                    }
                }
                self.insecure = ins;
            }
            "trustrpid" => {
                if let Some(b) = boolean(item, section, diags) {
                    self.trustrpid = b;
                }
            }
            "sendrpid" => {
                if v.eq_ignore_ascii_case("pai") {
                    self.sendrpid = SendRpid::Pai;
                } else if v.eq_ignore_ascii_case("rpid") || ast_true(v) {
                    self.sendrpid = SendRpid::Rpid;
                } else if ast_false(v) {
                    self.sendrpid = SendRpid::No;
                } else {
                    diags.push(bad("expected no, yes, rpid or pai"));
                }
            }
            _ => return false,
        }
        true
    }
}

/// `qualify = yes | no | MS`. `yes` means `yes_ms` (chan_sip: the general default, else 2000).
pub(crate) fn qualify(
    item: &Item,
    section: &str,
    yes_ms: u32,
    diags: &mut Vec<Diagnostic>,
) -> Option<u32> {
    let v = item.value.trim();
    if v.eq_ignore_ascii_case("no") {
        Some(0)
    } else if v.eq_ignore_ascii_case("yes") {
        Some(yes_ms)
    } else if let Some(n) = super::super::util::strict_uint(v).and_then(|n| u32::try_from(n).ok()) {
        Some(n)
    } else {
        diags.push(bad_value(
            &item.span,
            &item.key,
            &item.value,
            section,
            "expected yes, no or a number of milliseconds",
        ));
        None
    }
}

/// `qualifyfreq = SECONDS` (a positive integer).
pub(crate) fn qualifyfreq(item: &Item, section: &str, diags: &mut Vec<Diagnostic>) -> Option<u32> {
    match super::super::util::strict_uint(item.value.trim()).and_then(|n| u32::try_from(n).ok()) {
        Some(n) if n > 0 => Some(n),
        _ => {
            diags.push(bad_value(
                &item.span,
                &item.key,
                &item.value,
                section,
                "expected a positive number of seconds",
            ));
            None
        }
    }
}

/// `allow`/`disallow`: kept raw.
pub(crate) fn codec_rule(key: &str, item: &Item) -> Option<CodecRule> {
    let op = match key {
        "allow" => CodecOp::Allow,
        "disallow" => CodecOp::Disallow,
        _ => return None,
    };
    Some(CodecRule {
        op,
        value: item.value.trim().to_string(),
        span: item.span.clone(),
    })
}
