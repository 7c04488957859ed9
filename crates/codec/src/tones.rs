//! Tone lists as Asterisk's `main/indications.c` plays them (PlayTones, the indications of
//! `indications.conf`, Milliwatt): pure 8 kHz signed-linear generation, no clock, no I/O.
//!
//! A tone list is parts separated by `,` (or by `|` when the list holds one); each part is
//! `f1`, `f1+f2` (two tones summed), `f1*f2` (f1 amplitude-modulated by f2), each optionally
//! `/duration` in milliseconds, and `M` variants with MIDI note numbers (`M69` = 440 Hz). A
//! part without a duration plays for ever; frequency `0` is silence. Parts starting with `!`
//! play once: the list repeats from the first part without `!`, and a list made only of `!`
//! parts ends after its last part. A part that does not parse is skipped (Asterisk logs
//! "Failed to parse tone part").
//!
//! The oscillator is Asterisk's integer recurrence (`v3 = fac * v2 >> 15 - v1`) with the same
//! start values, so the samples are the ones Asterisk writes; an item's duration is counted
//! after whole frames, as Asterisk's generator does (a 500 ms part of 20 ms frames is exact).
//!
//! ```
//! use tandem_codec::tones::{parse_tone_list, ToneGen, DEFAULT_VOLUME};
//! let (parts, bad) = parse_tone_list("480+620/500,0/500");
//! assert!(bad.is_empty());
//! let mut gen = ToneGen::new(&parts, DEFAULT_VOLUME).unwrap();
//! let mut frame = [0i16; 160];
//! assert!(gen.fill(&mut frame));
//! assert!(frame.iter().any(|s| *s != 0));
//! ```

/// Playtones' default level when none is given: 7219, about -8 dBm0 (`ast_playtones_start`).
pub const DEFAULT_VOLUME: i32 = 7219;
/// Milliwatt's level: a 1004 Hz tone at 0 dBm0 (`app_milliwatt.c` passes 23255).
pub const MILLIWATT_VOLUME: i32 = 23255;
/// The rate tones are generated at (Asterisk's generator is 8 kHz signed linear).
pub const SAMPLE_RATE: u32 = 8000;
/// Parts kept from one list (a bound of ours; Asterisk's sample lists have at most 17).
pub const MAX_PARTS: usize = 256;

/// Asterisk's `midi_tohz` table: MIDI note number to whole hertz.
const MIDI_TO_HZ: [u32; 128] = [
    8, 8, 9, 9, 10, 10, 11, 12, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24, 25, 27, 29, 30, 32,
    34, 36, 38, 41, 43, 46, 48, 51, 55, 58, 61, 65, 69, 73, 77, 82, 87, 92, 97, 103, 110, 116, 123,
    130, 138, 146, 155, 164, 174, 184, 195, 207, 220, 233, 246, 261, 277, 293, 311, 329, 349, 369,
    391, 415, 440, 466, 493, 523, 554, 587, 622, 659, 698, 739, 783, 830, 880, 932, 987, 1046,
    1108, 1174, 1244, 1318, 1396, 1479, 1567, 1661, 1760, 1864, 1975, 2093, 2217, 2349, 2489, 2637,
    2793, 2959, 3135, 3322, 3520, 3729, 3951, 4186, 4434, 4698, 4978, 5274, 5587, 5919, 6271, 6644,
    7040, 7458, 7902, 8372, 8869, 9397, 9956, 10548, 11175, 11839, 12543,
];

/// One part of a tone list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TonePart {
    pub freq1: u32,
    /// 0 for a single tone.
    pub freq2: u32,
    /// Milliseconds; 0 plays for ever.
    pub duration_ms: u32,
    /// `f1*f2`: f1 modulated by f2.
    pub modulate: bool,
    /// `!part`: not part of the repetition.
    pub once: bool,
}

