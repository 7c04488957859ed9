//! GosubIf(condition?labeliftrue[(args)][:labeliffalse[(args)]]).

use super::{gosub, split_branches, AppCx, Flow};
use crate::goto::check_condition;
use crate::host::Host;

pub(super) fn exec<H: Host>(cx: &mut AppCx<'_, H>, data: &str) -> Flow {
    if data.is_empty() || !data.contains('?') {
        tracing::warn!("GosubIf requires an argument: GosubIf(cond?label1(args):label2(args))");
        return Flow::Next;
    }
    let (cond, yes, no) = split_branches(data);
    let branch = if check_condition(cond) { yes } else { no };
    match branch.filter(|b| !b.is_empty()) {
        Some(b) => gosub::call(cx, b),
        None => Flow::Next,
    }
}
