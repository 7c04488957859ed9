//! Received frames (the per-call half of chan_iax2 `socket_process_helper`).

use std::time::Instant;

use super::{Call, CallEvent, CallState, Direction, DtmfEdge, EndReason};
use crate::consts::{auth_method, cause, ControlKind, FrameType, IaxCommand};
use crate::frame::{FullFrame, MiniFrame};
use crate::ie::{id, IeBuf, Ies};
use crate::link::Received;
use crate::timestamp::StampKind;
use crate::trunk::TrunkEntry;

impl Call {
    /// A full frame from this call's peer.
    pub fn handle_full(&mut self, now: Instant, f: FullFrame) {
        if self.state == CallState::Ended {
            return;
        }
        let final_acked = match self.link.receive(now, &f) {
            Received::Dropped => return,
            Received::Process { final_acked } => final_acked,
        };
        if final_acked {
            self.end(EndReason::Local);
            return;
        }
        match f.frame_type {
            FrameType::Iax => self.on_iax(now, &f),
            FrameType::Control => self.on_control(&f),
            FrameType::Voice => {
                self.rx_voice_format = f.subclass;
                if self.media_ok() && !f.payload.is_empty() {
                    self.push_event(CallEvent::Voice {
                        format: f.subclass,
                        timestamp: f.timestamp,
                        data: f.payload.clone(),
                    });
                }
            }
            FrameType::DtmfBegin | FrameType::DtmfEnd => {
                let edge = if f.frame_type == FrameType::DtmfBegin {
                    DtmfEdge::Begin
                } else {
                    DtmfEdge::End
                };
                if let Some(digit) = u8::try_from(f.subclass).ok().map(char::from) {
                    self.push_event(CallEvent::Dtmf { digit, edge });
                }
            }
            FrameType::Text => {
                let end = f
                    .payload
                    .iter()
                    .position(|b| *b == 0)
                    .unwrap_or(f.payload.len());
                self.push_event(CallEvent::Text(
                    String::from_utf8_lossy(&f.payload[..end]).into_owned(),
                ));
            }
            FrameType::Null | FrameType::Cng => {}
            other => self.push_event(CallEvent::Unsupported {
                frame_type: other,
                subclass: f.subclass,
            }),
        }
        if self.state != CallState::Ended {
            self.link.ack_if_needed(&f);
        }
    }

    fn media_ok(&self) -> bool {
        matches!(self.state, CallState::Accepted | CallState::Up)
    }

    /// A mini voice frame. Before any full voice frame told the format, chan_iax2 answers VNAK.
    pub fn handle_mini(&mut self, now: Instant, m: MiniFrame) {
        if self.state == CallState::Ended {
            return;
        }
        if self.rx_voice_format == 0 {
            self.link.send_vnak(now);
            return;
        }
        let ts = self.link.rx.widen(m.timestamp);
        self.link.rx.observe(ts);
        if self.media_ok() && !m.payload.is_empty() {
            self.push_event(CallEvent::Voice {
                format: self.rx_voice_format,
                timestamp: ts,
                data: m.payload,
            });
        }
    }

    /// One entry of a trunk frame for this call. `trunk_rx_start` is when the trunk's
    /// receive clock started (chan_iax2 `rxtrunktime`), used to stamp entries that carry no
    /// timestamp of their own (`fix_peerts`).
    pub fn handle_trunk_entry(
        &mut self,
        now: Instant,
        trunk_rx_start: Instant,
        trunk_ts: u32,
        e: TrunkEntry,
    ) {
        if self.state == CallState::Ended {
            return;
        }
        if self.rx_voice_format == 0 {
            self.link.send_vnak(now);
            return;
        }
        let ts = match e.timestamp {
            Some(low) if low != 0 => (self.link.rx.last() & 0xffff_0000) | u32::from(low),
            _ => {
                let core = *self.rx_core.get_or_insert(now);
                let diff = trunk_rx_start.saturating_duration_since(core).as_millis() as i64
                    - core.saturating_duration_since(trunk_rx_start).as_millis() as i64;
                (diff + i64::from(trunk_ts)).max(0) as u32
            }
        };
        self.link.rx.observe(ts);
        if self.media_ok() && !e.data.is_empty() {
            self.push_event(CallEvent::Voice {
                format: self.rx_voice_format,
                timestamp: ts,
                data: e.data,
            });
        }
    }

