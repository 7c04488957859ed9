//! The event bus and the channel events, with Asterisk 22's names and fields
//! (main/manager_channels.c, main/manager_bridges.c): Newchannel, Newstate, Newexten,
//! Hangup, DialBegin, DialEnd, BridgeCreate, BridgeEnter, BridgeLeave, BridgeDestroy,
//! PeerStatus, OriginateResponse.
//!

use std::sync::Arc;

use tandem_ami::{cause_text, perm, ChannelSnapshot, Event, State};
use tandem_core::{Channel, ChannelCommand, ChannelEvent, ChannelState};
use tokio::sync::mpsc;

use crate::channels::World;
use crate::media::MediaLeg;

pub fn state(s: ChannelState) -> State {
    match s {
        ChannelState::Down => State::Down,
        ChannelState::Ring => State::Ring,
        ChannelState::Ringing => State::Ringing,
        ChannelState::Up => State::Up,
    }
}

/// What AMI shows of a channel that runs the dialplan: the first of its call, so its
/// uniqueid is its linkedid.
pub fn snapshot(chan: &Channel) -> ChannelSnapshot {
    ChannelSnapshot {
        name: chan.name.clone(),
        state: state(chan.state),
        caller_num: chan.caller.num.clone(),
        caller_name: chan.caller.name.clone(),
        connected_num: String::new(),
        connected_name: String::new(),
        language: chan.language.clone(),
        accountcode: chan.accountcode.clone(),
        context: chan.context.clone(),
        exten: chan.exten.clone(),
        priority: chan.priority,
        uniqueid: chan.uniqueid.clone(),
        linkedid: chan.uniqueid.clone(),
    }
}

fn hangup_event(snap: &ChannelSnapshot, cause: u16) -> Event {
    Event::new("Hangup", perm::CALL)
        .channel("", snap)
        .header("Cause", &cause.to_string())
        .header("Cause-txt", cause_text(cause))
}

/// DTMFBegin and DTMFEnd (class dtmf) for the RFC 4733 digits `media` receives, as
/// manager_channels.c `channel_dtmf_begin_cb`/`channel_dtmf_end_cb` write them.
pub fn watch_dtmf(world: &Arc<World>, name: &str, media: &MediaLeg) {
    let world = Arc::downgrade(world);
    let name = name.to_string();
    media.set_dtmf_watch(Arc::new(move |digit, duration| {
        if let Some(world) = world.upgrade() {
            dtmf(&world, &name, digit, duration);
        }
    }));
}

/// DTMFBegin (`duration` None) or DTMFEnd of a digit received on channel `name`.
pub fn dtmf(world: &World, name: &str, digit: char, duration: Option<std::time::Duration>) {
    let Some(snap) = world.ami.snapshot(name) else {
        return;
    };
    let digit = digit.to_string();
    world.ami.emit(|| {
        let ev = match duration {
            None => Event::new("DTMFBegin", perm::DTMF)
                .channel("", &snap)
                .header("Digit", &digit),
            Some(d) => Event::new("DTMFEnd", perm::DTMF)
                .channel("", &snap)
                .header("Digit", &digit)
                .header("DurationMs", &d.as_millis().to_string()),
        };
        ev.header("Direction", "Received")
    });
}

/// HangupRequest (class call): the far end of a channel hung up (`ast_queue_hangup_with_cause`).
pub fn hangup_request(world: &World, name: &str, cause: u16) {
    let Some(snap) = world.ami.snapshot(name) else {
        return;
    };
    world.ami.emit(|| {
        Event::new("HangupRequest", perm::CALL)
            .channel("", &snap)
            .header("Cause", &cause.to_string())
    });
}

/// A channel starts running the dialplan: Newchannel (Down) then Newstate (Ring), as
/// chan_sip creates an inbound channel down and sets it ringing.
pub fn pbx_started(
    world: &World,
    chan: &Channel,
    commands: &mpsc::Sender<ChannelCommand>,
    media: &Arc<MediaLeg>,
) {
    world.ami.register(&chan.name, commands, media);
    let mut snap = snapshot(chan);
    if let Some(known) = world.ami.snapshot(&chan.name) {
        // A dialled channel that a redirect gave a dialplan of its own: it exists already
        // (Asterisk shows only its Newexten from here on).
        snap.state = known.state;
        snap.linkedid = known.linkedid;
        world.ami.live_set(&snap);
        return;
    }
    let up = snap.state == State::Up;
    snap.state = State::Down;
    world
        .ami
        .emit(|| Event::new("Newchannel", perm::CALL).channel("", &snap));
    snap.state = if up { State::Up } else { State::Ring };
    world.ami.live_set(&snap);
    world
        .ami
        .emit(|| Event::new("Newstate", perm::CALL).channel("", &snap));
}

