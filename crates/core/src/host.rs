//! What the executor asks of the world around a channel, one request at a time.

use std::future::Future;
use std::time::Duration;

use crate::channel::Channel;
use crate::command::Indication;

/// `DIALSTATUS` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DialStatus {
    Answer,
    Busy,
    NoAnswer,
    Cancel,
    Congestion,
    ChanUnavail,
    DontCall,
    Torture,
    InvalidArgs,
}

impl DialStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DialStatus::Answer => "ANSWER",
            DialStatus::Busy => "BUSY",
            DialStatus::NoAnswer => "NOANSWER",
            DialStatus::Cancel => "CANCEL",
            DialStatus::Congestion => "CONGESTION",
            DialStatus::ChanUnavail => "CHANUNAVAIL",
            DialStatus::DontCall => "DONTCALL",
            DialStatus::Torture => "TORTURE",
            DialStatus::InvalidArgs => "INVALIDARGS",
        }
    }

    pub fn parse(text: &str) -> Option<DialStatus> {
        const ALL: [DialStatus; 9] = [
            DialStatus::Answer,
            DialStatus::Busy,
            DialStatus::NoAnswer,
            DialStatus::Cancel,
            DialStatus::Congestion,
            DialStatus::ChanUnavail,
            DialStatus::DontCall,
            DialStatus::Torture,
            DialStatus::InvalidArgs,
        ];
        ALL.into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// One destination of a Dial: `SIP/alice` is tech `SIP`, resource `alice`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DialTarget {
    pub tech: String,
    pub resource: String,
}

/// `Dial(SIP/a&IAX2/b,30,rtT)` once parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DialRequest {
    pub targets: Vec<DialTarget>,
    pub timeout: Option<Duration>,
    /// Option letters with their optional `(argument)`, in order.
    pub options: Vec<(char, Option<String>)>,
    /// Variables the dialled legs inherit (`_X`, `__X`).
    pub inherit: Vec<(String, String)>,
}

impl DialRequest {
    pub fn has_option(&self, letter: char) -> bool {
        self.options.iter().any(|(c, _)| *c == letter)
    }
}

/// What the executor asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    Answer {
        delay: Option<Duration>,
    },
    Hangup {
        cause: u16,
    },
    Indicate(Indication),
    /// Wait, returning early only if the channel hangs up.
    Wait(Duration),
    /// Busy()/Congestion(): indicate, then wait for the caller to hang up (at most `timeout`).
    IndicateAndWait {
        indication: Indication,
        timeout: Option<Duration>,
    },
    Dial(DialRequest),
    /// Play prompts; `interrupt` lets a digit stop playback (Background).
    Play {
        files: Vec<String>,
        interrupt: bool,
    },
    /// Wait up to `timeout` for one digit (`ast_waitfordigit`): the reply is
    /// [`Reply::Digits`] with that digit, or empty on a timeout. The executor asks again
    /// while the digits so far can match a longer extension ([`crate::digits`]).
    CollectDigits {
        timeout: Duration,
    },
    /// Read(): play `files` (a digit stops them and is the first one read), then collect up
    /// to `max` digits, `first_timeout` for the first and `digit_timeout` between the others;
    /// `#` ends the input. The reply is [`Reply::Digits`] with the digits read, ending in `#`
    /// when `#` ended them (shorter than `max` with no `#`: a timeout).
    ReadDigits {
        files: Vec<String>,
        max: usize,
        first_timeout: Duration,
        digit_timeout: Duration,
    },
    /// An application that needs a real channel and that the executor does not carry out
    /// itself (Echo, Record, ...): `dialplan run` prints it and goes on.
    Application {
        name: String,
        args: String,
    },
}

/// The answer to a [`Request`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    Done,
    /// The channel hung up (or must hang up) while the request ran.
    HungUp,
    Dial {
        status: DialStatus,
        /// The caller hung up during the call (no `g` can keep it in the dialplan).
        caller_hung_up: bool,
        /// The callee blind-transferred the caller to (context, exten).
        transfer: Option<(String, String)>,
    },
    /// Digits dialled (possibly none: a timeout).
    Digits(String),
    /// The host moved the channel (`chan.context`/`exten`/`priority` were set, as
    /// VoiceMail's `0` to the `o` extension): the dialplan runs where it now is.
    Jump,
    /// This host cannot do that yet.
    Unsupported,
}

/// The world around a channel, as the executor sees it.
///
/// The binary implements it over real drivers and tokio; [`crate::sim::SimHost`] answers at
/// once for `tandem dialplan run`. The future must not depend on a particular runtime.
pub trait Host {
    fn request(
        &mut self,
        chan: &mut Channel,
        request: Request,
    ) -> impl Future<Output = Reply> + Send;

    /// A redirect (`ast_async_goto`) that interrupted the last request, if any: the executor
    /// goes on there instead of hanging up or taking the next priority.
    fn take_redirect(&mut self) -> Option<crate::command::Goto> {
        None
    }
}
