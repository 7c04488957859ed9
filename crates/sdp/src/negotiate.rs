//! Offer/answer (RFC 3264) for one audio stream over plain RTP.
//!
//! tandem relays audio only: the first audio `RTP/AVP` (or `RTP/AVPF`) stream with a non-zero
//! port is negotiated; every other stream (video, T.38 `image`, a second audio) is answered
//! with port 0, as RFC 3264 section 6 asks and as chan_sip does. `RTP/SAVP` (SRTP with SDES
//! keys, RFC 4568) is taken only when [`MediaConfig::srtp`] is set; with `required` a stream
//! without usable `a=crypto` is refused ([`NegotiationError::EncryptionRequired`]).

use std::net::{IpAddr, SocketAddr};

use crate::attr::{Direction, Rtpmap};
use crate::codec::Codec;
use crate::crypto::{Crypto, SrtpKeys, SrtpPolicy};
use crate::model::{Attribute, Connection, MediaDescription, Origin, SessionDescription};

/// Whose order decides the codec when both sides have several in common.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CodecOrder {
    /// Our `allow` order (chan_sip's behaviour: the joint set follows our preferences).
    #[default]
    Ours,
    /// The order of the offer's format list.
    Theirs,
}

/// What the local side wants for its media.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaConfig {
    /// Address put in `c=` and `o=`.
    pub address: IpAddr,
    pub rtp_port: u16,
    /// Audio codecs in preference order (`CodecPrefs::audio_codecs`).
    pub codecs: Vec<Codec>,
    /// RFC 4733 events: the payload type to offer (`Some(101)` as Asterisk), `None` to neither
    /// offer nor accept them (dtmfmode=inband/info).
    pub telephone_event: Option<u8>,
    /// `a=ptime` to send, if any.
    pub ptime: Option<u32>,
    /// `sendrecv` normally; `sendonly` to put the other side on hold; `inactive`.
    pub direction: Direction,
    pub session_id: u64,
    pub session_version: u64,
    /// `o=` user name.
    pub username: String,
    /// `s=` text.
    pub session_name: String,
    pub codec_order: CodecOrder,
    /// Answer with the single most preferred common codec only (`preferred_codec_only=yes`).
    pub single_codec: bool,
    /// SRTP with SDES: our key and whether encryption is required (`encryption=yes`).
    pub srtp: Option<SrtpPolicy>,
}

impl MediaConfig {
    pub fn new(address: IpAddr, rtp_port: u16, codecs: Vec<Codec>) -> Self {
        MediaConfig {
            address,
            rtp_port,
            codecs,
            telephone_event: Some(101),
            ptime: None,
            direction: Direction::SendRecv,
            session_id: 0,
            session_version: 0,
            username: "tandem".into(),
            session_name: "tandem".into(),
            codec_order: CodecOrder::Ours,
            single_codec: false,
            srtp: None,
        }
    }
}

/// The result of a negotiation, for the RTP side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    /// Where to send RTP: the address as written (may be a host name) and the port.
    pub remote_host: String,
    pub remote_port: u16,
    /// The same as a socket address when the host is an IP literal.
    pub remote_rtp: Option<SocketAddr>,
    /// `a=rtcp` port of the remote side, if given.
    pub remote_rtcp_port: Option<u16>,
    pub codec: Codec,
    pub payload_type: u8,
    /// Every common codec with its payload type, best first (the remote may switch among them).
    pub joint: Vec<(u8, Codec)>,
    /// Payload type of `telephone-event`, when both sides do RFC 4733.
    pub telephone_event: Option<u8>,
    /// Our direction: may we send, may we receive.
    pub direction: Direction,
    /// The remote side put the call on hold (`sendonly`, `inactive`, or `c=0.0.0.0`).
    pub remote_hold: bool,
    /// Packetisation for what we send, in ms.
    pub ptime: u32,
    /// SRTP keys both ways when the stream is encrypted.
    pub srtp: Option<SrtpKeys>,
}

/// Why no media could be agreed. For an offer received, the caller answers 488.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NegotiationError {
    #[error("no common codec")]
    NoCommonCodec,
    #[error("no acceptable audio stream")]
    NoAcceptableMedia,
    #[error("audio stream has no connection address")]
    MissingConnection,
    #[error("the answer rejected the audio stream")]
    Rejected,
    #[error("the answer does not match the offer")]
    AnswerMismatch,
    /// Encryption is required (or the stream is RTP/SAVP) and no usable `a=crypto` came.
    #[error("encryption required: no usable a=crypto")]
    EncryptionRequired,
}

