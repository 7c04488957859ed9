//! The sans-IO user agent: calls (INVITE dialogs) in both directions on top of the
//! [`TransactionLayer`], for the SIP channel driver.
//!
//! # Drive-loop contract
//!
//! Nothing here reads a clock, draws a random number or touches a socket. After **every**
//! input ([`UserAgent::handle_datagram`], [`UserAgent::handle_timeout`], and every TU call
//! such as [`UserAgent::invite`] or [`UserAgent::answer`]) the driver drains
//! [`UserAgent::poll_transmit`] until `None` (write each [`Transmit`]), then
//! [`UserAgent::poll_event`] until `None`, then sleeps until [`UserAgent::poll_timeout`] or
//! the next datagram. Tags, Call-IDs, branches and cnonces come from [`UaConfig::seed`] and a
//! counter: give it a random seed at start-up.
//!
//! A runnable example of this loop is `examples/ua_drive.rs`
//! (`cargo run -p tandem-sip --example ua_drive`).
//!
//! # Calls
//!
//! A call is named by a [`CallId`] (ours, never reused; not the SIP Call-ID). Incoming
//! INVITEs get `100 Trying` at once (chan_sip does) and come up as
//! [`UaEvent::IncomingCall`]; the TU answers with [`UserAgent::ringing`],
//! [`UserAgent::progress`], [`UserAgent::answer`], [`UserAgent::reject`],
//! [`UserAgent::challenge`] or [`UserAgent::hangup`]. Outgoing calls start with
//! [`UserAgent::invite`]. After [`UserAgent::hangup`], [`UserAgent::reject`] or
//! [`UserAgent::challenge`] the TU hears nothing more of that call.
//!
//! RFC 4028 session timers run inside the UA (refreshes, and a BYE with
//! [`EndReason::SessionTimerExpired`] when the peer stops refreshing); UPDATE with an SDP
//! offer comes up as [`UaEvent::Update`]. See `docs/sip-ua.md`.
//!
//! In-dialog requests go to the address the call was set up with (the INVITE's source, or
//! the destination we sent our INVITE to), as chan_sip does with `nat=force_rport`: the
//! remote Contact is kept in the dialog but not resolved here (no DNS in a sans-IO crate).

mod call;
mod call_table;
mod ids;
mod in_dialog;
mod session_timer;
mod st_flow;
mod uac;
mod uas;
mod update;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::auth::Secret;
use crate::message::{
    bad_request_response, parse, validate_request, Message, Method, NameAddr, Request, Response,
    Transport, Uri,
};
use crate::transaction::{Config, TimerConfig, TransactionLayer, TxnError, TxnEvent};

pub use crate::transaction::{Transmit, TxnId};
pub use session_timer::{Refresher, SessionTimerMode, DEFAULT_MIN_SE};

use call::{Call, CallState};
use call_table::CallTable;
use ids::Ids;

/// chan_sip's `ALLOWED_METHODS` (out-of-dialog answers, subscriptions).
pub const ALLOW: &str =
    "INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, SUBSCRIBE, NOTIFY, INFO, PUBLISH, MESSAGE";
/// What the UA lists in Allow on INVITE dialogs: [`ALLOW`] plus UPDATE, which the UA answers
/// in a confirmed dialog (RFC 3311; chan_sip does not list it).
pub const ALLOW_CALLS: &str =
    "INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, SUBSCRIBE, NOTIFY, INFO, PUBLISH, MESSAGE, UPDATE";
/// Option tags we list in Supported (chan_sip: `replaces, timer`).
pub const SUPPORTED: &str = "replaces, timer";
/// CSeq of a new outgoing INVITE: chan_sip's `INITIAL_CSEQ` (101) incremented once.
pub const FIRST_INVITE_CSEQ: u32 = 102;

/// One call of this user agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId(pub u64);

impl std::fmt::Display for CallId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "call#{}", self.0)
    }
}

