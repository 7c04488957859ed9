//! The relay path's Rewriter: one continuous outbound stream whatever the sources do.

use std::time::{Duration, Instant};
use tandem_rtp::rewriter::DropReason;
use tandem_rtp::{Decision, Rewriter, RtpHeader, RtpPacket};

const MS: Duration = Duration::from_millis(1);
const OUT: u32 = 0x7a7a_7a7a;

fn packet(ssrc: u32, seq: u16, ts: u32, pt: u8) -> Vec<u8> {
    RtpHeader::new(pt, seq, ts, ssrc)
        .to_vec(&[0xd5; 160])
        .unwrap()
}

/// Rewrites and returns (seq, ts, marker) of what goes out.
fn relay(rw: &mut Rewriter, now: Instant, mut bytes: Vec<u8>) -> Option<(u16, u32, bool)> {
    match rw.rewrite(now, &mut bytes) {
        Decision::Forward => {
            let p = RtpPacket::parse(&bytes).unwrap();
            assert_eq!(p.ssrc(), OUT);
            assert_eq!(p.payload(), &[0xd5; 160], "payload untouched");
            Some((p.sequence(), p.timestamp(), p.marker()))
        }
        Decision::Drop(_) => None,
    }
}

#[test]
fn seq_and_timestamp_stay_continuous_across_an_ssrc_change() {
    let t0 = Instant::now();
    let mut rw = Rewriter::new(OUT, 8000);
    // Early media from the gateway: ssrc A, seq 5000.., ts 90000..
    let mut out = Vec::new();
    for i in 0..10u16 {
        out.push(
            relay(
                &mut rw,
                t0 + MS * (20 * u32::from(i)),
                packet(0xa, 5000 + i, 90_000 + 160 * u32::from(i), 0),
            )
            .unwrap(),
        );
    }
    // The answered leg: ssrc B starts at seq 17, ts 3_000_000, 20 ms after A's last packet.
    for i in 0..10u16 {
        let at = t0 + MS * (200 + 20 * u32::from(i));
        out.push(
            relay(
                &mut rw,
                at,
                packet(0xb, 17 + i, 3_000_000 + 160 * u32::from(i), 0),
            )
            .unwrap(),
        );
    }
    for w in out.windows(2) {
        assert_eq!(w[1].0, w[0].0.wrapping_add(1), "seq continuous");
        assert_eq!(w[1].1, w[0].1.wrapping_add(160), "timestamp continuous");
    }
    assert_eq!(
        out[0],
        (5000, 90_000, false),
        "the first source passes unchanged"
    );
    assert!(out[10].2, "marker on the first packet of the new source");
    assert!(out.iter().enumerate().all(|(i, o)| o.2 == (i == 10)));
    assert_eq!(rw.stats().source_changes, 1);
}

#[test]
fn a_pause_between_sources_advances_the_timestamp_by_the_wall_time() {
    let t0 = Instant::now();
    let mut rw = Rewriter::new(OUT, 8000);
    let a = relay(&mut rw, t0, packet(0xa, 1, 1000, 0)).unwrap();
    let b = relay(&mut rw, t0 + Duration::from_secs(2), packet(0xb, 999, 5, 0)).unwrap();
    assert_eq!(b.0, a.0 + 1);
    assert_eq!(b.1, a.1 + 16_000);
}

#[test]
fn stragglers_of_the_old_source_are_dropped_after_a_switch() {
    let t0 = Instant::now();
    let mut rw = Rewriter::new(OUT, 8000);
    relay(&mut rw, t0, packet(0xa, 1, 0, 0)).unwrap();
    relay(&mut rw, t0 + MS * 20, packet(0xb, 1, 0, 0)).unwrap();
    let mut late = packet(0xa, 2, 160, 0);
    assert_eq!(
        rw.rewrite(t0 + MS * 25, &mut late),
        Decision::Drop(DropReason::StaleSource)
    );
}