/// Parse a tone list; the second value holds the parts that did not parse (skipped).
pub fn parse_tone_list(list: &str) -> (Vec<TonePart>, Vec<String>) {
    let sep = if list.contains('|') { '|' } else { ',' };
    let mut parts = Vec::new();
    let mut bad = Vec::new();
    // strsep stops at the first empty part, as Asterisk's loop does.
    for raw in list.split(sep) {
        if raw.is_empty() || parts.len() >= MAX_PARTS {
            break;
        }
        let s = raw.trim();
        let (once, s) = match s.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        match parse_part(s) {
            Some(mut p) => {
                p.once = once;
                parts.push(p);
            }
            None => bad.push(s.to_string()),
        }
    }
    (parts, bad)
}

/// `ast_tone_zone_part_parse`: the forms are tried in Asterisk's order, like its `sscanf`s
/// (trailing text after a form is ignored).
fn parse_part(s: &str) -> Option<TonePart> {
    let part = |f1, f2, t, modulate| TonePart {
        freq1: f1,
        freq2: f2,
        duration_ms: t,
        modulate,
        once: false,
    };
    use Tok::{Lit, Num};
    // (pattern, second number is a frequency, modulated)
    let forms: [(&[Tok], bool, bool); 6] = [
        (&[Num, Lit('+'), Num, Lit('/'), Num], true, false),
        (&[Num, Lit('+'), Num], true, false),
        (&[Num, Lit('*'), Num, Lit('/'), Num], true, true),
        (&[Num, Lit('*'), Num], true, true),
        (&[Num, Lit('/'), Num], false, false),
        (&[Num], false, false),
    ];
    for (pattern, two, modulate) in forms {
        let nums = scan(s, pattern);
        let want = pattern.iter().filter(|t| matches!(t, Num)).count();
        if nums.len() == want {
            return Some(match (two, nums.as_slice()) {
                (true, [a, b, t]) => part(*a, *b, *t, modulate),
                (true, [a, b]) => part(*a, *b, 0, modulate),
                (false, [a, t]) => part(*a, 0, *t, false),
                (_, [a]) => part(*a, 0, 0, false),
                _ => continue,
            });
        }
    }
    // The MIDI forms: M<note>[+|*M<note>][/time].
    let midi = |n: u32| MIDI_TO_HZ.get(n as usize).copied().unwrap_or(0);
    let mforms: [(&[Tok], bool, bool); 5] = [
        (
            &[Lit('M'), Num, Lit('+'), Lit('M'), Num, Lit('/'), Num],
            true,
            false,
        ),
        (&[Lit('M'), Num, Lit('+'), Lit('M'), Num], true, false),
        (
            &[Lit('M'), Num, Lit('*'), Lit('M'), Num, Lit('/'), Num],
            true,
            true,
        ),
        (&[Lit('M'), Num, Lit('*'), Lit('M'), Num], true, true),
        (&[Lit('M'), Num, Lit('/'), Num], false, false),
    ];
    for (pattern, two, modulate) in mforms {
        let nums = scan(s, pattern);
        let want = pattern.iter().filter(|t| matches!(t, Num)).count();
        if nums.len() == want {
            return Some(match (two, nums.as_slice()) {
                (true, [a, b, t]) => part(midi(*a), midi(*b), *t, modulate),
                (true, [a, b]) => part(midi(*a), midi(*b), 0, modulate),
                // M<note>/time: Asterisk sets freq2 to -1, which its table lookup turns to 0.
                (false, [a, t]) => part(midi(*a), 0, *t, false),
                _ => continue,
            });
        }
    }
    let nums = scan(s, &[Lit('M'), Num]);
    nums.first().map(|a| part(midi(*a), 0, 0, false))
}

#[derive(Clone, Copy)]
enum Tok {
    Num,
    Lit(char),
}

