//! One IAX2 call: a state machine driven by received frames, application commands and time.
//!
//! # Drive-loop contract
//!
//! Nothing here reads a clock or touches a socket. After **every** input
//! ([`Call::handle_full`], [`Call::handle_mini`], [`Call::handle_trunk_entry`],
//! [`Call::handle_timeout`] or any command such as [`Call::answer`]) the driver drains
//! [`Call::poll_transmit`] (send each datagram to its `dest`) and [`Call::poll_event`] (hand
//! each [`CallEvent`] to the channel), then sleeps until [`Call::poll_timeout`] or the next
//! datagram for this call. After [`CallEvent::Terminated`] the call number can be freed.
//!
//! Outgoing: [`Call::outgoing`] sends NEW (with an empty CALLTOKEN IE, so servers that require
//! call tokens answer CALLTOKEN and the NEW is repeated with the token), answers AUTHREQ with
//! an MD5 AUTHREP (plaintext is refused), then reports ACCEPT, RINGING, ANSWER...
//! Incoming: [`Call::incoming`] takes a NEW that the [`crate::table::Gate`] let through; the
//! application then challenges ([`Call::challenge`]), accepts ([`Call::accept`]) or rejects.

mod commands;
mod rx;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::consts::{format, ControlKind, FrameType, IaxCommand};
use crate::frame::FullFrame;
use crate::ie::{id, IeBuf, Ies};
use crate::ie_value::DateTime;
use crate::link::Link;
use crate::Transmit;

/// chan_iax2 `ping_time` and `lagrq_time`.
pub const PING_INTERVAL: Duration = Duration::from_secs(21);
pub const LAGRQ_INTERVAL: Duration = Duration::from_secs(10);
const MAX_EVENTS: usize = 1024;

#[derive(Debug, Clone)]
pub struct CallConfig {
    /// Formats we can send and receive (`allow=` in iax.conf).
    pub capability: u64,
    /// Our preferred format, sent as FORMAT in a NEW.
    pub format: u64,
    /// PING every 21 s once the call is accepted (`None`: never).
    pub ping_interval: Option<Duration>,
    /// LAGRQ every 10 s once the call is accepted (`None`: never).
    pub lagrq_interval: Option<Duration>,
    /// Voice goes out through a trunk (`trunk=yes`): mini frames are handed back by
    /// [`Call::send_voice`] as [`VoiceOut::Trunk`] instead of being sent.
    pub trunk: bool,
}

impl Default for CallConfig {
    fn default() -> Self {
        CallConfig {
            capability: format::ULAW | format::ALAW | format::G722 | format::GSM | format::SLIN,
            format: format::ULAW,
            ping_interval: Some(PING_INTERVAL),
            lagrq_interval: Some(LAGRQ_INTERVAL),
            trunk: false,
        }
    }
}

/// What an outgoing call asks for (the IEs of the NEW, as `iax2_call` builds them).
#[derive(Debug, Clone, Default)]
pub struct Dial {
    pub called_number: String,
    pub called_context: Option<String>,
    pub calling_number: Option<String>,
    pub calling_name: Option<String>,
    pub calling_ani: Option<String>,
    pub calling_pres: Option<u8>,
    pub calling_ton: Option<u8>,
    pub calling_tns: Option<u16>,
    pub username: Option<String>,
    /// Secret for MD5 authentication; never sent in clear.
    pub secret: Option<String>,
    pub language: Option<String>,
    pub dnid: Option<String>,
    pub rdnis: Option<String>,
    pub datetime: Option<DateTime>,
    pub variables: Vec<(String, String)>,
    /// Ask for a call token (an empty CALLTOKEN IE, last, as `add_empty_calltoken_ie`).
    pub calltoken: bool,
}

