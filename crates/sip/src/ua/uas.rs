//! Incoming calls: new INVITE, the TU's provisional and final answers, CANCEL, the ACK of
//! our 2xx.

use std::net::SocketAddr;
use std::time::Instant;

use super::call::{Call, CallState, Retrans};
use super::session_timer::{self, negotiate_uas, Negotiation};
use super::{CallId, EndReason, Role, UaError, UaEvent, UserAgent, ALLOW_CALLS};
use crate::dialog::Dialog;
use crate::message::{Message, Request, Response, Transport};
use crate::transaction::TxnId;

impl UserAgent {
    pub(super) fn on_new_invite(
        &mut self,
        now: Instant,
        txn: TxnId,
        request: Request,
        source: SocketAddr,
        transport: Transport,
    ) {
        if self.calls.len() >= self.cfg.max_calls || self.events_full() {
            self.stateless_answer(now, txn, &request, 503, "Service Unavailable");
            return;
        }
        // RFC 4028 before the TU sees the call (chan_sip runs handle_request_invite_st
        // before creating the channel): 422 / 420 / 400 end it here.
        let peer_timer = session_timer::has_tag(&request.headers, "Supported", "timer")
            || session_timer::has_tag(&request.headers, "Require", "timer");
        let negotiation = negotiate_uas(&self.cfg, self.cfg.min_se, &request, peer_timer);
        if let Negotiation::Reject(..) = negotiation {
            let tag = crate::message::derive_tag(&request.headers);
            self.st_reject(now, txn, &request, &tag, &negotiation);
            return;
        }
        let id = self.alloc_call();
        let tag = self.ids.tag();
        let mut call = Call::new(
            true,
            CallState::Offered,
            source,
            transport,
            request.clone(),
            tag.clone(),
        );
        call.invite_txn = Some(txn);
        call.peer_timer = peer_timer;
        call.st_min_se = self.cfg.min_se;
        call.peer_allows_update = session_timer::allows_update(&request.headers);
        call.remote_origin = session_timer::sdp_origin(&request.body);
        if let Negotiation::Active(st) = negotiation {
            call.session = Some(st);
        }
        self.calls.insert(id, call);
        self.by_tag.insert(tag, id);
        self.roles.insert(txn, Role::InviteIn(id));
        self.emit(UaEvent::IncomingCall {
            call: id,
            request,
            source,
        });
    }

    /// A response to `req` from this UA as UAS of `call`: To tag, and for 101-299 the
    /// Record-Route of the request and our Contact (RFC 3261 12.1.1); Server, Allow, Supported.
    pub(super) fn uas_response(
        &self,
        req: &Request,
        local_tag: &str,
        status: u16,
        reason: &str,
    ) -> Response {
        let mut r = Response::from_request(req, status, reason);
        if status != 100 {
            r.set_to_tag(local_tag);
        }
        if (101..300).contains(&status) {
            for rr in req.headers.get_all("Record-Route") {
                r.headers.push("Record-Route", rr);
            }
            r.headers.push("Contact", self.contact(req.uri.user()));
        }
        r.headers.push("Server", self.cfg.user_agent.clone());
        r.headers.push("Allow", ALLOW_CALLS);
        r.headers.push("Supported", self.supported());
        r
    }

    fn offered(&self, call: CallId) -> Result<(&Call, TxnId), UaError> {
        let c = self
            .calls
            .get(&call)
            .filter(|c| !c.hung_up)
            .ok_or(UaError::UnknownCall)?;
        if !c.is_uas || c.state != CallState::Offered {
            return Err(UaError::WrongState("not an unanswered incoming call"));
        }
        let txn = c
            .invite_txn
            .ok_or(UaError::WrongState("no INVITE transaction"))?;
        Ok((c, txn))
    }

