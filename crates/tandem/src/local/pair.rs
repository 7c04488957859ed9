//! One Local pair at run time: the task that holds the driver ends of both halves and turns
//! what the core asks of one half into what the other half reports (`ast_unreal_*`).

use std::sync::Arc;

use tandem_core::{cause, CallerId, Channel, ChannelCommand, ChannelEvent, Indication};

use super::Target;
use crate::channels::{self, DriverLink, World};
use crate::media::MediaLeg;

/// What `;2` is made of when `;1` is called.
pub struct Half2 {
    pub name: String,
    pub target: Target,
    pub caller: CallerId,
    pub language: String,
    pub musicclass: String,
    pub accountcode: String,
    pub format: Option<String>,
    /// The caller's variables as a dialled channel inherits them (`_X` as `X`, `__X` kept).
    pub vars: Vec<(String, String)>,
    pub media: Arc<MediaLeg>,
}

/// What one half's command means for the other half, if anything (`ast_unreal_indicate`,
/// `ast_unreal_answer`, `ast_unreal_digit_end`, `ast_unreal_hangup`).
pub fn crossing(cmd: &ChannelCommand, from_half2: bool) -> Option<ChannelEvent> {
    match cmd {
        ChannelCommand::Hangup { cause } => Some(ChannelEvent::Hangup { cause: *cause }),
        ChannelCommand::SendDigit(d) => Some(ChannelEvent::Digit(*d)),
        ChannelCommand::Indicate(Indication::Hold) => Some(ChannelEvent::Hold),
        ChannelCommand::Indicate(Indication::Unhold) => Some(ChannelEvent::Unhold),
        // Only the dialplan half answers or rings; Dial on the ;1 side reads these.
        ChannelCommand::Answer if from_half2 => Some(ChannelEvent::Answered),
        ChannelCommand::Indicate(Indication::Ringing) if from_half2 => Some(ChannelEvent::Ringing),
        ChannelCommand::Indicate(Indication::Progress) if from_half2 => {
            Some(ChannelEvent::Progress)
        }
        // Busy()/Congestion() on ;2 end the Dial on ;1 with that status, as app_dial does
        // on AST_CONTROL_BUSY/CONGESTION.
        ChannelCommand::Indicate(Indication::Busy) if from_half2 => Some(ChannelEvent::Hangup {
            cause: cause::USER_BUSY,
        }),
        ChannelCommand::Indicate(Indication::Congestion) if from_half2 => {
            Some(ChannelEvent::Hangup {
                cause: cause::NORMAL_CIRCUIT_CONGESTION,
            })
        }
        _ => None,
    }
}

/// Run the pair until both halves are gone.
pub async fn run(world: Arc<World>, name1: String, mut d1: DriverLink, half2: Half2) {
    // Nothing happens on ;2 until Dial calls ;1 (`local_call`).
    loop {
        match d1.commands.recv().await {
            None | Some(ChannelCommand::Hangup { .. }) => return,
            Some(ChannelCommand::Call { .. }) => break,
            Some(_) => {}
        }
    }
    let (_, uniqueid) = world.shared.new_uniqueid();
    let Half2 {
        name,
        target,
        caller,
        language,
        musicclass,
        accountcode,
        format,
        vars,
        media,
    } = half2;
    let mut chan = Channel::new(name.clone(), uniqueid, &target.context, &target.exten);
    chan.caller = caller;
    chan.caller.dnid = target.exten.clone();
    chan.language = language;
    chan.musicclass = musicclass;
    chan.accountcode = accountcode;
    chan.format = format;
    for (n, v) in &vars {
        chan.set_var(n, v);
    }
    let dialplan = world.shared.dialplan();
    if !tandem_core::pbx::exists(
        &dialplan,
        &world.shared,
        &chan,
        &target.context,
        &target.exten,
    ) {
        tracing::info!(
            "No such extension/context {}@{} while calling Local channel",
            target.exten,
            target.context
        );
        let _ = d1
            .events
            .send(ChannelEvent::Hangup {
                cause: cause::UNALLOCATED,
            })
            .await;
        return;
    }
    let (link2, mut d2) = channels::link(name.clone(), media);
    tracing::info!(
        "{name1}: starting {name} at {}@{}",
        target.exten,
        target.context
    );
    channels::spawn_pbx(world, chan, link2);
    loop {
        tokio::select! {
            cmd = d1.commands.recv() => {
                let cmd = cmd.unwrap_or(ChannelCommand::Hangup { cause: cause::NORMAL_CLEARING });
                if let Some(ev) = crossing(&cmd, false) {
                    let _ = d2.events.send(ev).await;
                }
                if matches!(cmd, ChannelCommand::Hangup { .. }) {
                    return;
                }
            }
            cmd = d2.commands.recv() => {
                let cmd = cmd.unwrap_or(ChannelCommand::Hangup { cause: cause::NORMAL_CLEARING });
                if let Some(ev) = crossing(&cmd, true) {
                    let _ = d1.events.send(ev).await;
                }
                if matches!(cmd, ChannelCommand::Hangup { .. }) {
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answering_half2_answers_half1() {
        assert_eq!(
            crossing(&ChannelCommand::Answer, true),
            Some(ChannelEvent::Answered)
        );
        assert_eq!(crossing(&ChannelCommand::Answer, false), None);
    }

    #[test]
    fn hangup_crosses_both_ways_with_its_cause() {
        for side in [true, false] {
            assert_eq!(
                crossing(&ChannelCommand::Hangup { cause: 17 }, side),
                Some(ChannelEvent::Hangup { cause: 17 })
            );
        }
    }

    #[test]
    fn ringing_progress_busy_and_congestion_go_up_from_half2() {
        let ind = |i| ChannelCommand::Indicate(i);
        assert_eq!(
            crossing(&ind(Indication::Ringing), true),
            Some(ChannelEvent::Ringing)
        );
        assert_eq!(
            crossing(&ind(Indication::Progress), true),
            Some(ChannelEvent::Progress)
        );
        assert_eq!(
            crossing(&ind(Indication::Busy), true),
            Some(ChannelEvent::Hangup {
                cause: cause::USER_BUSY
            })
        );
        assert_eq!(
            crossing(&ind(Indication::Congestion), true),
            Some(ChannelEvent::Hangup {
                cause: cause::NORMAL_CIRCUIT_CONGESTION
            })
        );
        assert_eq!(crossing(&ind(Indication::Ringing), false), None);
    }

    #[test]
    fn digits_and_hold_cross_both_ways() {
        for side in [true, false] {
            assert_eq!(
                crossing(&ChannelCommand::SendDigit('5'), side),
                Some(ChannelEvent::Digit('5'))
            );
            assert_eq!(
                crossing(&ChannelCommand::Indicate(Indication::Hold), side),
                Some(ChannelEvent::Hold)
            );
        }
    }
}
