//! The frame-path jitter buffer: reorder, conceal loss, drop late, stay bounded.

use std::time::{Duration, Instant};
use tandem_rtp::jitter::{JitterConfig, PushOutcome};
use tandem_rtp::{JitterBuffer, Playout};

const MS: Duration = Duration::from_millis(1);

/// Pops every 20 ms from `from` for `ticks` ticks; returns what came out per tick.
fn drain(jb: &mut JitterBuffer, from: Instant, ticks: u32) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..ticks {
        let now = from + MS * (20 * i);
        while let Some(p) = jb.pop(now) {
            out.push(match p {
                Playout::Frame(f) => format!("{}", f.seq),
                Playout::Missing { seq, .. } => format!("miss{seq}"),
            });
        }
    }
    out
}

fn push(jb: &mut JitterBuffer, at: Instant, seq: u16) -> PushOutcome {
    jb.push(at, seq, u32::from(seq) * 160, false, 0, &[seq as u8; 160])
}

#[test]
fn reordered_packets_come_out_in_sequence() {
    let t0 = Instant::now();
    let mut jb = JitterBuffer::new(JitterConfig::default());
    for (i, seq) in [0u16, 2, 1, 4, 3, 5].into_iter().enumerate() {
        push(&mut jb, t0 + MS * (20 * i as u32), seq);
    }
    assert_eq!(drain(&mut jb, t0, 20), vec!["0", "1", "2", "3", "4", "5"]);
}

#[test]
fn nothing_plays_before_the_target_delay() {
    let t0 = Instant::now();
    let mut jb = JitterBuffer::new(JitterConfig::default());
    push(&mut jb, t0, 0);
    assert_eq!(jb.pop(t0 + MS * 59), None);
    assert_eq!(jb.poll_timeout(), Some(t0 + MS * 60));
    assert!(
        matches!(jb.pop(t0 + MS * 60), Some(Playout::Frame(f)) if f.seq == 0 && f.payload.len() == 160)
    );
}

#[test]
fn a_lost_packet_is_reported_missing_at_its_slot() {
    let t0 = Instant::now();
    let mut jb = JitterBuffer::new(JitterConfig::default());
    for seq in [0u16, 1, 3, 4] {
        push(&mut jb, t0 + MS * (20 * u32::from(seq)), seq);
    }
    assert!(matches!(jb.pop(t0 + MS * 80), Some(Playout::Frame(_))));
    assert!(matches!(jb.pop(t0 + MS * 80), Some(Playout::Frame(_))));
    assert_eq!(
        jb.pop(t0 + MS * 99),
        None,
        "the gap is not due before its time"
    );
    assert_eq!(
        jb.pop(t0 + MS * 100),
        Some(Playout::Missing {
            seq: 2,
            timestamp: 320
        })
    );
    assert!(matches!(jb.pop(t0 + MS * 120), Some(Playout::Frame(f)) if f.seq == 3));
    assert_eq!(jb.stats().missing, 1);
}

#[test]
fn a_packet_after_its_slot_was_concealed_is_dropped_as_late() {
    let t0 = Instant::now();
    let mut jb = JitterBuffer::new(JitterConfig::default());
    push(&mut jb, t0, 0);
    push(&mut jb, t0 + MS * 40, 2);
    assert_eq!(drain(&mut jb, t0, 5), vec!["0", "miss1"]);
    assert_eq!(push(&mut jb, t0 + MS * 90, 1), PushOutcome::Late);
    assert_eq!(drain(&mut jb, t0 + MS * 100, 2), vec!["2"]);
    assert_eq!(jb.stats().late, 1);
}

#[test]
fn duplicates_are_dropped() {
    let t0 = Instant::now();
    let mut jb = JitterBuffer::new(JitterConfig::default());
    assert_eq!(push(&mut jb, t0, 0), PushOutcome::Restarted); // the first packet anchors
    assert_eq!(push(&mut jb, t0, 1), PushOutcome::Buffered);
    assert_eq!(push(&mut jb, t0, 1), PushOutcome::Duplicate);
    assert_eq!(jb.len(), 2);
}

#[test]
fn silence_suppression_gaps_are_not_loss() {
    // Seq continuous, timestamp jumps 400 ms (DTX): nothing is reported missing, the next
    // talkspurt plays at its own time.
    let t0 = Instant::now();
    let mut jb = JitterBuffer::new(JitterConfig::default());
    jb.push(t0, 0, 0, true, 0, &[0; 160]);
    jb.push(t0 + MS * 420, 1, 3360, true, 0, &[0; 160]);
    assert!(jb.pop(t0 + MS * 60).is_some());
    assert_eq!(jb.pop(t0 + MS * 400), None);
    assert!(matches!(jb.pop(t0 + MS * 480), Some(Playout::Frame(f)) if f.seq == 1));
    assert_eq!(jb.stats().missing, 0);
}

#[test]
fn the_buffer_stays_bounded() {
    let t0 = Instant::now();
    let cfg = JitterConfig {
        max_packets: 10,
        ..JitterConfig::default()
    };
    let mut jb = JitterBuffer::new(cfg);
    // Packets keep coming on time but nobody pops: the oldest are given up.
    for seq in 0..100u16 {
        let outcome = push(&mut jb, t0 + MS * (20 * u32::from(seq)), seq);
        assert!(
            seq == 0 || outcome == PushOutcome::Buffered,
            "{seq}: {outcome:?}"
        );
        assert!(jb.len() <= 10);
    }
    assert_eq!(jb.stats().overflow, 90);
    assert_eq!(jb.stats().restarts, 0);
}

#[test]
fn sequence_numbers_wrap_through_65535() {
    let t0 = Instant::now();
    let mut jb = JitterBuffer::new(JitterConfig::default());
    for (i, seq) in [65534u16, 0, 65535, 1].into_iter().enumerate() {
        jb.push(
            t0 + MS * (20 * i as u32),
            seq,
            (i as u32) * 160,
            false,
            0,
            &[],
        );
    }
    // Timestamps were given in arrival order, not seq order; only the order matters here.
    let mut seqs = Vec::new();
    while let Some(p) = jb.pop(t0 + Duration::from_secs(1)) {
        if let Playout::Frame(f) = p {
            seqs.push(f.seq);
        }
    }
    assert_eq!(seqs, vec![65534, 65535, 0, 1]);
}

#[test]
fn a_new_stream_restarts_the_buffer() {
    let t0 = Instant::now();
    let mut jb = JitterBuffer::new(JitterConfig::default());
    push(&mut jb, t0, 10);
    assert_eq!(
        jb.push(t0 + MS * 20, 40_000, 99, true, 0, &[]),
        PushOutcome::Restarted
    );
    assert_eq!(jb.stats().restarts, 1);
    assert!(matches!(jb.pop(t0 + MS * 80), Some(Playout::Frame(f)) if f.seq == 40_000));
}

#[test]
fn adaptive_mode_adds_a_frame_of_delay_per_late_packet_up_to_the_bound() {
    let t0 = Instant::now();
    let cfg = JitterConfig {
        adaptive: true,
        max_delay: MS * 100,
        ..JitterConfig::default()
    };
    let mut jb = JitterBuffer::new(cfg);
    push(&mut jb, t0, 0);
    push(&mut jb, t0 + MS * 40, 2);
    drain(&mut jb, t0, 5);
    push(&mut jb, t0 + MS * 90, 1);
    assert_eq!(jb.delay(), MS * 80);
    for _ in 0..5 {
        push(&mut jb, t0 + MS * 90, 1);
    }
    assert_eq!(jb.delay(), MS * 100);
}
