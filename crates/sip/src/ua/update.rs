//! UPDATE (RFC 3311) in a confirmed dialog. Without SDP it is a session refresh: the UA
//! answers 200 (with Session-Expires when a timer runs). With an SDP offer it is a session
//! change and goes up as [`UaEvent::Update`], answered like a re-INVITE with
//! [`UserAgent::answer_update`] / [`UserAgent::reject_update`]; an offer with the SDP
//! version we already have is answered by the UA with our last SDP.
//!
//! chan_sip itself answers an UPDATE `501` unless it carries its private
//! `X-Asterisk-rpid-update`; tandem follows RFC 3311 here because the issue asks for UPDATE.

use std::time::Instant;

use super::session_timer;
use super::{CallId, Role, UaError, UaEvent, UserAgent};
use crate::message::Request;
use crate::transaction::{TxnError, TxnId};

impl UserAgent {
    pub(super) fn on_update(&mut self, now: Instant, call: CallId, txn: TxnId, request: Request) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if let Some(d) = c.dialog.as_mut() {
            d.refresh_target(&request);
        }
        if !self.st_uas_request(now, call, txn, &request) {
            return;
        }
        let Some(c) = self.calls.get(&call) else {
            return;
        };
        let tag = c.local_tag.clone();
        if request.body.is_empty() {
            let mut r = self.uas_response(&request, &tag, 200, "OK");
            self.st_response_headers(call, &mut r);
            let _ = self.layer.respond(now, txn, r);
            return;
        }
        // RFC 3311 5.2: an offer while ours is pending gets 491; while theirs is, 500 with
        // Retry-After.
        let glare = if c.reinvite_out.is_some() || c.refresh_out.is_some() {
            Some((491, "Request Pending"))
        } else if c.reinvite_in.is_some() || c.update_in.is_some() || c.pending_2xx.is_some() {
            Some((500, "Server error"))
        } else {
            None
        };
        if let Some((status, reason)) = glare {
            let mut r = self.uas_response(&request, &tag, status, reason);
            if status == 500 {
                r.headers.push("Retry-After", self.ids.small().to_string());
            }
            let _ = self.layer.respond(now, txn, r);
            return;
        }
        let origin = session_timer::sdp_origin(&request.body);
        if origin.is_some() && origin == c.remote_origin && !c.local_sdp.is_empty() {
            let sdp = c.local_sdp.clone();
            let _ = self.send_update_answer(now, call, txn, &request, sdp);
            return;
        }
        if self.events_full() {
            let mut r = self.uas_response(&request, &tag, 500, "Server error");
            r.headers.push("Retry-After", self.ids.small().to_string());
            let _ = self.layer.respond(now, txn, r);
            return;
        }
        if let Some(c) = self.calls.get_mut(&call) {
            c.update_in = Some((txn, request.clone()));
        }
        self.roles.insert(txn, Role::UpdateIn(call));
        self.emit(UaEvent::Update {
            call,
            txn,
            sdp: request.body,
        });
    }

    fn pending_update(&self, call: CallId, txn: TxnId) -> Result<Request, UaError> {
        let c = self
            .calls
            .get(&call)
            .filter(|c| !c.hung_up)
            .ok_or(UaError::UnknownCall)?;
        match &c.update_in {
            Some((t, req)) if *t == txn => Ok(req.clone()),
            _ => Err(UaError::Txn(TxnError::UnknownTransaction)),
        }
    }

    fn send_update_answer(
        &mut self,
        now: Instant,
        call: CallId,
        txn: TxnId,
        req: &Request,
        sdp: Vec<u8>,
    ) -> Result<(), UaError> {
        let tag = self
            .calls
            .get(&call)
            .map(|c| c.local_tag.clone())
            .unwrap_or_default();
        let mut r = self.uas_response(req, &tag, 200, "OK");
        self.st_response_headers(call, &mut r);
        if !sdp.is_empty() {
            r.headers.push("Content-Type", "application/sdp");
        }
        if let Some(c) = self.calls.get_mut(&call) {
            c.update_in = None;
            if !sdp.is_empty() {
                c.local_sdp = sdp.clone();
            }
            if let Some(o) = session_timer::sdp_origin(&req.body) {
                c.remote_origin = Some(o);
            }
        }
        r.body = sdp;
        self.layer.respond(now, txn, r).map_err(UaError::from)
    }

    /// `200 OK` with our SDP answer to an [`UaEvent::Update`].
    pub fn answer_update(
        &mut self,
        now: Instant,
        call: CallId,
        txn: TxnId,
        sdp: Vec<u8>,
    ) -> Result<(), UaError> {
        let req = self.pending_update(call, txn)?;
        let r = self.send_update_answer(now, call, txn, &req, sdp);
        self.pump(now);
        r
    }

    /// A final non-2xx to an [`UaEvent::Update`] (488 for an unacceptable offer, ...); the
    /// call goes on with the session as it was.
    pub fn reject_update(
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
        let req = self.pending_update(call, txn)?;
        let tag = self
            .calls
            .get(&call)
            .map(|c| c.local_tag.clone())
            .unwrap_or_default();
        let r = self.uas_response(&req, &tag, status, reason);
        if let Some(c) = self.calls.get_mut(&call) {
            c.update_in = None;
        }
        let res = self.layer.respond(now, txn, r);
        self.pump(now);
        res.map_err(UaError::from)
    }
}