/// A channel running the dialplan, in the state AMI last showed for it (the core's state
/// stays Down for an inbound call until Answer; AMI shows it ringing, and up once bridged).
fn running_snapshot(world: &World, chan: &Channel) -> ChannelSnapshot {
    let mut snap = snapshot(chan);
    snap.state = match world.ami.live_state(&chan.name) {
        Some(s) => s,
        None if snap.state == State::Down => State::Ring,
        None => snap.state,
    };
    snap
}

/// The dialplan ended and the channel hangs up.
pub fn pbx_ended(world: &World, chan: &Channel) {
    let cause = if chan.hangupcause == 0 {
        tandem_core::cause::NORMAL_CLEARING
    } else {
        chan.hangupcause
    };
    let snap = running_snapshot(world, chan);
    world.ami.live_remove(&snap.name);
    world.ami.emit(|| hangup_event(&snap, cause));
}

/// A channel changed state (answered).
pub fn new_state(world: &World, chan: &Channel) {
    let snap = snapshot(chan);
    world.ami.live_set(&snap);
    world
        .ami
        .emit(|| Event::new("Newstate", perm::CALL).channel("", &snap));
}

/// Newexten for each priority the executor runs (from its trace hook, which cannot see the
/// channel: the snapshot is taken when the dialplan starts, place and state updated here).
pub struct ExtenTrace {
    base: ChannelSnapshot,
}

impl ExtenTrace {
    pub fn new(chan: &Channel) -> ExtenTrace {
        ExtenTrace {
            base: snapshot(chan),
        }
    }

    pub fn line(&mut self, world: &World, line: &tandem_core::TraceLine<'_>, row_state: &str) {
        self.base.context = line.context.to_string();
        self.base.exten = line.exten.to_string();
        self.base.priority = line.priority;
        self.base.state = match (world.ami.live_state(&self.base.name), row_state) {
            (Some(s), _) => s,
            (None, "Up") => State::Up,
            (None, _) => State::Ring,
        };
        let snap = &self.base;
        world.ami.live_set(snap);
        world.ami.emit(|| {
            Event::new("Newexten", perm::DIALPLAN)
                .channel("", snap)
                .header("Extension", line.exten)
                .header("Application", line.app)
                .header("AppData", line.data)
        });
    }
}

/// The AMI side of one Dial: the legs as AMI shows them, DialBegin/DialEnd once each.
pub struct DialTrack {
    caller: ChannelSnapshot,
    legs: Vec<Option<LegInfo>>,
}

struct LegInfo {
    snap: ChannelSnapshot,
    dial_ended: bool,
    hung_up: bool,
}

impl DialTrack {
    pub fn new(chan: &Channel, targets: usize) -> DialTrack {
        let mut caller = snapshot(chan);
        if caller.state == State::Down {
            caller.state = State::Ring;
        }
        DialTrack {
            caller,
            legs: (0..targets).map(|_| None).collect(),
        }
    }

    /// A leg was created for `Dial(TECH/dialstring)`: Newchannel, then DialBegin.
    pub fn begin(
        &mut self,
        world: &World,
        index: usize,
        name: &str,
        dialstring: &str,
        commands: &mpsc::Sender<ChannelCommand>,
        media: &Arc<MediaLeg>,
    ) {
        world.ami.register(name, commands, media);
        let (_, uniqueid) = world.shared.new_uniqueid();
        let snap = ChannelSnapshot {
            name: name.to_string(),
            state: State::Down,
            caller_num: self.caller.caller_num.clone(),
            caller_name: self.caller.caller_name.clone(),
            connected_num: self.caller.caller_num.clone(),
            connected_name: self.caller.caller_name.clone(),
            language: self.caller.language.clone(),
            accountcode: self.caller.accountcode.clone(),
            context: self.caller.context.clone(),
            exten: "s".to_string(),
            priority: 1,
            uniqueid,
            linkedid: self.caller.linkedid.clone(),
        };
        world.ami.live_set(&snap);
        world
            .ami
            .emit(|| Event::new("Newchannel", perm::CALL).channel("", &snap));
        let caller = &self.caller;
        world.ami.emit(|| {
            Event::new("DialBegin", perm::CALL)
                .channel("", caller)
                .channel("Dest", &snap)
                .header("DialString", dialstring)
        });
        if let Some(slot) = self.legs.get_mut(index) {
            *slot = Some(LegInfo {
                snap,
                dial_ended: false,
                hung_up: false,
            });
        }
    }

