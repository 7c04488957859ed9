use super::*;
use tandem_codec::Codec;
use tandem_testkit::wav;
use tandem_testkit::{thread_allocations as allocations, ThreadCounting};

#[global_allocator]
static ALLOCATOR: ThreadCounting = ThreadCounting;

fn fmt(codec: CodecKind, payload_type: u8, dtmf_pt: Option<u8>) -> Option<Format> {
    Some(Format {
        payload_type,
        codec,
        dtmf_pt,
    })
}

fn packet(pt: u8, seq: u16, ts: u32, marker: bool, payload: &[u8]) -> Vec<u8> {
    let mut h = RtpHeader::new(pt, seq, ts, 0xcafe_f00d);
    h.marker = marker;
    h.to_vec(payload).unwrap_or_else(|e| panic!("{e:?}"))
}

/// `frames` 20 ms RTP packets of a `freq` tone in `codec` (PT `pt`), seq from 100, ts from 8000.
fn tone_packets(codec: CodecKind, pt: u8, freq: f64, frames: usize) -> Vec<Vec<u8>> {
    let mut enc = Codec::new(codec).unwrap_or_else(|e| panic!("{e}"));
    let rate = codec.sample_rate();
    let pcm = wav::sine(rate, freq, frames as f64 * 0.02, 8000);
    let step = rtp_clock(codec) / 50;
    pcm.chunks(codec.frame_samples())
        .enumerate()
        .map(|(i, frame)| {
            let mut payload = [0u8; 1024];
            let n = enc
                .encode(frame, &mut payload)
                .unwrap_or_else(|e| panic!("{e}"));
            packet(
                pt,
                100 + i as u16,
                8000 + step * i as u32,
                i == 0,
                &payload[..n],
            )
        })
        .collect()
}

/// Run packets of `from` through a direction to `to`; decode what comes out at `to`'s rate.
fn cross(
    from: Option<Format>,
    to: Option<Format>,
    packets: &mut [Vec<u8>],
) -> (Vec<Vec<u8>>, Vec<i16>) {
    let mut d = Direction::default();
    let mut dec = Codec::new(to.map(|f| f.codec).unwrap_or(CodecKind::Pcmu))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut out_packets = Vec::new();
    let mut pcm = Vec::new();
    for p in packets.iter_mut() {
        let out: Vec<u8> = match d.prepare(from, to, p) {
            Action::Transcoded(n) => d.output(n).to_vec(),
            Action::Forward => p.clone(),
            Action::Drop => continue,
        };
        let parsed = RtpPacket::parse(&out).unwrap_or_else(|e| panic!("{e:?}"));
        let mut frame = [0i16; 2048];
        let n = dec
            .decode(parsed.payload(), &mut frame)
            .unwrap_or_else(|e| panic!("{e}"));
        pcm.extend_from_slice(&frame[..n]);
        out_packets.push(out);
    }
    (out_packets, pcm)
}

fn header(p: &[u8]) -> (u8, u16, u32, u32, bool, usize) {
    let p = RtpPacket::parse(p).unwrap_or_else(|e| panic!("{e:?}"));
    (
        p.payload_type(),
        p.sequence(),
        p.timestamp(),
        p.ssrc(),
        p.marker(),
        p.payload().len(),
    )
}

#[test]
fn pcmu_to_pcma_keeps_seq_ts_ssrc_marker_takes_the_destination_pt_and_the_tone() {
    let mut packets = tone_packets(CodecKind::Pcmu, 0, 1000.0, 50);
    let (out, pcm) = cross(
        fmt(CodecKind::Pcmu, 0, Some(101)),
        fmt(CodecKind::Pcma, 8, Some(101)),
        &mut packets,
    );
    assert_eq!(out.len(), 50);
    assert_eq!(header(&out[0]), (8, 100, 8000, 0xcafe_f00d, true, 160));
    assert_eq!(header(&out[1]), (8, 101, 8160, 0xcafe_f00d, false, 160));
    assert_eq!(pcm.len(), 8000);
    let level = wav::rms(&pcm);
    assert!(
        (5400.0..5900.0).contains(&level),
        "level {level} (sent 8000 peak = 5657 rms)"
    );
    assert_eq!(
        wav::dominant_frequency(&pcm, 8000, &[400.0, 1000.0, 2000.0]),
        Some(1000.0)
    );
}

