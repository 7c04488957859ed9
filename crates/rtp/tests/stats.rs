//! Receiver and sender statistics against hand-computed answers.

use std::time::{Duration, Instant};
use tandem_rtp::stats::{ReceiverStats, SenderStats, SeqCheck};

const MS: Duration = Duration::from_millis(1);

#[test]
fn jitter_matches_rfc3550_a8_on_a_known_series() {
    // Packets every 20 ms (160 samples); arrivals alternate on time and 10 ms late, so every
    // transit difference D is 80 samples. J(n) = J(n-1) + (80 - J(n-1)) / 16.
    let t0 = Instant::now();
    let mut s = ReceiverStats::new(1, 8000);
    let mut expected = 0.0f64;
    for i in 0..40u32 {
        let late = if i % 2 == 1 { 10 } else { 0 };
        let arrival = t0 + MS * (20 * i + late);
        s.on_packet(arrival, i as u16, 1000 + 160 * i, 160);
        if i >= 1 {
            expected += (80.0 - expected) / 16.0;
        }
        assert!(
            (s.jitter_exact() - expected).abs() < 1e-9,
            "packet {i}: {} vs {expected}",
            s.jitter_exact()
        );
    }
    // Checked by hand: after the 2nd packet J = 5, after the 3rd J = 5 + 75/16 = 9.6875.
    let mut s = ReceiverStats::new(1, 8000);
    s.on_packet(t0, 0, 0, 160);
    s.on_packet(t0 + MS * 30, 1, 160, 160);
    assert_eq!(s.jitter_exact(), 5.0);
    s.on_packet(t0 + MS * 40, 2, 320, 160);
    assert_eq!(s.jitter_exact(), 9.6875);
    assert_eq!(s.jitter(), 9);
}

#[test]
fn a_steady_stream_has_zero_jitter() {
    let t0 = Instant::now();
    let mut s = ReceiverStats::new(1, 8000);
    for i in 0..100u32 {
        s.on_packet(
            t0 + MS * (20 * i) + Duration::from_secs(3),
            i as u16,
            0xffff_ff00u32.wrapping_add(160 * i),
            160,
        );
    }
    assert_eq!(s.jitter(), 0);
}

#[test]
fn loss_is_counted_across_the_65535_wraparound() {
    let t0 = Instant::now();
    let mut s = ReceiverStats::new(7, 8000);
    // 65530..=65535, then 0..=9, with 65533, 1 and 2 lost.
    let seqs: Vec<u16> = (65530..=65535u16)
        .chain(0..=9)
        .filter(|&q| q != 65533 && q != 1 && q != 2)
        .collect();
    for (i, &q) in seqs.iter().enumerate() {
        assert_eq!(
            s.on_packet(t0 + MS * (20 * i as u32), q, 160 * i as u32, 160),
            SeqCheck::Valid
        );
    }
    assert_eq!(s.extended_highest_seq(), 65536 + 9);
    assert_eq!(s.expected(), 16);
    assert_eq!(s.received(), 13);
    assert_eq!(s.cumulative_lost(), 3);
    let block = s.report_block(t0 + Duration::from_secs(1));
    assert_eq!(block.cumulative_lost, 3);
    assert_eq!(block.extended_highest_seq, 0x0001_0009);
    assert_eq!(block.fraction_lost, (3 * 256 / 16) as u8); // 48
                                                           // Next interval: 10 more packets, none lost: the fraction goes back to 0.
    for q in 10..20u16 {
        s.on_packet(t0 + Duration::from_secs(2), q, 0, 160);
    }
    let block = s.report_block(t0 + Duration::from_secs(3));
    assert_eq!(block.fraction_lost, 0);
    assert_eq!(block.cumulative_lost, 3);
}

#[test]
fn duplicates_make_loss_negative_and_reordering_is_not_loss() {
    let t0 = Instant::now();
    let mut s = ReceiverStats::new(7, 8000);
    for q in [100u16, 102, 101, 103, 103, 104] {
        s.on_packet(t0, q, 0, 160);
    }
    assert_eq!(s.expected(), 5);
    assert_eq!(s.received(), 6);
    assert_eq!(s.cumulative_lost(), -1);
    assert_eq!(s.report_block(t0).cumulative_lost, -1);
}

#[test]
fn a_large_jump_restarts_only_when_the_next_packet_confirms_it() {
    let t0 = Instant::now();
    let mut s = ReceiverStats::new(7, 8000);
    for q in 0..10u16 {
        s.on_packet(t0, q, 0, 160);
    }
    assert_eq!(s.on_packet(t0, 30_000, 0, 160), SeqCheck::Bad);
    assert_eq!(s.on_packet(t0, 10, 0, 160), SeqCheck::Valid); // a stray, stream goes on
    assert_eq!(s.on_packet(t0, 40_000, 0, 160), SeqCheck::Bad);
    assert_eq!(s.on_packet(t0, 40_001, 0, 160), SeqCheck::Restarted);
    assert_eq!(s.expected(), 1);
    assert_eq!(s.received(), 1);
    assert_eq!(s.cumulative_lost(), 0);
}

#[test]
fn dlsr_counts_the_time_since_the_last_sender_report() {
    let t0 = Instant::now();
    let mut s = ReceiverStats::new(7, 8000);
    s.on_packet(t0, 1, 0, 160);
    assert_eq!(
        (
            s.report_block(t0).last_sr,
            s.report_block(t0).delay_since_last_sr
        ),
        (0, 0)
    );
    s.on_sender_report(t0, 0xb705_2000);
    let block = s.report_block(t0 + Duration::from_millis(5250));
    assert_eq!(block.last_sr, 0xb705_2000);
    assert_eq!(block.delay_since_last_sr, 0x0005_4000);
}

#[test]
fn sender_rtp_timestamp_advances_with_time_since_the_last_packet() {
    let t0 = Instant::now();
    let mut s = SenderStats::new(8000);
    assert_eq!(s.rtp_timestamp_at(t0), 0);
    s.on_sent(t0, 1000, 160);
    s.on_sent(t0 + MS * 20, 1160, 160);
    assert_eq!((s.packets(), s.octets()), (2, 320));
    assert_eq!(s.rtp_timestamp_at(t0 + MS * 120), 1160 + 800);
    assert_eq!(s.last_sent(), Some(t0 + MS * 20));
}
