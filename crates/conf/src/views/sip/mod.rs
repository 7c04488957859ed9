//! `sip.conf` in chan_sip's format: `[general]`, `register =>` lines, `[authentication]` and
//! one section per peer/user/friend (templates already expanded by the parser and skipped).
//!
//! Checked against chan_sip (`reload_config`, `build_peer`, `handle_common_options`,
//! `set_peer_defaults`, channels/sip/config_parser.c). Where tandem differs from Asterisk on
//! purpose, the field says so. Every option is either typed here, or reported: a known chan_sip
//! option that tandem does not implement is a warning `unsupported option 'X' in [S]`, a key
//! chan_sip does not know either is a warning `unknown option 'X' in [S]`, and a known key with
//! a bad value is an error; all carry the `file:line` of the item.

mod callerid;
mod common;
mod general;
mod keys;
mod peer;
mod register;
mod tls;

use crate::{Config, Diagnostic, Span};

pub use callerid::{shrink_phone_number, CallerId};
pub use common::{CodecOp, CodecRule, DirectMedia, DtmfMode, Insecure, Nat, SendRpid, Transport};
pub use general::{Autoban, General, SessionTimers};
pub use peer::{AmaFlags, Host, Peer, PeerType};
pub use register::{RealmAuth, Registration};
pub use tls::{Tls, DEFAULT_TLS_PORT};

/// Codecs a peer has before any `allow`/`disallow` (`sip_set_default_format_capabilities`).
pub const DEFAULT_CODECS: &[&str] = &["ulaw", "alaw", "gsm", "h263"];

/// The typed `sip.conf`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SipConf {
    pub general: General,
    /// `register =>` lines of `[general]`, in order, duplicates dropped.
    pub registrations: Vec<Registration>,
    /// `auth =` lines of `[authentication]`: credentials for outbound authentication by realm.
    pub auths: Vec<RealmAuth>,
    /// Peers, users and friends in file order.
    pub peers: Vec<Peer>,
}

impl SipConf {
    /// Read a loaded `sip.conf`. The result holds everything that could be read; the
    /// diagnostics say what was wrong or ignored.
    pub fn from_config(cfg: &Config) -> (SipConf, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let mut general_sec = None;
        for sec in cfg.sections.iter().filter(|s| !s.template) {
            if sec.name == "general" && general_sec.is_none() {
                general_sec = Some(sec);
            } else if sec.name.eq_ignore_ascii_case("general") {
                diags.push(Diagnostic::warning(
                    sec.span.clone(),
                    format!(
                        "section [{}] is ignored: chan_sip reads only the first [general]",
                        sec.name
                    ),
                ));
            }
        }
        let (general, registrations) = general::read(general_sec, &mut diags);
        let mut auths = Vec::new();
        let mut peers: Vec<Peer> = Vec::new();
        let mut peer_secs: Vec<Vec<&crate::Section>> = Vec::new();
        for sec in cfg.sections.iter().filter(|s| !s.template) {
            if sec.name.eq_ignore_ascii_case("general") {
                continue;
            }
            if sec.name.eq_ignore_ascii_case("authentication") {
                register::read_authentication(sec, &mut auths, &mut diags);
                continue;
            }
            match peer_secs.iter_mut().find(|v| {
                v.first()
                    .is_some_and(|f| f.name.eq_ignore_ascii_case(&sec.name))
            }) {
                Some(v) => {
                    let first = v.first().map(|f| f.span.to_string()).unwrap_or_default();
                    diags.push(Diagnostic::warning(
                        sec.span.clone(),
                        format!("[{}] is defined again (first at {first}); chan_sip merges the two sections", sec.name),
                    ));
                    v.push(sec);
                }
                None => peer_secs.push(vec![sec]),
            }
        }
        for secs in &peer_secs {
            if let Some(p) = peer::read(secs, &general, &mut diags) {
                peers.push(p);
            }
        }
        (
            SipConf {
                general,
                registrations,
                auths,
                peers,
            },
            diags,
        )
    }

    /// The peer named `name` (case-insensitive, as chan_sip's peer table).
    pub fn peer(&self, name: &str) -> Option<&Peer> {
        self.peers
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }
}

/// Message helpers shared by the readers.
pub(crate) fn bad_value(
    span: &Span,
    key: &str,
    value: &str,
    section: &str,
    why: &str,
) -> Diagnostic {
    Diagnostic::error(
        span.clone(),
        format!("invalid value '{value}' for '{key}' in [{section}]: {why}"),
    )
}
