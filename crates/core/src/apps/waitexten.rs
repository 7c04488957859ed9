//! WaitExten([seconds][,options]): wait for the caller to dial an extension; a timeout goes
//! to `t`, an unknown extension to `i`.

use tandem_dialplan::args;

use super::{seconds, AppCx, Flow};
use crate::host::{Host, Reply, Request};
use crate::pbx;

pub(super) async fn exec<H: Host>(cx: &mut AppCx<'_, H>, data: &str) -> Flow {
    let parts = args::split(data, ',');
    let timeout = parts
        .first()
        .and_then(|s| seconds(s))
        .filter(|d| !d.is_zero())
        .unwrap_or(std::time::Duration::from_secs(pbx::RESPONSE_TIMEOUT_SECS));
    match cx.host.request(cx.chan, Request::CollectDigits { timeout }).await {
        Reply::HungUp => Flow::Hangup,
        Reply::Digits(d) => pbx::after_digits(cx.dialplan, cx.shared, cx.chan, &d),
        _ => pbx::after_digits(cx.dialplan, cx.shared, cx.chan, ""),
    }
}
