//! The AMI's view of the daemon, shared by every session: the event bus, the live channels
//! as AMI shows them, a way into each live channel (its driver's commands, and its event
//! queue for a redirect), which channels are bridged together, and a copy of each channel
//! with its variables as the dialplan last set them (Getvar/Setvar on a channel).
//!
//! Emitting renders the text once, and only when a session listens; it never waits.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use tandem_ami::{perm, ChannelSnapshot, Event, State};
use tandem_core::{Channel, ChannelCommand, ChannelEvent, ChannelState, Goto, VarObserver};
use tokio::sync::{broadcast, mpsc};

use crate::media::MediaLeg;

/// Events the bus holds for the slowest session before that session is dropped.
pub const BUS_CAPACITY: usize = 4096;
/// Variables kept per channel for Getvar (a dialplan setting more loses its oldest).
const MAX_VARS: usize = 512;

/// One rendered event and its class.
#[derive(Clone, Debug)]
pub struct AmiEvent {
    pub category: u32,
    pub text: Arc<str>,
}

/// How to reach a live channel.
struct Handle {
    commands: mpsc::Sender<ChannelCommand>,
    media: Arc<MediaLeg>,
}

/// A channel as AMI sees it: a copy of the channel as its dialplan last showed it (position,
/// state, caller id, CDR) with every variable set since, which Getvar and Setvar of a
/// function use through the dialplan's own code; and what Setvar set for the dialplan to
/// apply before its next priority.
struct Vars {
    mirror: Channel,
    pending: Vec<(String, String)>,
}

impl Vars {
    fn of(chan: &Channel) -> Vars {
        let mut mirror = chan.clone();
        mirror.watch = tandem_core::VarWatch::default();
        Vars {
            mirror,
            pending: Vec::new(),
        }
    }

    /// A variable set on the channel (by its dialplan or Setvar); the oldest is forgotten
    /// past [`MAX_VARS`].
    fn set(&mut self, var: &str, value: &str) {
        self.mirror.set_var(var, value);
        if self.mirror.vars().count() > MAX_VARS {
            let oldest = self.mirror.vars().next().map(|(n, _)| n.to_string());
            if let Some(oldest) = oldest {
                self.mirror.unset_var(&oldest);
            }
        }
    }
}

/// What AMI knows of a channel that runs no dialplan (a dialled leg): its snapshot.
fn mirror_of(snap: &ChannelSnapshot) -> Channel {
    let mut chan = Channel::new(&snap.name, &snap.uniqueid, &snap.context, &snap.exten);
    chan.priority = snap.priority;
    chan.state = match snap.state {
        State::Up => ChannelState::Up,
        State::Ringing => ChannelState::Ringing,
        State::Ring => ChannelState::Ring,
        _ => ChannelState::Down,
    };
    chan.caller.num.clone_from(&snap.caller_num);
    chan.caller.name.clone_from(&snap.caller_name);
    chan.language.clone_from(&snap.language);
    chan.accountcode.clone_from(&snap.accountcode);
    chan
}

/// The daemon's AMI event bus (a field of [`crate::channels::World`]).
pub struct Bus {
    tx: broadcast::Sender<AmiEvent>,
    last_reload: Mutex<Option<Instant>>,
    /// The live channels as AMI shows them (CoreShowChannels), with their creation time.
    live: Mutex<BTreeMap<String, (ChannelSnapshot, Instant)>>,
    handles: Mutex<HashMap<String, Handle>>,
    /// Bridged channels: each one's peer.
    peers: Mutex<HashMap<String, String>>,
    /// Where a channel goes when the peer it is bridged with is redirected (ExtraChannel).
    peer_redirects: Mutex<HashMap<String, Goto>>,
    vars: Mutex<HashMap<String, Vars>>,
}

impl Default for Bus {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(BUS_CAPACITY);
        Bus {
            tx,
            last_reload: Mutex::new(None),
            live: Mutex::default(),
            handles: Mutex::default(),
            peers: Mutex::default(),
            peer_redirects: Mutex::default(),
            vars: Mutex::default(),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The key a map holds `name` under, whatever its case (channel names are matched as
/// Asterisk does, case-insensitively).
fn find_key<'a, V>(map: &'a HashMap<String, V>, name: &str) -> Option<&'a String> {
    map.keys().find(|k| k.eq_ignore_ascii_case(name))
}

impl Bus {
    pub fn subscribe(&self) -> broadcast::Receiver<AmiEvent> {
        self.tx.subscribe()
    }

