//! Calls: an incoming INVITE becomes a channel running the dialplan; Dial's outbound legs
//! become INVITEs; channel commands and UA events are translated both ways.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::Instant;

use tandem_core::{cause, Channel, ChannelCommand, ChannelEvent, Indication};
use tandem_sdp::{Direction, SdpSession, SessionDescription};
use tandem_sip::message::{Method, NameAddr, Request, Response, Transport, Uri};
use tandem_sip::q850;
use tandem_sip::ua::{CallId, EndReason, Invite, UaEvent};

use super::calls::{channel_name, forward_commands, EndpointCmd, Leg, LegKey};
use super::endpoint::{epoch_now, Endpoint};
use super::inbound::{self, Admission};
use super::media;
use crate::channels;

#[path = "info.rs"]
mod info;
#[path = "transfer.rs"]
mod transfer;

impl Endpoint {
    pub(super) fn incoming_call(
        &mut self,
        now: Instant,
        call: CallId,
        req: &Request,
        source: SocketAddr,
    ) {
        let epoch = epoch_now();
        let (peer, context) =
            match inbound::admit(&self.conf, &self.auth, req, source, epoch, "INVITE") {
                Admission::Admit { peer, context } => (peer, context),
                Admission::Challenge { stale } => {
                    let mut resp =
                        Response::from_request(req, 407, "Proxy Authentication Required");
                    for v in self
                        .auth
                        .challenge_values(epoch, &source.ip().to_string(), stale)
                    {
                        resp.headers.push("Proxy-Authenticate", v);
                    }
                    tracing::debug!("SIP INVITE challenged from={source}");
                    let _ = self.ua.challenge(now, call, resp);
                    return;
                }
                Admission::Forbidden => {
                    tracing::warn!("SIP INVITE auth-failed from={source}");
                    let _ = self.ua.reject(now, call, 403, "Forbidden");
                    return;
                }
            };
        // call-limit: calls to and from this peer at once.
        if let Some(p) = peer.filter(|p| p.call_limit > 0) {
            let active = self
                .legs
                .per_peer
                .lock()
                .map(|c| c.get(&p.name.to_ascii_lowercase()).copied().unwrap_or(0))
                .unwrap_or(0);
            if active >= p.call_limit as usize {
                tracing::warn!(
                    "SIP: call-limit {} reached for peer {}",
                    p.call_limit,
                    p.name
                );
                let _ = self.ua.reject(now, call, 486, "Busy Here");
                return;
            }
        }
        let exten = req
            .uri
            .as_sip()
            .and_then(|u| u.user_decoded())
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| "s".into());
        let (caller_name, caller_num) = caller_id(req, peer);
        let dialplan = self.world.shared.dialplan();
        let cid = Some(caller_num.as_str()).filter(|c| !c.is_empty());
        if !dialplan.exists(&context, &exten, cid, self.world.shared.now()) {
            tracing::info!(
                "SIP INVITE to unknown extension '{exten}' in context '{context}' from={source}"
            );
            let _ = self.ua.reject(now, call, 404, "Not Found");
            return;
        }
        // Media: answer the offer with the peer's codecs on a port of our own.
        let Ok(offer) = SessionDescription::parse_bytes(&req.body) else {
            tracing::info!("SIP INVITE without a usable SDP offer from={source}");
            let _ = self.ua.reject(now, call, 488, "Not Acceptable Here");
            return;
        };
        let leg_media = match self.ports.allocate_now(self.media_ip) {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!("SIP: no RTP port: {e}");
                let _ = self.ua.reject(now, call, 503, "Service Unavailable");
                return;
            }
        };
        leg_media.set_comedia(peer.map_or(self.conf.general.common.nat.comedia, |p| {
            p.common.nat.comedia
        }));
        leg_media.set_comedia(peer.map_or(self.conf.general.common.nat.comedia, |p| {
            p.common.nat.comedia
        }));
        let codecs = media::peer_codecs(&self.conf, peer);
        let dtmf = peer.map_or(self.conf.general.common.dtmfmode, |p| p.common.dtmfmode);
        if peer.map_or(self.conf.general.common.encryption, |p| p.common.encryption) {
            // encryption=yes: never connected in the clear (488 without usable a=crypto).
            leg_media.require_srtp();
        }
        let cfg = media::media_config(self.media_ip, &leg_media, codecs, dtmf, epoch);
        let mut session = SdpSession::new(epoch);
        let (answer, negotiated) = match session.answer(&offer, &cfg) {
            Ok(a) => a,
            Err(e) => {
                tracing::info!("SIP INVITE from={source}: {e}");
                let _ = self.ua.reject(now, call, 488, "Not Acceptable Here");
                return;
            }
        };
        if let Some(rtp) = negotiated.remote_rtp {
            leg_media.set_remote(rtp);
        }
        leg_media.set_negotiated(&negotiated);
        let peer_name = peer.map_or_else(|| source.ip().to_string(), |p| p.name.clone());
        let name = channel_name(&peer_name);
        let (_, uniqueid) = self.world.shared.new_uniqueid();
        let mut chan = Channel::new(name.clone(), uniqueid, &context, &exten);
        chan.caller.num = caller_num;
        chan.caller.name = caller_name;
        chan.caller.dnid = exten.clone();
        chan.format = negotiated.codec.asterisk_name().map(str::to_string);
        if let Some(p) = peer {
            if !p.language.is_empty() {
                chan.language = p.language.clone();
            }
            chan.accountcode = p.accountcode.clone();
        }
        let (link, driver_end) = channels::link(name.clone(), leg_media.clone());
        let key = self.next_key.fetch_add(1, Ordering::Relaxed);
        self.legs.insert(
            key,
            Leg {
                inbound: true,
                name: name.clone(),
                context: context.clone(),
                events: driver_end.events,
                media: leg_media,
                answer_sdp: Some(answer.print().into_bytes()),
                offer: None,
                outbound: None,
                answered: false,
                ended: false,
                codecs: negotiated.joint.iter().map(|(_, c)| c.clone()).collect(),
                session,
                dtmf,
                remote_hold: negotiated.remote_hold,
                remote: source.ip().to_string(),
                peer: peer_name.clone(),
                format: negotiated.codec.asterisk_name().unwrap_or("?").to_string(),
            },
        );
        self.legs.bind(key, call);
        forward_commands(key, driver_end.commands, self.cmd_tx.clone());
        tracing::info!("{name}: incoming call from {source} to {exten}@{context}");
        channels::spawn_pbx(self.world.clone(), chan, link);
    }

    pub(super) fn handle_command(&mut self, now: Instant, cmd: EndpointCmd) {
        match cmd {
            EndpointCmd::Outbound { key, setup } => {
                let name = setup.name.clone();
                let remote = setup.dest.ip().to_string();
                let codecs = setup.codecs.clone();
                let dtmf = setup
                    .peer
                    .as_deref()
                    .and_then(|p| self.conf.peer(p))
                    .map_or(self.conf.general.common.dtmfmode, |p| p.common.dtmfmode);
                let peer = setup.peer.clone().unwrap_or_else(|| setup.host.clone());
                let format = setup
                    .codecs
                    .first()
                    .and_then(|c| c.asterisk_name())
                    .unwrap_or("?")
                    .to_string();
                let context = setup
                    .peer
                    .as_deref()
                    .and_then(|p| self.conf.peer(p))
                    .map_or_else(|| self.conf.general.context.clone(), |p| p.context.clone());
                self.legs.insert(
                    key,
                    Leg {
                        inbound: false,
                        name,
                        context,
                        events: setup.events.clone(),
                        media: setup.media.clone(),
                        answer_sdp: None,
                        offer: None,
                        outbound: Some(setup),
                        answered: false,
                        ended: false,
                        codecs,
                        session: SdpSession::new(epoch_now() + key),
                        dtmf,
                        remote_hold: false,
                        remote,
                        peer,
                        format,
                    },
                );
            }
            EndpointCmd::Channel { key, cmd } => self.channel_command(now, key, cmd),
            EndpointCmd::Incoming {
                bytes,
                source,
                transport,
            } => self.ua.handle_bytes(now, &bytes, source, transport),
            EndpointCmd::TransportError(txn) => self.ua.handle_transport_error(now, txn),
            EndpointCmd::ShowChannels(reply) => {
                let _ = reply.send(self.show_channels());
            }
            EndpointCmd::ShowChannelStats(reply) => {
                let _ = reply.send(self.show_channelstats());
            }
            EndpointCmd::Mwi(change) => self.mwi_changed(now, &change),
            EndpointCmd::Reload(conf, reply) => self.reload_conf(conf, reply),
        }
    }

    fn channel_command(&mut self, now: Instant, key: LegKey, cmd: ChannelCommand) {
        let call = self.legs.calls.get(&key).copied();
        let Some(leg) = self.legs.legs.get_mut(&key) else {
            return;
        };
        match (cmd, call) {
            (ChannelCommand::Call { .. }, None) if !leg.inbound => self.place_call(now, key),
            (ChannelCommand::Answer, Some(call)) if leg.inbound && !leg.answered => {
                leg.answered = true;
                let sdp = leg.answer_sdp.clone().unwrap_or_default();
                self.legs.touch();
                log_err(self.ua.answer(now, call, sdp));
            }
            (ChannelCommand::Indicate(Indication::Ringing), Some(call))
                if leg.inbound && !leg.answered =>
            {
                log_err(self.ua.ringing(now, call));
            }
            (ChannelCommand::Indicate(Indication::Progress), Some(call))
                if leg.inbound && !leg.answered =>
            {
                let sdp = leg.answer_sdp.clone().unwrap_or_default();
                log_err(self.ua.progress(now, call, sdp));
            }
            (
                ChannelCommand::Indicate(i @ (Indication::Busy | Indication::Congestion)),
                Some(call),
            ) if leg.inbound && !leg.answered => {
                // An unanswered SIP call that is told busy/congestion is over: final response,
                // and the channel hears its hangup.
                let (status, reason, c) = match i {
                    Indication::Busy => (486, "Busy Here", cause::USER_BUSY),
                    _ => (503, "Service Unavailable", cause::NORMAL_CIRCUIT_CONGESTION),
                };
                leg.hang_up_channel(c);
                self.legs.remove(key);
                log_err(self.ua.reject(now, call, status, reason));
            }
            (ChannelCommand::Indicate(i @ (Indication::Hold | Indication::Unhold)), Some(_))
                if leg.answered && !moh_passthrough(&self.conf, &leg.peer) =>
            {
                // chan_sip's sip_indicate(AST_CONTROL_HOLD): music on hold to this leg, in
                // its peer's `mohinterpret` class; unhold stops it.
                if i == Indication::Hold {
                    let interp = moh_interpret(&self.conf, &leg.peer);
                    let started = crate::media::moh::start(
                        &self.world.apps.moh,
                        &leg.media,
                        None,
                        Some(&interp),
                    );
                    if let Err(e) = started {
                        tracing::warn!("{}: music on hold: {e}", leg.name);
                    }
                } else {
                    crate::media::moh::stop(&leg.media);
                }
            }
            (ChannelCommand::Indicate(i @ (Indication::Hold | Indication::Unhold)), Some(call))
                if leg.answered =>
            {
                // mohinterpret=passthrough: the hold goes on to the phone as a re-INVITE.
                let mut cfg =
                    media::media_config(self.media_ip, &leg.media, leg.codecs.clone(), leg.dtmf, 0);
                cfg.direction = if i == Indication::Hold {
                    Direction::SendOnly
                } else {
                    Direction::SendRecv
                };
                let offer = leg.session.offer(&cfg);
                let bytes = offer.print().into_bytes();
                leg.offer = Some(offer);
                log_err(self.ua.reinvite(now, call, bytes));
            }
            (ChannelCommand::SendDigit(d), Some(call)) => self.send_digit(now, key, call, d),
            (ChannelCommand::Hangup { cause }, call) => {
                let (inbound, answered) = (leg.inbound, leg.answered);
                self.legs.remove(key);
                let Some(call) = call else { return };
                if inbound && !answered {
                    let (status, reason) = q850::status_from_cause(cause);
                    let (status, reason) = if status < 300 {
                        (603, "Declined")
                    } else {
                        (status, reason)
                    };
                    log_err(self.ua.reject(now, call, status, reason));
                } else {
                    log_err(self.ua.hangup(now, call));
                }
            }
            _ => {}
        }
    }

    /// Dial's leg: send the INVITE with our offer.
    fn place_call(&mut self, now: Instant, key: LegKey) {
        let Some(leg) = self.legs.legs.get_mut(&key) else {
            return;
        };
        let Some(setup) = leg.outbound.as_ref() else {
            return;
        };
        let peer = setup.peer.as_deref().and_then(|p| self.conf.peer(p));
        let dtmf = peer.map_or(self.conf.general.common.dtmfmode, |p| p.common.dtmfmode);
        let epoch = epoch_now();
        let cfg = media::media_config(
            self.media_ip,
            &setup.media,
            setup.codecs.clone(),
            dtmf,
            epoch + key,
        );
        let offer = leg.session.offer(&cfg);
        let local = self.ua.config().local;
        let from_user = peer
            .map(|p| p.fromuser.clone())
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| {
                if setup.caller_num.is_empty() {
                    "tandem".into()
                } else {
                    setup.caller_num.clone()
                }
            });
        let from_host = peer
            .map(|p| p.fromdomain.clone())
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| local.to_string());
        let uri = |text: String| {
            Uri::parse(&text)
                .map_err(|e| tracing::warn!("SIP: bad URI {text}: {e:?}"))
                .ok()
        };
        let (Some(request_uri), Some(from_uri), Some(to_uri)) = (
            uri(format!("sip:{}@{}", setup.user, setup.host)),
            uri(format!("sip:{from_user}@{from_host}")),
            uri(format!("sip:{}@{}", setup.user, setup.host)),
        ) else {
            leg.hang_up_channel(cause::UNALLOCATED);
            return;
        };
        let display = (!setup.caller_name.is_empty()).then(|| setup.caller_name.clone());
        let credentials = peer.and_then(|p| {
            let user = if p.defaultuser.is_empty() {
                p.name.clone()
            } else {
                p.defaultuser.clone()
            };
            super::peers::secret(p).map(|s| (user, s))
        });
        let invite = Invite {
            request_uri,
            from: NameAddr {
                display,
                uri: from_uri,
                params: Default::default(),
            },
            to: NameAddr {
                display: None,
                uri: to_uri,
                params: Default::default(),
            },
            dest: setup.dest,
            contact_user: from_user,
            sdp: offer.print().into_bytes(),
            credentials,
            extra_headers: Vec::new(),
        };
        leg.offer = Some(offer);
        let transport = if setup.tls {
            Transport::Tls
        } else if setup.tcp {
            Transport::Tcp
        } else {
            Transport::Udp
        };
        match self.ua.invite_over(now, invite, transport) {
            Ok(call) => {
                tracing::info!("{}: INVITE to {}", leg.name, setup_dest(leg));
                self.legs.bind(key, call);
            }
            Err(e) => {
                tracing::warn!("{}: cannot call: {e}", leg.name);
                leg.hang_up_channel(cause::NORMAL_TEMPORARY_FAILURE);
                self.legs.remove(key);
            }
        }
    }

    pub(super) fn call_event(&mut self, now: Instant, event: UaEvent) {
        let call = match &event {
            UaEvent::CallConfirmed { call }
            | UaEvent::CallRinging { call, .. }
            | UaEvent::CallProgress { call, .. }
            | UaEvent::CallAnswered { call, .. }
            | UaEvent::CallFailed { call, .. }
            | UaEvent::CallEnded { call, .. }
            | UaEvent::Reinvite { call, .. }
            | UaEvent::Update { call, .. }
            | UaEvent::ReinviteAnswered { call, .. }
            | UaEvent::ReinviteFailed { call, .. }
            | UaEvent::DialogRequest { call, .. } => *call,
            other => {
                tracing::debug!("SIP: {other:?}");
                return;
            }
        };
        let Some(key) = self.legs.key_of(call) else {
            if let UaEvent::DialogRequest { txn, request, .. } = &event {
                let resp = self.reply(request, 481, "Call/Transaction Does Not Exist");
                log_err(self.ua.respond(now, *txn, resp));
            }
            return;
        };
        let Some(leg) = self.legs.legs.get_mut(&key) else {
            return;
        };
        match event {
            UaEvent::CallRinging { .. } => leg.emit(ChannelEvent::Ringing),
            UaEvent::CallProgress { sdp, .. } => {
                if let Some(sdp) = sdp {
                    // An unusable early answer is not fatal (chan_sip); its media stays shut.
                    let _ = apply_answer(leg, &sdp);
                }
                leg.emit(ChannelEvent::Progress);
            }
            UaEvent::CallAnswered { sdp, .. } => {
                if let Err(e) = apply_answer(leg, &sdp) {
                    // chan_sip's handle_response_invite: a 200 whose SDP process_sdp refuses
                    // (no common codec; for encryption=yes an answer without usable
                    // a=crypto, "We are requesting SRTP for audio, but they responded without
                    // it!") is ACKed (the UA did), then BYEd; the channel hangs up with cause
                    // 58 and is never answered, so Dial counts it as CHANUNAVAIL.
                    tracing::warn!(
                        "{}: 200 OK with an SDP answer we cannot accept ({e}): ACK and BYE",
                        leg.name
                    );
                    leg.hang_up_channel(cause::BEARERCAPABILITY_NOTAVAIL);
                    self.legs.remove(key);
                    log_err(self.ua.hangup(now, call));
                    return;
                }
                leg.answered = true;
                leg.emit(ChannelEvent::Answered);
                self.legs.touch();
            }
            UaEvent::CallFailed { status, reason, .. } => {
                tracing::info!("{}: call failed: {status} {reason}", leg.name);
                leg.hang_up_channel(q850::cause_from_status(status));
                self.legs.remove(key);
            }
            UaEvent::CallEnded { reason, .. } => {
                tracing::info!("{}: call ended ({reason:?})", leg.name);
                let cause = match reason {
                    EndReason::RemoteBye | EndReason::Cancelled => cause::NORMAL_CLEARING,
                    EndReason::Timeout | EndReason::SessionTimerExpired => {
                        cause::RECOVERY_ON_TIMER_EXPIRE
                    }
                };
                leg.hang_up_channel(cause);
                self.legs.remove(key);
            }
            UaEvent::Reinvite { txn, sdp, .. } => {
                match answer_in_dialog(self.media_ip, leg, &sdp) {
                    Some(answer) => log_err(self.ua.answer_reinvite(now, call, txn, answer)),
                    None => {
                        log_err(
                            self.ua
                                .reject_reinvite(now, call, txn, 488, "Not Acceptable Here"),
                        )
                    }
                }
            }
            UaEvent::Update { txn, sdp, .. } => match answer_in_dialog(self.media_ip, leg, &sdp) {
                Some(answer) => log_err(self.ua.answer_update(now, call, txn, answer)),
                None => log_err(
                    self.ua
                        .reject_update(now, call, txn, 488, "Not Acceptable Here"),
                ),
            },
            UaEvent::ReinviteAnswered { sdp, .. } => {
                // chan_sip tries to recover from a bad answer to a re-INVITE: keep the call.
                let _ = apply_answer(leg, &sdp);
            }
            UaEvent::DialogRequest { txn, request, .. } if request.method == Method::Info => {
                self.info(now, key, txn, &request);
            }
            UaEvent::DialogRequest { txn, request, .. } if request.method == Method::Refer => {
                self.refer(now, key, call, txn, &request);
            }
            UaEvent::DialogRequest { txn, request, .. } => {
                let resp = self.reply(&request, 501, "Not Implemented");
                log_err(self.ua.respond(now, txn, resp));
            }
            _ => {}
        }
    }
}

