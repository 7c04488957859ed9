//! ResetCDR([options]): the live record starts again now (app_cdr.c / `ast_cdr_reset`):
//! start is now, answer is now if the channel is up, end and disposition are cleared, the
//! custom CDR variables go unless option `v`; option `e` re-enables CDRs after NoCDR().

use super::{AppCx, Flow};
use crate::cdr;
use crate::channel::ChannelState;

pub(super) fn exec<H>(cx: &mut AppCx<'_, H>, data: &str) -> Flow {
    let options = data.trim();
    let keep_vars = options.contains('v');
    let enable = options.contains('e');
    let now_ms = cx.shared.now().epoch.saturating_mul(1000);
    let up = cx.chan.state == ChannelState::Up;
    cdr::with(&cx.chan.cdr, |set| {
        if enable {
            set.disabled = false;
        }
        set.reset(now_ms, up, keep_vars);
    });
    Flow::Next
}
