//! Reliability scenarios between two calls on a fake clock: give-up, lost ACKs, duplicates,
//! out-of-order frames recovered by VNAK.

mod common;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use common::{full, iax_cmd, Net};
use tandem_iax2::call::{Call, CallEvent, Dial, EndReason};
use tandem_iax2::consts::{FrameType, IaxCommand};

fn dial() -> Dial {
    Dial {
        called_number: "600".into(),
        calltoken: true,
        ..Dial::default()
    }
}

fn up(net: &mut Net) -> (u16, u16) {
    let now = net.now;
    let cfg = net.a.config.clone();
    let to = net.b.addr;
    let a = net
        .a
        .table
        .insert_with(now, to, |n| Call::outgoing(now, n, to, dial(), cfg))
        .unwrap();
    net.pump();
    let b = net.b.table.find_by_peer(net.a.addr, a).unwrap();
    net.b.call(b).accept(now, None);
    net.b.call(b).answer(now);
    net.pump();
    net.a.take_events();
    net.b.take_events();
    (a, b)
}

#[test]
fn new_to_a_dead_peer_is_sent_4_times_then_the_call_times_out() {
    let mut net = Net::new();
    net.lose = Box::new(|_| true);
    let now = net.now;
    let cfg = net.a.config.clone();
    let to = net.b.addr;
    let a = net
        .a
        .table
        .insert_with(now, to, |n| Call::outgoing(now, n, to, dial(), cfg))
        .unwrap();
    net.pump();
    net.advance_by(Duration::from_secs(31));
    assert!(net.a.take_events().is_empty(), "still trying at 31 s");
    net.advance_by(Duration::from_secs(2));
    assert_eq!(
        net.a.take_events(),
        vec![CallEvent::Terminated(EndReason::Timeout)]
    );
    let news: Vec<_> = net
        .wire
        .iter()
        .filter_map(full)
        .filter(|f| f.is_iax(IaxCommand::New))
        .collect();
    assert_eq!(news.len(), 4);
    assert_eq!(
        news.iter().filter(|f| f.retransmitted).count(),
        3,
        "R bit on the 3 retries"
    );
    assert!(net.a.call(a).is_ended());
}

#[test]
fn lost_ack_makes_the_sender_retransmit_and_the_duplicate_is_acked_not_redelivered() {
    let mut net = Net::new();
    let (a, b) = up(&mut net);
    // lose A's first ACK of B's RINGING
    let lost = Rc::new(RefCell::new(0));
    let l = lost.clone();
    let a_addr = net.a.addr;
    net.lose = Box::new(move |t| {
        if t.dest != a_addr && iax_cmd(t) == Some(IaxCommand::Ack) && *l.borrow() == 0 {
            *l.borrow_mut() += 1;
            return true;
        }
        false
    });
    let now = net.now;
    net.b.call(b).ringing(now);
    net.pump();
    assert_eq!(
        net.a.take_events(),
        vec![tandem_iax2::call::CallEvent::Ringing]
    );
    assert_eq!(*lost.borrow(), 1);
    let before = net.wire.len();
    net.advance_by(Duration::from_secs(3));
    let after: Vec<_> = net.wire[before..].iter().filter_map(full).collect();
    let resent = after
        .iter()
        .find(|f| f.frame_type == FrameType::Control)
        .expect("RINGING again");
    assert!(resent.retransmitted);
    assert!(
        after.iter().any(|f| f.is_iax(IaxCommand::Ack)),
        "duplicate answered with ACK"
    );
    assert!(net.a.take_events().is_empty(), "no second Ringing event");
    let _ = a;
    // and B stops retransmitting
    let before = net.wire.len();
    net.advance_by(Duration::from_secs(30));
    assert!(net.wire[before..]
        .iter()
        .all(|t| full(t).is_none_or(|f| f.frame_type != FrameType::Control)));
}

#[test]
fn a_lost_frame_is_recovered_by_vnak_in_order() {
    let mut net = Net::new();
    let (_a, b) = up(&mut net);
    let dropped = Rc::new(RefCell::new(false));
    let d = dropped.clone();
    let a_addr = net.a.addr;
    net.lose = Box::new(move |t| {
        let f = full(t);
        if t.dest == a_addr
            && !*d.borrow()
            && f.is_some_and(|f| f.frame_type == FrameType::Control && !f.retransmitted)
        {
            *d.borrow_mut() = true;
            return true;
        }
        false
    });
    let now = net.now;
    net.b.call(b).progress(now);
    net.b.call(b).ringing(now);
    net.pump();
    assert!(
        net.wire
            .iter()
            .any(|t| iax_cmd(t) == Some(IaxCommand::Vnak)),
        "gap detected"
    );
    assert_eq!(
        net.a.take_events(),
        vec![CallEvent::Progress, CallEvent::Ringing],
        "recovered in order"
    );
}

#[test]
fn mini_frame_before_any_full_voice_frame_is_answered_with_vnak() {
    let mut net = Net::new();
    let (a, b) = up(&mut net);
    let m = tandem_iax2::frame::MiniFrame {
        source_call: b,
        timestamp: 40,
        payload: vec![0; 160],
    };
    let now = net.now;
    let src = net.b.addr;
    net.a.receive(now, src, &m.to_bytes().unwrap());
    let out = net.a.outbox();
    assert_eq!(
        out.iter().filter_map(iax_cmd).collect::<Vec<_>>(),
        vec![IaxCommand::Vnak]
    );
    assert!(net.a.take_events().is_empty());
    let _ = a;
}

#[test]
fn frame_for_an_unknown_call_is_answered_with_inval() {
    let mut net = Net::new();
    let mut f =
        tandem_iax2::frame::FullFrame::new(FrameType::Iax, IaxCommand::Ping.to_u64(), vec![]);
    f.source_call = 77;
    f.dest_call = 1234;
    let now = net.now;
    let src = net.b.addr;
    net.a.receive(now, src, &f.to_bytes().unwrap());
    let out = net.a.outbox();
    let inval = full(&out[0]).unwrap();
    assert!(inval.is_iax(IaxCommand::Inval));
    assert_eq!(
        (inval.source_call, inval.dest_call, inval.timestamp),
        (1234, 77, 0)
    );
}

#[test]
fn inval_from_the_peer_ends_the_call() {
    let mut net = Net::new();
    let (a, b) = up(&mut net);
    // B forgets the call; A's next frame gets INVAL back
    let now = net.now;
    net.b.table.remove(now, b);
    net.a.call(a).ringing(now);
    net.pump();
    assert_eq!(
        net.a.take_events(),
        vec![CallEvent::Terminated(EndReason::Invalid)]
    );
}
