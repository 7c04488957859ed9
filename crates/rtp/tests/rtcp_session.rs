//! Compound RTCP round trips and two RtcpSessions talking on a virtual clock.

use std::time::{Duration, Instant};
use tandem_rtp::rtcp::{
    parse_compound, write_compound, Bye, ReceiverReport, ReportBlock, RtcpPacket, Sdes, SdesChunk,
    SenderReport,
};
use tandem_rtp::{NtpClock, NtpTime, RtcpConfig, RtcpEvent, RtcpSession, RtpHeader, RtpPacket};

#[test]
fn compound_sr_sdes_bye_round_trips() {
    let packets = vec![
        RtcpPacket::SenderReport(SenderReport {
            ssrc: 0xaaaa,
            ntp: NtpTime(0xe8f1_0000_4000_0000),
            rtp_timestamp: 8000,
            packet_count: 50,
            octet_count: 8000,
            reports: vec![ReportBlock {
                ssrc: 0xbbbb,
                fraction_lost: 12,
                cumulative_lost: 4,
                jitter: 33,
                ..Default::default()
            }],
        }),
        RtcpPacket::Sdes(Sdes {
            chunks: vec![SdesChunk::cname(0xaaaa, "alice@192.0.2.20")],
        }),
        RtcpPacket::Bye(Bye {
            sources: vec![0xaaaa],
            reason: Some(b"bye".to_vec()),
        }),
    ];
    let bytes = write_compound(&packets).unwrap();
    assert_eq!(bytes.len() % 4, 0);
    assert_eq!(parse_compound(&bytes).unwrap(), packets);
    // A cut anywhere inside is refused, not misread.
    let boundaries: Vec<usize> = (1..=packets.len())
        .map(|n| write_compound(&packets[..n]).unwrap().len())
        .collect();
    assert_eq!(boundaries[0], 52);
    for cut in 1..bytes.len() {
        if boundaries.contains(&cut) {
            assert_eq!(
                parse_compound(&bytes[..cut]).unwrap().len(),
                boundaries.iter().position(|&b| b == cut).unwrap() + 1
            );
            continue; // packet boundaries: a shorter but valid compound
        }
        assert!(parse_compound(&bytes[..cut]).is_err(), "cut at {cut}");
    }
}

#[test]
fn compound_rr_with_empty_report_round_trips() {
    let packets = vec![
        RtcpPacket::ReceiverReport(ReceiverReport {
            ssrc: 5,
            reports: vec![],
        }),
        RtcpPacket::Sdes(Sdes {
            chunks: vec![SdesChunk::cname(5, "x")],
        }),
    ];
    assert_eq!(
        parse_compound(&write_compound(&packets).unwrap()).unwrap(),
        packets
    );
}

fn config(ssrc: u32, seed: u64, start: Instant) -> RtcpConfig {
    RtcpConfig {
        ssrc,
        cname: format!("{ssrc:x}@test"),
        clock_rate: 8000,
        interval: Duration::from_secs(5),
        seed,
        ntp: NtpClock::new(
            start,
            NtpTime::from_unix(Duration::from_secs(1_800_000_000)),
        ),
    }
}

#[test]
fn reports_are_sent_every_five_seconds_randomized_from_the_seed() {
    let t0 = Instant::now();
    let mut s = RtcpSession::new(t0, config(1, 42, t0));
    let first = s.poll_timeout().unwrap() - t0;
    assert!(
        first >= Duration::from_millis(1250) && first < Duration::from_millis(3750),
        "{first:?}"
    );
    let mut gaps = Vec::new();
    let mut last = t0;
    for _ in 0..50 {
        let due = s.poll_timeout().unwrap();
        s.handle_timeout(due - Duration::from_millis(1));
        assert!(s.poll_transmit().is_none(), "nothing before the deadline");
        s.handle_timeout(due);
        assert!(s.poll_transmit().is_some());
        gaps.push(due - last);
        last = due;
    }
    for g in &gaps[1..] {
        assert!(
            *g >= Duration::from_millis(2500) && *g < Duration::from_millis(7500),
            "{g:?}"
        );
    }
    assert!(gaps[1..].windows(2).any(|w| w[0] != w[1]), "randomized");
    // Same seed, same schedule.
    let again = RtcpSession::new(t0, config(1, 42, t0));
    assert_eq!(again.poll_timeout().unwrap() - t0, first);
}

#[test]
fn sr_when_we_sent_media_rr_when_we_only_listened() {
    let t0 = Instant::now();
    let mut s = RtcpSession::new(t0, config(1, 1, t0));
    let report = s.build_report(t0);
    assert!(matches!(report[0], RtcpPacket::ReceiverReport(_)));
    assert!(matches!(&report[1], RtcpPacket::Sdes(sd) if sd.cname_of(1) == Some("1@test")));
    s.handle_rtp_sent(t0, 160, 160);
    let report = s.build_report(t0 + Duration::from_millis(20));
    match &report[0] {
        RtcpPacket::SenderReport(sr) => {
            assert_eq!(
                (sr.packet_count, sr.octet_count, sr.rtp_timestamp),
                (1, 160, 320)
            );
        }
        other => panic!("expected SR, got {other:?}"),
    }
}

