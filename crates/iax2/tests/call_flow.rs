//! A calls B through two in-memory endpoints: call token, MD5 authentication, accept, ringing,
//! answer, voice both ways, DTMF, hold, hangup.

mod common;

use std::time::Duration;

use common::{iax_cmd, Net};
use tandem_iax2::call::{Call, CallEvent, CallState, Dial, DtmfEdge, EndReason, VoiceOut};
use tandem_iax2::consts::{cause, format, IaxCommand};

fn dial() -> Dial {
    Dial {
        called_number: "600".into(),
        called_context: Some("from-iax".into()),
        calling_number: Some("100".into()),
        calling_name: Some("Alice".into()),
        username: Some("alice".into()),
        secret: Some("s3cret".into()),
        calltoken: true,
        ..Dial::default()
    }
}

/// A dials B; B challenges, checks and accepts. Returns (A's call number, B's).
fn set_up(net: &mut Net) -> (u16, u16) {
    let now = net.now;
    let cfg = net.a.config.clone();
    let to = net.b.addr;
    let a = net
        .a
        .table
        .insert_with(now, to, |n| Call::outgoing(now, n, to, dial(), cfg))
        .unwrap();
    net.pump();
    let offered = net.b.take_events();
    let Some(CallEvent::Offered(offer)) = offered.first() else {
        panic!("B got {offered:?}")
    };
    assert_eq!(offer.called_number.as_deref(), Some("600"));
    assert_eq!(offer.called_context.as_deref(), Some("from-iax"));
    assert_eq!(offer.calling_name.as_deref(), Some("Alice"));
    assert_eq!(offer.username.as_deref(), Some("alice"));
    assert_eq!(offer.format, format::ULAW);
    let b = net.b.events.first().map(|(n, _)| *n).unwrap_or_else(|| {
        net.b
            .table
            .find_by_peer(net.a.addr, a)
            .expect("B has the call")
    });
    let now = net.now;
    net.b.call(b).challenge(now, "314159");
    net.pump();
    let evs = net.b.take_events();
    assert!(
        matches!(
            &evs[..],
            [CallEvent::AuthReply {
                md5_result: Some(_),
                ..
            }]
        ),
        "{evs:?}"
    );
    assert!(net.b.call(b).md5_matches("other;s3cret"));
    assert!(!net.b.call(b).md5_matches("wrong"));
    net.b.call(b).accept(now, None);
    net.pump();
    assert_eq!(
        net.a.take_events(),
        vec![CallEvent::Accepted {
            format: format::ULAW
        }]
    );
    assert_eq!(net.a.call(a).state(), CallState::Accepted);
    (a, b)
}

#[test]
fn a_calls_b_b_answers_voice_flows_and_a_hangs_up() {
    let mut net = Net::new();
    let (a, b) = set_up(&mut net);
    // the NEW went twice: once asking for a token, once with it
    let news: Vec<_> = net
        .wire
        .iter()
        .filter(|t| iax_cmd(t) == Some(IaxCommand::New))
        .collect();
    assert_eq!(news.len(), 2);
    assert!(net
        .wire
        .iter()
        .any(|t| iax_cmd(t) == Some(IaxCommand::CallToken)));

    let now = net.now;
    net.b.call(b).ringing(now);
    net.pump();
    assert_eq!(net.a.take_events(), vec![CallEvent::Ringing]);
    net.b.call(b).answer(now);
    net.pump();
    assert_eq!(net.a.take_events(), vec![CallEvent::Answered]);
    assert_eq!(net.a.call(a).state(), CallState::Up);
    assert_eq!(net.b.call(b).state(), CallState::Up);

    // voice A -> B: one full frame then mini frames
    let before = net.wire.len();
    for i in 0..3u8 {
        let t = net.t0 + Duration::from_millis(20 * u64::from(i) + 100);
        net.now = t;
        assert_eq!(
            net.a.call(a).send_voice(t, format::ULAW, 20, &[i; 160]),
            VoiceOut::Sent
        );
        net.pump();
    }
    let sent: Vec<_> = net.wire[before..]
        .iter()
        .filter(|t| t.dest == net.b.addr)
        .collect();
    assert_eq!(sent[0].bytes[0] & 0x80, 0x80, "first voice frame is full");
    assert!(
        sent.iter().filter(|t| t.bytes.len() == 164).count() >= 2,
        "then mini frames (4 + 160)"
    );
    let voice: Vec<_> = net
        .b
        .take_events()
        .into_iter()
        .filter_map(|e| match e {
            CallEvent::Voice {
                format,
                timestamp,
                data,
            } => Some((format, timestamp, data[0])),
            _ => None,
        })
        .collect();
    assert_eq!(voice.len(), 3);
    assert!(voice.iter().all(|v| v.0 == format::ULAW));
    assert_eq!(voice.iter().map(|v| v.2).collect::<Vec<_>>(), vec![0, 1, 2]);
    assert!(voice[0].1 < voice[1].1 && voice[1].1 < voice[2].1);

    // voice B -> A
    let now = net.now;
    net.b.call(b).send_voice(now, format::ULAW, 20, &[9; 160]);
    net.pump();
    assert!(matches!(&net.a.take_events()[..], [CallEvent::Voice { data, .. }] if data[0] == 9));

    // DTMF and hold
    net.a.call(a).send_dtmf(now, '5', DtmfEdge::Begin);
    net.a.call(a).send_dtmf(now, '5', DtmfEdge::End);
    net.a.call(a).hold(now, Some("jazz"));
    net.a.call(a).unhold(now);
    net.pump();
    assert_eq!(
        net.b.take_events(),
        vec![
            CallEvent::Dtmf {
                digit: '5',
                edge: DtmfEdge::Begin
            },
            CallEvent::Dtmf {
                digit: '5',
                edge: DtmfEdge::End
            },
            CallEvent::Hold {
                moh_class: Some("jazz".into())
            },
            CallEvent::Unhold,
        ]
    );

    // hangup
    net.a.call(a).hangup(now, cause::NORMAL_CLEARING);
    net.pump();
    assert_eq!(
        net.b.take_events(),
        vec![
            CallEvent::Hangup {
                cause: None,
                cause_code: Some(16)
            },
            CallEvent::Terminated(EndReason::Remote)
        ]
    );
    assert_eq!(
        net.a.take_events(),
        vec![CallEvent::Terminated(EndReason::Local)]
    );
    assert!(net.a.call(a).is_ended());
}

