//! Outbound registration (iax.conf `register => user:secret@host`, chan_iax2
//! `iax2_do_register`, `registry_rerequest`, `iax2_ack_registry`).
//!
//! REGREQ (USERNAME, REFRESH, empty CALLTOKEN) → [CALLTOKEN → REGREQ with the token] →
//! REGAUTH (MD5 challenge) → REGREQ with MD5_RESULT → REGACK (REFRESH, APPARENT_ADDR,
//! DATETIME, MSGCOUNT) or REGREJ. The next registration is due 5/6 of the refresh after each
//! request is sent and again after each REGACK, as chan_iax2 schedules it; a timeout resets the
//! refresh to 60 s. Plaintext is refused. Each attempt starts numbering afresh on the same local
//! call number (chan_iax2 takes a new call number per attempt).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::consts::{auth_method, IaxCommand};
use crate::frame::FullFrame;
use crate::ie::{id, IeBuf, Ies};
use crate::ie_value::DateTime;
use crate::link::{Link, Received};
use crate::Transmit;

/// chan_iax2 `IAX_DEFAULT_REG_EXPIRE`.
pub const DEFAULT_REFRESH: u16 = 60;

#[derive(Debug, Clone)]
pub struct RegistrationConfig {
    pub username: String,
    pub secret: Option<String>,
    /// Requested refresh in seconds (60).
    pub refresh: u16,
    /// Send an empty CALLTOKEN IE (always, as chan_iax2).
    pub calltoken: bool,
}

/// chan_iax2 `enum iax_reg_state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegState {
    Unregistered,
    RegSent,
    AuthSent,
    Registered,
    Rejected,
    Timeout,
    NoAuth,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegEvent {
    Registered {
        refresh: u16,
        apparent_addr: Option<SocketAddr>,
        datetime: Option<DateTime>,
        /// New messages (low byte) and old (high byte).
        msgcount: Option<u16>,
    },
    Rejected {
        cause: Option<String>,
        cause_code: Option<u8>,
    },
    /// REGAUTH asked for something we cannot answer (no secret, or no MD5).
    NoAuth,
    Timeout,
}

#[derive(Debug)]
pub struct Registration {
    config: RegistrationConfig,
    local_call: u16,
    server: SocketAddr,
    link: Option<Link>,
    last_request: Option<IeBuf>,
    state: RegState,
    refresh: u16,
    next_register: Option<Instant>,
    events: VecDeque<RegEvent>,
    sent: VecDeque<Transmit>,
}

impl Registration {
    pub fn new(local_call: u16, server: SocketAddr, config: RegistrationConfig) -> Registration {
        let refresh = if config.refresh == 0 {
            DEFAULT_REFRESH
        } else {
            config.refresh
        };
        Registration {
            config,
            local_call,
            server,
            link: None,
            last_request: None,
            state: RegState::Unregistered,
            refresh,
            next_register: None,
            events: VecDeque::new(),
            sent: VecDeque::new(),
        }
    }

    pub fn state(&self) -> RegState {
        self.state
    }
    pub fn local_call(&self) -> u16 {
        self.local_call
    }
    pub fn server(&self) -> SocketAddr {
        self.server
    }
    /// The refresh in force (the server's, after a REGACK).
    pub fn refresh(&self) -> u16 {
        self.refresh
    }
    pub fn peer_call(&self) -> u16 {
        self.link.as_ref().map(|l| l.peer_call).unwrap_or(0)
    }

    fn schedule(&mut self, now: Instant) {
        let secs = 5 * u64::from(self.refresh) / 6;
        self.next_register = Some(now + Duration::from_secs(secs));
    }

    fn base_ies(&self) -> IeBuf {
        let mut b = IeBuf::new();
        b.str(id::USERNAME, &self.config.username);
        b.short(id::REFRESH, self.refresh);
        b
    }

