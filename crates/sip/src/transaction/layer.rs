//! [`TransactionLayer`]: owns every live transaction, routes incoming messages to them
//! (RFC 3261 17.1.3 and 17.2.3), and collects what they send and report.
//!
//! Storage: transactions live in a `HashMap` by [`TxnId`], with two indexes (server keys,
//! client keys) pointing into it. Timers: each transaction keeps its own small deadline table
//! ([`super::Timers`]); the layer keeps a `BinaryHeap` of `(deadline, id)` holding each
//! transaction's *next* deadline. An entry is pushed only when that deadline changes, and an
//! entry whose deadline is no longer the transaction's current one is skipped when it reaches
//! the top (lazy deletion). With 10 000 live transactions a scan on every wake-up would cost
//! 10 000 table reads per timer tick; the heap costs O(log n) per deadline change, and stale
//! entries drain quickly because deadlines only move later.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::Instant;

use super::client_invite::ClientInvite;
use super::client_non_invite::{build_cancel, ClientNonInvite};
use super::matching::{
    match_method, replace_top_via, response_destination, response_key, server_key, stamp_via,
    ClientKey, ServerKey,
};
use super::server_invite::{AckOutcome, ServerInvite};
use super::server_non_invite::ServerNonInvite;
use super::timers::Timer;
use super::{
    is_reliable, Config, Ctx, OverloadPolicy, Transmit, TxnError, TxnEvent, TxnId, TxnKind,
    TxnState,
};
use crate::message::{derive_tag, Message, Method, Request, Response, Transport, MAGIC_COOKIE};

#[derive(Debug)]
#[allow(clippy::enum_variant_names)] // named after the RFC machines
enum Machine {
    ClientInvite(ClientInvite),
    ClientNonInvite(ClientNonInvite),
    ServerInvite(ServerInvite),
    ServerNonInvite(ServerNonInvite),
}

impl Machine {
    fn kind(&self) -> TxnKind {
        match self {
            Machine::ClientInvite(_) => TxnKind::ClientInvite,
            Machine::ClientNonInvite(_) => TxnKind::ClientNonInvite,
            Machine::ServerInvite(_) => TxnKind::ServerInvite,
            Machine::ServerNonInvite(_) => TxnKind::ServerNonInvite,
        }
    }

    fn state(&self) -> TxnState {
        match self {
            Machine::ClientInvite(m) => m.state(),
            Machine::ClientNonInvite(m) => m.state(),
            Machine::ServerInvite(m) => m.state(),
            Machine::ServerNonInvite(m) => m.state(),
        }
    }

    fn poll_timeout(&self) -> Option<Instant> {
        match self {
            Machine::ClientInvite(m) => m.poll_timeout(),
            Machine::ClientNonInvite(m) => m.poll_timeout(),
            Machine::ServerInvite(m) => m.poll_timeout(),
            Machine::ServerNonInvite(m) => m.poll_timeout(),
        }
    }

    fn timer(&self, t: Timer) -> Option<Instant> {
        match self {
            Machine::ClientInvite(m) => m.timer(t),
            Machine::ClientNonInvite(m) => m.timer(t),
            Machine::ServerInvite(m) => m.timer(t),
            Machine::ServerNonInvite(m) => m.timer(t),
        }
    }

    fn handle_timeout(&mut self, now: Instant, cx: &mut Ctx<'_>) {
        match self {
            Machine::ClientInvite(m) => m.handle_timeout(now, cx),
            Machine::ClientNonInvite(m) => m.handle_timeout(now, cx),
            Machine::ServerInvite(m) => m.handle_timeout(now, cx),
            Machine::ServerNonInvite(m) => m.handle_timeout(now),
        }
    }

    fn handle_transport_error(&mut self, cx: &mut Ctx<'_>) {
        match self {
            Machine::ClientInvite(m) => m.handle_transport_error(cx),
            Machine::ClientNonInvite(m) => m.handle_transport_error(cx),
            Machine::ServerInvite(m) => m.handle_transport_error(cx),
            Machine::ServerNonInvite(m) => m.handle_transport_error(cx),
        }
    }
}

#[derive(Debug)]
enum Key {
    Server(ServerKey),
    Client(ClientKey),
}

#[derive(Debug)]
struct Entry {
    machine: Machine,
    dest: SocketAddr,
    transport: Transport,
    key: Key,
    /// The To tag of the request that created a server transaction (RFC 2543 matching).
    request_to_tag: Option<String>,
    /// The deadline this entry has in the heap.
    scheduled: Option<Instant>,
}

