//! Receiving RFC 4733 events: each digit is reported once, as a begin and an end with its
//! duration, whatever the network did to its packets.
//!
//! Rules (Asterisk's `process_dtmf_rfc2833`, with tandem's choices where noted):
//! - An event is identified by its RTP timestamp and event code.
//! - The first packet of a new event reports `Begin`, marker bit or not (so a lost start
//!   packet only delays the begin to the first update that arrives).
//! - The first end packet reports `End` with the packet's duration; the repeated end packets
//!   and any late update of an ended event are ignored.
//! - An end packet for an event never begun (all its updates lost) reports `Begin` then `End`
//!   (tandem: Asterisk reports only the end; the pair keeps callers simple).
//! - A packet a little older (within 50) than the newest sequence number seen is dropped, as
//!   Asterisk does: processing it could report a digit twice.
//! - A new event while one is active ends the active one first.
//! - No packet for `timeout` (Asterisk's `dtmftimeout`, 150 ms by default) ends the active
//!   event with its last duration: the end packets were all lost.
//! - Events above 16 (not DTMF) are ignored.

use super::{event_to_digit, TelephoneEvent};
use crate::error::Result;
use crate::header::seq_diff;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// What the receiver reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtmfEvent {
    Begin { digit: char },
    End { digit: char, duration: Duration },
}

#[derive(Debug, Clone, Copy)]
struct Active {
    event: u8,
    timestamp: u32,
    /// Duration in samples, extended past 16 bits when the field wraps.
    samples: u32,
    last_packet: Instant,
}

const MAX_EVENTS: usize = 32;

#[derive(Debug, Clone)]
pub struct DtmfReceiver {
    clock_rate: u32,
    timeout: Duration,
    active: Option<Active>,
    last_ended: Option<(u32, u8)>,
    newest_seq: Option<u16>,
    events: VecDeque<DtmfEvent>,
}

impl DtmfReceiver {
    /// `clock_rate` of the telephone-event payload type; `timeout` as Asterisk's dtmftimeout.
    pub fn new(clock_rate: u32, timeout: Duration) -> Self {
        DtmfReceiver {
            clock_rate: clock_rate.max(1),
            timeout,
            active: None,
            last_ended: None,
            newest_seq: None,
            events: VecDeque::new(),
        }
    }

    /// 8 kHz, 150 ms timeout (Asterisk's `DEFAULT_DTMF_TIMEOUT`, 1200 samples).
    pub fn with_defaults() -> Self {
        Self::new(8000, Duration::from_millis(150))
    }

    fn to_duration(&self, samples: u32) -> Duration {
        Duration::from_nanos(u64::from(samples) * 1_000_000_000 / u64::from(self.clock_rate))
    }

    fn emit(&mut self, e: DtmfEvent) {
        if self.events.len() >= MAX_EVENTS {
            self.events.pop_front();
        }
        self.events.push_back(e);
    }

    fn end_active(&mut self) {
        if let Some(a) = self.active.take() {
            let duration = self.to_duration(a.samples);
            if let Some(digit) = event_to_digit(a.event) {
                self.emit(DtmfEvent::End { digit, duration });
            }
            self.last_ended = Some((a.timestamp, a.event));
        }
    }

    /// Feeds one telephone-event packet (its RTP sequence number, timestamp and payload).
    pub fn handle_packet(
        &mut self,
        now: Instant,
        seq: u16,
        timestamp: u32,
        payload: &[u8],
    ) -> Result<()> {
        let ev = TelephoneEvent::parse(payload)?;
        let Some(digit) = ev.digit() else {
            return Ok(());
        };
        if let Some(newest) = self.newest_seq {
            let d = seq_diff(seq, newest);
            if d < 0 && d > -50 {
                return Ok(());
            }
        }
        self.newest_seq = Some(seq);
        if self.last_ended == Some((timestamp, ev.event)) {
            return Ok(());
        }
        if self
            .active
            .is_some_and(|a| a.timestamp != timestamp || a.event != ev.event)
        {
            self.end_active();
        }
        let samples = match self.active {
            Some(a) => {
                // The 16-bit duration wraps after 8 s at 8 kHz: extend it as Asterisk does.
                let last16 = a.samples & 0xffff;
                let mut ext = a.samples;
                if last16 > 64000 && u32::from(ev.duration) < last16 {
                    ext = ext.wrapping_add(0x1_0000);
                }
                (ext & !0xffff) | u32::from(ev.duration)
            }
            None => {
                self.emit(DtmfEvent::Begin { digit });
                u32::from(ev.duration)
            }
        };
        self.active = Some(Active {
            event: ev.event,
            timestamp,
            samples,
            last_packet: now,
        });
        if ev.end {
            self.end_active();
        }
        Ok(())
    }

    /// Ends a digit whose end packets never came.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self
            .active
            .is_some_and(|a| now >= a.last_packet + self.timeout)
        {
            self.end_active();
        }
    }

    /// When `handle_timeout` should run (only while a digit is active).
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.active.map(|a| a.last_packet + self.timeout)
    }

    pub fn poll_event(&mut self) -> Option<DtmfEvent> {
        self.events.pop_front()
    }

    /// The digit currently held down, if any.
    pub fn active_digit(&self) -> Option<char> {
        self.active.and_then(|a| event_to_digit(a.event))
    }
}