    /// An event of leg `index` while Dial waits.
    pub fn leg_event(&mut self, world: &World, index: usize, ev: &ChannelEvent) {
        let (new_state, status) = match ev {
            ChannelEvent::Ringing => (Some(State::Ringing), None),
            ChannelEvent::Answered => (Some(State::Up), Some("ANSWER")),
            ChannelEvent::Hangup { cause } => (None, Some(dial_status(*cause))),
            _ => (None, None),
        };
        if let Some(s) = new_state {
            if let Some(leg) = self.legs.get_mut(index).and_then(Option::as_mut) {
                if leg.snap.state != s {
                    leg.snap.state = s;
                    let snap = &leg.snap;
                    world.ami.live_set(snap);
                    world
                        .ami
                        .emit(|| Event::new("Newstate", perm::CALL).channel("", snap));
                }
            }
        }
        if let Some(status) = status {
            self.dial_end(world, index, status);
        }
        if let ChannelEvent::Hangup { cause } = ev {
            self.hung_up(world, index, *cause);
        }
    }

    fn dial_end(&mut self, world: &World, index: usize, status: &str) {
        let caller = &self.caller;
        if let Some(leg) = self.legs.get_mut(index).and_then(Option::as_mut) {
            if !leg.dial_ended {
                leg.dial_ended = true;
                let snap = &leg.snap;
                world.ami.emit(|| {
                    Event::new("DialEnd", perm::CALL)
                        .channel("", caller)
                        .channel("Dest", snap)
                        .header("DialStatus", status)
                });
            }
        }
    }

    fn hung_up(&mut self, world: &World, index: usize, cause: u16) {
        if let Some(leg) = self.legs.get_mut(index).and_then(Option::as_mut) {
            if !leg.hung_up {
                leg.hung_up = true;
                let snap = &leg.snap;
                world.ami.live_remove(&snap.name);
                world.ami.emit(|| hangup_event(snap, cause));
            }
        }
    }

    /// Dial hung leg `index` up itself (another answered, the caller left, the timeout).
    pub fn cancelled(&mut self, world: &World, index: usize, cause: u16) {
        self.dial_end(world, index, "CANCEL");
        self.hung_up(world, index, cause);
    }

    /// Leg `index` left Dial for a dialplan of its own (redirected): no Hangup for it. Its
    /// uniqueid, which it keeps.
    pub fn moved(&mut self, index: usize) -> Option<String> {
        let leg = self.legs.get_mut(index).and_then(Option::as_mut)?;
        leg.hung_up = true;
        Some(leg.snap.uniqueid.clone())
    }

    /// Leg `index`, ringing, was redirected out of Dial into a dialplan of its own: DialEnd
    /// (`NOANSWER`, as app_dial publishes a leg that went away without a cause), no Hangup.
    /// Its uniqueid, which it keeps.
    pub fn redirected(&mut self, world: &World, index: usize) -> Option<String> {
        self.dial_end(world, index, "NOANSWER");
        self.moved(index)
    }

    /// Dial is over: every leg still up hangs up.
    pub fn close(&mut self, world: &World) {
        for i in 0..self.legs.len() {
            self.hung_up(world, i, tandem_core::cause::NORMAL_CLEARING);
        }
    }

    /// The caller and leg `index` are bridged: BridgeCreate and two BridgeEnter now,
    /// two BridgeLeave and BridgeDestroy when the guard drops.
    pub fn bridge(&mut self, world: &Arc<World>, index: usize) -> BridgeGuard {
        if self.caller.state != State::Up {
            self.caller.state = State::Up;
            world.ami.live_set(&self.caller);
            let caller = &self.caller;
            world
                .ami
                .emit(|| Event::new("Newstate", perm::CALL).channel("", caller));
        }
        let callee = self
            .legs
            .get(index)
            .and_then(Option::as_ref)
            .map(|l| l.snap.clone());
        let r = world.shared.random();
        let id = format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            r >> 32,
            (r >> 16) & 0xffff,
            r & 0xffff,
            (r >> 48) ^ 0x4000,
            r & 0xffff_ffff_ffff
        );
        let guard = BridgeGuard {
            world: world.clone(),
            id,
            chans: std::iter::once(self.caller.clone()).chain(callee).collect(),
        };
        if let [a, b] = guard.chans.as_slice() {
            world.ami.bridged(&a.name, &b.name);
        }
        world
            .ami
            .emit(|| bridge_event("BridgeCreate", &guard.id, 0));
        for (n, chan) in guard.chans.iter().enumerate() {
            world
                .ami
                .emit(|| bridge_event("BridgeEnter", &guard.id, n + 1).channel("", chan));
        }
        guard
    }
}

