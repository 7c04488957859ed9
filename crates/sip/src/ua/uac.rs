//! Outgoing calls: the INVITE, its responses, digest retry, CANCEL and the 200/CANCEL race,
//! ACK for 2xx (and for its retransmissions).

use std::time::Instant;

use super::call::{Call, CallState};
use super::session_timer::{self, SessionTimer, SessionTimerMode};
use super::{CallId, Invite, Role, UaError, UaEvent, UserAgent, ALLOW_CALLS, FIRST_INVITE_CSEQ};
use crate::dialog::Dialog;
use crate::message::{CSeq, Message, Method, Request, Response, Transport};
use crate::transaction::TxnId;

impl UserAgent {
    /// Places a call: sends the INVITE to `inv.dest` (over UDP) and returns the call's id.
    pub fn invite(&mut self, now: Instant, inv: Invite) -> Result<CallId, UaError> {
        self.invite_over(now, inv, Transport::Udp)
    }

    /// As [`UserAgent::invite`], over `transport` (TCP: the driver owns the connection); every
    /// request of the call then goes over it.
    pub fn invite_over(
        &mut self,
        now: Instant,
        inv: Invite,
        transport: Transport,
    ) -> Result<CallId, UaError> {
        if self.calls.len() >= self.cfg.max_calls {
            return Err(UaError::TooManyCalls);
        }
        let tag = self.ids.tag();
        let host = self.cfg.local.ip().to_string();
        let call_id = self.ids.call_id(&host);
        let mut from = inv.from.clone();
        from.set_tag(&tag);
        let mut req = Request::new(Method::Invite, inv.request_uri.clone());
        req.headers.push("Via", self.via());
        req.headers.push("Max-Forwards", "70");
        req.headers.push("From", from.to_string());
        req.headers.push("To", inv.to.to_string());
        req.headers
            .push("Contact", self.contact(Some(&inv.contact_user)));
        req.headers.push("Call-ID", call_id);
        req.headers.push(
            "CSeq",
            CSeq::new(FIRST_INVITE_CSEQ, Method::Invite).to_string(),
        );
        req.headers.push("User-Agent", self.cfg.user_agent.clone());
        req.headers.push("Allow", ALLOW_CALLS);
        req.headers.push("Supported", self.supported());
        self.st_invite_headers(&mut req, self.cfg.session_expires, self.cfg.min_se);
        for (n, v) in &inv.extra_headers {
            req.headers.push(n.as_str(), v.as_str());
        }
        if !inv.sdp.is_empty() {
            req.headers.push("Content-Type", "application/sdp");
            req.body = inv.sdp.clone();
        }
        let txn = self
            .layer
            .send_request(now, req.clone(), inv.dest, transport.clone())?;
        let id = self.alloc_call();
        let mut call = Call::new(
            false,
            CallState::Calling,
            inv.dest,
            transport,
            req,
            tag.clone(),
        );
        call.invite_txn = Some(txn);
        call.credentials = inv.credentials;
        call.local_sdp = inv.sdp;
        call.st_min_se = self.cfg.min_se;
        if self.cfg.session_timers == SessionTimerMode::Originate {
            call.session = Some(SessionTimer::new(self.cfg.session_expires, true, false));
        }
        self.calls.insert(id, call);
        self.by_tag.insert(tag, id);
        self.roles.insert(txn, Role::InviteOut(id));
        self.pump(now);
        Ok(id)
    }

    pub(super) fn send_cancel(&mut self, now: Instant, call: CallId) {
        let t1 = self.cfg.t1;
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let Some(txn) = c.invite_txn else { return };
        c.cancel_pending = false;
        // The INVITE transaction stays in Proceeding until the 487; forget the call anyway
        // after 64*T1 (RFC 3261 9.1).
        c.expire_at = Some(now + t1 * 64);
        if let Ok(ct) = self.layer.cancel(now, txn) {
            self.roles.insert(ct, Role::Cancel(call));
        }
    }

    /// The ACK for a 2xx, with a fresh branch and the INVITE's credentials (13.2.2.4).
    fn build_2xx_ack(&mut self, dialog: &Dialog, invite: &Request) -> Message {
        let cseq = invite.headers.cseq().map(|c| c.seq).unwrap_or(0);
        let mut ack = dialog.ack_for_2xx(cseq);
        let branch = self.layer.next_branch();
        ack.headers.push_front(
            "Via",
            format!("SIP/2.0/UDP {};branch={branch};rport", self.cfg.local),
        );
        for name in ["Authorization", "Proxy-Authorization"] {
            for v in invite.headers.get_all(name) {
                ack.headers.push(name, v);
            }
        }
        ack.headers.push("User-Agent", self.cfg.user_agent.clone());
        Message::Request(ack)
    }

