//! A leg's generator: sound made in the background while the dialplan goes on (PlayTones,
//! Milliwatt, music on hold), as Asterisk's `ast_activate_generator`. One per leg: starting
//! one replaces the one playing; Playback, Echo and a new bridge stop it (Asterisk's
//! `ast_openstream` deactivates the generator); while one plays the relay sends nothing to the
//! leg (held party hearing music). The task holds the leg weakly: when the call is gone, the
//! generator ends with it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use tandem_codec::Resampler;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use super::player::{send, Packetizer};
use super::MediaLeg;

/// Samples of one 20 ms frame at 8 kHz: every source makes 8 kHz audio.
pub const FRAME: usize = 160;

/// What a generator plays: 8 kHz frames, `false` once it has nothing more.
pub trait Source: Send + 'static {
    fn fill(&mut self, frame: &mut [i16; FRAME]) -> bool;
}

impl Source for tandem_codec::tones::ToneGen {
    fn fill(&mut self, frame: &mut [i16; FRAME]) -> bool {
        tandem_codec::tones::ToneGen::fill(self, frame)
    }
}

/// Where a channel's music on hold stopped, so it starts there again (res_musiconhold's
/// `save_pos` and `samples` in files mode).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MohPosition {
    pub class: String,
    pub file: usize,
    pub sample: usize,
}

/// The slot on each [`MediaLeg`].
#[derive(Default)]
pub struct Slot {
    task: Mutex<Option<(u64, JoinHandle<()>)>>,
    active: AtomicBool,
    next_id: AtomicU64,
    /// What kind plays (`"moh"`, `"tones"`, ...), for StopMusicOnHold to stop only music.
    kind: Mutex<&'static str>,
    /// This channel's music position.
    pub moh: Arc<Mutex<Option<MohPosition>>>,
}

impl Slot {
    /// A generator plays on this leg (the relay holds its packets back).
    pub fn active(&self) -> bool {
        self.active.load(Ordering::Relaxed)
    }

    /// The kind of generator playing, if any.
    pub fn playing(&self) -> Option<&'static str> {
        self.active()
            .then(|| *self.kind.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some((_, t)) = self.task.get_mut().ok().and_then(Option::take) {
            t.abort();
        }
    }
}

/// Start `source` on `leg` (from inside the runtime), replacing what played.
pub fn start(leg: &Arc<MediaLeg>, kind: &'static str, source: Box<dyn Source>) {
    stop(leg);
    let slot = &leg.generator;
    let id = slot.next_id.fetch_add(1, Ordering::Relaxed);
    *slot.kind.lock().unwrap_or_else(PoisonError::into_inner) = kind;
    slot.active.store(true, Ordering::Relaxed);
    leg.switch_source();
    let task = tokio::spawn(run(Arc::downgrade(leg), id, source));
    *slot.task.lock().unwrap_or_else(PoisonError::into_inner) = Some((id, task));
}

/// Stop the generator of `leg`, if one plays.
pub fn stop(leg: &MediaLeg) {
    let slot = &leg.generator;
    let task = slot
        .task
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    if let Some((_, t)) = task {
        t.abort();
        slot.active.store(false, Ordering::Relaxed);
        // What comes next (relay, prompt) is a new source on the leg's one stream.
        leg.switch_source();
    }
}

/// Stop the generator only if it is of `kind`.
pub fn stop_kind(leg: &MediaLeg, kind: &'static str) {
    if leg.generator.playing() == Some(kind) {
        stop(leg);
    }
}

/// The source ended by itself: clear the slot if it still holds this generator.
fn finished(leg: &MediaLeg, id: u64) {
    let slot = &leg.generator;
    let mut task = slot.task.lock().unwrap_or_else(PoisonError::into_inner);
    if task.as_ref().is_some_and(|(i, _)| *i == id) {
        *task = None;
        slot.active.store(false, Ordering::Relaxed);
    }
}

async fn run(weak: Weak<MediaLeg>, id: u64, mut source: Box<dyn Source>) {
    let (mut packetizer, mut resampler) = {
        let Some(leg) = weak.upgrade() else { return };
        let Some(format) = leg.format() else {
            tracing::warn!("RTP {}: no format to play a generator in", leg.local);
            finished(&leg, id);
            return;
        };
        let seed = u32::from(leg.local.port()).wrapping_mul(2_246_822_519) ^ (id as u32);
        let Ok(p) = Packetizer::new(format, seed ^ 0x6e4e_0000, seed as u16, seed.rotate_left(9))
        else {
            finished(&leg, id);
            return;
        };
        let r = if p.sample_rate() == 8000 {
            None
        } else {
            Resampler::new(8000, p.sample_rate()).ok()
        };
        (p, r)
    };
    let mut ticks = tokio::time::interval(Duration::from_millis(20));
    ticks.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let mut frame = [0i16; FRAME];
    let mut wide = vec![0i16; packetizer.frame_samples().max(FRAME)];
    let mut full = vec![0i16; packetizer.frame_samples()];
    let mut out = [0u8; 1500];
    loop {
        ticks.tick().await;
        let Some(leg) = weak.upgrade() else { return };
        let more = source.fill(&mut frame);
        let pcm: &[i16] = match resampler.as_mut() {
            None => &frame,
            Some(r) => match r.process(&frame, &mut wide) {
                Ok(n) => wide.get(..n).unwrap_or_default(),
                Err(_) => &frame,
            },
        };
        full.iter_mut().for_each(|s| *s = 0);
        let n = pcm.len().min(full.len());
        full.get_mut(..n)
            .unwrap_or_default()
            .copy_from_slice(pcm.get(..n).unwrap_or_default());
        if let Ok(len) = packetizer.packet(&full, &mut out) {
            send(&leg, out.get_mut(..len).unwrap_or_default()).await;
        }
        if !more {
            finished(&leg, id);
            return;
        }
    }
}
