//! Packets per second through a bridge: the per-packet relay step the bridge task runs
//! ([`tandem::media::relay::Relay::step`]: strict RTP, statistics, RFC 4733 inspection,
//! relay or transcode, rewrite), same codec and PCMU -> PCMA; and end to end on loopback
//! (two UDP "phones" through a real bridge, 16 packets in flight).
//!
//! `cargo bench -p tandem --bench relay`

use std::hint::black_box;
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tandem::media::relay::Relay;
use tandem::media::{bridge, MediaLeg, PortRange};
use tandem_rtp::RtpHeader;

const PHONE_A: &str = "127.0.0.1:7000";
const PHONE_B: &str = "127.0.0.1:7002";

fn legs(
    ports: &PortRange,
    a_codec: (u8, &str),
    b_codec: (u8, &str),
) -> (Arc<MediaLeg>, Arc<MediaLeg>) {
    let ip = "127.0.0.1".parse().unwrap();
    let a = ports.allocate_now(ip).unwrap();
    let b = ports.allocate_now(ip).unwrap();
    a.set_format(a_codec.0, Some(a_codec.1), Some(101));
    b.set_format(b_codec.0, Some(b_codec.1), Some(101));
    a.set_remote(PHONE_A.parse().unwrap());
    b.set_remote(PHONE_B.parse().unwrap());
    (a, b)
}

fn step_bench(c: &mut Criterion, name: &str, a_codec: (u8, &str), b_codec: (u8, &str)) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _enter = rt.enter();
    let ports = PortRange::new(41000, 41200);
    let (a, b) = legs(&ports, a_codec, b_codec);
    let source: SocketAddr = PHONE_A.parse().unwrap();
    let template = RtpHeader::new(a_codec.0, 0, 0, 0x5d1c_33a7)
        .to_vec(&[0xd5; 160])
        .unwrap();
    let mut buf = template.clone();
    let mut relay = Relay::default();
    let mut seq = 0u16;
    let mut now = Instant::now();
    let mut g = c.benchmark_group("relay");
    g.throughput(Throughput::Elements(1));
    g.bench_function(name, |bench| {
        bench.iter(|| {
            seq = seq.wrapping_add(1);
            now += Duration::from_millis(20);
            buf.copy_from_slice(&template);
            buf[2..4].copy_from_slice(&seq.to_be_bytes());
            buf[4..8].copy_from_slice(&(u32::from(seq) * 160).to_be_bytes());
            let out = relay.step(&a, &b, now, source, black_box(&mut buf));
            black_box(out.map(|(p, d)| (p.len(), d)))
        })
    });
    g.finish();
}

fn loopback(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let _enter = rt.enter();
    let phone_a = UdpSocket::bind("127.0.0.1:0").unwrap();
    let phone_b = UdpSocket::bind("127.0.0.1:0").unwrap();
    phone_b
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let ports = PortRange::new(41400, 41600);
    let ip = "127.0.0.1".parse().unwrap();
    let a = ports.allocate_now(ip).unwrap();
    let b = ports.allocate_now(ip).unwrap();
    a.set_format(0, Some("ulaw"), Some(101));
    b.set_format(0, Some("ulaw"), Some(101));
    a.set_remote(phone_a.local_addr().unwrap());
    b.set_remote(phone_b.local_addr().unwrap());
    let a_addr = a.local;
    let _bridge = bridge(a, b);
    let mut seq = 0u16;
    let mut packet = RtpHeader::new(0, 0, 0, 0x77).to_vec(&[0xff; 160]).unwrap();
    let mut rx = [0u8; 2048];
    let mut lost = 0u64;
    let mut g = c.benchmark_group("relay");
    g.throughput(Throughput::Elements(1));
    g.sample_size(20);
    g.bench_function(
        "loopback UDP through a bridge (PCMU, 16 in flight)",
        |bench| {
            bench.iter_custom(|iters| {
                let start = Instant::now();
                let mut left = iters;
                while left > 0 {
                    let burst = left.min(16);
                    for _ in 0..burst {
                        seq = seq.wrapping_add(1);
                        packet[2..4].copy_from_slice(&seq.to_be_bytes());
                        packet[4..8].copy_from_slice(&(u32::from(seq) * 160).to_be_bytes());
                        let _ = phone_a.send_to(&packet, a_addr);
                    }
                    for _ in 0..burst {
                        if phone_b.recv_from(&mut rx).is_err() {
                            lost += 1;
                            break;
                        }
                    }
                    left -= burst;
                }
                start.elapsed()
            })
        },
    );
    g.finish();
    eprintln!("loopback: {lost} bursts with a lost packet");
}

fn benches(c: &mut Criterion) {
    step_bench(
        c,
        "step: same codec (PCMU -> PCMU)",
        (0, "ulaw"),
        (0, "ulaw"),
    );
    step_bench(
        c,
        "step: transcoded (PCMU -> PCMA)",
        (0, "ulaw"),
        (8, "alaw"),
    );
    loopback(c);
}

criterion_group!(relay, benches);
criterion_main!(relay);
