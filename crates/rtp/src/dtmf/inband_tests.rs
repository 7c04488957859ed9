use super::*;

const ALL: &str = "123A456B789C*0#D";

fn tone(digit: char, ms: u32) -> Vec<i16> {
    let mut g = ToneGenerator::new(digit, ms, 0).unwrap();
    let mut v = vec![0i16; (ms * 8) as usize];
    g.fill(&mut v);
    v
}

fn silence(ms: u32) -> Vec<i16> {
    vec![0; (ms * 8) as usize]
}

/// Two tones of their own amplitudes (for twist tests), then 100 ms of silence.
fn pair(low: f32, low_amp: f32, high: f32, high_amp: f32, ms: u32) -> Vec<i16> {
    (0..(ms + 100) * 8)
        .map(|n| {
            if n >= ms * 8 {
                return 0;
            }
            let t = n as f32 / 8000.0;
            (low_amp * (2.0 * PI * low * t).sin() + high_amp * (2.0 * PI * high * t).sin()) as i16
        })
        .collect()
}

fn events(pcm: &[i16], relax: bool) -> Vec<InbandEvent> {
    let mut d = InbandDetector::new(relax);
    let mut out = Vec::new();
    for frame in pcm.chunks(160) {
        d.process(frame);
        while let Some(e) = d.poll_event() {
            out.push(e);
        }
    }
    out
}

fn digits(pcm: &[i16]) -> String {
    events(pcm, false)
        .into_iter()
        .filter_map(|e| match e {
            InbandEvent::End { digit, .. } => Some(digit),
            InbandEvent::Begin { .. } => None,
        })
        .collect()
}

/// A small deterministic random source (xorshift).
struct Rng(u32);
impl Rng {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        (self.0 as f32 / u32::MAX as f32) * 2.0 - 1.0
    }
}