/// The interesting IEs of an incoming NEW.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Offer {
    pub called_number: Option<String>,
    pub called_context: Option<String>,
    pub calling_number: Option<String>,
    pub calling_name: Option<String>,
    pub calling_ani: Option<String>,
    pub username: Option<String>,
    pub language: Option<String>,
    pub dnid: Option<String>,
    pub rdnis: Option<String>,
    pub format: u64,
    pub capability: u64,
    pub version: Option<u16>,
    pub variables: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Outgoing,
    Incoming,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallState {
    /// Outgoing: NEW sent.
    Calling,
    /// AUTHREQ sent (incoming) or AUTHREP sent (outgoing).
    Authenticating,
    /// Incoming: NEW received, the application has not decided yet.
    Offered,
    /// ACCEPT sent or received: media may flow, ringing/answer follow.
    Accepted,
    /// ANSWER sent or received.
    Up,
    /// HANGUP or REJECT sent, waiting for its ACK.
    Ending,
    Ended,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtmfEdge {
    Begin,
    End,
}

/// Why a call ended without a HANGUP/REJECT from the peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// Our HANGUP/REJECT was acknowledged (or given up on).
    Local,
    /// The peer hung up or rejected (see the preceding event).
    Remote,
    /// A frame was retransmitted 4 times without an ACK (cause 27, destination out of order).
    Timeout,
    /// The peer answered INVAL: it does not know this call.
    Invalid,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallEvent {
    /// Incoming: the NEW (also available as [`Call::offer`]).
    Offered(Box<Offer>),
    /// Incoming: the caller's AUTHREP. Check it with [`Call::md5_matches`], then
    /// [`Call::accept`] or [`Call::reject_auth`].
    AuthReply {
        username: Option<String>,
        md5_result: Option<String>,
    },
    /// Outgoing: the peer asked for authentication we cannot give (no secret, or no MD5
    /// among its methods: plaintext is refused); the call is being hung up.
    AuthFailed {
        methods: u16,
    },
    /// Outgoing: the peer accepted with this format.
    Accepted {
        format: u64,
    },
    Ringing,
    Proceeding,
    Progress,
    Answered,
    Busy,
    Congestion,
    Hold {
        moh_class: Option<String>,
    },
    Unhold,
    /// Any other control frame.
    Control(ControlKind),
    Dtmf {
        digit: char,
        edge: DtmfEdge,
    },
    Voice {
        format: u64,
        timestamp: u32,
        data: Vec<u8>,
    },
    Text(String),
    /// The peer hung up (cause text and Q.850 code when it sent them).
    Hangup {
        cause: Option<String>,
        cause_code: Option<u8>,
    },
    /// The peer rejected the call.
    Rejected {
        cause: Option<String>,
        cause_code: Option<u8>,
    },
    /// Round trip measured by PONG (ms).
    Pong {
        rtt_ms: u32,
    },
    /// Lag measured by LAGRP (ms).
    Lag {
        ms: u32,
    },
    /// The peer asked to transfer the call (TXREQ); it was refused with TXREJ.
    TransferRefused,
    /// A frame this crate does not handle (answered with UNSUPPORT for IAX commands).
    Unsupported {
        frame_type: FrameType,
        subclass: u64,
    },
    /// The call is over; nothing more will be sent or reported.
    Terminated(EndReason),
}

/// Where [`Call::send_voice`] put the frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoiceOut {
    /// Queued (full or mini frame) for [`Call::poll_transmit`].
    Sent,
    /// Trunked call: push this into the peer's [`crate::trunk::TrunkBuilder`].
    Trunk {
        call: u16,
        timestamp: u32,
        data: Vec<u8>,
    },
    /// Not sent (call not accepted yet, ended, or the format is not a single bit).
    Dropped,
}

#[derive(Debug)]
pub struct Call {
    link: Link,
    config: CallConfig,
    direction: Direction,
    state: CallState,
    dial: Option<Dial>,
    offer: Offer,
    /// Challenge we sent (incoming) and the AUTHREP result received.
    challenge: Option<String>,
    md5_result: Option<String>,
    format: u64,
    /// Last received voice format (0: none yet) and last sent one.
    rx_voice_format: u64,
    tx_voice_format: u64,
    rx_core: Option<Instant>,
    next_ping: Option<Instant>,
    next_lagrq: Option<Instant>,
    events: VecDeque<CallEvent>,
}

impl Call {
    fn base(
        local_call: u16,
        peer: SocketAddr,
        config: CallConfig,
        direction: Direction,
        state: CallState,
    ) -> Call {
        Call {
            link: Link::new(local_call, peer),
            config,
            direction,
            state,
            dial: None,
            offer: Offer::default(),
            challenge: None,
            md5_result: None,
            format: 0,
            rx_voice_format: 0,
            tx_voice_format: 0,
            rx_core: None,
            next_ping: None,
            next_lagrq: None,
            events: VecDeque::new(),
        }
    }

    /// Starts an outgoing call from `local_call` to `peer`: sends NEW.
    pub fn outgoing(
        now: Instant,
        local_call: u16,
        peer: SocketAddr,
        dial: Dial,
        config: CallConfig,
    ) -> Call {
        let mut c = Call::base(
            local_call,
            peer,
            config,
            Direction::Outgoing,
            CallState::Calling,
        );
        let ies = c.new_ies(&dial, None);
        c.dial = Some(dial);
        c.link.send_iax(now, IaxCommand::New, ies, false);
        c
    }