/// User agent configuration.
#[derive(Debug, Clone)]
pub struct UaConfig {
    /// Our address, written in Via and Contact.
    pub local: SocketAddr,
    /// `User-Agent` (requests) and `Server` (responses) value.
    pub user_agent: String,
    /// Seed for tags, Call-IDs, branches and cnonces.
    pub seed: u64,
    /// RFC 3261 T1 (default 500 ms).
    pub t1: Duration,
    /// RFC 3261 T2 (default 4 s).
    pub t2: Duration,
    /// Live calls at most; a new INVITE beyond gets `503 Service Unavailable`.
    pub max_calls: usize,
    /// Undrained events at most before new calls and requests get 503.
    pub max_events: usize,
    /// Live transactions at most (the transaction layer's table).
    pub max_transactions: usize,
    /// RFC 4028 session timers (`session-timers=`, default `Accept`).
    pub session_timers: SessionTimerMode,
    /// Session interval we ask for / accept at most, seconds (`session-expires=`, 1800).
    pub session_expires: u32,
    /// Smallest session interval we accept, seconds (`session-minse=`, 90).
    pub min_se: u32,
    /// Who refreshes when the caller leaves it to us (`session-refresher=`, `Uas`).
    pub refresher: Refresher,
    /// Refresh with UPDATE (no SDP) when the peer's Allow lists it; otherwise, and when
    /// false, with a re-INVITE carrying our last SDP unchanged (chan_sip always re-INVITEs).
    /// Default true.
    pub session_refresh_update: bool,
}

impl UaConfig {
    /// Defaults: T1 500 ms, T2 4 s, 1000 calls, 4096 events, 10 000 transactions,
    /// `User-Agent: tandem`; session timers as chan_sip's defaults (accept, 1800 s,
    /// Min-SE 90 s, refresher uas).
    pub fn new(local: SocketAddr, seed: u64) -> UaConfig {
        UaConfig {
            local,
            user_agent: "tandem".to_string(),
            seed,
            t1: Duration::from_millis(500),
            t2: Duration::from_secs(4),
            max_calls: 1000,
            max_events: 4096,
            max_transactions: 10_000,
            session_timers: SessionTimerMode::Accept,
            session_expires: 1800,
            min_se: DEFAULT_MIN_SE,
            refresher: Refresher::Uas,
            session_refresh_update: true,
        }
    }
}

/// Why an established or ringing call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// The remote side sent BYE.
    RemoteBye,
    /// The caller sent CANCEL before we answered.
    Cancelled,
    /// Our 2xx was never ACKed (64*T1): the UA sent BYE.
    Timeout,
    /// RFC 4028: the peer was the refresher and no refresh came in time, or our refresh
    /// failed with 408/481 or timed out: the UA sent BYE (chan_sip `proc_session_timer`
    /// soft-hangs the channel up; a driver maps this like `Timeout`).
    SessionTimerExpired,
}

