//! RFC 4733 telephone-events: what the sender puts on the wire and when, and a receiver that
//! reports each digit once whatever the network loses or repeats.

use std::time::{Duration, Instant};
use tandem_rtp::dtmf::{DtmfConfig, DtmfEvent, DtmfPacket};
use tandem_rtp::{DtmfReceiver, DtmfSender, RtpHeader, RtpPacket, TelephoneEvent};

const MS: Duration = Duration::from_millis(1);

/// Runs the sender on a fake clock, collecting (time since start in ms, packet).
fn run(sender: &mut DtmfSender, t0: Instant) -> Vec<(u128, DtmfPacket)> {
    let mut out = Vec::new();
    while let Some(due) = sender.poll_timeout() {
        while let Some(p) = sender.poll_packet(due) {
            out.push(((due - t0).as_millis(), p));
        }
        assert!(out.len() < 1000);
    }
    out
}

fn summary(packets: &[(u128, DtmfPacket)]) -> Vec<(u128, bool, bool, u16)> {
    packets
        .iter()
        .map(|(t, p)| (*t, p.marker, p.event.end, p.event.duration))
        .collect()
}

#[test]
fn a_100ms_digit_is_marker_update_then_three_ends_with_one_timestamp() {
    let t0 = Instant::now();
    let mut s = DtmfSender::new(DtmfConfig::default());
    assert!(s.start(t0, '5', 48_000, None));
    assert!(s.is_active());
    let packets = run(&mut s, t0);
    assert_eq!(
        summary(&packets),
        vec![
            (0, true, false, 400),
            (50, false, false, 800),
            (100, false, true, 800),
            (150, false, true, 800),
            (200, false, true, 800)
        ]
    );
    assert!(packets
        .iter()
        .all(|(_, p)| p.timestamp == 48_000 && p.event.event == 5 && p.event.volume == 10));
    assert!(!s.is_active());
}

#[test]
fn duration_grows_every_50ms_up_to_the_configured_length() {
    let t0 = Instant::now();
    let mut s = DtmfSender::new(DtmfConfig::default());
    assert!(s.start(t0, '#', 0, Some(MS * 250)));
    assert_eq!(
        summary(&run(&mut s, t0)),
        vec![
            (0, true, false, 400),
            (50, false, false, 800),
            (100, false, false, 1200),
            (150, false, false, 1600),
            (200, false, false, 2000),
            (250, false, true, 2000),
            (300, false, true, 2000),
            (350, false, true, 2000),
        ]
    );
}

#[test]
fn end_packets_back_to_back_as_asterisk_sends_them() {
    let t0 = Instant::now();
    let cfg = DtmfConfig {
        end_spacing: Duration::ZERO,
        ..DtmfConfig::default()
    };
    let mut s = DtmfSender::new(cfg);
    s.start(t0, '1', 0, Some(MS * 100));
    let times: Vec<u128> = run(&mut s, t0).iter().map(|(t, _)| *t).collect();
    assert_eq!(times, vec![0, 50, 100, 100, 100]);
}

#[test]
fn an_open_digit_ends_when_stopped_and_never_says_less_than_before() {
    let t0 = Instant::now();
    let mut s = DtmfSender::new(DtmfConfig::default());
    assert!(s.start_open(t0, '9', 7,));
    let mut got = Vec::new();
    for ms in [0u32, 50, 100] {
        while let Some(p) = s.poll_packet(t0 + MS * ms) {
            got.push(p);
        }
    }
    assert_eq!(s.poll_timeout(), Some(t0 + MS * 150));
    s.stop(t0 + MS * 130);
    let end = s.poll_packet(t0 + MS * 130).unwrap();
    assert!(end.event.end);
    assert_eq!(end.event.duration, 1200); // claimed by the 100 ms update, more than 130 ms' 1040
    assert_eq!(
        got.iter().map(|p| p.event.duration).collect::<Vec<_>>(),
        vec![400, 800, 1200]
    );
}

#[test]
fn a_second_digit_waits_for_the_first_and_non_digits_are_refused() {
    let t0 = Instant::now();
    let mut s = DtmfSender::new(DtmfConfig::default());
    assert!(!s.start(t0, 'z', 0, None));
    assert!(s.start(t0, '1', 0, None));
    assert!(!s.start(t0, '2', 0, None));
}

