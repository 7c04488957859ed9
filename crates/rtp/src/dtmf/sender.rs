//! Sending one RFC 4733 event (sec. 2.5.1): the first packet has the marker bit; updates follow
//! every `interval` with a growing duration; the end packet (E bit, final duration) is sent
//! `end_repeats` times `end_spacing` apart. Every packet of the event carries the timestamp of
//! its start; the caller gives each one the stream's next sequence number and SSRC.
//!
//! Each update's duration counts the interval it starts, so the first packet already says
//! one interval (a zero duration is ignored by some receivers; Asterisk's first packet says
//! 160 samples for the same reason). While an event is active the caller sends no audio on
//! the stream, as Asterisk does.

use super::{digit_to_event, TelephoneEvent};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct DtmfConfig {
    /// Timestamp clock of the telephone-event payload type (8000 unless negotiated otherwise).
    pub clock_rate: u32,
    /// Time between updates (RFC 4733 suggests 50 ms).
    pub interval: Duration,
    /// How many end packets (RFC 4733 sec. 2.5.1.4: three).
    pub end_repeats: u8,
    /// Time between the end packets (RFC: the update interval; zero sends them back to back
    /// as Asterisk does).
    pub end_spacing: Duration,
    /// Power level, -dBm0 (Asterisk sends 10).
    pub volume: u8,
    /// Duration of a digit when the caller does not give one (Asterisk's default is 100 ms).
    pub default_duration: Duration,
}

impl Default for DtmfConfig {
    fn default() -> Self {
        DtmfConfig {
            clock_rate: 8000,
            interval: Duration::from_millis(50),
            end_repeats: 3,
            end_spacing: Duration::from_millis(50),
            volume: 10,
            default_duration: Duration::from_millis(100),
        }
    }
}

/// A packet to send: wrap it in an RTP header with the telephone-event payload type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DtmfPacket {
    pub marker: bool,
    pub timestamp: u32,
    pub event: TelephoneEvent,
}

#[derive(Debug, Clone, Copy)]
struct Active {
    event: u8,
    timestamp: u32,
    start: Instant,
    /// Total length once known (given at start, or fixed by `stop`).
    length: Option<Duration>,
    next_update: Instant,
    sent_first: bool,
    ends_sent: u8,
    /// Largest duration announced so far: the end never says less.
    claimed: u16,
}

#[derive(Debug, Clone)]
pub struct DtmfSender {
    cfg: DtmfConfig,
    active: Option<Active>,
}

/// Bound on a single event: the 16-bit duration field (8.19 s at 8 kHz). Longer events are
/// ended there (RFC 4733 would split them into segments; no phone needs that for DTMF).
fn samples(d: Duration, rate: u32) -> u16 {
    let s = d.as_nanos() * u128::from(rate) / 1_000_000_000;
    u16::try_from(s).unwrap_or(u16::MAX)
}

impl DtmfSender {
    pub fn new(cfg: DtmfConfig) -> Self {
        DtmfSender {
            cfg: DtmfConfig {
                interval: cfg.interval.max(Duration::from_millis(1)),
                ..cfg
            },
            active: None,
        }
    }

    /// Starts `digit` at `now`, stamped with `timestamp` (the stream's current RTP timestamp).
    /// `length`: `Some` for a digit of known length (`None` uses the configured default);
    /// use [`start_open`](Self::start_open) when the length comes later. Returns false (and
    /// does nothing) for a character that is not a digit or while another event is active.
    pub fn start(
        &mut self,
        now: Instant,
        digit: char,
        timestamp: u32,
        length: Option<Duration>,
    ) -> bool {
        self.begin(
            now,
            digit,
            timestamp,
            Some(length.unwrap_or(self.cfg.default_duration)),
        )
    }

    /// Starts a digit whose end is not known yet (a DTMF begin relayed from another leg);
    /// [`stop`](Self::stop) ends it.
    pub fn start_open(&mut self, now: Instant, digit: char, timestamp: u32) -> bool {
        self.begin(now, digit, timestamp, None)
    }

    fn begin(
        &mut self,
        now: Instant,
        digit: char,
        timestamp: u32,
        length: Option<Duration>,
    ) -> bool {
        let Some(event) = digit_to_event(digit) else {
            return false;
        };
        if self.active.is_some() {
            return false;
        }
        let max =
            Duration::from_secs_f64(f64::from(u16::MAX) / f64::from(self.cfg.clock_rate.max(1)));
        self.active = Some(Active {
            event,
            timestamp,
            start: now,
            length: length.map(|l| l.min(max)),
            next_update: now,
            sent_first: false,
            ends_sent: 0,
            claimed: 0,
        });
        true
    }

    /// Ends an open digit at `now` (a digit of known length ends by itself).
    pub fn stop(&mut self, now: Instant) {
        if let Some(a) = self.active.as_mut() {
            if a.length.is_none() {
                a.length = Some(now.saturating_duration_since(a.start));
            }
        }
    }

    /// True while an event is being sent: the caller holds back audio meanwhile.
    pub fn is_active(&self) -> bool {
        self.active.is_some()
    }

    fn end_time(a: &Active) -> Option<Instant> {
        a.length.map(|l| a.start + l)
    }

    /// When the next packet is due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let a = self.active.as_ref()?;
        match Self::end_time(a) {
            Some(end) if !a.sent_first => Some(a.start.min(end)),
            Some(end) if a.next_update >= end || a.ends_sent > 0 => {
                Some(end + self.cfg.end_spacing * u32::from(a.ends_sent))
            }
            _ => Some(a.next_update),
        }
    }

    /// The next packet due at `now`, if any. Call until it returns `None`.
    pub fn poll_packet(&mut self, now: Instant) -> Option<DtmfPacket> {
        let cfg = self.cfg;
        let a = self.active.as_mut()?;
        let end = Self::end_time(a);
        let in_updates = !a.sent_first || end.is_none_or(|e| a.next_update < e && a.ends_sent == 0);
        if in_updates {
            if now < a.next_update {
                return None;
            }
            let elapsed = now.saturating_duration_since(a.start) + cfg.interval;
            let covered = match a.length {
                Some(l) => elapsed.min(l),
                None => elapsed,
            };
            let marker = !a.sent_first;
            a.sent_first = true;
            while a.next_update <= now {
                a.next_update += cfg.interval;
            }
            a.claimed = a.claimed.max(samples(covered, cfg.clock_rate).max(1));
            let event = TelephoneEvent {
                event: a.event,
                end: false,
                volume: cfg.volume,
                duration: a.claimed,
            };
            return Some(DtmfPacket {
                marker,
                timestamp: a.timestamp,
                event,
            });
        }
        let end = end?;
        let due = end + cfg.end_spacing * u32::from(a.ends_sent);
        if now < due {
            return None;
        }
        a.ends_sent += 1;
        let length = a.length.unwrap_or_default();
        let packet = DtmfPacket {
            marker: false,
            timestamp: a.timestamp,
            event: TelephoneEvent {
                event: a.event,
                end: true,
                volume: cfg.volume,
                duration: samples(length, cfg.clock_rate).max(a.claimed).max(1),
            },
        };
        if a.ends_sent >= cfg.end_repeats.max(1) {
            self.active = None;
        }
        Some(packet)
    }
}
