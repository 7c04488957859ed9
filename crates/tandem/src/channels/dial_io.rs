//! Dial's world on tokio: outbound legs from the driver registry, their events merged into
//! one queue, the dial timeout, and the media bridge of the leg that answers.

use std::sync::Arc;

use tandem_core::dial::{BridgeEnd, DialIo, Party, Wake};
use tandem_core::host::{DialRequest, DialTarget};
use tandem_core::{cause, Channel, ChannelCommand, ChannelEvent, ChannelState, Indication};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::{ChannelLink, OutboundRequest, World, LINK_QUEUE};
use crate::media::{self, MediaLeg};

/// An outbound leg while Dial runs: where to send its commands and its media leg.
struct Leg {
    name: String,
    commands: mpsc::Sender<ChannelCommand>,
    media: Arc<MediaLeg>,
    /// Forwards the leg's events into Dial's merged queue until released, then hands its
    /// receiver back (the bridge reads the answered leg directly).
    forwarder: JoinHandle<mpsc::Receiver<ChannelEvent>>,
    release: Option<tokio::sync::oneshot::Sender<()>>,
}

pub struct TokioDialIo<'a> {
    world: Arc<World>,
    caller: &'a mut ChannelLink,
    chan: &'a Channel,
    /// Dial's options and the variables its legs inherit (for the bridge's features).
    options: Vec<(char, Option<String>)>,
    inherit: Vec<(String, String)>,
    legs: Vec<Option<Leg>>,
    merged_tx: mpsc::Sender<(usize, ChannelEvent)>,
    merged_rx: mpsc::Receiver<(usize, ChannelEvent)>,
    timeout: Option<std::time::Duration>,
    deadline: Option<Instant>,
    /// The relay started for early media, and for which leg.
    early: Option<(usize, media::Bridge)>,
    /// The AMI's view of this Dial (DialBegin/DialEnd, leg Newchannel/Newstate/Hangup).
    ami: crate::ami::events::DialTrack,
    /// The answered leg, when a redirect sent it on (its dialplan starts at close).
    moved: Option<(usize, ChannelLink, tandem_core::Goto)>,
}

impl<'a> TokioDialIo<'a> {
    pub fn new(
        world: Arc<World>,
        caller: &'a mut ChannelLink,
        chan: &'a Channel,
        req: &DialRequest,
    ) -> Self {
        let (merged_tx, merged_rx) = mpsc::channel(LINK_QUEUE * 4);
        let legs = (0..req.targets.len()).map(|_| None).collect();
        TokioDialIo {
            world,
            caller,
            chan,
            options: req.options.clone(),
            inherit: req.inherit.clone(),
            legs,
            merged_tx,
            merged_rx,
            timeout: req.timeout,
            deadline: None,
            early: None,
            ami: crate::ami::events::DialTrack::new(chan, req.targets.len()),
            moved: None,
        }
    }

    /// Stop forwarding leg events.
    pub async fn close(&mut self) {
        let moved = self
            .moved
            .take()
            .and_then(|(i, link, to)| Some((self.ami.moved(i)?, link, to)));
        self.ami.close(&self.world);
        for leg in self.legs.iter_mut().filter_map(Option::take) {
            leg.forwarder.abort();
            self.world.channels.remove(&leg.name);
        }
        if let Some((uniqueid, link, to)) = moved {
            let chan = self.moved_channel(&link.name, uniqueid, &to, ChannelState::Up);
            super::spawn_pbx(self.world.clone(), chan, link);
        }
    }

    /// The channel of a leg a redirect gave a dialplan of its own: the caller's caller id
    /// and the variables Dial's legs inherit, at `to`.
    fn moved_channel(
        &self,
        name: &str,
        uniqueid: String,
        to: &tandem_core::Goto,
        state: ChannelState,
    ) -> Channel {
        let mut chan = Channel::new(name, uniqueid, &to.context, &to.exten);
        chan.priority = to.priority;
        chan.state = state;
        chan.caller = self.chan.caller.clone();
        for (k, v) in &self.inherit {
            chan.set_var(k, v);
        }
        chan
    }

    fn leg(&self, index: usize) -> Option<&Leg> {
        self.legs.get(index).and_then(Option::as_ref)
    }
}

