//! The AMI's view of the daemon, shared by every session: the event bus, the live channels
//! as AMI shows them, a way into each live channel (its driver's commands, and its event
//! queue for a redirect), which channels are bridged together, and each channel's variables
//! as the dialplan last set them (Getvar/Setvar on a channel).
//!
//! Emitting renders the text once, and only when a session listens; it never waits.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use tandem_ami::{perm, ChannelSnapshot, Event, State};
use tandem_core::{ChannelCommand, ChannelEvent, Goto, VarObserver};
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

/// A channel's variables as AMI sees them, and those Setvar set for the dialplan to apply.
#[derive(Default)]
struct Vars {
    values: Vec<(String, String)>,
    pending: Vec<(String, String)>,
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

    /// A channel's variable as the dialplan last set it (`None`: no such channel).
    pub fn channel_var(&self, name: &str, var: &str) -> Option<String> {
        let chan = self.find(name)?;
        let vars = lock(&self.vars);
        let base = tandem_core::channel::var_base_name(var);
        Some(
            vars.get(&chan)
                .and_then(|v| {
                    v.values
                        .iter()
                        .rev()
                        .find(|(n, _)| tandem_core::channel::var_base_name(n) == base)
                })
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
        )
    }

    /// Setvar on a channel: seen at once by Getvar, applied by the dialplan before its next
    /// priority. False when there is no such channel.
    pub fn set_channel_var(&self, name: &str, var: &str, value: &str) -> bool {
        let Some(chan) = self.find(name) else {
            return false;
        };
        {
            let mut vars = lock(&self.vars);
            let entry = vars.entry(chan.clone()).or_default();
            store(&mut entry.values, var, value);
            store(&mut entry.pending, var, value);
        }
        self.var_set(&chan, var, value);
        true
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
    /// Watch `chan`'s variables from now on (those it already has are copied).
    pub fn install(world: &Arc<crate::channels::World>, chan: &mut tandem_core::Channel) {
        {
            let mut vars = lock(&world.ami.vars);
            let entry = vars.entry(chan.name.clone()).or_default();
            for (n, v) in chan.vars() {
                store(&mut entry.values, n, v);
            }
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
                store(&mut entry.values, name, value);
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
}
