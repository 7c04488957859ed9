//! Shared helpers for the transaction scenarios: a fake clock, message builders, and a
//! simulated link between two layers with latency and deterministic loss.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tandem_sip::message::{parse, Message, Request, Response, Transport};
use tandem_sip::transaction::{Config, TransactionLayer, Transmit, TxnEvent};

pub const UAC: &str = "192.0.2.1:5060";
pub const UAS: &str = "192.0.2.2:5060";

pub fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// Milliseconds after a base instant: the only clock the tests have.
pub struct Clock(pub Instant);

impl Clock {
    pub fn new() -> Clock {
        Clock(Instant::now())
    }
    pub fn ms(&self, ms: u64) -> Instant {
        self.0 + Duration::from_millis(ms)
    }
    pub fn since(&self, t: Instant) -> u64 {
        t.duration_since(self.0).as_millis() as u64
    }
}

pub fn layer() -> TransactionLayer {
    TransactionLayer::new(Config::default(), 7)
}

pub fn req(text: &str) -> Request {
    let raw = text.replace('\n', "\r\n");
    match parse(raw.as_bytes()) {
        Ok(Message::Request(r)) => r,
        other => panic!("not a request: {other:?}"),
    }
}

pub fn resp(text: &str) -> Response {
    let raw = text.replace('\n', "\r\n");
    match parse(raw.as_bytes()) {
        Ok(Message::Response(r)) => r,
        other => panic!("not a response: {other:?}"),
    }
}

/// An INVITE from 192.0.2.1 with the given Via branch parameter text (e.g. `;branch=z9hG4bK1`
/// or empty for none).
pub fn invite(branch: &str) -> Request {
    req(&format!(
        "INVITE sip:bob@192.0.2.2 SIP/2.0
Via: SIP/2.0/UDP 192.0.2.1:5060{branch}
Route: <sip:p1.example.com;lr>
Route: <sip:p2.example.com;lr>
Max-Forwards: 70
From: Alice <sip:alice@192.0.2.1>;tag=a1
To: Bob <sip:bob@192.0.2.2>
Call-ID: call-1@192.0.2.1
CSeq: 1 INVITE
Contact: <sip:alice@192.0.2.1>
Content-Length: 0

"
    ))
}

/// A non-INVITE request (`method`) from 192.0.2.1.
pub fn non_invite(method: &str, branch: &str) -> Request {
    req(&format!(
        "{method} sip:bob@192.0.2.2 SIP/2.0
Via: SIP/2.0/UDP 192.0.2.1:5060{branch}
Max-Forwards: 70
From: <sip:alice@192.0.2.1>;tag=a1
To: <sip:bob@192.0.2.2>
Call-ID: call-2@192.0.2.1
CSeq: 5 {method}
Content-Length: 0

"
    ))
}

/// A response to `r` with To tag `b1` (none for 100).
pub fn answer(r: &Request, status: u16, reason: &str) -> Response {
    let mut out = Response::from_request(r, status, reason);
    if status != 100 {
        out.set_to_tag("b1");
    }
    out
}

pub fn transmits(l: &mut TransactionLayer) -> Vec<Transmit> {
    std::iter::from_fn(|| l.poll_transmit()).collect()
}

pub fn events(l: &mut TransactionLayer) -> Vec<TxnEvent> {
    std::iter::from_fn(|| l.poll_event()).collect()
}

pub fn parse_tx(t: &Transmit) -> Message {
    parse(&t.bytes).unwrap()
}

pub fn first_line(t: &Transmit) -> String {
    let s = String::from_utf8_lossy(&t.bytes);
    s.lines().next().unwrap_or("").to_string()
}

/// Steps the clock from wake-up to wake-up until `until`, firing timers; returns every
/// transmit with the instant (ms since base) it went out, and every event with its instant.
/// What [`run_until`] saw: transmits and events, each with its time in ms since the base.
pub type Timeline = (Vec<(u64, Transmit)>, Vec<(u64, TxnEvent)>);