fn feed(
    rx: &mut DtmfReceiver,
    at: Instant,
    seq: u16,
    ts: u32,
    event: u8,
    end: bool,
    duration: u16,
) {
    let payload = TelephoneEvent {
        event,
        end,
        volume: 10,
        duration,
    }
    .to_bytes();
    rx.handle_packet(at, seq, ts, &payload).unwrap();
}

fn events(rx: &mut DtmfReceiver) -> Vec<DtmfEvent> {
    std::iter::from_fn(|| rx.poll_event()).collect()
}

#[test]
fn a_digit_is_reported_once_despite_three_end_packets() {
    let t0 = Instant::now();
    let mut rx = DtmfReceiver::with_defaults();
    feed(&mut rx, t0, 10, 1000, 5, false, 400);
    assert_eq!(events(&mut rx), vec![DtmfEvent::Begin { digit: '5' }]);
    feed(&mut rx, t0 + MS * 50, 11, 1000, 5, false, 800);
    for i in 0..3 {
        feed(
            &mut rx,
            t0 + MS * (100 + 50 * i),
            12 + i as u16,
            1000,
            5,
            true,
            800,
        );
    }
    assert_eq!(
        events(&mut rx),
        vec![DtmfEvent::End {
            digit: '5',
            duration: MS * 100
        }]
    );
    assert_eq!(rx.poll_timeout(), None);
}

#[test]
fn a_lost_start_packet_only_delays_the_begin() {
    let t0 = Instant::now();
    let mut rx = DtmfReceiver::with_defaults();
    // seq 20 (the marker packet) is lost.
    feed(&mut rx, t0 + MS * 50, 21, 8000, 11, false, 800);
    feed(&mut rx, t0 + MS * 100, 22, 8000, 11, true, 800);
    feed(&mut rx, t0 + MS * 150, 23, 8000, 11, true, 800);
    assert_eq!(
        events(&mut rx),
        vec![
            DtmfEvent::Begin { digit: '#' },
            DtmfEvent::End {
                digit: '#',
                duration: MS * 100
            }
        ]
    );
}

#[test]
fn only_end_packets_still_give_one_digit() {
    let t0 = Instant::now();
    let mut rx = DtmfReceiver::with_defaults();
    for i in 0..3u16 {
        feed(
            &mut rx,
            t0 + MS * u32::from(50 * i),
            30 + i,
            16000,
            1,
            true,
            960,
        );
    }
    assert_eq!(
        events(&mut rx),
        vec![
            DtmfEvent::Begin { digit: '1' },
            DtmfEvent::End {
                digit: '1',
                duration: MS * 120
            }
        ]
    );
}

#[test]
fn the_same_digit_twice_is_two_digits() {
    let t0 = Instant::now();
    let mut rx = DtmfReceiver::with_defaults();
    feed(&mut rx, t0, 1, 100, 7, false, 400);
    feed(&mut rx, t0 + MS * 50, 2, 100, 7, true, 800);
    feed(&mut rx, t0 + MS * 300, 3, 4100, 7, false, 400);
    feed(&mut rx, t0 + MS * 350, 4, 4100, 7, true, 800);
    let ends = events(&mut rx)
        .iter()
        .filter(|e| matches!(e, DtmfEvent::End { .. }))
        .count();
    assert_eq!(ends, 2);
}

#[test]
fn a_late_update_after_the_end_does_not_restart_the_digit() {
    let t0 = Instant::now();
    let mut rx = DtmfReceiver::with_defaults();
    feed(&mut rx, t0, 1, 100, 3, false, 400);
    feed(&mut rx, t0 + MS * 100, 3, 100, 3, true, 800);
    feed(&mut rx, t0 + MS * 110, 2, 100, 3, false, 800); // reordered update
    feed(&mut rx, t0 + MS * 400, 200, 100, 3, false, 800); // far-off duplicate of the old event
    assert_eq!(events(&mut rx).len(), 2);
}