/// The `mohinterpret` of a leg's peer (sip.conf's `[general]` default, "default").
fn moh_interpret(conf: &tandem_conf::views::SipConf, peer: &str) -> String {
    conf.peer(peer)
        .map_or(&conf.general.mohinterpret, |p| &p.mohinterpret)
        .clone()
}

/// `mohinterpret=passthrough`: hold is passed to the phone rather than played as music.
fn moh_passthrough(conf: &tandem_conf::views::SipConf, peer: &str) -> bool {
    moh_interpret(conf, peer).eq_ignore_ascii_case("passthrough")
}

fn setup_dest(leg: &Leg) -> String {
    leg.outbound
        .as_ref()
        .map_or_else(String::new, |s| s.dest.to_string())
}

/// A new offer in a confirmed call (re-INVITE or UPDATE): answer with our side of the same
/// media, point the media leg at the far end, and tell the channel about hold and unhold so
/// the bridge can carry it to the other party. `None`: not acceptable (488).
fn answer_in_dialog(media_ip: std::net::IpAddr, leg: &mut Leg, sdp: &[u8]) -> Option<Vec<u8>> {
    let cfg = media::media_config(media_ip, &leg.media, leg.codecs.clone(), leg.dtmf, 0);
    let offer = SessionDescription::parse_bytes(sdp).ok()?;
    let (answer, neg) = leg.session.answer(&offer, &cfg).ok()?;
    if let Some(rtp) = neg.remote_rtp {
        leg.media.set_remote(rtp);
    }
    leg.media.set_negotiated(&neg);
    if neg.remote_hold != leg.remote_hold {
        leg.remote_hold = neg.remote_hold;
        leg.emit(if neg.remote_hold {
            ChannelEvent::Hold
        } else {
            ChannelEvent::Unhold
        });
    }
    Some(answer.print().into_bytes())
}

