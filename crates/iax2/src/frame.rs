//! Full frames, mini (voice) frames and the datagram classifier (RFC 5456 sec. 8.1).
//!
//! A full frame on the wire (12-octet header, Asterisk `struct ast_iax2_full_hdr`):
//!
//! ```text
//! |F|  source call (15) |R| dest call (15)      |   F = 1: full frame, R = retransmitted
//! |          timestamp (32, ms since call start)  |
//! | oseqno (8) | iseqno (8) | type (8) | C+subclass (8) | payload / IEs ...
//! 80 01 00 00 00 00 00 03 00 00 06 01 ...  = NEW from call 1, ts 3
//! ```
//!
//! A mini frame is `|0| source call (15) | ts low 16 |` then voice in the last full voice
//! frame's format. A datagram starting with 16 zero bits is a meta frame: the next byte's high
//! bit set means a video mini frame (reported as [`Error::UnsupportedVideo`]), otherwise a meta
//! command (only trunk, see [`crate::trunk`]).

use crate::consts::FrameType;
use crate::error::Error;
use crate::trunk::TrunkFrame;

/// Largest datagram accepted or produced (Asterisk reads into a 4096-byte buffer; trunk
/// packets stay under the MTU). Anything larger is refused before it is looked at.
pub const MAX_DATAGRAM: usize = 8192;
pub const FULL_HEADER_LEN: usize = 12;
pub const MINI_HEADER_LEN: usize = 4;
const FLAG_FULL: u16 = 0x8000;
const FLAG_SC_LOG: u8 = 0x80;
const MAX_SHIFT: u8 = 0x3f;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FullFrame {
    pub source_call: u16,
    pub dest_call: u16,
    /// The R bit: the sender marks every retransmission.
    pub retransmitted: bool,
    pub timestamp: u32,
    pub oseqno: u8,
    pub iseqno: u8,
    pub frame_type: FrameType,
    /// The uncompressed subclass: an IAX command, a control kind, a DTMF digit, or (voice,
    /// video) a format bit.
    pub subclass: u64,
    /// Video only: the frame-ending marker, bit 6 of the compressed subclass.
    pub video_marker: bool,
    pub payload: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MiniFrame {
    pub source_call: u16,
    /// The low 16 bits of the sender's timestamp.
    pub timestamp: u16,
    pub payload: Vec<u8>,
}

/// One received datagram, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Datagram {
    Full(FullFrame),
    Mini(MiniFrame),
    Trunk(TrunkFrame),
}

/// The C bit: subclasses below 0x80 go as they are; a larger one must be a single bit and
/// goes as `0x80 | log2` (Asterisk `compress_subclass`, which logs and sends 0 otherwise).
pub fn compress_subclass(subclass: u64) -> Result<u8, Error> {
    if subclass < u64::from(FLAG_SC_LOG) {
        return Ok(subclass as u8);
    }
    if subclass.count_ones() != 1 || subclass.trailing_zeros() >= u32::from(MAX_SHIFT) {
        return Err(Error::CannotCompress(subclass));
    }
    Ok(subclass.trailing_zeros() as u8 | FLAG_SC_LOG)
}

/// The inverse of [`compress_subclass`] (Asterisk `uncompress_subclass`): 0xff is invalid.
pub fn uncompress_subclass(csub: u8) -> Result<u64, Error> {
    if csub & FLAG_SC_LOG == 0 {
        return Ok(u64::from(csub));
    }
    if csub == 0xff {
        return Err(Error::BadSubclass);
    }
    Ok(1u64 << (csub & !FLAG_SC_LOG & MAX_SHIFT))
}

fn be16(b: &[u8], at: usize) -> u16 {
    match b.get(at..at + 2) {
        Some(s) => u16::from_be_bytes([s[0], s[1]]),
        None => 0,
    }
}

