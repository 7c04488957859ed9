//! SDP for a SIP leg: the peer's codecs from sip.conf and the offer/answer settings.

use std::net::IpAddr;

use tandem_conf::views::sip::{CodecOp, DtmfMode, Peer};
use tandem_conf::views::SipConf;
use tandem_sdp::{Codec, CodecPrefs, MediaConfig};

/// The audio codecs a peer may use, in preference order: chan_sip's defaults, then
/// `[general]`'s and the peer's `allow`/`disallow` lines in order.
pub fn peer_codecs(conf: &SipConf, peer: Option<&Peer>) -> Vec<Codec> {
    let mut prefs = CodecPrefs::chan_sip_default();
    let rules: Vec<(&str, &str)> = match peer {
        Some(p) => p.codec_rules(&conf.general).map(rule).collect(),
        None => conf.general.codecs.iter().map(rule).collect(),
    };
    for w in prefs.apply_lines(rules) {
        tracing::debug!("codecs: {w:?}");
    }
    prefs.audio_codecs()
}

fn rule(r: &tandem_conf::views::sip::CodecRule) -> (&'static str, &str) {
    let key = match r.op {
        CodecOp::Allow => "allow",
        CodecOp::Disallow => "disallow",
    };
    (key, r.value.as_str())
}

/// Offer/answer settings for `leg` (its RTP port at `address`, its SRTP policy).
pub fn media_config(
    address: IpAddr,
    leg: &crate::media::MediaLeg,
    codecs: Vec<Codec>,
    dtmf: DtmfMode,
    session_id: u64,
) -> MediaConfig {
    let mut cfg = MediaConfig::new(address, leg.local.port(), codecs);
    cfg.srtp = leg.srtp_policy();
    cfg.telephone_event = match dtmf {
        DtmfMode::Rfc2833 | DtmfMode::Auto => Some(101),
        _ => None,
    };
    cfg.session_id = session_id;
    cfg.session_version = session_id;
    cfg
}

/// Put `first` (the caller's format, by Asterisk name) at the head of `codecs`, so a dialled
/// leg agrees on what the caller talks and the bridge can relay packets unchanged.
pub fn prefer(codecs: &mut Vec<Codec>, first: Option<&str>) {
    let Some(name) = first else { return };
    if let Some(i) = codecs.iter().position(|c| {
        c.asterisk_name()
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    }) {
        let c = codecs.remove(i);
        codecs.insert(0, c);
    }
}
