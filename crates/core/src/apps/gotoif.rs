//! GotoIf(condition?[labeliftrue][:labeliffalse]): the condition is split at the first `?`,
//! the branches at the first `:` after it (`pbx_builtin_gotoif`); an empty branch goes on.

use super::{AppCx, Flow};
use crate::goto::check_condition;
use crate::host::Host;

pub(super) fn exec<H: Host>(cx: &mut AppCx<'_, H>, data: &str) -> Flow {
    if data.is_empty() {
        tracing::warn!("GotoIf requires an argument (condition?iftrue:iffalse)");
        return Flow::Next;
    }
    let (cond, rest) = data.split_once('?').unwrap_or((data, ""));
    let (yes, no) = rest.split_once(':').unwrap_or((rest, ""));
    let branch = if check_condition(cond) { yes } else { no };
    if branch.is_empty() {
        return Flow::Next;
    }
    cx.goto_text(branch)
}
