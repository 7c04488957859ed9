//! Information elements (RFC 5456 sec. 8.6, Asterisk `iax_parse_ies` / `iax_ie_append_*`).
//!
//! An IAX frame's payload is a list of `| id (8) | len (8) | data |`. [`Ies::parse`] reads it
//! as chan_iax2 does: an element longer than what is left, or a single stray byte at the end,
//! makes the whole frame undecodable; an integer element of the wrong size is ignored; unknown
//! elements are kept in [`Ies::unknown`]. [`IeBuf`] writes them, at most 1024 bytes as
//! Asterisk's `struct iax_ie_data`.

use std::net::SocketAddr;

use crate::error::Error;
use crate::ie_value::{decode_addr, encode_addr};

/// IE numbers (`IAX_IE_*`).
pub mod id {
    pub const CALLED_NUMBER: u8 = 1;
    pub const CALLING_NUMBER: u8 = 2;
    pub const CALLING_ANI: u8 = 3;
    pub const CALLING_NAME: u8 = 4;
    pub const CALLED_CONTEXT: u8 = 5;
    pub const USERNAME: u8 = 6;
    pub const PASSWORD: u8 = 7;
    pub const CAPABILITY: u8 = 8;
    pub const FORMAT: u8 = 9;
    pub const LANGUAGE: u8 = 10;
    pub const VERSION: u8 = 11;
    pub const ADSICPE: u8 = 12;
    pub const DNID: u8 = 13;
    pub const AUTHMETHODS: u8 = 14;
    pub const CHALLENGE: u8 = 15;
    pub const MD5_RESULT: u8 = 16;
    pub const RSA_RESULT: u8 = 17;
    pub const APPARENT_ADDR: u8 = 18;
    pub const REFRESH: u8 = 19;
    pub const DPSTATUS: u8 = 20;
    pub const CALLNO: u8 = 21;
    pub const CAUSE: u8 = 22;
    pub const IAX_UNKNOWN: u8 = 23;
    pub const MSGCOUNT: u8 = 24;
    pub const AUTOANSWER: u8 = 25;
    pub const MUSICONHOLD: u8 = 26;
    pub const TRANSFERID: u8 = 27;
    pub const RDNIS: u8 = 28;
    pub const PROVISIONING: u8 = 29;
    pub const AESPROVISIONING: u8 = 30;
    pub const DATETIME: u8 = 31;
    pub const DEVICETYPE: u8 = 32;
    pub const SERVICEIDENT: u8 = 33;
    pub const FIRMWAREVER: u8 = 34;
    pub const FWBLOCKDESC: u8 = 35;
    pub const FWBLOCKDATA: u8 = 36;
    pub const PROVVER: u8 = 37;
    pub const CALLINGPRES: u8 = 38;
    pub const CALLINGTON: u8 = 39;
    pub const CALLINGTNS: u8 = 40;
    pub const SAMPLINGRATE: u8 = 41;
    pub const CAUSECODE: u8 = 42;
    pub const ENCRYPTION: u8 = 43;
    pub const ENCKEY: u8 = 44;
    pub const CODEC_PREFS: u8 = 45;
    pub const RR_JITTER: u8 = 46;
    pub const RR_LOSS: u8 = 47;
    pub const RR_PKTS: u8 = 48;
    pub const RR_DELAY: u8 = 49;
    pub const RR_DROPPED: u8 = 50;
    pub const RR_OOO: u8 = 51;
    pub const VARIABLE: u8 = 52;
    pub const OSPTOKEN: u8 = 53;
    pub const CALLTOKEN: u8 = 54;
    pub const CAPABILITY2: u8 = 55;
    pub const FORMAT2: u8 = 56;
}

/// Size of Asterisk's `iax_ie_data.buf`: IEs that would not fit are left out.
pub const MAX_IE_BYTES: usize = 1024;
/// Variables kept from one frame at most.
const MAX_VARIABLES: usize = 64;
/// Unknown IEs kept from one frame at most.
const MAX_UNKNOWN: usize = 64;

/// Writes IEs. Each `push` returns false (and writes nothing) when the element would not fit
/// in [`MAX_IE_BYTES`], as `iax_ie_append_raw` refuses; data longer than 255 bytes is cut.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IeBuf {
    buf: Vec<u8>,
}

impl IeBuf {
    pub fn new() -> IeBuf {
        IeBuf { buf: Vec::new() }
    }

    pub fn raw(&mut self, ie: u8, data: &[u8]) -> bool {
        let data = &data[..data.len().min(255)];
        if self.buf.len() + 2 + data.len() > MAX_IE_BYTES {
            return false;
        }
        self.buf.push(ie);
        self.buf.push(data.len() as u8);
        self.buf.extend_from_slice(data);
        true
    }