pub fn run_until(l: &mut TransactionLayer, clock: &Clock, until: Instant) -> Timeline {
    let mut tx = Vec::new();
    let mut ev = Vec::new();
    while let Some(t) = l.poll_timeout() {
        if t > until {
            break;
        }
        l.handle_timeout(t);
        for x in transmits(l) {
            tx.push((clock.since(t), x));
        }
        for e in events(l) {
            ev.push((clock.since(t), e));
        }
    }
    (tx, ev)
}

/// Deterministic loss: drops the packets whose sequence numbers (in link order, from 0) are
/// listed, or every packet whose pseudo-random draw falls under `rate_percent`.
pub enum Loss {
    None,
    Listed(Vec<usize>),
    Rate { percent: u64, seed: u64 },
}

/// Two layers connected by a link with a fixed one-way latency and loss.
pub struct Net {
    pub a: TransactionLayer,
    pub b: TransactionLayer,
    pub a_addr: SocketAddr,
    pub b_addr: SocketAddr,
    pub latency: Duration,
    pub loss: Loss,
    pub sent: usize,
    pub dropped: usize,
    pub now: Instant,
    in_flight: VecDeque<(Instant, bool, Vec<u8>)>,
}

/// Which side an event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    A,
    B,
}

impl Net {
    pub fn new(now: Instant, latency_ms: u64, loss: Loss) -> Net {
        Net {
            a: layer(),
            b: TransactionLayer::new(Config::default(), 99),
            a_addr: addr(UAC),
            b_addr: addr(UAS),
            latency: Duration::from_millis(latency_ms),
            loss,
            sent: 0,
            dropped: 0,
            now,
            in_flight: VecDeque::new(),
        }
    }

    fn lost(&mut self) -> bool {
        let n = self.sent;
        self.sent += 1;
        let lost = match &mut self.loss {
            Loss::None => false,
            Loss::Listed(v) => v.contains(&n),
            Loss::Rate { percent, seed } => {
                *seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (*seed >> 33) % 100 < *percent
            }
        };
        if lost {
            self.dropped += 1;
        }
        lost
    }

    /// Moves what both layers want to send onto the link.
    pub fn pump(&mut self) {
        let now = self.now;
        while let Some(t) = self.a.poll_transmit() {
            assert_eq!(t.dest, self.b_addr);
            if !self.lost() {
                self.in_flight
                    .push_back((now + self.latency, true, t.bytes));
            }
        }
        while let Some(t) = self.b.poll_transmit() {
            assert_eq!(t.dest, self.a_addr);
            if !self.lost() {
                self.in_flight
                    .push_back((now + self.latency, false, t.bytes));
            }
        }
    }

    /// Advances to the next event (delivery or timer) no later than `until`, runs it, and
    /// returns the events both layers produced. `None` when nothing happens before `until`.
    pub fn step(&mut self, until: Instant) -> Option<Vec<(Side, TxnEvent)>> {
        self.pump();
        let next_delivery = self.in_flight.iter().map(|(t, _, _)| *t).min();
        let next = [next_delivery, self.a.poll_timeout(), self.b.poll_timeout()]
            .into_iter()
            .flatten()
            .min()?;
        if next > until {
            return None;
        }
        self.now = next;
        let mut due = Vec::new();
        self.in_flight.retain(|(t, to_b, bytes)| {
            if *t <= next {
                due.push((*to_b, bytes.clone()));
                false
            } else {
                true
            }
        });
        for (to_b, bytes) in due {
            let msg = parse(&bytes).unwrap();
            if to_b {
                self.b
                    .handle_incoming(next, msg, self.a_addr, Transport::Udp);
            } else {
                self.a
                    .handle_incoming(next, msg, self.b_addr, Transport::Udp);
            }
        }
        self.a.handle_timeout(next);
        self.b.handle_timeout(next);
        let mut out: Vec<(Side, TxnEvent)> = events(&mut self.a)
            .into_iter()
            .map(|e| (Side::A, e))
            .collect();
        out.extend(events(&mut self.b).into_iter().map(|e| (Side::B, e)));
        self.pump();
        Some(out)
    }
}