/// Emits BridgeLeave for each channel and BridgeDestroy when dropped.
pub struct BridgeGuard {
    world: Arc<World>,
    id: String,
    chans: Vec<ChannelSnapshot>,
}

impl Drop for BridgeGuard {
    fn drop(&mut self) {
        if let [a, b] = self.chans.as_slice() {
            self.world.ami.unbridged(&a.name, &b.name);
        }
        let mut left = self.chans.len();
        for chan in &self.chans {
            left -= 1;
            self.world
                .ami
                .emit(|| bridge_event("BridgeLeave", &self.id, left).channel("", chan));
        }
        self.world
            .ami
            .emit(|| bridge_event("BridgeDestroy", &self.id, 0));
    }
}

fn bridge_event(name: &str, id: &str, count: usize) -> Event {
    Event::new(name, perm::CALL)
        .header("BridgeUniqueid", id)
        .header("BridgeType", "basic")
        .header("BridgeTechnology", "simple_bridge")
        .header("BridgeCreator", "<unknown>")
        .header("BridgeName", "<unknown>")
        .header("BridgeNumChannels", &count.to_string())
        .header("BridgeVideoSourceMode", "none")
}

/// The DIALSTATUS a leg's hangup before answer means.
fn dial_status(cause: u16) -> &'static str {
    use tandem_core::cause;
    match cause {
        cause::USER_BUSY => "BUSY",
        cause::NO_ANSWER | cause::NO_USER_RESPONSE => "NOANSWER",
        cause::NORMAL_CIRCUIT_CONGESTION | cause::SWITCH_CONGESTION => "CONGESTION",
        _ => "CHANUNAVAIL",
    }
}

/// Registry (class system), as chan_sip publishes a registration's outcome
/// (`ast_system_publish_registry`): `Registered`, or why it is not (`Rejected`,
/// `No Authentication`, `Failed`, `Unregistered`); the attempts in between are not events.
pub fn registry_changes(
    world: &World,
    before: &[tandem_sip::outbound::RegistryRow],
    after: &[tandem_sip::outbound::RegistryRow],
) {
    use tandem_sip::outbound::RegState;
    for row in after {
        let was = before
            .iter()
            .find(|b| b.host == row.host && b.user == row.user && b.port == row.port)
            .map(|b| b.state.as_str());
        let now = row.state.as_str();
        if was == Some(now) || matches!(row.state, RegState::RequestSent | RegState::AuthSent) {
            continue;
        }
        if was.is_none() && row.state == RegState::Unregistered {
            continue;
        }
        world.ami.emit(|| {
            Event::new("Registry", perm::SYSTEM)
                .header("ChannelType", "SIP")
                .header("Username", &row.user)
                .header("Domain", &row.host)
                .header("Status", now)
        });
    }
}

/// PeerStatus (class system), as chan_sip sends it when a peer registers at a new address
/// (`Registered`, with `Address`) or its registration goes (`Unregistered`, `Cause: Expired`).
/// `before` holds each peer's address before the registrar changed, in the order of `after`.
pub fn peer_changes<'a>(
    world: &World,
    before: &[Option<std::net::SocketAddr>],
    after: impl Iterator<Item = (&'a str, Option<std::net::SocketAddr>)>,
) {
    for ((peer, now), was) in after.zip(before.iter()) {
        let status = match (was, now) {
            (old, Some(_)) if *old != now => "Registered",
            (Some(_), None) => "Unregistered",
            _ => continue,
        };
        world.ami.emit(|| {
            let ev = Event::new("PeerStatus", perm::SYSTEM)
                .header("ChannelType", "SIP")
                .header("Peer", &format!("SIP/{peer}"))
                .header("PeerStatus", status);
            match now {
                Some(a) => ev.header("Address", &a.to_string()),
                None => ev.header("Cause", "Expired"),
            }
        });
    }
}

#[cfg(test)]
#[path = "events_tests.rs"]
mod tests;
