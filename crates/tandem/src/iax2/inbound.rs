//! What comes in without being asked for: NEWs (call-token check, the user, MD5, the
//! dialplan) and REGREQs (the registrar), and every call's events.

use std::net::SocketAddr;
use std::time::Instant;

use tandem_ami::AuthFailure;
use tandem_core::Channel;
use tandem_iax2::call::{Call, CallConfig, CallEvent, CallState};
use tandem_iax2::consts::{format, IaxCommand};
use tandem_iax2::frame::FullFrame;
use tandem_iax2::ie::{IeBuf, Ies};
use tandem_iax2::registrar::{PeerAuth, RegistrarOutcome, RegistrarTxn};
use tandem_iax2::table::apathetic_reply;

use super::endpoint::{Endpoint, Session};
use super::legs::{self, InboundUser, Leg};
use super::media;
use crate::channels;

/// chan_iax2 rejects a call to no extension with cause 3 (no route to destination).
const NO_ROUTE_DESTINATION: u8 = 3;

impl Endpoint {
    fn challenge_string(&mut self) -> String {
        // xorshift64: chan_iax2 uses a random decimal number as the challenge
        let mut x = self.seed;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.seed = x;
        format!("{}", x % 1_000_000_000)
    }

    pub(super) fn new_call(
        &mut self,
        now: Instant,
        src: SocketAddr,
        frame: FullFrame,
        ies: Ies,
        token_validated: bool,
    ) {
        let name = ies.username.as_deref();
        if !token_validated && legs::calltoken_required(&self.conf, name, src, false) {
            tracing::info!("IAX2: NEW from {src} without a call token: rejected");
            self.send(&apathetic_reply(
                src,
                &frame,
                IaxCommand::Reject,
                IeBuf::new(),
            ));
            return;
        }
        let conf = self.conf.clone();
        let user = {
            let st = self.lock();
            legs::find_user(&conf, &st, name, src)
        };
        let formats = match user {
            Some(u) => u.formats(&conf.general),
            None => conf.general.formats(),
        };
        let capability = media::capability(&formats);
        let config = CallConfig {
            capability,
            format: formats
                .first()
                .and_then(|f| media::bit_of(f))
                .unwrap_or(format::ULAW),
            trunk: user.is_some_and(|u| u.trunk),
            ..CallConfig::default()
        };
        let key = self.next_inbound_key;
        self.next_inbound_key += 1;
        let inbound = user.map(|u| InboundUser {
            secret: u.secret.clone().filter(|s| !s.is_empty()),
            context: u.context.clone(),
            callerid_num: u.callerid.number.clone(),
            callerid_name: u.callerid.name.clone(),
        });
        let peer_name = user
            .map(|u| u.name.clone())
            .unwrap_or_else(|| src.to_string());
        let built = self.table.insert_with(now, src, |n| {
            let call = Call::incoming(now, n, src, &frame, &ies, config);
            let mut leg = Leg::new(key, format!("IAX2/{peer_name}-{n}"), call);
            leg.username = name.unwrap_or_default().to_string();
            leg.inbound = inbound;
            Session::Call(Box::new(leg))
        });
        match built {
            Ok(lc) => {
                self.keys.insert(key, lc);
                self.after(now, lc);
            }
            Err(_) => self.send(&apathetic_reply(
                src,
                &frame,
                IaxCommand::Reject,
                IeBuf::new(),
            )),
        }
    }

    pub(super) fn new_registration(
        &mut self,
        now: Instant,
        src: SocketAddr,
        frame: FullFrame,
        ies: Ies,
        token_validated: bool,
    ) {
        if !token_validated
            && legs::calltoken_required(&self.conf, ies.username.as_deref(), src, true)
        {
            tracing::info!("IAX2: REGREQ from {src} without a call token: refused");
            self.send(&apathetic_reply(
                src,
                &frame,
                IaxCommand::RegRej,
                IeBuf::new(),
            ));
            return;
        }
        let built = self.table.insert_with(now, src, |n| {
            Session::RegTxn(Box::new(RegistrarTxn::new(now, n, src, &frame, &ies)))
        });
        if let Ok(lc) = built {
            self.after(now, lc);
        }
    }