/// What the transaction user is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UaEvent {
    /// An out-of-dialog request other than INVITE/CANCEL (REGISTER, OPTIONS, SUBSCRIBE,
    /// MESSAGE, ...): answer with [`UserAgent::respond`].
    Request {
        txn: TxnId,
        request: Request,
        source: SocketAddr,
    },
    /// A response to a request the TU sent with [`UserAgent::send_request`] or
    /// [`UserAgent::send_in_dialog`].
    Response { txn: TxnId, response: Response },
    /// The TU's request `txn` got no final response (or could not be sent).
    RequestTimeout { txn: TxnId },
    /// A new incoming call; `100 Trying` has gone out.
    IncomingCall {
        call: CallId,
        request: Request,
        source: SocketAddr,
    },
    /// The ACK for our 2xx arrived.
    CallConfirmed { call: CallId },
    /// Outgoing call: 180 Ringing.
    CallRinging { call: CallId, status: u16 },
    /// Outgoing call: another provisional (183 with SDP is early media; a 180 with SDP gives
    /// both `CallRinging` and this, as chan_sip queues ringing then progress).
    CallProgress {
        call: CallId,
        status: u16,
        sdp: Option<Vec<u8>>,
    },
    /// Outgoing call: 2xx (the ACK has been sent).
    CallAnswered { call: CallId, sdp: Vec<u8> },
    /// Outgoing call: final non-2xx (or 408 when nothing answered).
    CallFailed {
        call: CallId,
        status: u16,
        reason: String,
    },
    /// The call is over.
    CallEnded { call: CallId, reason: EndReason },
    /// A re-INVITE in the dialog: answer with [`UserAgent::answer_reinvite`] or
    /// [`UserAgent::reject_reinvite`].
    Reinvite {
        call: CallId,
        txn: TxnId,
        sdp: Vec<u8>,
    },
    /// Our re-INVITE ([`UserAgent::reinvite`]) was answered 2xx (ACK sent).
    ReinviteAnswered { call: CallId, sdp: Vec<u8> },
    /// Our re-INVITE failed.
    ReinviteFailed { call: CallId, status: u16 },
    /// Another in-dialog request (REFER, NOTIFY, OPTIONS, MESSAGE, UPDATE before the call
    /// is answered, ...): answer with [`UserAgent::respond`].
    DialogRequest {
        call: CallId,
        txn: TxnId,
        request: Request,
    },
    /// An UPDATE with an SDP offer in a confirmed dialog (RFC 3311): answer with
    /// [`UserAgent::answer_update`] or [`UserAgent::reject_update`], as a re-INVITE. An
    /// UPDATE without SDP (a session refresh) or with the same SDP version as before is
    /// answered by the UA and not reported.
    Update {
        call: CallId,
        txn: TxnId,
        sdp: Vec<u8>,
    },
}

/// An outgoing call.
#[derive(Debug, Clone)]
pub struct Invite {
    pub request_uri: Uri,
    /// Our identity; the UA adds the tag.
    pub from: NameAddr,
    pub to: NameAddr,
    /// Where the INVITE (and every later request of the call) is sent.
    pub dest: SocketAddr,
    /// User part of our Contact (`sip:contact_user@local`).
    pub contact_user: String,
    /// The SDP offer (empty: no body).
    pub sdp: Vec<u8>,
    /// Answer one 401/407 with these (username, secret).
    pub credentials: Option<(String, Secret)>,
    /// Added as written (P-Asserted-Identity, Remote-Party-ID, Diversion, ...).
    pub extra_headers: Vec<(String, String)>,
}

/// Why a TU call was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UaError {
    #[error("no such call")]
    UnknownCall,
    #[error("not possible in this call state: {0}")]
    WrongState(&'static str),
    #[error("too many calls")]
    TooManyCalls,
    #[error("status {0} not allowed here")]
    BadStatus(u16),
    #[error(transparent)]
    Txn(#[from] TxnError),
}

/// What a transaction of the layer is to the UA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Out-of-dialog, the TU's business (its server requests and its client requests).
    Tu,
    InviteIn(CallId),
    InviteOut(CallId),
    Cancel(CallId),
    Bye(CallId),
    ReinviteIn(CallId),
    ReinviteOut(CallId),
    /// An in-dialog request the TU sent (INFO, REFER, ...): responses go to the TU.
    TuInDialog(CallId),
    /// An in-dialog request given to the TU as [`UaEvent::DialogRequest`].
    DialogIn(CallId),
    /// Our session refresh (re-INVITE or UPDATE).
    RefreshOut(CallId),
    /// An UPDATE with SDP given to the TU as [`UaEvent::Update`].
    UpdateIn(CallId),
}

/// The user agent. See the module docs for the drive-loop contract.
#[derive(Debug)]
pub struct UserAgent {
    cfg: UaConfig,
    layer: TransactionLayer,
    calls: CallTable,
    /// Our tag (From of our INVITEs, To of our answers) names one call.
    by_tag: HashMap<String, CallId>,
    roles: HashMap<TxnId, Role>,
    events: VecDeque<UaEvent>,
    ids: Ids,
    next_call: u64,
}

