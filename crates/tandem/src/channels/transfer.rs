//! The transfer features of a bridge on real channels (Asterisk's `bridge_basic.c`): the
//! transferer hears `pbx-transfer` and dials the target (`grab_transfer`, `ast_app_dtget`);
//! an attended transfer calls the target as `Local/EXT@CONTEXT` and lets the transferer talk
//! to it ([`consult`]); two parties left together after a transfer get a bridge of their own
//! ([`spawn_pair`]). The transferee meanwhile is on hold (music, started by the bridge); what
//! it sends is read and dropped.

use std::sync::Arc;
use std::time::Duration;

use tandem_conf::views::FeaturesConf;
use tandem_core::{cause, Channel, ChannelCommand, ChannelEvent, Indication};
use tandem_dialplan::model::MatchMode;
use tokio::time::Instant;

use super::bridged::{pass_on, send_due};
use super::features::{consult_codes, Feature, Matcher, Step};
use super::replay::Replay;
use super::{ChannelLink, ChannelRow, OutboundRequest, World};
use crate::media::player::{PlayEnd, Player};
use crate::media::{self, generator, sounds, wav};

/// `transferdialattempts` (Asterisk's default; not read from features.conf yet).
const DIAL_ATTEMPTS: u32 = 3;
/// `ast_app_dtget`'s bound on the target's length (the size of Asterisk's exten buffer).
const MAX_EXTEN: usize = 79;
/// Asterisk's `transferretrysound` and `transferinvalidsound` defaults.
const RETRY_SOUND: &str = "pbx-invalid";
const INVALID_SOUND: &str = "privacy-incorrect";

/// The generator kind of the dial tone (the same kind as PlayTones, as `ast_playtones_start`).
const TONES: &str = "tones";

/// `ast_app_dtget`'s dial tone: the `dial` tone of the default zone of indications.conf.
fn start_dial_tone(world: &World, x: &ChannelLink) {
    let Some(list) = world.apps.indications.tone(None, "dial") else {
        return;
    };
    let (parts, _) = tandem_codec::tones::parse_tone_list(list);
    if let Some(gen) =
        tandem_codec::tones::ToneGen::new(&parts, tandem_codec::tones::DEFAULT_VOLUME)
    {
        generator::start(&x.media, TONES, Box::new(gen));
    }
}

/// What a party did while the other waited.
#[derive(Debug, PartialEq, Eq)]
pub enum Grab {
    /// The transferer dialled an extension that exists in the transfer context.
    Exten(String),
    /// No valid extension after every attempt: back to the call.
    Invalid,
    TransfererGone,
    TransfereeGone,
}

/// Wait until `y` hangs up, reading and dropping its audio and events (on hold).
async fn held(y: &mut ChannelLink) {
    let media = y.media.clone();
    let mut buf = [0u8; 2048];
    loop {
        tokio::select! {
            _ = media.recv_inbound(&mut buf) => {}
            ev = y.events.recv() => match ev {
                None | Some(ChannelEvent::Hangup { .. }) => return,
                Some(_) => {}
            },
        }
    }
}

/// The next digit `x` sends (its audio read so RFC 4733 digits become events); `None` when
/// it hangs up.
async fn digit(x: &mut ChannelLink) -> Option<char> {
    let media = x.media.clone();
    let mut buf = [0u8; 2048];
    loop {
        tokio::select! {
            _ = media.recv_inbound(&mut buf) => {}
            ev = x.events.recv() => match ev {
                None | Some(ChannelEvent::Hangup { .. }) => return None,
                Some(ChannelEvent::Digit(d)) => return Some(d),
                Some(_) => {}
            },
        }
    }
}

enum Heard {
    Done,
    Digit(char),
    TransfererGone,
    TransfereeGone,
}

/// Play `name` to `x` (a digit stops it when `interrupt`), watching `y` for a hangup.
async fn play(x: &mut ChannelLink, y: &mut ChannelLink, name: &str, interrupt: bool) -> Heard {
    let Some(format) = x.media.format() else {
        return Heard::Done;
    };
    let Some((path, file_format)) = sounds::find(name, "en", format.codec, &sounds::search_dirs())
    else {
        tracing::warn!("{}: File {name} does not exist in any format", x.name);
        return Heard::Done;
    };
    let pcm = match tokio::fs::read(&path).await {
        Ok(bytes) if bytes.len() <= wav::MAX_FILE_BYTES => match wav::decode(file_format, &bytes) {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!("{}: {}: {e}", x.name, path.display());
                return Heard::Done;
            }
        },
        _ => return Heard::Done,
    };
    let Some(mut player) = Player::new(&x.media) else {
        return Heard::Done;
    };
    let media = x.media.clone();
    tokio::select! {
        end = player.play(&media, &pcm, &mut x.events, interrupt) => match end {
            PlayEnd::Finished => Heard::Done,
            PlayEnd::Digit(d) => Heard::Digit(d),
            PlayEnd::HungUp | PlayEnd::Redirect(_) => Heard::TransfererGone,
        },
        () = held(y) => Heard::TransfereeGone,
    }
}

