//! `rtp.conf`: Asterisk's `rtp_reload` (res/res_rtp_asterisk.c), read from `[general]`.
//!
//! Asterisk behaviours kept (pinned by tests): the last value of a key wins
//! (`ast_variable_retrieve`); `rtpchecksums`, `strictrtp` (`yes`, `no`, `seqno`), `dtmftimeout`
//! (0..=64000 samples) and `probation` are read as Asterisk reads them. Where Asterisk quietly
//! repairs a value, tandem reports an error instead (the design rule: a bad value is an error):
//! - `rtpstart`/`rtpend` outside 1024..=65535 (Asterisk clamps);
//! - `rtpstart >= rtpend` (Asterisk warns and falls back to 5000-31000).
//!
//! Defaults: tandem uses 10000-20000, the range of Asterisk's sample `rtp.conf` (Asterisk's
//! compiled-in default is 5000-31000). RTP uses even ports and RTCP the odd port above; an odd
//! `rtpstart` is rounded up to the next even port, as Asterisk does when its port search wraps
//! (`(rtpstart + 1) & ~1`), see [`RtpConf::first_port`].

use crate::{Config, Diagnostic, Item, Section};

use super::util::strict_uint;
use crate::{ast_false, ast_true};

pub const DEFAULT_RTP_START: u16 = 10000;
pub const DEFAULT_RTP_END: u16 = 20000;
/// Asterisk's DEFAULT_DTMF_TIMEOUT: 150 ms in 8 kHz samples.
pub const DEFAULT_DTMF_TIMEOUT: u32 = 150 * 8;
pub const DEFAULT_PROBATION: u32 = 4;

/// `strictrtp`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrictRtp {
    /// `no`: accept media from any source.
    No,
    /// `yes` (default): learn the source, then drop packets from others.
    Yes,
    /// `seqno`: learn by sequence numbers only.
    Seqno,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RtpConf {
    pub rtpstart: u16,
    pub rtpend: u16,
    /// `rtpchecksums` (UDP checksums on RTP), default yes.
    pub checksums: bool,
    /// `dtmftimeout`, in 8 kHz samples.
    pub dtmftimeout: u32,
    pub strictrtp: StrictRtp,
    /// `probation`: packets in sequence needed to learn a new source.
    pub probation: u32,
}

impl Default for RtpConf {
    fn default() -> Self {
        RtpConf {
            rtpstart: DEFAULT_RTP_START,
            rtpend: DEFAULT_RTP_END,
            checksums: true,
            dtmftimeout: DEFAULT_DTMF_TIMEOUT,
            strictrtp: StrictRtp::Yes,
            probation: DEFAULT_PROBATION,
        }
    }
}

/// Options of Asterisk's rtp.conf that tandem does not implement (a warning each).
const UNSUPPORTED: &[&str] = &[
    "rtcpinterval",
    "icesupport",
    "stunaddr",
    "stun_blacklist",
    "stun_acl",
    "stun_deny",
    "stun_permit",
    "turnaddr",
    "turnusername",
    "turnpassword",
    "ice_blacklist",
    "ice_acl",
    "ice_deny",
    "ice_permit",
    "srtpreplayprotection",
    "dtls_mtu",
    "dtlsenable",
    "dtlsverify",
    "dtlsrekey",
    "dtlscertfile",
    "dtlsprivatekey",
    "dtlscipher",
    "dtlscafile",
    "dtlscapath",
    "dtlssetup",
    "dtlsfingerprint",
    "dtlsautogeneratecert",
    "rtpkeepalive",
];

