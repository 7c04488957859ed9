//! PlayTones(arg): as Asterisk's `handle_playtones` (apps/app_playtones.c). `arg` is a tone
//! of the channel's zone in indications.conf (`busy`, `ring`, `congestion`, ...) or else a
//! tone list itself (`350+440`, `!950/330,0`); the tones play in the background while the
//! dialplan goes on, until StopPlayTones, another sound, or the end of a list of `!` parts.
//! An empty argument ("Nothing to play") or a list with no valid part ("Unable to start
//! playtones") hangs the channel up (the application returns -1). It does not answer.

use tandem_codec::tones::{parse_tone_list, ToneGen, DEFAULT_VOLUME};
use tandem_core::host::Reply;

use super::AppCx;
use crate::media::generator;

/// The generator kind of tones.
pub const KIND: &str = "tones";

/// Start `list` (a zone tone name or a tone list) at `volume`; false when nothing can play.
pub fn start(cx: &AppCx<'_>, arg: &str, volume: i32) -> bool {
    // The channel's zone: tandem has no per-channel tonezone yet, so the default zone.
    let list = cx.world.apps.indications.tone(None, arg).unwrap_or(arg);
    let (parts, bad) = parse_tone_list(list);
    for b in bad {
        tracing::error!("{}: Failed to parse tone part '{b}'", cx.link.name);
    }
    let Some(gen) = ToneGen::new(&parts, volume) else {
        tracing::error!("{}: No valid tone parts", cx.link.name);
        return false;
    };
    generator::start(&cx.link.media, KIND, Box::new(gen));
    true
}

pub async fn exec(cx: AppCx<'_>, args: &str) -> Reply {
    if args.is_empty() {
        tracing::info!("{}: PlayTones: Nothing to play", cx.link.name);
        return Reply::HungUp;
    }
    if !start(&cx, args, DEFAULT_VOLUME) {
        tracing::info!("{}: Unable to start playtones", cx.link.name);
        return Reply::HungUp;
    }
    Reply::Done
}