#[test]
fn wrong_secret_is_rejected_with_no_authority_found() {
    let mut net = Net::new();
    let now = net.now;
    let cfg = net.a.config.clone();
    let to = net.b.addr;
    let mut d = dial();
    d.secret = Some("guess".into());
    let a = net
        .a
        .table
        .insert_with(now, to, |n| Call::outgoing(now, n, to, d, cfg))
        .unwrap();
    net.pump();
    net.b.take_events();
    let b = net.b.table.find_by_peer(net.a.addr, a).unwrap();
    net.b.call(b).challenge(now, "42");
    net.pump();
    net.b.take_events();
    assert!(!net.b.call(b).md5_matches("s3cret"));
    net.b.call(b).reject_auth(now);
    net.pump();
    assert_eq!(
        net.a.take_events(),
        vec![
            CallEvent::Rejected {
                cause: Some("No authority found".into()),
                cause_code: Some(cause::FACILITY_NOT_SUBSCRIBED)
            },
            CallEvent::Terminated(EndReason::Remote)
        ]
    );
    assert_eq!(
        net.b.take_events(),
        vec![CallEvent::Terminated(EndReason::Local)]
    );
}

#[test]
fn plaintext_only_authreq_is_refused_and_the_call_hung_up() {
    use tandem_iax2::frame::FullFrame;
    use tandem_iax2::ie::{id, IeBuf};
    let net = Net::new();
    let now = net.now;
    let to = net.b.addr;
    let mut call = Call::outgoing(now, 7, to, dial(), net.a.config.clone());
    let new = common::full(&call.poll_transmit().unwrap()).unwrap();
    let mut ies = IeBuf::new();
    ies.short(id::AUTHMETHODS, 1);
    ies.str(id::CHALLENGE, "1");
    let mut authreq = FullFrame::new(
        tandem_iax2::consts::FrameType::Iax,
        IaxCommand::AuthReq.to_u64(),
        ies.into_bytes(),
    );
    authreq.source_call = 9;
    authreq.dest_call = 7;
    authreq.iseqno = new.oseqno + 1;
    call.handle_full(now, authreq);
    assert_eq!(
        call.poll_event(),
        Some(CallEvent::AuthFailed { methods: 1 })
    );
    let out = call.poll_transmit().unwrap();
    assert_eq!(iax_cmd(&out), Some(IaxCommand::Hangup));
    assert!(!out.bytes.windows(2).any(|w| w == [7, 1]), "no PASSWORD IE");
}

#[test]
fn callee_negotiates_against_the_callers_capability() {
    let mut net = Net::new();
    net.b.config.capability = format::G722;
    let now = net.now;
    let cfg = net.a.config.clone();
    let to = net.b.addr;
    let a = net
        .a
        .table
        .insert_with(now, to, |n| Call::outgoing(now, n, to, dial(), cfg))
        .unwrap();
    net.pump();
    net.b.take_events();
    let b = net.b.table.find_by_peer(net.a.addr, a).unwrap();
    assert_eq!(
        net.b.call(b).negotiate(),
        Some(format::G722),
        "ulaw requested but B only has g722"
    );
    net.b.call(b).accept(now, None);
    net.pump();
    assert_eq!(
        net.a.take_events(),
        vec![CallEvent::Accepted {
            format: format::G722
        }]
    );
}

