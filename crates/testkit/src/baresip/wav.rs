//! Test audio without extra tools: write 16-bit PCM WAV files (tones, silence), read them back,
//! and measure what a phone recorded (RMS level, length, whether a tone is there and how long).
//!
//! Only what the end-to-end tests need: mono or multi-channel 16-bit little-endian PCM
//! (`WAVE_FORMAT_PCM`, or `WAVE_FORMAT_EXTENSIBLE` carrying PCM, which libsndfile may write).

use std::f64::consts::PI;
use std::path::Path;

/// The sample rate of narrowband telephony (G.711).
pub const RATE_8K: u32 = 8000;

/// Largest WAV the reader accepts (an hour of 8 kHz mono is 57.6 MB).
const MAX_WAV_BYTES: u64 = 64 * 1024 * 1024;

/// `secs` seconds of a `freq` Hz sine at `rate` Hz, peak `amplitude` (full scale is 32767).
pub fn sine(rate: u32, freq: f64, secs: f64, amplitude: i16) -> Vec<i16> {
    let n = (f64::from(rate) * secs).round().max(0.0) as usize;
    let amp = f64::from(amplitude);
    (0..n)
        .map(|i| (amp * (2.0 * PI * freq * i as f64 / f64::from(rate)).sin()).round() as i16)
        .collect()
}

/// `secs` seconds of digital silence at `rate` Hz.
pub fn silence(rate: u32, secs: f64) -> Vec<i16> {
    vec![0; (f64::from(rate) * secs).round().max(0.0) as usize]
}