    /// Build and send an event, when anyone listens.
    pub fn emit(&self, build: impl FnOnce() -> Event) {
        if self.tx.receiver_count() == 0 {
            return;
        }
        let event = build();
        let _ = self.tx.send(AmiEvent {
            category: event.category,
            text: event.render().into(),
        });
    }

    /// Note a configuration reload (CoreStatus, FullyBooted's LastReload).
    pub fn reloaded(&self) {
        *lock(&self.last_reload) = Some(Instant::now());
    }

    pub fn last_reload(&self) -> Option<Instant> {
        *lock(&self.last_reload)
    }

    /// Record a channel's latest snapshot.
    pub fn live_set(&self, snap: &ChannelSnapshot) {
        let mut live = lock(&self.live);
        match live.get_mut(&snap.name) {
            Some(entry) => entry.0 = snap.clone(),
            None => {
                live.insert(snap.name.clone(), (snap.clone(), Instant::now()));
            }
        }
    }

    /// The state AMI last showed for a channel.
    pub fn live_state(&self, name: &str) -> Option<State> {
        lock(&self.live).get(name).map(|(s, _)| s.state)
    }

    /// The snapshot AMI last showed for a channel (any case of its name).
    pub fn snapshot(&self, name: &str) -> Option<ChannelSnapshot> {
        lock(&self.live)
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, (s, _))| s.clone())
    }

    /// The channel is gone: forget it.
    pub fn live_remove(&self, name: &str) {
        lock(&self.live).remove(name);
        lock(&self.handles).remove(name);
        lock(&self.vars).remove(name);
        lock(&self.peer_redirects).remove(name);
    }

    /// Remember how to reach a live channel (Hangup, Redirect).
    pub fn register(
        &self,
        name: &str,
        commands: &mpsc::Sender<ChannelCommand>,
        media: &Arc<MediaLeg>,
    ) {
        lock(&self.handles).insert(
            name.to_string(),
            Handle {
                commands: commands.clone(),
                media: media.clone(),
            },
        );
    }

    /// The live channel's name as registered, whatever the case of `name`.
    pub fn find(&self, name: &str) -> Option<String> {
        find_key(&lock(&self.handles), name).cloned()
    }

    /// The names of the live channels, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = lock(&self.handles).keys().cloned().collect();
        names.sort();
        names
    }

    /// Ask a live channel's driver to hang it up; false when there is no such channel.
    pub fn hangup(&self, name: &str, cause: u16) -> bool {
        let handles = lock(&self.handles);
        let sender = find_key(&handles, name)
            .and_then(|k| handles.get(k))
            .map(|h| h.commands.clone());
        drop(handles);
        match sender {
            Some(s) => s.try_send(ChannelCommand::Hangup { cause }).is_ok(),
            None => false,
        }
    }

    /// Send a live channel elsewhere in the dialplan (`ast_async_goto`): the event reaches
    /// whatever the channel is doing. False when there is no such channel.
    pub fn redirect(&self, name: &str, to: Goto) -> bool {
        let handles = lock(&self.handles);
        let media = find_key(&handles, name)
            .and_then(|k| handles.get(k))
            .map(|h| h.media.clone());
        drop(handles);
        media.is_some_and(|m| m.inject_event(ChannelEvent::Redirect(to)))
    }

    /// `a` and `b` are bridged together.
    pub fn bridged(&self, a: &str, b: &str) {
        let mut peers = lock(&self.peers);
        peers.insert(a.to_string(), b.to_string());
        peers.insert(b.to_string(), a.to_string());
    }

    pub fn unbridged(&self, a: &str, b: &str) {
        let mut peers = lock(&self.peers);
        peers.remove(a);
        peers.remove(b);
    }

    /// The channel `name` is bridged with.
    pub fn peer(&self, name: &str) -> Option<String> {
        lock(&self.peers).get(name).cloned()
    }

    /// Where `name` goes when its bridge peer is redirected (a dual Redirect).
    pub fn set_peer_redirect(&self, name: &str, to: Goto) {
        lock(&self.peer_redirects).insert(name.to_string(), to);
    }

    pub fn take_peer_redirect(&self, name: &str) -> Option<Goto> {
        lock(&self.peer_redirects).remove(name)
    }

    /// Every live channel, by name, with how long it has existed.
    pub fn live(&self) -> Vec<(ChannelSnapshot, std::time::Duration)> {
        lock(&self.live)
            .values()
            .map(|(s, t)| (s.clone(), t.elapsed()))
            .collect()
    }

    /// A copy of a live channel as the AMI last saw it (`None`: no such channel), for Getvar
    /// to read its variables and functions.
    pub fn channel_copy(&self, name: &str) -> Option<Channel> {
        let chan = self.find(name)?;
        if let Some(v) = lock(&self.vars).get(&chan) {
            return Some(v.mirror.clone());
        }
        self.snapshot(&chan).map(|s| mirror_of(&s))
    }

    /// Setvar on a channel: `write` runs on the AMI's copy of it (so Getvar sees the change
    /// at once); when it succeeds, the dialplan applies the same `(var, value)` to the
    /// channel before its next priority. `None` when there is no such channel, else what
    /// `write` answered.
    pub fn set_on_channel(
        &self,
        name: &str,
        var: &str,
        value: &str,
        write: impl FnOnce(&mut Channel) -> bool,
    ) -> Option<bool> {
        let chan = self.find(name)?;
        let ok = {
            let mut vars = lock(&self.vars);
            if !vars.contains_key(&chan) {
                let snap = self.snapshot(&chan)?;
                vars.insert(chan.clone(), Vars::of(&mirror_of(&snap)));
            }
            let entry = vars.get_mut(&chan)?;
            let ok = write(&mut entry.mirror);
            if ok {
                store(&mut entry.pending, var, value);
            }
            ok
        };
        if ok && !var.ends_with(')') {
            self.var_set(&chan, var, value);
        }
        Some(ok)
    }

    /// VarSet (class dialplan), as `ast_channel_publish_varset` sends it.
    fn var_set(&self, chan: &str, var: &str, value: &str) {
        let snap = self.snapshot(chan);
        self.emit(|| {
            let ev = Event::new("VarSet", perm::DIALPLAN);
            let ev = match &snap {
                Some(s) => ev.channel("", s),
                None => ev.header("Channel", chan),
            };
            ev.header("Variable", var).header("Value", value)
        });
    }
}

