//! Dial's world on tokio: outbound legs from the driver registry, their events merged into
//! one queue, the dial timeout, and the media bridge of the leg that answers.

use std::sync::Arc;

use tandem_core::dial::{BridgeEnd, DialIo, Party, Wake};
use tandem_core::host::{DialRequest, DialTarget};
use tandem_core::{cause, Channel, ChannelCommand, ChannelEvent, Indication};
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
    forwarder: JoinHandle<()>,
}

pub struct TokioDialIo<'a> {
    world: Arc<World>,
    caller: &'a mut ChannelLink,
    chan: &'a Channel,
    legs: Vec<Option<Leg>>,
    merged_tx: mpsc::Sender<(usize, ChannelEvent)>,
    merged_rx: mpsc::Receiver<(usize, ChannelEvent)>,
    timeout: Option<std::time::Duration>,
    deadline: Option<Instant>,
    /// The relay started for early media, and for which leg.
    early: Option<(usize, media::Bridge)>,
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
            legs,
            merged_tx,
            merged_rx,
            timeout: req.timeout,
            deadline: None,
            early: None,
        }
    }

    /// Stop forwarding leg events.
    pub async fn close(&mut self) {
        for leg in self.legs.iter_mut().filter_map(Option::take) {
            leg.forwarder.abort();
            self.world.channels.remove(&leg.name);
        }
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
        } = link;
        let timeout_ms = request.timeout.map(|t| t.as_millis() as u64);
        if commands
            .try_send(ChannelCommand::Call { timeout_ms })
            .is_err()
        {
            return Err(cause::NORMAL_TEMPORARY_FAILURE);
        }
        let tx = self.merged_tx.clone();
        let forwarder = tokio::spawn(async move {
            while let Some(ev) = events.recv().await {
                if tx.send((index, ev)).await.is_err() {
                    break;
                }
            }
            let _ = tx
                .send((
                    index,
                    ChannelEvent::Hangup {
                        cause: cause::NORMAL_CLEARING,
                    },
                ))
                .await;
        });
        tracing::info!("{}: called {}", self.caller.name, name);
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
                    Some(ev) => Wake::Event(Party::Caller, ev),
                    None => Wake::Event(Party::Caller, ChannelEvent::Hangup { cause: cause::NORMAL_CLEARING }),
                },
                ev = self.merged_rx.recv() => match ev {
                    Some((i, ev)) => {
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
            leg.forwarder.abort();
            self.world.channels.remove(&leg.name);
            tracing::info!("{}: hung up {} (cause {cause})", self.caller.name, leg.name);
        }
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
        let _ = self.caller.commands.try_send(ChannelCommand::Answer);
    }

    async fn bridge(&mut self, index: usize) -> BridgeEnd {
        let Some(leg) = self.leg(index) else {
            return BridgeEnd::CalleeHungUp;
        };
        let callee_media = leg.media.clone();
        let callee_commands = leg.commands.clone();
        let caller_commands = self.caller.commands.clone();
        let _bridge = match self.early.take() {
            Some((i, relay)) if i == index => relay,
            _ => media::bridge(self.caller.media.clone(), callee_media),
        };
        loop {
            tokio::select! {
                ev = self.caller.events.recv() => match ev {
                    None | Some(ChannelEvent::Hangup { .. }) => {
                        let _ = callee_commands.send(ChannelCommand::Hangup { cause: cause::NORMAL_CLEARING }).await;
                        return BridgeEnd::CallerHungUp;
                    }
                    // Hold is carried across the bridge (chan_sip with moh passthrough).
                    Some(ChannelEvent::Hold) => {
                        let _ = callee_commands.send(ChannelCommand::Indicate(Indication::Hold)).await;
                    }
                    Some(ChannelEvent::Unhold) => {
                        let _ = callee_commands.send(ChannelCommand::Indicate(Indication::Unhold)).await;
                    }
                    Some(_) => {}
                },
                ev = self.merged_rx.recv() => match ev {
                    None => return BridgeEnd::CalleeHungUp,
                    Some((i, ChannelEvent::Hangup { .. })) if i == index => return BridgeEnd::CalleeHungUp,
                    Some((i, ChannelEvent::Transfer { context, exten })) if i == index => {
                        return BridgeEnd::Transferred { context, exten };
                    }
                    Some((i, ChannelEvent::Hold)) if i == index => {
                        let _ = caller_commands.send(ChannelCommand::Indicate(Indication::Hold)).await;
                    }
                    Some((i, ChannelEvent::Unhold)) if i == index => {
                        let _ = caller_commands.send(ChannelCommand::Indicate(Indication::Unhold)).await;
                    }
                    Some(_) => {}
                },
            }
        }
    }
}
