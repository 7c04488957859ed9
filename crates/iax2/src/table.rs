//! The call table (call numbers and routing) and the gate that answers what arrives for no
//! call: call tokens, POKE, INVAL (the session-less half of chan_iax2 `socket_process_helper`,
//! `handle_call_token`, `send_apathetic_reply`, `raw_hangup`, `find_callno`).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::auth::{CallTokens, TokenCheck};
use crate::consts::{FrameType, IaxCommand, MAX_CALL_NUMBER};
use crate::error::Error;
use crate::frame::{Datagram, FullFrame, MiniFrame};
use crate::ie::{id, IeBuf, Ies};
use crate::trunk::TrunkFrame;
use crate::Transmit;

/// chan_iax2 `MIN_REUSE_TIME`: a freed call number is not handed out again for 60 s.
pub const MIN_REUSE_TIME: Duration = Duration::from_secs(60);

#[derive(Debug)]
struct Entry<S> {
    peer: SocketAddr,
    peer_call: u16,
    session: S,
}

/// Sessions (calls, registrations, pokes) by local call number, at most `max` of them.
/// Numbers 2..=32767 are handed out round robin (1 is what stateless replies use as their
/// source); a peer's frames are found by our number (full frames) or by the peer's address
/// and call number (mini frames, retransmitted NEWs).
#[derive(Debug)]
pub struct CallTable<S> {
    max: usize,
    entries: HashMap<u16, Entry<S>>,
    by_peer: HashMap<(SocketAddr, u16), u16>,
    cooling: HashMap<u16, Instant>,
    next: u16,
    /// xorshift state when numbers are picked at random (`with_seed`), as chan_iax2 draws
    /// them from a shuffled pool so that they cannot be guessed.
    rng: Option<u64>,
}

impl<S> CallTable<S> {
    pub fn new(max: usize) -> CallTable<S> {
        CallTable {
            max: max.min(usize::from(MAX_CALL_NUMBER) - 1),
            entries: HashMap::new(),
            by_peer: HashMap::new(),
            cooling: HashMap::new(),
            next: 2,
            rng: None,
        }
    }

    /// Like [`CallTable::new`], but each allocation starts its search at a pseudo-random
    /// number drawn from `seed` (give it random bytes at start-up).
    pub fn with_seed(max: usize, seed: u64) -> CallTable<S> {
        let mut t = CallTable::new(max);
        t.rng = Some(seed | 1);
        t
    }

