//! Gosub([[context,]exten,]priority[(arg1[,...][,argN])]): call a subroutine. The
//! arguments arrive as the LOCAL variables ARG1..ARGn (and ARGC); Return() comes back to the
//! priority after the Gosub.

use tandem_dialplan::args;

use super::{AppCx, Flow};
use crate::channel::Frame;
use crate::env::ChanEnv;
use crate::goto;
use crate::host::Host;

/// Bound on nested Gosub calls.
pub const MAX_DEPTH: usize = 1000;

pub(super) fn exec<H: Host>(cx: &mut AppCx<'_, H>, data: &str) -> Flow {
    if data.is_empty() {
        tracing::error!(
            "Gosub requires an argument: Gosub([[context,]exten,]priority[(arg1[,...][,argN])])"
        );
        return Flow::Hangup;
    }
    call(cx, data)
}

/// Split `label(args)`: the arguments end at the last `)`; they are split without removing
/// quotes (`AST_STANDARD_RAW_ARGS`).
fn split_label(data: &str) -> (&str, Vec<String>) {
    match data.find('(') {
        None => (data, Vec::new()),
        Some(open) => {
            let inner = &data[open + 1..];
            let inner = match inner.rfind(')') {
                Some(close) => &inner[..close],
                None => {
                    tracing::warn!("Ouch.  No closing paren: '{data}'?");
                    inner
                }
            };
            (&data[..open], args::split_raw(inner, ','))
        }
    }
}

/// Shared by Gosub and GosubIf.
pub(super) fn call<H: Host>(cx: &mut AppCx<'_, H>, data: &str) -> Flow {
    if cx.chan.stack.len() >= MAX_DEPTH {
        tracing::error!(
            "Gosub: more than {MAX_DEPTH} nested calls on {}",
            cx.chan.name
        );
        return Flow::Hangup;
    }
    let (label, argv) = split_label(data);
    let target =
        goto::parse(label).and_then(|t| goto::resolve(cx.dialplan, cx.shared, cx.chan, &t));
    let (context, exten, priority) = match target {
        Ok(t) => t,
        Err(e) => {
            tracing::error!("Gosub address is invalid: '{data}' ({e})");
            return Flow::Hangup;
        }
    };
    let cid = Some(cx.chan.caller.num.clone()).filter(|c| !c.is_empty());
    let reachable = cx
        .dialplan
        .find(
            &context,
            &exten,
            tandem_dialplan::model::Target::Priority(priority),
            cid.as_deref(),
            cx.shared.now(),
        )
        .is_some();
    if !reachable {
        tracing::error!(
            "Gosub attempted to reach non-existent destination '{context},{exten},{priority}' from '{},{},{}'.",
            cx.chan.context,
            cx.chan.exten,
            cx.chan.priority
        );
        return Flow::Hangup;
    }
    // Arguments of an outer call that this one does not pass are masked with "".
    let outer_args = cx.chan.stack.last().map_or(0, |f| f.args);
    let nargs = argv.len().max(outer_args);
    cx.chan.stack.push(Frame {
        context: cx.chan.context.clone(),
        exten: cx.chan.exten.clone(),
        priority: cx.chan.priority.saturating_add(1),
        saved: Vec::new(),
        args: nargs,
    });
    {
        let mut env = ChanEnv::new(cx.chan, cx.shared);
        use tandem_dialplan::Env;
        for i in 0..nargs {
            env.set_local(
                &format!("ARG{}", i + 1),
                argv.get(i).map(String::as_str).unwrap_or_default(),
            );
        }
        env.set_local("ARGC", &argv.len().to_string());
    }
    cx.chan.context = context;
    cx.chan.exten = exten;
    cx.chan.priority = priority;
    Flow::Jump
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_and_raw_arguments() {
        let (label, a) = split_label("sub,s,1(one,\"two,three\",(x,y))");
        assert_eq!(label, "sub,s,1");
        assert_eq!(
            a,
            vec![
                "one".to_string(),
                "\"two,three\"".to_string(),
                "(x,y)".to_string()
            ]
        );
        let (label, a) = split_label("sub,s,1");
        assert_eq!(label, "sub,s,1");
        assert!(a.is_empty());
    }
}
