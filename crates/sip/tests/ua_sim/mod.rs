//! Two user agents wired through a simulated UDP link on a fake clock (quinn-style): each
//! step delivers due datagrams, fires due timers and collects events. A drop filter loses
//! chosen datagrams.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tandem_sip::message::{parse, Message, Method, NameAddr, Uri};
use tandem_sip::ua::{CallId, Invite, UaConfig, UaEvent, UserAgent};

pub const A: usize = 0;
pub const B: usize = 1;

pub struct Packet {
    pub at: Instant,
    pub from: usize,
    pub to: usize,
    pub bytes: Vec<u8>,
}

pub struct Side {
    pub ua: UserAgent,
    pub addr: SocketAddr,
    pub events: Vec<UaEvent>,
    /// Every datagram this side sent, as text (dropped ones too).
    pub sent: Vec<String>,
    /// When each of `sent` went out.
    pub sent_at: Vec<Instant>,
}

type DropFn = Box<dyn FnMut(usize, &str) -> bool>;

pub struct Sim {
    pub now: Instant,
    pub sides: [Side; 2],
    pub latency: Duration,
    in_flight: Vec<Packet>,
    drop: Option<DropFn>,
}

pub fn addr(i: usize) -> SocketAddr {
    format!("192.0.2.{}:5060", i + 1).parse().unwrap()
}

impl Sim {
    pub fn new() -> Sim {
        let mk = |i: usize| {
            let mut cfg = UaConfig::new(addr(i), 1000 + i as u64);
            cfg.user_agent = format!("ua-{i}");
            Side {
                ua: UserAgent::new(cfg),
                addr: addr(i),
                events: Vec::new(),
                sent: Vec::new(),
                sent_at: Vec::new(),
            }
        };
        Sim {
            now: Instant::now(),
            sides: [mk(0), mk(1)],
            latency: Duration::from_millis(10),
            in_flight: Vec::new(),
            drop: None,
        }
    }

    /// Datagrams from side `from` for which `f(from, text)` is true are lost.
    pub fn set_drop(&mut self, f: impl FnMut(usize, &str) -> bool + 'static) {
        self.drop = Some(Box::new(f));
    }

    pub fn clear_drop(&mut self) {
        self.drop = None;
    }

    pub fn ua(&mut self, i: usize) -> &mut UserAgent {
        &mut self.sides[i].ua
    }

    /// Drains both sides' outputs into the link and their event lists.
    pub fn flush(&mut self) {
        for i in 0..2 {
            while let Some(t) = self.sides[i].ua.poll_transmit() {
                let text = String::from_utf8_lossy(&t.bytes).into_owned();
                let to = if t.dest == addr(A) { A } else { B };
                assert_eq!(
                    t.dest,
                    addr(to),
                    "sent to an address nobody listens on: {text}"
                );
                self.sides[i].sent.push(text.clone());
                self.sides[i].sent_at.push(self.now);
                let lost = self.drop.as_mut().is_some_and(|f| f(i, &text));
                if !lost {
                    self.in_flight.push(Packet {
                        at: self.now + self.latency,
                        from: i,
                        to,
                        bytes: t.bytes,
                    });
                }
            }
            while let Some(e) = self.sides[i].ua.poll_event() {
                self.sides[i].events.push(e);
            }
        }
    }

    /// Runs the link and both agents for `d` of virtual time.
    pub fn run(&mut self, d: Duration) {
        let end = self.now + d;
        loop {
            self.flush();
            let mut next = self.in_flight.iter().map(|p| p.at).min();
            for i in 0..2 {
                if let Some(t) = self.sides[i].ua.poll_timeout() {
                    next = Some(next.map_or(t, |n: Instant| n.min(t)));
                }
            }
            let Some(next) = next.filter(|n| *n <= end) else {
                break;
            };
            self.now = self.now.max(next);
            let now = self.now;
            let (due, rest): (Vec<Packet>, Vec<Packet>) = std::mem::take(&mut self.in_flight)
                .into_iter()
                .partition(|p| p.at <= now);
            self.in_flight = rest;
            for p in due {
                let src = addr(p.from);
                self.sides[p.to].ua.handle_datagram(now, &p.bytes, src);
                self.flush();
            }
            for i in 0..2 {
                self.sides[i].ua.handle_timeout(now);
            }
        }
        self.now = end;
        self.flush();
    }

