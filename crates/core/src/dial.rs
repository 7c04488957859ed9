//! Dial's orchestration (Asterisk's app_dial `wait_for_answer`), runtime-free: call every
//! destination at once, pass ringing on to the caller, the first to answer wins and the
//! others are hung up, and when nobody answers, DIALSTATUS says why.
//!
//! The world is reached through [`DialIo`]; the binary implements it over real drivers and
//! tokio, tests over a script.

use std::future::Future;

use crate::cause;
use crate::command::{ChannelEvent, Goto, Indication};
use crate::host::{DialRequest, DialStatus, DialTarget};

/// Who an event came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Party {
    Caller,
    /// The outbound leg with this index in [`DialRequest::targets`].
    Leg(usize),
}

/// What woke Dial up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wake {
    Event(Party, ChannelEvent),
    /// The dial timeout passed.
    Timeout,
}

/// How a bridged call ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BridgeEnd {
    CallerHungUp,
    CalleeHungUp,
    /// The callee transferred the caller (blind transfer) to this context and extension.
    Transferred {
        context: String,
        exten: String,
    },
}

pub trait DialIo {
    /// Create the outbound leg `index` for `target` and call it; `Err(cause)` when no
    /// channel can be made (unknown peer, unreachable, ...).
    fn originate(
        &mut self,
        index: usize,
        target: &DialTarget,
        request: &DialRequest,
    ) -> Result<(), u16>;
    /// The next event of the caller or a leg; [`Wake::Timeout`] once the request's timeout
    /// (counted from the first call to `wait`) has passed.
    fn wait(&mut self) -> impl Future<Output = Wake> + Send;
    /// Hang up (or cancel) a leg.
    fn hangup_leg(&mut self, index: usize, cause: u16);
    /// Show the caller ringing or progress.
    fn indicate_caller(&mut self, indication: Indication);
    /// Leg `index` sent early media (183 with SDP): let the caller hear it.
    fn early_media(&mut self, index: usize);
    /// Answer the caller if it is not up yet.
    fn answer_caller(&mut self);
    /// Join the caller and leg `index` until one of them hangs up.
    fn bridge(&mut self, index: usize) -> impl Future<Output = BridgeEnd> + Send;
    /// Option `m[(class)]`: music on hold to the caller while the legs ring (`None`: the
    /// channel's class, else `default`).
    fn start_moh(&mut self, _class: Option<&str>) {}
    /// Stop the caller's music on hold.
    fn stop_moh(&mut self) {}
    /// Leg `index`, not answered yet, was redirected (the AMI's Redirect: `ast_async_goto` on
    /// a channel with no PBX yanks it into one): it leaves Dial for a dialplan of its own at
    /// `to`, still ringing. False when this world cannot (the event is then ignored).
    fn leg_redirected(&mut self, _index: usize, _to: Goto) -> bool {
        false
    }
}

/// What Dial did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DialOutcome {
    pub status: DialStatus,
    /// The leg that answered.
    pub answered: Option<usize>,
    /// The caller hung up (while ringing or in the bridged call).
    pub caller_hung_up: bool,
    /// The callee blind-transferred the caller here: (context, exten).
    pub transfer: Option<(String, String)>,
}

/// Failure counts of `handle_cause` in app_dial.
#[derive(Default)]
struct Causes {
    busy: usize,
    congestion: usize,
    nochan: usize,
}

impl Causes {
    fn count(&mut self, cause: u16) {
        match cause {
            cause::USER_BUSY => self.busy += 1,
            cause::NORMAL_CIRCUIT_CONGESTION => self.congestion += 1,
            cause::NO_ANSWER | cause::NORMAL_CLEARING => {}
            _ => self.nochan += 1,
        }
    }

    /// When every leg failed: BUSY if any was busy, else CONGESTION, else CHANUNAVAIL; when
    /// some just did not answer, NOANSWER.
    fn status(&self, lines: usize) -> DialStatus {
        if lines == self.busy + self.congestion + self.nochan {
            if self.busy > 0 {
                DialStatus::Busy
            } else if self.congestion > 0 {
                DialStatus::Congestion
            } else {
                DialStatus::ChanUnavail
            }
        } else {
            DialStatus::NoAnswer
        }
    }
}

