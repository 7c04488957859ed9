//! Congestion([timeout]): signal congestion, wait for the caller to hang up (at most
//! `timeout` seconds), then hang up.

use super::{seconds, AppCx, Flow};
use crate::cause;
use crate::command::Indication;
use crate::host::{Host, Request};

pub(super) async fn exec<H: Host>(cx: &mut AppCx<'_, H>, data: &str) -> Flow {
    cx.chan.hangupcause = cause::NORMAL_CIRCUIT_CONGESTION;
    let timeout = seconds(data).filter(|d| !d.is_zero());
    cx.host
        .request(
            cx.chan,
            Request::IndicateAndWait {
                indication: Indication::Congestion,
                timeout,
            },
        )
        .await;
    Flow::Hangup
}