    /// Runs a little (enough for a few round trips).
    pub fn settle(&mut self) {
        self.run(Duration::from_millis(100));
    }

    /// Takes side `i`'s events so far.
    pub fn take_events(&mut self, i: usize) -> Vec<UaEvent> {
        std::mem::take(&mut self.sides[i].events)
    }

    /// Datagrams side `i` sent whose first line starts with `start` (e.g. "ACK ", "SIP/2.0 200").
    pub fn sent_starting(&self, i: usize, start: &str) -> Vec<String> {
        self.sides[i]
            .sent
            .iter()
            .filter(|t| t.starts_with(start))
            .cloned()
            .collect()
    }

    /// When side `i` sent datagrams starting with `start`.
    pub fn times_starting(&self, i: usize, start: &str) -> Vec<Instant> {
        let s = &self.sides[i];
        s.sent
            .iter()
            .zip(&s.sent_at)
            .filter(|(t, _)| t.starts_with(start))
            .map(|(_, at)| *at)
            .collect()
    }

    /// Injects raw bytes into side `to` as if from the other side.
    pub fn inject(&mut self, to: usize, bytes: &[u8]) {
        let now = self.now;
        self.sides[to].ua.handle_datagram(now, bytes, addr(1 - to));
        self.flush();
    }

    /// Side `from` calls the other side.
    pub fn call(&mut self, from: usize, sdp: &str) -> CallId {
        let to = 1 - from;
        let inv = invite_to(from, to, sdp);
        let now = self.now;
        let id = self.sides[from].ua.invite(now, inv).expect("invite");
        self.flush();
        id
    }

    /// The IncomingCall id side `i` saw last.
    pub fn incoming(&mut self, i: usize) -> CallId {
        self.sides[i]
            .events
            .iter()
            .rev()
            .find_map(|e| match e {
                UaEvent::IncomingCall { call, .. } => Some(*call),
                _ => None,
            })
            .expect("no IncomingCall")
    }

    /// A calls B, B rings and answers, the ACK arrives: both ids, events cleared.
    pub fn established(&mut self, from: usize) -> (CallId, CallId) {
        let to = 1 - from;
        let caller = self.call(from, OFFER);
        self.settle();
        let callee = self.incoming(to);
        let now = self.now;
        self.ua(to)
            .answer(now, callee, ANSWER.as_bytes().to_vec())
            .unwrap();
        self.settle();
        assert!(self.sides[from]
            .events
            .iter()
            .any(|e| matches!(e, UaEvent::CallAnswered { .. })));
        assert!(self.sides[to]
            .events
            .iter()
            .any(|e| matches!(e, UaEvent::CallConfirmed { .. })));
        self.take_events(A);
        self.take_events(B);
        (caller, callee)
    }
}

pub const OFFER: &str = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 10000 RTP/AVP 0\r\na=sendrecv\r\n";
pub const ANSWER: &str = "v=0\r\no=- 2 2 IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\nm=audio 20000 RTP/AVP 0\r\na=sendrecv\r\n";

pub fn invite_to(from: usize, to: usize, sdp: &str) -> Invite {
    let me = if from == A { "alice" } else { "bob" };
    let them = if to == A { "alice" } else { "bob" };
    let uri: Uri = format!("sip:{them}@{}", addr(to)).parse().unwrap();
    Invite {
        request_uri: uri.clone(),
        from: NameAddr::new(format!("sip:{me}@{}", addr(from).ip()).parse().unwrap()),
        to: NameAddr::new(uri),
        dest: addr(to),
        contact_user: me.to_string(),
        sdp: sdp.as_bytes().to_vec(),
        credentials: None,
        extra_headers: Vec::new(),
    }
}

/// The method or status of a sent datagram.
pub fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

pub fn method_of(text: &str) -> Option<Method> {
    match parse(text.as_bytes()) {
        Ok(Message::Request(r)) => Some(r.method),
        _ => None,
    }
}