impl UserAgent {
    pub fn new(cfg: UaConfig) -> UserAgent {
        let timers = TimerConfig {
            t1: cfg.t1,
            t2: cfg.t2,
            ..TimerConfig::default()
        };
        let tcfg = Config {
            timers,
            max_transactions: cfg.max_transactions,
            ..Config::default()
        };
        let layer = TransactionLayer::new(tcfg, cfg.seed);
        let ids = Ids::new(cfg.seed);
        UserAgent {
            cfg,
            layer,
            calls: CallTable::default(),
            by_tag: HashMap::new(),
            roles: HashMap::new(),
            events: VecDeque::new(),
            ids,
            next_call: 0,
        }
    }

    pub fn config(&self) -> &UaConfig {
        &self.cfg
    }

    /// Live calls.
    pub fn calls(&self) -> usize {
        self.calls.len()
    }

    /// The SIP Call-ID of a call (for `sip show channels`).
    pub fn sip_call_id(&self, call: CallId) -> Option<&str> {
        self.calls
            .get(&call)
            .and_then(|c| c.invite.headers.get("Call-ID"))
    }

    /// The underlying transaction layer (read-only: state inspection in tests and CLI).
    pub fn transactions(&self) -> &TransactionLayer {
        &self.layer
    }

    /// A UDP datagram from `source`. Unparsable requests get a 400 with the parser's reason
    /// (or are dropped when no response can be formed).
    pub fn handle_datagram(&mut self, now: Instant, bytes: &[u8], source: SocketAddr) {
        self.handle_bytes(now, bytes, source, Transport::Udp);
    }

    /// One whole message from `source` over `transport` (a UDP datagram, or a TCP message
    /// cut by `message::stream::Framer`), answered like [`UserAgent::handle_datagram`].
    pub fn handle_bytes(
        &mut self,
        now: Instant,
        bytes: &[u8],
        source: SocketAddr,
        transport: Transport,
    ) {
        match parse(bytes) {
            Ok(msg) => self.handle_message(now, msg, source, transport),
            Err(err) => {
                if let Some(r) = bad_request_response(bytes, &err) {
                    self.layer
                        .send_stateless(&Message::Response(r), source, transport);
                }
            }
        }
    }

    /// A parsed message (a TCP driver cuts messages with `message::stream::Framer`).
    pub fn handle_message(
        &mut self,
        now: Instant,
        msg: Message,
        source: SocketAddr,
        transport: Transport,
    ) {
        self.layer.handle_incoming(now, msg, source, transport);
        self.pump(now);
    }

