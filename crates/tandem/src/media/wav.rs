//! Sound files as PCM: RIFF WAV (16-bit PCM at 8, 16 or 48 kHz, mono or stereo mixed down;
//! also WAV with mu-law/A-law samples) and Asterisk's raw formats (`.ulaw`, `.alaw`: 8 kHz
//! G.711 bytes; `.g722`: G.722 at 64 kbit/s, 16 kHz audio).

use tandem_codec::{alaw, ulaw, Codec, CodecKind};

/// Largest sound file read (about an hour of 8 kHz 16-bit audio).
pub const MAX_FILE_BYTES: usize = 64 << 20;

/// Decoded audio.
#[derive(Debug, Clone, PartialEq)]
pub struct Pcm {
    pub rate: u32,
    pub samples: Vec<i16>,
}

impl Pcm {
    /// Length in seconds.
    pub fn seconds(&self) -> f64 {
        self.samples.len() as f64 / f64::from(self.rate.max(1))
    }
}

/// The raw file formats, by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Wav,
    Ulaw,
    Alaw,
    G722,
}

impl FileFormat {
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Wav => "wav",
            FileFormat::Ulaw => "ulaw",
            FileFormat::Alaw => "alaw",
            FileFormat::G722 => "g722",
        }
    }
}

/// Decode a file's bytes.
pub fn decode(format: FileFormat, bytes: &[u8]) -> Result<Pcm, String> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(format!(
            "file of {} bytes is larger than {MAX_FILE_BYTES}",
            bytes.len()
        ));
    }
    match format {
        FileFormat::Wav => parse_wav(bytes),
        FileFormat::Ulaw => Ok(Pcm {
            rate: 8000,
            samples: bytes.iter().map(|&b| ulaw::decode_sample(b)).collect(),
        }),
        FileFormat::Alaw => Ok(Pcm {
            rate: 8000,
            samples: bytes.iter().map(|&b| alaw::decode_sample(b)).collect(),
        }),
        FileFormat::G722 => {
            let mut codec = Codec::new(CodecKind::G722).map_err(|e| e.to_string())?;
            let mut samples = Vec::with_capacity(bytes.len() * 2);
            let mut frame = [0i16; 320];
            for chunk in bytes.chunks(160) {
                let n = codec.decode(chunk, &mut frame).map_err(|e| e.to_string())?;
                samples.extend_from_slice(frame.get(..n).unwrap_or_default());
            }
            Ok(Pcm {
                rate: 16000,
                samples,
            })
        }
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

/// WAVE format tags.
const TAG_PCM: u16 = 1;
const TAG_ALAW: u16 = 6;
const TAG_MULAW: u16 = 7;
const TAG_EXTENSIBLE: u16 = 0xfffe;

/// RIFF WAVE with a `fmt ` and a `data` chunk (other chunks skipped). A `data` length past
/// the end (a recording still being written) is cut to what is there.
pub fn parse_wav(b: &[u8]) -> Result<Pcm, String> {
    if b.get(..4) != Some(b"RIFF") || b.get(8..12) != Some(b"WAVE") {
        return Err("not a RIFF WAVE file".into());
    }
    let mut at = 12usize;
    let mut fmt: Option<(u16, u16, u32, u16)> = None;
    while at + 8 <= b.len() {
        let id = b.get(at..at + 4).unwrap_or_default();
        let len = u32_at(b, at + 4).unwrap_or(0) as usize;
        let body_start = at + 8;
        let body_end = body_start.saturating_add(len).min(b.len());
        let body = b.get(body_start..body_end).unwrap_or_default();
        if id == b"fmt " {
            let mut tag = u16_at(body, 0).ok_or("short fmt chunk")?;
            let channels = u16_at(body, 2).ok_or("short fmt chunk")?;
            let rate = u32_at(body, 4).ok_or("short fmt chunk")?;
            let bits = u16_at(body, 14).ok_or("short fmt chunk")?;
            if tag == TAG_EXTENSIBLE {
                // The sub-format GUID starts with the real tag.
                tag = u16_at(body, 24).ok_or("short extensible fmt chunk")?;
            }
            fmt = Some((tag, channels, rate, bits));
        } else if id == b"data" {
            let (tag, channels, rate, bits) = fmt.ok_or("data before fmt")?;
            if channels == 0 || channels > 8 {
                return Err(format!("{channels} channels"));
            }
            let samples = match (tag, bits) {
                (TAG_PCM, 16) => body
                    .chunks_exact(2)
                    .map(|s| i16::from_le_bytes([s[0], s[1]]))
                    .collect::<Vec<_>>(),
                (TAG_MULAW, 8) => body.iter().map(|&c| ulaw::decode_sample(c)).collect(),
                (TAG_ALAW, 8) => body.iter().map(|&c| alaw::decode_sample(c)).collect(),
                _ => {
                    return Err(format!(
                        "unsupported WAV encoding (format {tag}, {bits} bits)"
                    ))
                }
            };
            let samples = if channels == 1 {
                samples
            } else {
                let n = usize::from(channels);
                samples
                    .chunks_exact(n)
                    .map(|frame| {
                        (frame.iter().map(|&s| i32::from(s)).sum::<i32>() / n as i32) as i16
                    })
                    .collect()
            };
            if !matches!(rate, 8000 | 16000 | 48000) {
                return Err(format!(
                    "unsupported sample rate {rate} Hz (8000, 16000 or 48000)"
                ));
            }
            return Ok(Pcm { rate, samples });
        }
        // Chunks are padded to an even length.
        at = body_start.saturating_add(len).saturating_add(len & 1);
    }
    Err("no data chunk".into())
}

/// A RIFF WAVE file of 16-bit mono PCM at `rate` (what Record and VoiceMail write: Asterisk's
/// `wav` format, 8 kHz signed linear).
pub fn encode_wav(rate: u32, samples: &[i16]) -> Vec<u8> {
    let data_len = u32::try_from(samples.len().saturating_mul(2)).unwrap_or(u32::MAX - 36);
    let mut b = Vec::with_capacity(44 + samples.len() * 2);
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&(36u32.saturating_add(data_len)).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&TAG_PCM.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&rate.to_le_bytes());
    b.extend_from_slice(&(rate * 2).to_le_bytes());
    b.extend_from_slice(&2u16.to_le_bytes());
    b.extend_from_slice(&16u16.to_le_bytes());
    b.extend_from_slice(b"data");
    b.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        b.extend_from_slice(&s.to_le_bytes());
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav(tag: u16, channels: u16, rate: u32, bits: u16, data: &[u8]) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(b"RIFF");
        b.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
        b.extend_from_slice(b"WAVEfmt ");
        b.extend_from_slice(&16u32.to_le_bytes());
        b.extend_from_slice(&tag.to_le_bytes());
        b.extend_from_slice(&channels.to_le_bytes());
        b.extend_from_slice(&rate.to_le_bytes());
        b.extend_from_slice(&(rate * u32::from(channels) * u32::from(bits) / 8).to_le_bytes());
        b.extend_from_slice(&(channels * bits / 8).to_le_bytes());
        b.extend_from_slice(&bits.to_le_bytes());
        b.extend_from_slice(b"LIST\x03\x00\x00\x00abc\x00");
        b.extend_from_slice(b"data");
        b.extend_from_slice(&(data.len() as u32).to_le_bytes());
        b.extend_from_slice(data);
        b
    }

    #[test]
    fn pcm16_mono_at_8k_reads_every_sample_past_an_odd_extra_chunk() {
        let data: Vec<u8> = [1i16, -2, 300]
            .iter()
            .flat_map(|s| s.to_le_bytes())
            .collect();
        let pcm = parse_wav(&wav(1, 1, 8000, 16, &data)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            pcm,
            Pcm {
                rate: 8000,
                samples: vec![1, -2, 300]
            }
        );
    }

    #[test]
    fn stereo_is_mixed_down() {
        let data: Vec<u8> = [100i16, 300, -50, -150]
            .iter()
            .flat_map(|s| s.to_le_bytes())
            .collect();
        let pcm = parse_wav(&wav(1, 2, 16000, 16, &data)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            pcm,
            Pcm {
                rate: 16000,
                samples: vec![200, -100]
            }
        );
    }

    #[test]
    fn mulaw_wav_is_decoded() {
        let pcm = parse_wav(&wav(7, 1, 8000, 8, &[0xff, 0x00])).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            pcm.samples,
            vec![ulaw::decode_sample(0xff), ulaw::decode_sample(0)]
        );
    }

    #[test]
    fn unsupported_rate_and_depth_are_refused() {
        assert!(parse_wav(&wav(1, 1, 11025, 16, &[0, 0])).is_err());
        assert!(parse_wav(&wav(1, 1, 8000, 24, &[0, 0, 0])).is_err());
        assert!(parse_wav(b"RIFF\x00\x00\x00\x00WAVE").is_err());
        assert!(parse_wav(b"nonsense").is_err());
    }

    #[test]
    fn truncated_data_chunk_reads_what_is_there() {
        let mut b = wav(1, 1, 8000, 16, &[1, 0, 2, 0]);
        b.truncate(b.len() - 1);
        let pcm = parse_wav(&b).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(pcm.samples, vec![1]);
    }

    #[test]
    fn an_encoded_wav_reads_back_sample_for_sample() {
        let samples = vec![0i16, 1, -1, i16::MAX, i16::MIN, 1234];
        let bytes = encode_wav(8000, &samples);
        assert_eq!(bytes.len(), 44 + 12);
        assert_eq!(&bytes[40..44], &12u32.to_le_bytes());
        let pcm = parse_wav(&bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            pcm,
            Pcm {
                rate: 8000,
                samples
            }
        );
        let empty = parse_wav(&encode_wav(8000, &[])).unwrap_or_else(|e| panic!("{e}"));
        assert!(empty.samples.is_empty());
    }

    #[test]
    fn raw_g711_files_are_8k() {
        let pcm = decode(FileFormat::Alaw, &[0xd5; 160]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((pcm.rate, pcm.samples.len()), (8000, 160));
        let pcm = decode(FileFormat::G722, &[0; 160]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((pcm.rate, pcm.samples.len()), (16000, 320));
    }
}
