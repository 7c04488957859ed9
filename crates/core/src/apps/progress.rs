//! Progress(): indicate progress (early media) to the caller.

use super::{AppCx, Flow};
use crate::command::Indication;
use crate::host::{Host, Reply, Request};

pub(super) async fn exec<H: Host>(cx: &mut AppCx<'_, H>, _data: &str) -> Flow {
    match cx
        .host
        .request(cx.chan, Request::Indicate(Indication::Progress))
        .await
    {
        Reply::HungUp => Flow::Hangup,
        _ => Flow::Next,
    }
}
