//! Answer([delay]): answer the channel; with a delay in milliseconds, wait that long after.

use super::{AppCx, Flow};
use crate::channel::ChannelState;
use crate::host::{Host, Reply, Request};

pub(super) async fn exec<H: Host>(cx: &mut AppCx<'_, H>, data: &str) -> Flow {
    let first = data.split(',').next().unwrap_or_default().trim();
    let delay = first
        .parse::<u64>()
        .ok()
        .filter(|ms| *ms > 0)
        .map(std::time::Duration::from_millis);
    if cx.chan.state == ChannelState::Up {
        return Flow::Next;
    }
    match cx.host.request(cx.chan, Request::Answer { delay }).await {
        Reply::HungUp => Flow::Hangup,
        _ => {
            cx.chan.state = ChannelState::Up;
            Flow::Next
        }
    }
}