/// The transaction layer. See the [module docs](super) for the drive-loop contract.
#[derive(Debug)]
pub struct TransactionLayer {
    cfg: Config,
    seed: u64,
    branch_counter: u64,
    next_id: u64,
    /// Boxed: an entry is about 800 bytes, and a table of finished transactions lingering
    /// 32 s holds tens of thousands. Under steady churn (as many inserted as removed) a
    /// hashbrown table more than half full doubles its buckets once its tombstones use up the
    /// spare room, and never shrinks: with entries inline that doubling cost 54 MB at 400
    /// calls/s (131,072 buckets of 824 bytes), boxed it costs 1 MB.
    txns: HashMap<TxnId, Box<Entry>>,
    servers: HashMap<ServerKey, TxnId>,
    clients: HashMap<ClientKey, TxnId>,
    heap: BinaryHeap<Reverse<(Instant, TxnId)>>,
    transmits: VecDeque<Transmit>,
    events: VecDeque<TxnEvent>,
}

impl TransactionLayer {
    /// A layer whose branches are derived from `seed` and a counter: give it a random seed at
    /// start-up so branches differ across restarts (the layer draws no random numbers).
    pub fn new(cfg: Config, seed: u64) -> TransactionLayer {
        TransactionLayer {
            cfg,
            seed,
            branch_counter: 0,
            next_id: 0,
            txns: HashMap::new(),
            servers: HashMap::new(),
            clients: HashMap::new(),
            heap: BinaryHeap::new(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Live transactions.
    pub fn len(&self) -> usize {
        self.txns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.txns.is_empty()
    }

    pub fn state(&self, txn: TxnId) -> Option<TxnState> {
        self.txns.get(&txn).map(|e| e.machine.state())
    }

    pub fn kind(&self, txn: TxnId) -> Option<TxnKind> {
        self.txns.get(&txn).map(|e| e.machine.kind())
    }

    /// The deadline of one timer of `txn`, if armed.
    pub fn timer(&self, txn: TxnId, t: Timer) -> Option<Instant> {
        self.txns.get(&txn).and_then(|e| e.machine.timer(t))
    }

    /// Where `txn` sends (the request's destination, or where responses go).
    pub fn destination(&self, txn: TxnId) -> Option<SocketAddr> {
        self.txns.get(&txn).map(|e| e.dest)
    }

    /// Overrides where a transaction sends, e.g. the driver's `nat=force_rport` sends responses
    /// to the source port even without `;rport`.
    pub fn set_destination(&mut self, txn: TxnId, dest: SocketAddr) -> Result<(), TxnError> {
        let e = self
            .txns
            .get_mut(&txn)
            .ok_or(TxnError::UnknownTransaction)?;
        e.dest = dest;
        Ok(())
    }

    /// The INVITE of a client INVITE transaction (the TU builds the 2xx ACK from it).
    pub fn invite_request(&self, txn: TxnId) -> Option<&Request> {
        match &self.txns.get(&txn)?.machine {
            Machine::ClientInvite(m) => Some(m.request()),
            _ => None,
        }
    }

    /// A fresh RFC 3261 branch: the magic cookie, a 64-bit mix of the seed and a counter, and
    /// the counter (so two branches of one layer never collide).
    pub fn next_branch(&mut self) -> String {
        self.branch_counter = self.branch_counter.wrapping_add(1);
        let mixed = splitmix64(self.seed ^ splitmix64(self.branch_counter));
        format!("{MAGIC_COOKIE}{mixed:016x}.{:x}", self.branch_counter)
    }

    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    pub fn poll_event(&mut self) -> Option<TxnEvent> {
        self.events.pop_front()
    }

    /// The next instant at which [`Self::handle_timeout`] has work to do.
    pub fn poll_timeout(&mut self) -> Option<Instant> {
        while let Some(Reverse((at, id))) = self.heap.peek().copied() {
            if self.txns.get(&id).is_some_and(|e| e.scheduled == Some(at)) {
                return Some(at);
            }
            self.heap.pop();
        }
        None
    }

    /// Fires every timer due at or before `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(Reverse((at, id))) = self.heap.peek().copied() {
            if at > now {
                break;
            }
            self.heap.pop();
            let Some(e) = self.txns.get_mut(&id).map(|e| &mut **e) else {
                continue;
            };
            if e.scheduled != Some(at) {
                continue;
            }
            e.scheduled = None;
            let Entry {
                machine,
                dest,
                transport,
                ..
            } = e;
            let mut cx = Ctx {
                id,
                dest: *dest,
                transport,
                transmits: &mut self.transmits,
                events: &mut self.events,
            };
            machine.handle_timeout(now, &mut cx);
            self.after(id);
        }
    }

    /// The driver could not send for `txn` (ICMP unreachable, TCP connect refused, ...).
    pub fn handle_transport_error(&mut self, _now: Instant, txn: TxnId) {
        let Some(e) = self.txns.get_mut(&txn).map(|e| &mut **e) else {
            return;
        };
        let Entry {
            machine,
            dest,
            transport,
            ..
        } = e;
        let mut cx = Ctx {
            id: txn,
            dest: *dest,
            transport,
            transmits: &mut self.transmits,
            events: &mut self.events,
        };
        machine.handle_transport_error(&mut cx);
        self.after(txn);
    }

    /// A message that arrived from `source` over `transport`.
    pub fn handle_incoming(
        &mut self,
        now: Instant,
        msg: Message,
        source: SocketAddr,
        transport: Transport,
    ) {
        match msg {
            Message::Request(r) => self.handle_request(now, r, source, transport),
            Message::Response(r) => self.handle_response(now, r, source, transport),
        }
    }

    fn handle_response(
        &mut self,
        now: Instant,
        response: Response,
        source: SocketAddr,
        transport: Transport,
    ) {
        let id = response_key(&response).and_then(|k| self.clients.get(&k).copied());
        let Some(id) = id else {
            self.events.push_back(TxnEvent::StrayResponse {
                response,
                source,
                transport,
            });
            return;
        };
        let Some(e) = self.txns.get_mut(&id).map(|e| &mut **e) else {
            return;
        };
        let Entry {
            machine,
            dest,
            transport: t,
            ..
        } = e;
        let mut cx = Ctx {
            id,
            dest: *dest,
            transport: t,
            transmits: &mut self.transmits,
            events: &mut self.events,
        };
        match machine {
            Machine::ClientInvite(m) => m.handle_response(now, response, &mut cx),
            Machine::ClientNonInvite(m) => m.handle_response(now, response, &mut cx),
            _ => {}
        }
        self.after(id);
    }

    /// The server transaction `key` names, if the RFC 2543 To tag check (when it applies) passes.
    fn lookup_server(
        &self,
        key: &ServerKey,
        req: &Request,
        to_tag: &Option<String>,
    ) -> Option<TxnId> {
        let id = *self.servers.get(key)?;
        let e = self.txns.get(&id)?;
        if !key.is_legacy() {
            return Some(id);
        }
        let expected = if req.method == Method::Ack {
            match &e.machine {
                Machine::ServerInvite(m) => m.final_to_tag().map(str::to_string),
                _ => None,
            }
        } else {
            e.request_to_tag.clone()
        };
        (expected == *to_tag).then_some(id)
    }

    fn handle_request(
        &mut self,
        now: Instant,
        mut request: Request,
        source: SocketAddr,
        transport: Transport,
    ) {
        let method = match_method(&request.method);
        let Some((key, to_tag)) = server_key(&request, method) else {
            return; // no readable top Via / CSeq / From / Call-ID: nothing can be matched or answered
        };
        let found = self.lookup_server(&key, &request, &to_tag);
        if request.method == Method::Ack {
            if let Some(id) = found {
                if let Some(Entry {
                    machine: Machine::ServerInvite(m),
                    ..
                }) = self.txns.get_mut(&id).map(|e| &mut **e)
                {
                    if m.handle_ack(now) == AckOutcome::Absorbed {
                        self.after(id);
                        return;
                    }
                }
            }
            stamp_via(&mut request, source);
            self.events.push_back(TxnEvent::StrayAck {
                request,
                source,
                transport,
            });
            return;
        }
        if let Some(id) = found {
            if let Some(e) = self.txns.get_mut(&id).map(|e| &mut **e) {
                let Entry {
                    machine,
                    dest,
                    transport: t,
                    ..
                } = e;
                let mut cx = Ctx {
                    id,
                    dest: *dest,
                    transport: t,
                    transmits: &mut self.transmits,
                    events: &mut self.events,
                };
                match machine {
                    Machine::ServerInvite(m) => m.handle_retransmission(&mut cx),
                    Machine::ServerNonInvite(m) => m.handle_retransmission(&mut cx),
                    _ => {}
                }
            }
            return;
        }
        let Some(via) = stamp_via(&mut request, source) else {
            return;
        };
        let dest = response_destination(&via, source, &transport, self.cfg.routing);
        if self.txns.len() >= self.cfg.max_transactions {
            self.overloaded(&request, dest, source, transport);
            return;
        }
        let id = self.alloc_id();
        let reliable = is_reliable(&transport);
        let mut cx = Ctx {
            id,
            dest,
            transport: &transport,
            transmits: &mut self.transmits,
            events: &mut self.events,
        };
        let machine = if request.method == Method::Invite {
            Machine::ServerInvite(ServerInvite::start(
                now,
                &request,
                reliable,
                self.cfg.timers,
                self.cfg.trying,
                &mut cx,
            ))
        } else {
            Machine::ServerNonInvite(ServerNonInvite::new(reliable, self.cfg.timers))
        };
        // An RFC 2543 key reused with another To tag: the newer request takes the index.
        self.servers.insert(key.clone(), id);
        self.txns.insert(
            id,
            Box::new(Entry {
                machine,
                dest,
                transport: transport.clone(),
                key: Key::Server(key),
                request_to_tag: to_tag,
                scheduled: None,
            }),
        );
        self.events.push_back(TxnEvent::Request {
            txn: id,
            request,
            source,
            transport,
        });
        self.after(id);
    }

    fn overloaded(
        &mut self,
        request: &Request,
        dest: SocketAddr,
        source: SocketAddr,
        transport: Transport,
    ) {
        let answered = self.cfg.overload == OverloadPolicy::Reject503;
        if answered {
            let mut r = Response::from_request(request, 503, "Service Unavailable");
            r.set_to_tag(&derive_tag(&request.headers));
            self.transmits.push_back(Transmit {
                dest,
                transport,
                bytes: r.to_bytes(),
                txn: None,
            });
        }
        self.events
            .push_back(TxnEvent::Overloaded { source, answered });
    }

    /// The server INVITE transaction a CANCEL (received in its own transaction) refers to
    /// (RFC 3261 9.2 / 17.2.3): same branch and sent-by (or, for RFC 2543 peers, same
    /// Request-URI, From tag, Call-ID, CSeq number, top Via and To tag).
    pub fn find_invite_for_cancel(&self, cancel: &Request) -> Option<TxnId> {
        let (key, to_tag) = server_key(cancel, Method::Invite)?;
        let id = *self.servers.get(&key)?;
        let e = self.txns.get(&id)?;
        if !matches!(e.machine, Machine::ServerInvite(_)) {
            return None;
        }
        if key.is_legacy() && e.request_to_tag != to_tag {
            return None;
        }
        Some(id)
    }

    /// Starts a client transaction for `request` (not ACK) and sends it. A top Via without a
    /// branch gets [`Self::next_branch`]; an existing branch is kept (a CANCEL reuses its
    /// INVITE's).
    pub fn send_request(
        &mut self,
        now: Instant,
        mut request: Request,
        dest: SocketAddr,
        transport: Transport,
    ) -> Result<TxnId, TxnError> {
        if request.method == Method::Ack {
            return Err(TxnError::AckNotATransaction);
        }
        if self.txns.len() >= self.cfg.max_transactions {
            return Err(TxnError::Full);
        }
        stamp_via_transport(&mut request.headers, &transport);
        let mut via = request
            .headers
            .top_via()
            .map_err(|_| TxnError::BadHeader("Via"))?;
        let cseq = request
            .headers
            .cseq()
            .map_err(|_| TxnError::BadHeader("CSeq"))?;
        if cseq.method != request.method {
            return Err(TxnError::BadHeader("CSeq"));
        }
        let branch = match via.branch() {
            Some(b) => b.to_string(),
            None => {
                let b = self.next_branch();
                via.params.set("branch", Some(&b));
                replace_top_via(&mut request, &via.to_string());
                b
            }
        };
        let key = ClientKey {
            branch,
            method: cseq.method,
        };
        if self.clients.contains_key(&key) {
            return Err(TxnError::DuplicateBranch);
        }
        let id = self.alloc_id();
        let reliable = is_reliable(&transport);
        let mut cx = Ctx {
            id,
            dest,
            transport: &transport,
            transmits: &mut self.transmits,
            events: &mut self.events,
        };
        let machine = if request.method == Method::Invite {
            Machine::ClientInvite(ClientInvite::start(
                now,
                request,
                reliable,
                self.cfg.timers,
                &mut cx,
            ))
        } else {
            Machine::ClientNonInvite(ClientNonInvite::start(
                now,
                &request,
                reliable,
                self.cfg.timers,
                &mut cx,
            ))
        };
        self.clients.insert(key.clone(), id);
        self.txns.insert(
            id,
            Box::new(Entry {
                machine,
                dest,
                transport,
                key: Key::Client(key),
                request_to_tag: None,
                scheduled: None,
            }),
        );
        self.after(id);
        Ok(id)
    }

    /// Sends a CANCEL for client INVITE transaction `invite` in a new non-INVITE client
    /// transaction to the same destination. RFC 3261 9.1: not before a provisional response
    /// ([`TxnError::NoProvisionalYet`]: the TU waits for the 1xx, as chan_sip does).
    pub fn cancel(&mut self, now: Instant, invite: TxnId) -> Result<TxnId, TxnError> {
        let e = self.txns.get(&invite).ok_or(TxnError::UnknownTransaction)?;
        let Machine::ClientInvite(m) = &e.machine else {
            return Err(TxnError::WrongKind(e.machine.kind()));
        };
        match m.state() {
            TxnState::Proceeding => {}
            TxnState::Calling => return Err(TxnError::NoProvisionalYet),
            s => return Err(TxnError::WrongState(s)),
        }
        let cancel = build_cancel(m.request());
        let (dest, transport) = (e.dest, e.transport.clone());
        self.send_request(now, cancel, dest, transport)
    }

    /// Sends a response in server transaction `txn`.
    pub fn respond(
        &mut self,
        now: Instant,
        txn: TxnId,
        response: Response,
    ) -> Result<(), TxnError> {
        let e = self
            .txns
            .get_mut(&txn)
            .ok_or(TxnError::UnknownTransaction)?;
        let Entry {
            machine,
            dest,
            transport,
            ..
        } = &mut **e;
        let mut cx = Ctx {
            id: txn,
            dest: *dest,
            transport,
            transmits: &mut self.transmits,
            events: &mut self.events,
        };
        let r = match machine {
            Machine::ServerInvite(m) => m.respond(now, &response, &mut cx),
            Machine::ServerNonInvite(m) => m.respond(now, &response, &mut cx),
            other => Err(TxnError::WrongKind(other.kind())),
        };
        self.after(txn);
        r
    }

    /// Sends a message outside any transaction: the ACK for a 2xx, a 2xx retransmission by
    /// the UA core after the server transaction ended, a stateless response.
    pub fn send_stateless(&mut self, msg: &Message, dest: SocketAddr, transport: Transport) {
        let bytes = match msg {
            Message::Request(r) if !r.headers.top_via().is_ok_and(|v| v.transport == transport) => {
                let mut r = r.clone();
                stamp_via_transport(&mut r.headers, &transport);
                r.to_bytes()
            }
            _ => msg.to_bytes(),
        };
        self.transmits.push_back(Transmit {
            dest,
            transport,
            bytes,
            txn: None,
        });
    }

    fn alloc_id(&mut self) -> TxnId {
        self.next_id += 1;
        TxnId(self.next_id)
    }

    /// After a machine ran: drop it if terminated, else keep its heap entry current.
    fn after(&mut self, id: TxnId) {
        let Some(e) = self.txns.get_mut(&id) else {
            return;
        };
        if e.machine.state() == TxnState::Terminated {
            if let Some(e) = self.txns.remove(&id) {
                match e.key {
                    Key::Server(k) => {
                        if self.servers.get(&k) == Some(&id) {
                            self.servers.remove(&k);
                        }
                    }
                    Key::Client(k) => {
                        if self.clients.get(&k) == Some(&id) {
                            self.clients.remove(&k);
                        }
                    }
                }
            }
            self.events.push_back(TxnEvent::Terminated { txn: id });
            return;
        }
        let next = e.machine.poll_timeout();
        if next != e.scheduled {
            e.scheduled = next;
            if let Some(at) = next {
                self.heap.push(Reverse((at, id)));
            }
        }
    }
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A request's top Via names the transport it is sent over (RFC 3261 18.1.1): the UA core
/// writes `SIP/2.0/UDP`, and a request that goes out on TCP is corrected here.
fn stamp_via_transport(headers: &mut crate::message::Headers, transport: &Transport) {
    let Ok(mut via) = headers.top_via() else {
        return;
    };
    if via.transport == *transport {
        return;
    }
    via.transport = transport.clone();
    let values = headers.values("Via");
    let rest: Vec<String> = values.iter().skip(1).map(|v| v.to_string()).collect();
    headers.remove("Via");
    for v in rest.iter().rev() {
        headers.push_front("Via", v.clone());
    }
    headers.push_front("Via", via.to_string());
}