/// Run a Dial.
pub async fn dial(io: &mut impl DialIo, request: &DialRequest) -> DialOutcome {
    let lines = request.targets.len();
    let mut causes = Causes::default();
    let mut live = vec![false; lines];
    for (i, target) in request.targets.iter().enumerate() {
        match io.originate(i, target, request) {
            Ok(()) => live[i] = true,
            Err(c) => {
                tracing::info!(
                    "Unable to create channel of type '{}' (cause {c})",
                    target.tech
                );
                causes.count(c);
            }
        }
    }
    if !live.contains(&true) {
        let status = if lines == 0 {
            DialStatus::InvalidArgs
        } else {
            DialStatus::ChanUnavail
        };
        return DialOutcome {
            status,
            answered: None,
            caller_hung_up: false,
            transfer: None,
        };
    }
    // app_dial: with `m` the caller hears music (and gets progress, so its phone plays the
    // early audio) instead of ringing; `r` rings at once.
    let music = request.options.iter().find(|(c, _)| *c == 'm');
    let moh = music.is_some();
    let mut ringing_sent = false;
    if let Some((_, class)) = music {
        io.start_moh(class.as_deref().filter(|c| !c.is_empty()));
        io.indicate_caller(Indication::Progress);
    } else if request.has_option('r') {
        io.indicate_caller(Indication::Ringing);
        ringing_sent = true;
    }
    let outcome = wait_for_answer(io, request, causes, live, moh, ringing_sent).await;
    if moh {
        io.stop_moh();
    }
    outcome
}

/// Dial's loop once the legs are called: `wait_for_answer` in app_dial.
async fn wait_for_answer(
    io: &mut impl DialIo,
    request: &DialRequest,
    mut causes: Causes,
    mut live: Vec<bool>,
    moh: bool,
    mut ringing_sent: bool,
) -> DialOutcome {
    let lines = request.targets.len();
    loop {
        match io.wait().await {
            Wake::Timeout => {
                hang_up_all(io, &mut live, cause::NO_ANSWER);
                return DialOutcome {
                    status: DialStatus::NoAnswer,
                    answered: None,
                    caller_hung_up: false,
                    transfer: None,
                };
            }
            // A redirected caller leaves Dial as one that hangs up: the legs are cancelled.
            Wake::Event(Party::Caller, ChannelEvent::Hangup { .. } | ChannelEvent::Redirect(_)) => {
                hang_up_all(io, &mut live, cause::NORMAL_CLEARING);
                return DialOutcome {
                    status: DialStatus::Cancel,
                    answered: None,
                    caller_hung_up: true,
                    transfer: None,
                };
            }
            Wake::Event(Party::Caller, _) => {}
            Wake::Event(Party::Leg(i), event) if live.get(i).copied().unwrap_or(false) => {
                match event {
                    ChannelEvent::Ringing => {
                        if !ringing_sent && !moh {
                            io.indicate_caller(Indication::Ringing);
                            ringing_sent = true;
                        }
                    }
                    // With music on hold the caller already has progress, and the callee's
                    // early audio is not heard over the music (Asterisk drops frames written
                    // to a channel whose generator plays).
                    ChannelEvent::Progress if moh => {}
                    ChannelEvent::Progress => {
                        io.indicate_caller(Indication::Progress);
                        io.early_media(i);
                    }
                    ChannelEvent::Answered => {
                        live[i] = false;
                        hang_up_all(io, &mut live, cause::ANSWERED_ELSEWHERE);
                        if moh {
                            io.stop_moh();
                        }
                        io.answer_caller();
                        let end = io.bridge(i).await;
                        let transfer = match &end {
                            BridgeEnd::Transferred { context, exten } => {
                                Some((context.clone(), exten.clone()))
                            }
                            _ => None,
                        };
                        return DialOutcome {
                            status: DialStatus::Answer,
                            answered: Some(i),
                            caller_hung_up: end == BridgeEnd::CallerHungUp,
                            transfer,
                        };
                    }
                    // A redirected leg is gone from Dial as one whose channel went away
                    // without a cause (app_dial `handle_cause(0)`: one more "no channel").
                    ev @ (ChannelEvent::Hangup { .. } | ChannelEvent::Redirect(_)) => {
                        let cause = match ev {
                            ChannelEvent::Hangup { cause } => cause,
                            ChannelEvent::Redirect(to) => {
                                if !io.leg_redirected(i, to) {
                                    continue;
                                }
                                0
                            }
                            _ => continue,
                        };
                        live[i] = false;
                        causes.count(cause);
                        if !live.contains(&true) {
                            return DialOutcome {
                                status: causes.status(lines),
                                answered: None,
                                caller_hung_up: false,
                                transfer: None,
                            };
                        }
                    }
                    ChannelEvent::Frame(_)
                    | ChannelEvent::Digit(_)
                    | ChannelEvent::Transfer { .. }
                    | ChannelEvent::Hold
                    | ChannelEvent::Unhold => {}
                }
            }
            Wake::Event(Party::Leg(_), _) => {}
        }
    }
}

fn hang_up_all(io: &mut impl DialIo, live: &mut [bool], cause: u16) {
    for (i, alive) in live.iter_mut().enumerate() {
        if *alive {
            io.hangup_leg(i, cause);
            *alive = false;
        }
    }
}

#[cfg(test)]
mod tests;
