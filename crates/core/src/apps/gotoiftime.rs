//! GotoIfTime(times,weekdays,mdays,months[,timezone]?[labeliftrue][:labeliffalse]).

use tandem_dialplan::timespec::TimeSpec;

use super::{AppCx, Flow};
use crate::host::Host;

pub(super) fn exec<H: Host>(cx: &mut AppCx<'_, H>, data: &str) -> Flow {
    let Some((spec, rest)) = data.split_once('?') else {
        tracing::warn!("GotoIfTime requires an argument: <time range>,<days of week>,<days of month>,<months>[,<timezone>]?'labeliftrue':'labeliffalse'");
        return Flow::Next;
    };
    let (yes, no) = rest.split_once(':').unwrap_or((rest, ""));
    let matched = match TimeSpec::parse(spec.trim()) {
        Ok(ts) => ts.matches(cx.shared.now()),
        Err(e) => {
            tracing::warn!("GotoIfTime: invalid time specification '{spec}': {e}");
            false
        }
    };
    let branch = if matched { yes } else { no };
    if branch.is_empty() {
        return Flow::Next;
    }
    cx.goto_text(branch)
}
