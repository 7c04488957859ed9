//! Transcoding: the cheapest chain of translation steps from one format to another, and a
//! [`Transcoder`] that runs it frame by frame.
//!
//! The steps are Asterisk's translators: each codec to and from signed linear at its own rate,
//! mu-law <-> A-law directly (`codec_a_mu`), G.722 to and from 8 kHz linear directly (its
//! narrow mode, `codec_g722`'s `lintog722`/`g722tolin`), and resamplers between the linear
//! rates (`codec_resample`). Each step costs what Asterisk's `generate_table_cost()` gives it
//! (lossless or lossy source and destination, same rate, up or down), a path costs the sum, and
//! the cheapest wins, as in Asterisk's translation matrix. So PCMU -> PCMA is one step, and
//! PCMU -> G.722 goes through 8 kHz linear and the narrow G.722 encoder, exactly as Asterisk
//! would.

use crate::{alaw, g722, ulaw, Codec, CodecError, CodecKind, Resampler, MAX_FRAME_SAMPLES};

/// Asterisk's `ast_trans_cost_table` (include/asterisk/translate.h).
mod cost {
    pub const LL_LL_ORIGSAMP: u32 = 400_000;
    pub const LL_LY_ORIGSAMP: u32 = 600_000;
    pub const LL_LL_UPSAMP: u32 = 800_000;
    pub const LL_LY_UPSAMP: u32 = 825_000;
    pub const LL_LL_DOWNSAMP: u32 = 850_000;
    pub const LL_LY_DOWNSAMP: u32 = 875_000;
    pub const LY_LL_ORIGSAMP: u32 = 900_000;
    pub const LY_LY_ORIGSAMP: u32 = 915_000;
    pub const LY_LL_UPSAMP: u32 = 930_000;
    pub const LY_LY_UPSAMP: u32 = 945_000;
    pub const LY_LL_DOWNSAMP: u32 = 960_000;
    pub const LY_LY_DOWNSAMP: u32 = 975_000;
}

/// The translators that exist, as (from, to) pairs.
const TRANSLATORS: [(CodecKind, CodecKind); 18] = {
    use CodecKind::*;
    [
        (Pcmu, Slin8),
        (Slin8, Pcmu),
        (Pcma, Slin8),
        (Slin8, Pcma),
        (Pcmu, Pcma),
        (Pcma, Pcmu),
        (G722, Slin16),
        (Slin16, G722),
        (G722, Slin8),
        (Slin8, G722),
        (Opus, Slin48),
        (Slin48, Opus),
        (Slin8, Slin16),
        (Slin16, Slin8),
        (Slin8, Slin48),
        (Slin48, Slin8),
        (Slin16, Slin48),
        (Slin48, Slin16),
    ]
};

/// The table cost of one translator, as Asterisk's `generate_table_cost()` computes it.
pub fn step_cost(from: CodecKind, to: CodecKind) -> u32 {
    use std::cmp::Ordering::*;
    let (fr, tr) = (from.sample_rate(), to.sample_rate());
    match (from.is_linear(), to.is_linear(), fr.cmp(&tr)) {
        (true, true, Equal) => cost::LL_LL_ORIGSAMP,
        (true, false, Equal) => cost::LL_LY_ORIGSAMP,
        (true, true, Less) => cost::LL_LL_UPSAMP,
        (true, false, Less) => cost::LL_LY_UPSAMP,
        (true, true, Greater) => cost::LL_LL_DOWNSAMP,
        (true, false, Greater) => cost::LL_LY_DOWNSAMP,
        (false, true, Equal) => cost::LY_LL_ORIGSAMP,
        (false, false, Equal) => cost::LY_LY_ORIGSAMP,
        (false, true, Less) => cost::LY_LL_UPSAMP,
        (false, false, Less) => cost::LY_LY_UPSAMP,
        (false, true, Greater) => cost::LY_LL_DOWNSAMP,
        (false, false, Greater) => cost::LY_LY_DOWNSAMP,
    }
}

/// A chain of formats from source to destination, with its total cost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    /// Every format on the way, source first, destination last (one entry when they match).
    pub formats: Vec<CodecKind>,
    /// Sum of the step costs (0 when no translation is needed).
    pub cost: u32,
}

