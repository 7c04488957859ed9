//! The registrar: REGREQ/REGREL from dynamic peers (chan_iax2 `register_verify`,
//! `registry_authrequest`, `update_registry`, `expire_registry`).
//!
//! A [`RegistrarTxn`] is one registration exchange on its own call number. The driver looks up
//! the peer named in USERNAME and calls [`RegistrarTxn::decide`] each time the transaction
//! reports [`RegistrarTxn::needs_decision`]: a peer without a secret is accepted at once; with
//! a secret the first REGREQ gets REGAUTH (MD5 challenge) and the second must carry the right
//! MD5_RESULT, else REGREJ "Registration Refused" (cause 29). An unknown peer is challenged
//! like a known one and then refused, so a scan cannot tell names apart (AST-2009-001).
//! Accepted: the binding is stored for the refresh clamped to `[minregexpire, maxregexpire]`
//! (both 60 by default) and expires 10 s after that; REGACK carries USERNAME, DATETIME,
//! REFRESH, APPARENT_ADDR (and MSGCOUNT when given). REGREL removes the binding.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::consts::{auth_method, cause, IaxCommand};
use crate::frame::FullFrame;
use crate::ie::{id, IeBuf, Ies};
use crate::ie_value::DateTime;
use crate::link::{Link, Received};
use crate::Transmit;

/// Grace chan_iax2 adds to the expiry before dropping a binding.
pub const EXPIRY_GRACE: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy)]
pub struct RegistrarConfig {
    /// `minregexpire` / `maxregexpire` (seconds).
    pub min_expire: u16,
    pub max_expire: u16,
    /// Bindings kept at most.
    pub max_bindings: usize,
}