/// The numbers a `sscanf` pattern converts before it fails (`%u` skips white space).
fn scan(s: &str, pattern: &[Tok]) -> Vec<u32> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    for tok in pattern {
        match tok {
            Tok::Lit(c) => {
                if b.get(i) != Some(&(*c as u8)) {
                    break;
                }
                i += 1;
            }
            Tok::Num => {
                while b.get(i).is_some_and(u8::is_ascii_whitespace) {
                    i += 1;
                }
                let start = i;
                let mut v: u32 = 0;
                // %30u: at most 30 characters.
                while i - start < 30 && b.get(i).is_some_and(u8::is_ascii_digit) {
                    let d = u32::from(b.get(i).copied().unwrap_or(b'0') - b'0');
                    v = v.saturating_mul(10).saturating_add(d);
                    i += 1;
                }
                if i == start {
                    break;
                }
                out.push(v);
            }
        }
    }
    out
}

/// One part ready to play: Asterisk's `playtones_item`.
#[derive(Clone, Copy, Debug)]
struct Item {
    fac1: i32,
    init_v2_1: i32,
    init_v3_1: i32,
    fac2: i32,
    init_v2_2: i32,
    init_v3_2: i32,
    modulate: bool,
    duration_ms: u32,
}

impl Item {
    fn new(p: &TonePart, vol: i32) -> Item {
        // Asterisk divides by a float sample rate, then computes in double.
        let ratio = |f: u32| f64::from(f as f32 / SAMPLE_RATE as f32);
        let pi = std::f64::consts::PI;
        let fac = |f: u32| (2.0 * (2.0 * pi * ratio(f)).cos() * 32768.0) as i32;
        let v2 = |f: u32| ((-4.0 * pi * ratio(f)).sin() * f64::from(vol)) as i32;
        let v3 = |f: u32| ((-2.0 * pi * ratio(f)).sin() * f64::from(vol)) as i32;
        Item {
            fac1: fac(p.freq1),
            init_v2_1: v2(p.freq1),
            init_v3_1: v3(p.freq1),
            fac2: fac(p.freq2),
            init_v2_2: v2(p.freq2),
            init_v3_2: v3(p.freq2),
            modulate: p.modulate,
            duration_ms: p.duration_ms,
        }
    }
}

/// A playing tone list: Asterisk's `playtones_state`.
#[derive(Clone, Debug)]
pub struct ToneGen {
    items: Vec<Item>,
    /// Where the list repeats from; `None` when every part is `!` (the list ends).
    reppos: Option<usize>,
    npos: usize,
    oldnpos: Option<usize>,
    /// Samples played of the current item.
    pos: u64,
    v1: [i32; 2],
    v2: [i32; 2],
    v3: [i32; 2],
}

impl ToneGen {
    /// A generator at level `vol` (`vol < 1` means [`DEFAULT_VOLUME`]); `None` without parts
    /// ("No valid tone parts").
    pub fn new(parts: &[TonePart], vol: i32) -> Option<ToneGen> {
        if parts.is_empty() {
            return None;
        }
        let vol = if vol < 1 { DEFAULT_VOLUME } else { vol };
        Some(ToneGen {
            items: parts.iter().map(|p| Item::new(p, vol)).collect(),
            reppos: parts.iter().position(|p| !p.once),
            npos: 0,
            oldnpos: None,
            pos: 0,
            v1: [0; 2],
            v2: [0; 2],
            v3: [0; 2],
        })
    }

    /// Parse `list` and build its generator; `None` when no part parses.
    pub fn from_list(list: &str, vol: i32) -> Option<ToneGen> {
        ToneGen::new(&parse_tone_list(list).0, vol)
    }

