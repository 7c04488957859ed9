//! Wait(seconds): wait, fractions allowed; a hangup ends the wait and the call.

use super::{seconds, AppCx, Flow};
use crate::host::{Host, Reply, Request};

pub(super) async fn exec<H: Host>(cx: &mut AppCx<'_, H>, data: &str) -> Flow {
    let Some(d) = seconds(data) else {
        tracing::warn!("Wait requires an argument (number of seconds), got '{data}'");
        return Flow::Next;
    };
    match cx.host.request(cx.chan, Request::Wait(d)).await {
        Reply::HungUp => Flow::Hangup,
        _ => Flow::Next,
    }
}
