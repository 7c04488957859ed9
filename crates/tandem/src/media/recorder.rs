//! Recording a channel: its inbound RTP decoded (PCMU, PCMA, G.722, ...) to 8 kHz signed
//! linear, until a terminator digit, a maximum duration, enough silence, or a hangup, as the
//! loop of Asterisk's `app_record.c` (and `__ast_play_and_record` for VoiceMail).
//!
//! The decisions are sans-IO and tested here: [`SilenceDetector`] is `ast_dsp_silence` (a
//! frame is silent when its average absolute sample is below the threshold; silence is the
//! run of silent milliseconds, reset by any noisy frame), and [`trim`] cuts the tail the way
//! app_record does (a silence end keeps one second of the silence, a digit end drops the last
//! quarter second). The async part only feeds them.

use std::time::Duration;

use tandem_core::ChannelEvent;
use tokio::sync::mpsc;

use super::MediaLeg;

pub mod frames;
use frames::FramePath;

/// The rate recordings are kept at (Asterisk's `wav`: 8 kHz signed linear).
pub const RATE: u32 = 8000;

/// Longest recording kept in memory (an hour), whatever maxduration says.
pub const MAX_SAMPLES: usize = RATE as usize * 3600;

/// dsp.conf's default `silencethreshold`.
pub const DEFAULT_SILENCE_THRESHOLD: u32 = 256;

/// `ast_dsp_silence`: how long the audio has been silent.
#[derive(Debug, Clone)]
pub struct SilenceDetector {
    threshold: u32,
    silent_ms: u64,
}

impl SilenceDetector {
    pub fn new(threshold: u32) -> Self {
        SilenceDetector {
            threshold,
            silent_ms: 0,
        }
    }

    /// Feed one frame at `rate`; returns the milliseconds of silence up to its end.
    pub fn feed(&mut self, frame: &[i16], rate: u32) -> u64 {
        if frame.is_empty() {
            return self.silent_ms;
        }
        let sum: u64 = frame.iter().map(|s| u64::from(s.unsigned_abs())).sum();
        let average = sum / frame.len() as u64;
        if average < u64::from(self.threshold) {
            self.silent_ms += frame.len() as u64 * 1000 / u64::from(rate.max(1));
        } else {
            self.silent_ms = 0;
        }
        self.silent_ms
    }
}

/// Which digits end a recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Terminators {
    /// These digits (Record's `#`, or `*` with `t`; VoiceMail's `#`).
    Digits(String),
    /// Any digit (Record's `y`).
    Any,
}

impl Terminators {
    pub fn ends(&self, digit: char) -> bool {
        match self {
            Terminators::Digits(set) => set.contains(digit),
            Terminators::Any => true,
        }
    }
}

/// How to record.
#[derive(Debug, Clone)]
pub struct RecordSpec {
    pub terminators: Terminators,
    /// `0` ends with [`RecordEnd::Operator`] (Record's `o`, VoiceMail's operator).
    pub operator: bool,
    /// Longest recording; `None` is no limit (still bounded by [`MAX_SAMPLES`]).
    pub max: Option<Duration>,
    /// Milliseconds of silence that end it; 0 is off.
    pub silence_ms: u64,
    pub threshold: u32,
}

impl Default for RecordSpec {
    fn default() -> Self {
        RecordSpec {
            terminators: Terminators::Digits("#".to_string()),
            operator: false,
            max: None,
            silence_ms: 0,
            threshold: DEFAULT_SILENCE_THRESHOLD,
        }
    }
}

/// Why a recording ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordEnd {
    Digit(char),
    Operator,
    Silence,
    Timeout,
    HungUp,
}

/// Cut the tail as app_record does: after a silence end, all but one second of the silence
/// goes (`ast_stream_rewind(s, silence - 1000)`); after a digit, the last 250 ms (a partial
/// DTMF tone); after a timeout or a hangup nothing.
pub fn trim(samples: &mut Vec<i16>, end: RecordEnd, silence_ms: u64) {
    let cut_ms = match end {
        RecordEnd::Silence => silence_ms.saturating_sub(1000),
        RecordEnd::Digit(_) | RecordEnd::Operator => 250,
        RecordEnd::Timeout | RecordEnd::HungUp => 0,
    };
    let cut = usize::try_from(cut_ms * u64::from(RATE) / 1000).unwrap_or(usize::MAX);
    samples.truncate(samples.len().saturating_sub(cut));
}

/// Sleeps until `due` (std time, converted at this boundary), forever when `None`.
async fn sleep_until(due: Option<std::time::Instant>) {
    match due {
        Some(at) => tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await,
        None => std::future::pending().await,
    }
}

/// Appends every frame due at `now` to `samples`; the end when the recording is full or
/// silent long enough.
fn take_due(
    path: &mut FramePath,
    now: std::time::Instant,
    samples: &mut Vec<i16>,
    detector: &mut SilenceDetector,
    spec: &RecordSpec,
) -> Option<RecordEnd> {
    while let Some(frame) = path.pop(now) {
        if frame.is_empty() {
            continue;
        }
        let room = MAX_SAMPLES.saturating_sub(samples.len());
        samples.extend_from_slice(frame.get(..frame.len().min(room)).unwrap_or_default());
        if room <= frame.len() {
            return Some(RecordEnd::Timeout);
        }
        if spec.silence_ms > 0 && detector.feed(frame, RATE) > spec.silence_ms {
            return Some(RecordEnd::Silence);
        }
    }
    None
}

