//! The recorder's frame path: received RTP goes into a [`JitterBuffer`] with its arrival
//! time and comes out in sequence (timestamp) order at the sender's 20 ms cadence, decoded to
//! 8 kHz PCM. A packet that never came becomes one frame of concealment: the codec's own PLC
//! when it has one (Opus), else silence (G.711, G.722 and linear have none, so a lost packet
//! is a frame of zeros); either way the recording keeps the sender's length. Late packets
//! (their slot already played) and duplicates are dropped by the buffer. This is the frame
//! path only: the relay never buffers (the far end's own buffer absorbs the jitter).
//!
//! Sans-IO: the caller passes `Instant`s (the async loop converts tokio's at the boundary).

use std::time::Instant;

use tandem_codec::{Codec, CodecKind, Resampler};
use tandem_rtp::jitter::JitterConfig;
use tandem_rtp::{JitterBuffer, Playout, RtpPacket};

use super::RATE;
use crate::media::transcode::rtp_clock;

/// Turns RTP payloads of one format into 8 kHz PCM.
pub struct Decoder {
    payload_type: u8,
    codec: Codec,
    resampler: Option<Resampler>,
    pcm: Vec<i16>,
    at8k: Vec<i16>,
    /// Samples (at the codec's rate) of the last decoded frame: what one concealed frame is.
    last_frame: usize,
}

impl Decoder {
    pub fn new(payload_type: u8, kind: CodecKind) -> Option<Decoder> {
        let codec = Codec::new(kind).ok()?;
        let rate = codec.sample_rate();
        let resampler = if rate == RATE {
            None
        } else {
            Some(Resampler::new(rate, RATE).ok()?)
        };
        Some(Decoder {
            payload_type,
            codec,
            resampler,
            pcm: vec![0; 8192],
            at8k: vec![0; 8192],
            last_frame: (rate / 50) as usize,
        })
    }

    /// The 8 kHz samples of one payload (empty for other payload types: digits, comfort
    /// noise).
    pub fn decode(&mut self, payload_type: u8, payload: &[u8]) -> &[i16] {
        if payload_type != self.payload_type {
            return &[];
        }
        let n = match self.codec.decode(payload, &mut self.pcm) {
            Ok(n) => n.min(self.pcm.len()),
            Err(_) => return &[],
        };
        if n > 0 {
            self.last_frame = n;
        }
        self.resample(n)
    }

    /// One lost frame: the codec's concealment (Opus decodes an empty payload as PLC), else
    /// silence (G.711 has no PLC here), as long as the last frame.
    pub fn conceal(&mut self) -> &[i16] {
        let n = self.last_frame.min(self.pcm.len());
        let concealed = match self.codec {
            Codec::Opus(_) => self
                .pcm
                .get_mut(..n)
                .and_then(|pcm| self.codec.decode(&[], pcm).ok())
                .unwrap_or(0),
            _ => 0,
        };
        if concealed == 0 {
            self.pcm.get_mut(..n).unwrap_or_default().fill(0);
        }
        self.resample(n)
    }

    fn resample(&mut self, n: usize) -> &[i16] {
        let pcm = self.pcm.get(..n).unwrap_or_default();
        match &mut self.resampler {
            None => pcm,
            Some(r) => match r.process(pcm, &mut self.at8k) {
                Ok(m) => self.at8k.get(..m.min(self.at8k.len())).unwrap_or_default(),
                Err(_) => &[],
            },
        }
    }
}

/// Jitter buffer then decoder.
pub struct FramePath {
    jitter: JitterBuffer,
    decoder: Decoder,
}

impl FramePath {
    pub fn new(payload_type: u8, kind: CodecKind) -> Option<FramePath> {
        let cfg = JitterConfig {
            clock_rate: rtp_clock(kind),
            ..JitterConfig::default()
        };
        Some(FramePath {
            jitter: JitterBuffer::new(cfg),
            decoder: Decoder::new(payload_type, kind)?,
        })
    }

    /// A datagram received at `now` (anything that is not RTP is ignored).
    pub fn push(&mut self, now: Instant, datagram: &[u8]) {
        let Ok(p) = RtpPacket::parse(datagram) else {
            return;
        };
        self.jitter.push(
            now,
            p.sequence(),
            p.timestamp(),
            p.marker(),
            p.payload_type(),
            p.payload(),
        );
    }

    /// When the next frame falls due (`None`: nothing buffered).
    pub fn next_due(&self) -> Option<Instant> {
        self.jitter.poll_timeout()
    }

    /// The next frame due at `now`, decoded or concealed, at 8 kHz; `None` when nothing is
    /// due. A due packet of another payload type (a digit, comfort noise) is `Some(&[])`.
    pub fn pop(&mut self, now: Instant) -> Option<&[i16]> {
        match self.jitter.pop(now)? {
            Playout::Frame(f) => Some(self.decoder.decode(f.payload_type, &f.payload)),
            Playout::Missing { .. } => Some(self.decoder.conceal()),
        }
    }

    /// Counters of the buffer (late, duplicates, missing...).
    pub fn stats(&self) -> tandem_rtp::jitter::JitterStats {
        self.jitter.stats()
    }
}

#[cfg(test)]
#[path = "frames_tests.rs"]
mod tests;