    /// Fires every timer due at or before `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.layer.handle_timeout(now);
        self.pump(now);
        for id in self.calls.take_due(now) {
            self.call_timers(now, id);
            self.pump(now);
        }
    }

    /// The driver could not deliver what `txn` sent (a TCP/TLS connection refused, a TLS
    /// server certificate that did not verify): the transaction fails at once (RFC 3261 sec.
    /// 17.1.1.2, 17.1.2.2), so an INVITE's call ends now instead of after Timer B.
    pub fn handle_transport_error(&mut self, now: Instant, txn: TxnId) {
        self.layer.handle_transport_error(now, txn);
        self.pump(now);
    }

    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.layer.poll_transmit()
    }

    pub fn poll_event(&mut self) -> Option<UaEvent> {
        self.events.pop_front()
    }

    /// The next instant [`Self::handle_timeout`] has work (O(log n): both the transaction
    /// layer and the calls keep their deadlines in a heap).
    pub fn poll_timeout(&mut self) -> Option<Instant> {
        let calls = self.calls.poll_timeout();
        match (self.layer.poll_timeout(), calls) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Answers a request the TU was given ([`UaEvent::Request`] or
    /// [`UaEvent::DialogRequest`]). A To tag is added to a non-100 response that lacks one.
    pub fn respond(
        &mut self,
        now: Instant,
        txn: TxnId,
        mut response: Response,
    ) -> Result<(), UaError> {
        match self.roles.get(&txn) {
            Some(Role::Tu | Role::DialogIn(_)) => {}
            _ => return Err(UaError::Txn(TxnError::UnknownTransaction)),
        }
        if response.status != 100 {
            // stable for every response of the transaction: derived from what it copies
            let tag = crate::message::derive_tag(&response.headers);
            response.set_to_tag(&tag);
        }
        let r = self.layer.respond(now, txn, response);
        self.pump(now);
        r.map_err(UaError::from)
    }

    /// Sends an out-of-dialog request of the TU (REGISTER, OPTIONS qualify, ...). A top Via
    /// is added when missing; the layer fills in the branch. Responses come back as
    /// [`UaEvent::Response`].
    pub fn send_request(
        &mut self,
        now: Instant,
        mut request: Request,
        dest: SocketAddr,
    ) -> Result<TxnId, UaError> {
        if !request.headers.contains("Via") {
            request.headers.push_front("Via", self.via());
        }
        let r = self.layer.send_request(now, request, dest, Transport::Udp);
        if let Ok(txn) = r {
            self.roles.insert(txn, Role::Tu);
        }
        self.pump(now);
        r.map_err(UaError::from)
    }

    /// A fresh tag, Call-ID-like token or cnonce for the TU (e.g. registration Call-IDs).
    pub fn new_token(&mut self) -> String {
        self.ids.tag()
    }

    fn via(&self) -> String {
        format!("SIP/2.0/UDP {};rport", self.cfg.local)
    }

    fn contact(&self, user: Option<&str>) -> String {
        match user.filter(|u| !u.is_empty()) {
            Some(u) => format!("<sip:{u}@{}>", self.cfg.local),
            None => format!("<sip:{}>", self.cfg.local),
        }
    }

    fn emit(&mut self, ev: UaEvent) {
        self.events.push_back(ev);
    }

    fn events_full(&self) -> bool {
        self.events.len() >= self.cfg.max_events
    }

    fn alloc_call(&mut self) -> CallId {
        self.next_call += 1;
        CallId(self.next_call)
    }

    fn remove_call(&mut self, id: CallId) -> Option<Call> {
        let c = self.calls.remove(&id)?;
        if self.by_tag.get(&c.local_tag) == Some(&id) {
            self.by_tag.remove(&c.local_tag);
        }
        Some(c)
    }

    /// Hands every transaction event to its handler until the layer has none left.
    fn pump(&mut self, now: Instant) {
        while let Some(ev) = self.layer.poll_event() {
            match ev {
                TxnEvent::Request {
                    txn,
                    request,
                    source,
                    transport,
                } => self.on_request(now, txn, request, source, transport),
                TxnEvent::Response { txn, response } => self.on_response(now, txn, response),
                TxnEvent::Timeout { txn } | TxnEvent::TransportError { txn } => {
                    self.on_txn_failure(now, txn)
                }
                TxnEvent::Terminated { txn } => {
                    self.roles.remove(&txn);
                }
                TxnEvent::StrayAck { request, .. } => self.on_ack(now, &request),
                TxnEvent::StrayResponse { response, .. } => self.on_stray_response(now, &response),
                TxnEvent::Overloaded { .. } => {}
            }
        }
    }

    fn on_request(
        &mut self,
        now: Instant,
        txn: TxnId,
        request: Request,
        source: SocketAddr,
        transport: Transport,
    ) {
        if let Err(rej) = validate_request(&request) {
            let _ = self.layer.respond(now, txn, rej.to_response(&request));
            return;
        }
        let to_tag = request
            .headers
            .to_hdr()
            .ok()
            .and_then(|t| t.tag().map(str::to_string));
        if let Some(tag) = to_tag {
            match self.by_tag.get(&tag).copied() {
                Some(call) => self.on_dialog_request(now, call, txn, request),
                // A subscription's dialog belongs to the TU (refresh, unsubscribe): it finds
                // the subscription by its tag and answers 481 itself when there is none.
                None if matches!(request.method, Method::Subscribe) => {
                    self.roles.insert(txn, Role::Tu);
                    self.emit(UaEvent::Request {
                        txn,
                        request,
                        source,
                    });
                }
                None => self.stateless_answer(
                    now,
                    txn,
                    &request,
                    481,
                    "Call/Transaction Does Not Exist",
                ),
            }
            return;
        }
        match request.method {
            Method::Invite => self.on_new_invite(now, txn, request, source, transport),
            Method::Cancel => self.on_cancel(now, txn, &request),
            Method::Bye => {
                self.stateless_answer(now, txn, &request, 481, "Call/Transaction Does Not Exist")
            }
            _ => {
                if self.events_full() {
                    self.stateless_answer(now, txn, &request, 503, "Service Unavailable");
                    return;
                }
                self.roles.insert(txn, Role::Tu);
                self.emit(UaEvent::Request {
                    txn,
                    request,
                    source,
                });
            }
        }
    }

    /// Answers `request` in `txn` with a response the UA builds from it alone.
    fn stateless_answer(
        &mut self,
        now: Instant,
        txn: TxnId,
        request: &Request,
        status: u16,
        reason: &str,
    ) {
        let mut r = Response::from_request(request, status, reason);
        r.set_to_tag(&crate::message::derive_tag(&request.headers));
        r.headers.push("Server", self.cfg.user_agent.clone());
        let _ = self.layer.respond(now, txn, r);
    }

    fn on_response(&mut self, now: Instant, txn: TxnId, response: Response) {
        match self.roles.get(&txn).copied() {
            Some(Role::Tu) => self.emit(UaEvent::Response { txn, response }),
            Some(Role::TuInDialog(call)) if self.calls.get(&call).is_some_and(|c| !c.hung_up) => {
                self.emit(UaEvent::Response { txn, response });
            }
            Some(Role::InviteOut(call)) => self.on_invite_response(now, call, txn, response),
            Some(Role::ReinviteOut(call)) => self.on_reinvite_response(now, call, txn, response),
            Some(Role::RefreshOut(call)) => self.on_refresh_response(now, call, txn, response),
            Some(Role::Bye(call)) if response.status >= 200 => {
                self.remove_call(call);
            }
            _ => {}
        }
    }

    fn on_txn_failure(&mut self, now: Instant, txn: TxnId) {
        match self.roles.get(&txn).copied() {
            Some(Role::Tu) => self.emit(UaEvent::RequestTimeout { txn }),
            Some(Role::TuInDialog(call)) if self.calls.get(&call).is_some_and(|c| !c.hung_up) => {
                self.emit(UaEvent::RequestTimeout { txn });
            }
            Some(Role::InviteOut(call))
                if self
                    .calls
                    .get(&call)
                    .is_some_and(|c| c.invite_txn == Some(txn)) =>
            {
                if let Some(c) = self.remove_call(call) {
                    if !c.hung_up {
                        self.emit(UaEvent::CallFailed {
                            call,
                            status: 408,
                            reason: "Request Timeout".into(),
                        });
                    }
                }
            }
            Some(Role::ReinviteOut(call)) => {
                if let Some(c) = self.calls.get_mut(&call) {
                    c.reinvite_out = None;
                    if !c.hung_up {
                        self.emit(UaEvent::ReinviteFailed { call, status: 408 });
                    }
                }
            }
            Some(Role::Bye(call)) => {
                self.remove_call(call);
            }
            Some(Role::RefreshOut(call)) => self.on_refresh_failure(now, call, txn, 408),
            _ => {}
        }
    }

    /// Timers the UA keeps per call: 2xx retransmission and give-up, clean-up deadlines.
    fn call_timers(&mut self, now: Instant, id: CallId) {
        let t2 = self.cfg.t2;
        let Some(c) = self.calls.get_mut(&id) else {
            return;
        };
        if c.expire_at.is_some_and(|t| t <= now) {
            self.remove_call(id);
            return;
        }
        let mut give_up = false;
        let mut resend = None;
        if let Some(p) = &mut c.pending_2xx {
            if p.give_up <= now {
                give_up = true;
            } else if p.next <= now {
                resend = Some((p.msg.clone(), p.dest));
                p.interval = (p.interval * 2).min(t2);
                p.next = if p.next + p.interval <= now {
                    now + p.interval
                } else {
                    p.next + p.interval
                };
            }
        }
        let transport = c.transport.clone();
        if let Some((msg, dest)) = resend {
            self.layer.send_stateless(&msg, dest, transport);
        }
        if give_up {
            let hung_up = c.hung_up;
            c.pending_2xx = None;
            c.bye_after_ack = false;
            self.send_bye(now, id);
            if !hung_up {
                self.emit(UaEvent::CallEnded {
                    call: id,
                    reason: EndReason::Timeout,
                });
            }
            return;
        }
        if self.calls.get(&id).is_some_and(|c| c.session_due(now)) {
            self.session_timer_fired(now, id);
        }
    }

    /// BYE for a call with a dialog; the TU hears nothing more of it. Without a dialog the
    /// call is simply dropped.
    fn send_bye(&mut self, now: Instant, id: CallId) {
        let via = self.via();
        let ua = self.cfg.user_agent.clone();
        let t1x64 = self.cfg.t1 * 64;
        let Some(c) = self.calls.get_mut(&id) else {
            return;
        };
        c.hung_up = true;
        c.state = CallState::Terminating;
        c.pending_2xx = None;
        c.session = None;
        let Some(d) = c.dialog.as_mut() else {
            self.remove_call(id);
            return;
        };
        let mut bye = d.request(Method::Bye);
        bye.headers.push_front("Via", via);
        bye.headers.push("User-Agent", ua);
        let (peer, transport) = (c.peer, c.transport.clone());
        c.expire_at = Some(now + t1x64 + self.cfg.t1);
        match self.layer.send_request(now, bye, peer, transport) {
            Ok(txn) => {
                self.roles.insert(txn, Role::Bye(id));
            }
            Err(_) => {
                self.remove_call(id);
            }
        }
    }

    fn call_mut(&mut self, id: CallId) -> Result<&mut Call, UaError> {
        self.calls
            .get_mut(&id)
            .filter(|c| !c.hung_up)
            .ok_or(UaError::UnknownCall)
    }

    /// Ends a call from our side: BYE when confirmed; CANCEL while an outgoing call is early
    /// (sent as soon as a provisional arrives, RFC 3261 9.1; a 2xx that crosses it gets ACK
    /// then BYE); `603 Declined` for an unanswered incoming call (chan_sip's `sip_hangup`
    /// without a cause: use [`Self::reject`] for another status); for an answered incoming
    /// call whose ACK has not come, the BYE waits for the ACK (RFC 3261 15).
    pub fn hangup(&mut self, now: Instant, call: CallId) -> Result<(), UaError> {
        let c = self.call_mut(call)?;
        let r = match (c.is_uas, c.state) {
            (true, CallState::Offered) => return self.reject(now, call, 603, "Declined"),
            (true, CallState::WaitAck) => {
                c.bye_after_ack = true;
                c.hung_up = true;
                Ok(())
            }
            (_, CallState::Confirmed) => {
                self.send_bye(now, call);
                Ok(())
            }
            (false, CallState::Calling) => {
                c.cancel_pending = true;
                c.hung_up = true;
                Ok(())
            }
            (false, CallState::Early) => {
                c.hung_up = true;
                self.send_cancel(now, call);
                Ok(())
            }
            _ => Ok(()),
        };
        self.pump(now);
        r
    }
}