#[test]
fn an_explicit_switch_back_to_the_previous_source_relays_it_again() {
    // A, then a prompt (P) played on the leg, then A again: A must not count as stale.
    let t0 = Instant::now();
    let mut rw = Rewriter::new(OUT, 8000);
    relay(&mut rw, t0, packet(0xa, 1, 0, 0)).unwrap();
    rw.switch_source();
    let p = relay(&mut rw, t0 + MS * 20, packet(0xf, 500, 9000, 0)).unwrap();
    rw.switch_source();
    let a = relay(&mut rw, t0 + MS * 40, packet(0xa, 90, 14_400, 0)).unwrap();
    assert_eq!((a.0, a.1, a.2), (p.0 + 1, p.1 + 160, true));
    assert!(relay(&mut rw, t0 + MS * 60, packet(0xa, 91, 14_560, 0)).is_some());
    // The prompt's stragglers are stale now.
    let mut late = packet(0xf, 501, 9160, 0);
    assert_eq!(
        rw.rewrite(t0 + MS * 65, &mut late),
        Decision::Drop(DropReason::StaleSource)
    );
}

#[test]
fn an_explicit_switch_reanchors_even_with_the_same_ssrc() {
    let t0 = Instant::now();
    let mut rw = Rewriter::new(OUT, 8000);
    let a = relay(&mut rw, t0, packet(0xa, 100, 0, 0)).unwrap();
    rw.switch_source();
    let b = relay(&mut rw, t0 + MS * 20, packet(0xa, 40, 777, 0)).unwrap();
    assert_eq!((b.0, b.1, b.2), (a.0 + 1, a.1 + 160, true));
    let c = relay(&mut rw, t0 + MS * 40, packet(0xa, 41, 937, 0)).unwrap();
    assert_eq!((c.0, c.1, c.2), (a.0 + 2, a.1 + 320, false));
}

#[test]
fn reordering_loss_and_wraparound_within_a_source_pass_through() {
    let t0 = Instant::now();
    let mut rw = Rewriter::new(OUT, 8000);
    relay(&mut rw, t0, packet(0xa, 65000, 0, 0)).unwrap();
    relay(&mut rw, t0, packet(0xb, 65534, 0, 0)).unwrap(); // anchor: out seq 65001 for in 65534
    let seqs: Vec<u16> = [65535u16, 1, 0, 3]
        .into_iter()
        .map(|s| relay(&mut rw, t0, packet(0xb, s, 0, 0)).unwrap().0)
        .collect();
    assert_eq!(seqs, vec![65002, 65004, 65003, 65006]);
}

#[test]
fn a_sequence_jump_within_one_ssrc_is_treated_as_a_new_source() {
    let t0 = Instant::now();
    let mut rw = Rewriter::new(OUT, 8000);
    relay(&mut rw, t0, packet(0xa, 10, 0, 0)).unwrap();
    let b = relay(&mut rw, t0 + MS * 20, packet(0xa, 20_000, 0, 0)).unwrap();
    assert_eq!((b.0, b.2), (11, true));
}

#[test]
fn disallowed_payload_types_and_junk_are_dropped() {
    let t0 = Instant::now();
    let mut rw = Rewriter::new(OUT, 8000);
    rw.allow_only(&[0, 101]);
    assert!(relay(&mut rw, t0, packet(0xa, 1, 0, 0)).is_some());
    assert!(relay(&mut rw, t0, packet(0xa, 2, 0, 101)).is_some());
    let mut g722 = packet(0xa, 3, 0, 9);
    assert_eq!(
        rw.rewrite(t0, &mut g722),
        Decision::Drop(DropReason::PayloadType)
    );
    let mut junk = vec![0x40; 30];
    assert_eq!(
        rw.rewrite(t0, &mut junk),
        Decision::Drop(DropReason::Malformed)
    );
    let mut short = vec![0x80; 5];
    assert_eq!(
        rw.rewrite(t0, &mut short),
        Decision::Drop(DropReason::Malformed)
    );
    assert_eq!(rw.stats().dropped, 3);
}

#[test]
fn dtmf_packets_keep_their_shared_timestamp_through_the_rewrite() {
    let t0 = Instant::now();
    let mut rw = Rewriter::new(OUT, 8000);
    relay(&mut rw, t0, packet(0xa, 1, 1000, 0)).unwrap();
    relay(&mut rw, t0, packet(0xb, 50, 7000, 0)).unwrap();
    let a = relay(&mut rw, t0, packet(0xb, 51, 7160, 101)).unwrap();
    let b = relay(&mut rw, t0, packet(0xb, 52, 7160, 101)).unwrap();
    assert_eq!(a.1, b.1);
    assert_eq!(b.0, a.0 + 1);
}