fn is_audio_rtp(m: &MediaDescription) -> bool {
    m.media.eq_ignore_ascii_case("audio")
        && (m.protocol.eq_ignore_ascii_case("RTP/AVP")
            || m.protocol.eq_ignore_ascii_case("RTP/AVPF")
            || is_secure(m))
}

/// `RTP/SAVP` or `RTP/SAVPF`: SRTP.
fn is_secure(m: &MediaDescription) -> bool {
    m.protocol.eq_ignore_ascii_case("RTP/SAVP") || m.protocol.eq_ignore_ascii_case("RTP/SAVPF")
}

/// The first `a=crypto` of `m` that tandem can use.
fn usable_crypto(m: &MediaDescription) -> Option<Crypto> {
    m.attribute_values("crypto")
        .take(16)
        .filter_map(Crypto::parse)
        .find(Crypto::usable)
}

/// The codec a payload type stands for in `m`: its `rtpmap`, else the static table.
fn codec_of(m: &MediaDescription, pt: u8) -> Option<Codec> {
    match m.rtpmap(pt) {
        Some(r) => Some(Codec::from_rtpmap(&r.encoding, r.clock_rate)),
        None if pt < 96 => Codec::from_static(pt),
        None => None,
    }
}

/// `telephone-event` payload types of `m` with their clock rate, in format order.
fn telephone_events(m: &MediaDescription) -> Vec<(u8, u32)> {
    m.payload_types()
        .filter_map(|pt| m.rtpmap(pt))
        .filter(|r| r.encoding.eq_ignore_ascii_case("telephone-event"))
        .map(|r| (r.payload_type, r.clock_rate))
        .collect()
}

/// The event payload type to use with `codec`: same clock rate, else 8000.
fn pick_event(events: &[(u8, u32)], codec: &Codec) -> Option<(u8, u32)> {
    events
        .iter()
        .find(|(_, rate)| *rate == codec.clock_rate())
        .or_else(|| events.iter().find(|(_, rate)| *rate == 8000))
        .copied()
}

fn base_session(local: &MediaConfig) -> SessionDescription {
    let c = Connection::for_ip(local.address);
    SessionDescription {
        version: 0,
        origin: Origin {
            username: if local.username.trim().is_empty() {
                "-".into()
            } else {
                local.username.clone()
            },
            session_id: local.session_id.to_string(),
            session_version: local.session_version.to_string(),
            net_type: c.net_type.clone(),
            addr_type: c.addr_type.clone(),
            address: c.address.clone(),
        },
        session_name: local.session_name.clone(),
        info: None,
        uri: None,
        emails: Vec::new(),
        phones: Vec::new(),
        connection: Some(c),
        bandwidths: Vec::new(),
        times: vec!["0 0".into()],
        attributes: Vec::new(),
        other: Vec::new(),
        media: Vec::new(),
    }
}

fn push_codec(m: &mut MediaDescription, pt: u8, codec: &Codec, fmtp: Option<String>) {
    m.formats.push(pt.to_string());
    let map = Rtpmap {
        payload_type: pt,
        encoding: codec.encoding_name().to_string(),
        clock_rate: codec.clock_rate(),
        channels: codec.channels(),
    };
    m.attributes.push(Attribute::new("rtpmap", map.value()));
    if let Some(f) = fmtp.or_else(|| codec.default_fmtp().map(str::to_string)) {
        m.attributes
            .push(Attribute::new("fmtp", format!("{pt} {f}")));
    }
}