#[test]
fn a_digit_whose_end_packets_are_all_lost_ends_after_the_timeout() {
    let t0 = Instant::now();
    let mut rx = DtmfReceiver::with_defaults();
    feed(&mut rx, t0, 1, 100, 0, false, 400);
    feed(&mut rx, t0 + MS * 50, 2, 100, 0, false, 800);
    assert_eq!(rx.active_digit(), Some('0'));
    assert_eq!(rx.poll_timeout(), Some(t0 + MS * 200));
    rx.handle_timeout(t0 + MS * 199);
    assert_eq!(events(&mut rx), vec![DtmfEvent::Begin { digit: '0' }]);
    rx.handle_timeout(t0 + MS * 200);
    assert_eq!(
        events(&mut rx),
        vec![DtmfEvent::End {
            digit: '0',
            duration: MS * 100
        }]
    );
    // Its end packets turning up later change nothing.
    feed(&mut rx, t0 + MS * 300, 3, 100, 0, true, 800);
    assert!(events(&mut rx).is_empty());
}

#[test]
fn a_new_digit_ends_the_one_still_active() {
    let t0 = Instant::now();
    let mut rx = DtmfReceiver::with_defaults();
    feed(&mut rx, t0, 1, 100, 4, false, 400);
    feed(&mut rx, t0 + MS * 60, 2, 900, 6, false, 400);
    assert_eq!(
        events(&mut rx),
        vec![
            DtmfEvent::Begin { digit: '4' },
            DtmfEvent::End {
                digit: '4',
                duration: MS * 50
            },
            DtmfEvent::Begin { digit: '6' }
        ]
    );
}

#[test]
fn durations_past_16_bits_keep_growing() {
    let t0 = Instant::now();
    let mut rx = DtmfReceiver::with_defaults();
    feed(&mut rx, t0, 1, 0, 2, false, 64_800);
    feed(&mut rx, t0 + MS * 50, 2, 0, 2, false, 65_200);
    feed(&mut rx, t0 + MS * 100, 3, 0, 2, true, 64); // 65_600 wrapped
    let e = events(&mut rx);
    assert_eq!(
        e[1],
        DtmfEvent::End {
            digit: '2',
            duration: Duration::from_nanos(65_600 * 125_000)
        }
    );
}

#[test]
fn non_dtmf_events_are_ignored() {
    let t0 = Instant::now();
    let mut rx = DtmfReceiver::with_defaults();
    feed(&mut rx, t0, 1, 0, 32, false, 400); // 32: answer tone (RFC 4734)
    assert!(events(&mut rx).is_empty());
}

#[test]
fn sent_digits_cross_a_lossy_link_as_the_same_digits() {
    let t0 = Instant::now();
    let mut tx = DtmfSender::new(DtmfConfig::default());
    let mut rx = DtmfReceiver::with_defaults();
    let mut seq = 1000u16;
    let mut now = t0;
    let mut got = String::new();
    for (n, digit) in "1234567890*#ABCD".chars().enumerate() {
        assert!(tx.start(now, digit, 8000 * n as u32, None));
        let mut k = 0;
        while let Some(due) = tx.poll_timeout() {
            now = due;
            while let Some(p) = tx.poll_packet(now) {
                let h = RtpHeader {
                    marker: p.marker,
                    ..RtpHeader::new(101, seq, p.timestamp, 0x55)
                };
                seq = seq.wrapping_add(1);
                let bytes = h.to_vec(&p.event.to_bytes()).unwrap();
                // Lose the first packet of odd digits and the first end packet of every digit.
                let lost = (k == 0 && n % 2 == 1) || (p.event.end && k == 2);
                k += 1;
                if !lost {
                    let pkt = RtpPacket::parse(&bytes).unwrap();
                    rx.handle_packet(now, pkt.sequence(), pkt.timestamp(), pkt.payload())
                        .unwrap();
                }
            }
        }
        now += MS * 100;
        rx.handle_timeout(now);
        while let Some(e) = rx.poll_event() {
            if let DtmfEvent::End { digit, duration } = e {
                assert_eq!(duration, MS * 100);
                got.push(digit);
            }
        }
    }
    assert_eq!(got, "1234567890*#ABCD");
}