/// The bytes of a mono 16-bit PCM WAV file holding `samples` at `rate` Hz.
pub fn wav_bytes(rate: u32, samples: &[i16]) -> Vec<u8> {
    let data_len = (samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + samples.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVE");
    out.extend_from_slice(b"fmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes()); // byte rate
    out.extend_from_slice(&2u16.to_le_bytes()); // block align
    out.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

/// Write `samples` (mono, `rate` Hz) to `path` as a WAV file.
pub fn write_wav(path: &Path, rate: u32, samples: &[i16]) {
    std::fs::write(path, wav_bytes(rate, samples))
        .unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// Write an 8 kHz mono WAV of `secs` seconds of a 1 kHz tone (peak 8000, about -12 dBFS).
pub fn write_tone_wav(path: &Path, secs: f64) {
    write_wav(path, RATE_8K, &sine(RATE_8K, 1000.0, secs, 8000));
}

/// A decoded WAV file; `samples` holds the first channel only.
#[derive(Debug, Clone, PartialEq)]
pub struct Wav {
    pub rate: u32,
    pub channels: u16,
    pub samples: Vec<i16>,
}

impl Wav {
    /// Length in seconds.
    pub fn duration(&self) -> f64 {
        if self.rate == 0 {
            return 0.0;
        }
        self.samples.len() as f64 / f64::from(self.rate)
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
        *b.get(at + 2)?,
        *b.get(at + 3)?,
    ]))
}

/// Parse WAV bytes. A `data` chunk whose size is 0 or runs past the end (a file still being
/// written) is taken to reach the end of the bytes.
pub fn parse_wav(bytes: &[u8]) -> Result<Wav, String> {
    if bytes.get(0..4) != Some(b"RIFF") || bytes.get(8..12) != Some(b"WAVE") {
        return Err("not a RIFF/WAVE file".into());
    }
    let mut at = 12usize;
    let mut fmt: Option<(u16, u16, u32, u16)> = None;
    // Bounded: each step moves forward by at least 8 bytes.
    while at + 8 <= bytes.len() {
        let id = bytes.get(at..at + 4).ok_or("truncated chunk header")?;
        let size = u32_at(bytes, at + 4).ok_or("truncated chunk size")? as usize;
        let body = at + 8;
        if id == b"fmt " {
            let format = u16_at(bytes, body).ok_or("truncated fmt")?;
            let channels = u16_at(bytes, body + 2).ok_or("truncated fmt")?;
            let rate = u32_at(bytes, body + 4).ok_or("truncated fmt")?;
            let bits = u16_at(bytes, body + 14).ok_or("truncated fmt")?;
            fmt = Some((format, channels, rate, bits));
        } else if id == b"data" {
            let (format, channels, rate, bits) = fmt.ok_or("data chunk before fmt")?;
            // 1: PCM; 0xFFFE: WAVE_FORMAT_EXTENSIBLE (PCM is what sndfile writes for 16-bit).
            if format != 1 && format != 0xFFFE {
                return Err(format!("WAV format {format:#x} is not PCM"));
            }
            if bits != 16 || channels == 0 {
                return Err(format!(
                    "{bits}-bit, {channels} channels: only 16-bit PCM is read"
                ));
            }
            let end = if size == 0 || body.saturating_add(size) > bytes.len() {
                bytes.len()
            } else {
                body + size
            };
            let data = bytes.get(body..end).ok_or("data chunk out of range")?;
            let frame = 2 * usize::from(channels);
            let samples = data
                .chunks_exact(frame)
                .map(|f| i16::from_le_bytes([f[0], f[1]]))
                .collect();
            return Ok(Wav {
                rate,
                channels,
                samples,
            });
        }
        at = body.saturating_add(size).saturating_add(size % 2);
    }
    Err("no data chunk".into())
}

/// Read and parse the WAV file at `path`.
pub fn read_wav(path: &Path) -> Result<Wav, String> {
    let len = std::fs::metadata(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .len();
    if len > MAX_WAV_BYTES {
        return Err(format!("{}: {len} bytes is too large", path.display()));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_wav(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// Root mean square of `samples` (0 for none).
pub fn rms(samples: &[i16]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let sum: f64 = samples.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    (sum / samples.len() as f64).sqrt()
}

/// Power of `freq` in `samples` (Goertzel), normalised by the block length so that blocks of
/// different lengths compare.
pub fn goertzel(samples: &[i16], rate: u32, freq: f64) -> f64 {
    if samples.is_empty() || rate == 0 {
        return 0.0;
    }
    let coeff = 2.0 * (2.0 * PI * freq / f64::from(rate)).cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &x in samples {
        let s0 = f64::from(x) + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    let power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    power / (samples.len() as f64 * samples.len() as f64)
}

/// The candidate frequency with the most Goertzel power in `samples`.
pub fn dominant_frequency(samples: &[i16], rate: u32, candidates: &[f64]) -> Option<f64> {
    candidates
        .iter()
        .map(|&f| (f, goertzel(samples, rate, f)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(f, _)| f)
}

/// Frequency estimated from zero crossings (good for a clean single tone).
pub fn zero_crossing_frequency(samples: &[i16], rate: u32) -> f64 {
    if samples.len() < 2 || rate == 0 {
        return 0.0;
    }
    let crossings = samples
        .windows(2)
        .filter(|w| (w[0] < 0) != (w[1] < 0))
        .count();
    crossings as f64 / 2.0 / (samples.len() as f64 / f64::from(rate))
}

/// Whether `block` carries `freq`: loud enough (RMS above `min_rms`) and `freq` stronger than
/// its neighbours at -/+ 300 Hz and at half and double (so noise and other tones do not pass).
pub fn has_tone(block: &[i16], rate: u32, freq: f64, min_rms: f64) -> bool {
    if rms(block) < min_rms {
        return false;
    }
    let target = goertzel(block, rate, freq);
    [freq - 300.0, freq + 300.0, freq / 2.0, freq * 2.0]
        .iter()
        .filter(|&&f| f > 0.0 && f < f64::from(rate) / 2.0)
        .all(|&f| target > 10.0 * goertzel(block, rate, f))
}

/// Seconds of `samples` that carry `freq` (counted in 20 ms blocks, see [`has_tone`]).
pub fn tone_seconds(samples: &[i16], rate: u32, freq: f64, min_rms: f64) -> f64 {
    let block = (rate / 50).max(1) as usize;
    let blocks = samples
        .chunks_exact(block)
        .filter(|b| has_tone(b, rate, freq, min_rms))
        .count();
    blocks as f64 * block as f64 / f64::from(rate.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_tone_reads_back_with_its_rate_length_and_samples() {
        let tone = sine(RATE_8K, 1000.0, 0.5, 8000);
        let wav = parse_wav(&wav_bytes(RATE_8K, &tone)).expect("parse");
        assert_eq!(wav.rate, 8000);
        assert_eq!(wav.channels, 1);
        assert_eq!(wav.samples, tone);
        assert!((wav.duration() - 0.5).abs() < 1e-9);
    }

    #[test]
    fn the_header_is_the_canonical_44_bytes() {
        let bytes = wav_bytes(RATE_8K, &silence(RATE_8K, 1.0));
        assert_eq!(bytes.len(), 44 + 16000);
        assert_eq!(&bytes[0..4], b"RIFF");
        assert_eq!(u32_at(&bytes, 4), Some(36 + 16000));
        assert_eq!(u32_at(&bytes, 40), Some(16000));
    }

    #[test]
    fn a_data_chunk_still_being_written_reaches_the_end_of_the_file() {
        let mut bytes = wav_bytes(RATE_8K, &sine(RATE_8K, 1000.0, 0.1, 1000));
        bytes[40..44].copy_from_slice(&0u32.to_le_bytes());
        assert_eq!(parse_wav(&bytes).expect("parse").samples.len(), 800);
        bytes[40..44].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(parse_wav(&bytes).expect("parse").samples.len(), 800);
    }

    #[test]
    fn unknown_chunks_are_skipped_and_garbage_is_an_error() {
        let plain = wav_bytes(RATE_8K, &[1, 2, 3]);
        let mut with_list = plain[..12].to_vec();
        with_list.extend_from_slice(b"LIST\x03\x00\x00\x00abc\x00");
        with_list.extend_from_slice(&plain[12..]);
        assert_eq!(parse_wav(&with_list).expect("parse").samples, vec![1, 2, 3]);
        assert!(parse_wav(b"RIFF").is_err());
        assert!(parse_wav(&plain[..30]).is_err());
        assert!(parse_wav(b"not a wav file at all, really").is_err());
    }

    #[test]
    fn rms_of_a_sine_is_its_peak_over_root_two() {
        let r = rms(&sine(RATE_8K, 1000.0, 1.0, 8000));
        assert!((r - 8000.0 / 2f64.sqrt()).abs() < 5.0, "{r}");
        assert_eq!(rms(&silence(RATE_8K, 1.0)), 0.0);
        assert_eq!(rms(&[]), 0.0);
    }

    #[test]
    fn the_dominant_frequency_of_a_1khz_tone_is_1khz() {
        let tone = sine(RATE_8K, 1000.0, 0.2, 8000);
        assert_eq!(
            dominant_frequency(&tone, RATE_8K, &[400.0, 700.0, 1000.0, 1300.0, 2000.0]),
            Some(1000.0)
        );
        let zc = zero_crossing_frequency(&tone, RATE_8K);
        assert!((zc - 1000.0).abs() < 20.0, "{zc}");
    }

    #[test]
    fn tone_seconds_counts_only_the_tone_not_silence_or_another_tone() {
        let mut s = silence(RATE_8K, 1.0);
        s.extend(sine(RATE_8K, 1000.0, 2.0, 8000));
        s.extend(sine(RATE_8K, 400.0, 1.0, 8000));
        let secs = tone_seconds(&s, RATE_8K, 1000.0, 500.0);
        assert!((secs - 2.0).abs() < 0.05, "{secs}");
        assert_eq!(
            tone_seconds(&silence(RATE_8K, 1.0), RATE_8K, 1000.0, 500.0),
            0.0
        );
    }
}
