//! StopMusicOnHold(): `ast_moh_stop`; always goes on.

use tandem_core::host::Reply;

use super::AppCx;
use crate::media::moh;

pub async fn exec(cx: AppCx<'_>, _args: &str) -> Reply {
    moh::stop(&cx.link.media);
    Reply::Done
}