/// Our offer: one audio stream with our codecs in preference order, then telephone-event.
pub fn make_offer(local: &MediaConfig) -> SessionDescription {
    let mut sdp = base_session(local);
    let proto = if local.srtp.is_some() {
        "RTP/SAVP"
    } else {
        "RTP/AVP"
    };
    let mut m = MediaDescription::new("audio", local.rtp_port, proto);
    let mut used: Vec<u8> = local.telephone_event.into_iter().collect();
    let mut seen: Vec<&Codec> = Vec::new();
    let mut next_dynamic = 96u8;
    for codec in local.codecs.iter().filter(|c| **c != Codec::TelephoneEvent) {
        if seen.contains(&codec) || seen.len() >= 32 {
            continue;
        }
        let pt = match codec.default_payload_type().filter(|pt| !used.contains(pt)) {
            Some(pt) => pt,
            None => {
                while used.contains(&next_dynamic) && next_dynamic < 127 {
                    next_dynamic += 1;
                }
                if used.contains(&next_dynamic) {
                    continue;
                }
                next_dynamic
            }
        };
        used.push(pt);
        seen.push(codec);
        push_codec(&mut m, pt, codec, None);
    }
    if let Some(pt) = local.telephone_event {
        push_codec(&mut m, pt, &Codec::TelephoneEvent, None);
    }
    if let Some(p) = local.ptime {
        m.attributes.push(Attribute::new("ptime", p.to_string()));
    }
    m.attributes.push(Attribute::flag(local.direction.as_str()));
    if let Some(p) = &local.srtp {
        for (tag, suite) in (1u32..).zip(crate::crypto::SUITES) {
            let c = Crypto {
                tag,
                suite: suite.into(),
                key_salt: p.key.clone(),
                params: Vec::new(),
            };
            m.attributes.push(Attribute::new("crypto", c.value()));
        }
    }
    sdp.media.push(m);
    sdp
}

/// A stream we do not take: same media and protocol, port 0, the offered formats.
fn rejected(m: &MediaDescription) -> MediaDescription {
    let mut r = MediaDescription::new(&m.media, 0, &m.protocol);
    r.formats = m.formats.clone();
    if r.formats.is_empty() {
        r.formats.push("0".into());
    }
    r
}

/// Answer an offer (RFC 3264 section 6). On error the caller answers 488 Not Acceptable Here.
pub fn answer(
    offer: &SessionDescription,
    local: &MediaConfig,
) -> Result<(SessionDescription, Negotiated), NegotiationError> {
    let mut sdp = base_session(local);
    let mut chosen: Option<Negotiated> = None;
    let mut error = NegotiationError::NoAcceptableMedia;
    for (i, m) in offer.media.iter().enumerate() {
        if chosen.is_none()
            && m.port != 0
            && is_audio_rtp(m)
            && (local.srtp.is_some() || !is_secure(m))
        {
            match answer_audio(offer, i, m, local) {
                Ok((answer_m, negotiated)) => {
                    sdp.media.push(answer_m);
                    chosen = Some(negotiated);
                    continue;
                }
                Err(e) => error = e,
            }
        }
        sdp.media.push(rejected(m));
    }
    let negotiated = chosen.ok_or(error)?;
    Ok((sdp, negotiated))
}