#[test]
fn every_one_of_the_sixteen_digits_is_detected_once_with_begin_and_end() {
    for d in ALL.chars() {
        let mut pcm = silence(40);
        pcm.extend(tone(d, 100));
        pcm.extend(silence(100));
        let ev = events(&pcm, false);
        assert_eq!(ev.len(), 2, "{d}: {ev:?}");
        assert!(
            matches!(ev[0], InbandEvent::Begin { digit, .. } if digit == d),
            "{ev:?}"
        );
        match ev[1] {
            InbandEvent::End { digit, duration } => {
                assert_eq!(digit, d);
                // 100 ms = 800 samples, counted in whole 102-sample blocks.
                assert!((700..=900).contains(&duration), "{d}: {duration}");
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn a_string_of_digits_with_gaps_comes_out_in_order() {
    let mut pcm = Vec::new();
    for d in "0123456789*#".chars() {
        pcm.extend(tone(d, 80));
        pcm.extend(silence(60));
    }
    assert_eq!(digits(&pcm), "0123456789*#");
}

#[test]
fn begin_is_reported_after_two_hit_blocks_at_the_tone_start() {
    let mut pcm = silence(51); // 408 samples: exactly 4 blocks
    pcm.extend(tone('5', 200));
    let ev = events(&pcm, false);
    match ev.first() {
        Some(InbandEvent::Begin { digit: '5', at }) => assert_eq!(*at, 408),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_tone_shorter_than_two_blocks_is_not_a_digit() {
    let mut pcm = silence(20);
    pcm.extend(tone('7', 20));
    pcm.extend(silence(100));
    assert_eq!(digits(&pcm), "");
    let mut pcm = silence(20);
    pcm.extend(tone('7', 40));
    pcm.extend(silence(100));
    assert_eq!(digits(&pcm), "7");
}

#[test]
fn a_gap_shorter_than_three_blocks_does_not_split_a_digit() {
    let mut pcm = tone('3', 100);
    pcm.extend(silence(20));
    pcm.extend(tone('3', 100));
    pcm.extend(silence(100));
    assert_eq!(digits(&pcm), "3");
    let mut pcm = tone('3', 100);
    pcm.extend(silence(60));
    pcm.extend(tone('3', 100));
    pcm.extend(silence(100));
    assert_eq!(digits(&pcm), "33");
}

#[test]
fn a_digit_changing_without_a_gap_ends_the_first() {
    let mut pcm = tone('1', 100);
    pcm.extend(tone('9', 100));
    pcm.extend(silence(100));
    assert_eq!(digits(&pcm), "19");
}

#[test]
fn normal_twist_up_to_8_db_passes_beyond_fails() {
    // Row (low group) 6 dB above the column: fine; 10 dB: rejected.
    assert_eq!(digits(&pair(770.0, 8000.0, 1336.0, 4000.0, 120)), "5");
    assert_eq!(digits(&pair(770.0, 12600.0, 1336.0, 4000.0, 120)), "");
}

#[test]
fn reverse_twist_is_4_db_or_6_db_relaxed() {
    // Column 3 dB above the row: fine.
    assert_eq!(digits(&pair(770.0, 4000.0, 1336.0, 5650.0, 120)), "5");
    // 5 dB: rejected, unless relaxdtmf.
    let five_db = pair(770.0, 4000.0, 1336.0, 7100.0, 120);
    assert_eq!(digits(&five_db), "");
    let relaxed: Vec<_> = events(&five_db, true);
    assert!(
        relaxed.contains(&InbandEvent::Begin { digit: '5', at: 0 }),
        "{relaxed:?}"
    );
    // 7 dB: rejected even relaxed.
    let seven = pair(770.0, 4000.0, 1336.0, 8950.0, 120);
    assert!(events(&seven, true).is_empty());
}

#[test]
fn a_tone_below_the_threshold_is_ignored() {
    // Amplitude 100 per tone: (100 * 51)^2 = 2.6e7 < 8e7.
    let pcm = pair(697.0, 100.0, 1209.0, 100.0, 200);
    assert_eq!(digits(&pcm), "");
    let pcm = pair(697.0, 400.0, 1209.0, 400.0, 200);
    assert_eq!(digits(&pcm), "1");
}

#[test]
fn a_third_strong_frequency_fails_the_relative_peak_test() {
    // 697 and 770 both strong: two rows.
    let mut pcm = pair(697.0, 6000.0, 1209.0, 6000.0, 200);
    for (n, s) in pcm.iter_mut().enumerate() {
        let t = n as f32 / 8000.0;
        *s = s.saturating_add((5000.0 * (2.0 * PI * 770.0 * t).sin()) as i16);
    }
    assert_eq!(digits(&pcm), "");
}

#[test]
fn random_noise_produces_no_digit() {
    let mut rng = Rng(0x1234_5678);
    for level in [300.0, 3000.0, 20000.0] {
        let pcm: Vec<i16> = (0..8000 * 10)
            .map(|_| (rng.next() * level) as i16)
            .collect();
        assert_eq!(digits(&pcm), "", "noise at {level}");
    }
}

#[test]
fn a_tone_in_loud_noise_fails_the_energy_test() {
    let mut rng = Rng(99);
    let mut pcm = pair(852.0, 3000.0, 1477.0, 3000.0, 200);
    for s in pcm.iter_mut() {
        *s = s.saturating_add((rng.next() * 20000.0) as i16);
    }
    assert_eq!(digits(&pcm), "");
}

#[test]
fn music_and_speech_like_signals_produce_no_digit() {
    // Chords of harmonic notes gliding around the DTMF band, 10 s.
    let notes = [
        220.0f32, 277.2, 329.6, 440.0, 554.4, 659.3, 880.0, 1108.7, 1318.5,
    ];
    let mut pcm = Vec::new();
    for (i, _) in (0..100).enumerate() {
        let a = notes[i % notes.len()];
        let b = notes[(i * 3 + 2) % notes.len()];
        for n in 0..800 {
            let t = n as f32 / 8000.0;
            let mut v = 0.0;
            for h in 1..5 {
                let h = h as f32;
                v += (3000.0 / h) * ((2.0 * PI * a * h * t).sin() + (2.0 * PI * b * h * t).sin());
            }
            pcm.push(v as i16);
        }
    }
    assert_eq!(digits(&pcm), "", "music");
    // Speech-like: a 120 Hz glottal pulse train through two formant resonators, vowels changing.
    let mut rng = Rng(7);
    let formants = [
        (730.0f32, 1090.0f32),
        (270.0, 2290.0),
        (300.0, 870.0),
        (530.0, 1840.0),
        (660.0, 1720.0),
    ];
    let mut pcm = Vec::new();
    for (i, &(f1, f2)) in formants.iter().cycle().take(50).enumerate() {
        let pitch = 100.0 + 40.0 * ((i % 7) as f32 / 7.0);
        for n in 0..1600 {
            let t = n as f32 / 8000.0;
            let mut v = 0.0;
            let mut h = 1.0;
            while pitch * h < 3500.0 {
                let f = pitch * h;
                let g = 1.0 / (1.0 + ((f - f1) / 80.0).powi(2))
                    + 0.6 / (1.0 + ((f - f2) / 120.0).powi(2));
                v += 4000.0 * g * (2.0 * PI * f * t).sin();
                h += 1.0;
            }
            pcm.push((v + rng.next() * 500.0) as i16);
        }
    }
    assert_eq!(digits(&pcm), "", "speech");
}

#[test]
fn samples_may_come_in_any_split() {
    let mut pcm = tone('9', 100);
    pcm.extend(silence(60));
    pcm.extend(tone('#', 100));
    pcm.extend(silence(60));
    let mut d = InbandDetector::new(false);
    let mut got = String::new();
    for s in pcm.chunks(7) {
        d.process(s);
        while let Some(InbandEvent::End { digit, .. } | InbandEvent::Begin { digit, .. }) =
            d.poll_event()
        {
            got.push(digit);
        }
    }
    assert_eq!(got, "99##");
}

#[test]
fn the_generator_makes_tone_then_gap_then_is_done() {
    let mut g = ToneGenerator::new('a', 100, 50).unwrap();
    assert_eq!(g.remaining(), 1200);
    let mut buf = [0i16; 160];
    let mut peak = 0i16;
    let mut frames = 0;
    while !g.is_done() {
        g.fill(&mut buf);
        if frames < 5 {
            peak = peak.max(buf.iter().map(|s| s.saturating_abs()).max().unwrap_or(0));
        } else {
            assert!(buf.iter().all(|&s| s == 0), "the gap is silent");
        }
        frames += 1;
    }
    assert_eq!(frames, 8); // 150 ms of 20 ms frames, rounded up
    assert!(peak > 10_000 && peak <= 14_438, "{peak}");
    assert!(ToneGenerator::new('E', 100, 0).is_none());
    assert_eq!(frequencies('#'), Some((941.0, 1477.0)));
    assert_eq!(frequencies('d'), Some((941.0, 1633.0)));
}
