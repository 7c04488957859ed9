use super::*;

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

const PHONE: &str = "192.0.2.10:4000";
const NAT: &str = "198.51.100.7:31000";
const STRANGER: &str = "203.0.113.66:5555";

fn latch(mode: StrictMode, comedia: bool) -> (Latch, Instant) {
    let t0 = Instant::now();
    let cfg = LatchConfig {
        mode,
        probation: 4,
        comedia,
    };
    (Latch::new(t0, cfg), t0)
}

/// Feed `n` packets 20 ms apart from `from`, sequence numbers from `seq`; the verdicts.
fn feed(l: &mut Latch, at: &mut Instant, from: &str, seq: u16, n: u16) -> Vec<Verdict> {
    (0..n)
        .map(|i| {
            *at += Duration::from_millis(20);
            l.handle_packet(*at, addr(from), seq.wrapping_add(i))
        })
        .collect()
}

use Verdict::{Accept, Drop};

#[test]
fn strictrtp_no_accepts_every_source() {
    let (mut l, mut t) = latch(StrictMode::No, false);
    l.set_target(t, addr(PHONE));
    assert_eq!(feed(&mut l, &mut t, STRANGER, 1, 2), [Accept, Accept]);
    assert_eq!(l.state(), State::Open);
    assert_eq!(l.dropped(), 0);
}

#[test]
fn the_sdp_address_is_latched_by_its_first_packet() {
    let (mut l, mut t) = latch(StrictMode::Yes, false);
    l.set_target(t, addr(PHONE));
    assert_eq!(feed(&mut l, &mut t, PHONE, 100, 1), [Accept]);
    assert_eq!(l.latched(), Some(addr(PHONE)));
    assert_eq!(l.state(), State::Learn, "learning goes on for 5 s");
}

#[test]
fn learning_locks_on_the_latched_source_after_five_seconds() {
    let (mut l, mut t) = latch(StrictMode::Yes, false);
    l.set_target(t, addr(PHONE));
    feed(&mut l, &mut t, PHONE, 1, 250); // 5 s of audio
    feed(&mut l, &mut t, PHONE, 251, 2);
    assert_eq!(l.state(), State::Closed);
    assert_eq!(feed(&mut l, &mut t, STRANGER, 1, 10), [Drop; 10]);
    assert_eq!(l.dropped(), 10);
    assert_eq!(feed(&mut l, &mut t, PHONE, 253, 1), [Accept]);
}

#[test]
fn a_new_source_is_dropped_until_four_packets_in_sequence_then_latched() {
    // A phone behind NAT: its SDP names a private address, RTP comes from the router.
    let (mut l, mut t) = latch(StrictMode::Yes, false);
    l.set_target(t, addr(PHONE));
    assert_eq!(
        feed(&mut l, &mut t, NAT, 500, 5),
        [Drop, Drop, Drop, Accept, Accept]
    );
    assert_eq!(l.latched(), Some(addr(NAT)));
    assert_eq!(l.state(), State::Closed, "probation passed: closed at once");
    assert_eq!(feed(&mut l, &mut t, PHONE, 1, 1), [Drop]);
}

#[test]
fn a_sequence_gap_restarts_probation() {
    let (mut l, mut t) = latch(StrictMode::Yes, false);
    assert_eq!(feed(&mut l, &mut t, NAT, 10, 2), [Drop, Drop]);
    assert_eq!(
        feed(&mut l, &mut t, NAT, 20, 1),
        [Drop],
        "gap: probation - 1 to go"
    );
    assert_eq!(feed(&mut l, &mut t, NAT, 21, 3), [Drop, Drop, Accept]);
}

#[test]
fn a_stranger_interleaved_with_the_latched_stream_never_takes_over() {
    let (mut l, mut t) = latch(StrictMode::Yes, false);
    l.set_target(t, addr(PHONE));
    let mut verdicts = Vec::new();
    for i in 0..50u16 {
        verdicts.extend(feed(&mut l, &mut t, PHONE, 1000 + i, 1));
        verdicts.extend(feed(&mut l, &mut t, STRANGER, 7000 + i, 1));
    }
    let stranger: Vec<_> = verdicts.iter().skip(1).step_by(2).collect();
    assert!(stranger.iter().all(|v| **v == Drop), "{verdicts:?}");
    assert_eq!(l.latched(), Some(addr(PHONE)));
}

