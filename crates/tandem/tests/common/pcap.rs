//! Writing pcap captures of RTP for sipp's `play_pcap_audio` (it sends the UDP payloads with
//! the capture's timing, headers as written): little-endian pcap 2.4, Ethernet/IPv4/UDP,
//! 127.0.0.1 6000 -> 6002. Used by media_jitter.rs and media_dtmf_modes.rs (inband digits).

#![allow(dead_code)]

use std::path::Path;

/// One RTP packet of the capture and when (microseconds from the start) it is sent.
pub struct RtpAt {
    pub at_us: u64,
    pub seq: u16,
    pub timestamp: u32,
    pub marker: bool,
    pub payload_type: u8,
    pub payload: Vec<u8>,
}

/// Writes `packets` in the order given (their `at_us` must not go back: sipp waits for each).
pub fn write_rtp_pcap(path: &Path, packets: &[RtpAt]) {
    let mut out = Vec::new();
    // Global header: little-endian magic, version 2.4, snaplen 65535, Ethernet.
    out.extend(0xa1b2_c3d4u32.to_le_bytes());
    out.extend(2u16.to_le_bytes());
    out.extend(4u16.to_le_bytes());
    out.extend(0i32.to_le_bytes());
    out.extend(0u32.to_le_bytes());
    out.extend(65535u32.to_le_bytes());
    out.extend(1u32.to_le_bytes());
    for p in packets {
        let mut rtp = vec![0x80, (u8::from(p.marker) << 7) | (p.payload_type & 0x7f)];
        rtp.extend(p.seq.to_be_bytes());
        rtp.extend(p.timestamp.to_be_bytes());
        rtp.extend(0x1234_5678u32.to_be_bytes());
        rtp.extend(&p.payload);
        let udp_len = 8 + rtp.len();
        let ip_len = 20 + udp_len;
        let mut ip = vec![
            0x45,
            0,
            (ip_len >> 8) as u8,
            ip_len as u8,
            0,
            0,
            0x40,
            0,
            64,
            17,
            0,
            0,
        ];
        ip.extend([127, 0, 0, 1, 127, 0, 0, 1]);
        let sum = ip
            .chunks(2)
            .map(|w| u32::from(u16::from_be_bytes([w[0], w[1]])))
            .sum::<u32>();
        let sum = !(((sum & 0xffff) + (sum >> 16)) as u16);
        ip[10..12].copy_from_slice(&sum.to_be_bytes());
        let mut frame = vec![0u8; 12];
        frame.extend([0x08, 0x00]);
        frame.extend(ip);
        frame.extend(6000u16.to_be_bytes());
        frame.extend(6002u16.to_be_bytes());
        frame.extend((udp_len as u16).to_be_bytes());
        frame.extend([0, 0]);
        frame.extend(rtp);
        out.extend(((p.at_us / 1_000_000) as u32).to_le_bytes());
        out.extend(((p.at_us % 1_000_000) as u32).to_le_bytes());
        out.extend((frame.len() as u32).to_le_bytes());
        out.extend((frame.len() as u32).to_le_bytes());
        out.extend(frame);
    }
    std::fs::write(path, out).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}