    fn on_control(&mut self, f: &FullFrame) {
        let kind = ControlKind::from_u64(f.subclass);
        let ev = match kind {
            ControlKind::Ringing => CallEvent::Ringing,
            ControlKind::Proceeding => CallEvent::Proceeding,
            ControlKind::Progress => CallEvent::Progress,
            ControlKind::Answer => {
                if self.state == CallState::Accepted {
                    self.state = CallState::Up;
                }
                CallEvent::Answered
            }
            ControlKind::Busy => CallEvent::Busy,
            ControlKind::Congestion => CallEvent::Congestion,
            ControlKind::Hold => {
                let end = f
                    .payload
                    .iter()
                    .position(|b| *b == 0)
                    .unwrap_or(f.payload.len());
                let moh =
                    (end > 0).then(|| String::from_utf8_lossy(&f.payload[..end]).into_owned());
                CallEvent::Hold { moh_class: moh }
            }
            ControlKind::Unhold => CallEvent::Unhold,
            other => CallEvent::Control(other),
        };
        self.push_event(ev);
    }

    fn on_iax(&mut self, now: Instant, f: &FullFrame) {
        let cmd = IaxCommand::from_u64(f.subclass);
        let ies = match Ies::parse(&f.payload) {
            Ok(ies) => ies,
            // "Undecodable frame received": dropped without a reply
            Err(_) => return,
        };
        match cmd {
            IaxCommand::Ack => {}
            IaxCommand::CallToken => self.on_calltoken(now, &ies),
            IaxCommand::AuthReq => self.on_authreq(now, &ies),
            IaxCommand::AuthRep => {
                if self.direction == Direction::Incoming && self.state == CallState::Authenticating
                {
                    self.md5_result = ies.md5_result.clone();
                    self.push_event(CallEvent::AuthReply {
                        username: ies.username.clone(),
                        md5_result: ies.md5_result,
                    });
                }
            }
            IaxCommand::Accept => self.on_accept(now, &ies),
            IaxCommand::Hangup => {
                self.link.send_ack(f);
                self.push_event(CallEvent::Hangup {
                    cause: ies.cause,
                    cause_code: ies.causecode,
                });
                self.end(EndReason::Remote);
            }
            IaxCommand::Reject => {
                self.link.send_ack(f);
                self.push_event(CallEvent::Rejected {
                    cause: ies.cause,
                    cause_code: ies.causecode,
                });
                self.end(EndReason::Remote);
            }
            IaxCommand::Inval => self.end(EndReason::Invalid),
            IaxCommand::Ping => {
                self.link.send(
                    now,
                    FullFrame::new(FrameType::Iax, IaxCommand::Pong.to_u64(), Vec::new()),
                    Some(f.timestamp),
                    false,
                );
            }
            IaxCommand::Pong => {
                // chan_iax2: calc_timestamp(PONG) - its timestamp, so a genuine stamp
                let rtt = self
                    .link
                    .tx
                    .stamp(now, StampKind::Genuine)
                    .saturating_sub(f.timestamp);
                self.link.rel.set_ping_time(rtt);
                self.push_event(CallEvent::Pong { rtt_ms: rtt });
            }
            IaxCommand::LagRq => {
                self.link.send(
                    now,
                    FullFrame::new(FrameType::Iax, IaxCommand::LagRp.to_u64(), Vec::new()),
                    Some(f.timestamp),
                    false,
                );
            }
            IaxCommand::LagRp => {
                let ts = self.link.tx.stamp(now, StampKind::Genuine);
                self.push_event(CallEvent::Lag {
                    ms: ts.saturating_sub(f.timestamp),
                });
            }
            IaxCommand::Vnak => self.link.on_vnak(f),
            IaxCommand::Quelch => self.push_event(CallEvent::Hold { moh_class: None }),
            IaxCommand::Unquelch => self.push_event(CallEvent::Unhold),
            IaxCommand::TxReq => {
                let mut b = IeBuf::new();
                if let Some(t) = ies.transferid {
                    b.int(id::TRANSFERID, t);
                }
                self.link.send_iax(now, IaxCommand::TxRej, b, false);
                self.push_event(CallEvent::TransferRefused);
            }
            IaxCommand::New => {} // a repeated NEW on a live call is ignored
            IaxCommand::Other(_) | IaxCommand::Unsupport => {
                if cmd != IaxCommand::Unsupport {
                    let mut b = IeBuf::new();
                    b.byte(id::IAX_UNKNOWN, (f.subclass & 0xff) as u8);
                    self.link.send_iax(now, IaxCommand::Unsupport, b, false);
                }
                self.push_event(CallEvent::Unsupported {
                    frame_type: FrameType::Iax,
                    subclass: f.subclass,
                });
            }
            _ => self.push_event(CallEvent::Unsupported {
                frame_type: FrameType::Iax,
                subclass: f.subclass,
            }),
        }
    }

