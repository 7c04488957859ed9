//! NoCDR(): no call detail record of this channel is posted (app_cdr.c, Asterisk 12 and
//! later: `ast_cdr_set_property(AST_CDR_FLAG_DISABLE_ALL)`).

use super::{AppCx, Flow};
use crate::cdr;

pub(super) fn exec<H>(cx: &mut AppCx<'_, H>, _data: &str) -> Flow {
    cdr::with(&cx.chan.cdr, |set| set.disabled = true);
    Flow::Next
}
