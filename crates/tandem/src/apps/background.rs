//! What the background-sound applications (PlayTones, Milliwatt, MusicOnHold) share:
//! answering the channel and waiting on it as Asterisk's `ast_safe_sleep` (until a hangup or
//! the time is up; digits and other events are read and dropped).

use std::time::Duration;

use tandem_core::{ChannelCommand, ChannelEvent, ChannelState};

use super::AppCx;

/// `ast_answer` when the channel is not up yet.
pub async fn answer(cx: &mut AppCx<'_>) {
    if cx.chan.state == ChannelState::Up {
        return;
    }
    let _ = cx.link.commands.send(ChannelCommand::Answer).await;
    cx.chan.state = ChannelState::Up;
    cx.world.channels.update(&cx.link.name, |r| r.state = "Up");
}

/// Wait `time` (for ever with `None`); true when the channel hung up.
pub async fn sleep(cx: &mut AppCx<'_>, time: Option<Duration>) -> bool {
    let wait = async {
        loop {
            match cx.link.events.recv().await {
                None | Some(ChannelEvent::Hangup { .. }) => return true,
                Some(_) => {}
            }
        }
    };
    match time {
        Some(t) => tokio::time::timeout(t, wait).await.unwrap_or(false),
        None => wait.await,
    }
}