    /// CALLTOKEN answer to our NEW: repeat it with the token, numbering from zero again and
    /// forgetting the peer call number (chan_iax2 `resend_with_token`); no ACK.
    fn on_calltoken(&mut self, now: Instant, ies: &Ies) {
        let token = match &ies.calltoken {
            Some(t) if !t.is_empty() => t.clone(),
            _ => return,
        };
        if self.direction != Direction::Outgoing || self.state != CallState::Calling {
            return;
        }
        let Some(dial) = self.dial.clone() else {
            return;
        };
        self.link.reset_sequence();
        let b = self.new_ies(&dial, Some(&token));
        self.link.send_iax(now, IaxCommand::New, b, false);
    }

    /// AUTHREQ: answer with MD5(challenge + secret). chan_iax2 would fall back to sending the
    /// password in clear; this crate refuses and hangs up.
    fn on_authreq(&mut self, now: Instant, ies: &Ies) {
        if self.direction != Direction::Outgoing || self.state != CallState::Calling {
            return;
        }
        let secret = self
            .dial
            .as_ref()
            .and_then(|d| d.secret.clone())
            .filter(|s| !s.is_empty());
        // chan_iax2 `authenticate`: MD5 needs the method offered and a non-empty challenge
        let challenge = ies.challenge.clone().unwrap_or_default();
        match (
            secret,
            ies.authmethods & auth_method::MD5 != 0 && !challenge.is_empty(),
        ) {
            (Some(secret), true) => {
                let mut b = IeBuf::new();
                b.str(
                    id::MD5_RESULT,
                    &crate::auth::md5_response(&challenge, &secret),
                );
                self.state = CallState::Authenticating;
                self.link.send_iax(now, IaxCommand::AuthRep, b, false);
            }
            _ => {
                self.push_event(CallEvent::AuthFailed {
                    methods: ies.authmethods,
                });
                self.hangup(now, cause::FACILITY_REJECTED);
            }
        }
    }

    /// ACCEPT: the peer's format, or our capability when it sent none; a format we cannot do
    /// is answered with REJECT "Unable to negotiate codec" (58).
    fn on_accept(&mut self, now: Instant, ies: &Ies) {
        if self.direction != Direction::Outgoing
            || !matches!(self.state, CallState::Calling | CallState::Authenticating)
        {
            return;
        }
        let peer_format = if ies.format != 0 {
            ies.format
        } else {
            self.config.capability
        };
        if peer_format & self.config.capability == 0 {
            self.reject(
                now,
                "Unable to negotiate codec",
                cause::BEARERCAPABILITY_NOTAVAIL,
            );
            return;
        }
        self.format = peer_format;
        self.state = CallState::Accepted;
        self.start_timers(now);
        self.push_event(CallEvent::Accepted {
            format: peer_format,
        });
    }
}