    fn new_ies(&self, d: &Dial, token: Option<&[u8]>) -> IeBuf {
        let mut b = IeBuf::new();
        b.short(id::VERSION, crate::consts::PROTO_VERSION);
        b.str(id::CALLED_NUMBER, &d.called_number);
        let opt = |b: &mut IeBuf, ie: u8, v: &Option<String>| {
            if let Some(s) = v {
                b.str(ie, s);
            }
        };
        opt(&mut b, id::CALLING_NUMBER, &d.calling_number);
        if let Some(v) = d.calling_pres {
            b.byte(id::CALLINGPRES, v);
        }
        if let Some(v) = d.calling_ton {
            b.byte(id::CALLINGTON, v);
        }
        if let Some(v) = d.calling_tns {
            b.short(id::CALLINGTNS, v);
        }
        opt(&mut b, id::CALLING_NAME, &d.calling_name);
        opt(&mut b, id::CALLING_ANI, &d.calling_ani);
        opt(&mut b, id::LANGUAGE, &d.language);
        opt(&mut b, id::DNID, &d.dnid);
        opt(&mut b, id::RDNIS, &d.rdnis);
        opt(&mut b, id::CALLED_CONTEXT, &d.called_context);
        opt(&mut b, id::USERNAME, &d.username);
        b.int(id::FORMAT, self.config.format as u32);
        b.versioned_u64(id::FORMAT2, self.config.format);
        b.int(id::CAPABILITY, self.config.capability as u32);
        b.versioned_u64(id::CAPABILITY2, self.config.capability);
        if let Some(dt) = d.datetime {
            b.int(id::DATETIME, dt.encode());
        }
        for (k, v) in &d.variables {
            b.str(id::VARIABLE, &format!("{k}={v}"));
        }
        match token {
            Some(t) => {
                b.raw(id::CALLTOKEN, t);
            }
            None if d.calltoken => {
                b.empty(id::CALLTOKEN);
            }
            None => {}
        }
        b
    }

    /// Takes an incoming NEW (already past the call-token gate) on `local_call`.
    pub fn incoming(
        now: Instant,
        local_call: u16,
        peer: SocketAddr,
        new: &FullFrame,
        ies: &Ies,
        config: CallConfig,
    ) -> Call {
        let mut c = Call::base(
            local_call,
            peer,
            config,
            Direction::Incoming,
            CallState::Offered,
        );
        c.offer = Offer {
            called_number: ies.called_number.clone(),
            called_context: ies.called_context.clone(),
            calling_number: ies.calling_number.clone(),
            calling_name: ies.calling_name.clone(),
            calling_ani: ies.calling_ani.clone(),
            username: ies.username.clone(),
            language: ies.language.clone(),
            dnid: ies.dnid.clone(),
            rdnis: ies.rdnis.clone(),
            format: ies.format,
            capability: ies.capability,
            version: ies.version,
            variables: ies.variables.clone(),
        };
        let _ = c.link.receive(now, new);
        c.push_event(CallEvent::Offered(Box::new(c.offer.clone())));
        c
    }

    pub(crate) fn push_event(&mut self, e: CallEvent) {
        if self.events.len() < MAX_EVENTS {
            self.events.push_back(e);
        }
    }

    pub fn local_call(&self) -> u16 {
        self.link.local_call
    }
    pub fn peer_call(&self) -> u16 {
        self.link.peer_call
    }
    pub fn peer(&self) -> SocketAddr {
        self.link.peer
    }
    pub fn state(&self) -> CallState {
        self.state
    }
    pub fn direction(&self) -> Direction {
        self.direction
    }
    pub fn offer(&self) -> &Offer {
        &self.offer
    }
    /// The negotiated format (0 before ACCEPT).
    pub fn format(&self) -> u64 {
        self.format
    }
    pub fn is_ended(&self) -> bool {
        self.state == CallState::Ended
    }

    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.link.poll_transmit()
    }
    pub fn poll_event(&mut self) -> Option<CallEvent> {
        self.events.pop_front()
    }
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.state == CallState::Ended {
            return None;
        }
        [self.link.poll_timeout(), self.next_ping, self.next_lagrq]
            .into_iter()
            .flatten()
            .min()
    }

    /// Retransmissions, PING and LAGRQ.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.state == CallState::Ended {
            return;
        }
        if let Some(g) = self.link.handle_timeout(now) {
            let reason = if g.final_frame {
                EndReason::Local
            } else {
                EndReason::Timeout
            };
            self.end(reason);
            return;
        }
        if self.next_ping.is_some_and(|t| t <= now) {
            self.link
                .send_iax(now, IaxCommand::Ping, IeBuf::new(), false);
            self.next_ping = self.config.ping_interval.map(|d| now + d);
        }
        if self.next_lagrq.is_some_and(|t| t <= now) {
            self.link
                .send_iax(now, IaxCommand::LagRq, IeBuf::new(), false);
            self.next_lagrq = self.config.lagrq_interval.map(|d| now + d);
        }
    }

    pub(crate) fn end(&mut self, reason: EndReason) {
        if self.state == CallState::Ended {
            return;
        }
        self.state = CallState::Ended;
        self.link.rel.clear();
        self.next_ping = None;
        self.next_lagrq = None;
        self.push_event(CallEvent::Terminated(reason));
    }

    fn start_timers(&mut self, now: Instant) {
        self.next_ping = self.config.ping_interval.map(|d| now + d);
        self.next_lagrq = self.config.lagrq_interval.map(|d| now + d);
    }

    fn live(&self) -> bool {
        !matches!(self.state, CallState::Ending | CallState::Ended)
    }
}
