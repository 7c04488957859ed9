//! Inband DTMF: a Goertzel detector for 8 kHz linear PCM with the thresholds of Asterisk's
//! `main/dsp.c`, and a tone generator for the sending side. Sans-IO and allocation-free:
//! samples in, [`InbandEvent`]s out.
//!
//! Detection works on blocks of 102 samples (12.75 ms). A block is a *hit* for a digit when
//! the strongest row and column frequencies are both above the threshold (8e7), the twist is
//! within limits (the row may be up to 8 dB above the column, the column up to 4 dB above the
//! row, 6 dB with `relaxdtmf`), every other row and column is at least 8 dB below the peaks,
//! and the two peaks hold most of the block's energy. A digit begins after 2 equal hits in a
//! row and ends after 3 misses (`DEF_DTMF_HITS_TO_BEGIN`, `DEF_DTMF_MISSES_TO_END`).

use std::f32::consts::PI;

/// Samples per detection block at 8 kHz (`DTMF_GSIZE`).
pub const BLOCK: usize = 102;
/// Minimum Goertzel power of the row and the column peak (`DTMF_THRESHOLD`).
pub const THRESHOLD: f32 = 8.0e7;
/// Row above column by at most 8 dB (`DEF_DTMF_NORMAL_TWIST`).
pub const NORMAL_TWIST: f32 = 6.31;
/// Column above row by at most 4 dB (`DEF_DTMF_REVERSE_TWIST`).
pub const REVERSE_TWIST: f32 = 2.51;
/// Column above row by at most 6 dB with `relaxdtmf` (`DEF_RELAX_DTMF_REVERSE_TWIST`).
pub const RELAX_REVERSE_TWIST: f32 = 3.98;
/// Every other row/column at least 8 dB below the peak (`DTMF_RELATIVE_PEAK_ROW/COL`).
pub const RELATIVE_PEAK: f32 = 6.3;
/// The two peaks against the block's total energy (`DTMF_TO_TOTAL_ENERGY`).
pub const TO_TOTAL_ENERGY: f32 = 42.0;
/// Equal hits in a row that begin a digit (`DEF_DTMF_HITS_TO_BEGIN`).
pub const HITS_TO_BEGIN: u32 = 2;
/// Misses in a row that end it (`DEF_DTMF_MISSES_TO_END`).
pub const MISSES_TO_END: u32 = 3;

const ROWS: [f32; 4] = [697.0, 770.0, 852.0, 941.0];
const COLS: [f32; 4] = [1209.0, 1336.0, 1477.0, 1633.0];
const POSITIONS: [[char; 4]; 4] = [
    ['1', '2', '3', 'A'],
    ['4', '5', '6', 'B'],
    ['7', '8', '9', 'C'],
    ['*', '0', '#', 'D'],
];
const MAX_EVENTS: usize = 8;

/// What the detector saw. Positions and lengths are in samples (8 kHz).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InbandEvent {
    /// A digit began; `at` is the sample where its first hit block started.
    Begin { digit: char, at: u64 },
    /// It ended; `duration` counts its hit blocks (Asterisk's `digitlen`).
    End { digit: char, duration: u32 },
}

#[derive(Clone, Copy, Default)]
struct Goertzel {
    fac: f32,
    v2: f32,
    v3: f32,
}

impl Goertzel {
    fn new(freq: f32) -> Self {
        Goertzel {
            fac: 2.0 * (2.0 * PI * freq / 8000.0).cos(),
            v2: 0.0,
            v3: 0.0,
        }
    }

    fn sample(&mut self, x: f32) {
        let v1 = self.v2;
        self.v2 = self.v3;
        self.v3 = self.fac * self.v2 - v1 + x;
    }

    fn result(&self) -> f32 {
        self.v3 * self.v3 + self.v2 * self.v2 - self.v2 * self.v3 * self.fac
    }

    fn reset(&mut self) {
        self.v2 = 0.0;
        self.v3 = 0.0;
    }
}