/// Read an SDP answer against our offer and point the media leg at the far end. An empty
/// body (a 200 without SDP) changes nothing; an answer that does not parse or does not fit
/// the offer is an error (logged here).
fn apply_answer(leg: &mut Leg, sdp: &[u8]) -> Result<(), String> {
    if sdp.is_empty() {
        return Ok(());
    }
    let Some(offer) = leg.offer.as_ref() else {
        return Ok(());
    };
    let answer = SessionDescription::parse_bytes(sdp).map_err(|e| format!("{e}"));
    match answer.and_then(|a| tandem_sdp::process_answer(offer, &a).map_err(|e| e.to_string())) {
        Ok(neg) => {
            if let Some(rtp) = neg.remote_rtp {
                leg.media.set_remote(rtp);
            }
            leg.media.set_negotiated(&neg);
            if let Some(name) = neg.codec.asterisk_name() {
                leg.format = name.to_string();
            }
            leg.codecs = neg.joint.iter().map(|(_, c)| c.clone()).collect();
            Ok(())
        }
        Err(e) => {
            tracing::info!("{}: SDP answer: {e}", leg.name);
            Err(e)
        }
    }
}

fn log_err<E: std::fmt::Display>(r: Result<(), E>) {
    if let Err(e) = r {
        tracing::warn!("SIP: {e}");
    }
}

/// The caller's name and number: the peer's `callerid` when set, else the From header.
fn caller_id(req: &Request, peer: Option<&tandem_conf::views::sip::Peer>) -> (String, String) {
    if let Some(p) = peer {
        if !p.callerid.number.is_empty() || !p.callerid.name.is_empty() {
            return (p.callerid.name.clone(), p.callerid.number.clone());
        }
    }
    match req.headers.from_hdr() {
        Ok(from) => (
            from.display.clone().unwrap_or_default(),
            from.uri.user().map(str::to_string).unwrap_or_default(),
        ),
        Err(_) => (String::new(), String::new()),
    }
}