    pub(super) fn registrar_step(&mut self, now: Instant, lc: u16) {
        let challenge = self.challenge_string();
        let conf = self.conf.clone();
        let Some(Session::RegTxn(t)) = self.table.get_mut(lc) else {
            return;
        };
        let mut outcome = None;
        let mut attempt = None;
        let mut out = Vec::new();
        let source = t.source();
        if t.needs_decision() {
            // A peer whose ACL refuses the source is nobody by that name: challenged, then
            // refused (chan_iax2 `register_verify` applies `ast_apply_acl(peer->acl)`).
            let source = t.source();
            let peer = t
                .username()
                .and_then(|n| conf.peer(n))
                .filter(|p| p.is_dynamic() && p.acl_allows(source.ip()));
            let auth = peer.map(|p| PeerAuth {
                secret: p.secret.clone(),
                msgcount: None,
            });
            outcome = t.decide(now, auth.as_ref(), &challenge, &mut self.registrar, None);
            while let Some(x) = t.poll_transmit() {
                out.push(x);
            }
            attempt = t.md5_attempt().map(|(c, r)| (c.to_string(), r.to_string()));
        }
        for x in &out {
            self.send(x);
        }
        match outcome {
            Some(RegistrarOutcome::Registered { peer, addr, expiry }) => {
                let p = conf.peer(&peer);
                let name = p.map(|p| p.name.clone()).unwrap_or(peer);
                tracing::info!("IAX2: peer '{name}' registered at {addr} for {expiry} s");
                if attempt.is_some() {
                    self.report(source, lc, Ok(&name));
                }
                let changed = self.lock().registered(&name) != Some(addr);
                self.lock().set_registered(&name, Some(addr));
                if let Some(p) = p.filter(|p| p.qualify_ms > 0) {
                    if changed || !self.pokes.contains_key(&name) {
                        self.start_poke(now, &name, addr, p.qualify_ms);
                    }
                }
            }
            Some(RegistrarOutcome::Unregistered { peer }) => {
                tracing::info!("IAX2: peer '{peer}' unregistered");
                self.lock().set_registered(&peer, None);
            }
            Some(RegistrarOutcome::Refused { peer }) => {
                let peer = peer.unwrap_or_default();
                tracing::warn!("IAX2: registration of '{peer}' from {source} refused");
                self.auth_failed(now, source, "REGREQ", &peer);
                match conf.peer(&peer).filter(|p| p.is_dynamic()) {
                    Some(p) if !p.acl_allows(source.ip()) => {
                        self.report(source, lc, Err(AuthFailure::Acl { username: peer }));
                    }
                    known => {
                        let secret = known.and_then(|p| p.secret.as_deref()).unwrap_or_default();
                        let known = known.is_some();
                        self.report_refusal(source, lc, &peer, known, secret, attempt.as_ref());
                    }
                }
            }
            _ => {}
        }
        if matches!(self.table.get(lc), Some(Session::RegTxn(t)) if t.is_ended()) {
            self.table.remove(now, lc);
        }
    }

    /// Act on a call's events; free the call when it has ended.
    pub(super) fn call_events(&mut self, now: Instant, lc: u16) {
        let mut republish = false;
        loop {
            let Some(Session::Call(l)) = self.table.get_mut(lc) else {
                return;
            };
            let Some(ev) = l.call.poll_event() else { break };
            match ev {
                CallEvent::Voice {
                    format,
                    timestamp,
                    data,
                } => l.voice_in(format, timestamp, &data),
                CallEvent::Offered(_) => {
                    match &l.inbound {
                        None => {
                            tracing::info!("{}: no user for this call: rejected", l.name);
                            l.call.reject_auth(now);
                            let (peer, user) = (l.call.peer(), l.username.clone());
                            self.auth_failed(now, peer, "NEW", &user);
                            let username = user.clone();
                            let why = match self.conf.user(&user) {
                                Some(_) => AuthFailure::Acl { username },
                                None => AuthFailure::UnknownUser { username },
                            };
                            self.report(peer, lc, Err(why));
                        }
                        Some(u) if u.secret.is_some() => {
                            let ch = self.challenge_string();
                            if let Some(Session::Call(l)) = self.table.get_mut(lc) {
                                l.call.challenge(now, &ch);
                            }
                        }
                        Some(_) => self.accept_inbound(now, lc),
                    }
                    republish = true;
                }
                CallEvent::AuthReply { .. } => {
                    let ok = l
                        .inbound
                        .as_ref()
                        .and_then(|u| u.secret.as_deref())
                        .is_some_and(|s| l.call.md5_matches(s));
                    republish = true;
                    let (peer, user) = (l.call.peer(), l.username.clone());
                    if ok {
                        self.report(peer, lc, Ok(&user));
                        self.accept_inbound(now, lc);
                    } else {
                        tracing::warn!("{}: MD5 authentication failed", l.name);
                        l.call.reject_auth(now);
                        let attempt = l
                            .call
                            .md5_attempt()
                            .map(|(c, r)| (c.to_string(), r.to_string()));
                        let secret = l
                            .inbound
                            .as_ref()
                            .and_then(|u| u.secret.clone())
                            .unwrap_or_default();
                        self.auth_failed(now, peer, "AUTHREP", &user);
                        self.report_refusal(peer, lc, &user, true, &secret, attempt.as_ref());
                    }
                }
                CallEvent::Accepted { format } => {
                    if let (Some(name), Some((m, _))) = (media::name_of(format), &l.media) {
                        media::set_codec(m, name);
                    }
                    republish = true;
                }
                CallEvent::Pong { rtt_ms } => {
                    if let Some(row) = self.lock().calls.get_mut(&lc) {
                        row.rtt_ms = rtt_ms;
                    }
                }
                CallEvent::Lag { ms } => {
                    if let Some(row) = self.lock().calls.get_mut(&lc) {
                        row.lag_ms = ms;
                    }
                }
                other => {
                    if let Some(ce) = legs::channel_event(&other) {
                        l.emit(ce);
                    }
                }
            }
        }
        let ended = matches!(self.table.get(lc), Some(Session::Call(l)) if l.call.is_ended());
        if ended {
            if let Some(Session::Call(mut l)) = self.table.remove(now, lc) {
                l.emit(tandem_core::ChannelEvent::Hangup {
                    cause: tandem_core::cause::NORMAL_CLEARING,
                });
                l.stop_media();
                self.keys.remove(&l.key);
                tracing::info!("{}: IAX2 call {lc} ended", l.name);
            }
            self.lock().calls.remove(&lc);
        } else if republish {
            self.publish_call(lc);
        }
    }

