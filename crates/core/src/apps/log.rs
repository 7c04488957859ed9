//! Log(level,message): write to the log at ERROR, WARNING, NOTICE, DEBUG, VERBOSE or DTMF.

use super::{AppCx, Flow};

pub(super) fn exec<H>(cx: &mut AppCx<'_, H>, data: &str) -> Flow {
    let (level, message) = data.split_once(',').unwrap_or((data, ""));
    if message.is_empty() {
        return Flow::Next;
    }
    let chan = &cx.chan.name;
    match level.trim().to_ascii_uppercase().as_str() {
        "ERROR" => tracing::error!(target: "dialplan", "{chan}: {message}"),
        "WARNING" => tracing::warn!(target: "dialplan", "{chan}: {message}"),
        "NOTICE" | "VERBOSE" | "DTMF" => tracing::info!(target: "dialplan", "{chan}: {message}"),
        "DEBUG" => tracing::debug!(target: "dialplan", "{chan}: {message}"),
        other => tracing::warn!("Log: unknown level '{other}'; message: {message}"),
    }
    Flow::Next
}
