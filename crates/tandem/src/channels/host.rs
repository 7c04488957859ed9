//! The executor's host on a real channel: requests become channel commands, replies come
//! from channel events and timers.

use std::sync::Arc;
use std::time::Duration;

use tandem_core::host::{Host, Reply, Request};
use tandem_core::{cause, Channel, ChannelCommand, ChannelEvent, ChannelState};

use super::dial_io::TokioDialIo;
use super::{ChannelLink, World};

pub struct RealHost {
    world: Arc<World>,
    link: ChannelLink,
    hung_up: bool,
}

impl RealHost {
    pub fn new(world: Arc<World>, link: ChannelLink) -> Self {
        RealHost { world, link, hung_up: false }
    }

    async fn send(&mut self, cmd: ChannelCommand) {
        if self.link.commands.send(cmd).await.is_err() {
            self.hung_up = true;
        }
    }

    /// Wait up to `limit` (forever with `None`) for the caller to hang up; digits are
    /// collected into `digits` when given. True if the channel hung up.
    async fn watch(&mut self, limit: Option<Duration>, mut digits: Option<&mut String>) -> bool {
        if self.hung_up {
            return true;
        }
        let sleep = tokio::time::sleep(limit.unwrap_or(Duration::from_secs(86_400 * 365)));
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                () = &mut sleep => return false,
                ev = self.link.events.recv() => match ev {
                    None | Some(ChannelEvent::Hangup { .. }) => {
                        self.hung_up = true;
                        return true;
                    }
                    Some(ChannelEvent::Digit(d)) => {
                        if let Some(buf) = digits.as_deref_mut() {
                            buf.push(d);
                            return false;
                        }
                    }
                    Some(_) => {}
                },
            }
        }
    }

    /// After the dialplan: make sure the driver hangs the channel up.
    pub async fn finish(&mut self, chan: &Channel) {
        if !self.hung_up {
            let cause = if chan.hangupcause == 0 { cause::NORMAL_CLEARING } else { chan.hangupcause };
            self.send(ChannelCommand::Hangup { cause }).await;
        }
    }
}

impl Host for RealHost {
    fn request(&mut self, chan: &mut Channel, request: Request) -> impl std::future::Future<Output = Reply> + Send {
        async move {
            if self.hung_up {
                return Reply::HungUp;
            }
            match request {
                Request::Answer { delay } => {
                    self.send(ChannelCommand::Answer).await;
                    chan.state = ChannelState::Up;
                    self.world.channels.update(&self.link.name, |r| r.state = "Up");
                    if let Some(d) = delay {
                        if self.watch(Some(d), None).await {
                            return Reply::HungUp;
                        }
                    }
                    Reply::Done
                }
                Request::Hangup { cause } => {
                    self.send(ChannelCommand::Hangup { cause }).await;
                    self.hung_up = true;
                    Reply::HungUp
                }
                Request::Indicate(i) => {
                    self.send(ChannelCommand::Indicate(i)).await;
                    Reply::Done
                }
                Request::Wait(d) => {
                    if self.watch(Some(d), None).await {
                        Reply::HungUp
                    } else {
                        Reply::Done
                    }
                }
                Request::IndicateAndWait { indication, timeout } => {
                    self.send(ChannelCommand::Indicate(indication)).await;
                    self.watch(timeout, None).await;
                    Reply::HungUp
                }
                Request::CollectDigits { timeout } => {
                    let mut digits = String::new();
                    // One digit, then the inter-digit timeout for more (Asterisk's 5 s dtimeout).
                    let mut limit = timeout;
                    loop {
                        let before = digits.len();
                        if self.watch(Some(limit), Some(&mut digits)).await {
                            return Reply::HungUp;
                        }
                        if digits.len() == before {
                            return Reply::Digits(digits);
                        }
                        limit = Duration::from_secs(5);
                    }
                }
                Request::Dial(req) => {
                    let mut io = TokioDialIo::new(self.world.clone(), &mut self.link, chan, &req);
                    let outcome = tandem_core::dial::dial(&mut io, &req).await;
                    io.close().await;
                    if outcome.caller_hung_up {
                        self.hung_up = true;
                    }
                    Reply::Dial {
                        status: outcome.status,
                        caller_hung_up: outcome.caller_hung_up,
                        transfer: outcome.transfer,
                    }
                }
                Request::Play { .. } | Request::Application { .. } => Reply::Unsupported,
            }
        }
    }
}
