//! Device and extension states for hints (`exten => 6001,hint,SIP/alice`), and the
//! SUBSCRIBE/NOTIFY glue that keeps phones' busy lamps current.

use std::net::SocketAddr;
use std::time::Instant;

use tandem_sip::event::{EventConfig, ExtensionState, Subscribe};
use tandem_sip::message::{Method, Request, Response};
use tandem_sip::ua::TxnId;

use super::calls::Leg;
use super::endpoint::{epoch_now, Endpoint};
use super::inbound::{self, Admission};
use super::state::PeerRow;

/// The state of one SIP device (`SIP/name`), from its calls and whether it can be reached.
pub fn device_state<'a>(
    name: &str,
    peer: Option<&PeerRow>,
    legs: impl Iterator<Item = &'a Leg>,
) -> ExtensionState {
    let (mut in_use, mut ringing) = (false, false);
    for leg in legs.filter(|l| l.peer.eq_ignore_ascii_case(name)) {
        if leg.answered || leg.inbound {
            in_use = true;
        } else {
            ringing = true;
        }
    }
    match (in_use, ringing) {
        (true, true) => ExtensionState::InUseRinging,
        (true, false) => ExtensionState::InUse,
        (false, true) => ExtensionState::Ringing,
        (false, false) => match peer {
            None => ExtensionState::Unavailable,
            Some(p) if p.addr.is_none() || p.status == "UNREACHABLE" => ExtensionState::Unavailable,
            Some(_) => ExtensionState::NotInUse,
        },
    }
}

/// Asterisk's aggregation of a hint's devices (`ast_devstate_aggregate`): busy or in use
/// wins, ringing combines with in use, unavailable only when every device is.
pub fn aggregate(states: &[ExtensionState]) -> ExtensionState {
    use ExtensionState::*;
    if states.is_empty() || states.iter().all(|s| *s == Unavailable) {
        return Unavailable;
    }
    let any = |f: &dyn Fn(&ExtensionState) -> bool| states.iter().any(f);
    let in_use = any(&|s| matches!(s, InUse | InUseRinging | Busy));
    let ringing = any(&|s| matches!(s, Ringing | InUseRinging));
    if any(&|s| *s == Busy) {
        Busy
    } else if in_use && ringing {
        InUseRinging
    } else if ringing {
        Ringing
    } else if in_use {
        InUse
    } else if any(&|s| *s == OnHold) {
        OnHold
    } else {
        NotInUse
    }
}

impl Endpoint {
    /// The state of a hint's devices right now (`SIP/...` devices; others count as
    /// unavailable until their drivers exist).
    pub(super) fn hint_state(&self, hint: &str) -> ExtensionState {
        let state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let states: Vec<ExtensionState> = hint
            .split('&')
            .map(|dev| match dev.trim().split_once('/') {
                Some((tech, name)) if tech.eq_ignore_ascii_case("SIP") => {
                    let row = state
                        .peers
                        .iter()
                        .find(|p| p.name.eq_ignore_ascii_case(name));
                    device_state(name, row, self.legs.legs.values())
                }
                _ => ExtensionState::Unavailable,
            })
            .collect();
        aggregate(&states)
    }

    /// A SUBSCRIBE (new or in its dialog): authenticate as chan_sip does for SUBSCRIBE (401),
    /// find the hint in the subscriber's context, answer, and send the first NOTIFY.
    pub(super) fn subscribe(
        &mut self,
        now: Instant,
        txn: TxnId,
        req: &Request,
        source: SocketAddr,
    ) {
        let in_dialog = req.headers.to_hdr().ok().is_some_and(|t| t.tag().is_some());
        let epoch = epoch_now();
        let context = if in_dialog {
            None
        } else {
            match inbound::admit(&self.conf, &self.auth, req, source, epoch, "SUBSCRIBE") {
                Admission::Admit { peer, context } => {
                    Some(peer.map_or(context, |p| p.context.clone()))
                }
                Admission::Challenge { stale } => {
                    let mut resp = Response::from_request(req, 401, "Unauthorized");
                    for v in self
                        .auth
                        .challenge_values(epoch, &source.ip().to_string(), stale)
                    {
                        resp.headers.push("WWW-Authenticate", v);
                    }
                    self.respond(now, txn, resp);
                    return;
                }
                Admission::Forbidden => {
                    let resp = self.reply(req, 403, "Forbidden");
                    self.respond(now, txn, resp);
                    return;
                }
            }
        };
        let exten = req
            .uri
            .as_sip()
            .and_then(|u| u.user_decoded())
            .unwrap_or_default();
        if let Some(context) = &context {
            let hint = self
                .world
                .shared
                .dialplan()
                .hint(context, &exten, self.world.shared.now())
                .map(|(_, _, h)| h.to_string());
            if hint.is_none() {
                let resp = self.reply(req, 404, "Not found");
                self.respond(now, txn, resp);
                return;
            }
        }
        let cfg = EventConfig {
            user_agent: self.conf.general.useragent.clone(),
            ..EventConfig::default()
        };
        let tag = self.ua.new_token();
        let contact = tandem_sip::event::our_contact(&exten, self.ua.config().local);
        let subscriber = source.ip().to_string();
        match self
            .subs
            .subscribe(now, req, source, &subscriber, &tag, &contact, &cfg)
        {
            Subscribe::New { key, response } => {
                tracing::info!("SIP SUBSCRIBE ok exten={exten} from={source}");
                self.respond(now, txn, response);
                if let Some(context) = context {
                    self.sub_contexts.insert(key.clone(), context.clone());
                    let state = self.current_hint(&context, &exten);
                    self.sub_states.insert(key.clone(), state);
                    if let Some((notify, dest)) = self.subs.notify(now, &key, state) {
                        self.send_notify(now, key, notify, dest);
                    }
                }
            }
            Subscribe::Refreshed { key, response } => {
                let ok = response.status < 300;
                self.respond(now, txn, response);
                if ok {
                    let context = self.sub_contexts.get(&key).cloned().unwrap_or_default();
                    let state = self.current_hint(&context, &exten);
                    if let Some((notify, dest)) = self.subs.notify(now, &key, state) {
                        self.send_notify(now, key, notify, dest);
                    }
                }
            }
            Subscribe::Rejected(resp) => self.respond(now, txn, resp),
        }
    }