fn be32(b: &[u8], at: usize) -> u32 {
    match b.get(at..at + 4) {
        Some(s) => u32::from_be_bytes([s[0], s[1], s[2], s[3]]),
        None => 0,
    }
}

impl FullFrame {
    /// A frame with sequence numbers and call numbers zero, to be filled by the sender.
    pub fn new(frame_type: FrameType, subclass: u64, payload: Vec<u8>) -> FullFrame {
        FullFrame {
            source_call: 0,
            dest_call: 0,
            retransmitted: false,
            timestamp: 0,
            oseqno: 0,
            iseqno: 0,
            frame_type,
            subclass,
            video_marker: false,
            payload,
        }
    }

    pub fn parse(bytes: &[u8]) -> Result<FullFrame, Error> {
        if bytes.len() > MAX_DATAGRAM {
            return Err(Error::TooLong(bytes.len()));
        }
        if bytes.len() < FULL_HEADER_LEN {
            return Err(Error::TooShort {
                what: "full frame",
                len: bytes.len(),
                need: FULL_HEADER_LEN,
            });
        }
        let scall = be16(bytes, 0);
        let dcall = be16(bytes, 2);
        let frame_type = FrameType::from_u8(bytes[10]);
        let csub = bytes[11];
        let (subclass, video_marker) = if frame_type == FrameType::Video {
            (uncompress_subclass(csub & !0x40)?, csub & 0x40 != 0)
        } else {
            (uncompress_subclass(csub)?, false)
        };
        Ok(FullFrame {
            source_call: scall & !FLAG_FULL,
            dest_call: dcall & !FLAG_FULL,
            retransmitted: dcall & FLAG_FULL != 0,
            timestamp: be32(bytes, 4),
            oseqno: bytes[8],
            iseqno: bytes[9],
            frame_type,
            subclass,
            video_marker,
            payload: bytes[FULL_HEADER_LEN..].to_vec(),
        })
    }

    /// Appends the wire form to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        let mut csub = compress_subclass(self.subclass)?;
        if self.frame_type == FrameType::Video {
            // In a video frame 0x40 is the marker bit: a subclass that would use it written
            // plainly (0x40..=0x7f) must take the log form, or it reads back as a marker.
            if csub & 0x40 != 0 {
                if self.subclass.count_ones() != 1 {
                    return Err(Error::CannotCompress(self.subclass));
                }
                csub = self.subclass.trailing_zeros() as u8 | FLAG_SC_LOG;
            }
            if self.video_marker {
                csub |= 0x40;
            }
        }
        let len = FULL_HEADER_LEN + self.payload.len();
        if len > MAX_DATAGRAM {
            return Err(Error::TooLong(len));
        }
        out.reserve(len);
        out.extend_from_slice(&((self.source_call & !FLAG_FULL) | FLAG_FULL).to_be_bytes());
        let mut dcall = self.dest_call & !FLAG_FULL;
        if self.retransmitted {
            dcall |= FLAG_FULL;
        }
        out.extend_from_slice(&dcall.to_be_bytes());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        out.push(self.oseqno);
        out.push(self.iseqno);
        out.push(self.frame_type.to_u8());
        out.push(csub);
        out.extend_from_slice(&self.payload);
        Ok(())
    }

    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut v = Vec::with_capacity(FULL_HEADER_LEN + self.payload.len());
        self.write_to(&mut v)?;
        Ok(v)
    }

    /// The IAX command of an IAX frame.
    pub fn iax_command(&self) -> Option<crate::consts::IaxCommand> {
        (self.frame_type == FrameType::Iax)
            .then(|| crate::consts::IaxCommand::from_u64(self.subclass))
    }

    pub fn is_iax(&self, cmd: crate::consts::IaxCommand) -> bool {
        self.iax_command() == Some(cmd)
    }
}

