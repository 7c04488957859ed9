//! StartMusicOnHold([class]): res_musiconhold's `start_moh_exec`: the music plays in the
//! background while the dialplan goes on (until StopMusicOnHold, another sound, or a bridge);
//! when it cannot start, a warning and the dialplan goes on.

use tandem_core::host::Reply;

use super::{musiconhold, AppCx};

pub async fn exec(cx: AppCx<'_>, args: &str) -> Reply {
    let class = args.split(',').next().unwrap_or("").trim();
    musiconhold::start(&cx, class);
    Reply::Done
}
