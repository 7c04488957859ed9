//! Client non-INVITE transaction (RFC 3261 sec. 17.1.2).
//!
//! ```text
//!  Trying --1xx--> Proceeding          E: resend; in Trying the interval doubles up to T2,
//!    |                 |                  in Proceeding it is T2
//!    +--200-699 to TU--+--> Completed --K--> Terminated   (retransmitted finals absorbed)
//!    F (either state): Timeout
//! ```

use std::time::{Duration, Instant};

use super::client_invite::top_via_value;
use super::timers::{Timer, TimerConfig, Timers};
use super::{Ctx, TxnEvent, TxnState};
use crate::message::{Method, Request, Response};

#[derive(Debug)]
pub(crate) struct ClientNonInvite {
    state: TxnState,
    bytes: Vec<u8>,
    reliable: bool,
    e_interval: Duration,
    timers: Timers,
    cfg: TimerConfig,
}

impl ClientNonInvite {
    /// Sends the request and arms E (unreliable only) and F.
    pub fn start(
        now: Instant,
        request: &Request,
        reliable: bool,
        cfg: TimerConfig,
        cx: &mut Ctx<'_>,
    ) -> Self {
        let bytes = request.to_bytes();
        cx.send(bytes.clone());
        let mut timers = Timers::new();
        if !reliable {
            timers.set(Timer::E, now + cfg.t1);
        }
        timers.set(Timer::F, now + cfg.t1x64());
        ClientNonInvite {
            state: TxnState::Trying,
            bytes,
            reliable,
            e_interval: cfg.t1,
            timers,
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

    pub fn handle_response(&mut self, now: Instant, response: Response, cx: &mut Ctx<'_>) {
        if !matches!(self.state, TxnState::Trying | TxnState::Proceeding) {
            return; // Completed: retransmitted finals are absorbed
        }
        match response.status {
            100..=199 => {
                self.state = TxnState::Proceeding;
                cx.emit(TxnEvent::Response {
                    txn: cx.id,
                    response,
                });
            }
            200..=699 => {
                self.state = TxnState::Completed;
                self.timers.clear_all();
                self.timers
                    .set(Timer::K, now + self.cfg.wait(self.cfg.t4, self.reliable));
                cx.emit(TxnEvent::Response {
                    txn: cx.id,
                    response,
                });
            }
            _ => {}
        }
    }

    pub fn handle_timeout(&mut self, now: Instant, cx: &mut Ctx<'_>) {
        while let Some((t, fired)) = self.timers.pop_expired(now) {
            match (t, self.state) {
                (Timer::E, TxnState::Trying | TxnState::Proceeding) => {
                    cx.send(self.bytes.clone());
                    self.e_interval = if self.state == TxnState::Proceeding {
                        self.cfg.t2
                    } else {
                        self.cfg.double(self.e_interval, true)
                    };
                    self.timers
                        .set(Timer::E, TimerConfig::rearm(fired, self.e_interval, now));
                }
                (Timer::F, TxnState::Trying | TxnState::Proceeding) => {
                    cx.emit(TxnEvent::Timeout { txn: cx.id });
                    self.terminate();
                }
                (Timer::K, TxnState::Completed) => self.terminate(),
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
    }
}

/// The CANCEL for an INVITE (RFC 3261 9.1): the INVITE's Request-URI, Call-ID, From, To (no
/// tag added), CSeq number with method CANCEL, its top Via only (same branch, so the server
/// can match it to the INVITE) and its Route headers.
pub fn build_cancel(invite: &Request) -> Request {
    let mut cancel = Request::new(Method::Cancel, invite.uri.clone());
    if let Some(via) = top_via_value(invite) {
        cancel.headers.push("Via", via);
    }
    cancel.headers.push("Max-Forwards", "70");
    for name in ["From", "To", "Call-ID"] {
        if let Some(v) = invite.headers.get(name) {
            cancel.headers.push(name, v);
        }
    }
    if let Ok(cseq) = invite.headers.cseq() {
        cancel.headers.push("CSeq", format!("{} CANCEL", cseq.seq));
    }
    for route in invite.headers.get_all("Route") {
        cancel.headers.push("Route", route);
    }
    cancel
}
