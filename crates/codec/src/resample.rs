//! Sample rate conversion between 8, 16 and 48 kHz (any integer ratio): a polyphase FIR,
//! windowed-sinc (Kaiser, beta 7.86, about 80 dB stop band), designed once per stream.
//!
//! The filter runs at the higher rate. Its pass band ends at 85 % of the lower rate's Nyquist
//! frequency (3.4 kHz for 8 kHz, 6.8 kHz for 16 kHz) and its stop band starts at that Nyquist
//! frequency, so nothing folds back into the band when down-sampling and no image stays when
//! up-sampling. That takes 72 taps per phase (4.5 ms of delay at 8 kHz, half of that at 16 kHz).
//!
//! A resampler is stateful: keep one per stream direction and feed it consecutive frames of
//! any length (20 ms frames in practice). Processing allocates nothing; the history lives in a
//! ring that holds every sample twice, so the filter always reads one contiguous slice.

use crate::CodecError;

/// Taps per phase (the filter is `TAPS_PER_PHASE * ratio` long at the higher rate).
const TAPS_PER_PHASE: usize = 72;
/// Kaiser window beta for about 80 dB of stop band attenuation.
const KAISER_BETA: f64 = 7.857;
/// Pass band edge as a fraction of the lower rate's Nyquist frequency.
const PASS_FRACTION: f64 = 0.85;

/// A stateful converter from one sample rate to another.
#[derive(Clone, Debug)]
pub struct Resampler {
    from: u32,
    to: u32,
    mode: Mode,
}

#[derive(Clone, Debug)]
enum Mode {
    Same,
    /// One input sample gives `factor` outputs; `phases[p]` holds taps `p, p + factor, ...`
    /// (times `factor`, for unity gain), newest sample first.
    Up {
        factor: usize,
        phases: Vec<Vec<f32>>,
        ring: Ring,
    },
    /// Every `factor`-th input sample gives one output; `taps` newest sample first.
    Down {
        factor: usize,
        taps: Vec<f32>,
        ring: Ring,
        phase: usize,
    },
}

/// History of the last `len` samples, each stored twice so that `window()` is contiguous.
#[derive(Clone, Debug)]
struct Ring {
    buf: Vec<f32>,
    len: usize,
    pos: usize,
}

impl Ring {
    fn new(len: usize) -> Self {
        Ring {
            buf: vec![0.0; 2 * len],
            len,
            pos: 0,
        }
    }

    #[inline]
    fn push(&mut self, x: f32) {
        self.pos = if self.pos == 0 {
            self.len - 1
        } else {
            self.pos - 1
        };
        self.buf[self.pos] = x;
        self.buf[self.pos + self.len] = x;
    }

    /// The last `len` samples, newest first.
    #[inline]
    fn window(&self) -> &[f32] {
        &self.buf[self.pos..self.pos + self.len]
    }

    fn clear(&mut self) {
        self.buf.iter_mut().for_each(|x| *x = 0.0);
        self.pos = 0;
    }
}

impl Resampler {
    /// A resampler from `from` Hz to `to` Hz. One rate must be a whole multiple of the other
    /// (8000, 16000 and 48000 all are), and both at most 192 kHz.
    // `is_multiple_of` needs Rust 1.87; the workspace supports 1.85.
    #[allow(clippy::manual_is_multiple_of)]
    pub fn new(from: u32, to: u32) -> Result<Self, CodecError> {
        let unsupported = CodecError::UnsupportedRates { from, to };
        if from == 0 || to == 0 || from > 192_000 || to > 192_000 {
            return Err(unsupported);
        }
        let mode = if from == to {
            Mode::Same
        } else if to % from == 0 {
            let factor = (to / from) as usize;
            let taps = design(factor);
            let phases = (0..factor)
                .map(|p| {
                    taps.iter()
                        .skip(p)
                        .step_by(factor)
                        .map(|&t| t * factor as f32)
                        .collect()
                })
                .collect();
            Mode::Up {
                factor,
                phases,
                ring: Ring::new(TAPS_PER_PHASE),
            }
        } else if from % to == 0 {
            let factor = (from / to) as usize;
            let taps = design(factor);
            Mode::Down {
                factor,
                ring: Ring::new(taps.len()),
                taps,
                phase: 0,
            }
        } else {
            return Err(unsupported);
        };
        Ok(Resampler { from, to, mode })
    }

    /// Input rate in Hz.
    pub fn from_rate(&self) -> u32 {
        self.from
    }

    /// Output rate in Hz.
    pub fn to_rate(&self) -> u32 {
        self.to
    }

