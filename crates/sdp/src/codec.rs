//! Codecs tandem knows, and the RTP payload type tables (RFC 3551).

/// A static payload type of RFC 3551 tables 4 and 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaticPayload {
    pub payload_type: u8,
    pub encoding: &'static str,
    /// The RTP clock rate. G.722 says 8000 although it samples at 16 kHz (RFC 3551 4.5.2).
    pub clock_rate: u32,
    pub channels: u8,
}

const fn sp(
    payload_type: u8,
    encoding: &'static str,
    clock_rate: u32,
    channels: u8,
) -> StaticPayload {
    StaticPayload {
        payload_type,
        encoding,
        clock_rate,
        channels,
    }
}

/// RFC 3551 static payload types (audio and video).
pub const STATIC_PAYLOAD_TYPES: &[StaticPayload] = &[
    sp(0, "PCMU", 8000, 1),
    sp(3, "GSM", 8000, 1),
    sp(4, "G723", 8000, 1),
    sp(5, "DVI4", 8000, 1),
    sp(6, "DVI4", 16000, 1),
    sp(7, "LPC", 8000, 1),
    sp(8, "PCMA", 8000, 1),
    sp(9, "G722", 8000, 1),
    sp(10, "L16", 44100, 2),
    sp(11, "L16", 44100, 1),
    sp(12, "QCELP", 8000, 1),
    sp(13, "CN", 8000, 1),
    sp(14, "MPA", 90000, 1),
    sp(15, "G728", 8000, 1),
    sp(16, "DVI4", 11025, 1),
    sp(17, "DVI4", 22050, 1),
    sp(18, "G729", 8000, 1),
    sp(25, "CelB", 90000, 1),
    sp(26, "JPEG", 90000, 1),
    sp(28, "nv", 90000, 1),
    sp(31, "H261", 90000, 1),
    sp(32, "MPV", 90000, 1),
    sp(33, "MP2T", 90000, 1),
    sp(34, "H263", 90000, 1),
];

/// A codec as tandem handles it. Equality ignores the case of `Other` names.
#[derive(Debug, Clone, Eq)]
pub enum Codec {
    /// G.711 mu-law, `PCMU/8000`, static 0 (Asterisk `ulaw`).
    Pcmu,
    /// G.711 A-law, `PCMA/8000`, static 8 (Asterisk `alaw`).
    Pcma,
    /// G.722, `G722/8000` on the wire (RFC 3551 clock quirk), static 9.
    G722,
    /// Opus, `opus/48000/2`, dynamic (Asterisk uses 107).
    Opus,
    /// RFC 4733 events, `telephone-event/8000`, dynamic (Asterisk uses 101).
    TelephoneEvent,
    /// Anything else, by encoding name (as sent) and RTP clock rate.
    Other { name: String, rate: u32 },
}

impl PartialEq for Codec {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Codec::Other { name: a, rate: ra }, Codec::Other { name: b, rate: rb }) => {
                ra == rb && a.eq_ignore_ascii_case(b)
            }
            (a, b) => std::mem::discriminant(a) == std::mem::discriminant(b),
        }
    }
}

impl Codec {
    /// The codec of an `rtpmap` encoding name and clock rate (case-insensitive).
    pub fn from_rtpmap(encoding: &str, clock_rate: u32) -> Codec {
        let e = encoding.trim();
        let is = |n: &str| e.eq_ignore_ascii_case(n);
        match clock_rate {
            8000 if is("PCMU") => Codec::Pcmu,
            8000 if is("PCMA") => Codec::Pcma,
            // Some phones write the real sampling rate; accept it as G.722 too.
            8000 | 16000 if is("G722") => Codec::G722,
            48000 if is("opus") => Codec::Opus,
            8000 if is("telephone-event") => Codec::TelephoneEvent,
            _ => Codec::Other {
                name: e.to_string(),
                rate: clock_rate,
            },
        }
    }

    /// The codec of a static payload type, when no `rtpmap` says otherwise.
    pub fn from_static(pt: u8) -> Option<Codec> {
        STATIC_PAYLOAD_TYPES
            .iter()
            .find(|s| s.payload_type == pt)
            .map(|s| Codec::from_rtpmap(s.encoding, s.clock_rate))
    }

