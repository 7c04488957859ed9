//! Server non-INVITE transaction (RFC 3261 sec. 17.2.2).
//!
//! ```text
//!  Trying --1xx from TU--> Proceeding --200-699 from TU--> Completed --J--> Terminated
//!    request: absorbed      request: resend last 1xx        request: resend final
//! ```

use std::time::Instant;

use super::timers::{Timer, TimerConfig, Timers};
use super::{Ctx, TxnError, TxnState};
use crate::message::Response;

#[derive(Debug)]
pub(crate) struct ServerNonInvite {
    state: TxnState,
    last_response: Option<Vec<u8>>,
    reliable: bool,
    timers: Timers,
    cfg: TimerConfig,
}

impl ServerNonInvite {
    pub fn new(reliable: bool, cfg: TimerConfig) -> Self {
        ServerNonInvite {
            state: TxnState::Trying,
            last_response: None,
            reliable,
            timers: Timers::new(),
            cfg,
        }
    }

    pub fn state(&self) -> TxnState {
        self.state
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next()
    }

    pub fn timer(&self, t: Timer) -> Option<Instant> {
        self.timers.get(t)
    }

    pub fn handle_retransmission(&mut self, cx: &mut Ctx<'_>) {
        if let Some(b) = &self.last_response {
            cx.send(b.clone());
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
        if !matches!(self.state, TxnState::Trying | TxnState::Proceeding) {
            return Err(TxnError::WrongState(self.state));
        }
        let b = response.to_bytes();
        cx.send(b.clone());
        self.last_response = Some(b);
        if status < 200 {
            self.state = TxnState::Proceeding;
        } else {
            self.state = TxnState::Completed;
            self.timers.set(
                Timer::J,
                now + self.cfg.wait(self.cfg.t1x64(), self.reliable),
            );
        }
        Ok(())
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some((t, _)) = self.timers.pop_expired(now) {
            if t == Timer::J && self.state == TxnState::Completed {
                self.terminate();
            }
        }
    }

    pub fn handle_transport_error(&mut self, cx: &mut Ctx<'_>) {
        if self.state != TxnState::Terminated {
            cx.emit(super::TxnEvent::TransportError { txn: cx.id });
            self.terminate();
        }
    }

    fn terminate(&mut self) {
        self.state = TxnState::Terminated;
        self.timers.clear_all();
    }
}
