//! The codec set: [`CodecKind`] names a format, [`Codec`] is a coding state for one stream.

use crate::{alaw, g722, opus::Opus, ulaw, CodecError, FRAME_MS, MAX_FRAME_SAMPLES};

/// A media format tandem can carry: the coded ones and signed linear at three rates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CodecKind {
    /// G.711 mu-law, 8 kHz (RTP payload type 0).
    Pcmu,
    /// G.711 A-law, 8 kHz (RTP payload type 8).
    Pcma,
    /// G.722 at 64 kbit/s, 16 kHz audio (RTP payload type 9; its RTP clock says 8000).
    G722,
    /// Opus, 48 kHz.
    Opus,
    /// Signed linear 16-bit, 8 kHz (on the wire: L16, network byte order).
    Slin8,
    /// Signed linear 16-bit, 16 kHz.
    Slin16,
    /// Signed linear 16-bit, 48 kHz.
    Slin48,
}

impl CodecKind {
    /// Every kind, in a fixed order.
    pub const ALL: [CodecKind; 7] = [
        CodecKind::Pcmu,
        CodecKind::Pcma,
        CodecKind::G722,
        CodecKind::Opus,
        CodecKind::Slin8,
        CodecKind::Slin16,
        CodecKind::Slin48,
    ];

    /// The audio sample rate (not the RTP clock rate: G.722's is 8000, an SDP matter).
    pub fn sample_rate(self) -> u32 {
        match self {
            CodecKind::Pcmu | CodecKind::Pcma | CodecKind::Slin8 => 8000,
            CodecKind::G722 | CodecKind::Slin16 => 16000,
            CodecKind::Opus | CodecKind::Slin48 => 48000,
        }
    }

    /// PCM samples in one 20 ms frame.
    pub fn frame_samples(self) -> usize {
        (self.sample_rate() * FRAME_MS / 1000) as usize
    }

    /// True for signed linear (lossless) formats.
    pub fn is_linear(self) -> bool {
        matches!(
            self,
            CodecKind::Slin8 | CodecKind::Slin16 | CodecKind::Slin48
        )
    }

    /// The signed linear format at `rate`, if there is one.
    pub fn linear_at(rate: u32) -> Option<CodecKind> {
        match rate {
            8000 => Some(CodecKind::Slin8),
            16000 => Some(CodecKind::Slin16),
            48000 => Some(CodecKind::Slin48),
            _ => None,
        }
    }

    /// Asterisk's name for the format (`allow=` in sip.conf, `core show translation`).
    pub fn name(self) -> &'static str {
        match self {
            CodecKind::Pcmu => "ulaw",
            CodecKind::Pcma => "alaw",
            CodecKind::G722 => "g722",
            CodecKind::Opus => "opus",
            CodecKind::Slin8 => "slin",
            CodecKind::Slin16 => "slin16",
            CodecKind::Slin48 => "slin48",
        }
    }

    /// The kind with Asterisk name `name` (case-insensitive; `mulaw` and `pcmu` also name
    /// mu-law, `pcma` A-law).
    pub fn from_name(name: &str) -> Option<CodecKind> {
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "ulaw" | "mulaw" | "pcmu" => Some(CodecKind::Pcmu),
            "alaw" | "pcma" => Some(CodecKind::Pcma),
            "g722" => Some(CodecKind::G722),
            "opus" => Some(CodecKind::Opus),
            "slin" | "slin8" => Some(CodecKind::Slin8),
            "slin16" => Some(CodecKind::Slin16),
            "slin48" => Some(CodecKind::Slin48),
            _ => None,
        }
    }
}

impl std::fmt::Display for CodecKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The coding state of one stream, both directions: `encode` turns PCM at
/// [`sample_rate`](Self::sample_rate) into a payload, `decode` does the reverse. G.722 and Opus
/// keep state between frames, so give each stream its own `Codec`.
#[derive(Debug)]
pub enum Codec {
    Pcmu,
    Pcma,
    G722 {
        encoder: Box<g722::Encoder>,
        decoder: Box<g722::Decoder>,
    },
    Opus(Box<Opus>),
    /// Signed linear at the given rate; the payload is big-endian (RTP L16).
    Slin(CodecKind),
}

impl Codec {
    /// A fresh state for `kind` (G.722 on 16 kHz PCM).
    pub fn new(kind: CodecKind) -> Result<Codec, CodecError> {
        Ok(match kind {
            CodecKind::Pcmu => Codec::Pcmu,
            CodecKind::Pcma => Codec::Pcma,
            CodecKind::G722 => Codec::g722(g722::Rate::Wide),
            CodecKind::Opus => Codec::Opus(Box::new(Opus::new()?)),
            CodecKind::Slin8 | CodecKind::Slin16 | CodecKind::Slin48 => Codec::Slin(kind),
        })
    }

    /// A G.722 state on 16 kHz PCM ([`g722::Rate::Wide`]) or, as Asterisk's 8 kHz
    /// translators do, on 8 kHz PCM ([`g722::Rate::Narrow`]).
    pub fn g722(rate: g722::Rate) -> Codec {
        Codec::G722 {
            encoder: Box::new(g722::Encoder::new(rate)),
            decoder: Box::new(g722::Decoder::new(rate)),
        }
    }

    /// The format this state codes.
    pub fn kind(&self) -> CodecKind {
        match self {
            Codec::Pcmu => CodecKind::Pcmu,
            Codec::Pcma => CodecKind::Pcma,
            Codec::G722 { .. } => CodecKind::G722,
            Codec::Opus(_) => CodecKind::Opus,
            Codec::Slin(kind) => *kind,
        }
    }