fn store(list: &mut Vec<(String, String)>, var: &str, value: &str) {
    let base = tandem_core::channel::var_base_name(var);
    list.retain(|(n, _)| tandem_core::channel::var_base_name(n) != base);
    if list.len() >= MAX_VARS {
        list.remove(0);
    }
    list.push((var.to_string(), value.to_string()));
}

/// The [`VarObserver`] of a channel that runs the dialplan: VarSet for each variable set,
/// the AMI's copy kept up to date, Setvar's values handed in.
pub struct ChannelVars {
    pub world: Arc<crate::channels::World>,
    pub name: String,
}

impl ChannelVars {
    /// Watch `chan` from now on. A channel that Setvar reached before (a dialled leg
    /// redirected to a dialplan of its own) keeps what is waiting for it.
    pub fn install(world: &Arc<crate::channels::World>, chan: &mut tandem_core::Channel) {
        {
            let mut vars = lock(&world.ami.vars);
            let mut fresh = Vars::of(chan);
            if let Some(old) = vars.remove(&chan.name) {
                for (n, v) in old.pending.iter().filter(|(n, _)| !n.ends_with(')')) {
                    fresh.set(n, v);
                }
                fresh.pending = old.pending;
            }
            vars.insert(chan.name.clone(), fresh);
        }
        chan.watch = tandem_core::VarWatch::new(Arc::new(ChannelVars {
            world: world.clone(),
            name: chan.name.clone(),
        }));
    }
}

impl VarObserver for ChannelVars {
    fn set(&self, name: &str, value: &str) {
        let bus = &self.world.ami;
        {
            // No entry: the channel is gone (its `h` extension may still set variables).
            if let Some(entry) = lock(&bus.vars).get_mut(&self.name) {
                entry.set(name, value);
            }
        }
        bus.var_set(&self.name, name, value);
    }

    fn take_pending(&self) -> Vec<(String, String)> {
        lock(&self.world.ami.vars)
            .get_mut(&self.name)
            .map(|v| std::mem::take(&mut v.pending))
            .unwrap_or_default()
    }

    fn sync(&self, chan: &Channel) {
        let mut vars = lock(&self.world.ami.vars);
        let Some(m) = vars.get_mut(&self.name).map(|v| &mut v.mirror) else {
            return;
        };
        // `clone_from`: no allocation while a value fits where the last one was.
        m.state = chan.state;
        m.context.clone_from(&chan.context);
        m.exten.clone_from(&chan.exten);
        m.priority = chan.priority;
        m.caller.clone_from(&chan.caller);
        m.language.clone_from(&chan.language);
        m.musicclass.clone_from(&chan.musicclass);
        m.accountcode.clone_from(&chan.accountcode);
        m.hangupcause = chan.hangupcause;
        if !Arc::ptr_eq(&m.cdr, &chan.cdr) {
            m.cdr = chan.cdr.clone();
        }
    }
}
