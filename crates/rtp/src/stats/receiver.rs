//! Reception statistics for one remote source (RFC 3550 appendix A.1, A.3, A.8): extended
//! highest sequence number, cumulative and interval loss, interarrival jitter in timestamp
//! units, and the LSR/DLSR to echo back.
//!
//! Differences from A.1, on purpose: no probation (MIN_SEQUENTIAL): a phone's first packet
//! counts, as in Asterisk, which has none either. A jump of more than MAX_DROPOUT is held
//! as "bad" until the next packet confirms it, then the sequence restarts there (A.1's rule).

use crate::ntp::duration_to_compact;
use crate::rtcp::clamp_lost;
use crate::rtcp::ReportBlock;
use std::time::Instant;

const MAX_DROPOUT: u16 = 3000;
const MAX_MISORDER: u16 = 100;
const SEQ_MOD: u32 = 1 << 16;

/// What a packet's sequence number meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeqCheck {
    /// In order, a small gap, a duplicate or a reordered packet: counted.
    Valid,
    /// A large jump, not counted until the next packet confirms it.
    Bad,
    /// The previous packet's large jump was confirmed: statistics start again here.
    Restarted,
}

#[derive(Debug, Clone)]
pub struct ReceiverStats {
    ssrc: u32,
    clock_rate: u32,
    started: bool,
    max_seq: u16,
    cycles: u32,
    base_seq: u32,
    bad_seq: u32,
    received: u64,
    expected_prior: u64,
    received_prior: u64,
    octets: u64,
    first_arrival: Option<Instant>,
    transit: Option<u32>,
    jitter: f64,
    last_sr: Option<(u32, Instant)>,
    last_arrival: Option<Instant>,
}

impl ReceiverStats {
    pub fn new(ssrc: u32, clock_rate: u32) -> Self {
        ReceiverStats {
            ssrc,
            clock_rate: clock_rate.max(1),
            started: false,
            max_seq: 0,
            cycles: 0,
            base_seq: 0,
            bad_seq: SEQ_MOD + 1,
            received: 0,
            expected_prior: 0,
            received_prior: 0,
            octets: 0,
            first_arrival: None,
            transit: None,
            jitter: 0.0,
            last_sr: None,
            last_arrival: None,
        }
    }

    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }

    fn init_seq(&mut self, seq: u16) {
        self.base_seq = u32::from(seq);
        self.max_seq = seq;
        self.bad_seq = SEQ_MOD + 1;
        self.cycles = 0;
        self.received = 0;
        self.received_prior = 0;
        self.expected_prior = 0;
    }

    /// Feeds one received packet (A.1 `update_seq`, then A.8 jitter for counted packets).
    pub fn on_packet(
        &mut self,
        now: Instant,
        seq: u16,
        timestamp: u32,
        payload_len: usize,
    ) -> SeqCheck {
        let mut outcome = SeqCheck::Valid;
        if !self.started {
            self.started = true;
            self.init_seq(seq);
        } else {
            let udelta = seq.wrapping_sub(self.max_seq);
            if udelta < MAX_DROPOUT {
                if seq < self.max_seq {
                    self.cycles = self.cycles.wrapping_add(SEQ_MOD);
                }
                self.max_seq = seq;
            } else if udelta <= u16::MAX - MAX_MISORDER {
                if u32::from(seq) == self.bad_seq {
                    // Two sequential packets after the jump: the source restarted.
                    self.init_seq(seq);
                    self.transit = None;
                    outcome = SeqCheck::Restarted;
                } else {
                    self.bad_seq = (u32::from(seq) + 1) & (SEQ_MOD - 1);
                    return SeqCheck::Bad;
                }
            }
            // else: duplicate or reordered within MAX_MISORDER: counted, max unchanged.
        }
        self.received += 1;
        self.octets += payload_len as u64;
        self.last_arrival = Some(now);
        self.update_jitter(now, timestamp);
        outcome
    }

    fn update_jitter(&mut self, now: Instant, timestamp: u32) {
        let first = *self.first_arrival.get_or_insert(now);
        let elapsed = now.saturating_duration_since(first);
        let arrival = (elapsed.as_nanos() * u128::from(self.clock_rate) / 1_000_000_000) as u32;
        let transit = arrival.wrapping_sub(timestamp);
        if let Some(prev) = self.transit {
            let d = f64::from((transit.wrapping_sub(prev) as i32).unsigned_abs());
            self.jitter += (d - self.jitter) / 16.0;
        }
        self.transit = Some(transit);
    }

    /// Records an SR from this source, received at `now`, for LSR/DLSR.
    pub fn on_sender_report(&mut self, now: Instant, ntp_middle: u32) {
        self.last_sr = Some((ntp_middle, now));
    }

    /// Highest sequence number seen, extended with the count of wraps (A.1 cycles).
    pub fn extended_highest_seq(&self) -> u32 {
        self.cycles.wrapping_add(u32::from(self.max_seq))
    }
    /// Packets expected since the (re)start (A.3).
    pub fn expected(&self) -> u64 {
        if !self.started {
            return 0;
        }
        (u64::from(self.cycles) + u64::from(self.max_seq) + 1)
            .saturating_sub(u64::from(self.base_seq))
    }
    /// Packets counted, duplicates included (as A.3 does).
    pub fn received(&self) -> u64 {
        self.received
    }
    pub fn octets(&self) -> u64 {
        self.octets
    }
    /// Cumulative packets lost: expected minus received, negative with duplicates (A.3).
    pub fn cumulative_lost(&self) -> i64 {
        self.expected() as i64 - self.received as i64
    }
    /// Interarrival jitter in timestamp units (A.8), rounded down.
    pub fn jitter(&self) -> u32 {
        self.jitter as u32
    }
    /// Jitter with its fractional part, for display.
    pub fn jitter_exact(&self) -> f64 {
        self.jitter
    }
    pub fn last_arrival(&self) -> Option<Instant> {
        self.last_arrival
    }

    /// Loss fraction since the previous call, in 1/256ths (A.3), without resetting the interval.
    pub fn peek_fraction_lost(&self) -> u8 {
        let expected_interval = self.expected().saturating_sub(self.expected_prior);
        let received_interval = self.received.saturating_sub(self.received_prior);
        let lost_interval = expected_interval as i64 - received_interval as i64;
        if expected_interval == 0 || lost_interval <= 0 {
            0
        } else {
            ((lost_interval << 8) / expected_interval as i64).min(255) as u8
        }
    }

    /// The report block to send at `now`; starts a new interval for the fraction lost.
    pub fn report_block(&mut self, now: Instant) -> ReportBlock {
        let fraction_lost = self.peek_fraction_lost();
        self.expected_prior = self.expected();
        self.received_prior = self.received;
        let (last_sr, delay_since_last_sr) = match self.last_sr {
            Some((lsr, at)) => (lsr, duration_to_compact(now.saturating_duration_since(at))),
            None => (0, 0),
        };
        ReportBlock {
            ssrc: self.ssrc,
            fraction_lost,
            cumulative_lost: clamp_lost(self.cumulative_lost()),
            extended_highest_seq: self.extended_highest_seq(),
            jitter: self.jitter(),
            last_sr,
            delay_since_last_sr,
        }
    }
}
