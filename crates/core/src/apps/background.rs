//! Background(file1[&file2...][,options[,langoverride[,context]]]): play prompts while
//! listening for digits; a dialled extension is entered at once.

use tandem_dialplan::args;

use super::{AppCx, Flow};
use crate::channel::ChannelState;
use crate::digits;
use crate::host::{Host, Reply, Request};

pub(super) async fn exec<H: Host>(cx: &mut AppCx<'_, H>, data: &str) -> Flow {
    let parts = args::split(data, ',');
    let files: Vec<String> = parts
        .first()
        .map(|f| f.split('&').map(str::to_string).collect())
        .unwrap_or_default();
    let options = parts.get(1).map(String::as_str).unwrap_or_default();
    if files.iter().all(|f| f.is_empty()) {
        tracing::warn!("Background requires an argument (filename)");
        return Flow::Hangup;
    }
    // `s`: skip when the channel is not answered; `n`: do not answer.
    if cx.chan.state != ChannelState::Up {
        if options.contains('s') {
            return Flow::Next;
        }
        if !options.contains('n') {
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
    if let Some(context) = parts.get(3).filter(|c| !c.is_empty()) {
        cx.chan.context = context.clone();
    }
    match cx
        .host
        .request(
            cx.chan,
            Request::Play {
                files,
                interrupt: true,
            },
        )
        .await
    {
        Reply::HungUp => Flow::Hangup,
        Reply::Digits(d) if !d.is_empty() => {
            digits::enter(cx.host, cx.dialplan, cx.shared, cx.chan, &d).await
        }
        _ => Flow::Next,
    }
}
