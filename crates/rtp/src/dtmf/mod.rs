//! RFC 4733 telephone-events: the 4-byte event payload, a sender state machine and a receiver
//! that reports each digit once.
//!
//! ```text
//!  0                   1                   2                   3
//! |     event     |E|R| volume    |          duration             |
//! 05 8a 03 20   = digit 5, end, volume -10 dBm0, 800 samples (100 ms at 8 kHz)
//! ```

pub mod inband;
mod receiver;
mod sender;

pub use inband::{InbandDetector, InbandEvent, ToneGenerator};
pub use receiver::{DtmfEvent, DtmfReceiver};
pub use sender::{DtmfConfig, DtmfPacket, DtmfSender};

use crate::error::{Error, Result};

/// Payload type Asterisk offers for telephone-event (`DEFAULT_DTMF_PAYLOAD`).
pub const DEFAULT_PAYLOAD_TYPE: u8 = 101;
/// Event code of hook flash (RFC 4733 sec. 3.2); Asterisk reports it as 'X'.
pub const EVENT_FLASH: u8 = 16;

/// One telephone-event payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TelephoneEvent {
    /// 0-9, 10 = `*`, 11 = `#`, 12-15 = A-D, 16 = flash.
    pub event: u8,
    /// The E bit: this packet ends the event.
    pub end: bool,
    /// Power level in -dBm0 (0..=63).
    pub volume: u8,
    /// Duration so far in timestamp units.
    pub duration: u16,
}

impl TelephoneEvent {
    /// Reads the first 4 bytes (longer payloads carry redundant events we do not need).
    pub fn parse(payload: &[u8]) -> Result<Self> {
        let b = payload.get(..4).ok_or(Error::TooShort {
            need: 4,
            have: payload.len(),
        })?;
        Ok(TelephoneEvent {
            event: b[0],
            end: b[1] & 0x80 != 0,
            volume: b[1] & 0x3f,
            duration: u16::from_be_bytes([b[2], b[3]]),
        })
    }

    pub fn to_bytes(&self) -> [u8; 4] {
        let d = self.duration.to_be_bytes();
        [
            self.event,
            if self.end { 0x80 } else { 0 } | (self.volume & 0x3f),
            d[0],
            d[1],
        ]
    }

    /// The digit this event stands for, as Asterisk names it (`X` for flash).
    pub fn digit(&self) -> Option<char> {
        event_to_digit(self.event)
    }
}

/// Event code to digit: `0`-`9`, `*`, `#`, `A`-`D`, `X` (flash). Other events are not DTMF.
pub fn event_to_digit(event: u8) -> Option<char> {
    match event {
        0..=9 => Some(char::from(b'0' + event)),
        10 => Some('*'),
        11 => Some('#'),
        12..=15 => Some(char::from(b'A' + event - 12)),
        EVENT_FLASH => Some('X'),
        _ => None,
    }
}

/// Digit to event code (lower-case `a`-`d` accepted, as Asterisk does).
pub fn digit_to_event(digit: char) -> Option<u8> {
    match digit {
        '0'..='9' => Some(digit as u8 - b'0'),
        '*' => Some(10),
        '#' => Some(11),
        'A'..='D' => Some(digit as u8 - b'A' + 12),
        'a'..='d' => Some(digit as u8 - b'a' + 12),
        'X' | 'x' => Some(EVENT_FLASH),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_payload_round_trips() {
        let e = TelephoneEvent {
            event: 5,
            end: true,
            volume: 10,
            duration: 800,
        };
        assert_eq!(e.to_bytes(), [0x05, 0x8a, 0x03, 0x20]);
        assert_eq!(TelephoneEvent::parse(&e.to_bytes()).unwrap(), e);
    }

    #[test]
    fn the_reserved_bit_is_ignored_and_short_payloads_refused() {
        let e = TelephoneEvent::parse(&[11, 0x40 | 7, 0, 160]).unwrap();
        assert_eq!((e.event, e.end, e.volume, e.duration), (11, false, 7, 160));
        assert!(TelephoneEvent::parse(&[1, 2, 3]).is_err());
    }

    #[test]
    fn digits_map_to_events_as_asterisk_names_them() {
        let all = "0123456789*#ABCDX";
        for (code, d) in all.chars().enumerate() {
            assert_eq!(digit_to_event(d), Some(code as u8));
            assert_eq!(event_to_digit(code as u8), Some(d));
        }
        assert_eq!(digit_to_event('b'), Some(13));
        assert_eq!(event_to_digit(17), None);
        assert_eq!(digit_to_event('E'), None);
    }
}
