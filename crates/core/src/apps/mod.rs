//! Dialplan applications, one file each, and the closed set of their names.
//!
//! An application gets the channel with its surroundings ([`AppCx`]) and its arguments after
//! substitution, and says where the dialplan goes next ([`Flow`]).

use std::future::Future;
use std::pin::Pin;

use tandem_dialplan::Dialplan;

use crate::channel::Channel;
use crate::env::ChanEnv;
use crate::goto;
use crate::host::Host;
use crate::shared::Shared;

mod answer;
mod background;
mod busy;
mod congestion;
mod dial;
mod execif;
mod gosub;
mod gosubif;
mod goto_app;
mod gotoif;
mod gotoiftime;
mod hangup;
mod log;
mod mset;
mod nocdr;
mod noop;
mod passthrough;
mod playback;
mod progress;
mod read;
mod resetcdr;
mod ret;
mod ringing;
mod sayalpha;
mod saydigits;
mod saynumber;
mod set;
mod verbose;
mod wait;
mod waitexten;
mod while_loop;

pub use dial::parse_dial;
pub use set::write_function;

/// Where the dialplan goes after an application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// On to the next priority.
    Next,
    /// The application moved the channel (Goto, Gosub, ...): run where it now is.
    Jump,
    /// Hang up.
    Hangup,
}

/// What an application runs with.
pub struct AppCx<'a, H> {
    pub chan: &'a mut Channel,
    pub shared: &'a Shared,
    pub dialplan: &'a Dialplan,
    pub host: &'a mut H,
}

impl<H> AppCx<'_, H> {
    pub fn env(&mut self) -> ChanEnv<'_> {
        ChanEnv::new(self.chan, self.shared)
    }

    /// Goto a `[[context,]exten,]priority` text (`pbx_builtin_goto`): an unknown label or a
    /// bad priority hangs up, as in Asterisk.
    pub fn goto_text(&mut self, text: &str) -> Flow {
        let resolved = goto::parse(text)
            .and_then(|t| goto::resolve(self.dialplan, self.shared, self.chan, &t));
        match resolved {
            Ok((context, exten, priority)) => {
                tracing::debug!("Goto ({context},{exten},{priority})");
                self.chan.context = context;
                self.chan.exten = exten;
                self.chan.priority = priority;
                Flow::Jump
            }
            Err(e) => {
                tracing::warn!("{}: {e}", self.chan.name);
                Flow::Hangup
            }
        }
    }
}

/// The applications tandem knows. Names are matched case-insensitively, as Asterisk does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum App {
    Answer,
    Background,
    Busy,
    Congestion,
    ContinueWhile,
    Dial,
    EndWhile,
    ExecIf,
    ExitWhile,
    Gosub,
    GosubIf,
    Goto,
    GotoIf,
    GotoIfTime,
    Hangup,
    Log,
    MSet,
    NoCdr,
    NoOp,
    Playback,
    Progress,
    Read,
    ResetCdr,
    Return,
    Ringing,
    SayAlpha,
    SayDigits,
    SayNumber,
    Set,
    Verbose,
    Wait,
    WaitExten,
    While,
    /// Applications that need a real channel and are carried out by the host (`Echo`,
    /// `Record`, `VoiceMail`, ...).
    Channel(&'static str),
}

/// Applications whose work is done by the host on a real channel; `dialplan run` prints
/// them and goes on.
const CHANNEL_APPS: &[&str] = &[
    "Echo",
    "Record",
    "SayUnixTime",
    "VoiceMail",
    "VoiceMailMain",
    "MusicOnHold",
    "StartMusicOnHold",
    "StopMusicOnHold",
    "SendDTMF",
    "Milliwatt",
    "Queue",
    "ConfBridge",
    "MixMonitor",
    "Directory",
    "Transfer",
    "Bridge",
    "PlayTones",
    "StopPlayTones",
];

