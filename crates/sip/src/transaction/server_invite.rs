//! Server INVITE transaction (RFC 3261 sec. 17.2.1, with the RFC 6026 `Accepted` state).
//!
//! ```text
//!  Proceeding --2xx from TU--> Accepted --L--> Terminated   (INVITEs absorbed, TU's 2xx
//!     |  INVITE: resend last 1xx                              retransmissions sent)
//!     +--300-699 from TU--> Completed --ACK--> Confirmed --I--> Terminated
//!                  G: resend final, doubling up to T2; H: Timeout (no ACK came)
//! ```
//!
//! `100 Trying` follows [`TryingPolicy`]: by default it goes out as soon as the INVITE
//! arrives, as chan_sip does.

use std::time::{Duration, Instant};

use super::timers::{Timer, TimerConfig, Timers};
use super::{Ctx, TryingPolicy, TxnError, TxnEvent, TxnState};
use crate::message::{Request, Response};

/// What became of an ACK that matched the transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AckOutcome {
    /// Completed -> Confirmed, or a retransmitted ACK in Confirmed.
    Absorbed,
    /// Not an ACK for a non-2xx final (the transaction sent none): the TU gets it.
    PassUp,
}

#[derive(Debug)]
pub(crate) struct ServerInvite {
    state: TxnState,
    /// Kept only while a delayed 100 Trying may still be needed.
    pending_trying: Option<Request>,
    last_response: Option<Vec<u8>>,
    /// The To tag of the final response sent (RFC 2543 ACK matching).
    final_to_tag: Option<String>,
    reliable: bool,
    g_interval: Duration,
    timers: Timers,
    cfg: TimerConfig,
}

impl ServerInvite {
    pub fn start(
        now: Instant,
        request: &Request,
        reliable: bool,
        cfg: TimerConfig,
        trying: TryingPolicy,
        cx: &mut Ctx<'_>,
    ) -> Self {
        let mut s = ServerInvite {
            state: TxnState::Proceeding,
            pending_trying: None,
            last_response: None,
            final_to_tag: None,
            reliable,
            g_interval: cfg.t1,
            timers: Timers::new(),
            cfg,
        };
        match trying {
            TryingPolicy::Immediate => s.send_trying(request, cx),
            TryingPolicy::After200ms => {
                s.pending_trying = Some(request.clone());
                s.timers.set(Timer::Trying, now + cfg.trying);
            }
            TryingPolicy::Never => {}
        }
        s
    }

    fn send_trying(&mut self, request: &Request, cx: &mut Ctx<'_>) {
        let bytes = Response::from_request(request, 100, "Trying").to_bytes();
        cx.send(bytes.clone());
        self.last_response = Some(bytes);
    }

    pub fn state(&self) -> TxnState {
        self.state
    }

    pub fn final_to_tag(&self) -> Option<&str> {
        self.final_to_tag.as_deref()
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next()
    }

    pub fn timer(&self, t: Timer) -> Option<Instant> {
        self.timers.get(t)
    }

    /// A retransmission of the INVITE.
    pub fn handle_retransmission(&mut self, cx: &mut Ctx<'_>) {
        if matches!(self.state, TxnState::Proceeding | TxnState::Completed) {
            if let Some(b) = &self.last_response {
                cx.send(b.clone());
            }
        }
        // Accepted, Confirmed: absorbed.
    }

    pub fn handle_ack(&mut self, now: Instant) -> AckOutcome {
        match self.state {
            TxnState::Completed => {
                self.state = TxnState::Confirmed;
                self.timers.clear(Timer::G);
                self.timers.clear(Timer::H);
                self.timers
                    .set(Timer::I, now + self.cfg.wait(self.cfg.t4, self.reliable));
                AckOutcome::Absorbed
            }
            TxnState::Confirmed => AckOutcome::Absorbed,
            _ => AckOutcome::PassUp,
        }
    }

    pub fn respond(
        &mut self,
        now: Instant,
        response: &Response,
        cx: &mut Ctx<'_>,
    ) -> Result<(), TxnError> {
        let status = response.status;
        if !(100..=699).contains(&status) {
            return Err(TxnError::BadStatus(status));
        }
        match (self.state, status) {
            (TxnState::Proceeding, 100..=199) => {
                self.pending_trying = None;
                self.timers.clear(Timer::Trying);
                let b = response.to_bytes();
                cx.send(b.clone());
                self.last_response = Some(b);
            }
            (TxnState::Proceeding, 200..=299) => {
                self.remember_final(response);
                cx.send(response.to_bytes());
                self.last_response = None;
                self.state = TxnState::Accepted;
                self.timers.clear_all();
                self.timers.set(Timer::L, now + self.cfg.t1x64());
            }
            (TxnState::Proceeding, _) => {
                self.remember_final(response);
                let b = response.to_bytes();
                cx.send(b.clone());
                self.last_response = Some(b);
                self.state = TxnState::Completed;
                self.timers.clear_all();
                if !self.reliable {
                    self.timers.set(Timer::G, now + self.cfg.t1);
                }
                self.timers.set(Timer::H, now + self.cfg.t1x64());
            }
            // RFC 6026: the TU's own 2xx retransmissions pass through Accepted.
            (TxnState::Accepted, 200..=299) => cx.send(response.to_bytes()),
            (state, _) => return Err(TxnError::WrongState(state)),
        }
        Ok(())
    }

    fn remember_final(&mut self, response: &Response) {
        self.pending_trying = None;
        self.final_to_tag = response
            .headers
            .to_hdr()
            .ok()
            .and_then(|t| t.tag().map(str::to_string));
    }

    pub fn handle_timeout(&mut self, now: Instant, cx: &mut Ctx<'_>) {
        while let Some((t, fired)) = self.timers.pop_expired(now) {
            match (t, self.state) {
                (Timer::Trying, TxnState::Proceeding) => {
                    if let Some(req) = self.pending_trying.take() {
                        self.send_trying(&req, cx);
                    }
                }
                (Timer::G, TxnState::Completed) => {
                    if let Some(b) = &self.last_response {
                        cx.send(b.clone());
                    }
                    self.g_interval = self.cfg.double(self.g_interval, true);
                    self.timers
                        .set(Timer::G, TimerConfig::rearm(fired, self.g_interval, now));
                }
                (Timer::H, TxnState::Completed) => {
                    cx.emit(TxnEvent::Timeout { txn: cx.id });
                    self.terminate();
                }
                (Timer::I, TxnState::Confirmed) | (Timer::L, TxnState::Accepted) => {
                    self.terminate()
                }
                _ => {}
            }
        }
    }

    pub fn handle_transport_error(&mut self, cx: &mut Ctx<'_>) {
        if self.state != TxnState::Terminated {
            cx.emit(TxnEvent::TransportError { txn: cx.id });
            self.terminate();
        }
    }

    fn terminate(&mut self) {
        self.state = TxnState::Terminated;
        self.timers.clear_all();
        self.pending_trying = None;
    }
}
