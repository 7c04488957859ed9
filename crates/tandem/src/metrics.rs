//! Counters for the Prometheus endpoint (`/metrics`, see `ops::http`).
//!
//! One process-wide set of atomics: the SIP endpoint counts each message it receives or sends
//! with a one-line hook ([`sip_in`], [`sip_out`]) that looks only at the start line, so the
//! counting costs an atomic add and never allocates. Everything else (channels, calls,
//! registrations, bans) is read from its owner when `/metrics` is asked for.

use std::sync::atomic::{AtomicU64, Ordering};

/// Methods counted by name; anything else is `OTHER`.
pub const METHODS: &[&str] = &[
    "INVITE",
    "ACK",
    "BYE",
    "CANCEL",
    "REGISTER",
    "OPTIONS",
    "SUBSCRIBE",
    "NOTIFY",
    "INFO",
    "REFER",
    "MESSAGE",
    "UPDATE",
    "PRACK",
    "PUBLISH",
    "OTHER",
];
const N_METHODS: usize = 15;
/// Status codes 100..=699.
const N_CODES: usize = 600;

pub struct Direction {
    requests: [AtomicU64; N_METHODS],
    responses: [AtomicU64; N_CODES],
}

impl Direction {
    const fn new() -> Self {
        Direction {
            requests: [const { AtomicU64::new(0) }; N_METHODS],
            responses: [const { AtomicU64::new(0) }; N_CODES],
        }
    }

