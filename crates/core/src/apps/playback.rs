//! Playback(file1[&file2...][,options]): play prompts; sets PLAYBACKSTATUS.

use tandem_dialplan::args;

use super::{AppCx, Flow};
use crate::channel::ChannelState;
use crate::host::{Host, Reply, Request};

pub(super) async fn exec<H: Host>(cx: &mut AppCx<'_, H>, data: &str) -> Flow {
    let parts = args::split(data, ',');
    let files: Vec<String> = parts
        .first()
        .map(|f| f.split('&').map(str::to_string).collect())
        .unwrap_or_default();
    if files.iter().all(|f| f.is_empty()) {
        tracing::warn!("Playback requires an argument (filename)");
        return Flow::Hangup;
    }
    let options = parts.get(1).map(String::as_str).unwrap_or_default();
    if cx.chan.state != ChannelState::Up {
        if options.contains("skip") {
            cx.chan.set_var("PLAYBACKSTATUS", "SUCCESS");
            return Flow::Next;
        }
        if !options.contains("noanswer") {
            if let Reply::HungUp = cx
                .host
                .request(cx.chan, Request::Answer { delay: None })
                .await
            {
                return Flow::Hangup;
            }
            cx.chan.state = ChannelState::Up;
        }
    }
    match cx
        .host
        .request(
            cx.chan,
            Request::Play {
                files,
                interrupt: false,
            },
        )
        .await
    {
        Reply::HungUp => Flow::Hangup,
        Reply::Unsupported => {
            cx.chan.set_var("PLAYBACKSTATUS", "FAILED");
            Flow::Next
        }
        _ => {
            cx.chan.set_var("PLAYBACKSTATUS", "SUCCESS");
            Flow::Next
        }
    }
}
