//! The channel command/event interface between the core and a channel driver.
//!
//! Two closed enums instead of a wide trait of callbacks: a new capability is a new variant.
//! A driver carries out [`ChannelCommand`]s on its protocol leg and reports what happened on
//! it as [`ChannelEvent`]s.

/// What a channel can be asked to show the caller (`ast_indicate`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Indication {
    Ringing,
    Progress,
    Busy,
    Congestion,
    Hold,
    Unhold,
}

/// From the core to a driver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChannelCommand {
    /// Place the outbound call this channel was requested for.
    Call {
        timeout_ms: Option<u64>,
    },
    Answer,
    /// Hang up with a Q.850 cause.
    Hangup {
        cause: u16,
    },
    Indicate(Indication),
    SendDigit(char),
    /// A 20 ms frame of media, in the channel's negotiated format.
    WriteFrame(Vec<u8>),
}

/// From a driver to the core.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChannelEvent {
    Ringing,
    Progress,
    Answered,
    Frame(Vec<u8>),
    Digit(char),
    /// The far end put the call on hold, or took it off hold (a re-INVITE with
    /// `sendonly`/`inactive`, then `sendrecv`).
    Hold,
    Unhold,
    /// The far end asked to transfer the other party of its call to `exten` in `context`
    /// (a SIP REFER, a blind transfer): the bridged party leaves the bridge and goes there.
    Transfer {
        context: String,
        exten: String,
    },
    Hangup {
        cause: u16,
    },
    /// Someone (the AMI's Redirect, `ast_async_goto`) sends this channel to another place in
    /// the dialplan: what it is doing stops, and it goes on at `context`,`exten`,`priority`.
    Redirect(Goto),
}

/// A place in the dialplan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Goto {
    pub context: String,
    pub exten: String,
    pub priority: u32,
}
