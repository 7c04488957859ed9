//! IAX2 calls as channels: what the endpoint keeps per call, how call events become channel
//! events and channel commands become frames, and who an incoming call is.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use tandem_conf::views::iax::{Host, Peer};
use tandem_conf::views::IaxConf;
use tandem_core::{cause, ChannelCommand, ChannelEvent, Indication};
use tandem_iax2::call::{Call, CallEvent, DtmfEdge};
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};

use super::media::RtpOut;
use super::state::IaxState;
use super::{Cmd, Resolved, Target};
use crate::media::MediaLeg;

/// A leg Dial asked for, waiting for `ChannelCommand::Call`.
pub struct Outbound {
    pub key: u64,
    pub name: String,
    pub target: Target,
    pub resolved: Resolved,
    /// The codec offered first (Asterisk name).
    pub codec: String,
    pub caller_num: String,
    pub caller_name: String,
    pub events: mpsc::Sender<ChannelEvent>,
    pub media: Arc<MediaLeg>,
    pub adapter: Arc<UdpSocket>,
}

/// An incoming call's channel-to-be, decided when the call is admitted.
pub struct InboundUser {
    pub secret: Option<String>,
    pub context: String,
    pub callerid_num: String,
    pub callerid_name: String,
}

/// One IAX2 call in the endpoint.
pub struct Leg {
    pub key: u64,
    pub name: String,
    pub call: Call,
    pub username: String,
    /// Inbound: who the caller is, until the channel exists.
    pub inbound: Option<InboundUser>,
    /// The channel's event queue (inbound: once the call is accepted).
    pub events: Option<mpsc::Sender<ChannelEvent>>,
    pub media: Option<(Arc<MediaLeg>, Arc<UdpSocket>)>,
    pub stop_adapter: Option<oneshot::Sender<()>>,
    pub rtp: RtpOut,
    /// The channel was told it is hung up (or hung up itself).
    pub channel_gone: bool,
    pub rx_frames: u64,
    pub tx_frames: u64,
}

impl Leg {
    pub fn new(key: u64, name: String, call: Call) -> Leg {
        let ssrc = (key as u32).wrapping_mul(0x9e37_79b9) ^ 0x1a2b_0000;
        Leg {
            key,
            name,
            call,
            username: String::new(),
            inbound: None,
            events: None,
            media: None,
            stop_adapter: None,
            rtp: RtpOut::new(ssrc),
            channel_gone: false,
            rx_frames: 0,
            tx_frames: 0,
        }
    }

    /// Tell the core; a full or closed queue means the channel is gone already.
    pub fn emit(&mut self, event: ChannelEvent) {
        if self.channel_gone {
            return;
        }
        if matches!(event, ChannelEvent::Hangup { .. }) {
            self.channel_gone = true;
        }
        if let Some(tx) = &self.events {
            if tx.try_send(event).is_err() {
                tracing::debug!("{}: channel event dropped (channel gone)", self.name);
            }
        }
    }

    /// Voice from the peer, as RTP towards the channel's media leg.
    pub fn voice_in(&mut self, format: u64, timestamp: u32, data: &[u8]) {
        self.rx_frames += 1;
        let Some(pt) = super::media::pt_of(format) else {
            return;
        };
        if let Some((media, adapter)) = &self.media {
            let packet = self.rtp.packet(pt, timestamp, data);
            let _ = adapter.try_send_to(&packet, media.local);
        }
    }

    /// The adapter is no longer needed.
    pub fn stop_media(&mut self) {
        if let Some(stop) = self.stop_adapter.take() {
            let _ = stop.send(());
        }
    }
}

impl Drop for Leg {
    fn drop(&mut self) {
        self.stop_media();
    }
}

/// What a call event means for the channel, if anything.
pub fn channel_event(ev: &CallEvent) -> Option<ChannelEvent> {
    Some(match ev {
        CallEvent::Ringing => ChannelEvent::Ringing,
        CallEvent::Progress | CallEvent::Proceeding => ChannelEvent::Progress,
        CallEvent::Answered => ChannelEvent::Answered,
        CallEvent::Busy => ChannelEvent::Hangup {
            cause: cause::USER_BUSY,
        },
        CallEvent::Congestion => ChannelEvent::Hangup {
            cause: cause::NORMAL_CIRCUIT_CONGESTION,
        },
        CallEvent::Hold { .. } => ChannelEvent::Hold,
        CallEvent::Unhold => ChannelEvent::Unhold,
        CallEvent::Dtmf {
            digit,
            edge: DtmfEdge::End,
        } => ChannelEvent::Digit(*digit),
        CallEvent::Hangup { cause_code, .. } => {
            super::event_for_cause(*cause_code, cause::NORMAL_CLEARING)
        }
        CallEvent::Rejected { cause_code, .. } => {
            super::event_for_cause(*cause_code, cause::CALL_REJECTED)
        }
        CallEvent::AuthFailed { .. } => ChannelEvent::Hangup {
            cause: cause::CALL_REJECTED,
        },
        CallEvent::Terminated(reason) => ChannelEvent::Hangup {
            cause: match reason {
                // chan_iax2: a peer that stops acknowledging is "destination out of order"
                tandem_iax2::call::EndReason::Timeout => 27,
                _ => cause::NORMAL_CLEARING,
            },
        },
        _ => return None,
    })
}