#[test]
fn pcma_to_pcmu_carries_a_400_hz_tone() {
    let mut packets = tone_packets(CodecKind::Pcma, 8, 400.0, 25);
    let (out, pcm) = cross(
        fmt(CodecKind::Pcma, 8, None),
        fmt(CodecKind::Pcmu, 0, None),
        &mut packets,
    );
    assert_eq!(header(&out[3]).0, 0);
    assert!(wav::rms(&pcm) > 5000.0);
    assert_eq!(
        wav::dominant_frequency(&pcm, 8000, &[400.0, 1000.0, 2000.0]),
        Some(400.0)
    );
}

#[test]
fn pcmu_to_g722_is_160_bytes_per_20ms_and_the_rtp_clock_stays_8000() {
    let mut packets = tone_packets(CodecKind::Pcmu, 0, 1000.0, 50);
    let (out, pcm) = cross(
        fmt(CodecKind::Pcmu, 0, Some(101)),
        fmt(CodecKind::G722, 9, Some(101)),
        &mut packets,
    );
    assert_eq!(header(&out[0]), (9, 100, 8000, 0xcafe_f00d, true, 160));
    assert_eq!(
        header(&out[1]),
        (9, 101, 8160, 0xcafe_f00d, false, 160),
        "G.722's timestamp advances 160 per 20 ms"
    );
    // A G.722 phone decodes it at 16 kHz: a second of 1 kHz.
    assert_eq!(pcm.len(), 16000);
    let settled = &pcm[1600..];
    assert_eq!(
        wav::dominant_frequency(settled, 16000, &[400.0, 1000.0, 2000.0, 3000.0]),
        Some(1000.0)
    );
    assert!(wav::rms(settled) > 1000.0, "level {}", wav::rms(settled));
}

#[test]
fn g722_to_pcmu_decodes_the_lower_band_to_8khz() {
    let mut packets = tone_packets(CodecKind::G722, 9, 400.0, 50);
    let (out, pcm) = cross(
        fmt(CodecKind::G722, 9, None),
        fmt(CodecKind::Pcmu, 0, None),
        &mut packets,
    );
    assert_eq!(header(&out[1]), (0, 101, 8160, 0xcafe_f00d, false, 160));
    assert_eq!(pcm.len(), 8000);
    let settled = &pcm[800..];
    assert_eq!(
        wav::dominant_frequency(settled, 8000, &[400.0, 1000.0, 2000.0]),
        Some(400.0)
    );
    assert!(wav::rms(settled) > 1000.0, "level {}", wav::rms(settled));
}

#[test]
fn the_same_codec_is_relayed_in_place_with_the_destinations_payload_type() {
    let mut p = tone_packets(CodecKind::G722, 9, 400.0, 1).remove(0);
    let original = p.clone();
    let mut d = Direction::default();
    assert_eq!(
        d.prepare(
            fmt(CodecKind::G722, 9, None),
            fmt(CodecKind::G722, 9, None),
            &mut p
        ),
        Action::Forward
    );
    assert_eq!(p, original, "untouched");
    let mut p = packet(96, 1, 2, false, &[1, 2, 3]);
    let pcmu = |pt| fmt(CodecKind::Pcmu, pt, None);
    assert_eq!(d.prepare(pcmu(96), pcmu(0), &mut p), Action::Forward);
    assert_eq!(header(&p), (0, 1, 2, 0xcafe_f00d, false, 3));
    assert_eq!(d.transcoded, 0);
}

#[test]
fn telephone_events_take_the_destinations_event_type_or_are_dropped() {
    let event = [5u8, 0x8a, 0x02, 0x80];
    let mut p = packet(101, 7, 16000, true, &event);
    let mut d = Direction::default();
    assert_eq!(
        d.prepare(
            fmt(CodecKind::Pcmu, 0, Some(101)),
            fmt(CodecKind::Pcma, 8, Some(96)),
            &mut p
        ),
        Action::Forward
    );
    assert_eq!(header(&p), (96, 7, 16000, 0xcafe_f00d, true, 4));
    assert_eq!(
        RtpPacket::parse(&p).map(|x| x.payload().to_vec()).ok(),
        Some(event.to_vec()),
        "payload unchanged"
    );
    let mut p = packet(101, 8, 16000, false, &event);
    assert_eq!(
        d.prepare(
            fmt(CodecKind::Pcmu, 0, Some(101)),
            fmt(CodecKind::G722, 9, None),
            &mut p
        ),
        Action::Drop
    );
}

