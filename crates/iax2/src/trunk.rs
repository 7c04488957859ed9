//! Meta trunk frames: several calls' voice to one peer in one datagram (RFC 5456 sec. 8.1.3,
//! Asterisk `send_trunk`, `iax2_trunk_queue`, `socket_process_meta`).
//!
//! ```text
//! | 0x0000 | metacmd=1 | cmddata | trunk timestamp (32) | entries ...
//! cmddata 0 (supermini): entry = | call (16) | len (16) | data |
//! cmddata 1 (trunktimestamps=yes): entry = | len (16) | call (16) | ts low 16 | data |
//! ```

use std::time::{Duration, Instant};

use crate::consts::meta;
use crate::error::Error;

/// chan_iax2 `MAX_TRUNK_MTU`: 1516 minus Ethernet, IP, UDP and IAX headers and one G.711 frame.
pub const MAX_TRUNK_MTU: usize = 1240;
/// Entries parsed from one trunk datagram at most.
pub const MAX_TRUNK_ENTRIES: usize = 1024;
/// chan_iax2 `trunkfreq`: a trunk is flushed every 20 ms.
pub const TRUNK_FREQ_MS: u32 = 20;
const MAX_TIMESTAMP_SKEW: i64 = 160;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrunkFlavour {
    /// Entries without timestamps; receivers stamp them from the trunk timestamp.
    SuperMini,
    /// Entries are mini frames with their own 16-bit timestamps (`trunktimestamps=yes`).
    Mini,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrunkEntry {
    pub call: u16,
    /// Present with [`TrunkFlavour::Mini`].
    pub timestamp: Option<u16>,
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrunkFrame {
    pub flavour: TrunkFlavour,
    pub timestamp: u32,
    pub entries: Vec<TrunkEntry>,
    /// The last entry claimed more data than the datagram held; chan_iax2 stops there and
    /// keeps what came before.
    pub truncated: bool,
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at + 2).map(|s| u16::from_be_bytes([s[0], s[1]]))
}

impl TrunkFrame {
    pub fn parse(bytes: &[u8]) -> Result<TrunkFrame, Error> {
        if bytes.len() < 4 {
            return Err(Error::TooShort {
                what: "meta frame",
                len: bytes.len(),
                need: 4,
            });
        }
        if bytes[2] != meta::TRUNK {
            return Err(Error::UnsupportedMeta(bytes[2]));
        }
        if bytes.len() < 8 {
            return Err(Error::TooShort {
                what: "meta trunk frame",
                len: bytes.len(),
                need: 8,
            });
        }
        let flavour = match bytes[3] {
            meta::TRUNK_SUPERMINI => TrunkFlavour::SuperMini,
            meta::TRUNK_MINI => TrunkFlavour::Mini,
            other => return Err(Error::UnknownTrunkFlavour(other)),
        };
        let timestamp = u32::from_be_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
        let mut at = 8;
        let mut entries = Vec::new();
        let mut truncated = false;
        while entries.len() < MAX_TRUNK_ENTRIES {
            let (call, len, ts, hdr) = match flavour {
                TrunkFlavour::SuperMini => match (be16(bytes, at), be16(bytes, at + 2)) {
                    (Some(c), Some(l)) => (c, l, None, 4),
                    _ => break,
                },
                TrunkFlavour::Mini => {
                    match (be16(bytes, at), be16(bytes, at + 2), be16(bytes, at + 4)) {
                        (Some(l), Some(c), Some(t)) => (c, l, Some(t), 6),
                        _ => break,
                    }
                }
            };
            let start = at + hdr;
            let end = start + usize::from(len);
            let Some(data) = bytes.get(start..end) else {
                truncated = true;
                break;
            };
            entries.push(TrunkEntry {
                call: call & 0x7fff,
                timestamp: ts,
                data: data.to_vec(),
            });
            at = end;
        }
        Ok(TrunkFrame {
            flavour,
            timestamp,
            entries,
            truncated,
        })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out =
            Vec::with_capacity(8 + self.entries.iter().map(|e| e.data.len() + 6).sum::<usize>());
        out.extend_from_slice(&[0, 0, meta::TRUNK]);
        out.push(match self.flavour {
            TrunkFlavour::SuperMini => meta::TRUNK_SUPERMINI,
            TrunkFlavour::Mini => meta::TRUNK_MINI,
        });
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        for e in &self.entries {
            let len = e.data.len().min(usize::from(u16::MAX)) as u16;
            match self.flavour {
                TrunkFlavour::SuperMini => {
                    out.extend_from_slice(&e.call.to_be_bytes());
                    out.extend_from_slice(&len.to_be_bytes());
                }
                TrunkFlavour::Mini => {
                    out.extend_from_slice(&len.to_be_bytes());
                    out.extend_from_slice(&e.call.to_be_bytes());
                    out.extend_from_slice(&e.timestamp.unwrap_or(0).to_be_bytes());
                }
            }
            out.extend_from_slice(&e.data[..usize::from(len)]);
        }
        out
    }
}

/// Collects voice for one peer and builds trunk datagrams (chan_iax2 `iax2_trunk_peer`).
///
/// Push each call's voice with [`TrunkBuilder::push`]; every [`TRUNK_FREQ_MS`] (or when
/// `push` says the MTU is reached) call [`TrunkBuilder::flush`] and send the bytes.
#[derive(Debug)]
pub struct TrunkBuilder {
    flavour: TrunkFlavour,
    mtu: usize,
    entries: Vec<TrunkEntry>,
    len: usize,
    tx_start: Option<Instant>,
    last_tx: Option<Instant>,
    last_sent: i64,
}

impl TrunkBuilder {
    /// `trunk_timestamps` is iax.conf `trunktimestamps`; `mtu` is `trunkmtu` (0: the default
    /// [`MAX_TRUNK_MTU`]).
    pub fn new(trunk_timestamps: bool, mtu: usize) -> TrunkBuilder {
        TrunkBuilder {
            flavour: if trunk_timestamps {
                TrunkFlavour::Mini
            } else {
                TrunkFlavour::SuperMini
            },
            mtu: if mtu == 0 { MAX_TRUNK_MTU } else { mtu },
            entries: Vec::new(),
            len: 8,
            tx_start: None,
            last_tx: None,
            last_sent: 999_999,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Queues one call's voice (`call_timestamp` is that call's full timestamp, used with
    /// trunk timestamps). Returns true when the datagram reached the MTU and should be flushed
    /// now, as chan_iax2 does ("if we have enough for a full MTU, ship it now").
    pub fn push(&mut self, call: u16, call_timestamp: u32, data: &[u8]) -> bool {
        let hdr = match self.flavour {
            TrunkFlavour::SuperMini => 4,
            TrunkFlavour::Mini => 6,
        };
        let data = &data[..data.len().min(usize::from(u16::MAX))];
        self.entries.push(TrunkEntry {
            call: call & 0x7fff,
            timestamp: (self.flavour == TrunkFlavour::Mini)
                .then_some((call_timestamp & 0xffff) as u16),
            data: data.to_vec(),
        });
        self.len += hdr + data.len();
        self.len >= self.mtu
    }

    /// The trunk timestamp as chan_iax2 `calc_txpeerstamp`: ms since the trunk (re)started,
    /// predicted in steps of [`TRUNK_FREQ_MS`], never the same twice, restarted after 5 s idle.
    fn stamp(&mut self, now: Instant) -> u32 {
        let idle = self
            .last_tx
            .map(|t| now.saturating_duration_since(t) > Duration::from_secs(5));
        if idle.unwrap_or(true) || self.tx_start.is_none() {
            self.tx_start = Some(now);
            self.last_sent = 999_999;
        }
        self.last_tx = Some(now);
        let start = self.tx_start.unwrap_or(now);
        let mut ms = now.saturating_duration_since(start).as_millis() as i64;
        let pred = self.last_sent + i64::from(TRUNK_FREQ_MS);
        if (ms - pred).abs() < MAX_TIMESTAMP_SKEW {
            ms = pred;
        }
        if ms == self.last_sent {
            ms = self.last_sent + 1;
        }
        self.last_sent = ms;
        ms as u32
    }

    /// Builds the datagram with everything queued, or `None` when nothing is queued.
    pub fn flush(&mut self, now: Instant) -> Option<Vec<u8>> {
        if self.entries.is_empty() {
            return None;
        }
        let frame = TrunkFrame {
            flavour: self.flavour,
            timestamp: self.stamp(now),
            entries: std::mem::take(&mut self.entries),
            truncated: false,
        };
        self.len = 8;
        Some(frame.to_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supermini_trunk_round_trips_with_wire_bytes() {
        let wire = [
            0, 0, 1, 0, 0, 0, 0, 40, 0, 3, 0, 2, 0xaa, 0xbb, 0, 4, 0, 1, 0xcc,
        ];
        let t = TrunkFrame::parse(&wire).unwrap();
        assert_eq!(t.flavour, TrunkFlavour::SuperMini);
        assert_eq!(t.timestamp, 40);
        assert_eq!(t.entries.len(), 2);
        assert_eq!(
            t.entries[0],
            TrunkEntry {
                call: 3,
                timestamp: None,
                data: vec![0xaa, 0xbb]
            }
        );
        assert_eq!(t.entries[1].call, 4);
        assert_eq!(t.to_bytes(), wire.to_vec());
    }

    #[test]
    fn trunk_timestamps_put_a_mini_header_per_call() {
        let wire = [0, 0, 1, 1, 0, 0, 1, 0, 0, 2, 0, 9, 0x12, 0x34, 1, 2];
        let t = TrunkFrame::parse(&wire).unwrap();
        assert_eq!(t.flavour, TrunkFlavour::Mini);
        assert_eq!(
            t.entries,
            vec![TrunkEntry {
                call: 9,
                timestamp: Some(0x1234),
                data: vec![1, 2]
            }]
        );
        assert_eq!(t.to_bytes(), wire.to_vec());
    }

    #[test]
    fn entry_longer_than_the_datagram_stops_parsing_and_keeps_earlier_entries() {
        let wire = [0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 0, 1, 7, 0, 4, 0, 50, 1];
        let t = TrunkFrame::parse(&wire).unwrap();
        assert_eq!(t.entries.len(), 1);
        assert!(t.truncated);
        assert_eq!(
            TrunkFrame::parse(&[0, 0, 1, 5, 0, 0, 0, 0]),
            Err(Error::UnknownTrunkFlavour(5))
        );
    }

    #[test]
    fn builder_packs_several_calls_and_stamps_predicted_20ms_steps() {
        let t0 = Instant::now();
        let mut b = TrunkBuilder::new(true, 0);
        assert!(b.flush(t0).is_none());
        assert!(!b.push(2, 0x1_0014, &[1; 160]));
        assert!(!b.push(3, 20, &[2; 160]));
        let first = TrunkFrame::parse(&b.flush(t0).unwrap()).unwrap();
        assert_eq!(first.entries.len(), 2);
        assert_eq!(first.entries[0].timestamp, Some(0x0014));
        assert_eq!(first.timestamp, 0);
        b.push(2, 40, &[1; 160]);
        let second = TrunkFrame::parse(&b.flush(t0 + Duration::from_millis(23)).unwrap()).unwrap();
        assert_eq!(second.timestamp, 20, "within the skew the prediction wins");
        b.push(2, 60, &[1; 160]);
        let third = TrunkFrame::parse(&b.flush(t0 + Duration::from_millis(23)).unwrap()).unwrap();
        assert_eq!(third.timestamp, 40);
    }

    #[test]
    fn builder_says_flush_now_when_the_mtu_is_reached() {
        let mut b = TrunkBuilder::new(false, 0);
        let mut full = false;
        for call in 1..=8 {
            full = b.push(call, 0, &[0; 160]);
            if full {
                assert_eq!(call, 8, "8 * 164 + 8 = 1320 >= 1240");
                break;
            }
        }
        assert!(full);
    }
}