/// `grab_transfer`: `pbx-transfer` to the transferer `x` (a digit stops it and is the first
/// of the target), then `ast_app_dtget`: digits until `#`, a `transferdigittimeout` gap, or
/// no longer extension could match; the target must exist in `context`. An invalid target
/// gets `pbx-invalid` and another try, `transferdialattempts` in all, then
/// `privacy-incorrect`. The transferee `y` is watched for a hangup throughout.
pub async fn grab(
    world: &World,
    conf: &FeaturesConf,
    x: &mut ChannelLink,
    y: &mut ChannelLink,
    context: &str,
    callerid: Option<&str>,
) -> Grab {
    let mut exten = String::new();
    match play(x, y, "pbx-transfer", true).await {
        Heard::Digit(d) => exten.push(d),
        Heard::TransfererGone => return Grab::TransfererGone,
        Heard::TransfereeGone => return Grab::TransfereeGone,
        Heard::Done => {}
    }
    let timeout = Duration::from_secs(u64::from(conf.transferdigittimeout_s.max(1)));
    let dialplan = world.shared.dialplan();
    for attempt in 1..=DIAL_ATTEMPTS {
        // Dial tone until the first digit (or the first wait ends).
        start_dial_tone(world, x);
        while exten.len() < MAX_EXTEN {
            let got = tokio::select! {
                () = tokio::time::sleep(timeout) => None,
                d = digit(x) => Some(d),
                () = held(y) => {
                    generator::stop_kind(&x.media, TONES);
                    return Grab::TransfereeGone;
                }
            };
            generator::stop_kind(&x.media, TONES);
            let Some(got) = got else {
                break;
            };
            let Some(d) = got else {
                return Grab::TransfererGone;
            };
            if d == '#' {
                break;
            }
            exten.push(d);
            let now = world.shared.now();
            if !dialplan.matches(context, &exten, callerid, now, MatchMode::MatchMore) {
                break;
            }
        }
        if !exten.is_empty() && dialplan.exists(context, &exten, callerid, world.shared.now()) {
            tracing::info!("{}: transfer target {exten}@{context}", x.name);
            return Grab::Exten(exten);
        }
        tracing::info!("{}: no transfer target '{exten}' in {context}", x.name);
        let sound = if attempt < DIAL_ATTEMPTS {
            RETRY_SOUND
        } else {
            INVALID_SOUND
        };
        match play(x, y, sound, false).await {
            Heard::TransfererGone => return Grab::TransfererGone,
            Heard::TransfereeGone => return Grab::TransfereeGone,
            _ => {}
        }
        exten.clear();
    }
    Grab::Invalid
}

/// Call `Local/EXT@CONTEXT` for an attended transfer (`dial_transfer`), on behalf of `chan`.
pub fn originate_target(
    world: &World,
    chan: &Channel,
    exten: &str,
    context: &str,
) -> Option<ChannelLink> {
    let resource = format!("{exten}@{context}");
    let link = {
        let registry = world
            .registry
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let driver = registry.get("Local")?;
        driver
            .request(&OutboundRequest {
                resource: &resource,
                caller: chan,
            })
            .ok()?
    };
    link.commands
        .try_send(ChannelCommand::Call { timeout_ms: None })
        .ok()?;
    world.channels.add(
        &link.name,
        ChannelRow {
            location: "(None)".into(),
            state: "Ring",
            application: "AppDial((Outgoing Line))".into(),
            outbound: true,
        },
    );
    tracing::info!("{}: attended transfer calls {}", chan.name, link.name);
    Some(link)
}

/// How the consultation of an attended transfer ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Consult {
    /// Join the transferee and the target. `transferer_gone`: the transferer hung up (else
    /// it dialled `atxfercomplete` and must be hung up). `ring_until`: the target has not
    /// answered yet (a "blond" transfer) and gets until then.
    Complete {
        transferer_gone: bool,
        ring_until: Option<Instant>,
    },
    /// The target failed, did not answer in `atxfernoanswertimeout`, or the transferer
    /// dialled `atxferabort`: the transferer goes back to the transferee.
    Back,
    /// The transferee hung up: the transferer and the target stay together.
    TransfereeGone { ring_until: Option<Instant> },
}

