//! While(expr) / EndWhile() / ExitWhile() / ContinueWhile() (Asterisk's app_while).
//!
//! While runs the priorities up to its matching EndWhile as long as the expression is true;
//! the matching EndWhile is found by scanning forward and counting nested While/EndWhile.

use tandem_dialplan::model::Target;

use super::{AppCx, Flow};
use crate::channel::WhileLoop;
use crate::goto::check_condition;

fn here<H>(cx: &AppCx<'_, H>) -> WhileLoop {
    WhileLoop {
        context: cx.chan.context.clone(),
        exten: cx.chan.exten.clone(),
        priority: cx.chan.priority,
    }
}

/// The priority of the EndWhile that closes the loop around (or starting at) `from`.
fn matching_endwhile<H>(cx: &AppCx<'_, H>, from: u32) -> Option<u32> {
    let cid = Some(cx.chan.caller.num.as_str()).filter(|c| !c.is_empty());
    let now = cx.shared.now();
    let mut level = 1u32;
    let mut p = from;
    loop {
        p = p.checked_add(1)?;
        let found = cx.dialplan.find(
            &cx.chan.context,
            &cx.chan.exten,
            Target::Priority(p),
            cid,
            now,
        )?;
        let app = found.priority.app.trim();
        if app.eq_ignore_ascii_case("While") {
            level += 1;
        } else if app.eq_ignore_ascii_case("EndWhile") {
            level -= 1;
        }
        if level == 0 {
            return Some(p);
        }
    }
}

/// Leave the loop: continue after the EndWhile that matches, scanning from `from`.
fn leave<H>(cx: &mut AppCx<'_, H>, from: u32) -> Flow {
    match matching_endwhile(cx, from) {
        Some(end) => {
            cx.chan.priority = end.saturating_add(1);
            Flow::Jump
        }
        None => {
            tracing::warn!(
                "Couldn't find matching EndWhile? (While at {}@{} priority {})",
                cx.chan.context,
                cx.chan.exten,
                cx.chan.priority
            );
            Flow::Next
        }
    }
}

pub(super) fn while_<H>(cx: &mut AppCx<'_, H>, data: &str) -> Flow {
    let me = here(cx);
    let running = cx.chan.loops.last() == Some(&me);
    if !check_condition(data) {
        if running {
            cx.chan.loops.pop();
        }
        return leave(cx, me.priority);
    }
    if !running {
        cx.chan.loops.push(me);
    }
    Flow::Next
}

pub(super) fn end_while<H>(cx: &mut AppCx<'_, H>) -> Flow {
    match cx.chan.loops.last() {
        Some(top) => {
            let top = top.clone();
            cx.chan.context = top.context;
            cx.chan.exten = top.exten;
            cx.chan.priority = top.priority;
            Flow::Jump
        }
        None => Flow::Next,
    }
}

pub(super) fn exit_while<H>(cx: &mut AppCx<'_, H>) -> Flow {
    if cx.chan.loops.pop().is_none() {
        tracing::warn!("ExitWhile outside of a While loop");
        return Flow::Next;
    }
    let from = cx.chan.priority;
    leave(cx, from)
}

pub(super) fn continue_while<H>(cx: &mut AppCx<'_, H>) -> Flow {
    end_while(cx)
}
