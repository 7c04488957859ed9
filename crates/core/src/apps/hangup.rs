//! Hangup([causecode]): hang up, with a Q.850 cause given by number or name.

use super::{AppCx, Flow};
use crate::cause;
use crate::host::{Host, Request};

pub(super) async fn exec<H: Host>(cx: &mut AppCx<'_, H>, data: &str) -> Flow {
    if !data.trim().is_empty() {
        match cause::parse(data) {
            Some(c) if c > 0 => cx.chan.hangupcause = c,
            _ => tracing::info!("Invalid cause given to Hangup(): \"{data}\""),
        }
    }
    if cx.chan.hangupcause == 0 {
        cx.chan.hangupcause = cause::NORMAL_CLEARING;
    }
    let cause = cx.chan.hangupcause;
    cx.host.request(cx.chan, Request::Hangup { cause }).await;
    Flow::Hangup
}
