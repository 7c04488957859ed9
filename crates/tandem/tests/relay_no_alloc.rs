//! The bridge's per-packet step (the code the relay task runs for every packet: strict RTP,
//! RTCP statistics, RFC 4733 inspection, relay or transcode, rewrite) allocates nothing per
//! packet, same codec and transcoded: checked with a global allocator that counts what this
//! test's thread allocates. (A digit that ends is told to the core, which costs one small
//! allocation per digit, not per packet.)

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tandem::media::relay::Relay;
use tandem::media::PortRange;
use tandem_rtp::RtpHeader;
use tandem_testkit::{thread_allocations, ThreadCounting};

#[global_allocator]
static ALLOCATOR: ThreadCounting = ThreadCounting;

/// Relay `count` packets a -> b after a warm-up; the allocations during the counted part and
/// how many packets went out.
fn relay_packets(
    a_codec: (u8, &str),
    b_codec: (u8, &str),
    base_port: u16,
    digits: bool,
    hold_digits: bool,
) -> (u64, u32) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _enter = rt.enter();
    let ports = PortRange::new(base_port, base_port + 100);
    let ip = "127.0.0.1".parse().unwrap();
    let a = ports.allocate_now(ip).unwrap();
    let b = ports.allocate_now(ip).unwrap();
    a.set_format(a_codec.0, Some(a_codec.1), Some(101));
    b.set_format(b_codec.0, Some(b_codec.1), Some(101));
    let phone_a: SocketAddr = "127.0.0.1:7000".parse().unwrap();
    a.set_remote(phone_a);
    b.set_remote("127.0.0.1:7002".parse().unwrap());
    let template = RtpHeader::new(a_codec.0, 0, 0, 0xabcd)
        .to_vec(&[0xd5; 160])
        .unwrap();
    let mut buf = template.clone();
    let mut relay = if hold_digits {
        Relay::holding_digits()
    } else {
        Relay::default()
    };
    let mut now = Instant::now();
    let mut sent = 0u32;
    let mut before = 0;
    for i in 0..60_000u32 {
        if i == 1_000 {
            before = thread_allocations();
        }
        now += Duration::from_millis(20);
        buf.copy_from_slice(&template);
        buf[2..4].copy_from_slice(&(i as u16).to_be_bytes());
        buf[4..8].copy_from_slice(&(i * 160).to_be_bytes());
        // With `digits`, every 50th packet is an RFC 4733 end packet of a new digit.
        if digits && i % 50 == 0 {
            buf[1] = 101;
            buf[12..16].copy_from_slice(&[5, 0x8a, 0x03, 0x20]);
        }
        if let Some((p, _dest)) = relay.step(&a, &b, now, phone_a, &mut buf) {
            std::hint::black_box(p);
            if i >= 1_000 {
                sent += 1;
            }
        }
    }
    let allocations = thread_allocations() - before;
    (allocations, sent)
}

#[test]
fn relaying_a_packet_allocates_nothing_same_codec_or_transcoded() {
    let (same, sent_same) = relay_packets((0, "ulaw"), (0, "ulaw"), 43000, false, false);
    let (transcoded, sent_transcoded) =
        relay_packets((0, "ulaw"), (8, "alaw"), 43200, false, false);
    assert_eq!(sent_same, 59_000, "every packet relayed");
    assert_eq!(
        sent_transcoded, 59_000,
        "every packet transcoded and relayed"
    );
    assert_eq!(same, 0, "same codec: allocations for 59,000 packets");
    assert_eq!(
        transcoded, 0,
        "PCMU -> PCMA: allocations for 59,000 packets"
    );
    // 1,180 digits among 59,000 packets: at most one allocation each, none for audio.
    let (with_digits, sent) = relay_packets((0, "ulaw"), (8, "alaw"), 43400, true, false);
    assert_eq!(sent, 59_000, "digits are relayed too");
    assert!(
        with_digits <= 1_180,
        "{with_digits} allocations for 1,180 digits"
    );
}

#[test]
fn a_direction_holding_digits_drops_telephone_events_and_still_allocates_nothing_for_audio() {
    // The sender may dial feature codes: its RFC 4733 packets are seen, not relayed.
    let (audio, sent_audio) = relay_packets((0, "ulaw"), (0, "ulaw"), 43600, false, true);
    assert_eq!(sent_audio, 59_000, "audio goes through");
    assert_eq!(audio, 0, "holding relay: allocations for 59,000 packets");
    let (with_digits, sent) = relay_packets((0, "ulaw"), (8, "alaw"), 43800, true, true);
    assert_eq!(
        sent,
        59_000 - 1_180,
        "the 1,180 event packets are held back"
    );
    assert!(
        with_digits <= 1_180,
        "{with_digits} allocations for 1,180 digits"
    );
}