#[test]
fn a_source_that_goes_quiet_is_replaced_by_one_passing_probation_while_learning() {
    let (mut l, mut t) = latch(StrictMode::Yes, false);
    l.set_target(t, addr(PHONE));
    feed(&mut l, &mut t, PHONE, 1, 3);
    assert_eq!(feed(&mut l, &mut t, NAT, 40, 4), [Drop, Drop, Drop, Accept]);
    assert_eq!(l.latched(), Some(addr(NAT)));
}

#[test]
fn a_flood_faster_than_audio_does_not_pass_probation_with_strictrtp_yes() {
    let (mut l, t0) = latch(StrictMode::Yes, false);
    // Four packets within 1 ms: less than (4 - 1) * 9 - 5 = 22 ms.
    let v: Vec<_> = (0..4u16)
        .map(|i| {
            l.handle_packet(
                t0 + Duration::from_micros(250 * u64::from(i)),
                addr(STRANGER),
                i,
            )
        })
        .collect();
    assert_eq!(v, [Drop; 4]);
    assert_eq!(l.latched(), None);
}

#[test]
fn strictrtp_seqno_latches_a_burst_by_sequence_numbers_alone() {
    let (mut l, t0) = latch(StrictMode::Seqno, false);
    let v: Vec<_> = (0..4u16)
        .map(|i| l.handle_packet(t0 + Duration::from_micros(250 * u64::from(i)), addr(NAT), i))
        .collect();
    assert_eq!(v, [Drop, Drop, Drop, Accept]);
}

#[test]
fn probation_one_latches_the_first_packet() {
    let t0 = Instant::now();
    let cfg = LatchConfig {
        mode: StrictMode::Yes,
        probation: 1,
        comedia: false,
    };
    let mut l = Latch::new(t0, cfg);
    assert_eq!(l.handle_packet(t0, addr(NAT), 9), Accept);
    assert_eq!(l.state(), State::Closed);
}

#[test]
fn without_comedia_replies_keep_going_to_the_sdp_address() {
    let (mut l, mut t) = latch(StrictMode::Yes, false);
    l.set_target(t, addr(PHONE));
    feed(&mut l, &mut t, NAT, 1, 4);
    assert_eq!(l.remote(), Some(addr(PHONE)));
}

#[test]
fn with_comedia_replies_go_to_the_latched_source() {
    let (mut l, mut t) = latch(StrictMode::Yes, true);
    l.set_target(t, addr(PHONE));
    feed(&mut l, &mut t, NAT, 1, 3);
    assert_eq!(l.remote(), Some(addr(PHONE)), "not before probation passes");
    feed(&mut l, &mut t, NAT, 4, 1);
    assert_eq!(l.remote(), Some(addr(NAT)));
}

#[test]
fn with_no_sdp_address_the_first_accepted_source_is_the_remote() {
    let (mut l, mut t) = latch(StrictMode::No, false);
    feed(&mut l, &mut t, NAT, 1, 1);
    assert_eq!(l.remote(), Some(addr(NAT)));
}

#[test]
fn a_new_sdp_address_after_locking_learns_again() {
    let (mut l, mut t) = latch(StrictMode::Yes, false);
    l.set_target(t, addr(PHONE));
    feed(&mut l, &mut t, PHONE, 1, 260);
    assert_eq!(l.state(), State::Closed);
    // A re-INVITE moves the media (a transfer, a new device).
    l.set_target(t, addr(NAT));
    assert_eq!(l.state(), State::Learn);
    assert_eq!(feed(&mut l, &mut t, NAT, 1, 1), [Accept]);
    assert_eq!(l.latched(), Some(addr(NAT)));
    // The same address again does not restart learning.
    feed(&mut l, &mut t, NAT, 2, 260);
    l.set_target(t, addr(NAT));
    assert_eq!(l.state(), State::Closed);
}