    /// Encoding name for `a=rtpmap`.
    pub fn encoding_name(&self) -> &str {
        match self {
            Codec::Pcmu => "PCMU",
            Codec::Pcma => "PCMA",
            Codec::G722 => "G722",
            Codec::Opus => "opus",
            Codec::TelephoneEvent => "telephone-event",
            Codec::Other { name, .. } => name,
        }
    }

    /// RTP clock rate (G.722: 8000).
    pub fn clock_rate(&self) -> u32 {
        match self {
            Codec::Pcmu | Codec::Pcma | Codec::G722 | Codec::TelephoneEvent => 8000,
            Codec::Opus => 48000,
            Codec::Other { rate, .. } => *rate,
        }
    }

    /// Channel count for `a=rtpmap` (`Some(2)` for Opus, which RFC 7587 requires).
    pub fn channels(&self) -> Option<u8> {
        match self {
            Codec::Opus => Some(2),
            _ => None,
        }
    }

    /// The RFC 3551 static payload type, if the codec has one.
    pub fn static_payload_type(&self) -> Option<u8> {
        STATIC_PAYLOAD_TYPES
            .iter()
            .find(|s| Codec::from_rtpmap(s.encoding, s.clock_rate) == *self)
            .map(|s| s.payload_type)
    }

    /// The payload type tandem offers: static, else the number Asterisk uses for it
    /// (rtp_engine.c: opus 107, telephone-event 101), else `None` (the caller picks one).
    pub fn default_payload_type(&self) -> Option<u8> {
        self.static_payload_type().or(match self {
            Codec::Opus => Some(107),
            Codec::TelephoneEvent => Some(101),
            _ => None,
        })
    }

    /// Asterisk's format name (`ulaw`, `alaw`, `g722`, `opus`, ...), where there is one.
    pub fn asterisk_name(&self) -> Option<&'static str> {
        crate::allow::ASTERISK_FORMATS
            .iter()
            .find(|f| f.codec().as_ref() == Some(self))
            .map(|f| f.name)
    }

    /// `fmtp` parameters tandem offers with the codec (as chan_sip does).
    pub fn default_fmtp(&self) -> Option<&'static str> {
        match self {
            Codec::TelephoneEvent => Some("0-16"),
            Codec::Opus => Some("useinbandfec=1"),
            Codec::Other { name, rate: 8000 } if name.eq_ignore_ascii_case("G729") => {
                Some("annexb=no")
            }
            _ => None,
        }
    }

    /// Default packetisation in ms.
    pub fn default_ptime(&self) -> u32 {
        match self {
            Codec::Other { name, .. } if name.eq_ignore_ascii_case("G723") => 30,
            _ => 20,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_static_payload_types() {
        assert_eq!(Codec::from_static(0), Some(Codec::Pcmu));
        assert_eq!(Codec::from_static(8), Some(Codec::Pcma));
        assert_eq!(Codec::from_static(9), Some(Codec::G722));
        assert_eq!(
            Codec::from_static(3),
            Some(Codec::Other {
                name: "GSM".into(),
                rate: 8000
            })
        );
        assert_eq!(
            Codec::from_static(18),
            Some(Codec::Other {
                name: "g729".into(),
                rate: 8000
            })
        );
        assert_eq!(Codec::from_static(101), None);
        assert_eq!(Codec::from_static(2), None);
    }

    #[test]
    fn g722_keeps_the_8000_clock_on_the_wire() {
        assert_eq!(Codec::G722.clock_rate(), 8000);
        assert_eq!(Codec::G722.static_payload_type(), Some(9));
        assert_eq!(Codec::from_rtpmap("G722", 16000), Codec::G722);
    }

    #[test]
    fn dynamic_codecs_by_rtpmap_name_in_any_case() {
        assert_eq!(Codec::from_rtpmap("OPUS", 48000), Codec::Opus);
        assert_eq!(
            Codec::from_rtpmap("Telephone-Event", 8000),
            Codec::TelephoneEvent
        );
        assert_eq!(Codec::from_rtpmap("pcmu", 8000), Codec::Pcmu);
        assert_eq!(
            Codec::from_rtpmap("telephone-event", 48000),
            Codec::Other {
                name: "telephone-event".into(),
                rate: 48000
            }
        );
        assert_eq!(Codec::Opus.default_payload_type(), Some(107));
        assert_eq!(Codec::TelephoneEvent.default_payload_type(), Some(101));
        assert_eq!(Codec::Opus.channels(), Some(2));
    }
}
