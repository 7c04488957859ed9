//! Applications that need a real channel and are carried out by the host (Echo, Record,
//! VoiceMail, ...). A host that cannot do one yet says so, and the call goes on.

use super::{AppCx, Flow};
use crate::host::{Host, Reply, Request};

pub(super) async fn exec<H: Host>(cx: &mut AppCx<'_, H>, name: &str, data: &str) -> Flow {
    let request = Request::Application {
        name: name.to_string(),
        args: data.to_string(),
    };
    match cx.host.request(cx.chan, request).await {
        Reply::HungUp => Flow::Hangup,
        Reply::Jump => Flow::Jump,
        Reply::Unsupported => {
            tracing::warn!(
                "{}: application {name} is not available on this channel yet",
                cx.chan.name
            );
            Flow::Next
        }
        _ => Flow::Next,
    }
}