    fn provisional(
        &mut self,
        now: Instant,
        call: CallId,
        status: u16,
        reason: &str,
        sdp: Option<Vec<u8>>,
    ) -> Result<(), UaError> {
        let (c, txn) = self.offered(call)?;
        let mut r = self.uas_response(&c.invite, &c.local_tag, status, reason);
        if let Some(sdp) = &sdp {
            r.headers.push("Content-Type", "application/sdp");
            r.body = sdp.clone();
        }
        let dialog = Dialog::uas(&c.invite, &r).ok();
        self.layer.respond(now, txn, r)?;
        if let Some(c) = self.calls.get_mut(&call) {
            if c.dialog.is_none() {
                c.dialog = dialog;
            }
            if let Some(sdp) = sdp.filter(|s| !s.is_empty()) {
                c.local_sdp = sdp;
            }
        }
        self.pump(now);
        Ok(())
    }

    /// `180 Ringing` for an incoming call.
    pub fn ringing(&mut self, now: Instant, call: CallId) -> Result<(), UaError> {
        self.provisional(now, call, 180, "Ringing", None)
    }

    /// `183 Session Progress` with SDP (early media).
    pub fn progress(&mut self, now: Instant, call: CallId, sdp: Vec<u8>) -> Result<(), UaError> {
        self.provisional(now, call, 183, "Session Progress", Some(sdp))
    }

    /// `200 OK` with our Contact and `sdp`. The UA retransmits it (T1 doubling up to T2)
    /// until the ACK arrives ([`UaEvent::CallConfirmed`]); after 64*T1 without one it sends
    /// BYE and reports [`EndReason::Timeout`].
    pub fn answer(&mut self, now: Instant, call: CallId, sdp: Vec<u8>) -> Result<(), UaError> {
        let (c, txn) = self.offered(call)?;
        let mut r = self.uas_response(&c.invite, &c.local_tag, 200, "OK");
        self.st_response_headers(call, &mut r);
        if !sdp.is_empty() {
            r.headers.push("Content-Type", "application/sdp");
        }
        r.body = sdp;
        let dialog = Dialog::uas(&c.invite, &r)
            .map_err(|_| UaError::WrongState("INVITE cannot form a dialog"))?;
        let cseq = c.invite.headers.cseq().map(|c| c.seq).unwrap_or(0);
        let dest = self.layer.destination(txn).unwrap_or(c.peer);
        self.layer.respond(now, txn, r.clone())?;
        let t1 = self.cfg.t1;
        if let Some(c) = self.calls.get_mut(&call) {
            if !r.body.is_empty() {
                c.local_sdp = r.body.clone();
            }
            // "RFC says the session timer starts counting on 200, not on INVITE" (chan_sip
            // sip_answer)
            if let Some(st) = c.session.as_mut() {
                st.start(now);
            }
            c.dialog = Some(dialog);
            c.state = CallState::WaitAck;
            c.pending_2xx = Some(Retrans {
                msg: Message::Response(r),
                dest,
                cseq,
                next: now + t1,
                interval: t1,
                give_up: now + t1 * 64,
                initial: true,
            });
        }
        self.pump(now);
        Ok(())
    }

    /// A final non-2xx (300-699) for an incoming call; the TU hears nothing more of it.
    pub fn reject(
        &mut self,
        now: Instant,
        call: CallId,
        status: u16,
        reason: &str,
    ) -> Result<(), UaError> {
        if !(300..=699).contains(&status) {
            return Err(UaError::BadStatus(status));
        }
        let (c, txn) = self.offered(call)?;
        let r = self.uas_response(&c.invite, &c.local_tag, status, reason);
        self.finish_offered(now, call, txn, r)
    }

    /// Sends the TU's 401/407 (built from the IncomingCall request, with its
    /// WWW-Authenticate / Proxy-Authenticate) and ends the call; the authenticated retry is a
    /// new [`UaEvent::IncomingCall`]. A To tag is added when missing.
    pub fn challenge(
        &mut self,
        now: Instant,
        call: CallId,
        mut response: Response,
    ) -> Result<(), UaError> {
        if !(300..=699).contains(&response.status) {
            return Err(UaError::BadStatus(response.status));
        }
        let (c, txn) = self.offered(call)?;
        response.set_to_tag(&c.local_tag);
        self.finish_offered(now, call, txn, response)
    }

