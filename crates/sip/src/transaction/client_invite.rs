//! Client INVITE transaction (RFC 3261 sec. 17.1.1, with the RFC 6026 `Accepted` state).
//!
//! ```text
//!  Calling --1xx--> Proceeding --2xx--> Accepted --M--> Terminated
//!     |  A: resend, doubling (no cap)        ^
//!     |  B: Timeout                          | 2xx (from Calling too)
//!     +--300-699: ACK, to TU--> Completed --D--> Terminated   (finals re-ACKed, absorbed)
//! ```
//!
//! RFC 3261 ends the transaction at the first 2xx, which leaves 2xx retransmissions and the
//! 2xx of other forks to match nothing. RFC 6026 keeps it in `Accepted` for 64*T1 and passes
//! every 2xx up, so the TU (which ACKs 2xx itself, end to end) sees them all under one id.

use std::time::{Duration, Instant};

use super::timers::{Timer, TimerConfig, Timers};
use super::{Ctx, TxnEvent, TxnState};
use crate::message::{Method, Request, Response};

#[derive(Debug)]
pub(crate) struct ClientInvite {
    state: TxnState,
    request: Request,
    bytes: Vec<u8>,
    ack: Option<Vec<u8>>,
    reliable: bool,
    a_interval: Duration,
    timers: Timers,
    cfg: TimerConfig,
}

impl ClientInvite {
    /// Sends the INVITE and arms A (unreliable only) and B.
    pub fn start(
        now: Instant,
        request: Request,
        reliable: bool,
        cfg: TimerConfig,
        cx: &mut Ctx<'_>,
    ) -> Self {
        let bytes = request.to_bytes();
        cx.send(bytes.clone());
        let mut timers = Timers::new();
        if !reliable {
            timers.set(Timer::A, now + cfg.t1);
        }
        timers.set(Timer::B, now + cfg.t1x64());
        ClientInvite {
            state: TxnState::Calling,
            request,
            bytes,
            ack: None,
            reliable,
            a_interval: cfg.t1,
            timers,
            cfg,
        }
    }

    pub fn state(&self) -> TxnState {
        self.state
    }

    pub fn request(&self) -> &Request {
        &self.request
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next()
    }

    pub fn timer(&self, t: Timer) -> Option<Instant> {
        self.timers.get(t)
    }

    pub fn handle_response(&mut self, now: Instant, response: Response, cx: &mut Ctx<'_>) {
        let status = response.status;
        match self.state {
            TxnState::Calling | TxnState::Proceeding => match status {
                100..=199 => {
                    self.state = TxnState::Proceeding;
                    self.timers.clear(Timer::A);
                    self.timers.clear(Timer::B);
                    cx.emit(TxnEvent::Response {
                        txn: cx.id,
                        response,
                    });
                }
                200..=299 => {
                    self.state = TxnState::Accepted;
                    self.timers.clear_all();
                    self.timers.set(Timer::M, now + self.cfg.t1x64());
                    cx.emit(TxnEvent::Response {
                        txn: cx.id,
                        response,
                    });
                }
                300..=699 => {
                    let ack = build_ack(&self.request, &response).to_bytes();
                    cx.send(ack.clone());
                    self.ack = Some(ack);
                    self.state = TxnState::Completed;
                    self.timers.clear_all();
                    let d = self.cfg.wait(self.cfg.d, self.reliable);
                    self.timers.set(Timer::D, now + d);
                    cx.emit(TxnEvent::Response {
                        txn: cx.id,
                        response,
                    });
                }
                _ => {}
            },
            // A retransmitted final: ACK it again, the TU does not hear of it.
            TxnState::Completed if (300..=699).contains(&status) => {
                if let Some(ack) = &self.ack {
                    cx.send(ack.clone());
                }
            }
            TxnState::Accepted if (200..=299).contains(&status) => {
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
                (Timer::A, TxnState::Calling) => {
                    cx.send(self.bytes.clone());
                    self.a_interval = self.cfg.double(self.a_interval, false);
                    self.timers
                        .set(Timer::A, TimerConfig::rearm(fired, self.a_interval, now));
                }
                (Timer::B, TxnState::Calling) => {
                    cx.emit(TxnEvent::Timeout { txn: cx.id });
                    self.terminate();
                }
                (Timer::D, TxnState::Completed) | (Timer::M, TxnState::Accepted) => {
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
    }
}

/// The ACK for a non-2xx final response (RFC 3261 17.1.1.3): the INVITE's Request-URI,
/// Call-ID, From and Route headers, its top Via only (same branch), the CSeq number with
/// method ACK, and the To header of the response (with the tag the server added).
pub fn build_ack(invite: &Request, response: &Response) -> Request {
    let mut ack = Request::new(Method::Ack, invite.uri.clone());
    if let Some(via) = top_via_value(invite) {
        ack.headers.push("Via", via);
    }
    ack.headers.push("Max-Forwards", "70");
    if let Some(from) = invite.headers.get("From") {
        ack.headers.push("From", from);
    }
    if let Some(to) = response
        .headers
        .get("To")
        .or_else(|| invite.headers.get("To"))
    {
        ack.headers.push("To", to);
    }
    if let Some(cid) = invite.headers.get("Call-ID") {
        ack.headers.push("Call-ID", cid);
    }
    if let Ok(cseq) = invite.headers.cseq() {
        ack.headers.push("CSeq", format!("{} ACK", cseq.seq));
    }
    for route in invite.headers.get_all("Route") {
        ack.headers.push("Route", route);
    }
    ack
}

/// The top Via value as written (first element of the first Via line).
pub(crate) fn top_via_value(req: &Request) -> Option<String> {
    req.headers.top_via().ok().map(|v| v.to_string())
}