/// Everything still buffered, gaps concealed, up to [`MAX_SAMPLES`].
fn flush(path: &mut FramePath, samples: &mut Vec<i16>) {
    let later = std::time::Instant::now() + Duration::from_secs(3600);
    while let Some(frame) = path.pop(later) {
        let room = MAX_SAMPLES.saturating_sub(samples.len());
        samples.extend_from_slice(frame.get(..frame.len().min(room)).unwrap_or_default());
    }
}

/// Record what `leg` receives until the spec says stop; the samples come back at 8 kHz,
/// already trimmed ([`trim`]). `None` when the leg has no codec tandem can decode.
pub async fn record(
    leg: &MediaLeg,
    events: &mut mpsc::Receiver<ChannelEvent>,
    spec: &RecordSpec,
) -> Option<(RecordEnd, Vec<i16>)> {
    let format = leg.format()?;
    let mut path = FramePath::new(format.payload_type, format.codec)?;
    let mut detector = SilenceDetector::new(spec.threshold);
    let mut samples: Vec<i16> = Vec::new();
    let limit = spec.max.unwrap_or(Duration::from_secs(3600));
    let deadline = tokio::time::sleep(limit);
    tokio::pin!(deadline);
    let mut buf = [0u8; 2048];
    let end = loop {
        let due = path.next_due();
        tokio::select! {
            () = &mut deadline => break RecordEnd::Timeout,
            ev = events.recv() => match ev {
                None | Some(ChannelEvent::Hangup { .. }) => break RecordEnd::HungUp,
                Some(ChannelEvent::Digit('0')) if spec.operator => break RecordEnd::Operator,
                Some(ChannelEvent::Digit(d)) if spec.terminators.ends(d) => {
                    break RecordEnd::Digit(d)
                }
                Some(_) => {}
            },
            got = leg.recv_inbound(&mut buf) => {
                if let Some(n) = got {
                    path.push(std::time::Instant::now(), buf.get(..n).unwrap_or_default());
                }
            }
            () = sleep_until(due) => {}
        }
        let now = std::time::Instant::now();
        if let Some(end) = take_due(&mut path, now, &mut samples, &mut detector, spec) {
            break end;
        }
    };
    // What the buffer still holds was received before a digit, a hangup or the deadline: it
    // belongs to the recording (a silence end came from the audio itself, nothing follows).
    if end != RecordEnd::Silence {
        flush(&mut path, &mut samples);
    }
    trim(&mut samples, end, spec.silence_ms);
    Some((end, samples))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(level: i16) -> Vec<i16> {
        (0..160)
            .map(|i| if i % 2 == 0 { level } else { -level })
            .collect()
    }

    #[test]
    fn silence_accumulates_per_frame_and_noise_resets_it() {
        let mut d = SilenceDetector::new(256);
        assert_eq!(d.feed(&frame(10), 8000), 20);
        assert_eq!(d.feed(&frame(255), 8000), 40);
        assert_eq!(
            d.feed(&frame(256), 8000),
            0,
            "at the threshold is not silence"
        );
        assert_eq!(d.feed(&frame(0), 8000), 20);
        assert_eq!(d.feed(&frame(0)[..80], 8000), 30);
        assert_eq!(d.feed(&[], 8000), 30);
    }

    #[test]
    fn a_lower_threshold_hears_quieter_sound_as_noise() {
        let mut d = SilenceDetector::new(128);
        assert_eq!(d.feed(&frame(200), 8000), 0);
        let mut d = SilenceDetector::new(256);
        assert_eq!(d.feed(&frame(200), 8000), 20);
    }

    #[test]
    fn silence_end_keeps_one_second_of_the_silence() {
        let mut s = vec![1i16; 8000 * 5];
        trim(&mut s, RecordEnd::Silence, 3000);
        assert_eq!(s.len(), 8000 * 3);
        let mut s = vec![1i16; 8000];
        trim(&mut s, RecordEnd::Silence, 1000);
        assert_eq!(s.len(), 8000, "a one-second silence setting cuts nothing");
    }

    #[test]
    fn a_digit_end_drops_a_quarter_second_and_timeout_or_hangup_nothing() {
        let mut s = vec![1i16; 8000];
        trim(&mut s, RecordEnd::Digit('#'), 0);
        assert_eq!(s.len(), 6000);
        let mut s = vec![1i16; 100];
        trim(&mut s, RecordEnd::Digit('#'), 0);
        assert!(s.is_empty());
        for end in [RecordEnd::Timeout, RecordEnd::HungUp] {
            let mut s = vec![1i16; 800];
            trim(&mut s, end, 5000);
            assert_eq!(s.len(), 800);
        }
    }

    #[test]
    fn terminators_are_a_set_or_any_digit() {
        let t = Terminators::Digits("#".into());
        assert!(t.ends('#') && !t.ends('*') && !t.ends('1'));
        assert!(Terminators::Any.ends('7'));
        assert!(!Terminators::Digits(String::new()).ends('#'));
    }
}