    fn finish_offered(
        &mut self,
        now: Instant,
        call: CallId,
        txn: TxnId,
        r: Response,
    ) -> Result<(), UaError> {
        let res = self.layer.respond(now, txn, r);
        self.remove_call(call);
        self.pump(now);
        res.map_err(UaError::from)
    }

    /// CANCEL (RFC 3261 9.2): 200 to the CANCEL, and for an unanswered call 487 to the INVITE
    /// and [`EndReason::Cancelled`]. No matching INVITE: 481.
    pub(super) fn on_cancel(&mut self, now: Instant, txn: TxnId, cancel: &Request) {
        let Some(invite_txn) = self.layer.find_invite_for_cancel(cancel) else {
            self.stateless_answer(now, txn, cancel, 481, "Call/Transaction Does Not Exist");
            return;
        };
        let target = match self.roles.get(&invite_txn).copied() {
            Some(Role::InviteIn(c)) | Some(Role::ReinviteIn(c)) => Some(c),
            _ => None,
        };
        let tag = target
            .and_then(|c| self.calls.get(&c))
            .map(|c| c.local_tag.clone());
        let mut ok = Response::from_request(cancel, 200, "OK");
        match &tag {
            Some(t) => ok.set_to_tag(t),
            None => ok.set_to_tag(&crate::message::derive_tag(&cancel.headers)),
        };
        let _ = self.layer.respond(now, txn, ok);
        let Some(call) = target else { return };
        let Some(c) = self.calls.get(&call) else {
            return;
        };
        let (local_tag, reinvite_in, state, itxn, hung_up) = (
            c.local_tag.clone(),
            c.reinvite_in.clone(),
            c.state,
            c.invite_txn,
            c.hung_up,
        );
        if let Some((rtxn, req)) = reinvite_in {
            if rtxn == invite_txn {
                if let Some(c) = self.calls.get_mut(&call) {
                    c.reinvite_in = None;
                }
                let r = self.uas_response(&req, &local_tag, 487, "Request Terminated");
                let _ = self.layer.respond(now, rtxn, r);
                return;
            }
        }
        if state != CallState::Offered || itxn != Some(invite_txn) {
            return; // already answered: the CANCEL has no effect
        }
        let Some(c) = self.calls.get(&call) else {
            return;
        };
        let r = self.uas_response(&c.invite, &local_tag, 487, "Request Terminated");
        let _ = self.layer.respond(now, invite_txn, r);
        self.remove_call(call);
        if !hung_up {
            self.emit(UaEvent::CallEnded {
                call,
                reason: EndReason::Cancelled,
            });
        }
    }

    /// An ACK outside any transaction: the ACK for our 2xx (RFC 3261 13.3.1.4).
    pub(super) fn on_ack(&mut self, now: Instant, ack: &Request) {
        let Some(tag) = ack
            .headers
            .to_hdr()
            .ok()
            .and_then(|t| t.tag().map(str::to_string))
        else {
            return;
        };
        let Some(call) = self.by_tag.get(&tag).copied() else {
            return;
        };
        let Ok(cseq) = ack.headers.cseq() else { return };
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if !c.dialog.as_ref().is_some_and(|d| d.matches_request(ack)) {
            return;
        }
        let Some(p) = &c.pending_2xx else { return };
        if p.cseq != cseq.seq {
            return;
        }
        let initial = p.initial;
        c.pending_2xx = None;
        if !initial {
            return;
        }
        if c.state == CallState::WaitAck {
            c.state = CallState::Confirmed;
        }
        if c.bye_after_ack {
            c.bye_after_ack = false;
            self.send_bye(now, call);
        } else if !c.hung_up {
            self.emit(UaEvent::CallConfirmed { call });
        }
    }
}
