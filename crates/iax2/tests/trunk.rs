//! Trunking: two calls to the same peer share one meta trunk datagram per 20 ms, with or
//! without per-call timestamps, and the receiver hands each entry to its call.

mod common;

use std::time::Duration;

use common::Net;
use tandem_iax2::call::{Call, CallConfig, CallEvent, Dial, VoiceOut};
use tandem_iax2::consts::format;
use tandem_iax2::frame::Datagram;
use tandem_iax2::trunk::{TrunkBuilder, TrunkFlavour};

fn two_trunked_calls(net: &mut Net) -> Vec<(u16, u16)> {
    net.a.config = CallConfig {
        trunk: true,
        ping_interval: None,
        lagrq_interval: None,
        ..CallConfig::default()
    };
    let mut pairs = Vec::new();
    for n in ["600", "601"] {
        let now = net.now;
        let cfg = net.a.config.clone();
        let to = net.b.addr;
        let d = Dial {
            called_number: n.into(),
            calltoken: true,
            ..Dial::default()
        };
        let a = net
            .a
            .table
            .insert_with(now, to, |x| Call::outgoing(now, x, to, d, cfg))
            .unwrap();
        net.pump();
        let b = net.b.table.find_by_peer(net.a.addr, a).unwrap();
        net.b.call(b).accept(now, None);
        net.pump();
        pairs.push((a, b));
    }
    net.a.take_events();
    net.b.take_events();
    pairs
}

fn run(trunk_timestamps: bool) {
    let mut net = Net::new();
    let pairs = two_trunked_calls(&mut net);
    // the first voice frame of each call is a full frame (it tells the format)
    for (i, (a, _)) in pairs.iter().enumerate() {
        let now = net.now;
        assert_eq!(
            net.a
                .call(*a)
                .send_voice(now, format::ULAW, 20, &[i as u8; 160]),
            VoiceOut::Sent
        );
    }
    net.pump();
    net.b.take_events();
    let mut builder = TrunkBuilder::new(trunk_timestamps, 0);
    let t = net.now + Duration::from_millis(20);
    net.now = t;
    for (i, (a, _)) in pairs.iter().enumerate() {
        match net
            .a
            .call(*a)
            .send_voice(t, format::ULAW, 20, &[10 + i as u8; 160])
        {
            VoiceOut::Trunk {
                call,
                timestamp,
                data,
            } => {
                builder.push(call, timestamp, &data);
            }
            other => panic!("expected trunk voice, got {other:?}"),
        }
    }
    let bytes = builder.flush(t).expect("one datagram");
    let Ok(Datagram::Trunk(frame)) = Datagram::parse(&bytes) else {
        panic!("not a trunk frame")
    };
    assert_eq!(frame.entries.len(), 2);
    assert_eq!(
        frame.flavour,
        if trunk_timestamps {
            TrunkFlavour::Mini
        } else {
            TrunkFlavour::SuperMini
        }
    );
    // the receiving side routes each entry by (source address, call number)
    let trunk_start = net.t0;
    for e in frame.entries {
        let local = net
            .b
            .table
            .find_by_peer(net.a.addr, e.call)
            .expect("entry for a known call");
        net.b
            .call(local)
            .handle_trunk_entry(t, trunk_start, frame.timestamp, e);
        net.b.settle(t, local);
    }
    let voice: Vec<u8> = net
        .b
        .take_events()
        .into_iter()
        .filter_map(|e| match e {
            CallEvent::Voice {
                format: f, data, ..
            } if f == format::ULAW => Some(data[0]),
            _ => None,
        })
        .collect();
    assert_eq!(voice, vec![10, 11]);
    let _ = pairs;
}

#[test]
fn trunk_without_timestamps_carries_both_calls_voice() {
    run(false);
}

#[test]
fn trunk_with_timestamps_carries_both_calls_voice() {
    run(true);
}