fn answer_audio(
    offer: &SessionDescription,
    index: usize,
    m: &MediaDescription,
    local: &MediaConfig,
) -> Result<(MediaDescription, Negotiated), NegotiationError> {
    let conn = offer
        .media_connection(index)
        .ok_or(NegotiationError::MissingConnection)?;
    let mut offered: Vec<(u8, Codec)> = Vec::new();
    for pt in m.payload_types() {
        if offered.iter().any(|(p, _)| *p == pt) {
            continue;
        }
        if let Some(c) = codec_of(m, pt).filter(|c| *c != Codec::TelephoneEvent) {
            offered.push((pt, c));
        }
    }
    let wanted = |c: &Codec| *c != Codec::TelephoneEvent && local.codecs.contains(c);
    let mut joint: Vec<(u8, Codec)> = match local.codec_order {
        CodecOrder::Ours => local
            .codecs
            .iter()
            .filter(|c| wanted(c))
            .filter_map(|c| offered.iter().find(|(_, oc)| oc == c).cloned())
            .collect(),
        CodecOrder::Theirs => offered.iter().filter(|(_, c)| wanted(c)).cloned().collect(),
    };
    let mut seen_pts: Vec<u8> = Vec::new();
    joint.retain(|(pt, _)| {
        let fresh = !seen_pts.contains(pt);
        seen_pts.push(*pt);
        fresh
    });
    if local.single_codec {
        joint.truncate(1);
    }
    let (payload_type, codec) = joint
        .first()
        .cloned()
        .ok_or(NegotiationError::NoCommonCodec)?;

    let event = match local.telephone_event {
        Some(_) => pick_event(&telephone_events(m), &codec),
        None => None,
    };

    let crypto = match &local.srtp {
        Some(policy) => match usable_crypto(m) {
            Some(c) => Some((c, policy)),
            None if policy.required || is_secure(m) => {
                return Err(NegotiationError::EncryptionRequired)
            }
            None => None,
        },
        None => None,
    };

    let mut a = MediaDescription::new(&m.media, local.rtp_port, &m.protocol);
    for (pt, c) in &joint {
        push_codec(&mut a, *pt, c, m.fmtp(*pt).map(|f| f.params));
    }
    if let Some((pt, rate)) = event {
        let ev = Codec::from_rtpmap("telephone-event", rate);
        let ev = if rate == 8000 {
            Codec::TelephoneEvent
        } else {
            ev
        };
        let params = m
            .fmtp(pt)
            .map(|f| f.params)
            .unwrap_or_else(|| "0-16".into());
        push_codec(&mut a, pt, &ev, Some(params));
    }
    if let Some(p) = local.ptime {
        a.attributes.push(Attribute::new("ptime", p.to_string()));
    }
    let offered_dir = offer.media_direction(index);
    let direction = offered_dir.reverse().intersect(local.direction);
    a.attributes.push(Attribute::flag(direction.as_str()));
    let srtp = crypto.map(|(c, policy)| {
        let ours = Crypto {
            tag: c.tag,
            suite: c.suite.clone(),
            key_salt: policy.key.clone(),
            params: Vec::new(),
        };
        a.attributes.push(Attribute::new("crypto", ours.value()));
        SrtpKeys {
            suite: c.suite,
            local_key: policy.key.clone(),
            remote_key: c.key_salt,
        }
    });

    let host = conn.address.split('/').next().unwrap_or("").to_string();
    let negotiated = Negotiated {
        remote_rtp: conn.ip().map(|ip| SocketAddr::new(ip, m.port)),
        remote_host: host,
        remote_port: m.port,
        remote_rtcp_port: m.rtcp_port(),
        codec: codec.clone(),
        payload_type,
        joint,
        telephone_event: event.map(|(pt, _)| pt),
        direction,
        remote_hold: conn.is_unspecified() || !offered_dir.receives(),
        ptime: m.ptime().or(local.ptime).unwrap_or(codec.default_ptime()),
        srtp,
    };
    Ok((a, negotiated))
}

/// Read the answer to an offer we made (RFC 3264 section 7).
pub fn process_answer(
    offer: &SessionDescription,
    answer: &SessionDescription,
) -> Result<Negotiated, NegotiationError> {
    let index = offer
        .media
        .iter()
        .position(|m| m.port != 0 && is_audio_rtp(m))
        .ok_or(NegotiationError::NoAcceptableMedia)?;
    let ours = offer
        .media
        .get(index)
        .ok_or(NegotiationError::NoAcceptableMedia)?;
    let theirs = answer
        .media
        .get(index)
        .ok_or(NegotiationError::AnswerMismatch)?;
    if !theirs.media.eq_ignore_ascii_case(&ours.media) {
        return Err(NegotiationError::AnswerMismatch);
    }
    if theirs.port == 0 {
        return Err(NegotiationError::Rejected);
    }
    let conn = answer
        .media_connection(index)
        .ok_or(NegotiationError::MissingConnection)?;
    let our_codecs: Vec<Codec> = ours
        .payload_types()
        .filter_map(|pt| codec_of(ours, pt))
        .collect();
    let mut joint: Vec<(u8, Codec)> = Vec::new();
    for pt in theirs.payload_types() {
        // An answerer should reuse our numbers; if it left out an rtpmap, ours applies.
        let codec = codec_of(theirs, pt).or_else(|| codec_of(ours, pt));
        if let Some(c) = codec.filter(|c| *c != Codec::TelephoneEvent && our_codecs.contains(c)) {
            if !joint.iter().any(|(p, _)| *p == pt) {
                joint.push((pt, c));
            }
        }
    }
    let (payload_type, codec) = joint
        .first()
        .cloned()
        .ok_or(NegotiationError::NoCommonCodec)?;
    let event = if telephone_events(ours).is_empty() {
        None
    } else {
        pick_event(&telephone_events(theirs), &codec).map(|(pt, _)| pt)
    };
    let srtp = answer_crypto(ours, theirs)?;
    let our_dir = offer.media_direction(index);
    let their_dir = answer.media_direction(index);
    let direction = their_dir.reverse().intersect(our_dir);
    let host = conn.address.split('/').next().unwrap_or("").to_string();
    Ok(Negotiated {
        remote_rtp: conn.ip().map(|ip| SocketAddr::new(ip, theirs.port)),
        remote_host: host,
        remote_port: theirs.port,
        remote_rtcp_port: theirs.rtcp_port(),
        codec: codec.clone(),
        payload_type,
        joint,
        telephone_event: event,
        direction,
        remote_hold: conn.is_unspecified() || (!their_dir.receives() && our_dir.sends()),
        ptime: theirs
            .ptime()
            .or(ours.ptime())
            .unwrap_or(codec.default_ptime()),
        srtp,
    })
}