impl DialIo for TokioDialIo<'_> {
    fn originate(
        &mut self,
        index: usize,
        target: &DialTarget,
        request: &DialRequest,
    ) -> Result<(), u16> {
        let link = {
            let registry = self
                .world
                .registry
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let Some(driver) = registry.get(&target.tech) else {
                tracing::warn!("Dial: no channel technology '{}'", target.tech);
                return Err(cause::CHAN_NOT_IMPLEMENTED);
            };
            driver.request(&OutboundRequest {
                resource: &target.resource,
                caller: self.chan,
            })?
        };
        let ChannelLink {
            name,
            commands,
            mut events,
            media,
            ..
        } = link;
        let timeout_ms = request.timeout.map(|t| t.as_millis() as u64);
        if commands
            .try_send(ChannelCommand::Call { timeout_ms })
            .is_err()
        {
            return Err(cause::NORMAL_TEMPORARY_FAILURE);
        }
        let tx = self.merged_tx.clone();
        let (release, mut released) = tokio::sync::oneshot::channel::<()>();
        let forwarder = tokio::spawn(async move {
            loop {
                tokio::select! {
                    biased;
                    _ = &mut released => return events,
                    ev = events.recv() => match ev {
                        Some(ev) => {
                            if tx.send((index, ev)).await.is_err() {
                                return events;
                            }
                        }
                        None => {
                            let _ = tx
                                .send((index, ChannelEvent::Hangup { cause: cause::NORMAL_CLEARING }))
                                .await;
                            return events;
                        }
                    },
                }
            }
        });
        tracing::info!("{}: called {}", self.caller.name, name);
        crate::cdr::dial_begin(self.chan, &name);
        self.ami.begin(
            &self.world,
            index,
            &name,
            &target.resource,
            &commands,
            &media,
        );
        crate::ami::events::watch_dtmf(&self.world, &name, &media);
        self.world.channels.add(
            &name,
            super::ChannelRow {
                location: "(None)".into(),
                state: "Ring",
                application: "AppDial((Outgoing Line))".into(),
                outbound: true,
            },
        );
        if let Some(slot) = self.legs.get_mut(index) {
            *slot = Some(Leg {
                name,
                commands,
                media,
                forwarder,
                release: Some(release),
            });
        }
        Ok(())
    }

    fn wait(&mut self) -> impl std::future::Future<Output = Wake> + Send {
        let deadline = *self.deadline.get_or_insert_with(|| {
            Instant::now()
                + self
                    .timeout
                    .unwrap_or(std::time::Duration::from_secs(86_400 * 365))
        });
        async move {
            tokio::select! {
                () = tokio::time::sleep_until(deadline) => Wake::Timeout,
                ev = self.caller.events.recv() => match ev {
                    Some(ChannelEvent::Redirect(to)) => {
                        // Dial ends as if the caller left; the dialplan goes on there.
                        self.caller.redirect = Some(to.clone());
                        Wake::Event(Party::Caller, ChannelEvent::Redirect(to))
                    }
                    Some(ev) => {
                        if let ChannelEvent::Hangup { cause } = ev {
                            crate::ami::events::hangup_request(&self.world, &self.caller.name, cause);
                        }
                        Wake::Event(Party::Caller, ev)
                    }
                    None => Wake::Event(Party::Caller, ChannelEvent::Hangup { cause: cause::NORMAL_CLEARING }),
                },
                ev = self.merged_rx.recv() => match ev {
                    Some((i, ev)) => {
                        self.ami.leg_event(&self.world, i, &ev);
                        if let Some(leg) = self.legs.get(i).and_then(Option::as_ref) {
                            let state = match ev {
                                ChannelEvent::Answered => Some("Up"),
                                ChannelEvent::Ringing => Some("Ringing"),
                                _ => None,
                            };
                            if let Some(state) = state {
                                self.world.channels.update(&leg.name, |r| r.state = state);
                            }
                        }
                        Wake::Event(Party::Leg(i), ev)
                    }
                    None => Wake::Timeout,
                },
            }
        }
    }

    fn hangup_leg(&mut self, index: usize, cause: u16) {
        if let Some(leg) = self.legs.get_mut(index).and_then(Option::take) {
            let _ = leg.commands.try_send(ChannelCommand::Hangup { cause });
            self.ami.cancelled(&self.world, index, cause);
            leg.forwarder.abort();
            self.world.channels.remove(&leg.name);
            tracing::info!("{}: hung up {} (cause {cause})", self.caller.name, leg.name);
        }
    }

    /// `ast_async_goto` on a leg that rings (no PBX, no bridge): as `ast_channel_yank`, it
    /// leaves Dial, keeping its AMI identity, and runs the dialplan at `to` while the far end
    /// still rings; its early media no longer reaches the caller.
    fn leg_redirected(&mut self, index: usize, to: tandem_core::Goto) -> bool {
        let Some(mut leg) = self.legs.get_mut(index).and_then(Option::take) else {
            return false;
        };
        if self.early.as_ref().is_some_and(|(i, _)| *i == index) {
            self.early = None;
        }
        let rang = self.world.ami.live_state(&leg.name) == Some(tandem_ami::State::Ringing);
        let Some(uniqueid) = self.ami.redirected(&self.world, index) else {
            return false;
        };
        self.world.channels.remove(&leg.name);
        let state = if rang {
            ChannelState::Ringing
        } else {
            ChannelState::Ring
        };
        let chan = self.moved_channel(&leg.name, uniqueid, &to, state);
        tracing::info!("{}: {} redirected out of Dial", self.caller.name, leg.name);
        let world = self.world.clone();
        if let Some(release) = leg.release.take() {
            let _ = release.send(());
        }
        tokio::spawn(async move {
            // The leg's events come back from its forwarder (what it forwarded already went
            // to Dial, which no longer listens to this leg).
            let Ok(events) = leg.forwarder.await else {
                return;
            };
            let link = ChannelLink {
                name: leg.name,
                commands: leg.commands,
                events,
                media: leg.media,
                redirect: None,
            };
            super::spawn_pbx(world, chan, link);
        });
        true
    }

    fn indicate_caller(&mut self, indication: Indication) {
        let _ = self
            .caller
            .commands
            .try_send(ChannelCommand::Indicate(indication));
    }

    fn early_media(&mut self, index: usize) {
        if self.early.as_ref().is_some_and(|(i, _)| *i == index) {
            return;
        }
        if let Some(leg) = self.leg(index) {
            let relay = media::bridge(self.caller.media.clone(), leg.media.clone());
            self.early = Some((index, relay));
        }
    }

    fn answer_caller(&mut self) {
        crate::cdr::answered(self.chan);
        let _ = self.caller.commands.try_send(ChannelCommand::Answer);
    }

    fn start_moh(&mut self, class: Option<&str>) {
        if let Err(e) = media::moh::start(&self.world.apps.moh, &self.caller.media, class, None) {
            tracing::warn!("{}: Dial(m): {e}", self.caller.name);
        }
    }

    fn stop_moh(&mut self) {
        media::moh::stop(&self.caller.media);
    }

    async fn bridge(&mut self, index: usize) -> BridgeEnd {
        let _ami_bridge = self.ami.bridge(&self.world, index);
        let Some(mut leg) = self.legs.get_mut(index).and_then(Option::take) else {
            return BridgeEnd::CalleeHungUp;
        };
        // Take the leg's events back from its forwarder; what it already forwarded and Dial
        // has not read yet is put back in front.
        if let Some(release) = leg.release.take() {
            let _ = release.send(());
        }
        let Ok(mut events) = (&mut leg.forwarder).await else {
            self.world.channels.remove(&leg.name);
            return BridgeEnd::CalleeHungUp;
        };
        let mut pending = Vec::new();
        while let Ok((i, ev)) = self.merged_rx.try_recv() {
            if i == index {
                pending.push(ev);
            }
        }
        if !pending.is_empty() {
            let (tx, rx) = mpsc::channel(LINK_QUEUE);
            for ev in pending {
                let _ = tx.try_send(ev);
            }
            let mut old = std::mem::replace(&mut events, rx);
            tokio::spawn(async move {
                while let Some(ev) = old.recv().await {
                    if tx.send(ev).await.is_err() {
                        break;
                    }
                }
            });
        }
        crate::cdr::dial_answered_by(self.chan, &leg.name);
        let callee = ChannelLink {
            name: leg.name,
            commands: leg.commands,
            events,
            media: leg.media,
            redirect: None,
        };
        let relay = match self.early.take() {
            Some((i, relay)) if i == index => Some(relay),
            _ => None,
        };
        let mut moved = None;
        let setup = super::bridged::Setup {
            world: &self.world,
            chan: self.chan,
            inherit: &self.inherit,
            options: &self.options,
            moved: &mut moved,
        };
        let end = super::bridged::run(setup, self.caller, callee, relay).await;
        self.moved = moved.map(|(link, to)| (index, link, to));
        end
    }
}