#[test]
fn accept_with_a_format_we_cannot_do_is_answered_with_reject_58() {
    let mut net = Net::new();
    net.a.config.capability = format::ULAW;
    let now = net.now;
    let cfg = net.a.config.clone();
    let to = net.b.addr;
    let a = net
        .a
        .table
        .insert_with(now, to, |n| Call::outgoing(now, n, to, dial(), cfg))
        .unwrap();
    net.pump();
    net.b.take_events();
    let b = net.b.table.find_by_peer(net.a.addr, a).unwrap();
    net.b.call(b).accept(now, Some(format::G722));
    net.pump();
    assert_eq!(
        net.b.take_events(),
        vec![
            CallEvent::Rejected {
                cause: Some("Unable to negotiate codec".into()),
                cause_code: Some(58)
            },
            CallEvent::Terminated(EndReason::Remote)
        ]
    );
}

#[test]
fn transfer_request_is_refused_with_txrej() {
    let mut net = Net::new();
    let (a, b) = set_up(&mut net);
    let now = net.now;
    // B's application has no transfer support: feed A's TXREQ straight to B
    let _ = a;
    use tandem_iax2::frame::FullFrame;
    let mut f = FullFrame::new(
        tandem_iax2::consts::FrameType::Iax,
        IaxCommand::TxReq.to_u64(),
        Vec::new(),
    );
    f.source_call = a;
    f.dest_call = b;
    f.oseqno = 2;
    f.iseqno = 2;
    let bytes = f.to_bytes().unwrap();
    let src = net.a.addr;
    net.b.receive(now, src, &bytes);
    assert!(net.b.take_events().contains(&CallEvent::TransferRefused));
    assert!(net
        .b
        .outbox()
        .iter()
        .any(|t| iax_cmd(t) == Some(IaxCommand::TxRej)));
}

#[test]
fn ping_every_21s_is_answered_with_pong_echoing_its_timestamp() {
    let mut net = Net::new();
    net.a.config.ping_interval = Some(tandem_iax2::call::PING_INTERVAL);
    let (_a, _b) = set_up(&mut net);
    let before = net.wire.len();
    net.advance_by(Duration::from_secs(21));
    let pings: Vec<_> = net.wire[before..]
        .iter()
        .filter(|t| iax_cmd(t) == Some(IaxCommand::Ping))
        .collect();
    let pongs: Vec<_> = net.wire[before..]
        .iter()
        .filter(|t| iax_cmd(t) == Some(IaxCommand::Pong))
        .collect();
    assert_eq!((pings.len(), pongs.len()), (1, 1));
    let ping = common::full(pings[0]).unwrap();
    let pong = common::full(pongs[0]).unwrap();
    assert_eq!(pong.timestamp, ping.timestamp);
    let evs = net.a.take_events();
    assert!(
        evs.iter()
            .any(|e| matches!(e, CallEvent::Pong { rtt_ms } if *rtt_ms <= 3)),
        "{evs:?}"
    );
}

#[test]
fn lagrq_every_10s_is_answered_with_lagrp_and_reported_as_lag() {
    let mut net = Net::new();
    net.b.config.lagrq_interval = Some(tandem_iax2::call::LAGRQ_INTERVAL);
    let (_a, _b) = set_up(&mut net);
    let before = net.wire.len();
    net.advance_by(Duration::from_secs(10));
    let cmds: Vec<_> = net.wire[before..].iter().filter_map(iax_cmd).collect();
    assert!(
        cmds.contains(&IaxCommand::LagRq) && cmds.contains(&IaxCommand::LagRp),
        "{cmds:?}"
    );
    let lagrq = net.wire[before..]
        .iter()
        .find(|t| iax_cmd(t) == Some(IaxCommand::LagRq))
        .and_then(common::full)
        .unwrap();
    let lagrp = net.wire[before..]
        .iter()
        .find(|t| iax_cmd(t) == Some(IaxCommand::LagRp))
        .and_then(common::full)
        .unwrap();
    assert_eq!(
        lagrp.timestamp, lagrq.timestamp,
        "LAGRP echoes the LAGRQ timestamp"
    );
    assert!(net
        .b
        .take_events()
        .iter()
        .any(|e| matches!(e, CallEvent::Lag { .. })));
}

#[test]
fn hangup_from_the_callee_before_answer_carries_the_cause_code() {
    let mut net = Net::new();
    let (_a, b) = set_up(&mut net);
    let now = net.now;
    net.b.call(b).busy(now);
    net.b.call(b).hangup(now, cause::USER_BUSY);
    net.pump();
    assert_eq!(
        net.a.take_events(),
        vec![
            CallEvent::Busy,
            CallEvent::Hangup {
                cause: None,
                cause_code: Some(cause::USER_BUSY)
            },
            CallEvent::Terminated(EndReason::Remote)
        ]
    );
    assert_eq!(
        net.b.take_events(),
        vec![CallEvent::Terminated(EndReason::Local)]
    );
}