/// The detector for one stream.
pub struct InbandDetector {
    rows: [Goertzel; 4],
    cols: [Goertzel; 4],
    energy: f32,
    in_block: usize,
    block_start: u64,
    samples: u64,
    reverse_twist: f32,
    last_hit: Option<char>,
    current: Option<char>,
    hits: u32,
    misses: u32,
    duration: u32,
    events: [Option<InbandEvent>; MAX_EVENTS],
    head: usize,
    len: usize,
}

impl Default for InbandDetector {
    fn default() -> Self {
        Self::new(false)
    }
}

impl InbandDetector {
    /// `relax`: sip.conf's `relaxdtmf` (6 dB reverse twist instead of 4 dB).
    pub fn new(relax: bool) -> Self {
        InbandDetector {
            rows: ROWS.map(Goertzel::new),
            cols: COLS.map(Goertzel::new),
            energy: 0.0,
            in_block: 0,
            block_start: 0,
            samples: 0,
            reverse_twist: if relax {
                RELAX_REVERSE_TWIST
            } else {
                REVERSE_TWIST
            },
            last_hit: None,
            current: None,
            hits: 0,
            misses: 0,
            duration: 0,
            events: [None; MAX_EVENTS],
            head: 0,
            len: 0,
        }
    }

    /// The digit being heard now, if any.
    pub fn current(&self) -> Option<char> {
        self.current
    }

    /// Feed samples (any number, any split).
    pub fn process(&mut self, pcm: &[i16]) {
        for &s in pcm {
            let x = f32::from(s);
            for g in self.rows.iter_mut().chain(self.cols.iter_mut()) {
                g.sample(x);
            }
            self.energy += x * x;
            self.in_block += 1;
            self.samples += 1;
            if self.in_block == BLOCK {
                self.end_block();
            }
        }
    }

    /// The next event, oldest first.
    pub fn poll_event(&mut self) -> Option<InbandEvent> {
        if self.len == 0 {
            return None;
        }
        let ev = self.events.get_mut(self.head).and_then(Option::take);
        self.head = (self.head + 1) % MAX_EVENTS;
        self.len -= 1;
        ev
    }

    fn push(&mut self, ev: InbandEvent) {
        if self.len == MAX_EVENTS {
            // Nobody is polling: the oldest event goes.
            self.head = (self.head + 1) % MAX_EVENTS;
            self.len -= 1;
        }
        let at = (self.head + self.len) % MAX_EVENTS;
        if let Some(slot) = self.events.get_mut(at) {
            *slot = Some(ev);
            self.len += 1;
        }
    }

    /// The hit of the block just completed, if it passes every test.
    fn block_hit(&self) -> Option<char> {
        let row_e = self.rows.map(|g| g.result());
        let col_e = self.cols.map(|g| g.result());
        let best_row = best(&row_e);
        let best_col = best(&col_e);
        let (r, c) = (row_e[best_row], col_e[best_col]);
        // Signal level and twist.
        if r < THRESHOLD || c < THRESHOLD || c >= r * self.reverse_twist || r >= c * NORMAL_TWIST {
            return None;
        }
        // Relative peaks.
        for i in 0..4 {
            if (i != best_col && col_e[i] * RELATIVE_PEAK > c)
                || (i != best_row && row_e[i] * RELATIVE_PEAK > r)
            {
                return None;
            }
        }
        // The two tones hold (nearly) all the energy.
        if r + c <= TO_TOTAL_ENERGY * self.energy {
            return None;
        }
        Some(POSITIONS[best_row][best_col])
    }

