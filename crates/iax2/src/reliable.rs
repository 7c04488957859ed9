//! The reliability layer of one call: sequence numbers, implicit and explicit ACKs,
//! retransmission with chan_iax2's backoff, VNAK, duplicate detection (chan_iax2 `iax2_send`,
//! `transmit_frame`, `__attempt_transmit`, `vnak_retransmit` and the sequence checks of
//! `socket_process_helper`).
//!
//! - Every full frame except ACK is kept until acknowledged. The first retry waits twice the
//!   measured ping time, clamped to [100 ms, 10 s] (1000 ms before any measurement, so 2 s);
//!   each retry waits ten times longer, at most 10 s. After 4 transmissions the next timeout
//!   gives up: a "final" frame (HANGUP, REJECT, REGACK...) just ends the call, anything else
//!   ends it with an error.
//! - Any full frame from the peer acknowledges, through its iseqno, every frame we sent before
//!   that number, when the number falls inside our window.
//! - A frame whose oseqno is not the one expected is dropped: if it is one we already had
//!   (less than 128 behind) we ACK it again, otherwise we send VNAK with the number we expect,
//!   and the peer retransmits everything from there.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::consts::{FrameType, IaxCommand};
use crate::frame::FullFrame;

pub const MIN_RETRY_TIME_MS: u32 = 100;
pub const MAX_RETRY_TIME_MS: u32 = 10_000;
/// chan_iax2 `DEFAULT_RETRY_TIME`: the ping time assumed before any PONG/LAGRP.
pub const DEFAULT_PING_TIME_MS: u32 = 1000;
/// chan_iax2 `max_retries`.
pub const MAX_RETRIES: u32 = 4;
/// Frames kept for retransmission at most (half the 8-bit sequence space).
pub const MAX_IN_FLIGHT: usize = 128;

#[derive(Debug, Clone)]
struct Pending {
    frame: FullFrame,
    retries: u32,
    retry_ms: u32,
    due: Instant,
    final_frame: bool,
}

/// What to do with a received full frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RxVerdict {
    /// In order: process it. `final_acked` says a final frame of ours was acknowledged, so
    /// the call is over.
    Accept { final_acked: bool },
    /// Already received: ACK it again and drop it.
    Duplicate,
    /// A gap: send VNAK and drop it.
    OutOfOrder,
}

/// A frame the retransmission timer gave up on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GaveUp {
    pub final_frame: bool,
    pub frame_type: FrameType,
    pub subclass: u64,
}

#[derive(Debug, Clone)]
pub struct Reliability {
    /// Next sequence number we send.
    pub oseqno: u8,
    /// Oldest sequence number of ours not yet acknowledged.
    pub rseqno: u8,
    /// Next sequence number we expect.
    pub iseqno: u8,
    ping_time_ms: u32,
    queue: VecDeque<Pending>,
}

impl Default for Reliability {
    fn default() -> Self {
        Reliability::new()
    }
}

fn is_cmd(f: &FullFrame, cmds: &[IaxCommand]) -> bool {
    f.frame_type == FrameType::Iax && cmds.contains(&IaxCommand::from_u64(f.subclass))
}

impl Reliability {
    pub fn new() -> Reliability {
        Reliability {
            oseqno: 0,
            rseqno: 0,
            iseqno: 0,
            ping_time_ms: DEFAULT_PING_TIME_MS,
            queue: VecDeque::new(),
        }
    }

    pub fn ping_time_ms(&self) -> u32 {
        self.ping_time_ms
    }

    /// A PONG or LAGRP measured the round trip.
    pub fn set_ping_time(&mut self, ms: u32) {
        self.ping_time_ms = ms;
    }

    pub fn in_flight(&self) -> usize {
        self.queue.len()
    }

    fn first_retry_ms(&self) -> u32 {
        self.ping_time_ms
            .saturating_mul(2)
            .clamp(MIN_RETRY_TIME_MS, MAX_RETRY_TIME_MS)
    }

    /// Numbers a frame to send reliably, remembers it, and returns it ready to serialize.
    /// `final_frame`: acknowledging (or giving up on) this frame ends the call.
    pub fn send(&mut self, now: Instant, mut frame: FullFrame, final_frame: bool) -> FullFrame {
        frame.oseqno = self.oseqno;
        self.oseqno = self.oseqno.wrapping_add(1);
        frame.iseqno = self.iseqno;
        frame.retransmitted = false;
        if self.queue.len() >= MAX_IN_FLIGHT {
            self.queue.pop_front();
        }
        let retry_ms = self.first_retry_ms();
        self.queue.push_back(Pending {
            frame: frame.clone(),
            retries: 1,
            retry_ms,
            due: now + Duration::from_millis(u64::from(retry_ms)),
            final_frame,
        });
        frame
    }

    /// Numbers a frame that is sent once and never retransmitted (chan_iax2
    /// `send_command_immediate` without a given sequence number).
    pub fn send_unreliable(&mut self, mut frame: FullFrame) -> FullFrame {
        frame.oseqno = self.oseqno;
        self.oseqno = self.oseqno.wrapping_add(1);
        frame.iseqno = self.iseqno;
        frame
    }