impl Path {
    /// The cheapest path from `from` to `to` (fewest steps among equal costs).
    pub fn find(from: CodecKind, to: CodecKind) -> Option<Path> {
        let n = CodecKind::ALL.len();
        let index = |k: CodecKind| CodecKind::ALL.iter().position(|&x| x == k).unwrap_or(0);
        // Bellman-Ford over seven formats: (cost, steps, previous).
        let mut best: Vec<Option<(u32, usize, usize)>> = vec![None; n];
        best[index(from)] = Some((0, 0, index(from)));
        for _ in 0..n {
            for &(a, b) in &TRANSLATORS {
                let (ia, ib) = (index(a), index(b));
                if let Some((c, s, _)) = best[ia] {
                    let candidate = (c + step_cost(a, b), s + 1, ia);
                    let better = match best[ib] {
                        None => true,
                        Some((bc, bs, _)) => (candidate.0, candidate.1) < (bc, bs),
                    };
                    if better && ib != index(from) {
                        best[ib] = Some(candidate);
                    }
                }
            }
        }
        let (cost, steps, _) = best[index(to)]?;
        let mut formats = vec![to];
        let mut at = index(to);
        for _ in 0..steps {
            let (_, _, prev) = best[at]?;
            at = prev;
            formats.push(CodecKind::ALL[at]);
        }
        formats.reverse();
        Some(Path { formats, cost })
    }

    /// Number of translation steps.
    pub fn steps(&self) -> usize {
        self.formats.len().saturating_sub(1)
    }
}

impl std::fmt::Display for Path {
    /// Asterisk's `core show translation paths` style: `ulaw->slin->g722`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, k) in self.formats.iter().enumerate() {
            if i > 0 {
                f.write_str("->")?;
            }
            f.write_str(k.name())?;
        }
        Ok(())
    }
}

/// One step of a running path.
#[derive(Debug)]
enum Stage {
    /// Coded payload to PCM.
    Decode(Codec),
    /// PCM to coded payload.
    Encode(Codec),
    /// PCM to PCM at another rate.
    Resample(Resampler),
    /// mu-law bytes to A-law bytes.
    UlawToAlaw,
    /// A-law bytes to mu-law bytes.
    AlawToUlaw,
}

/// Runs a [`Path`] on a stream: payloads of the source format in, payloads of the destination
/// format out. Linear formats are PCM inside the chain and big-endian L16 at its ends.
/// Buffers are allocated once, when the transcoder is made.
#[derive(Debug)]
pub struct Transcoder {
    path: Path,
    stages: Vec<Stage>,
    bytes: Vec<u8>,
    pcm_a: Vec<i16>,
    pcm_b: Vec<i16>,
}

