//! Inband DTMF on a leg: the caller's audio decoded to 8 kHz and fed to the Goertzel detector
//! (`dtmfmode=inband`, or `auto` without telephone-event), and digits sent as tones through
//! the leg's generator slot (the relay holds back while they play).

use tandem_codec::{g722, Codec, CodecKind};
use tandem_rtp::dtmf::{InbandDetector, InbandEvent, ToneGenerator};

use crate::media::generator::{Source, FRAME};

/// Samples one packet may decode to (60 ms at 8 kHz with room to spare).
const MAX_PCM: usize = 1920;

/// The receive side: a decoder for the leg's codec and the detector, made once per leg.
pub struct InbandRx {
    detector: InbandDetector,
    decoder: Option<Codec>,
    pcm: Box<[i16; MAX_PCM]>,
}

impl InbandRx {
    pub fn new(relax: bool) -> Self {
        InbandRx {
            detector: InbandDetector::new(relax),
            decoder: None,
            pcm: Box::new([0; MAX_PCM]),
        }
    }

    /// Decode one audio payload in `codec` and report digits that end into `out`. Codecs
    /// not at 8 kHz (other than G.722, decoded in Asterisk's 8 kHz mode) are not inspected.
    /// Allocates nothing once the decoder exists.
    pub fn feed(&mut self, codec: CodecKind, payload: &[u8], out: &mut Vec<char>) {
        if self.decoder.as_ref().map(Codec::kind) != Some(codec) {
            self.decoder = match codec {
                CodecKind::Pcmu | CodecKind::Pcma | CodecKind::Slin8 => Codec::new(codec).ok(),
                CodecKind::G722 => Some(Codec::g722(g722::Rate::Narrow)),
                _ => None,
            };
        }
        let Some(decoder) = self.decoder.as_mut() else {
            return;
        };
        let Ok(n) = decoder.decode(payload, &mut self.pcm[..]) else {
            return;
        };
        self.detector.process(self.pcm.get(..n).unwrap_or_default());
        while let Some(ev) = self.detector.poll_event() {
            if let InbandEvent::End { digit, .. } = ev {
                out.push(digit);
            }
        }
    }
}

/// Asterisk's default length of an emulated digit (`AST_DEFAULT_EMULATE_DTMF_DURATION`).
pub const DEFAULT_TONE_MS: u32 = 100;

/// Digits as tones, one after the other with a gap, as a generator source.
pub struct DigitTones {
    tones: std::collections::VecDeque<ToneGenerator>,
}

impl DigitTones {
    /// `digits` of `tone_ms` each, `gap_ms` of silence after each; other characters skipped.
    pub fn new(digits: &str, tone_ms: u32, gap_ms: u32) -> Self {
        DigitTones {
            tones: digits
                .chars()
                .filter_map(|d| ToneGenerator::new(d, tone_ms, gap_ms))
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.tones.is_empty()
    }
}

impl Source for DigitTones {
    fn fill(&mut self, frame: &mut [i16; FRAME]) -> bool {
        let mut at = 0;
        while at < FRAME {
            let Some(t) = self.tones.front_mut() else {
                break;
            };
            at += t.fill(&mut frame[at..]);
            if t.is_done() {
                self.tones.pop_front();
            }
        }
        frame[at..].fill(0);
        at > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pcmu_tones(digits: &str) -> Vec<Vec<u8>> {
        let mut src = DigitTones::new(digits, 100, 100);
        let mut frames = Vec::new();
        let mut frame = [0i16; FRAME];
        while src.fill(&mut frame) {
            let mut out = vec![0u8; FRAME];
            tandem_codec::ulaw::encode(&frame, &mut out);
            frames.push(out);
        }
        frames
    }

    #[test]
    fn tones_sent_as_pcmu_are_detected_back() {
        let mut rx = InbandRx::new(false);
        let mut out = Vec::new();
        for f in pcmu_tones("159#") {
            rx.feed(CodecKind::Pcmu, &f, &mut out);
        }
        assert_eq!(out, vec!['1', '5', '9', '#']);
    }

    #[test]
    fn four_digits_with_gaps_are_forty_frames() {
        // 100 ms tone + 100 ms gap = 10 frames each.
        assert_eq!(pcmu_tones("1234").len(), 40);
        assert!(DigitTones::new("xyz", 100, 100).is_empty());
    }

    #[test]
    fn opus_is_not_inspected() {
        let mut rx = InbandRx::new(false);
        let mut out = Vec::new();
        rx.feed(CodecKind::Opus, &[1, 2, 3], &mut out);
        assert!(out.is_empty());
    }
}