/// The SRTP keys of an answer to our offer: the answer's `a=crypto` names one of our tags with
/// the same suite. An offer of ours with crypto is `RTP/SAVP`: no usable answer is an error.
fn answer_crypto(
    ours: &MediaDescription,
    theirs: &MediaDescription,
) -> Result<Option<SrtpKeys>, NegotiationError> {
    let offered: Vec<Crypto> = ours
        .attribute_values("crypto")
        .filter_map(Crypto::parse)
        .collect();
    if offered.is_empty() {
        return Ok(None);
    }
    let chosen = theirs
        .attribute_values("crypto")
        .take(16)
        .filter_map(Crypto::parse)
        .filter(Crypto::usable)
        .find_map(|c| {
            offered
                .iter()
                .find(|o| o.tag == c.tag && o.suite == c.suite)
                .map(|o| SrtpKeys {
                    suite: c.suite.clone(),
                    local_key: o.key_salt.clone(),
                    remote_key: c.key_salt.clone(),
                })
        });
    match chosen {
        Some(k) => Ok(Some(k)),
        None if is_secure(ours) => Err(NegotiationError::EncryptionRequired),
        None => Ok(None),
    }
}

/// chan_sip's check before it looks at a remote SDP again (`ignoresdpversion=no`): a new SDP is
/// processed only when it is the first, comes from another session (`o=` user, id or address
/// differ), or has a higher version; an equal (or lower) version means "unchanged".
pub fn sdp_version_changed(previous: Option<&Origin>, new: &Origin) -> bool {
    let Some(prev) = previous else { return true };
    if prev.username != new.username
        || prev.session_id != new.session_id
        || prev.address != new.address
    {
        return true;
    }
    match (prev.version_number(), new.version_number()) {
        (Some(a), Some(b)) => b > a,
        _ => prev.session_version != new.session_version,
    }
}

/// Our side of one dialog's SDP: keeps `o=` id and version across offers and answers. The
/// version starts equal to the id (as chan_sip does) and goes up by one each time what we send
/// differs from what we sent last (RFC 3264 section 8): hold, unhold, a new port or codec.
/// Sending the same SDP again (a session-timer refresh) keeps the version.
#[derive(Debug, Clone)]
pub struct SdpSession {
    session_id: u64,
    version: u64,
    last: Option<SessionDescription>,
}

impl SdpSession {
    pub fn new(session_id: u64) -> Self {
        SdpSession {
            session_id,
            version: session_id,
            last: None,
        }
    }

    pub fn session_id(&self) -> u64 {
        self.session_id
    }

    /// The version of the last SDP sent.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// An offer (initial or re-INVITE) from `local`, stamped with our id and version.
    pub fn offer(&mut self, local: &MediaConfig) -> SessionDescription {
        let mut sdp = make_offer(local);
        self.stamp(&mut sdp);
        sdp
    }

    /// An answer to `offer` from `local`, stamped with our id and version.
    pub fn answer(
        &mut self,
        offer: &SessionDescription,
        local: &MediaConfig,
    ) -> Result<(SessionDescription, Negotiated), NegotiationError> {
        let (mut sdp, n) = answer(offer, local)?;
        self.stamp(&mut sdp);
        Ok((sdp, n))
    }

    fn stamp(&mut self, sdp: &mut SessionDescription) {
        sdp.origin.session_id = self.session_id.to_string();
        if let Some(last) = &self.last {
            sdp.origin.session_version = last.origin.session_version.clone();
            if sdp != last {
                self.version = self.version.wrapping_add(1);
            }
        }
        sdp.origin.session_version = self.version.to_string();
        self.last = Some(sdp.clone());
    }
}
