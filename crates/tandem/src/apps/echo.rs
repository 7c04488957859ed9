//! Echo(): see [`crate::media::echo`].

use tandem_core::host::Reply;

use super::AppCx;
use crate::media::echo::{echo, EchoEnd};

pub async fn exec(cx: AppCx<'_>, _args: &str) -> Reply {
    let media = cx.link.media.clone();
    match echo(&media, &mut cx.link.events).await {
        EchoEnd::Pound => Reply::Done,
        EchoEnd::HungUp => Reply::HungUp,
    }
}