impl Transcoder {
    /// A transcoder along the cheapest path from `from` to `to`.
    pub fn new(from: CodecKind, to: CodecKind) -> Result<Transcoder, CodecError> {
        let path = Path::find(from, to).ok_or(CodecError::NoPath { from, to })?;
        let mut stages = Vec::new();
        for pair in path.formats.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            stages.push(match (a, b) {
                (CodecKind::Pcmu, CodecKind::Pcma) => Stage::UlawToAlaw,
                (CodecKind::Pcma, CodecKind::Pcmu) => Stage::AlawToUlaw,
                (CodecKind::G722, CodecKind::Slin8) => {
                    Stage::Decode(Codec::g722(g722::Rate::Narrow))
                }
                (CodecKind::Slin8, CodecKind::G722) => {
                    Stage::Encode(Codec::g722(g722::Rate::Narrow))
                }
                _ if a.is_linear() && b.is_linear() => {
                    Stage::Resample(Resampler::new(a.sample_rate(), b.sample_rate())?)
                }
                _ if b.is_linear() => Stage::Decode(Codec::new(a)?),
                _ => Stage::Encode(Codec::new(b)?),
            });
        }
        Ok(Transcoder {
            path,
            stages,
            bytes: vec![0; MAX_FRAME_SAMPLES * 2],
            pcm_a: vec![0; MAX_FRAME_SAMPLES],
            pcm_b: vec![0; MAX_FRAME_SAMPLES],
        })
    }

    /// The path this transcoder runs.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Transcodes one payload into `out`; returns the output payload length. Allocates nothing.
    pub fn transcode(&mut self, payload: &[u8], out: &mut [u8]) -> Result<usize, CodecError> {
        // Where the data is between stages: payload bytes (in `payload` for the first stage,
        // in `self.bytes` later) or `len` PCM samples in `pcm_a`.
        enum At {
            Input,
            Bytes(usize),
            Pcm(usize),
        }
        let source = self.path.formats.first().copied();
        let mut at = At::Input;
        if source.is_some_and(CodecKind::is_linear) {
            at = At::Pcm(l16_to_pcm(payload, &mut self.pcm_a)?);
        }
        for stage in &mut self.stages {
            at = match (stage, at) {
                (Stage::Decode(codec), At::Input) => {
                    At::Pcm(codec.decode(payload, &mut self.pcm_a)?)
                }
                (Stage::Decode(codec), At::Bytes(n)) => {
                    At::Pcm(codec.decode(&self.bytes[..n], &mut self.pcm_a)?)
                }
                (Stage::Encode(codec), At::Pcm(n)) => {
                    At::Bytes(codec.encode(&self.pcm_a[..n], &mut self.bytes)?)
                }
                (Stage::Resample(r), At::Pcm(n)) => {
                    let m = r.process(&self.pcm_a[..n], &mut self.pcm_b)?;
                    std::mem::swap(&mut self.pcm_a, &mut self.pcm_b);
                    At::Pcm(m)
                }
                (Stage::UlawToAlaw, input) => {
                    let src: &[u8] = match input {
                        At::Input => payload,
                        At::Bytes(n) => &self.bytes[..n],
                        At::Pcm(_) => &[],
                    };
                    let n = src.len().min(out.len());
                    for (o, &c) in out.iter_mut().zip(src) {
                        *o = ulaw_to_alaw(c);
                    }
                    return finish(n, src.len());
                }
                (Stage::AlawToUlaw, input) => {
                    let src: &[u8] = match input {
                        At::Input => payload,
                        At::Bytes(n) => &self.bytes[..n],
                        At::Pcm(_) => &[],
                    };
                    let n = src.len().min(out.len());
                    for (o, &c) in out.iter_mut().zip(src) {
                        *o = alaw_to_ulaw(c);
                    }
                    return finish(n, src.len());
                }
                // Paths are built so that the kinds always line up.
                (_, other) => other,
            };
        }
        match at {
            At::Input => copy_out(payload, out),
            At::Bytes(n) => copy_out(&self.bytes[..n], out),
            At::Pcm(n) => pcm_to_l16(&self.pcm_a[..n], out),
        }
    }
}

fn finish(written: usize, wanted: usize) -> Result<usize, CodecError> {
    if written < wanted {
        Err(CodecError::OutputTooSmall {
            needed: wanted,
            available: written,
        })
    } else {
        Ok(written)
    }
}

fn copy_out(src: &[u8], out: &mut [u8]) -> Result<usize, CodecError> {
    let available = out.len();
    let dst = out.get_mut(..src.len()).ok_or(CodecError::OutputTooSmall {
        needed: src.len(),
        available,
    })?;
    dst.copy_from_slice(src);
    Ok(src.len())
}

fn l16_to_pcm(payload: &[u8], pcm: &mut [i16]) -> Result<usize, CodecError> {
    let n = payload.len() / 2;
    if n > pcm.len() {
        return Err(CodecError::FrameTooLong {
            samples: n,
            max: pcm.len(),
        });
    }
    for (p, b) in pcm.iter_mut().zip(payload.chunks_exact(2)) {
        *p = i16::from_be_bytes([b[0], b[1]]);
    }
    Ok(n)
}

fn pcm_to_l16(pcm: &[i16], out: &mut [u8]) -> Result<usize, CodecError> {
    let needed = pcm.len() * 2;
    if out.len() < needed {
        return Err(CodecError::OutputTooSmall {
            needed,
            available: out.len(),
        });
    }
    for (o, s) in out.chunks_exact_mut(2).zip(pcm) {
        o.copy_from_slice(&s.to_be_bytes());
    }
    Ok(needed)
}

/// mu-law to A-law in one table, as Asterisk's `codec_a_mu` builds it:
/// `AST_LIN2A(AST_MULAW(code))`.
static MU_TO_A: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = alaw::encode_sample(ulaw::DECODE_TABLE[i]);
        i += 1;
    }
    t
};

/// A-law to mu-law: `AST_LIN2MU(AST_ALAW(code))`.
static A_TO_MU: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = ulaw::encode_sample(alaw::DECODE_TABLE[i]);
        i += 1;
    }
    t
};

/// Converts one mu-law byte to A-law.
#[inline]
pub fn ulaw_to_alaw(code: u8) -> u8 {
    MU_TO_A[code as usize]
}

/// Converts one A-law byte to mu-law.
#[inline]
pub fn alaw_to_ulaw(code: u8) -> u8 {
    A_TO_MU[code as usize]
}

#[cfg(test)]
mod tests;