    fn draw(&mut self) {
        if let Some(x) = self.rng.as_mut() {
            *x ^= *x << 13;
            *x ^= *x >> 7;
            *x ^= *x << 17;
            self.next = 2 + (*x % u64::from(MAX_CALL_NUMBER - 1)) as u16;
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    pub fn is_full(&self) -> bool {
        self.entries.len() >= self.max
    }

    /// Allocates a call number for `peer` and stores the session `make` builds for it.
    pub fn insert_with(
        &mut self,
        now: Instant,
        peer: SocketAddr,
        make: impl FnOnce(u16) -> S,
    ) -> Result<u16, Error> {
        if self.is_full() {
            return Err(Error::TableFull(self.max));
        }
        self.cooling
            .retain(|_, freed| now.saturating_duration_since(*freed) < MIN_REUSE_TIME);
        self.draw();
        for _ in 0..MAX_CALL_NUMBER {
            let n = self.next;
            self.next = if self.next >= MAX_CALL_NUMBER {
                2
            } else {
                self.next + 1
            };
            if self.entries.contains_key(&n) || self.cooling.contains_key(&n) {
                continue;
            }
            self.entries.insert(
                n,
                Entry {
                    peer,
                    peer_call: 0,
                    session: make(n),
                },
            );
            return Ok(n);
        }
        Err(Error::TableFull(self.max))
    }

    pub fn get(&self, local: u16) -> Option<&S> {
        self.entries.get(&local).map(|e| &e.session)
    }
    pub fn get_mut(&mut self, local: u16) -> Option<&mut S> {
        self.entries.get_mut(&local).map(|e| &mut e.session)
    }
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (u16, &mut S)> {
        self.entries.iter_mut().map(|(k, e)| (*k, &mut e.session))
    }

    /// Records (or changes) the peer's call number for `local`.
    pub fn set_peer_call(&mut self, local: u16, peer_call: u16) {
        let Some(e) = self.entries.get_mut(&local) else {
            return;
        };
        if e.peer_call == peer_call {
            return;
        }
        if e.peer_call != 0 {
            self.by_peer.remove(&(e.peer, e.peer_call));
        }
        e.peer_call = peer_call;
        if peer_call != 0 {
            self.by_peer.insert((e.peer, peer_call), local);
        }
    }

    /// Frees `local`; the number cools down for [`MIN_REUSE_TIME`].
    pub fn remove(&mut self, now: Instant, local: u16) -> Option<S> {
        let e = self.entries.remove(&local)?;
        if e.peer_call != 0 {
            self.by_peer.remove(&(e.peer, e.peer_call));
        }
        self.cooling.insert(local, now);
        Some(e.session)
    }

    /// Our call number for the peer's `(address, call number)`.
    pub fn find_by_peer(&self, peer: SocketAddr, peer_call: u16) -> Option<u16> {
        self.by_peer.get(&(peer, peer_call)).copied()
    }

    /// The session a frame from `src` belongs to: by its destination call number when that is
    /// ours and the address matches, else by the peer's call number.
    pub fn route(&self, src: SocketAddr, source_call: u16, dest_call: u16) -> Option<u16> {
        if dest_call != 0 {
            if let Some(e) = self.entries.get(&dest_call) {
                if e.peer == src
                    && (e.peer_call == 0 || e.peer_call == source_call || source_call == 1)
                {
                    return Some(dest_call);
                }
            }
        }
        self.find_by_peer(src, source_call)
    }
}

/// What arrived, after the gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    /// A full frame for an existing session.
    Full { local_call: u16, frame: FullFrame },
    /// A mini voice frame for an existing session.
    Mini { local_call: u16, frame: MiniFrame },
    /// A trunk datagram: hand each entry to `find_by_peer(src, entry.call)`.
    Trunk(TrunkFrame),
    /// A NEW that passed the call-token check: allocate a number and build
    /// [`crate::call::Call::incoming`].
    NewCall {
        frame: FullFrame,
        ies: Ies,
        token_validated: bool,
    },
    /// A REGREQ or REGREL that passed the call-token check: build a
    /// [`crate::registrar::RegistrarTxn`].
    NewRegistration {
        frame: FullFrame,
        ies: Ies,
        token_validated: bool,
    },
    /// Answered statelessly (CALLTOKEN, REJECT, REGREJ, PONG, INVAL): send this.
    Reply(Transmit),
    /// Nothing to do (reason for logs).
    Drop(String),
}

/// The session-less side: call tokens and stateless replies.
#[derive(Debug, Clone)]
pub struct Gate {
    tokens: CallTokens,
    /// iax.conf `requirecalltoken` (default yes): a NEW or REGREQ without a CALLTOKEN IE is
    /// rejected.
    pub require_calltoken: bool,
}

/// A stateless reply as `send_apathetic_reply`: source call 1, oseqno 0, iseqno the
/// request's iseqno + 1, the request's timestamp echoed.
pub fn apathetic_reply(src: SocketAddr, rx: &FullFrame, cmd: IaxCommand, ies: IeBuf) -> Transmit {
    let mut f = FullFrame::new(FrameType::Iax, cmd.to_u64(), ies.into_bytes());
    f.source_call = 1;
    f.dest_call = rx.source_call;
    f.timestamp = rx.timestamp;
    f.oseqno = 0;
    f.iseqno = rx.iseqno.wrapping_add(1);
    Transmit {
        dest: src,
        bytes: f.to_bytes().unwrap_or_default(),
    }
}

/// INVAL for a frame that matches no call (`raw_hangup`): from the number it addressed to the
/// number it came from, timestamp and sequence numbers zero.
pub fn raw_hangup(src: SocketAddr, rx: &FullFrame) -> Transmit {
    let mut f = FullFrame::new(FrameType::Iax, IaxCommand::Inval.to_u64(), Vec::new());
    f.source_call = rx.dest_call;
    f.dest_call = rx.source_call;
    Transmit {
        dest: src,
        bytes: f.to_bytes().unwrap_or_default(),
    }
}

impl Gate {
    pub fn new(tokens: CallTokens) -> Gate {
        Gate {
            tokens,
            require_calltoken: true,
        }
    }

