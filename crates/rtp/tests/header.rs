//! RTP header round trips and hostile input.

use tandem_rtp::rtcp::parse_compound;
use tandem_rtp::{DtmfReceiver, Extension, RtpHeader, RtpHeaderMut, RtpPacket, TelephoneEvent};

#[test]
fn header_with_csrcs_extension_and_padding_round_trips() {
    let ext_data = [0x10, 0xaa, 0xbb, 0xcc, 0x22, 0x01, 0x02, 0x00];
    let mut h = RtpHeader::new(96, 65535, 0xffff_fff0, 0x0102_0304);
    h.marker = true;
    h.csrc_count = 3;
    h.csrc[..3].copy_from_slice(&[11, 22, 0xdead_beef]);
    h.extension = Some(Extension {
        profile: 0xbede,
        data: &ext_data,
    });
    h.padding = 7;
    let payload = [1u8, 2, 3, 4, 5];
    let bytes = h.to_vec(&payload).unwrap();
    assert_eq!(bytes.len(), 12 + 12 + 4 + 8 + 5 + 7);
    assert_eq!(bytes[0], 0x80 | 0x20 | 0x10 | 3);
    assert_eq!(*bytes.last().unwrap(), 7);

    let p = RtpPacket::parse(&bytes).unwrap();
    assert!(p.marker() && p.has_padding() && p.has_extension());
    assert_eq!(p.payload_type(), 96);
    assert_eq!(p.sequence(), 65535);
    assert_eq!(p.timestamp(), 0xffff_fff0);
    assert_eq!(p.ssrc(), 0x0102_0304);
    assert_eq!(p.csrcs().collect::<Vec<_>>(), vec![11, 22, 0xdead_beef]);
    assert_eq!(
        p.extension(),
        Some(Extension {
            profile: 0xbede,
            data: &ext_data
        })
    );
    assert_eq!(p.payload(), &payload);
    assert_eq!(p.padding_len(), 7);
    assert_eq!(p.header(), h);
    // And written again from the parsed header, byte for byte.
    assert_eq!(p.header().to_vec(p.payload()).unwrap(), bytes);
}

#[test]
fn plain_header_round_trips_for_every_payload_type() {
    for pt in 0..128u8 {
        let h = RtpHeader::new(pt, u16::from(pt) * 500, u32::from(pt) << 20, 0xffff_ffff);
        let bytes = h.to_vec(&[0xd5; 160]).unwrap();
        let p = RtpPacket::parse(&bytes).unwrap();
        assert_eq!(p.header(), h);
        assert_eq!(p.payload().len(), 160);
    }
}

#[test]
fn writing_refuses_a_small_buffer_and_a_ragged_extension() {
    let h = RtpHeader::new(0, 1, 2, 3);
    let mut small = [0u8; 20];
    assert!(h.write(&[0; 10], &mut small).is_err());
    let mut bad = RtpHeader::new(0, 1, 2, 3);
    bad.extension = Some(Extension {
        profile: 1,
        data: &[1, 2, 3],
    });
    assert!(bad.to_vec(&[]).is_err());
    let mut pt = RtpHeader::new(0, 1, 2, 3);
    pt.payload_type = 200;
    assert!(pt.to_vec(&[]).is_err());
}

#[test]
fn extension_length_past_the_packet_is_refused() {
    let mut bytes = RtpHeader::new(0, 1, 2, 3).to_vec(&[0; 8]).unwrap();
    bytes[0] |= 0x10;
    bytes[14] = 0;
    bytes[15] = 9; // 9 words of extension, only 4 bytes follow the extension header
    assert!(RtpPacket::parse(&bytes).is_err());
}

/// xorshift64*, so the "random" input is the same on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn malformed_input_never_panics() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let start = std::time::Instant::now();
    let mut dtmf = DtmfReceiver::with_defaults();
    let seed_rtp = {
        let mut h = RtpHeader::new(101, 9, 9, 9);
        h.csrc_count = 2;
        h.padding = 3;
        h.to_vec(&[1, 0x8a, 0, 160]).unwrap()
    };
    let seed_rtcp: [u8; 28] = [
        0x81, 0xc9, 0, 7, 0, 0, 0, 1, 0, 0, 0, 2, 1, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 6,
    ];
    for i in 0..200_000u32 {
        let len = (rng.next() % 80) as usize;
        let mut buf: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        // Half the cases: a valid packet with a few bytes flipped or cut short.
        if i % 2 == 0 {
            let seed: &[u8] = if i % 4 == 0 { &seed_rtp } else { &seed_rtcp };
            buf = seed.to_vec();
            for _ in 0..(rng.next() % 4) {
                let at = (rng.next() as usize) % buf.len();
                buf[at] = rng.next() as u8;
            }
            buf.truncate((rng.next() as usize) % (seed.len() + 1));
        }
        if let Ok(p) = RtpPacket::parse(&buf) {
            // Everything a view offers stays inside the buffer.
            assert!(p.header_len() + p.payload().len() + p.padding_len() == buf.len());
            let _ = p.csrcs().count();
            let _ = p.extension();
            let _ = p.header().to_vec(p.payload());
            let _ = dtmf.handle_packet(start, p.sequence(), p.timestamp(), p.payload());
        }
        let _ = parse_compound(&buf);
        let _ = TelephoneEvent::parse(&buf);
        let mut copy = buf.clone();
        if let Ok(mut h) = RtpHeaderMut::new(&mut copy) {
            h.set_sequence(1);
            h.set_marker(true);
        }
    }
}
