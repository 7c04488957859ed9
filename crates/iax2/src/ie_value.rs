//! Value encodings of IEs that are not plain strings or integers: the APPARENT_ADDR socket
//! address and the packed DATETIME.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// APPARENT_ADDR carries a raw `struct sockaddr_in` (16 bytes) or `sockaddr_in6` (28 bytes)
/// as Asterisk copies it from memory: the family in the sender's byte order (x86: little
/// endian, `02 00`), the port and address in network order. Either family byte order is
/// accepted when reading.
pub fn encode_addr(addr: &SocketAddr) -> Vec<u8> {
    match addr {
        SocketAddr::V4(a) => {
            let mut v = Vec::with_capacity(16);
            v.extend_from_slice(&[2, 0]);
            v.extend_from_slice(&a.port().to_be_bytes());
            v.extend_from_slice(&a.ip().octets());
            v.extend_from_slice(&[0; 8]);
            v
        }
        SocketAddr::V6(a) => {
            let mut v = Vec::with_capacity(28);
            v.extend_from_slice(&[10, 0]);
            v.extend_from_slice(&a.port().to_be_bytes());
            v.extend_from_slice(&a.flowinfo().to_be_bytes());
            v.extend_from_slice(&a.ip().octets());
            v.extend_from_slice(&a.scope_id().to_be_bytes());
            v
        }
    }
}

pub fn decode_addr(data: &[u8]) -> Option<SocketAddr> {
    let family = match data.get(0..2)? {
        [2, 0] | [0, 2] => 4,
        [10, 0] | [0, 10] => 6,
        _ => return None,
    };
    let port = u16::from_be_bytes([*data.get(2)?, *data.get(3)?]);
    if family == 4 && data.len() == 16 {
        let ip = Ipv4Addr::new(data[4], data[5], data[6], data[7]);
        return Some(SocketAddr::V4(SocketAddrV4::new(ip, port)));
    }
    if family == 6 && data.len() == 28 {
        let flow = u32::from_be_bytes([data[4], data[5], data[6], data[7]]);
        let mut o = [0u8; 16];
        o.copy_from_slice(&data[8..24]);
        let scope = u32::from_be_bytes([data[24], data[25], data[26], data[27]]);
        return Some(SocketAddr::V6(SocketAddrV6::new(
            Ipv6Addr::from(o),
            port,
            flow,
            scope,
        )));
    }
    None
}

/// The DATETIME IE (RFC 5456 sec. 8.6.28, Asterisk `iax2_datetime`): 32 bits packing
/// seconds/2 (5 bits), minutes (6), hours (5), day (5), month 1-12 (4), year - 2000 (7).
/// The caller supplies wall-clock fields: this crate never reads a clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

impl DateTime {
    pub fn encode(&self) -> u32 {
        let mut v = u32::from(self.second / 2) & 0x1f;
        v |= (u32::from(self.minute) & 0x3f) << 5;
        v |= (u32::from(self.hour) & 0x1f) << 11;
        v |= (u32::from(self.day) & 0x1f) << 16;
        v |= (u32::from(self.month) & 0x0f) << 21;
        v |= (u32::from(self.year.saturating_sub(2000)) & 0x7f) << 25;
        v
    }

    pub fn decode(v: u32) -> DateTime {
        DateTime {
            second: ((v & 0x1f) << 1) as u8,
            minute: ((v >> 5) & 0x3f) as u8,
            hour: ((v >> 11) & 0x1f) as u8,
            day: ((v >> 16) & 0x1f) as u8,
            month: ((v >> 21) & 0x0f) as u8,
            year: 2000 + ((v >> 25) & 0x7f) as u16,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_apparent_addr_is_a_little_endian_family_sockaddr_in() {
        let a: SocketAddr = "192.0.2.7:4569".parse().unwrap();
        let b = encode_addr(&a);
        assert_eq!(
            b,
            vec![2, 0, 0x11, 0xd9, 192, 0, 2, 7, 0, 0, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(decode_addr(&b), Some(a));
        let mut be = b.clone();
        be[0] = 0;
        be[1] = 2;
        assert_eq!(decode_addr(&be), Some(a));
        assert_eq!(decode_addr(&b[..15]), None);
    }

    #[test]
    fn ipv6_apparent_addr_round_trips() {
        let a: SocketAddr = "[2001:db8::1]:4570".parse().unwrap();
        assert_eq!(decode_addr(&encode_addr(&a)), Some(a));
    }

    #[test]
    fn datetime_packs_two_second_resolution() {
        let d = DateTime {
            year: 2026,
            month: 11,
            day: 26,
            hour: 16,
            minute: 29,
            second: 43,
        };
        let v = d.encode();
        assert_eq!(
            v,
            (21 << 1 >> 1) | (29 << 5) | (16 << 11) | (26 << 16) | (11 << 21) | (26 << 25)
        );
        assert_eq!(DateTime::decode(v), DateTime { second: 42, ..d });
    }
}