    /// The caller is who it says: check the extension, ACCEPT, and run the dialplan.
    fn accept_inbound(&mut self, now: Instant, lc: u16) {
        let world = self.world.clone();
        let Some(Session::Call(l)) = self.table.get_mut(lc) else {
            return;
        };
        let Some(user) = l.inbound.as_ref() else {
            return;
        };
        let offer = l.call.offer().clone();
        let exten = offer
            .called_number
            .clone()
            .filter(|e| !e.is_empty())
            .unwrap_or_else(|| "s".to_string());
        let context = user.context.clone();
        let (_, uniqueid) = world.shared.new_uniqueid();
        let mut chan = Channel::new(l.name.clone(), uniqueid, &context, &exten);
        chan.caller.num = if user.callerid_num.is_empty() {
            offer.calling_number.clone().unwrap_or_default()
        } else {
            user.callerid_num.clone()
        };
        chan.caller.name = if user.callerid_name.is_empty() {
            offer.calling_name.clone().unwrap_or_default()
        } else {
            user.callerid_name.clone()
        };
        chan.caller.ani = offer
            .calling_ani
            .clone()
            .unwrap_or_else(|| chan.caller.num.clone());
        chan.caller.dnid = offer.dnid.clone().unwrap_or_else(|| exten.clone());
        chan.caller.rdnis = offer.rdnis.clone().unwrap_or_default();
        if let Some(lang) = offer.language.clone().filter(|s| !s.is_empty()) {
            chan.language = lang;
        }
        for (k, v) in &offer.variables {
            chan.set_var(k, v);
        }
        let dialplan = world.shared.dialplan();
        if !tandem_core::pbx::exists(&dialplan, &world.shared, &chan, &context, &exten) {
            tracing::info!("{}: no such extension {exten}@{context}: rejected", l.name);
            l.call
                .reject(now, "No such context/extension", NO_ROUTE_DESTINATION);
            return;
        }
        l.call.accept(now, None);
        if l.call.state() != CallState::Accepted {
            return;
        }
        let codec = media::name_of(l.call.format()).unwrap_or("ulaw");
        let (m, adapter) = match media::pair(&self.ports) {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!("{}: no media port: {e}", l.name);
                l.call
                    .hangup(now, tandem_core::cause::NORMAL_CIRCUIT_CONGESTION as u8);
                return;
            }
        };
        media::set_codec(&m, codec);
        chan.format = Some(codec.to_string());
        let (link, driver) = channels::link(l.name.clone(), m.clone());
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel();
        l.events = Some(driver.events);
        l.media = Some((m, adapter.clone()));
        l.stop_adapter = Some(stop_tx);
        let key = l.key;
        tracing::info!("{}: accepted ({codec}), running {exten}@{context}", l.name);
        legs::forward_commands(key, driver.commands, self.commands.clone());
        media::spawn_adapter(key, adapter, self.commands.clone(), stop_rx);
        channels::spawn_pbx(world, chan, link);
    }
}