/// Apply a channel command to the call (everything but `Call`, which the endpoint handles).
pub fn apply_command(call: &mut Call, now: Instant, cmd: &ChannelCommand) {
    match cmd {
        ChannelCommand::Answer => call.answer(now),
        ChannelCommand::Hangup { cause } => call.hangup(
            now,
            u8::try_from(*cause).unwrap_or(cause::NORMAL_CLEARING as u8),
        ),
        ChannelCommand::Indicate(i) => match i {
            Indication::Ringing => call.ringing(now),
            Indication::Progress => call.progress(now),
            Indication::Busy => call.busy(now),
            Indication::Congestion => call.congestion(now),
            Indication::Hold => call.hold(now, None),
            Indication::Unhold => call.unhold(now),
        },
        ChannelCommand::SendDigit(d) => {
            call.send_dtmf(now, *d, DtmfEdge::Begin);
            call.send_dtmf(now, *d, DtmfEdge::End);
        }
        ChannelCommand::Call { .. } | ChannelCommand::WriteFrame(_) => {}
    }
}

/// Forward a channel's commands to the endpoint task, tagged with its key; when the core
/// drops the channel without hanging up, hang up for it.
pub fn forward_commands(
    key: u64,
    mut commands: mpsc::Receiver<ChannelCommand>,
    to: mpsc::Sender<Cmd>,
) {
    tokio::spawn(async move {
        while let Some(cmd) = commands.recv().await {
            if to.send(Cmd::Channel { key, cmd }).await.is_err() {
                return;
            }
        }
        let cmd = ChannelCommand::Hangup {
            cause: cause::NORMAL_CLEARING,
        };
        let _ = to.send(Cmd::Channel { key, cmd }).await;
    });
}

/// The user an incoming call is from (chan_iax2 `check_access`): by the USERNAME IE when
/// there is one, else a user whose host is the source address (static or registered); the
/// user's permit/deny must allow the source.
pub fn find_user<'a>(
    conf: &'a IaxConf,
    state: &IaxState,
    username: Option<&str>,
    src: SocketAddr,
) -> Option<&'a Peer> {
    if let Some(u) = username.filter(|u| !u.is_empty()) {
        return conf.user(u).filter(|p| p.acl_allows(src.ip()));
    }
    conf.peers
        .iter()
        .filter(|p| p.kind.is_user() && p.acl_allows(src.ip()))
        .find(|p| match &p.host {
            Some(Host::Addr(ip)) => *ip == src.ip(),
            Some(Host::Dynamic) => state
                .registered(&p.name)
                .is_some_and(|a| a.ip() == src.ip()),
            _ => false,
        })
}

/// Must a NEW or REGREQ without a call token from `name` be refused? (chan_iax2
/// `calltoken_required`: the user's or peer's `requirecalltoken`, else `[general]`'s; sources
/// in `calltokenoptional` are exempt.)
pub fn calltoken_required(
    conf: &IaxConf,
    name: Option<&str>,
    src: SocketAddr,
    registration: bool,
) -> bool {
    if conf.general.calltoken_optional(src.ip()) {
        return false;
    }
    let section = name.filter(|n| !n.is_empty()).and_then(|n| {
        if registration {
            conf.peer(n).or_else(|| conf.user(n))
        } else {
            conf.user(n).or_else(|| conf.peer(n))
        }
    });
    match section {
        Some(p) => p.requires_calltoken(&conf.general),
        None => conf.general.requirecalltoken,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conf(text: &str) -> IaxConf {
        let src = tandem_conf::MemSource::new().with("iax.conf", text);
        IaxConf::from_config(&tandem_conf::load(&src, "iax.conf").config).0
    }

    #[test]
    fn hangup_busy_and_congestion_carry_their_causes() {
        assert_eq!(
            channel_event(&CallEvent::Busy),
            Some(ChannelEvent::Hangup { cause: 17 })
        );
        assert_eq!(
            channel_event(&CallEvent::Congestion),
            Some(ChannelEvent::Hangup { cause: 34 })
        );
        assert_eq!(
            channel_event(&CallEvent::Hangup {
                cause: None,
                cause_code: Some(21)
            }),
            Some(ChannelEvent::Hangup { cause: 21 })
        );
        assert_eq!(
            channel_event(&CallEvent::Terminated(
                tandem_iax2::call::EndReason::Timeout
            )),
            Some(ChannelEvent::Hangup { cause: 27 })
        );
    }

    #[test]
    fn only_dtmf_end_is_a_digit() {
        let begin = CallEvent::Dtmf {
            digit: '5',
            edge: DtmfEdge::Begin,
        };
        let end = CallEvent::Dtmf {
            digit: '5',
            edge: DtmfEdge::End,
        };
        assert_eq!(channel_event(&begin), None);
        assert_eq!(channel_event(&end), Some(ChannelEvent::Digit('5')));
    }

    #[test]
    fn calltoken_exemption_follows_the_named_section() {
        let c = conf("[modem]\ntype=friend\nhost=dynamic\nrequirecalltoken=no\n[x]\ntype=user\n");
        let src: SocketAddr = "127.0.0.1:4570".parse().unwrap();
        assert!(!calltoken_required(&c, Some("modem"), src, true));
        assert!(calltoken_required(&c, Some("x"), src, false));
        assert!(calltoken_required(&c, None, src, false));
    }

    #[test]
    fn user_is_found_by_name_or_by_static_host() {
        let c = conf(
            "[a]\ntype=user\ndeny=0.0.0.0/0\npermit=10.0.0.0/8\n[b]\ntype=friend\nhost=192.0.2.7\n",
        );
        let st = IaxState::new(&c);
        let from = |s: &str| s.parse::<SocketAddr>().unwrap();
        assert!(find_user(&c, &st, Some("a"), from("10.1.1.1:4569")).is_some());
        assert!(find_user(&c, &st, Some("a"), from("192.0.2.7:4569")).is_none());
        assert_eq!(
            find_user(&c, &st, None, from("192.0.2.7:4569")).map(|p| p.name.as_str()),
            Some("b")
        );
    }
}