    pub(super) fn on_invite_response(
        &mut self,
        now: Instant,
        call: CallId,
        txn: TxnId,
        response: Response,
    ) {
        let status = response.status;
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if c.invite_txn != Some(txn) && !(200..300).contains(&status) {
            return; // the challenged INVITE's leftovers
        }
        match status {
            100..=199 => {
                if c.state == CallState::Calling {
                    c.state = CallState::Early;
                }
                let remote_tag = response
                    .headers
                    .to_hdr()
                    .ok()
                    .and_then(|t| t.tag().map(str::to_string));
                if remote_tag.is_some() {
                    match &mut c.dialog {
                        Some(d) if Some(d.remote_tag.as_str()) == remote_tag.as_deref() => {
                            d.update_from_response(&response)
                        }
                        Some(_) => {}
                        None => c.dialog = Dialog::uac(&c.invite, &response).ok(),
                    }
                }
                if c.cancel_pending {
                    self.send_cancel(now, call);
                    return;
                }
                if c.hung_up || status == 100 {
                    return;
                }
                if let Some(o) = session_timer::sdp_origin(&response.body) {
                    c.remote_origin = Some(o);
                }
                let sdp = (!response.body.is_empty()).then(|| response.body.clone());
                if status == 180 {
                    self.emit(UaEvent::CallRinging { call, status });
                    if sdp.is_some() {
                        self.emit(UaEvent::CallProgress { call, status, sdp });
                    }
                } else {
                    self.emit(UaEvent::CallProgress { call, status, sdp });
                }
            }
            200..=299 => self.on_invite_2xx(now, call, response),
            401 | 407
                if c.credentials.is_some()
                    && !c.auth_retried
                    && !c.hung_up
                    && !c.cancel_pending =>
            {
                if !self.retry_with_auth(now, call, &response) {
                    self.fail_call(call, &response);
                }
            }
            422 if !c.st_422_retried && !c.hung_up && !c.cancel_pending => {
                if !self.retry_after_422(now, call, &response) {
                    self.fail_call(call, &response);
                }
            }
            _ => self.fail_call(call, &response),
        }
    }

    fn fail_call(&mut self, call: CallId, response: &Response) {
        if let Some(c) = self.remove_call(call) {
            if !c.hung_up {
                self.emit(UaEvent::CallFailed {
                    call,
                    status: response.status,
                    reason: response.reason.clone(),
                });
            }
        }
    }

