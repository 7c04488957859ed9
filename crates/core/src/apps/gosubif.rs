//! GosubIf(condition?labeliftrue[(args)][:labeliffalse[(args)]]).

use super::{gosub, AppCx, Flow};
use crate::goto::check_condition;
use crate::host::Host;

/// Split at the `?` and the first `:` outside parentheses.
fn branches(data: &str) -> (&str, &str, &str) {
    let Some(q) = data.find('?') else {
        return (data, "", "");
    };
    let (cond, rest) = (&data[..q], &data[q + 1..]);
    let mut depth = 0i32;
    for (i, c) in rest.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ':' if depth <= 0 => return (cond, &rest[..i], &rest[i + 1..]),
            _ => {}
        }
    }
    (cond, rest, "")
}

pub(super) fn exec<H: Host>(cx: &mut AppCx<'_, H>, data: &str) -> Flow {
    if data.is_empty() || !data.contains('?') {
        tracing::warn!("GosubIf requires an argument: GosubIf(cond?label1(args):label2(args))");
        return Flow::Next;
    }
    let (cond, yes, no) = branches(data);
    let branch = if check_condition(cond) { yes } else { no };
    if branch.is_empty() {
        return Flow::Next;
    }
    gosub::call(cx, branch)
}