impl MiniFrame {
    pub fn write_to(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        if self.source_call == 0 {
            return Err(Error::ZeroCallNumber);
        }
        let len = MINI_HEADER_LEN + self.payload.len();
        if len > MAX_DATAGRAM {
            return Err(Error::TooLong(len));
        }
        out.reserve(len);
        out.extend_from_slice(&(self.source_call & !FLAG_FULL).to_be_bytes());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        out.extend_from_slice(&self.payload);
        Ok(())
    }

    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut v = Vec::with_capacity(MINI_HEADER_LEN + self.payload.len());
        self.write_to(&mut v)?;
        Ok(v)
    }
}

impl Datagram {
    /// Classifies and parses one datagram as chan_iax2's `socket_process` does: shorter than a
    /// mini header is refused ("midget packet"); 16 zero bits start a meta or video frame; the
    /// F bit makes a full frame; anything else is a mini voice frame.
    pub fn parse(bytes: &[u8]) -> Result<Datagram, Error> {
        if bytes.len() > MAX_DATAGRAM {
            return Err(Error::TooLong(bytes.len()));
        }
        if bytes.len() < MINI_HEADER_LEN {
            return Err(Error::TooShort {
                what: "mini frame",
                len: bytes.len(),
                need: MINI_HEADER_LEN,
            });
        }
        let first = be16(bytes, 0);
        if first == 0 {
            if bytes[2] & 0x80 != 0 {
                return Err(Error::UnsupportedVideo {
                    source_call: be16(bytes, 2) & !FLAG_FULL,
                });
            }
            return TrunkFrame::parse(bytes).map(Datagram::Trunk);
        }
        if first & FLAG_FULL != 0 {
            return FullFrame::parse(bytes).map(Datagram::Full);
        }
        Ok(Datagram::Mini(MiniFrame {
            source_call: first,
            timestamp: be16(bytes, 2),
            payload: bytes[MINI_HEADER_LEN..].to_vec(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consts::{format, IaxCommand};

    #[test]
    fn subclass_below_0x80_goes_uncompressed_and_powers_of_two_as_log() {
        assert_eq!(compress_subclass(6).unwrap(), 6);
        assert_eq!(compress_subclass(format::ULAW).unwrap(), 4);
        assert_eq!(compress_subclass(format::LPC10).unwrap(), 0x87);
        assert_eq!(compress_subclass(format::G722).unwrap(), 0x8c);
        assert_eq!(compress_subclass(format::OPUS).unwrap(), 0x80 | 34);
        assert_eq!(uncompress_subclass(0x8c).unwrap(), format::G722);
        assert_eq!(compress_subclass(0x180), Err(Error::CannotCompress(0x180)));
        assert_eq!(uncompress_subclass(0xff), Err(Error::BadSubclass));
    }

    /// Found by fuzz/iax2_frame: a video frame whose subclass 64 came in log form (0x86) was
    /// written plainly as 0x40, which reads back as the marker bit with subclass 0.
    #[test]
    fn fuzz_regression_video_subclass_never_collides_with_the_marker_bit() {
        let wire = [
            0x80, 0x01, 0x6f, 0x02, 0x01, 0x0a, 0x00, 0x01, 0, 0, 3, 0x86,
        ];
        let d = Datagram::parse(&wire).unwrap();
        let Datagram::Full(f) = &d else {
            panic!("not full")
        };
        assert_eq!((f.subclass, f.video_marker), (64, false));
        let back = f.to_bytes().unwrap();
        assert_eq!(back[11], 0x86);
        assert_eq!(Datagram::parse(&back).unwrap(), d);
        // 0x41 is not a power of two: it cannot be written in a video frame at all.
        let mut g = f.clone();
        g.subclass = 0x41;
        assert_eq!(g.to_bytes(), Err(Error::CannotCompress(0x41)));
    }

    #[test]
    fn new_frame_round_trips_with_its_wire_bytes() {
        // NEW from call 1 to nobody, ts 3, oseq 0, iseq 0, IAX(6)/NEW(1), VERSION IE = 2.
        let wire = [0x80, 0x01, 0x00, 0x00, 0, 0, 0, 3, 0, 0, 6, 1, 11, 2, 0, 2];
        let Datagram::Full(f) = Datagram::parse(&wire).unwrap() else {
            panic!("not full")
        };
        assert_eq!(f.source_call, 1);
        assert_eq!(f.dest_call, 0);
        assert!(!f.retransmitted);
        assert_eq!(f.timestamp, 3);
        assert!(f.is_iax(IaxCommand::New));
        assert_eq!(f.payload, vec![11, 2, 0, 2]);
        assert_eq!(f.to_bytes().unwrap(), wire.to_vec());
    }

    #[test]
    fn r_bit_marks_a_retransmission_and_is_not_part_of_the_call_number() {
        let mut f = FullFrame::new(FrameType::Iax, IaxCommand::Ping.to_u64(), vec![]);
        f.source_call = 0x7fff;
        f.dest_call = 5;
        f.retransmitted = true;
        let b = f.to_bytes().unwrap();
        assert_eq!(&b[0..4], &[0xff, 0xff, 0x80, 0x05]);
        let g = FullFrame::parse(&b).unwrap();
        assert_eq!(
            (g.source_call, g.dest_call, g.retransmitted),
            (0x7fff, 5, true)
        );
    }

    #[test]
    fn voice_full_frame_carries_the_format_bit_compressed() {
        let mut f = FullFrame::new(FrameType::Voice, format::G722, vec![1, 2, 3]);
        f.source_call = 2;
        let b = f.to_bytes().unwrap();
        assert_eq!(b[10], 2);
        assert_eq!(b[11], 0x8c);
        assert_eq!(FullFrame::parse(&b).unwrap().subclass, format::G722);
    }

    #[test]
    fn video_marker_is_bit_6_of_the_compressed_subclass() {
        let mut f = FullFrame::new(FrameType::Video, format::H264, vec![]);
        f.source_call = 2;
        f.video_marker = true;
        let b = f.to_bytes().unwrap();
        assert_eq!(b[11], 0x80 | 0x40 | 21);
        let g = FullFrame::parse(&b).unwrap();
        assert!(g.video_marker);
        assert_eq!(g.subclass, format::H264);
    }

    #[test]
    fn mini_frame_round_trips() {
        let wire = [0x00, 0x07, 0x12, 0x34, 0xff, 0x7f];
        let Datagram::Mini(m) = Datagram::parse(&wire).unwrap() else {
            panic!("not mini")
        };
        assert_eq!((m.source_call, m.timestamp), (7, 0x1234));
        assert_eq!(m.to_bytes().unwrap(), wire.to_vec());
    }

    #[test]
    fn short_and_odd_datagrams_are_errors_not_panics() {
        assert!(matches!(
            Datagram::parse(&[0x80]),
            Err(Error::TooShort { .. })
        ));
        assert!(matches!(
            Datagram::parse(&[0x80, 1, 0, 0, 0]),
            Err(Error::TooShort { .. })
        ));
        assert_eq!(
            Datagram::parse(&[0, 0, 0x80, 9, 0, 0]),
            Err(Error::UnsupportedVideo { source_call: 9 })
        );
        assert_eq!(
            Datagram::parse(&[0, 0, 2, 0, 0, 0, 0, 0]),
            Err(Error::UnsupportedMeta(2))
        );
        assert!(matches!(
            Datagram::parse(&vec![0x80; MAX_DATAGRAM + 1]),
            Err(Error::TooLong(_))
        ));
        // every prefix of a real frame parses or errors, never panics
        let wire = [0x80, 0x01, 0x00, 0x00, 0, 0, 0, 3, 0, 0, 6, 0xff, 11, 2];
        for n in 0..wire.len() {
            let _ = Datagram::parse(&wire[..n]);
        }
    }
}
