//! NoOp(text): does nothing; its (substituted) argument shows in the trace.

use super::{AppCx, Flow};

pub(super) fn exec<H>(_cx: &mut AppCx<'_, H>, _data: &str) -> Flow {
    Flow::Next
}
