//! Collecting an extension digit by digit, as `collect_digits` in Asterisk's pbx.c: after the
//! first digit (returned by Background, WaitExten or an interrupted Say), keep waiting for
//! another while the digits so far can still match a longer extension
//! (`ast_matchmore_extension`), `dtimeout` (5 s) for each; then the caller goes to the
//! extension, or to `i` ([`crate::pbx::after_digits`]).

use std::time::Duration;

use tandem_dialplan::model::MatchMode;
use tandem_dialplan::Dialplan;

use crate::apps::Flow;
use crate::channel::Channel;
use crate::host::{Host, Reply, Request};
use crate::pbx;
use crate::shared::Shared;

/// `dtimeout`: how long Asterisk waits for each further digit of an extension (5 s, the
/// default of `TIMEOUT(digit)`).
pub const DIGIT_TIMEOUT: Duration = Duration::from_secs(5);

/// Room for an extension (`dst_exten[256]` in `__ast_pbx_run`): digits past it are dropped.
pub const MAX_EXTEN_LEN: usize = 255;

/// `ast_matchmore_extension(c, context, digits, 1, callerid)`.
pub fn matchmore(dialplan: &Dialplan, shared: &Shared, chan: &Channel, digits: &str) -> bool {
    let cid = Some(chan.caller.num.as_str()).filter(|n| !n.is_empty());
    dialplan.matches(
        &chan.context,
        digits,
        cid,
        shared.now(),
        MatchMode::MatchMore,
    )
}

/// `collect_digits(c, waittime, buf, pos)`: starting from `digits`, wait `first_wait` for a
/// digit, then [`DIGIT_TIMEOUT`] for each next one, while the digits can match more. `None`
/// when the channel hung up.
pub async fn collect<H: Host>(
    host: &mut H,
    dialplan: &Dialplan,
    shared: &Shared,
    chan: &mut Channel,
    mut digits: String,
    first_wait: Duration,
) -> Option<String> {
    let mut wait = first_wait;
    while matchmore(dialplan, shared, chan, &digits) {
        let reply = host
            .request(chan, Request::CollectDigits { timeout: wait })
            .await;
        match reply {
            Reply::HungUp => return None,
            Reply::Digits(d) if !d.is_empty() => {
                for c in d.chars() {
                    if digits.len() < MAX_EXTEN_LEN {
                        digits.push(c);
                    }
                }
            }
            // No digit in time: the extension is what was typed.
            _ => break,
        }
        wait = DIGIT_TIMEOUT;
    }
    Some(digits)
}

/// A digit came back from an application (Background, WaitExten, an interrupted Say): collect
/// the rest of the extension and go there, or to `i`.
pub async fn enter<H: Host>(
    host: &mut H,
    dialplan: &Dialplan,
    shared: &Shared,
    chan: &mut Channel,
    first: &str,
) -> Flow {
    match collect(
        host,
        dialplan,
        shared,
        chan,
        first.to_string(),
        DIGIT_TIMEOUT,
    )
    .await
    {
        None => Flow::Hangup,
        Some(d) => pbx::after_digits(dialplan, shared, chan, &d),
    }
}
