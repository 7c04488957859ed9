//! Dial's bridged call: the caller and the callee that answered, their media relayed, hold
//! carried across, and the features.conf codes each may dial (Dial options `t`/`T` transfer,
//! `h`/`H` disconnect) matched per party ([`super::features`]) and carried out
//! ([`super::transfer`]); the transferee hears music on hold meanwhile. A party with codes
//! has its digits held back until the matcher lets them pass ([`super::replay`]).

use std::sync::Arc;
use std::time::Duration;

use tandem_conf::views::FeaturesConf;
use tandem_core::dial::BridgeEnd;
use tandem_core::{cause, Channel, ChannelCommand, ChannelEvent, Goto, Indication};
use tokio::time::Instant;

use super::features::{party_codes, Feature, Matcher, Step};
use super::replay::Replay;
use super::transfer::{self, Consult, Grab};
use super::{ChannelLink, World};
use crate::media;
use crate::media::dtmf::digits_to_resend;

/// Who dialled a feature code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Caller,
    Callee,
}

/// What the bridge needs besides the two parties.
pub struct Setup<'a> {
    pub world: &'a Arc<World>,
    /// The caller's channel (its context, variables, caller id).
    pub chan: &'a Channel,
    /// The variables the callee inherited (`TRANSFER_CONTEXT` set as `__TRANSFER_CONTEXT`).
    pub inherit: &'a [(String, String)],
    /// Dial's option letters.
    pub options: &'a [(char, Option<String>)],
    /// The callee, when a redirect sent it on into the dialplan of its own.
    pub moved: &'a mut Option<(ChannelLink, Goto)>,
}

/// What a feature did to the call.
enum Next {
    /// The call goes on (possibly with a new callee).
    Continue,
    End(BridgeEnd),
}

struct Call<'a> {
    setup: Setup<'a>,
    conf: FeaturesConf,
    callee: ChannelLink,
    relay: Option<media::Bridge>,
    /// Whose RFC 4733 packets the relay holds back (caller, callee): those with codes.
    hold: (bool, bool),
    /// A callee that has not answered yet (after a "blond" attended transfer).
    ring_until: Option<Instant>,
}

/// Digits one party dialled on their way to the other: what no code took, the ones the
/// relay did not carry, one at a time.
pub(super) async fn pass_on(
    from: &ChannelLink,
    to: &ChannelLink,
    held: bool,
    digits: &str,
    replay: &mut Replay,
) {
    let now = std::time::Instant::now();
    replay.push(now, &digits_to_resend(&from.media, &to.media, held, digits));
    send_due(replay, to).await;
}

/// Send the digits whose time has come.
pub(super) async fn send_due(replay: &mut Replay, to: &ChannelLink) {
    while let Some(d) = replay.poll_digit(std::time::Instant::now()) {
        tracing::debug!("{}: digit {d} passed on", to.name);
        let _ = to.commands.send(ChannelCommand::SendDigit(d)).await;
    }
}

fn has(options: &[(char, Option<String>)], letter: char) -> bool {
    options.iter().any(|(c, _)| *c == letter)
}

