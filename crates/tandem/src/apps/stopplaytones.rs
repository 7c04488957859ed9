//! StopPlayTones(): `ast_playtones_stop`, which deactivates whatever generator plays on the
//! channel (tones, and music on hold too, as in Asterisk). Always goes on.

use tandem_core::host::Reply;

use super::AppCx;
use crate::media::generator;

pub async fn exec(cx: AppCx<'_>, _args: &str) -> Reply {
    generator::stop(&cx.link.media);
    Reply::Done
}
