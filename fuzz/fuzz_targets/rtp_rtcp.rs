//! RTP header and RTCP compound parsing (crates/rtp). Invariants: an RTP packet's header and
//! payload written again parse to the same header and payload; an RTCP compound written again
//! parses to the same packets.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tandem_rtp::rtcp::{parse_compound, write_compound};
use tandem_rtp::RtpPacket;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = RtpPacket::parse(data) {
        let _ = (p.csrcs().count(), p.extension(), p.padding_len(), p.header_len());
        let h = p.header();
        let mut buf = vec![0u8; h.packet_len(p.payload().len())];
        if let Ok(n) = h.write(p.payload(), &mut buf) {
            let q = RtpPacket::parse(&buf[..n]).expect("written RTP parses");
            assert_eq!(q.header(), h, "RTP header round trip");
            assert_eq!(q.payload(), p.payload(), "RTP payload round trip");
        }
    }
    if let Ok(pkts) = parse_compound(data) {
        if let Ok(wire) = write_compound(&pkts) {
            let back = parse_compound(&wire).expect("written RTCP parses");
            assert_eq!(back, pkts, "RTCP round trip");
        }
    }
});
