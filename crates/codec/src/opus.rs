//! Opus (RFC 6716) through libopus, via the `opus` crate: 48 kHz mono PCM, 20 ms frames,
//! the VoIP application mode, libopus's default bit rate. The RTP clock is 48 kHz whatever
//! the audio bandwidth (RFC 7587); a stereo packet decodes down-mixed to mono.

use crate::CodecError;

/// PCM sample rate of the Opus codec here.
pub const SAMPLE_RATE: u32 = 48_000;
/// Largest Opus packet we produce (RFC 6716 allows 1275 bytes per frame).
pub const MAX_PACKET: usize = 1275;

fn err(e: opus::Error) -> CodecError {
    CodecError::Opus(e.to_string())
}

/// An Opus encoder and decoder for one stream (both directions).
pub struct Opus {
    encoder: opus::Encoder,
    decoder: opus::Decoder,
}

impl std::fmt::Debug for Opus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Opus")
    }
}

impl Opus {
    /// A fresh encoder/decoder pair.
    pub fn new() -> Result<Self, CodecError> {
        let encoder =
            opus::Encoder::new(SAMPLE_RATE, opus::Channels::Mono, opus::Application::Voip)
                .map_err(err)?;
        let decoder = opus::Decoder::new(SAMPLE_RATE, opus::Channels::Mono).map_err(err)?;
        Ok(Opus { encoder, decoder })
    }

    /// Encodes one frame (2.5, 5, 10, 20, 40 or 60 ms of 48 kHz PCM) into `out`; returns the
    /// packet length.
    pub fn encode(&mut self, pcm: &[i16], out: &mut [u8]) -> Result<usize, CodecError> {
        self.encoder.encode(pcm, out).map_err(err)
    }

    /// Decodes one packet into `pcm`; returns the number of samples. An empty `payload` means
    /// a lost packet: libopus conceals it, filling `pcm.len()` samples (give it one frame).
    pub fn decode(&mut self, payload: &[u8], pcm: &mut [i16]) -> Result<usize, CodecError> {
        self.decoder.decode(payload, pcm, false).map_err(err)
    }

    /// The version string of the libopus linked in.
    pub fn library_version() -> &'static str {
        opus::version()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_signal::{rms, tone, tone_fit};

    fn round_trip(freq: f64) -> Vec<i16> {
        let input = tone(freq, SAMPLE_RATE, 48_000, 10000.0);
        let mut codec = Opus::new().unwrap();
        let mut packet = [0u8; MAX_PACKET];
        let mut out = Vec::new();
        let mut pcm = [0i16; 960];
        for frame in input.chunks_exact(960) {
            let n = codec.encode(frame, &mut packet).unwrap();
            assert!(n > 0 && n < 400, "packet of {n} bytes");
            assert_eq!(codec.decode(&packet[..n], &mut pcm).unwrap(), 960);
            out.extend_from_slice(&pcm);
        }
        out
    }

    #[test]
    fn a_1khz_tone_keeps_its_energy_and_frequency() {
        let out = round_trip(1000.0);
        // Skip the first 100 ms (encoder look-ahead and start-up).
        let (amp, snr) = tone_fit(&out[4800..], 1000.0, SAMPLE_RATE);
        assert!((amp / 10000.0 - 1.0).abs() < 0.1, "amplitude {amp}");
        assert!(snr > 15.0, "tone to rest {snr:.1} dB");
        let (other, _) = tone_fit(&out[4800..], 1500.0, SAMPLE_RATE);
        assert!(other < 500.0, "1.5 kHz component {other}");
    }

    #[test]
    fn silence_stays_quiet() {
        let mut codec = Opus::new().unwrap();
        let mut packet = [0u8; MAX_PACKET];
        let mut pcm = [0i16; 960];
        for _ in 0..10 {
            let n = codec.encode(&[0; 960], &mut packet).unwrap();
            codec.decode(&packet[..n], &mut pcm).unwrap();
        }
        assert!(rms(&pcm) < 5.0);
    }

    #[test]
    fn a_lost_packet_is_concealed() {
        let mut codec = Opus::new().unwrap();
        let mut pcm = [0i16; 960];
        assert_eq!(codec.decode(&[], &mut pcm).unwrap(), 960);
    }

    #[test]
    fn a_bad_frame_size_is_an_error() {
        let mut codec = Opus::new().unwrap();
        let mut packet = [0u8; MAX_PACKET];
        assert!(matches!(
            codec.encode(&[0; 100], &mut packet),
            Err(CodecError::Opus(_))
        ));
    }
}