    /// How many samples [`process`](Self::process) will write for `input_len` input samples,
    /// given what it has buffered (down-sampling keeps a partial group between calls).
    pub fn output_len(&self, input_len: usize) -> usize {
        match &self.mode {
            Mode::Same => input_len,
            Mode::Up { factor, .. } => input_len * factor,
            Mode::Down { factor, phase, .. } => (phase + input_len) / factor,
        }
    }

    /// The filter's group delay, in output samples (rounded down).
    pub fn delay(&self) -> usize {
        match &self.mode {
            Mode::Same => 0,
            Mode::Up { factor, .. } => (filter_len(*factor) - 1) / 2,
            Mode::Down { factor, .. } => (filter_len(*factor) - 1) / 2 / factor,
        }
    }

    /// Forgets the history (a new talk spurt, a new stream).
    pub fn reset(&mut self) {
        match &mut self.mode {
            Mode::Same => {}
            Mode::Up { ring, .. } => ring.clear(),
            Mode::Down { ring, phase, .. } => {
                ring.clear();
                *phase = 0;
            }
        }
    }

    /// Converts `input` into `output`; returns the number of samples written, which is
    /// [`output_len`](Self::output_len)`(input.len())`. Fails, consuming nothing, when
    /// `output` is shorter than that. Allocates nothing.
    pub fn process(&mut self, input: &[i16], output: &mut [i16]) -> Result<usize, CodecError> {
        let needed = self.output_len(input.len());
        if output.len() < needed {
            return Err(CodecError::OutputTooSmall {
                needed,
                available: output.len(),
            });
        }
        match &mut self.mode {
            Mode::Same => output[..needed].copy_from_slice(input),
            Mode::Up {
                factor,
                phases,
                ring,
            } => {
                for (&x, out) in input.iter().zip(output.chunks_exact_mut(*factor)) {
                    ring.push(x as f32);
                    let window = ring.window();
                    for (o, taps) in out.iter_mut().zip(phases.iter()) {
                        *o = to_i16(dot(taps, window));
                    }
                }
            }
            Mode::Down {
                factor,
                taps,
                ring,
                phase,
            } => {
                let mut n = 0;
                for &x in input {
                    ring.push(x as f32);
                    *phase += 1;
                    if *phase == *factor {
                        *phase = 0;
                        if let Some(o) = output.get_mut(n) {
                            *o = to_i16(dot(taps, ring.window()));
                        }
                        n += 1;
                    }
                }
            }
        }
        Ok(needed)
    }
}

#[inline]
fn to_i16(x: f32) -> i16 {
    // `as` saturates and maps NaN to 0.
    x.round() as i16
}

/// Dot product with eight independent accumulators, so the compiler can vectorise it.
#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let (a8, a_rest) = a.split_at(a.len() - a.len() % 8);
    let (b8, b_rest) = b.split_at(a8.len().min(b.len()));
    for (x, y) in a8.chunks_exact(8).zip(b8.chunks_exact(8)) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    let mut sum: f32 = acc.iter().sum();
    for (x, y) in a_rest.iter().zip(b_rest) {
        sum += x * y;
    }
    sum
}

/// Length of the filter for a rate change by `factor`: odd, so that the delay is a whole
/// number of samples at the higher rate.
fn filter_len(factor: usize) -> usize {
    TAPS_PER_PHASE * factor - 1
}

/// Low-pass prototype for a rate change by `factor`, at the higher rate, unity DC gain.
fn design(factor: usize) -> Vec<f32> {
    let n = filter_len(factor);
    // Frequencies as fractions of the higher rate: the lower rate's Nyquist is 0.5 / factor.
    let stop = 0.5 / factor as f64;
    let cutoff = (PASS_FRACTION * stop + stop) / 2.0;
    let centre = (n - 1) as f64 / 2.0;
    let i0_beta = bessel_i0(KAISER_BETA);
    let mut taps: Vec<f64> = (0..n)
        .map(|i| {
            let t = i as f64 - centre;
            let sinc = if t == 0.0 {
                2.0 * cutoff
            } else {
                (2.0 * std::f64::consts::PI * cutoff * t).sin() / (std::f64::consts::PI * t)
            };
            let r = t / centre;
            let window = bessel_i0(KAISER_BETA * (1.0 - r * r).max(0.0).sqrt()) / i0_beta;
            sinc * window
        })
        .collect();
    let sum: f64 = taps.iter().sum();
    taps.iter_mut().for_each(|t| *t /= sum);
    taps.into_iter().map(|t| t as f32).collect()
}

/// Modified Bessel function of the first kind, order 0 (power series).
fn bessel_i0(x: f64) -> f64 {
    let mut sum = 1.0;
    let mut term = 1.0;
    let half = x / 2.0;
    for k in 1..50 {
        term *= (half / k as f64) * (half / k as f64);
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    sum
}

#[cfg(test)]
mod tests;