    fn current_hint(&self, context: &str, exten: &str) -> ExtensionState {
        let dialplan = self.world.shared.dialplan();
        match dialplan.hint(context, exten, self.world.shared.now()) {
            Some((_, _, h)) => self.hint_state(h),
            None => ExtensionState::Removed,
        }
    }

    fn send_notify(
        &mut self,
        now: Instant,
        key: tandem_sip::event::SubKey,
        notify: Request,
        dest: SocketAddr,
    ) {
        debug_assert_eq!(notify.method, Method::Notify);
        match self.ua.send_request(now, notify, dest) {
            Ok(txn) => {
                self.sub_txns.insert(txn, key);
            }
            Err(e) => tracing::warn!("SIP: NOTIFY: {e}"),
        }
    }

    /// After calls or registrations changed: NOTIFY every subscription whose hint changed.
    pub(super) fn update_subscriptions(&mut self, now: Instant) {
        let keys: Vec<_> = self
            .subs
            .iter()
            .map(|(k, s)| (k.clone(), s.exten().to_string()))
            .collect();
        for (key, exten) in keys {
            let context = self.sub_contexts.get(&key).cloned().unwrap_or_default();
            let state = self.current_hint(&context, &exten);
            // Only a change of the extension's state is news (calls coming and going on other
            // devices are not).
            if self.sub_states.get(&key) == Some(&state) {
                continue;
            }
            self.sub_states.insert(key.clone(), state);
            if let Some((notify, dest)) = self.subs.update(now, &key, state) {
                self.send_notify(now, key, notify, dest);
            }
        }
    }

    /// The answer to one of our NOTIFYs; `false` if the transaction is not a NOTIFY of ours.
    pub(super) fn notify_answered(
        &mut self,
        now: Instant,
        txn: TxnId,
        status: Option<u16>,
    ) -> bool {
        let Some(key) = self.sub_txns.remove(&txn) else {
            return false;
        };
        // No answer at all counts as 408.
        if let Some((notify, dest)) = self
            .subs
            .on_notify_response(now, &key, status.unwrap_or(408))
        {
            self.send_notify(now, key.clone(), notify, dest);
        }
        if self.subs.get(&key).is_none() {
            self.sub_contexts.remove(&key);
            self.sub_states.remove(&key);
        }
        true
    }

    /// Subscriptions that ran out: their final NOTIFY.
    pub(super) fn expire_subscriptions(&mut self, now: Instant) {
        for (key, notify, dest) in self.subs.handle_timeout(now) {
            self.sub_contexts.remove(&key);
            self.sub_states.remove(&key);
            if let Err(e) = self.ua.send_request(now, notify, dest) {
                tracing::warn!("SIP: final NOTIFY: {e}");
            }
        }
    }

    pub(super) fn respond(&mut self, now: Instant, txn: TxnId, resp: Response) {
        if let Err(e) = self.ua.respond(now, txn, resp) {
            tracing::warn!("SIP: cannot respond in {txn}: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ExtensionState::*;

    #[test]
    fn hint_aggregation_follows_asterisk() {
        assert_eq!(aggregate(&[NotInUse, Unavailable]), NotInUse);
        assert_eq!(aggregate(&[Unavailable, Unavailable]), Unavailable);
        assert_eq!(aggregate(&[InUse, Ringing]), InUseRinging);
        assert_eq!(aggregate(&[Ringing, NotInUse]), Ringing);
        assert_eq!(aggregate(&[InUse, NotInUse]), InUse);
        assert_eq!(aggregate(&[Busy, Ringing]), Busy);
        assert_eq!(aggregate(&[]), Unavailable);
    }
}
