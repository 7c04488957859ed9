//! Transfers by REFER: blind (the party bridged to the transferer goes to the Refer-To
//! extension) and attended (Refer-To with Replaces joins the two other parties).

use std::time::Instant;

use tandem_core::{cause, ChannelEvent};
use tandem_sip::message::{Method, NameAddr, Request};
use tandem_sip::ua::CallId;

use super::super::calls::LegKey;
use super::super::endpoint::Endpoint;
use super::super::media;
use super::log_err;

impl Endpoint {
    /// A blind transfer: REFER from this leg moves the party bridged to it to the Refer-To
    /// extension in this leg's context (chan_sip's `local_attended_transfer` aside, the
    /// `handle_request_refer` blind case): 202, a NOTIFY with the sipfrag `200 OK`, and the
    /// transferer is hung up when the core lets go of it.
    pub(super) fn refer(
        &mut self,
        now: Instant,
        key: LegKey,
        call: CallId,
        txn: tandem_sip::ua::TxnId,
        req: &Request,
    ) {
        let target = req
            .headers
            .get("Refer-To")
            .and_then(|v| NameAddr::parse(v).ok())
            .and_then(|na| na.uri.as_sip().and_then(|u| u.user_decoded()));
        let Some(exten) = target.filter(|e| !e.is_empty()) else {
            let resp = self.reply(req, 400, "Bad Refer-To");
            log_err(self.ua.respond(now, txn, resp));
            return;
        };
        if let Some(replaced) = req.headers.get("Refer-To").and_then(replaces_call_id) {
            self.attended_transfer(now, key, call, txn, req, &replaced);
            return;
        }
        let Some(leg) = self.legs.legs.get(&key) else {
            return;
        };
        let context = leg.context.clone();
        let cid = None;
        if !self
            .world
            .shared
            .dialplan()
            .exists(&context, &exten, cid, self.world.shared.now())
        {
            tracing::info!("{}: REFER to unknown extension {exten}@{context}", leg.name);
            let resp = self.reply(req, 404, "Not Found");
            log_err(self.ua.respond(now, txn, resp));
            return;
        }
        tracing::info!("{}: blind transfer to {exten}@{context}", leg.name);
        let resp = self.reply(req, 202, "Accepted");
        log_err(self.ua.respond(now, txn, resp));
        leg.emit(ChannelEvent::Transfer { context, exten });
        self.notify_refer_done(now, call);
    }
}

impl Endpoint {
    /// An attended transfer: the REFER's Refer-To carries `Replaces` naming another of the
    /// transferer's calls. The party bridged to this leg and the party bridged to the replaced
    /// call are joined: this leg's channel takes over the other party's SIP dialog (re-INVITEd
    /// to this leg's media port), that party's old channel is let go, and both of the
    /// transferer's calls end (chan_sip's `local_attended_transfer`, done by rebinding legs).
    /// The replaced dialog is found by its Call-ID.
    pub(super) fn attended_transfer(
        &mut self,
        now: Instant,
        x_key: LegKey,
        x_call: CallId,
        txn: tandem_sip::ua::TxnId,
        req: &Request,
        replaced: &str,
    ) {
        let y_key = self
            .legs
            .calls
            .iter()
            .find(|(_, c)| self.ua.sip_call_id(**c) == Some(replaced))
            .map(|(k, _)| *k);
        let partner = y_key.and_then(|y| {
            let y_leg = self.legs.legs.get(&y)?;
            match &y_leg.outbound {
                // The replaced call was dialled by a channel: that channel's leg is the party.
                Some(setup) => self
                    .legs
                    .legs
                    .iter()
                    .find(|(_, l)| l.inbound && l.name == setup.caller_channel)
                    .map(|(k, _)| *k),
                // The replaced call is a caller: the leg it dialled is the party.
                None => self
                    .legs
                    .legs
                    .iter()
                    .find(|(_, l)| {
                        l.answered
                            && l.outbound
                                .as_ref()
                                .is_some_and(|s| s.caller_channel == y_leg.name)
                    })
                    .map(|(k, _)| *k),
            }
        });
        let (Some(z_key), Some(z_call)) = (
            partner,
            partner.and_then(|z| self.legs.calls.get(&z).copied()),
        ) else {
            let resp = self.reply(req, 481, "Call/Transaction Does Not Exist");
            log_err(self.ua.respond(now, txn, resp));
            return;
        };
        let resp = self.reply(req, 202, "Accepted");
        log_err(self.ua.respond(now, txn, resp));
        self.notify_refer_done(now, x_call);
        // Let go of the other party's old channel, keeping what we know of its dialog.
        self.legs.calls.remove(&z_key);
        self.legs.by_call.remove(&z_call);
        let Some(mut z_leg) = self.legs.remove(z_key) else {
            return;
        };
        let z_remote = z_leg.media.remote();
        z_leg.hang_up_channel(cause::NORMAL_CLEARING);
        // This leg's channel now speaks to the other party's dialog.
        self.legs.by_call.remove(&x_call);
        self.legs.bind(x_key, z_call);
        log_err(self.ua.hangup(now, x_call));
        let Some(x_leg) = self.legs.legs.get_mut(&x_key) else {
            return;
        };
        tracing::info!(
            "{}: attended transfer, now talking to {} ({})",
            x_leg.name,
            z_leg.peer,
            z_leg.remote
        );
        x_leg.codecs = z_leg.codecs;
        x_leg.session = z_leg.session;
        x_leg.dtmf = z_leg.dtmf;
        x_leg.remote = z_leg.remote;
        x_leg.peer = z_leg.peer;
        x_leg.format = z_leg.format;
        x_leg.answered = true;
        if let Some(rtp) = z_remote {
            x_leg.media.set_remote(rtp);
        }
        let cfg = media::media_config(
            self.media_ip,
            &x_leg.media,
            x_leg.codecs.clone(),
            x_leg.dtmf,
            0,
        );
        let offer = x_leg.session.offer(&cfg);
        let bytes = offer.print().into_bytes();
        x_leg.offer = Some(offer);
        self.legs.touch();
        log_err(self.ua.reinvite(now, z_call, bytes));
    }
}

/// The Call-ID a Refer-To's `?Replaces=` header names (`callid;to-tag=..;from-tag=..`,
/// percent-encoded in the URI).
impl Endpoint {
    /// The NOTIFY that ends a REFER's implicit subscription with the sipfrag `200 OK`.
    fn notify_refer_done(&mut self, now: Instant, call: CallId) {
        let headers = [
            ("Event".to_string(), "refer".to_string()),
            (
                "Subscription-State".to_string(),
                "terminated;reason=noresource".to_string(),
            ),
        ];
        let body = Some((
            "message/sipfrag;version=2.0",
            b"SIP/2.0 200 OK\r\n".to_vec(),
        ));
        if let Err(e) = self
            .ua
            .send_in_dialog(now, call, Method::Notify, body, &headers)
        {
            tracing::warn!("SIP: NOTIFY after REFER: {e}");
        }
    }
}

fn replaces_call_id(refer_to: &str) -> Option<String> {
    let uri = refer_to.trim().trim_start_matches('<');
    let uri = uri.split('>').next()?;
    let (_, headers) = uri.split_once('?')?;
    let value = headers.split('&').find_map(|h| {
        let (k, v) = h.split_once('=')?;
        k.eq_ignore_ascii_case("Replaces").then_some(v)
    })?;
    let decoded = String::from_utf8_lossy(&tandem_sip::message::percent_decode(value)).into_owned();
    let call_id = decoded.split(';').next()?.trim().to_string();
    (!call_id.is_empty()).then_some(call_id)
}