    fn send_request(&mut self, now: Instant, ies: IeBuf, token: Option<&[u8]>) {
        let mut with_token = ies.clone();
        match token {
            Some(t) => {
                with_token.raw(id::CALLTOKEN, t);
            }
            None if self.config.calltoken => {
                with_token.empty(id::CALLTOKEN);
            }
            None => {}
        }
        self.last_request = Some(ies);
        if let Some(link) = self.link.as_mut() {
            link.send_iax(now, IaxCommand::RegReq, with_token, false);
        }
    }

    /// Sends a REGREQ now (also what the refresh timer does).
    pub fn register(&mut self, now: Instant) {
        self.link = Some(Link::new(self.local_call, self.server));
        self.schedule(now);
        let ies = self.base_ies();
        self.send_request(now, ies, None);
        self.state = RegState::RegSent;
    }

    /// A full frame from the server for our call number.
    pub fn handle_full(&mut self, now: Instant, f: FullFrame) {
        let Some(link) = self.link.as_mut() else {
            return;
        };
        if let Received::Dropped = link.receive(now, &f) {
            return;
        }
        let Some(cmd) = f.iax_command() else { return };
        let Ok(ies) = Ies::parse(&f.payload) else {
            return;
        };
        match cmd {
            IaxCommand::CallToken => {
                let Some(token) = ies.calltoken.filter(|t| !t.is_empty()) else {
                    return;
                };
                let Some(req) = self.last_request.clone() else {
                    return;
                };
                link.reset_sequence();
                self.send_request(now, req, Some(&token));
            }
            IaxCommand::RegAuth => self.on_regauth(now, &ies),
            IaxCommand::RegAck => {
                link.send_ack(&f);
                self.drain_link();
                self.link = None;
                self.refresh = ies.refresh.filter(|r| *r != 0).unwrap_or(DEFAULT_REFRESH);
                self.schedule(now);
                self.state = RegState::Registered;
                self.events.push_back(RegEvent::Registered {
                    refresh: self.refresh,
                    apparent_addr: ies.apparent_addr,
                    datetime: ies.datetime.map(DateTime::decode),
                    msgcount: ies.msgcount,
                });
            }
            IaxCommand::RegRej => {
                link.send_ack(&f);
                self.drain_link();
                self.link = None;
                self.state = RegState::Rejected;
                self.events.push_back(RegEvent::Rejected {
                    cause: ies.cause,
                    cause_code: ies.causecode,
                });
            }
            IaxCommand::Vnak => link.on_vnak(&f),
            _ => link.ack_if_needed(&f),
        }
    }

    fn on_regauth(&mut self, now: Instant, ies: &Ies) {
        let secret = self.config.secret.clone().filter(|s| !s.is_empty());
        match secret {
            Some(secret) if ies.authmethods & auth_method::MD5 != 0 => {
                let challenge = ies.challenge.clone().unwrap_or_default();
                let mut b = self.base_ies();
                b.str(
                    id::MD5_RESULT,
                    &crate::auth::md5_response(&challenge, &secret),
                );
                self.state = RegState::AuthSent;
                self.send_request(now, b, None);
            }
            _ => {
                self.state = RegState::NoAuth;
                self.drain_link();
                self.link = None;
                self.events.push_back(RegEvent::NoAuth);
            }
        }
    }

    fn drain_link(&mut self) {
        if let Some(link) = self.link.as_mut() {
            while let Some(t) = link.poll_transmit() {
                self.sent.push_back(t);
            }
        }
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        [
            self.link.as_ref().and_then(|l| l.poll_timeout()),
            self.next_register,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        if let Some(link) = self.link.as_mut() {
            if link.handle_timeout(now).is_some() {
                self.drain_link();
                self.link = None;
                self.state = RegState::Timeout;
                self.refresh = DEFAULT_REFRESH;
                self.events.push_back(RegEvent::Timeout);
            }
        }
        if self.next_register.is_some_and(|t| t <= now) {
            self.drain_link();
            self.register(now);
        }
    }

    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        if let Some(t) = self.sent.pop_front() {
            return Some(t);
        }
        self.link.as_mut().and_then(|l| l.poll_transmit())
    }

    pub fn poll_event(&mut self) -> Option<RegEvent> {
        self.events.pop_front()
    }
}