/// The transferer `x` talks to the target `t` while `y` waits.
pub async fn consult(
    conf: &FeaturesConf,
    x: &mut ChannelLink,
    y: &mut ChannelLink,
    t: &mut ChannelLink,
) -> Consult {
    let mut codes = Matcher::new(
        consult_codes(conf),
        Duration::from_millis(u64::from(conf.featuredigittimeout_ms)),
    );
    // The transferer's digits are held back as in the bridge: what no code took goes on.
    let holding = codes.has_codes();
    let _relay = media::bridge_holding(x.media.clone(), t.media.clone(), (holding, false));
    let mut to_target = Replay::default();
    let deadline = Instant::now() + Duration::from_secs(u64::from(conf.atxfernoanswertimeout_s));
    let mut answered = false;
    let far = Instant::now() + Duration::from_secs(86_400 * 365);
    loop {
        let ring_until = (!answered).then_some(deadline);
        let code_deadline = [codes.poll_timeout(), to_target.poll_timeout()]
            .into_iter()
            .flatten()
            .min()
            .map(Instant::from_std)
            .unwrap_or(far);
        tokio::select! {
            () = tokio::time::sleep_until(deadline), if !answered => {
                tracing::info!("{}: transfer target did not answer", x.name);
                hang_up(t, cause::NO_ANSWER).await;
                return Consult::Back;
            }
            () = tokio::time::sleep_until(code_deadline) => {
                if let Some(p) = codes.handle_timeout(std::time::Instant::now()) {
                    pass_on(x, t, holding, &p, &mut to_target).await;
                }
                send_due(&mut to_target, t).await;
            }
            ev = x.events.recv() => match ev {
                None | Some(ChannelEvent::Hangup { .. }) => {
                    return Consult::Complete { transferer_gone: true, ring_until };
                }
                Some(ChannelEvent::Digit(d)) => match codes.handle_digit(std::time::Instant::now(), d) {
                    Step::Run(Feature::AbortTransfer) => {
                        hang_up(t, cause::NORMAL_CLEARING).await;
                        return Consult::Back;
                    }
                    Step::Run(Feature::CompleteTransfer) => {
                        return Consult::Complete { transferer_gone: false, ring_until };
                    }
                    Step::Pass(p) => pass_on(x, t, holding, &p, &mut to_target).await,
                    Step::Run(_) | Step::Wait => {}
                },
                Some(_) => {}
            },
            ev = t.events.recv() => match ev {
                None | Some(ChannelEvent::Hangup { .. }) => {
                    tracing::info!("{}: transfer target {} hung up", x.name, t.name);
                    return Consult::Back;
                }
                Some(ChannelEvent::Answered) => answered = true,
                Some(_) => {}
            },
            () = held(y) => return Consult::TransfereeGone { ring_until },
        }
    }
}

/// Hang a party up (its driver does the rest).
pub async fn hang_up(link: &ChannelLink, cause: u16) {
    let _ = link.commands.send(ChannelCommand::Hangup { cause }).await;
}

/// Two parties left together after a transfer: relay their media until one hangs up, then
/// hang up the other; `b` may still be ringing until `ring_until`.
pub fn spawn_pair(
    world: Arc<World>,
    mut a: ChannelLink,
    mut b: ChannelLink,
    ring_until: Option<Instant>,
) {
    tokio::spawn(async move {
        tracing::info!("{} and {} are bridged", a.name, b.name);
        let _relay = media::bridge(a.media.clone(), b.media.clone());
        let mut ring_until = ring_until;
        let far = Instant::now() + Duration::from_secs(86_400 * 365);
        loop {
            tokio::select! {
                () = tokio::time::sleep_until(ring_until.unwrap_or(far)) => {
                    hang_up(&b, cause::NO_ANSWER).await;
                    hang_up(&a, cause::NORMAL_CLEARING).await;
                    break;
                }
                ev = a.events.recv() => match ev {
                    None | Some(ChannelEvent::Hangup { .. }) => {
                        hang_up(&b, cause::NORMAL_CLEARING).await;
                        break;
                    }
                    Some(ChannelEvent::Hold) => pass(&b, Indication::Hold).await,
                    Some(ChannelEvent::Unhold) => pass(&b, Indication::Unhold).await,
                    Some(_) => {}
                },
                ev = b.events.recv() => match ev {
                    None | Some(ChannelEvent::Hangup { .. }) => {
                        hang_up(&a, cause::NORMAL_CLEARING).await;
                        break;
                    }
                    Some(ChannelEvent::Answered) => ring_until = None,
                    Some(ChannelEvent::Hold) => pass(&a, Indication::Hold).await,
                    Some(ChannelEvent::Unhold) => pass(&a, Indication::Unhold).await,
                    Some(_) => {}
                },
            }
        }
        world.channels.remove(&a.name);
        world.channels.remove(&b.name);
    });
}

async fn pass(to: &ChannelLink, indication: Indication) {
    let _ = to.commands.send(ChannelCommand::Indicate(indication)).await;
}

#[cfg(test)]
mod tests;