    fn end_block(&mut self) {
        let hit = self.block_hit();
        if hit == self.last_hit {
            if let Some(cur) = self.current {
                match hit {
                    Some(h) if h != cur => {
                        // A new digit with no gap long enough to end the last one.
                        self.end_digit();
                    }
                    Some(_) => self.duration += BLOCK as u32,
                    None => {
                        self.misses += 1;
                        if self.misses == MISSES_TO_END {
                            self.end_digit();
                        }
                    }
                }
            }
            if self.current.is_none() {
                if let Some(h) = hit {
                    self.hits += 1;
                    if self.hits == HITS_TO_BEGIN {
                        self.current = Some(h);
                        self.duration = HITS_TO_BEGIN * BLOCK as u32;
                        self.misses = 0;
                        let at = self
                            .block_start
                            .saturating_sub(u64::from(HITS_TO_BEGIN - 1) * BLOCK as u64);
                        self.push(InbandEvent::Begin { digit: h, at });
                    }
                }
            }
        } else {
            self.hits = 1;
            self.misses = 1;
            self.last_hit = hit;
        }
        for g in self.rows.iter_mut().chain(self.cols.iter_mut()) {
            g.reset();
        }
        self.energy = 0.0;
        self.in_block = 0;
        self.block_start = self.samples;
    }

    fn end_digit(&mut self) {
        if let Some(digit) = self.current.take() {
            self.push(InbandEvent::End {
                digit,
                duration: self.duration,
            });
        }
    }
}

fn best(e: &[f32; 4]) -> usize {
    let mut b = 0;
    for i in 1..4 {
        if e[i] > e[b] {
            b = i;
        }
    }
    b
}

/// The two frequencies of a digit (`0`-`9`, `*`, `#`, `A`-`D`, lower case too).
pub fn frequencies(digit: char) -> Option<(f32, f32)> {
    let d = digit.to_ascii_uppercase();
    for (r, row) in POSITIONS.iter().enumerate() {
        for (c, &p) in row.iter().enumerate() {
            if p == d {
                return Some((ROWS[r], COLS[c]));
            }
        }
    }
    None
}

/// Amplitude of each of the two tones: Asterisk's playtones default, -8 dB (7219).
pub const TONE_AMPLITUDE: f32 = 7219.0;

/// A digit's tone followed by silence, as 8 kHz samples, pulled in frames of any size.
#[derive(Clone, Debug)]
pub struct ToneGenerator {
    low: f32,
    high: f32,
    amplitude: f32,
    tone: u32,
    total: u32,
    n: u32,
}

impl ToneGenerator {
    /// `tone_ms` of the digit's two frequencies, then `gap_ms` of silence. `None` for a
    /// character that is no DTMF digit.
    pub fn new(digit: char, tone_ms: u32, gap_ms: u32) -> Option<Self> {
        let (low, high) = frequencies(digit)?;
        let tone = tone_ms.saturating_mul(8);
        Some(ToneGenerator {
            low,
            high,
            amplitude: TONE_AMPLITUDE,
            tone,
            total: tone.saturating_add(gap_ms.saturating_mul(8)),
            n: 0,
        })
    }

    /// With another amplitude for the low and high tone (tests of twist and level).
    pub fn with_amplitude(mut self, amplitude: f32) -> Self {
        self.amplitude = amplitude;
        self
    }

    /// Samples still to come.
    pub fn remaining(&self) -> u32 {
        self.total - self.n
    }

    pub fn is_done(&self) -> bool {
        self.n >= self.total
    }

    /// Fill `out` (silence once done); returns how many samples were the tone or its gap.
    pub fn fill(&mut self, out: &mut [i16]) -> usize {
        let mut produced = 0;
        for s in out.iter_mut() {
            *s = if self.n < self.tone {
                let t = self.n as f32 / 8000.0;
                let v = self.amplitude
                    * ((2.0 * PI * self.low * t).sin() + (2.0 * PI * self.high * t).sin());
                v.clamp(-32767.0, 32767.0) as i16
            } else {
                0
            };
            if self.n < self.total {
                self.n += 1;
                produced += 1;
            }
        }
        produced
    }
}

#[cfg(test)]
#[path = "inband_tests.rs"]
mod tests;
