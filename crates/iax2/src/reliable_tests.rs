//! Scenarios for [`crate::reliable`] on a fake clock.

use std::time::{Duration, Instant};

use crate::consts::{FrameType, IaxCommand};
use crate::frame::FullFrame;
use crate::reliable::*;

fn cmd(c: IaxCommand) -> FullFrame {
    FullFrame::new(FrameType::Iax, c.to_u64(), Vec::new())
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn retransmits_at_2s_then_10s_steps_and_gives_up_after_4_transmissions() {
    let t0 = Instant::now();
    let mut r = Reliability::new();
    let sent = r.send(t0, cmd(IaxCommand::New), false);
    assert_eq!(
        (sent.oseqno, sent.iseqno, sent.retransmitted),
        (0, 0, false)
    );
    assert_eq!(
        r.poll_timeout(),
        Some(t0 + ms(2000)),
        "2 x the default 1000 ms ping time"
    );
    let (again, gave) = r.handle_timeout(t0 + ms(1999));
    assert!(again.is_empty() && gave.is_none());
    let (again, _) = r.handle_timeout(t0 + ms(2000));
    assert_eq!(again.len(), 1);
    assert!(again[0].retransmitted);
    assert_eq!(
        r.poll_timeout(),
        Some(t0 + ms(12_000)),
        "x10, capped at 10 s"
    );
    let (again, _) = r.handle_timeout(t0 + ms(12_000));
    assert_eq!(again.len(), 1);
    let (again, _) = r.handle_timeout(t0 + ms(22_000));
    assert_eq!(again.len(), 1);
    let (again, gave) = r.handle_timeout(t0 + ms(32_000));
    assert!(again.is_empty());
    assert_eq!(gave.map(|g| g.final_frame), Some(false));
    assert_eq!(r.poll_timeout(), None);
}

#[test]
fn first_retry_is_twice_the_ping_time_clamped_to_100ms() {
    let t0 = Instant::now();
    let mut r = Reliability::new();
    r.set_ping_time(20);
    r.send(t0, cmd(IaxCommand::Ping), false);
    assert_eq!(r.poll_timeout(), Some(t0 + ms(100)));
    r.handle_timeout(t0 + ms(100));
    assert_eq!(r.poll_timeout(), Some(t0 + ms(1100)));
}

#[test]
fn a_frame_from_the_peer_acks_everything_before_its_iseqno() {
    let t0 = Instant::now();
    let mut r = Reliability::new();
    r.send(t0, cmd(IaxCommand::New), false);
    r.send(t0, cmd(IaxCommand::Ping), false);
    assert_eq!(r.in_flight(), 2);
    let mut ack = cmd(IaxCommand::Ack);
    ack.iseqno = 1;
    assert_eq!(r.receive(&ack), RxVerdict::Accept { final_acked: false });
    assert_eq!(r.in_flight(), 1);
    let mut accept = cmd(IaxCommand::Accept);
    accept.oseqno = 0;
    accept.iseqno = 2;
    assert_eq!(r.receive(&accept), RxVerdict::Accept { final_acked: false });
    assert_eq!(r.in_flight(), 0);
    assert_eq!(r.iseqno, 1, "ACCEPT counts, the ACK did not");
}

#[test]
fn an_ack_outside_the_window_acknowledges_nothing() {
    let t0 = Instant::now();
    let mut r = Reliability::new();
    r.send(t0, cmd(IaxCommand::New), false);
    let mut ack = cmd(IaxCommand::Ack);
    ack.iseqno = 9;
    r.receive(&ack);
    assert_eq!(r.in_flight(), 1);
    assert_eq!(r.rseqno, 0);
}

#[test]
fn acknowledging_a_final_frame_is_reported() {
    let t0 = Instant::now();
    let mut r = Reliability::new();
    r.send(t0, cmd(IaxCommand::Hangup), true);
    let mut ack = cmd(IaxCommand::Ack);
    ack.iseqno = 1;
    assert_eq!(r.receive(&ack), RxVerdict::Accept { final_acked: true });
}

#[test]
fn giving_up_on_a_final_frame_is_reported_as_final() {
    let t0 = Instant::now();
    let mut r = Reliability::new();
    r.send(t0, cmd(IaxCommand::Hangup), true);
    let mut t = t0;
    let mut gave = None;
    for _ in 0..10 {
        let Some(due) = r.poll_timeout() else { break };
        t = t.max(due);
        let (_, g) = r.handle_timeout(t);
        if g.is_some() {
            gave = g;
        }
    }
    assert_eq!(gave.map(|g| g.final_frame), Some(true));
}

#[test]
fn a_retransmitted_frame_already_received_is_a_duplicate_to_ack_again() {
    let mut r = Reliability::new();
    let mut f = cmd(IaxCommand::Ping);
    f.oseqno = 0;
    assert_eq!(r.receive(&f), RxVerdict::Accept { final_acked: false });
    f.retransmitted = true;
    assert_eq!(r.receive(&f), RxVerdict::Duplicate);
    let ack = r.ack_for(&f);
    assert_eq!(
        (ack.oseqno, ack.iseqno, ack.timestamp),
        (f.iseqno, 1, f.timestamp)
    );
}

#[test]
fn a_gap_asks_for_retransmission_with_vnak_and_the_sender_resends_from_there() {
    let t0 = Instant::now();
    let mut tx = Reliability::new();
    let mut rx = Reliability::new();
    let a = tx.send(t0, cmd(IaxCommand::Ping), false);
    let b = tx.send(t0, cmd(IaxCommand::LagRq), false);
    let c = tx.send(t0, cmd(IaxCommand::Ping), false);
    assert_eq!(rx.receive(&a), RxVerdict::Accept { final_acked: false });
    // b is lost, c arrives
    assert_eq!(rx.receive(&c), RxVerdict::OutOfOrder);
    let vnak = rx.vnak(0);
    assert_eq!((vnak.oseqno, vnak.iseqno), (1, 1));
    // the sender got a's implicit ACK through the VNAK
    assert_eq!(tx.receive(&vnak), RxVerdict::Accept { final_acked: false });
    let again = tx.vnak_retransmit(vnak.iseqno);
    assert_eq!(
        again.iter().map(|f| f.oseqno).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert!(again.iter().all(|f| f.retransmitted));
    assert_eq!(
        rx.receive(&again[0]),
        RxVerdict::Accept { final_acked: false }
    );
    assert_eq!(
        rx.receive(&again[1]),
        RxVerdict::Accept { final_acked: false }
    );
    assert_eq!(rx.iseqno, 3);
    let _ = b;
}

#[test]
fn sequence_numbers_wrap_at_256() {
    let t0 = Instant::now();
    let mut tx = Reliability::new();
    let mut rx = Reliability::new();
    for i in 0..300u32 {
        let f = tx.send(t0, cmd(IaxCommand::Ping), false);
        assert_eq!(u32::from(f.oseqno), i % 256);
        assert_eq!(rx.receive(&f), RxVerdict::Accept { final_acked: false });
        let ack = rx.ack_for(&f);
        let mut ack_back = ack.clone();
        ack_back.iseqno = rx.iseqno;
        tx.receive(&ack_back);
    }
    assert_eq!(tx.in_flight(), 0);
}