    /// Rate of the PCM this state takes and gives (8000 for G.722 in its narrow mode).
    pub fn sample_rate(&self) -> u32 {
        match self {
            Codec::G722 { encoder, .. } if encoder.rate() == g722::Rate::Narrow => 8000,
            other => other.kind().sample_rate(),
        }
    }

    /// PCM samples in one 20 ms frame at [`sample_rate`](Self::sample_rate).
    pub fn frame_samples(&self) -> usize {
        (self.sample_rate() * FRAME_MS / 1000) as usize
    }

    /// Payload bytes for `samples` PCM samples, or the most a packet can take (Opus).
    pub fn max_payload_len(&self, samples: usize) -> usize {
        match self {
            Codec::Pcmu | Codec::Pcma => samples,
            Codec::G722 { encoder, .. } => samples / encoder.rate().samples_per_byte(),
            Codec::Opus(_) => crate::opus::MAX_PACKET,
            Codec::Slin(_) => samples * 2,
        }
    }

    /// Encodes `pcm` into `out`; returns the payload length. Allocates nothing.
    pub fn encode(&mut self, pcm: &[i16], out: &mut [u8]) -> Result<usize, CodecError> {
        if pcm.len() > MAX_FRAME_SAMPLES {
            return Err(CodecError::FrameTooLong {
                samples: pcm.len(),
                max: MAX_FRAME_SAMPLES,
            });
        }
        let needed = self.max_payload_len(pcm.len());
        if !matches!(self, Codec::Opus(_)) && out.len() < needed {
            return Err(CodecError::OutputTooSmall {
                needed,
                available: out.len(),
            });
        }
        Ok(match self {
            Codec::Pcmu => ulaw::encode(pcm, out),
            Codec::Pcma => alaw::encode(pcm, out),
            Codec::G722 { encoder, .. } => encoder.encode(pcm, out),
            Codec::Opus(opus) => return opus.encode(pcm, out),
            Codec::Slin(_) => {
                for (o, s) in out.chunks_exact_mut(2).zip(pcm) {
                    o.copy_from_slice(&s.to_be_bytes());
                }
                needed
            }
        })
    }

    /// Decodes `payload` into `pcm`; returns the number of samples. For Opus an empty payload
    /// conceals one lost frame. Allocates nothing.
    pub fn decode(&mut self, payload: &[u8], pcm: &mut [i16]) -> Result<usize, CodecError> {
        let needed = match self {
            Codec::Pcmu | Codec::Pcma => payload.len(),
            Codec::G722 { decoder, .. } => payload.len() * decoder.rate().samples_per_byte(),
            Codec::Opus(_) => 0,
            Codec::Slin(_) => payload.len() / 2,
        };
        if needed > MAX_FRAME_SAMPLES {
            return Err(CodecError::FrameTooLong {
                samples: needed,
                max: MAX_FRAME_SAMPLES,
            });
        }
        if pcm.len() < needed {
            return Err(CodecError::OutputTooSmall {
                needed,
                available: pcm.len(),
            });
        }
        Ok(match self {
            Codec::Pcmu => ulaw::decode(payload, pcm),
            Codec::Pcma => alaw::decode(payload, pcm),
            Codec::G722 { decoder, .. } => decoder.decode(payload, pcm),
            Codec::Opus(opus) => return opus.decode(payload, pcm),
            Codec::Slin(_) => {
                for (p, b) in pcm.iter_mut().zip(payload.chunks_exact(2)) {
                    *p = i16::from_be_bytes([b[0], b[1]]);
                }
                needed
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_sizes_are_20ms() {
        assert_eq!(CodecKind::Pcmu.frame_samples(), 160);
        assert_eq!(CodecKind::G722.frame_samples(), 320);
        assert_eq!(CodecKind::Opus.frame_samples(), 960);
        assert_eq!(Codec::g722(g722::Rate::Narrow).frame_samples(), 160);
    }

    #[test]
    fn names_are_asterisks() {
        for kind in CodecKind::ALL {
            assert_eq!(CodecKind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(CodecKind::from_name("ULAW"), Some(CodecKind::Pcmu));
        assert_eq!(CodecKind::from_name("gsm"), None);
    }

    #[test]
    fn slin_payload_is_big_endian() {
        let mut c = Codec::new(CodecKind::Slin16).unwrap();
        let mut out = [0u8; 4];
        assert_eq!(c.encode(&[0x0102, -2], &mut out), Ok(4));
        assert_eq!(out, [0x01, 0x02, 0xff, 0xfe]);
        let mut pcm = [0i16; 2];
        assert_eq!(c.decode(&out, &mut pcm), Ok(2));
        assert_eq!(pcm, [0x0102, -2]);
    }

    #[test]
    fn short_buffers_and_huge_frames_are_errors() {
        let mut c = Codec::new(CodecKind::G722).unwrap();
        let mut small = [0u8; 10];
        assert_eq!(
            c.encode(&[0; 320], &mut small),
            Err(CodecError::OutputTooSmall {
                needed: 160,
                available: 10
            })
        );
        let mut pcm = [0i16; 100];
        assert!(c.decode(&[0; 160], &mut pcm).is_err());
        let mut pcmu = Codec::new(CodecKind::Pcmu).unwrap();
        let mut big = vec![0i16; 70_000];
        assert!(matches!(
            pcmu.decode(&vec![0; 70_000], &mut big),
            Err(CodecError::FrameTooLong { .. })
        ));
    }
}