impl Default for RegistrarConfig {
    fn default() -> Self {
        RegistrarConfig {
            min_expire: 60,
            max_expire: 60,
            max_bindings: 4096,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub addr: SocketAddr,
    /// Seconds granted.
    pub expiry: u16,
    pub expires_at: Instant,
}

/// Where dynamic peers are (chan_iax2 keeps this in `peer->addr` and astdb `IAX/Registry`).
#[derive(Debug, Default)]
pub struct Registrar {
    config: RegistrarConfig,
    bindings: HashMap<String, Binding>,
}

impl Registrar {
    pub fn new(config: RegistrarConfig) -> Registrar {
        Registrar {
            config,
            bindings: HashMap::new(),
        }
    }

    pub fn get(&self, peer: &str) -> Option<&Binding> {
        self.bindings.get(peer)
    }

    pub fn len(&self) -> usize {
        self.bindings.len()
    }
    pub fn is_empty(&self) -> bool {
        self.bindings.is_empty()
    }

    /// The refresh granted for a requested one: 0 means the minimum.
    pub fn clamp(&self, requested: u16) -> u16 {
        let r = if requested == 0 {
            self.config.min_expire
        } else {
            requested
        };
        r.clamp(
            self.config.min_expire,
            self.config.max_expire.max(self.config.min_expire),
        )
    }

    /// Stores a binding; false when the table is full (the REGREQ is then refused).
    pub fn bind(&mut self, now: Instant, peer: &str, addr: SocketAddr, expiry: u16) -> bool {
        if !self.bindings.contains_key(peer) && self.bindings.len() >= self.config.max_bindings {
            return false;
        }
        let expires_at = now + Duration::from_secs(u64::from(expiry)) + EXPIRY_GRACE;
        self.bindings.insert(
            peer.to_string(),
            Binding {
                addr,
                expiry,
                expires_at,
            },
        );
        true
    }

    pub fn unbind(&mut self, peer: &str) -> Option<Binding> {
        self.bindings.remove(peer)
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        self.bindings.values().map(|b| b.expires_at).min()
    }

    /// Drops expired bindings and returns their peer names.
    pub fn handle_timeout(&mut self, now: Instant) -> Vec<String> {
        let gone: Vec<String> = self
            .bindings
            .iter()
            .filter(|(_, b)| b.expires_at <= now)
            .map(|(n, _)| n.clone())
            .collect();
        for n in &gone {
            self.bindings.remove(n);
        }
        gone
    }
}

/// What the driver knows about the peer a REGREQ names.
#[derive(Debug, Clone, Default)]
pub struct PeerAuth {
    /// `secret=` (`;`-separated alternatives); `None`: no authentication.
    pub secret: Option<String>,
    /// New/old message counts for MSGCOUNT (`mailbox=`).
    pub msgcount: Option<u16>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxnState {
    /// A REGREQ/REGREL waits for [`RegistrarTxn::decide`].
    Deciding,
    /// REGAUTH sent.
    Challenged,
    /// REGACK or REGREJ sent; waiting for its ACK.
    Done,
    Ended,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistrarOutcome {
    Registered {
        peer: String,
        addr: SocketAddr,
        expiry: u16,
    },
    Unregistered {
        peer: String,
    },
    Challenged,
    Refused {
        peer: Option<String>,
    },
}

#[derive(Debug)]
pub struct RegistrarTxn {
    link: Link,
    state: TxnState,
    username: Option<String>,
    refresh: u16,
    release: bool,
    md5_result: Option<String>,
    challenge: Option<String>,
}

impl RegistrarTxn {
    /// A REGREQ/REGREL the gate admitted, on our new call number `local_call`.
    pub fn new(
        now: Instant,
        local_call: u16,
        src: SocketAddr,
        frame: &FullFrame,
        ies: &Ies,
    ) -> RegistrarTxn {
        let mut link = Link::new(local_call, src);
        let _ = link.receive(now, frame);
        RegistrarTxn {
            link,
            state: TxnState::Deciding,
            username: ies.username.clone(),
            refresh: ies.refresh.unwrap_or(0),
            release: frame.is_iax(IaxCommand::RegRel),
            md5_result: ies.md5_result.clone(),
            challenge: None,
        }
    }

    /// The challenge sent and the MD5 answer received, once both exist.
    pub fn md5_attempt(&self) -> Option<(&str, &str)> {
        Some((self.challenge.as_deref()?, self.md5_result.as_deref()?))
    }

    pub fn username(&self) -> Option<&str> {
        self.username.as_deref()
    }
    pub fn state(&self) -> TxnState {
        self.state
    }
    pub fn needs_decision(&self) -> bool {
        self.state == TxnState::Deciding
    }
    pub fn is_ended(&self) -> bool {
        self.state == TxnState::Ended
    }
    pub fn peer_call(&self) -> u16 {
        self.link.peer_call
    }
    /// Where the request came from.
    pub fn source(&self) -> SocketAddr {
        self.link.peer
    }

    /// The follow-up REGREQ (with MD5_RESULT), retransmissions, ACKs.
    pub fn handle_full(&mut self, now: Instant, f: FullFrame) {
        if self.state == TxnState::Ended {
            return;
        }
        let final_acked = match self.link.receive(now, &f) {
            Received::Dropped => return,
            Received::Process { final_acked } => final_acked,
        };
        if final_acked {
            self.state = TxnState::Ended;
            return;
        }
        match f.iax_command() {
            Some(IaxCommand::RegReq | IaxCommand::RegRel) if self.state == TxnState::Challenged => {
                if let Ok(ies) = Ies::parse(&f.payload) {
                    self.md5_result = ies.md5_result;
                    self.refresh = ies.refresh.unwrap_or(self.refresh);
                    self.release = f.is_iax(IaxCommand::RegRel);
                    self.state = TxnState::Deciding;
                }
            }
            Some(IaxCommand::Vnak) => self.link.on_vnak(&f),
            _ => self.link.ack_if_needed(&f),
        }
    }

    fn refuse(&mut self, now: Instant) -> RegistrarOutcome {
        let mut b = IeBuf::new();
        b.str(id::CAUSE, "Registration Refused");
        b.byte(id::CAUSECODE, cause::FACILITY_REJECTED);
        self.state = TxnState::Done;
        self.link.send_iax(now, IaxCommand::RegRej, b, true);
        RegistrarOutcome::Refused {
            peer: self.username.clone(),
        }
    }

    /// Decides a pending request. `peer`: what iax.conf says about USERNAME (`None`: no such
    /// dynamic peer). `challenge`: a fresh random string, used if a challenge is needed.
    /// `datetime`: the wall clock for the DATETIME IE.
    pub fn decide(
        &mut self,
        now: Instant,
        peer: Option<&PeerAuth>,
        challenge: &str,
        registrar: &mut Registrar,
        datetime: Option<DateTime>,
    ) -> Option<RegistrarOutcome> {
        if self.state != TxnState::Deciding {
            return None;
        }
        let Some(name) = self.username.clone() else {
            return Some(self.refuse(now));
        };
        let secret = peer
            .and_then(|p| p.secret.clone())
            .filter(|s| !s.is_empty());
        let needs_auth = peer.is_none() || secret.is_some();
        if needs_auth {
            match (&self.challenge, &self.md5_result) {
                (Some(ch), Some(res)) => {
                    let ok = secret
                        .as_deref()
                        .is_some_and(|s| crate::auth::verify_md5(ch, s, res));
                    if !ok {
                        return Some(self.refuse(now));
                    }
                }
                (None, _) => {
                    let mut b = IeBuf::new();
                    b.short(id::AUTHMETHODS, auth_method::MD5);
                    b.str(id::CHALLENGE, challenge);
                    b.str(id::USERNAME, &name);
                    self.challenge = Some(challenge.to_string());
                    self.state = TxnState::Challenged;
                    self.link.send_iax(now, IaxCommand::RegAuth, b, false);
                    return Some(RegistrarOutcome::Challenged);
                }
                (Some(_), None) => return Some(self.refuse(now)),
            }
        }
        let mut b = IeBuf::new();
        b.str(id::USERNAME, &name);
        if let Some(dt) = datetime {
            b.int(id::DATETIME, dt.encode());
        }
        let outcome = if self.release {
            registrar.unbind(&name);
            RegistrarOutcome::Unregistered { peer: name }
        } else {
            let expiry = registrar.clamp(self.refresh);
            let addr = self.link.peer;
            if !registrar.bind(now, &name, addr, expiry) {
                return Some(self.refuse(now));
            }
            b.short(id::REFRESH, expiry);
            b.addr(id::APPARENT_ADDR, &addr);
            if let Some(m) = peer.and_then(|p| p.msgcount) {
                b.short(id::MSGCOUNT, m);
            }
            RegistrarOutcome::Registered {
                peer: name,
                addr,
                expiry,
            }
        };
        self.state = TxnState::Done;
        self.link.send_iax(now, IaxCommand::RegAck, b, true);
        Some(outcome)
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.state == TxnState::Ended {
            return None;
        }
        self.link.poll_timeout()
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        if self.link.handle_timeout(now).is_some() {
            self.state = TxnState::Ended;
        }
    }

    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.link.poll_transmit()
    }
}