/// Two peers exchange media and reports over a link with 40 ms each way; A measures 80 ms.
#[test]
fn rtt_is_measured_from_the_peers_lsr_and_dlsr() {
    let t0 = Instant::now();
    let one_way = Duration::from_millis(40);
    let mut a = RtcpSession::new(t0, config(0xa, 1, t0));
    // B's wall clock is off by an hour: RTT does not depend on clocks agreeing.
    let mut b_cfg = config(0xb, 2, t0);
    b_cfg.ntp = NtpClock::new(t0, NtpTime::from_unix(Duration::from_secs(1_800_003_600)));
    let mut b = RtcpSession::new(t0, b_cfg);
    let mut now = t0;
    let mut seq = 0u16;
    let end = t0 + Duration::from_secs(30);
    let mut rtts = Vec::new();
    while now < end {
        now += Duration::from_millis(20);
        seq = seq.wrapping_add(1);
        let ts = u32::from(seq) * 160;
        let bytes_a = RtpHeader::new(0, seq, ts, 0xa).to_vec(&[0; 160]).unwrap();
        a.handle_rtp_sent(now, ts, 160);
        b.handle_rtp_received(now + one_way, &RtpPacket::parse(&bytes_a).unwrap());
        let bytes_b = RtpHeader::new(0, seq, ts, 0xb).to_vec(&[0; 160]).unwrap();
        b.handle_rtp_sent(now, ts, 160);
        a.handle_rtp_received(now + one_way, &RtpPacket::parse(&bytes_b).unwrap());
        a.handle_timeout(now);
        b.handle_timeout(now);
        while let Some(d) = a.poll_transmit() {
            b.handle_rtcp(now + one_way, &d).unwrap();
        }
        while let Some(d) = b.poll_transmit() {
            a.handle_rtcp(now + one_way, &d).unwrap();
        }
        while let Some(e) = a.poll_event() {
            if let RtcpEvent::ReportReceived {
                from,
                rtt: Some(rtt),
                block,
            } = e
            {
                assert_eq!(from, 0xb);
                assert_eq!(block.cumulative_lost, 0);
                rtts.push(rtt);
            }
        }
    }
    assert!(!rtts.is_empty());
    for rtt in &rtts {
        let err = rtt.as_micros().abs_diff(80_000);
        assert!(err < 100, "rtt {rtt:?}"); // 16.16 fixed point: 15 us resolution
    }
    assert_eq!(a.remote_cname(), Some("b@test"));
    assert!(a.rtt().is_some());
    assert_eq!(b.receiver().unwrap().cumulative_lost(), 0);
}

#[test]
fn close_sends_a_bye_and_stops_the_timer() {
    let t0 = Instant::now();
    let mut a = RtcpSession::new(t0, config(0xa, 1, t0));
    let mut b = RtcpSession::new(t0, config(0xb, 2, t0));
    a.close(t0, Some("hangup"));
    assert_eq!(a.poll_timeout(), None);
    let d = a.poll_transmit().unwrap();
    assert!(matches!(
        parse_compound(&d).unwrap().last(),
        Some(RtcpPacket::Bye(_))
    ));
    b.handle_rtcp(t0, &d).unwrap();
    assert_eq!(
        b.poll_event(),
        Some(RtcpEvent::Bye {
            ssrc: 0xa,
            reason: Some("hangup".into())
        })
    );
    a.close(t0, None);
    assert!(a.poll_transmit().is_none(), "only one BYE");
}

#[test]
fn garbage_rtcp_is_an_error_not_a_panic() {
    let t0 = Instant::now();
    let mut a = RtcpSession::new(t0, config(0xa, 1, t0));
    assert!(a.handle_rtcp(t0, &[0x80, 0xc9, 0xff, 0xff]).is_err());
    assert!(a.handle_rtcp(t0, &[]).is_err());
}

/// The loop the crate docs show, run on a fake clock.
#[test]
fn drive_loop_from_the_docs_sends_a_report_every_few_seconds() {
    let start = Instant::now();
    let mut rtcp = RtcpSession::new(start, config(0x1234, 7, start));
    let bytes = RtpHeader::new(0, 1, 160, 0xabcd)
        .to_vec(&[0xff; 160])
        .unwrap();
    rtcp.handle_rtp_received(start, &RtpPacket::parse(&bytes).unwrap());
    let mut sent = 0;
    while let Some(wake) = rtcp.poll_timeout() {
        if wake > start + Duration::from_secs(20) {
            break;
        }
        rtcp.handle_timeout(wake);
        while let Some(d) = rtcp.poll_transmit() {
            let p = parse_compound(&d).unwrap();
            assert!(
                matches!(&p[0], RtcpPacket::ReceiverReport(rr) if rr.reports.len() == 1 && rr.reports[0].ssrc == 0xabcd)
            );
            sent += 1;
        }
    }
    assert!((3..=8).contains(&sent), "{sent}");
}
