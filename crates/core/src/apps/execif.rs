//! ExecIf(expression?app1(args)[:app2(args)]): run one application or the other.

use super::{split_branches, AppCx, Flow};
use crate::goto::check_condition;
use crate::host::Host;

/// `app(args)` to its name and arguments (the last `)` closes them).
fn split_call(text: &str) -> (&str, &str) {
    match text.find('(') {
        Some(open) => {
            let inner = &text[open + 1..];
            let args = inner
                .strip_suffix(')')
                .unwrap_or_else(|| inner.rfind(')').map_or(inner, |c| &inner[..c]));
            (&text[..open], args)
        }
        None => (text, ""),
    }
}

pub(super) async fn exec<H: Host + Send>(cx: &mut AppCx<'_, H>, data: &str) -> Flow {
    let (cond, on_true, on_false) = split_branches(data);
    if on_true.is_none() {
        tracing::warn!("ExecIf requires an argument: expression?app(args)[:app(args)]");
        return Flow::Hangup;
    }
    let branch = if check_condition(cond.trim()) {
        on_true
    } else {
        on_false
    };
    let Some(call) = branch.map(str::trim).filter(|b| !b.is_empty()) else {
        return Flow::Next;
    };
    let (name, args) = split_call(call);
    let (name, args) = (name.trim().to_string(), args.to_string());
    super::exec(cx, &name, &args).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branches_split_outside_parentheses() {
        assert_eq!(
            split_branches("1?Set(A=a:b):NoOp(x)"),
            ("1", Some("Set(A=a:b)"), Some("NoOp(x)"))
        );
        assert_eq!(split_branches("0?Hangup()"), ("0", Some("Hangup()"), None));
        assert_eq!(split_call("Set(A=(1))"), ("Set", "A=(1)"));
        assert_eq!(split_call("Answer"), ("Answer", ""));
    }
}