    /// The ACK for `rx`: it echoes rx's timestamp, and carries rx's iseqno as its own oseqno
    /// (chan_iax2 passes `fr->iseqno` as the sequence number of the ACK).
    pub fn ack_for(&self, rx: &FullFrame) -> FullFrame {
        let mut ack = FullFrame::new(FrameType::Iax, IaxCommand::Ack.to_u64(), Vec::new());
        ack.timestamp = rx.timestamp;
        ack.oseqno = rx.iseqno;
        ack.iseqno = self.iseqno;
        ack
    }

    /// A VNAK asking for everything from our iseqno (`iax2_vnak`: oseqno and iseqno both ours).
    pub fn vnak(&self, timestamp: u32) -> FullFrame {
        let mut v = FullFrame::new(FrameType::Iax, IaxCommand::Vnak.to_u64(), Vec::new());
        v.timestamp = timestamp;
        v.oseqno = self.iseqno;
        v.iseqno = self.iseqno;
        v
    }

    /// Sequence checks for a received full frame (from the call's real peer).
    pub fn receive(&mut self, rx: &FullFrame) -> RxVerdict {
        let exempt = [
            IaxCommand::Ack,
            IaxCommand::Inval,
            IaxCommand::TxCnt,
            IaxCommand::TxAcc,
            IaxCommand::Vnak,
        ];
        let transfer_ok = [
            IaxCommand::TxCnt,
            IaxCommand::TxReady,
            IaxCommand::TxRel,
            IaxCommand::Unquelch,
            IaxCommand::TxAcc,
        ];
        let mismatch = self.iseqno != rx.oseqno && (self.iseqno != 0 || !is_cmd(rx, &transfer_ok));
        if mismatch {
            let order_exempt = [
                IaxCommand::Ack,
                IaxCommand::Inval,
                IaxCommand::TxCnt,
                IaxCommand::TxReady,
                IaxCommand::TxRel,
                IaxCommand::Unquelch,
                IaxCommand::TxAcc,
                IaxCommand::Vnak,
            ];
            if !is_cmd(rx, &order_exempt) {
                if self.iseqno.wrapping_sub(rx.oseqno) < 128 {
                    return RxVerdict::Duplicate;
                }
                return RxVerdict::OutOfOrder;
            }
        } else if !is_cmd(rx, &exempt) {
            self.iseqno = self.iseqno.wrapping_add(1);
        }
        let final_acked = if is_cmd(rx, &[IaxCommand::Inval]) {
            false
        } else {
            self.implicit_ack(rx.iseqno)
        };
        // ACK, INVAL, VNAK and the transfer commands are processed whatever their oseqno.
        RxVerdict::Accept { final_acked }
    }

    /// chan_iax2's window check, on plain (non-wrapping) numbers as the C code compares them.
    fn implicit_ack(&mut self, their_iseqno: u8) -> bool {
        let (r, o, i) = (self.rseqno, self.oseqno, their_iseqno);
        let x = if r >= o || (i >= r && i < o) { i } else { o };
        if x == o && o != i {
            return false;
        }
        let mut final_acked = false;
        let mut seq = r;
        let mut guard = 0;
        while seq != i && guard < 256 {
            if let Some(pos) = self.queue.iter().position(|p| p.frame.oseqno == seq) {
                if let Some(p) = self.queue.remove(pos) {
                    final_acked |= p.final_frame;
                }
            }
            seq = seq.wrapping_add(1);
            guard += 1;
        }
        self.rseqno = i;
        final_acked
    }

    fn retransmission(&self, p: &Pending) -> FullFrame {
        let mut f = p.frame.clone();
        f.retransmitted = true;
        f.iseqno = self.iseqno;
        f
    }

    /// VNAK received with `from` (its iseqno): every unacknowledged frame at or after `from`,
    /// now, marked as retransmissions.
    pub fn vnak_retransmit(&self, from: u8) -> Vec<FullFrame> {
        self.queue
            .iter()
            .filter(|p| p.frame.oseqno.wrapping_sub(from) < 128)
            .map(|p| self.retransmission(p))
            .collect()
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        self.queue.iter().map(|p| p.due).min()
    }

    /// Runs due retransmissions: frames to send again, and the first frame given up on.
    pub fn handle_timeout(&mut self, now: Instant) -> (Vec<FullFrame>, Option<GaveUp>) {
        let mut out = Vec::new();
        let mut gave_up = None;
        let mut i = 0;
        while i < self.queue.len() {
            let Some(p) = self.queue.get(i) else { break };
            if p.due > now {
                i += 1;
                continue;
            }
            if p.retries >= MAX_RETRIES {
                if let Some(p) = self.queue.remove(i) {
                    if gave_up.is_none() {
                        gave_up = Some(GaveUp {
                            final_frame: p.final_frame,
                            frame_type: p.frame.frame_type,
                            subclass: p.frame.subclass,
                        });
                    }
                }
                continue;
            }
            let f = self.retransmission(p);
            out.push(f);
            if let Some(p) = self.queue.get_mut(i) {
                p.retries += 1;
                p.retry_ms = p.retry_ms.saturating_mul(10).min(MAX_RETRY_TIME_MS);
                p.due = now + Duration::from_millis(u64::from(p.retry_ms));
            }
            i += 1;
        }
        (out, gave_up)
    }

    /// Forgets everything in flight (the call is gone).
    pub fn clear(&mut self) {
        self.queue.clear();
    }
}
