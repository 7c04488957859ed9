//! Test signals and measurements shared by the unit tests.

/// `n` samples of a sine at `freq` Hz, sampled at `rate`, peak `amplitude`.
pub fn tone(freq: f64, rate: u32, n: usize, amplitude: f64) -> Vec<i16> {
    (0..n)
        .map(|i| {
            let t = i as f64 / rate as f64;
            (amplitude * (2.0 * std::f64::consts::PI * freq * t).sin()).round() as i16
        })
        .collect()
}

/// Least-squares fit of a sine and cosine at `freq` to `signal`: returns the fitted peak
/// amplitude and the ratio, in dB, of the fitted tone's power to what is left over. Insensitive
/// to delay, so it measures codecs and filters without aligning their output.
pub fn tone_fit(signal: &[i16], freq: f64, rate: u32) -> (f64, f64) {
    let w = 2.0 * std::f64::consts::PI * freq / rate as f64;
    let (mut ss, mut cc, mut sc, mut xs, mut xc) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (i, &x) in signal.iter().enumerate() {
        let (s, c) = (w * i as f64).sin_cos();
        let x = x as f64;
        ss += s * s;
        cc += c * c;
        sc += s * c;
        xs += x * s;
        xc += x * c;
    }
    let det = ss * cc - sc * sc;
    let a = (xs * cc - xc * sc) / det;
    let b = (xc * ss - xs * sc) / det;
    let mut fitted = 0.0;
    let mut residual = 0.0;
    for (i, &x) in signal.iter().enumerate() {
        let (s, c) = (w * i as f64).sin_cos();
        let y = a * s + b * c;
        fitted += y * y;
        residual += (x as f64 - y).powi(2);
    }
    (
        (a * a + b * b).sqrt(),
        10.0 * (fitted / residual.max(1e-9)).log10(),
    )
}

/// Root mean square of `signal`.
pub fn rms(signal: &[i16]) -> f64 {
    let sum: f64 = signal.iter().map(|&x| (x as f64).powi(2)).sum();
    (sum / signal.len().max(1) as f64).sqrt()
}

/// Signal-to-noise ratio of `actual` against `expected` (same length, aligned), in dB.
pub fn snr_db(expected: &[i16], actual: &[i16]) -> f64 {
    let signal: f64 = expected.iter().map(|&x| (x as f64).powi(2)).sum();
    let noise: f64 = expected
        .iter()
        .zip(actual)
        .map(|(&e, &a)| (e as f64 - a as f64).powi(2))
        .sum();
    10.0 * (signal / noise.max(1e-9)).log10()
}
