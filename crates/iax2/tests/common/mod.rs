//! Two IAX2 endpoints connected in memory, on a fake clock.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tandem_iax2::auth::CallTokens;
use tandem_iax2::call::{Call, CallConfig, CallEvent};
use tandem_iax2::table::{CallTable, Gate, Inbound};
use tandem_iax2::Transmit;

pub struct Side {
    pub addr: SocketAddr,
    pub gate: Gate,
    pub table: CallTable<Call>,
    pub events: Vec<(u16, CallEvent)>,
    pub replies: Vec<Transmit>,
    pub config: CallConfig,
}

impl Side {
    pub fn new(addr: &str, t0: Instant) -> Side {
        Side {
            addr: addr.parse().unwrap(),
            gate: Gate::new(CallTokens::new(addr.as_bytes(), t0)),
            table: CallTable::new(64),
            events: Vec::new(),
            replies: Vec::new(),
            config: CallConfig {
                ping_interval: None,
                lagrq_interval: None,
                ..CallConfig::default()
            },
        }
    }

    pub fn receive(&mut self, now: Instant, src: SocketAddr, bytes: &[u8]) {
        match self.gate.classify(now, src, bytes, &self.table) {
            Inbound::Full { local_call, frame } => {
                if let Some(c) = self.table.get_mut(local_call) {
                    c.handle_full(now, frame);
                }
                self.settle(now, local_call);
            }
            Inbound::Mini { local_call, frame } => {
                if let Some(c) = self.table.get_mut(local_call) {
                    c.handle_mini(now, frame);
                }
                self.settle(now, local_call);
            }
            Inbound::NewCall { frame, ies, .. } => {
                let cfg = self.config.clone();
                let local = self
                    .table
                    .insert_with(now, src, |n| Call::incoming(now, n, src, &frame, &ies, cfg))
                    .unwrap();
                self.settle(now, local);
            }
            Inbound::Reply(t) => self.replies.push(t),
            Inbound::Trunk(_) | Inbound::NewRegistration { .. } | Inbound::Drop(_) => {}
        }
    }

    /// Re-index the peer call number, collect events, free ended calls.
    pub fn settle(&mut self, _now: Instant, local: u16) {
        let Some(c) = self.table.get_mut(local) else {
            return;
        };
        let peer_call = c.peer_call();
        let mut evs = Vec::new();
        while let Some(e) = c.poll_event() {
            evs.push(e);
        }
        self.table.set_peer_call(local, peer_call);
        self.events.extend(evs.into_iter().map(|e| (local, e)));
    }

    pub fn call(&mut self, local: u16) -> &mut Call {
        self.table.get_mut(local).expect("no such call")
    }

    pub fn outbox(&mut self) -> Vec<Transmit> {
        let mut out: Vec<Transmit> = std::mem::take(&mut self.replies);
        for (_, c) in self.table.iter_mut() {
            while let Some(t) = c.poll_transmit() {
                out.push(t);
            }
        }
        out
    }

    pub fn take_events(&mut self) -> Vec<CallEvent> {
        std::mem::take(&mut self.events)
            .into_iter()
            .map(|(_, e)| e)
            .collect()
    }

    pub fn next_timeout(&self) -> Option<Instant> {
        None
    }
}

pub type DropFn = Box<dyn FnMut(&Transmit) -> bool>;

pub struct Net {
    pub a: Side,
    pub b: Side,
    pub now: Instant,
    pub t0: Instant,
    /// Returns true to lose a datagram.
    pub lose: DropFn,
    pub wire: Vec<Transmit>,
}

impl Net {
    pub fn new() -> Net {
        let t0 = Instant::now();
        Net {
            a: Side::new("192.0.2.1:4569", t0),
            b: Side::new("192.0.2.2:4569", t0),
            now: t0,
            t0,
            lose: Box::new(|_| false),
            wire: Vec::new(),
        }
    }

    /// Delivers datagrams until both sides are quiet.
    pub fn pump(&mut self) {
        let mut q: VecDeque<(SocketAddr, Transmit)> = VecDeque::new();
        for _ in 0..1000 {
            for t in self.a.outbox() {
                q.push_back((self.a.addr, t));
            }
            for t in self.b.outbox() {
                q.push_back((self.b.addr, t));
            }
            let Some((src, t)) = q.pop_front() else {
                return;
            };
            self.wire.push(t.clone());
            if (self.lose)(&t) {
                continue;
            }
            if t.dest == self.a.addr {
                self.a.receive(self.now, src, &t.bytes);
            } else if t.dest == self.b.addr {
                self.b.receive(self.now, src, &t.bytes);
            }
        }
        panic!("network did not settle");
    }

    /// Moves the clock to `to`, firing every timer due on the way.
    pub fn advance(&mut self, to: Instant) {
        for _ in 0..10_000 {
            let next = [&mut self.a, &mut self.b]
                .into_iter()
                .flat_map(|s| {
                    s.table
                        .iter_mut()
                        .filter_map(|(_, c)| c.poll_timeout())
                        .collect::<Vec<_>>()
                })
                .min();
            match next {
                Some(t) if t <= to => {
                    self.now = self.now.max(t);
                    for side in [&mut self.a, &mut self.b] {
                        let locals: Vec<u16> = side.table.iter_mut().map(|(n, _)| n).collect();
                        for n in locals {
                            if let Some(c) = side.table.get_mut(n) {
                                if c.poll_timeout().is_some_and(|d| d <= t) {
                                    c.handle_timeout(t);
                                }
                            }
                            side.settle(t, n);
                        }
                    }
                    self.pump();
                }
                _ => break,
            }
        }
        self.now = to;
        self.pump();
    }

    pub fn advance_by(&mut self, d: Duration) {
        let to = self.now + d;
        self.advance(to);
    }
}

/// The IAX command of a datagram, if it is an IAX full frame.
pub fn iax_cmd(t: &Transmit) -> Option<tandem_iax2::consts::IaxCommand> {
    match tandem_iax2::frame::Datagram::parse(&t.bytes) {
        Ok(tandem_iax2::frame::Datagram::Full(f)) => f.iax_command(),
        _ => None,
    }
}

pub fn full(t: &Transmit) -> Option<tandem_iax2::frame::FullFrame> {
    match tandem_iax2::frame::Datagram::parse(&t.bytes) {
        Ok(tandem_iax2::frame::Datagram::Full(f)) => Some(f),
        _ => None,
    }
}