    /// Fill one frame (8 kHz). False when the list has ended with this frame (a list of `!`
    /// parts only): the frame is still to be played, then the generator stops.
    pub fn fill(&mut self, out: &mut [i16]) -> bool {
        let Some(item) = self.items.get(self.npos).copied() else {
            return false;
        };
        if self.oldnpos != Some(self.npos) {
            self.v1 = [0, 0];
            self.v2 = [item.init_v2_1, item.init_v2_2];
            self.v3 = [item.init_v3_1, item.init_v3_2];
            self.oldnpos = Some(self.npos);
        }
        let step = |fac: i32, v1: &mut i32, v2: &mut i32, v3: &mut i32| {
            *v1 = *v2;
            *v2 = *v3;
            *v3 = ((i64::from(fac) * i64::from(*v2)) >> 15) as i32 - *v1;
        };
        for s in out.iter_mut() {
            let [a1, a2] = &mut self.v1;
            let [b1, b2] = &mut self.v2;
            let [c1, c2] = &mut self.v3;
            step(item.fac1, a1, b1, c1);
            step(item.fac2, a2, b2, c2);
            *s = if item.modulate {
                let p = (i64::from(*c2) - 32768).abs();
                let p = (p * 9) / 10 + 1;
                ((i64::from(*c1) * p) >> 15) as i16
            } else {
                c1.wrapping_add(*c2) as i16
            };
        }
        self.pos += out.len() as u64;
        if item.duration_ms > 0 && self.pos >= u64::from(item.duration_ms) * 8 {
            self.pos = 0;
            self.npos += 1;
            if self.npos >= self.items.len() {
                match self.reppos {
                    Some(r) => self.npos = r,
                    None => return false,
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(f1: u32, f2: u32, t: u32, modulate: bool, once: bool) -> TonePart {
        TonePart {
            freq1: f1,
            freq2: f2,
            duration_ms: t,
            modulate,
            once,
        }
    }

    /// Power of `freq` in `x` (Goertzel), normalised by length.
    fn power(x: &[i16], freq: f64) -> f64 {
        let w = 2.0 * std::f64::consts::PI * freq / 8000.0;
        let c = 2.0 * w.cos();
        let (mut s1, mut s2) = (0.0f64, 0.0f64);
        for v in x {
            let s = f64::from(*v) + c * s1 - s2;
            s2 = s1;
            s1 = s;
        }
        (s1 * s1 + s2 * s2 - c * s1 * s2) / (x.len() as f64).powi(2)
    }

    fn play(list: &str, vol: i32, frames: usize) -> (Vec<i16>, bool) {
        let mut g = ToneGen::from_list(list, vol).unwrap_or_else(|| panic!("no parts"));
        let mut out = Vec::new();
        let mut frame = [0i16; 160];
        for _ in 0..frames {
            let more = g.fill(&mut frame);
            out.extend_from_slice(&frame);
            if !more {
                return (out, false);
            }
        }
        (out, true)
    }

    #[test]
    fn every_part_form_of_indications_c_parses() {
        let (p, bad) = parse_tone_list(
            "350+440,480+620/500,425*15/300,400*33,1400/500,0,M69,M60+M64/100,M69*M57",
        );
        assert!(bad.is_empty());
        assert_eq!(
            p,
            vec![
                part(350, 440, 0, false, false),
                part(480, 620, 500, false, false),
                part(425, 15, 300, true, false),
                part(400, 33, 0, true, false),
                part(1400, 0, 500, false, false),
                part(0, 0, 0, false, false),
                part(440, 0, 0, false, false),
                part(261, 329, 100, false, false),
                part(440, 220, 0, true, false),
            ]
        );
    }

    #[test]
    fn bang_marks_once_only_parts_and_spaces_are_stripped() {
        let (p, _) = parse_tone_list(" !950/330, !1400/330 ,0");
        assert_eq!(
            p,
            vec![
                part(950, 0, 330, false, true),
                part(1400, 0, 330, false, true),
                part(0, 0, 0, false, false)
            ]
        );
    }

    #[test]
    fn a_pipe_anywhere_makes_pipe_the_separator() {
        let (p, _) = parse_tone_list("440/100|0/100");
        assert_eq!(p.len(), 2);
        let (p, bad) = parse_tone_list("440/100,0/100|1");
        // Split on '|' only: "440/100,0/100" parses as 440/100 (trailing text ignored).
        assert_eq!((p.len(), bad.len()), (2, 0));
        assert_eq!(p[0], part(440, 0, 100, false, false));
    }

    #[test]
    fn a_bad_part_is_skipped_and_an_empty_part_ends_the_list() {
        let (p, bad) = parse_tone_list("440,xyz,480");
        assert_eq!((p.len(), bad), (2, vec!["xyz".to_string()]));
        let (p, _) = parse_tone_list("440,,480");
        assert_eq!(p.len(), 1);
        assert!(ToneGen::from_list("bogus", 0).is_none());
    }

    #[test]
    fn a_single_tone_has_its_frequency_and_asterisks_level() {
        let (x, more) = play("1004/1000", MILLIWATT_VOLUME, 50);
        assert!(more);
        assert!(power(&x, 1004.0) > 100.0 * power(&x, 800.0));
        let peak = x.iter().map(|s| i32::from(*s).abs()).max().unwrap_or(0);
        assert!((23000..=23300).contains(&peak), "peak {peak}");
    }

    #[test]
    fn the_first_samples_are_asterisks_recurrence() {
        // v3 starts at sin(-2*pi*f/8000)*vol; the first output is fac*v3>>15 - v2.
        let mut g = ToneGen::from_list("1000", 1000).unwrap_or_else(|| panic!("parts"));
        let mut f = [0i16; 4];
        g.fill(&mut f);
        // 1000 Hz at 8 kHz: about 0, 707, 1000, 707; integer maths (fac 46340, >> 15 floors).
        assert_eq!(f, [0, 707, 999, 705]);
    }

    #[test]
    fn dual_tones_carry_both_frequencies() {
        let (x, _) = play("480+620", 0, 25);
        let (p480, p620, p550) = (power(&x, 480.0), power(&x, 620.0), power(&x, 550.0));
        assert!(
            p480 > 50.0 * p550 && p620 > 50.0 * p550,
            "{p480} {p620} {p550}"
        );
    }

    #[test]
    fn busy_cadence_is_500_on_500_off_and_repeats() {
        let (x, more) = play("480+620/500,0/500", 0, 100);
        assert!(more);
        let energy = |from: usize, to: usize| -> i64 {
            x[from * 160..to * 160]
                .iter()
                .map(|s| i64::from(*s).abs())
                .sum()
        };
        assert!(energy(0, 25) > 0);
        assert_eq!(energy(25, 50), 0);
        assert!(energy(50, 75) > 0);
        assert_eq!(energy(75, 100), 0);
    }

    #[test]
    fn once_only_parts_play_once_then_the_list_repeats_from_the_first_other_part() {
        // 100 ms of 950 once, then 100 ms silence / 100 ms 1400 for ever.
        let (x, _) = play("!950/100,0/100,1400/100", 0, 40);
        let seg = |n: usize| &x[n * 800..(n + 1) * 800];
        assert!(power(seg(0), 950.0) > 1000.0);
        assert_eq!(seg(1).iter().filter(|s| **s != 0).count(), 0);
        assert!(power(seg(2), 1400.0) > 1000.0);
        assert_eq!(seg(3).iter().filter(|s| **s != 0).count(), 0);
        assert!(power(seg(4), 1400.0) > 1000.0);
        assert!(power(seg(4), 950.0) < 10.0);
    }

    #[test]
    fn a_list_of_once_only_parts_ends() {
        let (x, more) = play("!440/100,!0/100", 0, 100);
        assert!(!more);
        assert_eq!(x.len(), 10 * 160);
    }

    #[test]
    fn modulated_tones_are_generated_as_asterisk_does() {
        let (x, _) = play("425*15", 0, 50);
        assert!(x.iter().any(|s| *s != 0));
        assert!(power(&x, 425.0) > 10.0 * power(&x, 1000.0));
    }

    #[test]
    fn durations_are_counted_in_whole_frames() {
        // 30 ms does not divide into 20 ms frames: the item lasts two frames (40 ms).
        let (x, _) = play("!440/30,0", 0, 4);
        assert!(x[160..320].iter().any(|s| *s != 0));
        assert!(x[320..].iter().all(|s| *s == 0));
    }
}