impl RtpConf {
    /// Read `rtp.conf`. A missing `[general]` gives the defaults.
    pub fn from_config(cfg: &Config) -> (RtpConf, Vec<Diagnostic>) {
        let mut conf = RtpConf::default();
        let mut diags = Vec::new();
        let mut start_item: Option<&Item> = None;
        let mut seen_general = false;
        for sec in cfg.sections.iter().filter(|s| !s.template) {
            if sec.name != "general" || seen_general {
                diags.push(Diagnostic::warning(
                    sec.span.clone(),
                    format!(
                        "section [{}] is not supported in rtp.conf and is ignored",
                        sec.name
                    ),
                ));
                continue;
            }
            seen_general = true;
            conf.read_general(sec, &mut diags, &mut start_item);
        }
        if conf.rtpstart >= conf.rtpend {
            if let Some(item) = start_item {
                diags.push(Diagnostic::error(
                    item.span.clone(),
                    format!(
                        "rtpstart ({}) must be lower than rtpend ({})",
                        conf.rtpstart, conf.rtpend
                    ),
                ));
            }
            conf.rtpstart = DEFAULT_RTP_START;
            conf.rtpend = DEFAULT_RTP_END;
        }
        (conf, diags)
    }

    fn read_general<'a>(
        &mut self,
        sec: &'a Section,
        diags: &mut Vec<Diagnostic>,
        start_item: &mut Option<&'a Item>,
    ) {
        for item in &sec.items {
            let key = item.key.to_ascii_lowercase();
            let v = item.value.trim();
            let bad = |why: &str| {
                Diagnostic::error(
                    item.span.clone(),
                    format!(
                        "invalid value '{}' for '{}' in [general]: {why}",
                        item.value, item.key
                    ),
                )
            };
            match key.as_str() {
                "rtpstart" | "rtpend" => match strict_uint(v).and_then(|n| u16::try_from(n).ok()) {
                    Some(p) if p >= 1024 => {
                        if key == "rtpstart" {
                            self.rtpstart = p;
                        } else {
                            self.rtpend = p;
                        }
                        *start_item = Some(item);
                    }
                    _ => diags.push(bad("expected a port number from 1024 to 65535")),
                },
                "rtpchecksums" => match bool_word(v) {
                    Some(b) => self.checksums = b,
                    None => diags.push(bad("expected yes or no")),
                },
                "dtmftimeout" => match strict_uint(v) {
                    Some(n) if n <= 64000 => self.dtmftimeout = n as u32,
                    _ => diags.push(bad("expected a number of samples from 0 to 64000")),
                },
                "strictrtp" => {
                    if ast_true(v) {
                        self.strictrtp = StrictRtp::Yes;
                    } else if v.eq_ignore_ascii_case("seqno") {
                        self.strictrtp = StrictRtp::Seqno;
                    } else if ast_false(v) {
                        self.strictrtp = StrictRtp::No;
                    } else {
                        diags.push(bad("expected yes, no or seqno"));
                    }
                }
                "probation" => match strict_uint(v) {
                    Some(n) if (1..=u64::from(u32::MAX)).contains(&n) => self.probation = n as u32,
                    _ => diags.push(bad("expected a positive number of packets")),
                },
                k if UNSUPPORTED.contains(&k) => diags.push(Diagnostic::warning(
                    item.span.clone(),
                    format!("unsupported option '{}' in [general]", item.key),
                )),
                _ => diags.push(Diagnostic::warning(
                    item.span.clone(),
                    format!("unknown option '{}' in [general]", item.key),
                )),
            }
        }
    }

    /// The lowest port tandem binds for RTP: `rtpstart` rounded up to even.
    pub fn first_port(&self) -> u16 {
        self.rtpstart.saturating_add(1) & !1
    }

    /// The highest RTP port: `rtpend` rounded down to even (its RTCP port is `rtpend + 1`
    /// when `rtpend` is even, as in Asterisk, which lets the search reach `rtpend` itself).
    pub fn last_port(&self) -> u16 {
        self.rtpend & !1
    }
}

fn bool_word(v: &str) -> Option<bool> {
    if ast_true(v) {
        Some(true)
    } else if ast_false(v) {
        Some(false)
    } else {
        None
    }
}