    pub fn str(&mut self, ie: u8, s: &str) -> bool {
        self.raw(ie, s.as_bytes())
    }
    pub fn byte(&mut self, ie: u8, v: u8) -> bool {
        self.raw(ie, &[v])
    }
    pub fn short(&mut self, ie: u8, v: u16) -> bool {
        self.raw(ie, &v.to_be_bytes())
    }
    pub fn int(&mut self, ie: u8, v: u32) -> bool {
        self.raw(ie, &v.to_be_bytes())
    }
    /// CAPABILITY2 / FORMAT2: a version byte (0) then the 64-bit format set.
    pub fn versioned_u64(&mut self, ie: u8, v: u64) -> bool {
        let mut d = [0u8; 9];
        d[1..].copy_from_slice(&v.to_be_bytes());
        self.raw(ie, &d)
    }
    pub fn addr(&mut self, ie: u8, a: &SocketAddr) -> bool {
        self.raw(ie, &encode_addr(a))
    }
    pub fn empty(&mut self, ie: u8) -> bool {
        self.raw(ie, &[])
    }
    pub fn len(&self) -> usize {
        self.buf.len()
    }
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

/// The parsed IEs of one frame, typed as Asterisk's `struct iax_ies`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ies {
    pub called_number: Option<String>,
    pub calling_number: Option<String>,
    pub calling_ani: Option<String>,
    pub calling_name: Option<String>,
    pub called_context: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    /// CAPABILITY, or CAPABILITY2 which wins whatever the order (a 32-bit CAPABILITY only
    /// fills an empty value).
    pub capability: u64,
    /// FORMAT / FORMAT2, same precedence.
    pub format: u64,
    pub language: Option<String>,
    pub version: Option<u16>,
    pub adsicpe: Option<u16>,
    pub dnid: Option<String>,
    pub rdnis: Option<String>,
    pub authmethods: u16,
    pub encmethods: u16,
    pub challenge: Option<String>,
    pub md5_result: Option<String>,
    pub rsa_result: Option<String>,
    pub apparent_addr: Option<SocketAddr>,
    pub refresh: Option<u16>,
    pub dpstatus: Option<u16>,
    pub callno: Option<u16>,
    pub cause: Option<String>,
    pub causecode: Option<u8>,
    pub iax_unknown: Option<u8>,
    pub msgcount: Option<u16>,
    pub autoanswer: bool,
    pub musiconhold: bool,
    pub transferid: Option<u32>,
    pub datetime: Option<u32>,
    pub devicetype: Option<String>,
    pub serviceident: Option<String>,
    pub firmwarever: Option<u16>,
    pub provver: Option<u32>,
    pub calling_pres: Option<u8>,
    pub calling_ton: Option<u8>,
    pub calling_tns: Option<u16>,
    pub samprate: Option<u16>,
    pub codec_prefs: Option<String>,
    pub rr_jitter: Option<u32>,
    pub rr_loss: Option<u32>,
    pub rr_pkts: Option<u32>,
    pub rr_delay: Option<u16>,
    pub rr_dropped: Option<u32>,
    pub rr_ooo: Option<u32>,
    /// VARIABLE IEs as `name=value`; a repeated name appends to the value (long values are
    /// split over several IEs).
    pub variables: Vec<(String, String)>,
    /// `None`: no CALLTOKEN IE. `Some(empty)`: the sender supports call tokens and asks for
    /// one. `Some(token)`: a token to validate.
    pub calltoken: Option<Vec<u8>>,
    /// Elements this parser does not interpret, in order.
    pub unknown: Vec<(u8, Vec<u8>)>,
}

/// C-string semantics: the value stops at the first NUL.
fn c_string(data: &[u8]) -> String {
    let end = data.iter().position(|b| *b == 0).unwrap_or(data.len());
    String::from_utf8_lossy(&data[..end]).into_owned()
}

fn u16_of(d: &[u8]) -> Option<u16> {
    (d.len() == 2).then(|| u16::from_be_bytes([d[0], d[1]]))
}
fn u32_of(d: &[u8]) -> Option<u32> {
    (d.len() == 4).then(|| u32::from_be_bytes([d[0], d[1], d[2], d[3]]))
}
fn u8_of(d: &[u8]) -> Option<u8> {
    (d.len() == 1).then(|| d[0])
}
fn versioned_u64_of(d: &[u8]) -> Option<u64> {
    if d.len() != 9 || d[0] != 0 {
        return None;
    }
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[1..]);
    Some(u64::from_be_bytes(b))
}

impl Ies {
    pub fn parse(mut data: &[u8]) -> Result<Ies, Error> {
        let mut ies = Ies::default();
        while data.len() >= 2 {
            let ie = data[0];
            let len = usize::from(data[1]);
            if len > data.len() - 2 {
                return Err(Error::IeOverrun {
                    ie,
                    len,
                    left: data.len() - 2,
                });
            }
            let v = &data[2..2 + len];
            ies.take(ie, v);
            data = &data[2 + len..];
        }
        if !data.is_empty() {
            return Err(Error::IeStrayByte);
        }
        Ok(ies)
    }

