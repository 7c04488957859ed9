//! Qualify (iax.conf `qualify=`): POKE a peer, time the PONG (chan_iax2 `iax2_poke_peer`,
//! `iax2_poke_noanswer` and the PONG handling of `socket_process_helper`).
//!
//! Each poke is a fresh exchange on the qualify's call number: POKE (empty CALLTOKEN IE,
//! retransmitted on a ping time of `maxms / 8`), answered statelessly with a PONG that echoes
//! its timestamp. No PONG within `2 * maxms` (or `5/6` of the not-OK frequency when the peer is
//! already unreachable) makes the peer UNREACHABLE; a round trip above `maxms` is LAGGED.
//! The next poke follows after 60 s when reachable, 10 s otherwise.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::consts::IaxCommand;
use crate::frame::FullFrame;
use crate::ie::{id, IeBuf};
use crate::link::{Link, Received};
use crate::Transmit;

#[derive(Debug, Clone, Copy)]
pub struct QualifyConfig {
    /// `qualify=yes` means 2000 ms (`DEFAULT_MAXMS`).
    pub max_ms: u32,
    /// `qualifyfreqok` (60 s) and `qualifyfreqnotok` (10 s).
    pub freq_ok: Duration,
    pub freq_not_ok: Duration,
}

impl Default for QualifyConfig {
    fn default() -> Self {
        QualifyConfig {
            max_ms: 2000,
            freq_ok: Duration::from_secs(60),
            freq_not_ok: Duration::from_secs(10),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerStatus {
    Unknown,
    Reachable { ms: u32 },
    Lagged { ms: u32 },
    Unreachable,
}

#[derive(Debug)]
pub struct Qualify {
    config: QualifyConfig,
    local_call: u16,
    peer: SocketAddr,
    link: Option<Link>,
    sent_at: Option<Instant>,
    no_answer_at: Option<Instant>,
    next_poke: Option<Instant>,
    status: PeerStatus,
    events: VecDeque<PeerStatus>,
    out: VecDeque<Transmit>,
}

impl Qualify {
    pub fn new(local_call: u16, peer: SocketAddr, config: QualifyConfig) -> Qualify {
        Qualify {
            config,
            local_call,
            peer,
            link: None,
            sent_at: None,
            no_answer_at: None,
            next_poke: None,
            status: PeerStatus::Unknown,
            events: VecDeque::new(),
            out: VecDeque::new(),
        }
    }

    pub fn status(&self) -> PeerStatus {
        self.status
    }
    pub fn local_call(&self) -> u16 {
        self.local_call
    }

    /// Sends a POKE now.
    pub fn poke(&mut self, now: Instant) {
        let mut link = Link::new(self.local_call, self.peer);
        link.rel.set_ping_time(self.config.max_ms / 8);
        let mut b = IeBuf::new();
        b.empty(id::CALLTOKEN);
        link.send_iax(now, IaxCommand::Poke, b, false);
        while let Some(t) = link.poll_transmit() {
            self.out.push_back(t);
        }
        self.link = Some(link);
        self.sent_at = Some(now);
        let wait = if self.status == PeerStatus::Unreachable {
            self.config.freq_not_ok * 5 / 6
        } else {
            Duration::from_millis(u64::from(self.config.max_ms) * 2)
        };
        self.no_answer_at = Some(now + wait);
        self.next_poke = None;
    }

    fn set_status(&mut self, s: PeerStatus) {
        let changed = std::mem::discriminant(&s) != std::mem::discriminant(&self.status);
        self.status = s;
        if changed {
            self.events.push_back(s);
        }
    }

    /// The PONG (routed to our call number by the table).
    pub fn handle_full(&mut self, now: Instant, f: FullFrame) {
        let Some(link) = self.link.as_mut() else {
            return;
        };
        if let Received::Dropped = link.receive(now, &f) {
            return;
        }
        if !f.is_iax(IaxCommand::Pong) {
            return;
        }
        let ms = self
            .sent_at
            .map(|s| now.saturating_duration_since(s).as_millis() as u32)
            .unwrap_or(0);
        self.link = None;
        self.no_answer_at = None;
        if ms <= self.config.max_ms {
            self.set_status(PeerStatus::Reachable { ms });
            self.next_poke = Some(now + self.config.freq_ok);
        } else {
            self.set_status(PeerStatus::Lagged { ms });
            self.next_poke = Some(now + self.config.freq_not_ok);
        }
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        [
            self.link.as_ref().and_then(|l| l.poll_timeout()),
            self.no_answer_at,
            self.next_poke,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        if let Some(link) = self.link.as_mut() {
            let _ = link.handle_timeout(now);
            while let Some(t) = link.poll_transmit() {
                self.out.push_back(t);
            }
        }
        if self.no_answer_at.is_some_and(|t| t <= now) {
            self.link = None;
            self.no_answer_at = None;
            self.set_status(PeerStatus::Unreachable);
            self.next_poke = Some(now + self.config.freq_not_ok);
        }
        if self.next_poke.is_some_and(|t| t <= now) {
            self.poke(now);
        }
    }

    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.out.pop_front()
    }

    /// Status changes.
    pub fn poll_event(&mut self) -> Option<PeerStatus> {
        self.events.pop_front()
    }
}