#[test]
fn other_payload_types_and_garbage_are_dropped_but_unknown_formats_pass_untouched() {
    let mut d = Direction::default();
    let (u, a) = (
        fmt(CodecKind::Pcmu, 0, Some(101)),
        fmt(CodecKind::Pcma, 8, Some(101)),
    );
    let mut cn = packet(13, 1, 0, false, &[40]);
    assert_eq!(d.prepare(u, a, &mut cn), Action::Drop, "comfort noise");
    let mut alaw = packet(8, 1, 0, false, &[0xd5; 160]);
    assert_eq!(
        d.prepare(u, a, &mut alaw),
        Action::Drop,
        "not what the source leg negotiated"
    );
    assert_eq!(d.prepare(u, a, &mut [0xff, 0, 1]), Action::Drop);
    let mut any = packet(3, 1, 0, false, &[1; 33]);
    let original = any.clone();
    assert_eq!(d.prepare(None, a, &mut any), Action::Forward);
    assert_eq!(d.prepare(u, None, &mut any), Action::Forward);
    assert_eq!(any, original);
}

#[test]
fn timestamps_move_to_the_destination_clock_across_wrap_around() {
    assert_eq!(
        (
            rtp_clock(CodecKind::G722),
            rtp_clock(CodecKind::Pcma),
            rtp_clock(CodecKind::Opus)
        ),
        (8000, 8000, 48000)
    );
    let mut c = Clock {
        from_rate: 8000,
        to_rate: 48000,
        anchor: None,
    };
    let first = c.map(u32::MAX - 159);
    let mapped: Vec<u32> = (0..4u32)
        .map(|i| c.map((u32::MAX - 159).wrapping_add(160 * (i + 1))))
        .collect();
    let steps: Vec<u32> = std::iter::once(first)
        .chain(mapped.iter().copied())
        .collect::<Vec<_>>()
        .windows(2)
        .map(|w| w[1].wrapping_sub(w[0]))
        .collect();
    assert_eq!(steps, vec![960; 4]);
    // A late packet lands back where it belongs.
    let late = c.map((u32::MAX - 159).wrapping_add(160 * 3));
    assert_eq!(late, mapped[2]);
}

#[test]
fn transcoding_allocates_nothing_per_packet() {
    let mut d = Direction::default();
    let (u, g) = (
        fmt(CodecKind::Pcmu, 0, Some(101)),
        fmt(CodecKind::G722, 9, Some(101)),
    );
    let mut packets = tone_packets(CodecKind::Pcmu, 0, 1000.0, 50);
    // The first packet makes the transcoder.
    assert!(matches!(
        d.prepare(u, g, &mut packets[0]),
        Action::Transcoded(172)
    ));
    let before = allocations();
    for round in 0..20 {
        for p in packets.iter_mut().skip(1) {
            let action = d.prepare(u, g, p);
            assert!(
                matches!(action, Action::Transcoded(172)),
                "round {round}: {action:?}"
            );
        }
    }
    assert_eq!(
        allocations() - before,
        0,
        "allocations over {} packets",
        20 * 49
    );
}

/// `cargo test --release -p tandem transcode_cost -- --ignored --nocapture`
#[test]
#[ignore = "a measurement, run in release"]
fn transcode_cost_per_packet() {
    let cases = [
        ("ulaw->alaw", CodecKind::Pcmu, 0, CodecKind::Pcma, 8),
        ("ulaw->g722", CodecKind::Pcmu, 0, CodecKind::G722, 9),
        ("g722->ulaw", CodecKind::G722, 9, CodecKind::Pcmu, 0),
        (
            "same codec (in place)",
            CodecKind::Pcmu,
            0,
            CodecKind::Pcmu,
            0,
        ),
    ];
    for (name, from, fpt, to, tpt) in cases {
        let mut d = Direction::default();
        let mut packets = tone_packets(from, fpt, 1000.0, 50);
        let n = 200_000;
        let start = std::time::Instant::now();
        for i in 0..n {
            let p = &mut packets[i % 50];
            std::hint::black_box(d.prepare(fmt(from, fpt, Some(101)), fmt(to, tpt, Some(101)), p));
        }
        let per = start.elapsed().as_nanos() as f64 / n as f64;
        eprintln!(
            "{name}: {per:.0} ns per packet, {:.0} packets/s per core",
            1e9 / per
        );
    }
}
