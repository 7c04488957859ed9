//! Goto([[context,]extension,]priority): go there. A label that does not exist hangs up.

use super::{AppCx, Flow};
use crate::host::Host;

pub(super) fn exec<H: Host>(cx: &mut AppCx<'_, H>, data: &str) -> Flow {
    if data.is_empty() {
        tracing::warn!("Goto requires an argument ([[context,]extension,]priority)");
        return Flow::Hangup;
    }
    cx.goto_text(data)
}
