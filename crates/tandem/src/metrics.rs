//! Counters for the Prometheus endpoint (`/metrics`, see `ops::http`).
//!
//! One process-wide set of atomics: the SIP endpoint counts each message it receives or sends
//! with a one-line hook ([`sip_in`], [`sip_out`]) that looks only at the start line, so the
//! counting costs an atomic add and never allocates. Everything else (channels, calls,
//! registrations, bans) is read from its owner when `/metrics` is asked for.

use std::sync::atomic::{AtomicU64, Ordering};

/// Methods counted by name; anything else is `OTHER`.
pub const METHODS: &[&str] = &[
    "INVITE", "ACK", "BYE", "CANCEL", "REGISTER", "OPTIONS", "SUBSCRIBE", "NOTIFY", "INFO",
    "REFER", "MESSAGE", "UPDATE", "PRACK", "PUBLISH", "OTHER",
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

#[cfg(test)]
mod tests {
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
