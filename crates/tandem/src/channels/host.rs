//! The executor's host on a real channel: requests become channel commands, replies come
//! from channel events and timers. Media requests (Playback, Background, Echo) run on the
//! channel's media leg; while the host waits, the leg's RTP is read so RFC 4733 digits reach
//! the dialplan.

use std::sync::Arc;
use std::time::Duration;

use tandem_core::host::{Host, Reply, Request};
use tandem_core::{cause, Channel, ChannelCommand, ChannelEvent, ChannelState};

use super::dial_io::TokioDialIo;
use super::{ChannelLink, World};
use crate::media::player::{PlayEnd, Player};
use crate::media::sounds;

pub struct RealHost {
    world: Arc<World>,
    link: ChannelLink,
    hung_up: bool,
}

impl RealHost {
    pub fn new(world: Arc<World>, link: ChannelLink) -> Self {
        RealHost {
            world,
            link,
            hung_up: false,
        }
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
        let media = self.link.media.clone();
        let mut inbound = [0u8; 2048];
        loop {
            tokio::select! {
                () = &mut sleep => return false,
                // Read (and drop) the caller's audio: RFC 4733 digits in it become events.
                _ = media.recv_inbound(&mut inbound) => {}
                ev = self.link.events.recv() => match ev {
                    None => {
                        self.hung_up = true;
                        return true;
                    }
                    Some(ChannelEvent::Hangup { cause }) => {
                        crate::ami::events::hangup_request(&self.world, &self.link.name, cause);
                        self.hung_up = true;
                        return true;
                    }
                    // Whatever waited stops; the executor takes the redirect.
                    Some(ChannelEvent::Redirect(to)) => {
                        self.link.redirect = Some(to);
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

    /// Playback/Background: play each file in turn on the media leg. A missing file is
    /// skipped with a warning and the reply says it failed (Playback goes on with the next
    /// file, as `playback_exec`; Background stops there, as `pbx_builtin_background`).
    async fn play(&mut self, chan: &Channel, files: &[String], interrupt: bool) -> Reply {
        let media = self.link.media.clone();
        let Some(format) = media.format() else {
            tracing::warn!(
                "{}: cannot play {files:?}: no codec tandem can encode on this channel",
                chan.name
            );
            return Reply::Unsupported;
        };
        let Some(mut player) = Player::new(&media) else {
            tracing::warn!("{}: cannot play in {}", chan.name, format.codec);
            return Reply::Unsupported;
        };
        let dirs = sounds::search_dirs();
        let mut failed = false;
        for name in files.iter().filter(|f| !f.is_empty()) {
            let pcm = match crate::apps::prompt::load(name, &chan.language, format.codec, &dirs)
                .await
            {
                Ok(pcm) => pcm,
                Err(e) => {
                    tracing::warn!("{}: {e}", chan.name);
                    if interrupt {
                        tracing::warn!(
                            "ast_streamfile failed on {} for {}",
                            chan.name,
                            files.join("&")
                        );
                    } else {
                        tracing::warn!("Playback failed on {} for {}", chan.name, files.join("&"));
                    }
                    failed = true;
                    if interrupt {
                        break;
                    }
                    continue;
                }
            };
            tracing::info!(
                "{}: <{}> Playing '{name}' ({:.2} s)",
                chan.name,
                chan.name,
                pcm.seconds()
            );
            match player
                .play(&media, &pcm, &mut self.link.events, interrupt)
                .await
            {
                PlayEnd::Finished => {}
                PlayEnd::Digit(d) => return Reply::Digits(d.to_string()),
                PlayEnd::HungUp => {
                    crate::ami::events::hangup_request(
                        &self.world,
                        &self.link.name,
                        cause::NORMAL_CLEARING,
                    );
                    self.hung_up = true;
                    return Reply::HungUp;
                }
                PlayEnd::Redirect(to) => {
                    self.link.redirect = Some(to);
                    return Reply::HungUp;
                }
            }
        }
        if failed {
            Reply::Unsupported
        } else {
            Reply::Done
        }
    }

    /// Read(): the prompts (a digit stops them and is the first one read), then digits up
    /// to `max`, `#` ending them (kept at the end of the reply so Read can tell), a timeout
    /// ending them early (`ast_app_getdata`). `Unsupported` when the last prompt is missing.
    async fn read_digits(
        &mut self,
        chan: &Channel,
        files: &[String],
        max: usize,
        first_timeout: Duration,
        digit_timeout: Duration,
    ) -> Reply {
        let mut digits = String::new();
        let files: Vec<&String> = files.iter().filter(|f| !f.is_empty()).collect();
        for (i, file) in files.iter().enumerate() {
            match self.play(chan, std::slice::from_ref(*file), true).await {
                Reply::HungUp => return Reply::HungUp,
                Reply::Digits(d) => {
                    digits.push_str(&d);
                    break;
                }
                // As `ast_app_getdata`: a missing prompt is skipped, but when it is the
                // last one no digits are read at all (Read then leaves READSTATUS=ERROR).
                Reply::Unsupported if i + 1 == files.len() => return Reply::Unsupported,
                _ => {}
            }
        }
        loop {
            if digits.ends_with('#') || digits.chars().count() >= max {
                return Reply::Digits(digits);
            }
            let limit = if digits.is_empty() {
                first_timeout
            } else {
                digit_timeout
            };
            let before = digits.len();
            if self.watch(Some(limit), Some(&mut digits)).await {
                return Reply::HungUp;
            }
            if digits.len() == before {
                return Reply::Digits(digits);
            }
        }
    }

    /// After the dialplan: make sure the driver hangs the channel up.
    pub async fn finish(&mut self, chan: &Channel) {
        if !self.hung_up {
            let cause = if chan.hangupcause == 0 {
                cause::NORMAL_CLEARING
            } else {
                chan.hangupcause
            };
            self.send(ChannelCommand::Hangup { cause }).await;
        }
    }
}

impl Host for RealHost {
    async fn request(&mut self, chan: &mut Channel, request: Request) -> Reply {
        let reply = self.carry_out(chan, request).await;
        if self.link.redirect.is_some() {
            // Interrupted by a redirect: the request ends as on a hangup, but the channel
            // is still there; the executor asks for the redirect next.
            return Reply::HungUp;
        }
        reply
    }

    fn take_redirect(&mut self) -> Option<tandem_core::Goto> {
        let to = self.link.redirect.take()?;
        self.hung_up = false;
        Some(to)
    }
}

impl RealHost {
    async fn carry_out(&mut self, chan: &mut Channel, request: Request) -> Reply {
        if self.hung_up {
            return Reply::HungUp;
        }
        match request {
            Request::Answer { delay } => {
                self.send(ChannelCommand::Answer).await;
                let was_up = chan.state == ChannelState::Up;
                crate::cdr::answered(chan);
                chan.state = ChannelState::Up;
                if !was_up {
                    crate::ami::events::new_state(&self.world, chan);
                }
                self.world
                    .channels
                    .update(&self.link.name, |r| r.state = "Up");
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
            Request::IndicateAndWait {
                indication,
                timeout,
            } => {
                self.send(ChannelCommand::Indicate(indication)).await;
                self.watch(timeout, None).await;
                Reply::HungUp
            }
            Request::CollectDigits { timeout } => {
                // One digit (`ast_waitfordigit`); the executor asks again while the digits
                // can match a longer extension, with the 5 s `dtimeout`.
                let mut digits = String::new();
                if self.watch(Some(timeout), Some(&mut digits)).await {
                    return Reply::HungUp;
                }
                Reply::Digits(digits)
            }
            Request::Dial(req) => {
                let mut io = TokioDialIo::new(self.world.clone(), &mut self.link, chan, &req);
                let outcome = tandem_core::dial::dial(&mut io, &req).await;
                io.close().await;
                crate::cdr::dial_end(chan, outcome.status.as_str());
                if outcome.caller_hung_up {
                    self.hung_up = true;
                }
                Reply::Dial {
                    status: outcome.status,
                    caller_hung_up: outcome.caller_hung_up,
                    transfer: outcome.transfer,
                }
            }
            Request::Play { files, interrupt } => self.play(chan, &files, interrupt).await,
            Request::ReadDigits {
                files,
                max,
                first_timeout,
                digit_timeout,
            } => {
                self.read_digits(chan, &files, max, first_timeout, digit_timeout)
                    .await
            }
            Request::Application { name, args } => {
                let cx = crate::apps::AppCx {
                    world: &self.world,
                    link: &mut self.link,
                    chan,
                };
                match crate::apps::run(cx, &name, &args).await {
                    Some(Reply::HungUp) => {
                        self.hung_up = true;
                        Reply::HungUp
                    }
                    Some(reply) => reply,
                    None => Reply::Unsupported,
                }
            }
        }
    }
}
