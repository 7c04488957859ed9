//! The transport half shared by calls, registrations and pokes: call numbers, the peer's
//! address, the reliability layer, the timestamp clocks, and the queue of datagrams to send.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Instant;

use crate::consts::{FrameType, IaxCommand};
use crate::frame::FullFrame;
use crate::ie::IeBuf;
use crate::reliable::{GaveUp, Reliability, RxVerdict};
use crate::timestamp::{RxClock, StampKind, TxClock};
use crate::Transmit;

/// Datagrams queued and not yet collected by the driver, at most (older ones are dropped).
const MAX_QUEUED: usize = 1024;

#[derive(Debug)]
pub struct Link {
    pub local_call: u16,
    pub peer_call: u16,
    pub peer: SocketAddr,
    pub rel: Reliability,
    pub tx: TxClock,
    pub rx: RxClock,
    /// The iseqno last sent to the peer (chan_iax2 `aseqno`): when it lags `rel.iseqno` after
    /// a frame was processed, an explicit ACK is due.
    aseqno: u8,
    out: VecDeque<Transmit>,
}

/// What the link decided about a received full frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// Process it; `final_acked`: a final frame of ours was acknowledged.
    Process { final_acked: bool },
    /// Handled here (duplicate acknowledged again, or gap: VNAK sent).
    Dropped,
}

impl Link {
    pub fn new(local_call: u16, peer: SocketAddr) -> Link {
        Link {
            local_call,
            peer_call: 0,
            peer,
            rel: Reliability::new(),
            tx: TxClock::new(),
            rx: RxClock::default(),
            aseqno: 0,
            out: VecDeque::new(),
        }
    }

    fn push_bytes(&mut self, bytes: Vec<u8>) {
        if self.out.len() >= MAX_QUEUED {
            self.out.pop_front();
        }
        self.out.push_back(Transmit {
            dest: self.peer,
            bytes,
        });
    }

    /// Serializes a numbered frame with our call numbers and queues it.
    pub fn emit(&mut self, mut f: FullFrame) {
        f.source_call = self.local_call;
        f.dest_call = self.peer_call;
        self.aseqno = f.iseqno;
        if let Ok(bytes) = f.to_bytes() {
            self.push_bytes(bytes);
        }
    }

    pub fn emit_raw(&mut self, bytes: Vec<u8>) {
        self.push_bytes(bytes);
    }

    /// Sends a frame reliably. `ts`: a timestamp to echo (PONG, LAGRP) instead of stamping.
    pub fn send(
        &mut self,
        now: Instant,
        mut f: FullFrame,
        ts: Option<u32>,
        final_frame: bool,
    ) -> u32 {
        f.timestamp = match ts {
            Some(t) => t,
            None => {
                let kind = if f.frame_type == FrameType::Iax {
                    StampKind::Genuine
                } else {
                    StampKind::Slaved
                };
                self.tx.stamp(now, kind)
            }
        };
        let stamped = f.timestamp;
        let f = self.rel.send(now, f, final_frame);
        self.emit(f);
        stamped
    }

    pub fn send_iax(
        &mut self,
        now: Instant,
        cmd: IaxCommand,
        ies: IeBuf,
        final_frame: bool,
    ) -> u32 {
        self.send(
            now,
            FullFrame::new(FrameType::Iax, cmd.to_u64(), ies.into_bytes()),
            None,
            final_frame,
        )
    }

    pub fn send_ack(&mut self, rx: &FullFrame) {
        let ack = self.rel.ack_for(rx);
        self.emit(ack);
    }

    pub fn send_vnak(&mut self, now: Instant) {
        let ts = self.tx.stamp(now, StampKind::Genuine);
        let v = self.rel.vnak(ts);
        self.emit(v);
    }

    /// Sequence handling of a full frame from the peer, and learning its call number.
    pub fn receive(&mut self, now: Instant, rx: &FullFrame) -> Received {
        if rx.source_call != 0 && rx.source_call != self.peer_call {
            self.peer_call = rx.source_call;
        }
        match self.rel.receive(rx) {
            RxVerdict::Accept { final_acked } => {
                if rx.frame_type != FrameType::Iax
                    || !matches!(
                        IaxCommand::from_u64(rx.subclass),
                        IaxCommand::Ack | IaxCommand::Pong | IaxCommand::LagRp
                    )
                {
                    self.rx.observe(rx.timestamp);
                }
                Received::Process { final_acked }
            }
            RxVerdict::Duplicate => {
                if !rx.is_iax(IaxCommand::Ack) && !rx.is_iax(IaxCommand::Inval) {
                    self.send_ack(rx);
                }
                Received::Dropped
            }
            RxVerdict::OutOfOrder => {
                self.send_vnak(now);
                Received::Dropped
            }
        }
    }

    /// After processing `rx`: the explicit ACK chan_iax2 sends when nothing we sent since has
    /// carried our new iseqno (never for ACK, INVAL, VNAK, TXCNT, TXACC).
    pub fn ack_if_needed(&mut self, rx: &FullFrame) {
        let no_ack = rx.frame_type == FrameType::Iax
            && matches!(
                IaxCommand::from_u64(rx.subclass),
                IaxCommand::Ack
                    | IaxCommand::Inval
                    | IaxCommand::Vnak
                    | IaxCommand::TxCnt
                    | IaxCommand::TxAcc
            );
        if !no_ack && self.aseqno != self.rel.iseqno {
            self.send_ack(rx);
        }
    }

    /// A VNAK from the peer: resend everything from its iseqno.
    pub fn on_vnak(&mut self, rx: &FullFrame) {
        for f in self.rel.vnak_retransmit(rx.iseqno) {
            self.emit(f);
        }
    }

    /// Resets numbering (a NEW or REGREQ repeated with a call token, chan_iax2
    /// `resend_with_token`).
    pub fn reset_sequence(&mut self) {
        self.rel = Reliability::new();
        self.peer_call = 0;
        self.aseqno = 0;
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        self.rel.poll_timeout()
    }

    pub fn handle_timeout(&mut self, now: Instant) -> Option<GaveUp> {
        let (again, gave_up) = self.rel.handle_timeout(now);
        for f in again {
            self.emit(f);
        }
        gave_up
    }

    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.out.pop_front()
    }
}
