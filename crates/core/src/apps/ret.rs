//! Return([value]): back from a Gosub to the priority after it; LOCAL variables (and the
//! ARGn) are restored; the value lands in GOSUB_RETVAL.

use super::{AppCx, Flow};

pub(super) fn exec<H>(cx: &mut AppCx<'_, H>, data: &str) -> Flow {
    let Some(frame) = cx.chan.stack.pop() else {
        tracing::error!("Return without Gosub: stack is empty");
        return Flow::Hangup;
    };
    for (name, old) in frame.saved.into_iter().rev() {
        match old {
            Some(v) => cx.chan.set_var(&name, &v),
            None => cx.chan.unset_var(&name),
        }
    }
    cx.chan.context = frame.context;
    cx.chan.exten = frame.exten;
    cx.chan.priority = frame.priority;
    cx.chan.set_var("GOSUB_RETVAL", data);
    Flow::Jump
}
