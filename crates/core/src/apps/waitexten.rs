//! WaitExten([seconds][,options]): wait for the caller to dial an extension; an unknown
//! extension goes to `i`. On a timeout the dialplan continues at the next priority if there
//! is one ("Timeout on %s, continuing..."), else at `t`, else `e`, else it hangs up
//! (`pbx_builtin_waitexten`).

use tandem_dialplan::args;

use super::{seconds, AppCx, Flow};
use crate::host::{Host, Reply, Request};
use crate::{digits, pbx};

pub(super) async fn exec<H: Host>(cx: &mut AppCx<'_, H>, data: &str) -> Flow {
    let parts = args::split(data, ',');
    let timeout = parts
        .first()
        .and_then(|s| seconds(s))
        .filter(|d| !d.is_zero())
        .unwrap_or(std::time::Duration::from_secs(pbx::RESPONSE_TIMEOUT_SECS));
    let digits = match cx
        .host
        .request(cx.chan, Request::CollectDigits { timeout })
        .await
    {
        Reply::HungUp => return Flow::Hangup,
        Reply::Digits(d) => d,
        _ => String::new(),
    };
    if digits.is_empty() && next_priority_exists(cx) {
        tracing::info!("Timeout on {}, continuing...", cx.chan.name);
        return Flow::Next;
    }
    if digits.is_empty() {
        return pbx::after_digits(cx.dialplan, cx.shared, cx.chan, &digits);
    }
    // The digit goes back to the executor, which collects the rest (`dtimeout`).
    digits::enter(cx.host, cx.dialplan, cx.shared, cx.chan, &digits).await
}

fn next_priority_exists<H>(cx: &AppCx<'_, H>) -> bool {
    let cid = Some(cx.chan.caller.num.as_str()).filter(|c| !c.is_empty());
    let next = tandem_dialplan::model::Target::Priority(cx.chan.priority.saturating_add(1));
    cx.dialplan
        .find(&cx.chan.context, &cx.chan.exten, next, cid, cx.shared.now())
        .is_some()
}
