//! The UA side of RFC 4028 session timers: headers on our requests and 2xx, the timer
//! firing (refresh or BYE), the answers to our refreshes, and the UAC's 422 retry.

use std::time::{Duration, Instant};

use super::call::CallState;
use super::session_timer::{
    allows_update, negotiate_uas, parse_min_se, read_2xx, Negotiation, SessionTimer,
    SessionTimerMode, DEFAULT_MIN_SE,
};
use super::{CallId, EndReason, Role, UaEvent, UserAgent, ALLOW_CALLS};
use crate::message::{CSeq, Message, Method, Request, Response};
use crate::transaction::TxnId;

/// How long a refresh waits when another INVITE/UPDATE transaction is in the way.
const BUSY_RETRY: Duration = Duration::from_secs(1);
/// How long a refresh waits after a 491 (RFC 3261 14.1 asks for 2.1-4 s or 0-2 s).
const GLARE_RETRY: Duration = Duration::from_secs(2);

impl UserAgent {
    /// Our Supported value: chan_sip's `replaces, timer`, without `timer` when timers are
    /// refused.
    pub(super) fn supported(&self) -> &'static str {
        if self.cfg.session_timers == SessionTimerMode::Refuse {
            "replaces"
        } else {
            super::SUPPORTED
        }
    }

    /// Session-timer headers for a new INVITE (chan_sip `transmit_invite`): in `Originate`
    /// mode `Session-Expires` (no refresher: the UAS picks) and `Min-SE`; in `Accept` mode
    /// `Min-SE` alone when ours is not the default 90.
    pub(super) fn st_invite_headers(&self, req: &mut Request, interval: u32, min_se: u32) {
        match self.cfg.session_timers {
            SessionTimerMode::Originate => {
                req.headers.push("Session-Expires", interval.to_string());
                req.headers.push("Min-SE", min_se.to_string());
            }
            SessionTimerMode::Accept if min_se != DEFAULT_MIN_SE => {
                req.headers.push("Min-SE", min_se.to_string())
            }
            _ => {}
        }
    }

    /// `Session-Expires` (+ `Min-SE`) on an in-dialog INVITE or UPDATE we send while a timer
    /// runs.
    pub(super) fn st_request_headers(&self, call: CallId, req: &mut Request) {
        let Some(c) = self.calls.get(&call) else {
            return;
        };
        if let Some(st) = c.session.as_ref().filter(|s| s.active) {
            req.headers.push("Session-Expires", st.header_value(false));
            req.headers.push("Min-SE", c.st_min_se.to_string());
        }
    }

    /// `Session-Expires: N;refresher=..` on our 2xx to an INVITE or UPDATE, with
    /// `Require: timer` when the peer supports timers (RFC 4028 section 9). In `Originate`
    /// mode towards a peer without timers the header goes alone (we refresh).
    pub(super) fn st_response_headers(&self, call: CallId, r: &mut Response) {
        let Some(c) = self.calls.get(&call) else {
            return;
        };
        if let Some(st) = &c.session {
            r.headers.push("Session-Expires", st.header_value(true));
            if st.peer_ua {
                r.headers.push("Require", "timer");
            }
        }
    }

    /// A refusal built from the request alone (422 with Min-SE, 420 with Unsupported, 400).
    pub(super) fn st_reject(
        &mut self,
        now: Instant,
        txn: TxnId,
        req: &Request,
        tag: &str,
        n: &Negotiation,
    ) {
        let Negotiation::Reject(status, reason, extra) = n else {
            return;
        };
        let mut r = self.uas_response(req, tag, *status, reason);
        if let Some((name, value)) = extra {
            r.headers.push(*name, value.as_str());
        }
        let _ = self.layer.respond(now, txn, r);
    }

    /// A re-INVITE or UPDATE in the dialog: negotiate like the INVITE (422/420/400 answer
    /// it and return false); when a timer runs, the request is a refresh: new interval and
    /// refresher if it carried them, and the timer restarts (chan_sip
    /// `restart_session_timer` on every re-INVITE).
    pub(super) fn st_uas_request(
        &mut self,
        now: Instant,
        call: CallId,
        txn: TxnId,
        req: &Request,
    ) -> bool {
        let Some(c) = self.calls.get(&call) else {
            return false;
        };
        let n = negotiate_uas(&self.cfg, c.st_min_se, req, c.peer_timer);
        if let Negotiation::Reject(..) = n {
            let tag = c.local_tag.clone();
            self.st_reject(now, txn, req, &tag, &n);
            return false;
        }
        let Some(c) = self.calls.get_mut(&call) else {
            return false;
        };
        if let Some(st) = c.session.as_mut().filter(|s| s.active) {
            if let Negotiation::Active(new) = n {
                st.interval = new.interval;
                st.we_refresh = new.we_refresh;
                st.peer_ua |= new.peer_ua;
            }
            st.start(now);
        }
        true
    }

    /// The 2xx to our INVITE (chan_sip `handle_response_invite`): a Session-Expires starts
    /// the timer with the refresher it names; without one, `Originate` runs it anyway with
    /// us refreshing. False when it cannot be used (bad syntax or below our Min-SE): the
    /// caller tears the call down as chan_sip does.
    pub(super) fn st_uac_2xx(&mut self, now: Instant, call: CallId, resp: &Response) -> bool {
        let mode = self.cfg.session_timers;
        let Some(c) = self.calls.get_mut(&call) else {
            return true;
        };
        c.peer_allows_update = allows_update(&resp.headers);
        if mode == SessionTimerMode::Refuse {
            c.session = None;
            return true;
        }
        match read_2xx(&resp.headers, c.st_min_se) {
            Some(Err(())) => return false,
            Some(Ok((interval, we_refresh))) => {
                c.peer_timer = true;
                let mut st = SessionTimer::new(interval, we_refresh, true);
                st.start(now);
                c.session = Some(st);
            }
            None if mode == SessionTimerMode::Originate => {
                let interval = c
                    .session
                    .as_ref()
                    .map_or(self.cfg.session_expires, |s| s.interval);
                let mut st = SessionTimer::new(interval, true, false);
                st.start(now);
                c.session = Some(st);
            }
            None => c.session = None,
        }
        true
    }

    /// A 2xx to an in-dialog INVITE/UPDATE we sent refreshes the session; its
    /// Session-Expires may change the interval and the refresher.
    pub(super) fn st_refresh_2xx(&mut self, now: Instant, call: CallId, resp: &Response) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let min_se = c.st_min_se;
        let Some(st) = c.session.as_mut().filter(|s| s.active) else {
            return;
        };
        if let Some(Ok((interval, we_refresh))) = read_2xx(&resp.headers, min_se) {
            st.interval = interval;
            st.we_refresh = we_refresh;
        }
        st.start(now);
    }

    /// The session timer is due (chan_sip `proc_session_timer`): the refresher refreshes;
    /// the other side sends BYE and reports [`EndReason::SessionTimerExpired`].
    pub(super) fn session_timer_fired(&mut self, now: Instant, call: CallId) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if !matches!(c.state, CallState::Confirmed | CallState::WaitAck) {
            c.session = None;
            return;
        }
        let we_refresh = c.session.as_ref().is_some_and(|s| s.we_refresh);
        if we_refresh {
            self.send_refresh(now, call);
            return;
        }
        c.session = None;
        let hung_up = c.hung_up;
        self.send_bye(now, call);
        if !hung_up {
            self.emit(UaEvent::CallEnded {
                call,
                reason: EndReason::SessionTimerExpired,
            });
        }
    }

    /// Sends our refresh: UPDATE without SDP when the peer allows it (and
    /// `session_refresh_update`), else a re-INVITE with our last SDP, same version (chan_sip
    /// `transmit_reinvite_with_sdp(p, FALSE, TRUE)`). Waits a second while another
    /// INVITE/UPDATE transaction is in the way.
    fn send_refresh(&mut self, now: Instant, call: CallId) {
        let use_update = self.cfg.session_refresh_update;
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let busy = c.reinvite_out.is_some()
            || c.reinvite_in.is_some()
            || c.update_in.is_some()
            || c.refresh_out.is_some()
            || c.pending_2xx.is_some();
        let Some(st) = c.session.as_mut() else { return };
        if busy {
            st.deadline = Some(now + BUSY_RETRY);
            return;
        }
        let method = if use_update && c.peer_allows_update {
            Method::Update
        } else {
            Method::Invite
        };
        let sdp = c.local_sdp.clone();
        let Ok(mut req) = self.dialog_request(call, method.clone()) else {
            return;
        };
        req.headers.push("Allow", ALLOW_CALLS);
        req.headers.push("Supported", self.supported());
        self.st_request_headers(call, &mut req);
        if method == Method::Invite && !sdp.is_empty() {
            req.headers.push("Content-Type", "application/sdp");
            req.body = sdp;
        }
        let Some(c) = self.calls.get(&call) else {
            return;
        };
        let (peer, tr) = (c.peer, c.transport.clone());
        let sent = self.layer.send_request(now, req, peer, tr);
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let Some(st) = c.session.as_mut() else { return };
        match sent {
            Ok(txn) => {
                st.deadline = None;
                c.refresh_out = Some((txn, method));
                self.roles.insert(txn, Role::RefreshOut(call));
            }
            Err(_) => st.deadline = Some(now + st.wait()),
        }
    }

    /// A response to our refresh: 2xx restarts the timer (and a re-INVITE's 2xx is ACKed,
    /// again for each retransmission); failures are handled by [`Self::on_refresh_failure`].
    pub(super) fn on_refresh_response(
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
        let current = c.refresh_out.as_ref().is_some_and(|(t, _)| *t == txn);
        let cseq = response.headers.cseq().ok();
        let is_invite = cseq.as_ref().is_some_and(|c| c.method == Method::Invite);
        let seq = cseq.map_or(0, |c| c.seq);
        if (200..300).contains(&status) {
            if !current {
                if let Some((ack, s)) = &c.ack {
                    if is_invite && *s == seq {
                        let (ack, peer, tr) = (ack.clone(), c.peer, c.transport.clone());
                        self.layer.send_stateless(&ack, peer, tr);
                    }
                }
                return;
            }
            c.refresh_out = None;
            if is_invite {
                self.send_2xx_ack(call, &response, seq);
            }
            if let Some(o) = super::session_timer::sdp_origin(&response.body) {
                if let Some(c) = self.calls.get_mut(&call) {
                    c.remote_origin = Some(o);
                }
            }
            self.st_refresh_2xx(now, call, &response);
            return;
        }
        if !current {
            return;
        }
        if status == 422 {
            let minse = response
                .headers
                .get("Min-SE")
                .and_then(parse_min_se)
                .unwrap_or(0);
            if let Some(st) = c.session.as_mut() {
                if minse > i64::from(st.interval) {
                    let minse = u32::try_from(minse).unwrap_or(u32::MAX);
                    st.interval = minse;
                    c.st_min_se = c.st_min_se.max(minse);
                    c.refresh_out = None;
                    st.deadline = Some(now);
                    return;
                }
            }
        }
        self.on_refresh_failure(now, call, txn, status);
    }

    /// Our refresh failed: 408/481 (or no answer) end the call (RFC 4028 section 10);
    /// 491 retries after 2 s; 501/405 to an UPDATE retries at once with a re-INVITE; any
    /// other status keeps the call and tries again after the usual wait.
    pub(super) fn on_refresh_failure(
        &mut self,
        now: Instant,
        call: CallId,
        txn: TxnId,
        status: u16,
    ) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let Some((t, method)) = c.refresh_out.clone() else {
            return;
        };
        if t != txn {
            return;
        }
        c.refresh_out = None;
        let hung_up = c.hung_up;
        if matches!(status, 408 | 481) {
            c.session = None;
            self.send_bye(now, call);
            if !hung_up {
                self.emit(UaEvent::CallEnded {
                    call,
                    reason: EndReason::SessionTimerExpired,
                });
            }
            return;
        }
        if method == Method::Update && matches!(status, 405 | 501) {
            c.peer_allows_update = false;
        }
        let retry = match status {
            491 => GLARE_RETRY,
            405 | 501 if method == Method::Update => Duration::ZERO,
            _ => c
                .session
                .as_ref()
                .map_or(Duration::ZERO, SessionTimer::wait),
        };
        if let Some(st) = c.session.as_mut() {
            st.deadline = Some(now + retry);
        }
    }

    /// The ACK for a 2xx to an in-dialog INVITE of ours (kept to answer retransmissions).
    pub(super) fn send_2xx_ack(&mut self, call: CallId, response: &Response, cseq: u32) {
        let branch = self.layer.next_branch();
        let via = format!("SIP/2.0/UDP {};branch={branch};rport", self.cfg.local);
        let ua = self.cfg.user_agent.clone();
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let Some(d) = c.dialog.as_mut() else { return };
        d.update_from_response(response);
        let mut ack = d.ack_for_2xx(cseq);
        ack.headers.push_front("Via", via);
        ack.headers.push("User-Agent", ua);
        let ack = Message::Request(ack);
        let (peer, tr) = (c.peer, c.transport.clone());
        c.ack = Some((ack.clone(), cseq));
        self.layer.send_stateless(&ack, peer, tr);
    }

    /// chan_sip `proc_422_rsp`: the INVITE again (CSeq + 1, same Call-ID and tag) with
    /// `Min-SE` from the 422 and a Session-Expires raised to it. Once per call.
    pub(super) fn retry_after_422(
        &mut self,
        now: Instant,
        call: CallId,
        response: &Response,
    ) -> bool {
        let via = self.via();
        let Some(minse) = response
            .headers
            .get("Min-SE")
            .and_then(parse_min_se)
            .filter(|m| *m > 0)
        else {
            return false;
        };
        let minse = u32::try_from(minse).unwrap_or(u32::MAX);
        let Some(c) = self.calls.get_mut(&call) else {
            return false;
        };
        c.st_min_se = c.st_min_se.max(minse);
        let interval = c
            .session
            .as_ref()
            .map_or(self.cfg.session_expires, |s| s.interval)
            .max(minse);
        if let Some(st) = c.session.as_mut() {
            st.interval = interval;
        }
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
        if req.headers.contains("Session-Expires") {
            req.headers.set("Session-Expires", interval.to_string());
        }
        req.headers.set("Min-SE", c.st_min_se.to_string());
        let (peer, tr) = (c.peer, c.transport.clone());
        let Ok(txn) = self.layer.send_request(now, req.clone(), peer, tr) else {
            return false;
        };
        let Some(c) = self.calls.get_mut(&call) else {
            return false;
        };
        c.invite = req;
        c.invite_txn = Some(txn);
        c.st_422_retried = true;
        c.state = CallState::Calling;
        c.dialog = None;
        self.roles.insert(txn, Role::InviteOut(call));
        true
    }
}