    /// Count one message from its start line.
    pub fn count(&self, message: &[u8]) {
        if let Some(rest) = message.strip_prefix(b"SIP/2.0 ") {
            let code = rest
                .get(..3)
                .and_then(|d| std::str::from_utf8(d).ok())
                .and_then(|d| d.parse::<usize>().ok());
            if let Some(slot) = code
                .and_then(|c| c.checked_sub(100))
                .and_then(|i| self.responses.get(i))
            {
                slot.fetch_add(1, Ordering::Relaxed);
            }
            return;
        }
        let end = message
            .iter()
            .take(32)
            .position(|b| *b == b' ')
            .unwrap_or(0);
        let method = message.get(..end).unwrap_or_default();
        let i = METHODS
            .iter()
            .position(|m| m.as_bytes() == method)
            .unwrap_or(N_METHODS - 1);
        if let Some(slot) = self.requests.get(i) {
            slot.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// (method, count) for every method seen at least once.
    pub fn requests(&self) -> Vec<(&'static str, u64)> {
        METHODS
            .iter()
            .zip(self.requests.iter())
            .map(|(m, c)| (*m, c.load(Ordering::Relaxed)))
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// (code, count) for every code seen at least once.
    pub fn responses(&self) -> Vec<(u16, u64)> {
        self.responses
            .iter()
            .enumerate()
            .map(|(i, c)| (i as u16 + 100, c.load(Ordering::Relaxed)))
            .filter(|(_, n)| *n > 0)
            .collect()
    }
}

pub struct SipCounters {
    pub received: Direction,
    pub sent: Direction,
}

pub static SIP: SipCounters = SipCounters {
    received: Direction::new(),
    sent: Direction::new(),
};

/// Hook: the endpoint received a SIP message.
pub fn sip_in(message: &[u8]) {
    SIP.received.count(message);
}

/// Hook: the endpoint sent a SIP message.
pub fn sip_out(message: &[u8]) {
    SIP.sent.count(message);
}

/// Upper bounds of the jitter histogram, seconds.
pub const JITTER_BUCKETS: [f64; 7] = [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5];
/// Upper bounds of the loss histogram, as a fraction of the packets expected.
pub const LOSS_BUCKETS: [f64; 6] = [0.0, 0.001, 0.01, 0.02, 0.05, 0.1];

/// A histogram of non-negative values with fixed bounds (and `+Inf`); the sum is kept in
/// millionths so that it stays an atomic integer.
pub struct Histogram<const N: usize> {
    bounds: [f64; N],
    counts: [AtomicU64; N],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl<const N: usize> Histogram<N> {
    const fn new(bounds: [f64; N]) -> Self {
        Histogram {
            bounds,
            counts: [const { AtomicU64::new(0) }; N],
            count: AtomicU64::new(0),
            sum_micros: AtomicU64::new(0),
        }
    }

    pub fn observe(&self, v: f64) {
        let v = if v.is_finite() && v > 0.0 { v } else { 0.0 };
        for (bound, c) in self.bounds.iter().zip(self.counts.iter()) {
            if v <= *bound {
                c.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros
            .fetch_add((v * 1e6).min(1e15) as u64, Ordering::Relaxed);
    }

    /// `(le, cumulative count)` for each bound, then the total count and the sum.
    pub fn snapshot(&self) -> (Vec<(f64, u64)>, u64, f64) {
        let buckets = self
            .bounds
            .iter()
            .zip(self.counts.iter())
            .map(|(b, c)| (*b, c.load(Ordering::Relaxed)))
            .collect();
        (
            buckets,
            self.count.load(Ordering::Relaxed),
            self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6,
        )
    }
}

/// RTP totals of the legs that have ended (the caller's leg of each call).
pub struct RtpCounters {
    pub received: AtomicU64,
    pub sent: AtomicU64,
    pub lost: AtomicU64,
    pub jitter: Histogram<7>,
    pub loss: Histogram<6>,
}

pub static RTP: RtpCounters = RtpCounters {
    received: AtomicU64::new(0),
    sent: AtomicU64::new(0),
    lost: AtomicU64::new(0),
    jitter: Histogram::new(JITTER_BUCKETS),
    loss: Histogram::new(LOSS_BUCKETS),
};

/// Hook: a call's media leg ended with these statistics.
pub fn rtp_leg_ended(stats: &crate::media::stats::LegStats) {
    RTP.received.fetch_add(stats.rx_packets, Ordering::Relaxed);
    RTP.sent.fetch_add(stats.tx_packets, Ordering::Relaxed);
    let lost = stats.rx_lost.max(0) as u64;
    RTP.lost.fetch_add(lost, Ordering::Relaxed);
    if stats.rx_packets > 0 {
        RTP.jitter.observe(stats.rx_jitter);
        RTP.loss
            .observe(lost as f64 / (stats.rx_packets + lost) as f64);
    }
}

/// Sizes of the tables that calls fill and must empty again (`/metrics` gauges): what the SIP
/// endpoint holds (published by its task after every batch of messages: three relaxed stores)
/// (the RTP ports bound are counted in [`crate::media::ports_in_use`]). Under a steady load
/// they stay level; after the calls end, all but the transactions (which linger 32 s) go to 0.
pub struct Tables {
    /// The transaction layer's entries, finished ones included while they linger.
    pub sip_transactions: AtomicU64,
    /// The user agent's calls (dialogs and the INVITEs that may create one).
    pub sip_dialogs: AtomicU64,
    /// The SIP driver's legs (channels with an RTP port).
    pub sip_legs: AtomicU64,
}

pub static TABLES: Tables = Tables {
    sip_transactions: AtomicU64::new(0),
    sip_dialogs: AtomicU64::new(0),
    sip_legs: AtomicU64::new(0),
};

#[cfg(test)]
mod tests {
    #[test]
    fn histogram_buckets_are_cumulative_with_a_sum() {
        let h = super::Histogram::new([0.01, 0.1]);
        h.observe(0.005);
        h.observe(0.05);
        h.observe(3.0);
        h.observe(f64::NAN);
        let (buckets, count, sum) = h.snapshot();
        assert_eq!(buckets, vec![(0.01, 2), (0.1, 3)]);
        assert_eq!(count, 4);
        assert!((sum - 3.055).abs() < 1e-9);
    }

    use super::*;

    #[test]
    fn counts_requests_by_method_and_responses_by_code() {
        let d = Direction::new();
        d.count(b"INVITE sip:100@x SIP/2.0\r\n");
        d.count(b"INVITE sip:100@x SIP/2.0\r\n");
        d.count(b"BYE sip:100@x SIP/2.0\r\n");
        d.count(b"FOO sip:100@x SIP/2.0\r\n");
        d.count(b"SIP/2.0 200 OK\r\n");
        d.count(b"SIP/2.0 180 Ringing\r\n");
        d.count(b"SIP/2.0 999 Nonsense\r\n");
        d.count(b"SIP/2.0 xx\r\n");
        assert_eq!(d.requests(), vec![("INVITE", 2), ("BYE", 1), ("OTHER", 1)]);
        assert_eq!(d.responses(), vec![(180, 1), (200, 1)]);
    }
}