impl App {
    pub fn from_name(name: &str) -> Option<App> {
        let lower = name.trim().to_ascii_lowercase();
        Some(match lower.as_str() {
            "answer" => App::Answer,
            "background" => App::Background,
            "busy" => App::Busy,
            "congestion" => App::Congestion,
            "continuewhile" => App::ContinueWhile,
            "dial" => App::Dial,
            "endwhile" => App::EndWhile,
            "execif" => App::ExecIf,
            "exitwhile" => App::ExitWhile,
            "gosub" => App::Gosub,
            "gosubif" => App::GosubIf,
            "goto" => App::Goto,
            "gotoif" => App::GotoIf,
            "gotoiftime" => App::GotoIfTime,
            "hangup" => App::Hangup,
            "log" => App::Log,
            "mset" => App::MSet,
            "nocdr" => App::NoCdr,
            "noop" => App::NoOp,
            "playback" => App::Playback,
            "progress" => App::Progress,
            "read" => App::Read,
            "resetcdr" => App::ResetCdr,
            "return" => App::Return,
            "ringing" => App::Ringing,
            "sayalpha" => App::SayAlpha,
            "saydigits" => App::SayDigits,
            "saynumber" => App::SayNumber,
            "set" => App::Set,
            "verbose" => App::Verbose,
            "wait" => App::Wait,
            "waitexten" => App::WaitExten,
            "while" => App::While,
            _ => {
                return CHANNEL_APPS
                    .iter()
                    .find(|a| a.eq_ignore_ascii_case(&lower))
                    .map(|a| App::Channel(a))
            }
        })
    }
}

/// For `tandem check`: is this an application tandem knows?
pub fn is_known(name: &str) -> bool {
    App::from_name(name).is_some()
}

/// Run application `name` with its (substituted) arguments.
pub fn exec<'a, 'b, H: Host + Send>(
    cx: &'a mut AppCx<'b, H>,
    name: &'a str,
    data: &'a str,
) -> Pin<Box<dyn Future<Output = Flow> + Send + 'a>>
where
    'b: 'a,
{
    Box::pin(async move {
        let Some(app) = App::from_name(name) else {
            tracing::warn!(
                "No application '{name}' for extension ({}, {}, {})",
                cx.chan.context,
                cx.chan.exten,
                cx.chan.priority
            );
            return Flow::Hangup;
        };
        match app {
            App::Answer => answer::exec(cx, data).await,
            App::Background => background::exec(cx, data).await,
            App::Busy => busy::exec(cx, data).await,
            App::Congestion => congestion::exec(cx, data).await,
            App::ContinueWhile => while_loop::continue_while(cx),
            App::Dial => dial::exec(cx, data).await,
            App::EndWhile => while_loop::end_while(cx),
            App::ExecIf => execif::exec(cx, data).await,
            App::ExitWhile => while_loop::exit_while(cx),
            App::Gosub => gosub::exec(cx, data),
            App::GosubIf => gosubif::exec(cx, data),
            App::Goto => goto_app::exec(cx, data),
            App::GotoIf => gotoif::exec(cx, data),
            App::GotoIfTime => gotoiftime::exec(cx, data),
            App::Hangup => hangup::exec(cx, data).await,
            App::Log => log::exec(cx, data),
            App::MSet => mset::exec(cx, data),
            App::NoCdr => nocdr::exec(cx, data),
            App::NoOp => noop::exec(cx, data),
            App::Playback => playback::exec(cx, data).await,
            App::Progress => progress::exec(cx, data).await,
            App::Return => ret::exec(cx, data),
            App::Read => read::exec(cx, data).await,
            App::ResetCdr => resetcdr::exec(cx, data),
            App::Ringing => ringing::exec(cx, data).await,
            App::SayAlpha => sayalpha::exec(cx, data).await,
            App::SayDigits => saydigits::exec(cx, data).await,
            App::SayNumber => saynumber::exec(cx, data).await,
            App::Set => set::exec(cx, data),
            App::Verbose => verbose::exec(cx, data),
            App::Wait => wait::exec(cx, data).await,
            App::WaitExten => waitexten::exec(cx, data).await,
            App::While => while_loop::while_(cx, data),
            App::Channel(name) => passthrough::exec(cx, name, data).await,
        }
    })
}

/// Split `cond?true:false` at the `?` and the first `:` outside parentheses.
pub(crate) fn split_branches(data: &str) -> (&str, Option<&str>, Option<&str>) {
    let Some(q) = data.find('?') else {
        return (data, None, None);
    };
    let (cond, rest) = (&data[..q], &data[q + 1..]);
    let mut depth = 0i32;
    for (i, c) in rest.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ':' if depth <= 0 => return (cond, Some(&rest[..i]), Some(&rest[i + 1..])),
            _ => {}
        }
    }
    (cond, Some(rest), None)
}

/// Seconds as the applications take them (`Wait(1.5)`): `None` when empty or not a number.
pub(crate) fn seconds(text: &str) -> Option<std::time::Duration> {
    let v: f64 = text.trim().parse().ok()?;
    (v.is_finite() && v >= 0.0).then(|| std::time::Duration::from_secs_f64(v.min(1.0e9)))
}
