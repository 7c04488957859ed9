//! The relay path allocates nothing per packet: checked with a global allocator
//! that counts what this test's thread allocates.

use std::time::{Duration, Instant};
use tandem_rtp::{Decision, Rewriter, RtpHeader, RtpPacket};
use tandem_testkit::{thread_allocations, ThreadCounting};

#[global_allocator]
static ALLOCATOR: ThreadCounting = ThreadCounting;

#[test]
fn parsing_and_rewriting_relayed_packets_allocates_nothing() {
    let t0 = Instant::now();
    let mut rw = Rewriter::new(0x1234, 8000);
    rw.allow_only(&[0, 8, 101]);
    let mut a = RtpHeader::new(0, 0, 0, 0xa).to_vec(&[0xff; 160]).unwrap();
    let mut b = RtpHeader::new(0, 0, 0, 0xb).to_vec(&[0xff; 160]).unwrap();
    let before = thread_allocations();
    let mut forwarded = 0u32;
    for i in 0..100_000u32 {
        let buf = if i < 50_000 { &mut a } else { &mut b }; // one source change
        buf[2..4].copy_from_slice(&(i as u16).to_be_bytes());
        buf[4..8].copy_from_slice(&(i * 160).to_be_bytes());
        buf[8..12].copy_from_slice(&(if i < 50_000 { 0xa_u32 } else { 0xb }).to_be_bytes());
        let p = RtpPacket::parse(buf).unwrap();
        std::hint::black_box(p.payload().len());
        if rw.rewrite(t0 + Duration::from_millis(20 * u64::from(i)), buf) == Decision::Forward {
            forwarded += 1;
        }
    }
    let after = thread_allocations();
    assert_eq!(forwarded, 100_000);
    assert_eq!(after - before, 0, "allocations on the relay path");
}
