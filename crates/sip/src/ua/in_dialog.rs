//! Requests inside a call's dialog, both ways: BYE, re-INVITE, INFO, and the rest handed to
//! the TU.

use std::time::Instant;

use super::call::{CallState, Retrans};
use super::session_timer;
use super::{CallId, EndReason, Role, UaError, UaEvent, UserAgent};
use crate::message::{Message, Method, Request, Response};
use crate::transaction::TxnId;

impl UserAgent {
    pub(super) fn on_dialog_request(
        &mut self,
        now: Instant,
        call: CallId,
        txn: TxnId,
        request: Request,
    ) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let Some(d) = c.dialog.as_mut() else {
            self.stateless_answer(now, txn, &request, 481, "Call/Transaction Does Not Exist");
            return;
        };
        if !d.matches_request(&request) {
            self.stateless_answer(now, txn, &request, 481, "Call/Transaction Does Not Exist");
            return;
        }
        if d.check_remote_cseq(&request).is_err() {
            // chan_sip: "500 Server error", with Retry-After 1-10 s for an INVITE (14.2)
            let local_tag = c.local_tag.clone();
            let mut r = self.uas_response(&request, &local_tag, 500, "Server error");
            if request.method == Method::Invite {
                r.headers.push("Retry-After", self.ids.small().to_string());
            }
            let _ = self.layer.respond(now, txn, r);
            return;
        }
        let (local_tag, hung_up, state) = (c.local_tag.clone(), c.hung_up, c.state);
        match request.method {
            Method::Bye => {
                let ok = self.uas_response(&request, &local_tag, 200, "OK");
                let _ = self.layer.respond(now, txn, ok);
                if let Some(c) = self.remove_call(call) {
                    for (rtxn, req) in c.reinvite_in.iter().chain(c.update_in.iter()) {
                        let r = self.uas_response(req, &local_tag, 487, "Request Terminated");
                        let _ = self.layer.respond(now, *rtxn, r);
                    }
                    if !c.hung_up {
                        self.emit(UaEvent::CallEnded {
                            call,
                            reason: EndReason::RemoteBye,
                        });
                    }
                }
            }
            Method::Invite => self.on_reinvite(now, call, txn, request),
            Method::Update
                if !hung_up && matches!(state, CallState::Confirmed | CallState::WaitAck) =>
            {
                self.on_update(now, call, txn, request);
            }
            _ => {
                if hung_up {
                    let r = self.uas_response(
                        &request,
                        &local_tag,
                        481,
                        "Call/Transaction Does Not Exist",
                    );
                    let _ = self.layer.respond(now, txn, r);
                    return;
                }
                self.roles.insert(txn, Role::DialogIn(call));
                self.emit(UaEvent::DialogRequest { call, txn, request });
            }
        }
    }

    fn on_reinvite(&mut self, now: Instant, call: CallId, txn: TxnId, request: Request) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let local_tag = c.local_tag.clone();
        // RFC 3261 14.2: an INVITE while ours is pending gets 491; while theirs is pending
        // (or our 2xx to it is not yet ACKed) 500 with Retry-After.
        let refresh_invite = c
            .refresh_out
            .as_ref()
            .is_some_and(|(_, m)| *m == Method::Invite);
        let status = if c.reinvite_out.is_some() || refresh_invite {
            Some((491, "Request Pending"))
        } else if c.reinvite_in.is_some() || c.pending_2xx.is_some() || c.hung_up {
            Some((500, "Server error"))
        } else {
            None
        };
        if let Some((s, reason)) = status {
            let mut r = self.uas_response(&request, &local_tag, s, reason);
            if s == 500 {
                r.headers.push("Retry-After", self.ids.small().to_string());
            }
            let _ = self.layer.respond(now, txn, r);
            return;
        }
        if let Some(d) = c.dialog.as_mut() {
            d.refresh_target(&request);
        }
        if !self.st_uas_request(now, call, txn, &request) {
            return;
        }
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        c.reinvite_in = Some((txn, request.clone()));
        self.roles.insert(txn, Role::ReinviteIn(call));
        // An offer with the SDP version we already have is a session refresh: answered with
        // our last SDP, unchanged (chan_sip's process_sdp ignores an unchanged version).
        let origin = session_timer::sdp_origin(&request.body);
        if origin.is_some() && origin == c.remote_origin && !c.local_sdp.is_empty() {
            let sdp = c.local_sdp.clone();
            let _ = self.answer_reinvite_inner(now, call, txn, sdp);
            return;
        }
        self.emit(UaEvent::Reinvite {
            call,
            txn,
            sdp: request.body,
        });
    }

    fn pending_reinvite(&self, call: CallId, txn: TxnId) -> Result<Request, UaError> {
        let c = self
            .calls
            .get(&call)
            .filter(|c| !c.hung_up)
            .ok_or(UaError::UnknownCall)?;
        match &c.reinvite_in {
            Some((t, req)) if *t == txn => Ok(req.clone()),
            _ => Err(UaError::Txn(
                crate::transaction::TxnError::UnknownTransaction,
            )),
        }
    }

    /// `200 OK` with `sdp` to a re-INVITE; retransmitted until its ACK like the first 2xx.
    pub fn answer_reinvite(
        &mut self,
        now: Instant,
        call: CallId,
        txn: TxnId,
        sdp: Vec<u8>,
    ) -> Result<(), UaError> {
        self.answer_reinvite_inner(now, call, txn, sdp)?;
        self.pump(now);
        Ok(())
    }

    fn answer_reinvite_inner(
        &mut self,
        now: Instant,
        call: CallId,
        txn: TxnId,
        sdp: Vec<u8>,
    ) -> Result<(), UaError> {
        let req = self.pending_reinvite(call, txn)?;
        let local_tag = self
            .calls
            .get(&call)
            .map(|c| c.local_tag.clone())
            .unwrap_or_default();
        let mut r = self.uas_response(&req, &local_tag, 200, "OK");
        self.st_response_headers(call, &mut r);
        if !sdp.is_empty() {
            r.headers.push("Content-Type", "application/sdp");
        }
        if let Some(c) = self.calls.get_mut(&call) {
            if !sdp.is_empty() {
                c.local_sdp = sdp.clone();
            }
            if let Some(o) = session_timer::sdp_origin(&req.body) {
                c.remote_origin = Some(o);
            }
        }
        r.body = sdp;
        let dest = self.layer.destination(txn);
        self.layer.respond(now, txn, r.clone())?;
        let t1 = self.cfg.t1;
        if let Some(c) = self.calls.get_mut(&call) {
            c.reinvite_in = None;
            c.pending_2xx = Some(Retrans {
                msg: Message::Response(r),
                dest: dest.unwrap_or(c.peer),
                cseq: req.headers.cseq().map(|c| c.seq).unwrap_or(0),
                next: now + t1,
                interval: t1,
                give_up: now + t1 * 64,
                initial: false,
            });
        }
        Ok(())
    }

    /// A final non-2xx to a re-INVITE (488 for an unacceptable offer, ...); the call goes on.
    pub fn reject_reinvite(
        &mut self,
        now: Instant,
        call: CallId,
        txn: TxnId,
        status: u16,
        reason: &str,
    ) -> Result<(), UaError> {
        if !(300..=699).contains(&status) {
            return Err(UaError::BadStatus(status));
        }
        let req = self.pending_reinvite(call, txn)?;
        let local_tag = self
            .calls
            .get(&call)
            .map(|c| c.local_tag.clone())
            .unwrap_or_default();
        let r = self.uas_response(&req, &local_tag, status, reason);
        if let Some(c) = self.calls.get_mut(&call) {
            c.reinvite_in = None;
        }
        let res = self.layer.respond(now, txn, r);
        self.pump(now);
        res.map_err(UaError::from)
    }

    /// Builds an in-dialog request with our Via and User-Agent; for INVITE/UPDATE our Contact.
    pub(super) fn dialog_request(
        &mut self,
        call: CallId,
        method: Method,
    ) -> Result<Request, UaError> {
        let via = self.via();
        let contact_user = self.calls.get(&call).and_then(|c| {
            let na = if c.is_uas {
                c.invite.headers.to_hdr().ok()
            } else {
                c.invite.headers.from_hdr().ok()
            };
            na.and_then(|n| n.uri.user().map(str::to_string))
        });
        let contact = self.contact(contact_user.as_deref());
        let ua = self.cfg.user_agent.clone();
        let c = self.call_mut(call)?;
        if !matches!(c.state, CallState::Confirmed | CallState::WaitAck) {
            return Err(UaError::WrongState("call not answered"));
        }
        let d = c.dialog.as_mut().ok_or(UaError::WrongState("no dialog"))?;
        let mut req = d.request(method.clone());
        req.headers.push_front("Via", via);
        if matches!(method, Method::Invite | Method::Update) {
            req.headers.push("Contact", contact);
        }
        req.headers.push("User-Agent", ua);
        Ok(req)
    }

    /// Sends a re-INVITE with `sdp` (hold/unhold carried across a bridge). The answer comes
    /// as [`UaEvent::ReinviteAnswered`] (ACK sent) or [`UaEvent::ReinviteFailed`].
    pub fn reinvite(&mut self, now: Instant, call: CallId, sdp: Vec<u8>) -> Result<(), UaError> {
        let c = self.call_mut(call)?;
        let refresh_invite = c
            .refresh_out
            .as_ref()
            .is_some_and(|(_, m)| *m == Method::Invite);
        if c.reinvite_out.is_some() || c.reinvite_in.is_some() || refresh_invite {
            return Err(UaError::WrongState("an INVITE transaction is in progress"));
        }
        let mut req = self.dialog_request(call, Method::Invite)?;
        self.st_request_headers(call, &mut req);
        if !sdp.is_empty() {
            req.headers.push("Content-Type", "application/sdp");
            if let Some(c) = self.calls.get_mut(&call) {
                c.local_sdp = sdp.clone();
            }
        }
        req.body = sdp;
        let (peer, tr) = self
            .calls
            .get(&call)
            .map(|c| (c.peer, c.transport.clone()))
            .ok_or(UaError::UnknownCall)?;
        let txn = self.layer.send_request(now, req, peer, tr)?;
        self.roles.insert(txn, Role::ReinviteOut(call));
        if let Some(c) = self.calls.get_mut(&call) {
            c.reinvite_out = Some(txn);
        }
        self.pump(now);
        Ok(())
    }

    /// Sends another in-dialog request (INFO with DTMF, REFER, NOTIFY, UPDATE, ...) with an
    /// optional body and extra headers; responses come as [`UaEvent::Response`].
    pub fn send_in_dialog(
        &mut self,
        now: Instant,
        call: CallId,
        method: Method,
        body: Option<(&str, Vec<u8>)>,
        extra_headers: &[(String, String)],
    ) -> Result<TxnId, UaError> {
        if matches!(
            method,
            Method::Invite | Method::Ack | Method::Cancel | Method::Bye
        ) {
            return Err(UaError::WrongState(
                "use reinvite/hangup for INVITE and BYE",
            ));
        }
        let mut req = self.dialog_request(call, method)?;
        for (n, v) in extra_headers {
            req.headers.push(n.as_str(), v.as_str());
        }
        if let Some((ct, b)) = body {
            req.headers.push("Content-Type", ct);
            req.body = b;
        }
        let (peer, tr) = self
            .calls
            .get(&call)
            .map(|c| (c.peer, c.transport.clone()))
            .ok_or(UaError::UnknownCall)?;
        let txn = self.layer.send_request(now, req, peer, tr)?;
        self.roles.insert(txn, Role::TuInDialog(call));
        self.pump(now);
        Ok(txn)
    }

    /// INFO with `application/dtmf-relay` (`Signal=5\r\nDuration=160\r\n`), as chan_sip
    /// sends for `dtmfmode=info`.
    pub fn send_dtmf_info(
        &mut self,
        now: Instant,
        call: CallId,
        digit: char,
        duration_ms: u32,
    ) -> Result<TxnId, UaError> {
        let body = format!("Signal={digit}\r\nDuration={duration_ms}\r\n").into_bytes();
        self.send_in_dialog(
            now,
            call,
            Method::Info,
            Some(("application/dtmf-relay", body)),
            &[],
        )
    }

    pub(super) fn on_reinvite_response(
        &mut self,
        now: Instant,
        call: CallId,
        txn: TxnId,
        response: Response,
    ) {
        let status = response.status;
        if status < 200 {
            return;
        }
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if (200..300).contains(&status) {
            let retransmitted = c.reinvite_out != Some(txn);
            let cseq = response.headers.cseq().map(|c| c.seq).unwrap_or(0);
            if retransmitted {
                if let Some((ack, seq)) = &c.ack {
                    if *seq == cseq {
                        let (ack, peer, tr) = (ack.clone(), c.peer, c.transport.clone());
                        self.layer.send_stateless(&ack, peer, tr);
                    }
                }
                return;
            }
            c.reinvite_out = None;
            let Some(d) = c.dialog.as_mut() else { return };
            d.update_from_response(&response);
            let mut ack = d.ack_for_2xx(cseq);
            let branch = self.layer.next_branch();
            ack.headers.push_front(
                "Via",
                format!("SIP/2.0/UDP {};branch={branch};rport", self.cfg.local),
            );
            ack.headers.push("User-Agent", self.cfg.user_agent.clone());
            let ack = Message::Request(ack);
            let Some(c) = self.calls.get_mut(&call) else {
                return;
            };
            let (peer, tr, hung_up) = (c.peer, c.transport.clone(), c.hung_up);
            c.ack = Some((ack.clone(), cseq));
            if let Some(o) = session_timer::sdp_origin(&response.body) {
                c.remote_origin = Some(o);
            }
            self.layer.send_stateless(&ack, peer, tr);
            self.st_refresh_2xx(now, call, &response);
            if !hung_up {
                self.emit(UaEvent::ReinviteAnswered {
                    call,
                    sdp: response.body,
                });
            }
            return;
        }
        if c.reinvite_out != Some(txn) {
            return;
        }
        c.reinvite_out = None;
        let hung_up = c.hung_up;
        // RFC 3261 12.2.1.2: 481 or 408 to a request in the dialog ends it
        if matches!(status, 408 | 481) {
            self.send_bye(now, call);
            if !hung_up {
                self.emit(UaEvent::CallEnded {
                    call,
                    reason: EndReason::RemoteBye,
                });
            }
            return;
        }
        if !hung_up {
            self.emit(UaEvent::ReinviteFailed { call, status });
        }
    }
}
