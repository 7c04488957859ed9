use std::time::{Duration, Instant};

use super::*;

const MS: Duration = Duration::from_millis(1);

/// A PCMU packet whose 160 samples are all `level` (so each frame says which packet it was).
fn packet(seq: u16, level: i16) -> Vec<u8> {
    let mut p = vec![0x80, 0x00];
    p.extend(seq.to_be_bytes());
    p.extend((u32::from(seq) * 160).to_be_bytes());
    p.extend(0x1234_5678u32.to_be_bytes());
    let mut payload = [0u8; 160];
    tandem_codec::ulaw::encode(&[level; 160], &mut payload);
    p.extend(payload);
    p
}

fn level(seq: u16) -> i16 {
    1000 + 100 * seq as i16
}

/// Everything due every 20 ms from `t0` for `ticks` ticks, as one sample per frame (its
/// first) and the frame lengths.
fn run(fp: &mut FramePath, t0: Instant, ticks: u32) -> (Vec<i16>, Vec<usize>) {
    let (mut firsts, mut lens) = (Vec::new(), Vec::new());
    for i in 0..ticks {
        while let Some(frame) = fp.pop(t0 + MS * (20 * i)) {
            firsts.push(frame.first().copied().unwrap_or(i16::MIN));
            lens.push(frame.len());
        }
    }
    (firsts, lens)
}

/// What PCMU makes of `level` (G.711 is lossy).
fn decoded(level: i16) -> i16 {
    let mut b = [0u8; 1];
    tandem_codec::ulaw::encode(&[level], &mut b);
    let mut s = [0i16; 1];
    tandem_codec::ulaw::decode(&b, &mut s);
    s[0]
}

#[test]
fn reordered_packets_are_recorded_in_sequence_order() {
    let t0 = Instant::now();
    let mut fp = FramePath::new(0, CodecKind::Pcmu).expect("PCMU");
    for (i, seq) in [0u16, 2, 1, 3, 5, 4].into_iter().enumerate() {
        fp.push(t0 + MS * (20 * i as u32), &packet(seq, level(seq)));
    }
    let (firsts, lens) = run(&mut fp, t0, 20);
    let want: Vec<i16> = (0..6).map(|s| decoded(level(s))).collect();
    assert_eq!(firsts, want);
    assert_eq!(lens, vec![160; 6]);
}

#[test]
fn nothing_is_recorded_before_the_buffer_delay_then_one_frame_per_20_ms() {
    let t0 = Instant::now();
    let mut fp = FramePath::new(0, CodecKind::Pcmu).expect("PCMU");
    fp.push(t0, &packet(0, 500));
    fp.push(t0 + MS, &packet(1, 500));
    assert!(fp.pop(t0 + MS * 59).is_none());
    assert_eq!(fp.next_due(), Some(t0 + MS * 60));
    assert_eq!(fp.pop(t0 + MS * 60).map(<[i16]>::len), Some(160));
    assert!(
        fp.pop(t0 + MS * 79).is_none(),
        "the next one is 20 ms later"
    );
    assert_eq!(fp.pop(t0 + MS * 80).map(<[i16]>::len), Some(160));
}

#[test]
fn a_lost_packet_is_20_ms_of_silence_so_the_length_follows_the_timestamps() {
    let t0 = Instant::now();
    let mut fp = FramePath::new(0, CodecKind::Pcmu).expect("PCMU");
    for seq in [0u16, 1, 3, 4] {
        fp.push(t0 + MS * (20 * u32::from(seq)), &packet(seq, level(seq)));
    }
    let (firsts, lens) = run(&mut fp, t0, 20);
    assert_eq!(
        firsts,
        vec![
            decoded(level(0)),
            decoded(level(1)),
            0,
            decoded(level(3)),
            decoded(level(4))
        ]
    );
    assert_eq!(lens.iter().sum::<usize>(), 5 * 160, "100 ms of timestamps");
}

#[test]
fn a_lost_g722_packet_is_silence_as_long_as_a_frame_at_8_khz() {
    let t0 = Instant::now();
    let mut fp = FramePath::new(9, CodecKind::G722).expect("G.722");
    let g722 = |seq: u16| {
        let mut p = vec![0x80, 9];
        p.extend(seq.to_be_bytes());
        p.extend((u32::from(seq) * 160).to_be_bytes());
        p.extend(1u32.to_be_bytes());
        p.extend([0xfau8; 160]);
        p
    };
    for seq in [0u16, 2] {
        fp.push(t0 + MS * (20 * u32::from(seq)), &g722(seq));
    }
    let (_, lens) = run(&mut fp, t0, 20);
    assert_eq!(
        lens,
        vec![160, 160, 160],
        "320 samples at 16 kHz are 160 at 8 kHz"
    );
}

#[test]
fn duplicates_and_late_packets_are_dropped() {
    let t0 = Instant::now();
    let mut fp = FramePath::new(0, CodecKind::Pcmu).expect("PCMU");
    fp.push(t0, &packet(0, level(0)));
    fp.push(t0 + MS * 20, &packet(1, level(1)));
    fp.push(t0 + MS * 25, &packet(1, level(1)));
    fp.push(t0 + MS * 60, &packet(3, level(3)));
    let (firsts, _) = run(&mut fp, t0, 5);
    assert_eq!(firsts, vec![decoded(level(0)), decoded(level(1))]);
    // 2 comes after its slot (due at 100 ms) was concealed: dropped.
    let (firsts, _) = run(&mut fp, t0 + MS * 100, 2);
    assert_eq!(firsts, vec![0, decoded(level(3))]);
    fp.push(t0 + MS * 130, &packet(2, level(2)));
    let (firsts, _) = run(&mut fp, t0 + MS * 140, 10);
    assert!(firsts.is_empty(), "{firsts:?}");
    let stats = fp.stats();
    assert_eq!((stats.duplicates, stats.late, stats.missing), (1, 1, 1));
}

#[test]
fn other_payload_types_take_their_slot_but_record_nothing() {
    let t0 = Instant::now();
    let mut fp = FramePath::new(0, CodecKind::Pcmu).expect("PCMU");
    fp.push(t0, &packet(0, 100));
    let mut event = packet(1, 0);
    event[1] = 101;
    fp.push(t0 + MS * 20, &event);
    fp.push(t0 + MS * 21, b"not rtp");
    let (_, lens) = run(&mut fp, t0, 10);
    assert_eq!(lens, vec![160, 0]);
}