/// Run the bridged call until it ends.
pub async fn run(
    setup: Setup<'_>,
    caller: &mut ChannelLink,
    callee: ChannelLink,
    relay: Option<media::Bridge>,
) -> BridgeEnd {
    let conf = setup.world.apps.features.clone();
    for letter in ['k', 'K', 'w', 'W', 'x', 'X'] {
        if has(setup.options, letter) {
            tracing::warn!("Dial option '{letter}' (parking or recording) is not supported");
        }
    }
    let timeout = Duration::from_millis(u64::from(conf.featuredigittimeout_ms));
    let mut caller_codes = Matcher::new(
        party_codes(&conf, has(setup.options, 'T'), has(setup.options, 'H')),
        timeout,
    );
    let mut callee_codes = Matcher::new(
        party_codes(&conf, has(setup.options, 't'), has(setup.options, 'h')),
        timeout,
    );
    // A party with codes: its RFC 4733 packets stop at the relay, the matcher decides.
    let hold = (caller_codes.has_codes(), callee_codes.has_codes());
    let relay = match relay {
        Some(early) if hold == (false, false) => early,
        early => {
            drop(early);
            media::bridge_holding(caller.media.clone(), callee.media.clone(), hold)
        }
    };
    let mut call = Call {
        setup,
        conf,
        callee,
        relay: Some(relay),
        hold,
        ring_until: None,
    };
    let (mut to_callee, mut to_caller) = (Replay::default(), Replay::default());
    let far = Instant::now() + Duration::from_secs(86_400 * 365);
    loop {
        let codes_deadline = [
            caller_codes.poll_timeout(),
            callee_codes.poll_timeout(),
            to_callee.poll_timeout(),
            to_caller.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min()
        .map(Instant::from_std)
        .unwrap_or(far);
        let feature = tokio::select! {
            () = tokio::time::sleep_until(call.ring_until.unwrap_or(far)) => {
                transfer::hang_up(&call.callee, cause::NO_ANSWER).await;
                return call.callee_gone();
            }
            () = tokio::time::sleep_until(codes_deadline) => {
                // A code's prefix left alone passes on, as any other digits.
                let now = std::time::Instant::now();
                if let Some(p) = caller_codes.handle_timeout(now) {
                    pass_on(caller, &call.callee, hold.0, &p, &mut to_callee).await;
                }
                if let Some(p) = callee_codes.handle_timeout(now) {
                    pass_on(&call.callee, caller, hold.1, &p, &mut to_caller).await;
                }
                send_due(&mut to_callee, &call.callee).await;
                send_due(&mut to_caller, caller).await;
                None
            }
            ev = caller.events.recv() => match ev {
                // The caller goes on elsewhere; the callee is hung up as the two-party bridge
                // dissolves, unless a dual Redirect (ExtraChannel) sends it on too.
                Some(ChannelEvent::Redirect(to)) => {
                    caller.redirect = Some(to);
                    match call.setup.world.ami.take_peer_redirect(&call.callee.name) {
                        Some(peer_to) => call.move_callee(peer_to),
                        None => {
                            transfer::hang_up(&call.callee, cause::NORMAL_CLEARING).await;
                        }
                    }
                    call.callee_gone();
                    return BridgeEnd::CallerHungUp;
                }
                None | Some(ChannelEvent::Hangup { .. }) => {
                    if let Some(ChannelEvent::Hangup { cause }) = ev {
                        crate::ami::events::hangup_request(call.setup.world, &caller.name, cause);
                    }
                    transfer::hang_up(&call.callee, cause::NORMAL_CLEARING).await;
                    call.callee_gone();
                    return BridgeEnd::CallerHungUp;
                }
                // Hold is carried across the bridge (chan_sip with moh passthrough).
                Some(ChannelEvent::Hold) => {
                    pass(&call.callee, Indication::Hold).await;
                    None
                }
                Some(ChannelEvent::Unhold) => {
                    pass(&call.callee, Indication::Unhold).await;
                    None
                }
                Some(ChannelEvent::Digit(d)) => match caller_codes.handle_digit(std::time::Instant::now(), d) {
                    Step::Run(f) => Some((Side::Caller, f)),
                    // In the callee's dtmfmode when the relay did not carry it.
                    Step::Pass(p) => {
                        pass_on(caller, &call.callee, hold.0, &p, &mut to_callee).await;
                        None
                    }
                    Step::Wait => None,
                },
                Some(_) => None,
            },
            ev = call.callee.events.recv() => match ev {
                None | Some(ChannelEvent::Hangup { .. }) => {
                    if let Some(ChannelEvent::Hangup { cause }) = ev {
                        crate::ami::events::hangup_request(call.setup.world, &call.callee.name, cause);
                    }
                    return call.callee_gone();
                }
                // The callee leaves for a dialplan of its own; the caller's Dial ends as when
                // its callee leaves (or it follows its own dual Redirect).
                Some(ChannelEvent::Redirect(to)) => {
                    if let Some(caller_to) = call.setup.world.ami.take_peer_redirect(&caller.name) {
                        caller.redirect = Some(caller_to);
                    }
                    call.move_callee(to);
                    return call.callee_gone();
                }
                Some(ChannelEvent::Transfer { context, exten }) => {
                    call.setup.world.channels.remove(&call.callee.name);
                    return BridgeEnd::Transferred { context, exten };
                }
                Some(ChannelEvent::Answered) => {
                    call.ring_until = None;
                    None
                }
                Some(ChannelEvent::Hold) => {
                    pass(caller, Indication::Hold).await;
                    None
                }
                Some(ChannelEvent::Unhold) => {
                    pass(caller, Indication::Unhold).await;
                    None
                }
                Some(ChannelEvent::Digit(d)) => match callee_codes.handle_digit(std::time::Instant::now(), d) {
                    Step::Run(f) => Some((Side::Callee, f)),
                    Step::Pass(p) => {
                        pass_on(&call.callee, caller, hold.1, &p, &mut to_caller).await;
                        None
                    }
                    Step::Wait => None,
                },
                Some(_) => None,
            },
        };
        let Some((side, feature)) = feature else {
            continue;
        };
        tracing::info!(
            "{}: feature {feature:?} dialled by the {side:?}",
            caller.name
        );
        match call.feature(caller, side, feature).await {
            Next::Continue => {}
            Next::End(end) => return end,
        }
    }
}

async fn pass(to: &ChannelLink, indication: Indication) {
    let _ = to.commands.send(ChannelCommand::Indicate(indication)).await;
}

impl Call<'_> {
    /// The callee leaves the bridge for `to` (Dial starts its dialplan once it is over).
    fn move_callee(&mut self, to: Goto) {
        self.relay = None;
        let dead = dead_link(&self.callee);
        let callee = std::mem::replace(&mut self.callee, dead);
        self.callee.name = callee.name.clone();
        *self.setup.moved = Some((callee, to));
    }

    /// The callee ended: its row goes.
    fn callee_gone(&self) -> BridgeEnd {
        self.setup.world.channels.remove(&self.callee.name);
        BridgeEnd::CalleeHungUp
    }

    /// The caller hung up: the callee is hung up too.
    async fn caller_left(&self) -> Next {
        transfer::hang_up(&self.callee, cause::NORMAL_CLEARING).await;
        self.callee_gone();
        Next::End(BridgeEnd::CallerHungUp)
    }

    fn rebridge(&mut self, caller: &ChannelLink) {
        self.relay = Some(media::bridge_holding(
            caller.media.clone(),
            self.callee.media.clone(),
            self.hold,
        ));
    }

    /// `get_transfer_context`: TRANSFER_CONTEXT of the transferer, else its context (a
    /// dialled leg's context is its caller's in tandem).
    fn transfer_context(&self, side: Side) -> String {
        let var = match side {
            Side::Caller => self.setup.chan.var("TRANSFER_CONTEXT").map(str::to_string),
            Side::Callee => self
                .setup
                .inherit
                .iter()
                .rev()
                .find(|(n, _)| tandem_core::channel::var_base_name(n) == "TRANSFER_CONTEXT")
                .map(|(_, v)| v.clone()),
        };
        var.filter(|v| !v.is_empty())
            .unwrap_or_else(|| self.setup.chan.context.clone())
    }

    async fn feature(&mut self, caller: &mut ChannelLink, side: Side, feature: Feature) -> Next {
        match feature {
            // `feature_hangup`: the party leaves and the two-party bridge dissolves.
            Feature::Disconnect => {
                transfer::hang_up(&self.callee, cause::NORMAL_CLEARING).await;
                Next::End(self.callee_gone())
            }
            Feature::BlindTransfer | Feature::AttendedTransfer => {
                // The transferee is on hold meanwhile: it hears music (its channel's class,
                // else `default`), as the hold a transfer writes to it starts MOH.
                let transferee = match side {
                    Side::Caller => self.callee.media.clone(),
                    Side::Callee => caller.media.clone(),
                };
                // A dialled leg has its caller's class (`dialled_from`).
                let class = Some(self.setup.chan.musicclass.as_str()).filter(|c| !c.is_empty());
                self.relay = None;
                if let Err(e) =
                    media::moh::start(&self.setup.world.apps.moh, &transferee, class, None)
                {
                    tracing::info!("{}: transferee on hold in silence: {e}", caller.name);
                }
                let next = if feature == Feature::BlindTransfer {
                    self.blind(caller, side).await
                } else {
                    self.attended(caller, side).await
                };
                media::moh::stop(&transferee);
                next
            }
            Feature::AbortTransfer | Feature::CompleteTransfer => Next::Continue,
        }
    }

    async fn blind(&mut self, caller: &mut ChannelLink, side: Side) -> Next {
        self.relay = None;
        let context = self.transfer_context(side);
        let world = self.setup.world.clone();
        let cid = Some(self.setup.chan.caller.num.as_str()).filter(|n| !n.is_empty());
        let grabbed = match side {
            Side::Caller => {
                transfer::grab(&world, &self.conf, caller, &mut self.callee, &context, cid).await
            }
            Side::Callee => {
                transfer::grab(&world, &self.conf, &mut self.callee, caller, &context, cid).await
            }
        };
        match (grabbed, side) {
            (Grab::Exten(exten), Side::Caller) => {
                // The callee goes to the target on its own; the caller is hung up.
                self.hand_callee_to_dialplan(&context, &exten);
                transfer::hang_up(caller, cause::NORMAL_CLEARING).await;
                Next::End(BridgeEnd::CallerHungUp)
            }
            (Grab::Exten(exten), Side::Callee) => {
                transfer::hang_up(&self.callee, cause::NORMAL_CLEARING).await;
                self.callee_gone();
                Next::End(BridgeEnd::Transferred { context, exten })
            }
            (Grab::Invalid, _) => {
                self.rebridge(caller);
                Next::Continue
            }
            (Grab::TransfererGone, Side::Caller) | (Grab::TransfereeGone, Side::Callee) => {
                self.caller_left().await
            }
            (Grab::TransfererGone, Side::Callee) | (Grab::TransfereeGone, Side::Caller) => {
                Next::End(self.callee_gone())
            }
        }
    }

    /// A blind transfer by the caller: the callee's leg runs the dialplan at the target, as
    /// any channel does (its `h` extension included).
    fn hand_callee_to_dialplan(&mut self, context: &str, exten: &str) {
        let world = self.setup.world.clone();
        let (_, uniqueid) = world.shared.new_uniqueid();
        let mut chan = Channel::new(self.callee.name.clone(), uniqueid, context, exten);
        chan.state = tandem_core::ChannelState::Up;
        chan.language = self.setup.chan.language.clone();
        for (n, v) in self.setup.inherit {
            chan.set_var(n, v);
        }
        // Its link moves into the new dialplan task; what stays here is a dead end.
        let dead = dead_link(&self.callee);
        let link = std::mem::replace(&mut self.callee, dead);
        world.channels.remove(&link.name);
        tracing::info!("{}: transferred to {exten}@{context}", link.name);
        super::spawn_pbx(world, chan, link);
    }

    async fn attended(&mut self, caller: &mut ChannelLink, side: Side) -> Next {
        self.relay = None;
        let context = self.transfer_context(side);
        let world = self.setup.world.clone();
        let cid = Some(self.setup.chan.caller.num.as_str()).filter(|n| !n.is_empty());
        let (x, y) = match side {
            Side::Caller => (&mut *caller, &mut self.callee),
            Side::Callee => (&mut self.callee, &mut *caller),
        };
        let exten = match transfer::grab(&world, &self.conf, x, y, &context, cid).await {
            Grab::Exten(e) => e,
            Grab::Invalid => {
                self.rebridge(caller);
                return Next::Continue;
            }
            // As for a blind transfer: the two-party bridge dissolves.
            Grab::TransfererGone if side == Side::Caller => return self.caller_left().await,
            Grab::TransfereeGone if side == Side::Callee => return self.caller_left().await,
            Grab::TransfererGone | Grab::TransfereeGone => return Next::End(self.callee_gone()),
        };
        let Some(mut target) =
            transfer::originate_target(&world, self.setup.chan, &exten, &context)
        else {
            tracing::warn!(
                "{}: cannot call the transfer target {exten}@{context}",
                caller.name
            );
            self.rebridge(caller);
            return Next::Continue;
        };
        let (x, y) = match side {
            Side::Caller => (&mut *caller, &mut self.callee),
            Side::Callee => (&mut self.callee, &mut *caller),
        };
        let outcome = transfer::consult(&self.conf, x, y, &mut target).await;
        tracing::info!("{}: attended transfer: {outcome:?}", caller.name);
        match (outcome, side) {
            (Consult::Back, _) => {
                world.channels.remove(&target.name);
                self.rebridge(caller);
                Next::Continue
            }
            // The caller transferred its callee: callee and target get a bridge of their
            // own, the caller's Dial ends.
            (
                Consult::Complete {
                    transferer_gone,
                    ring_until,
                },
                Side::Caller,
            ) => {
                if !transferer_gone {
                    transfer::hang_up(caller, cause::NORMAL_CLEARING).await;
                }
                let callee = std::mem::replace(&mut self.callee, dead_link(&target));
                transfer::spawn_pair(world, callee, target, ring_until);
                Next::End(BridgeEnd::CallerHungUp)
            }
            // The callee transferred the caller: the target is the caller's new callee.
            (
                Consult::Complete {
                    transferer_gone,
                    ring_until,
                },
                Side::Callee,
            ) => {
                if !transferer_gone {
                    transfer::hang_up(&self.callee, cause::NORMAL_CLEARING).await;
                }
                world.channels.remove(&self.callee.name);
                self.callee = target;
                self.ring_until = ring_until;
                self.rebridge(caller);
                Next::Continue
            }
            // The callee hung up while the caller consulted: caller and target go on.
            (Consult::TransfereeGone { ring_until }, Side::Caller) => {
                world.channels.remove(&self.callee.name);
                self.callee = target;
                self.ring_until = ring_until;
                self.rebridge(caller);
                Next::Continue
            }
            // The caller hung up while the callee consulted: callee and target go on alone.
            (Consult::TransfereeGone { ring_until }, Side::Callee) => {
                let callee = std::mem::replace(&mut self.callee, dead_link(&target));
                transfer::spawn_pair(world, callee, target, ring_until);
                Next::End(BridgeEnd::CallerHungUp)
            }
        }
    }
}

/// A link to nothing, left in place of one that moved elsewhere (its sends fail quietly).
fn dead_link(like: &ChannelLink) -> ChannelLink {
    let (commands, _) = tokio::sync::mpsc::channel(1);
    let (_, events) = tokio::sync::mpsc::channel(1);
    ChannelLink {
        name: String::new(),
        commands,
        events,
        media: like.media.clone(),
        redirect: None,
    }
}