    fn take(&mut self, ie: u8, v: &[u8]) {
        let s = || Some(c_string(v));
        match ie {
            id::CALLED_NUMBER => self.called_number = s(),
            id::CALLING_NUMBER => self.calling_number = s(),
            id::CALLING_ANI => self.calling_ani = s(),
            id::CALLING_NAME => self.calling_name = s(),
            id::CALLED_CONTEXT => self.called_context = s(),
            id::USERNAME => self.username = s(),
            id::PASSWORD => self.password = s(),
            id::CODEC_PREFS => self.codec_prefs = s(),
            id::CAPABILITY => {
                if let (Some(c), 0) = (u32_of(v), self.capability) {
                    self.capability = u64::from(c);
                }
            }
            id::CAPABILITY2 => {
                if let Some(c) = versioned_u64_of(v) {
                    self.capability = c;
                }
            }
            id::FORMAT => {
                if let (Some(c), 0) = (u32_of(v), self.format) {
                    self.format = u64::from(c);
                }
            }
            id::FORMAT2 => {
                if let Some(c) = versioned_u64_of(v) {
                    self.format = c;
                }
            }
            id::LANGUAGE => self.language = s(),
            id::VERSION => self.version = u16_of(v).or(self.version),
            id::ADSICPE => self.adsicpe = u16_of(v).or(self.adsicpe),
            id::SAMPLINGRATE => self.samprate = u16_of(v).or(self.samprate),
            id::DNID => self.dnid = s(),
            id::RDNIS => self.rdnis = s(),
            id::AUTHMETHODS => self.authmethods = u16_of(v).unwrap_or(self.authmethods),
            id::ENCRYPTION => self.encmethods = u16_of(v).unwrap_or(self.encmethods),
            id::CHALLENGE => self.challenge = s(),
            id::MD5_RESULT => self.md5_result = s(),
            id::RSA_RESULT => self.rsa_result = s(),
            id::APPARENT_ADDR => self.apparent_addr = decode_addr(v),
            id::REFRESH => self.refresh = u16_of(v).or(self.refresh),
            id::DPSTATUS => self.dpstatus = u16_of(v).or(self.dpstatus),
            id::CALLNO => self.callno = u16_of(v).or(self.callno),
            id::CAUSE => self.cause = s(),
            id::CAUSECODE => self.causecode = u8_of(v).or(self.causecode),
            id::IAX_UNKNOWN => self.iax_unknown = u8_of(v).or(self.iax_unknown),
            id::MSGCOUNT => self.msgcount = u16_of(v).or(self.msgcount),
            id::AUTOANSWER => self.autoanswer = true,
            id::MUSICONHOLD => self.musiconhold = true,
            id::TRANSFERID => self.transferid = u32_of(v).or(self.transferid),
            id::DATETIME => self.datetime = u32_of(v).or(self.datetime),
            id::FIRMWAREVER => self.firmwarever = u16_of(v).or(self.firmwarever),
            id::DEVICETYPE => self.devicetype = s(),
            id::SERVICEIDENT => self.serviceident = s(),
            id::PROVVER => self.provver = u32_of(v).or(self.provver),
            id::CALLINGPRES => self.calling_pres = u8_of(v).or(self.calling_pres),
            id::CALLINGTON => self.calling_ton = u8_of(v).or(self.calling_ton),
            id::CALLINGTNS => self.calling_tns = u16_of(v).or(self.calling_tns),
            id::RR_JITTER => self.rr_jitter = u32_of(v).or(self.rr_jitter),
            id::RR_LOSS => self.rr_loss = u32_of(v).or(self.rr_loss),
            id::RR_PKTS => self.rr_pkts = u32_of(v).or(self.rr_pkts),
            id::RR_DELAY => self.rr_delay = u16_of(v).or(self.rr_delay),
            id::RR_DROPPED => self.rr_dropped = u32_of(v).or(self.rr_dropped),
            id::RR_OOO => self.rr_ooo = u32_of(v).or(self.rr_ooo),
            id::VARIABLE => self.take_variable(v),
            id::CALLTOKEN => self.calltoken = Some(v.to_vec()),
            _ => {
                if self.unknown.len() < MAX_UNKNOWN {
                    self.unknown.push((ie, v.to_vec()));
                }
            }
        }
    }

