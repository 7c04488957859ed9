//! Applications carried out on a real channel (the core passes them through as
//! [`Request::Application`](tandem_core::host::Request::Application)): one file each. Each
//! gets the channel (its variables, to set `RECORD_STATUS`, `VMSTATUS`, ...), its link (media
//! leg, commands, events) and the world (store, configuration), and answers like any request:
//! [`Reply::Done`] goes on, [`Reply::HungUp`] ends the call, [`Reply::Jump`] runs the
//! dialplan where the application moved the channel.

use std::sync::Arc;

use tandem_core::host::Reply;
use tandem_core::Channel;

use crate::channels::{ChannelLink, World};

mod background;
pub mod conf;
mod echo;
mod milliwatt;
mod musiconhold;
mod playtones;
pub mod prompt;
mod record;
mod senddtmf;
mod startmusiconhold;
mod stopmusiconhold;
mod stopplaytones;
mod vm_menu;
pub mod vm_spool;
mod voicemail;
mod voicemailmain;

pub use conf::Confs;

/// What an application runs with.
pub struct AppCx<'a> {
    pub world: &'a Arc<World>,
    pub link: &'a mut ChannelLink,
    pub chan: &'a mut Channel,
}

/// Run application `name` with `args` (after substitution); `None` when this host does not
/// carry it out (the call goes on with a warning).
pub async fn run(cx: AppCx<'_>, name: &str, args: &str) -> Option<Reply> {
    let lower = name.to_ascii_lowercase();
    Some(match lower.as_str() {
        "echo" => echo::exec(cx, args).await,
        "record" => record::exec(cx, args).await,
        "senddtmf" => senddtmf::exec(cx, args).await,
        "voicemail" => voicemail::exec(cx, args).await,
        "voicemailmain" => voicemailmain::exec(cx, args).await,
        "playtones" => playtones::exec(cx, args).await,
        "stopplaytones" => stopplaytones::exec(cx, args).await,
        "milliwatt" => milliwatt::exec(cx, args).await,
        "musiconhold" => musiconhold::exec(cx, args).await,
        "startmusiconhold" => startmusiconhold::exec(cx, args).await,
        "stopmusiconhold" => stopmusiconhold::exec(cx, args).await,
        _ => return None,
    })
}