    pub fn tokens(&self) -> &CallTokens {
        &self.tokens
    }

    /// Classifies one datagram from `src`.
    pub fn classify<S>(
        &self,
        now: Instant,
        src: SocketAddr,
        bytes: &[u8],
        table: &CallTable<S>,
    ) -> Inbound {
        let dgram = match Datagram::parse(bytes) {
            Ok(d) => d,
            Err(e) => return Inbound::Drop(e.to_string()),
        };
        let f = match dgram {
            Datagram::Trunk(t) => return Inbound::Trunk(t),
            Datagram::Mini(m) => {
                return match table.find_by_peer(src, m.source_call) {
                    Some(local_call) => Inbound::Mini {
                        local_call,
                        frame: m,
                    },
                    None => Inbound::Drop(format!("mini frame for unknown call {}", m.source_call)),
                };
            }
            Datagram::Full(f) => f,
        };
        let cmd = f.iax_command();
        if cmd == Some(IaxCommand::Poke) {
            return Inbound::Reply(apathetic_reply(src, &f, IaxCommand::Pong, IeBuf::new()));
        }
        if cmd == Some(IaxCommand::Ack) && f.dest_call == 1 {
            return Inbound::Drop("ACK of a stateless reply".into());
        }
        let new_kind = matches!(
            cmd,
            Some(IaxCommand::New | IaxCommand::RegReq | IaxCommand::RegRel)
        );
        if f.dest_call == 0 && new_kind {
            if let Some(local_call) = table.find_by_peer(src, f.source_call) {
                // a retransmitted NEW/REGREQ for a session we already have
                return Inbound::Full {
                    local_call,
                    frame: f,
                };
            }
            return self.admit(now, src, f, cmd == Some(IaxCommand::New), table.is_full());
        }
        match table.route(src, f.source_call, f.dest_call) {
            Some(local_call) => Inbound::Full {
                local_call,
                frame: f,
            },
            None => {
                let quiet = f.frame_type == FrameType::Iax
                    && matches!(
                        cmd,
                        Some(
                            IaxCommand::Inval
                                | IaxCommand::TxCnt
                                | IaxCommand::TxAcc
                                | IaxCommand::FwDownl
                        )
                    );
                if quiet {
                    Inbound::Drop("INVAL/transfer frame for no call".into())
                } else {
                    Inbound::Reply(raw_hangup(src, &f))
                }
            }
        }
    }

    fn admit(
        &self,
        now: Instant,
        src: SocketAddr,
        f: FullFrame,
        is_call: bool,
        full: bool,
    ) -> Inbound {
        let refuse = if is_call {
            IaxCommand::Reject
        } else {
            IaxCommand::RegRej
        };
        let ies = match Ies::parse(&f.payload) {
            Ok(ies) => ies,
            Err(e) => return Inbound::Drop(format!("undecodable frame: {e}")),
        };
        let token_validated = match &ies.calltoken {
            Some(t) if t.is_empty() => {
                let mut b = IeBuf::new();
                b.str(id::CALLTOKEN, &self.tokens.issue(now, &src));
                return Inbound::Reply(apathetic_reply(src, &f, IaxCommand::CallToken, b));
            }
            Some(t) => match self.tokens.check(now, &src, t) {
                TokenCheck::Valid => true,
                TokenCheck::Invalid | TokenCheck::Expired => {
                    return Inbound::Reply(apathetic_reply(src, &f, refuse, IeBuf::new()));
                }
            },
            None if self.require_calltoken => {
                return Inbound::Reply(apathetic_reply(src, &f, refuse, IeBuf::new()));
            }
            None => false,
        };
        if full {
            return Inbound::Reply(apathetic_reply(src, &f, refuse, IeBuf::new()));
        }
        if is_call {
            Inbound::NewCall {
                frame: f,
                ies,
                token_validated,
            }
        } else {
            Inbound::NewRegistration {
                frame: f,
                ies,
                token_validated,
            }
        }
    }
}