    fn take_variable(&mut self, v: &[u8]) {
        let text = c_string(v);
        let (name, value) = match text.split_once('=') {
            Some((n, val)) => (n.to_string(), val.to_string()),
            None => (text, String::new()),
        };
        if let Some(existing) = self.variables.iter_mut().find(|(n, _)| *n == name) {
            existing.1.push_str(&value);
        } else if self.variables.len() < MAX_VARIABLES {
            self.variables.push((name, value));
        }
    }

    /// True when the frame asks for a call token (an empty CALLTOKEN IE).
    pub fn wants_calltoken(&self) -> bool {
        matches!(&self.calltoken, Some(t) if t.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_integers_and_calltoken_round_trip() {
        let mut b = IeBuf::new();
        b.short(id::VERSION, 2);
        b.str(id::CALLED_NUMBER, "600");
        b.str(id::CALLING_NAME, "Alice");
        b.int(id::FORMAT, 4);
        b.versioned_u64(id::CAPABILITY2, 0x1_0000_100c);
        b.byte(id::CAUSECODE, 16);
        b.empty(id::CALLTOKEN);
        let ies = Ies::parse(b.as_bytes()).unwrap();
        assert_eq!(ies.version, Some(2));
        assert_eq!(ies.called_number.as_deref(), Some("600"));
        assert_eq!(ies.calling_name.as_deref(), Some("Alice"));
        assert_eq!(ies.format, 4);
        assert_eq!(ies.capability, 0x1_0000_100c);
        assert_eq!(ies.causecode, Some(16));
        assert!(ies.wants_calltoken());
        assert_eq!(&b.as_bytes()[..4], &[11, 2, 0, 2]);
    }

    #[test]
    fn capability2_wins_over_capability_whatever_the_order() {
        let mut b = IeBuf::new();
        b.versioned_u64(id::FORMAT2, 1 << 34);
        b.int(id::FORMAT, 4);
        assert_eq!(Ies::parse(b.as_bytes()).unwrap().format, 1 << 34);
        let mut b = IeBuf::new();
        b.int(id::FORMAT, 4);
        b.versioned_u64(id::FORMAT2, 1 << 34);
        assert_eq!(Ies::parse(b.as_bytes()).unwrap().format, 1 << 34);
        // unknown version of FORMAT2 is ignored
        let ies = Ies::parse(&[56, 9, 1, 0, 0, 0, 0, 0, 0, 0, 8, 9, 4, 0, 0, 0, 4]).unwrap();
        assert_eq!(ies.format, 4);
    }

    #[test]
    fn overrun_and_stray_byte_make_the_frame_undecodable() {
        assert_eq!(
            Ies::parse(&[1, 5, b'a']),
            Err(Error::IeOverrun {
                ie: 1,
                len: 5,
                left: 1
            })
        );
        assert_eq!(Ies::parse(&[1, 1, b'a', 7]), Err(Error::IeStrayByte));
        assert_eq!(Ies::parse(&[]), Ok(Ies::default()));
    }

    #[test]
    fn wrong_size_integers_are_ignored_and_unknown_ies_kept() {
        let ies = Ies::parse(&[11, 1, 2, 200, 2, 0xab, 0xcd, 19, 2, 0, 60]).unwrap();
        assert_eq!(ies.version, None);
        assert_eq!(ies.refresh, Some(60));
        assert_eq!(ies.unknown, vec![(200, vec![0xab, 0xcd])]);
    }

    #[test]
    fn strings_stop_at_nul_and_variables_concatenate() {
        let mut b = IeBuf::new();
        b.raw(id::USERNAME, b"bob\0junk");
        b.str(id::VARIABLE, "X=abc");
        b.str(id::VARIABLE, "X=def");
        b.str(id::VARIABLE, "EMPTY");
        let ies = Ies::parse(b.as_bytes()).unwrap();
        assert_eq!(ies.username.as_deref(), Some("bob"));
        assert_eq!(
            ies.variables,
            vec![
                ("X".to_string(), "abcdef".to_string()),
                ("EMPTY".to_string(), String::new())
            ]
        );
    }

    #[test]
    fn writer_caps_one_ie_at_255_bytes_and_the_buffer_at_1024() {
        let mut b = IeBuf::new();
        assert!(b.str(id::CAUSE, &"x".repeat(300)));
        assert_eq!(b.len(), 257);
        assert!(b.str(id::CAUSE, &"x".repeat(255)));
        assert!(b.str(id::CAUSE, &"x".repeat(255)));
        assert!(!b.str(id::CAUSE, &"x".repeat(255)), "771 + 257 > 1024");
        assert_eq!(b.len(), 771);
    }

    #[test]
    fn apparent_addr_ie_parses() {
        let a: SocketAddr = "198.51.100.2:4569".parse().unwrap();
        let mut b = IeBuf::new();
        b.addr(id::APPARENT_ADDR, &a);
        assert_eq!(Ies::parse(b.as_bytes()).unwrap().apparent_addr, Some(a));
    }
}