    fn on_invite_2xx(&mut self, now: Instant, call: CallId, response: Response) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let remote_tag = response
            .headers
            .to_hdr()
            .ok()
            .and_then(|t| t.tag().map(str::to_string));
        let same_dialog = c
            .dialog
            .as_ref()
            .is_some_and(|d| Some(d.remote_tag.as_str()) == remote_tag.as_deref());
        if let Some((ack, seq)) = &c.ack {
            let cseq = response.headers.cseq().map(|c| c.seq).unwrap_or(0);
            if same_dialog && *seq == cseq {
                // a retransmitted 2xx: our ACK was lost
                let (ack, peer, tr) = (ack.clone(), c.peer, c.transport.clone());
                self.layer.send_stateless(&ack, peer, tr);
            } else if !same_dialog {
                self.ack_and_bye_other_fork(now, call, &response);
            }
            return;
        }
        match &mut c.dialog {
            Some(d) if same_dialog => d.update_from_response(&response),
            _ => match Dialog::uac(&c.invite, &response) {
                Ok(d) => c.dialog = Some(d),
                Err(_) => return,
            },
        }
        c.digest.accepted();
        let invite = c.invite.clone();
        let Some(dialog) = c.dialog.clone() else {
            return;
        };
        let ack = self.build_2xx_ack(&dialog, &invite);
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let cseq = invite.headers.cseq().map(|c| c.seq).unwrap_or(0);
        let (peer, tr) = (c.peer, c.transport.clone());
        c.ack = Some((ack.clone(), cseq));
        c.state = CallState::Confirmed;
        c.expire_at = None;
        let hung_up = c.hung_up;
        if let Some(o) = session_timer::sdp_origin(&response.body) {
            c.remote_origin = Some(o);
        }
        self.layer.send_stateless(&ack, peer, tr);
        let timer_ok = self.st_uac_2xx(now, call, &response);
        if hung_up {
            // 200 crossed our CANCEL (or hangup before any provisional): ACK, then BYE
            self.send_bye(now, call);
        } else if !timer_ok {
            // chan_sip: "Got Session-Expires less than local Min-SE in 200 OK, tearing down
            // call" (or an unparsable one): ACK, then BYE
            self.send_bye(now, call);
            self.emit(UaEvent::CallFailed {
                call,
                status: 422,
                reason: "Session Interval Too Small".into(),
            });
        } else {
            self.emit(UaEvent::CallAnswered {
                call,
                sdp: response.body,
            });
        }
    }

    /// A 2xx from a second fork after the call was answered: ACK it and BYE it (13.2.2.4).
    fn ack_and_bye_other_fork(&mut self, now: Instant, call: CallId, response: &Response) {
        let Some(c) = self.calls.get(&call) else {
            return;
        };
        let (invite, peer, tr) = (c.invite.clone(), c.peer, c.transport.clone());
        let Ok(mut d) = Dialog::uac(&invite, response) else {
            return;
        };
        let ack = self.build_2xx_ack(&d, &invite);
        self.layer.send_stateless(&ack, peer, tr.clone());
        let mut bye = d.request(Method::Bye);
        bye.headers.push_front("Via", self.via());
        let _ = self.layer.send_request(now, bye, peer, tr);
    }

    /// Re-sends the INVITE with credentials for the 401/407 (new CSeq, new branch). False
    /// when no credentials can be formed.
    fn retry_with_auth(&mut self, now: Instant, call: CallId, response: &Response) -> bool {
        let cnonce = self.ids.tag();
        let via = self.via();
        let Some(c) = self.calls.get_mut(&call) else {
            return false;
        };
        let Some((user, secret)) = c.credentials.clone() else {
            return false;
        };
        let (challenges, header) = if response.status == 407 {
            (response.headers.proxy_authenticate(), "Proxy-Authorization")
        } else {
            (response.headers.www_authenticate(), "Authorization")
        };
        let uri = c.invite.uri.to_string();
        let Ok(creds) = c
            .digest
            .respond(&challenges, &user, &secret, "INVITE", &uri, &cnonce)
        else {
            return false;
        };
        let mut req = c.invite.clone();
        let Ok(cseq) = req.headers.cseq() else {
            return false;
        };
        req.headers.set(
            "CSeq",
            CSeq::new(cseq.seq.saturating_add(1), Method::Invite).to_string(),
        );
        req.headers.remove("Via");
        req.headers.push_front("Via", via);
        req.headers.remove("Authorization");
        req.headers.remove("Proxy-Authorization");
        req.headers.push(header, creds.to_string());
        let (peer, tr) = (c.peer, c.transport.clone());
        let Ok(txn) = self.layer.send_request(now, req.clone(), peer, tr) else {
            return false;
        };
        let Some(c) = self.calls.get_mut(&call) else {
            return false;
        };
        c.invite = req;
        c.invite_txn = Some(txn);
        c.auth_retried = true;
        c.state = CallState::Calling;
        c.dialog = None;
        self.roles.insert(txn, Role::InviteOut(call));
        true
    }

    /// A response no transaction claims: a 2xx to our INVITE retransmitted after the
    /// transaction ended gets our ACK again.
    pub(super) fn on_stray_response(&mut self, _now: Instant, response: &Response) {
        if !(200..300).contains(&response.status) {
            return;
        }
        let Ok(cseq) = response.headers.cseq() else {
            return;
        };
        if cseq.method != Method::Invite {
            return;
        }
        let Some(tag) = response
            .headers
            .from_hdr()
            .ok()
            .and_then(|f| f.tag().map(str::to_string))
        else {
            return;
        };
        let Some(call) = self.by_tag.get(&tag).copied() else {
            return;
        };
        let Some(c) = self.calls.get(&call) else {
            return;
        };
        if let Some((ack, seq)) = &c.ack {
            if *seq == cseq.seq {
                let (ack, peer, tr) = (ack.clone(), c.peer, c.transport.clone());
                self.layer.send_stateless(&ack, peer, tr);
            }
        }
    }
}
