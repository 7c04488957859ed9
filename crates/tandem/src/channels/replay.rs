//! Digits a bridge passes on to a party, one at a time. A matcher lets held digits go in a
//! burst (`*5` when the `5` made no code, or a prefix left alone for `featuredigittimeout`);
//! Asterisk streams them to the other side with `ast_dtmf_stream` (`ast_senddigit` of each
//! digit, then `between`, 100 ms by default; it also keeps 100 ms of quiet before the first,
//! which tandem does not), and sending them at once would overlap two RFC 4733 events or cut
//! one tone with the next. Sans-IO: the bridge asks [`Replay::poll_digit`] and sleeps until
//! [`Replay::poll_timeout`].

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// From the start of one digit to the start of the next: the digit (100 ms, what
/// `SendDigit` sends) and a gap of 100 ms.
pub const SPACING: Duration = Duration::from_millis(200);

/// Digits waiting at most (a party holding a key down cannot grow the queue without end).
pub const MAX_QUEUED: usize = 32;

/// The digits on their way to one party.
#[derive(Debug, Default)]
pub struct Replay {
    queue: VecDeque<char>,
    /// When the next digit may go.
    ready: Option<Instant>,
}

impl Replay {
    /// Queue `digits` (in order) at `now`; past [`MAX_QUEUED`] the rest are dropped.
    pub fn push(&mut self, now: Instant, digits: &str) {
        if digits.is_empty() {
            return;
        }
        if self.ready.is_none_or(|r| r < now) {
            self.ready = Some(now);
        }
        for d in digits.chars() {
            if self.queue.len() >= MAX_QUEUED {
                tracing::warn!("too many digits waiting for the other party: {d} dropped");
                break;
            }
            self.queue.push_back(d);
        }
    }

    /// The next digit, when its time has come.
    pub fn poll_digit(&mut self, now: Instant) -> Option<char> {
        if self.ready.is_some_and(|r| now < r) {
            return None;
        }
        let d = self.queue.pop_front()?;
        self.ready = Some(now + SPACING);
        Some(d)
    }

    /// When a queued digit may go (None with nothing queued).
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.queue.is_empty() {
            None
        } else {
            self.ready
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lone_digit_goes_at_once() {
        let mut r = Replay::default();
        let t = Instant::now();
        r.push(t, "5");
        assert_eq!(r.poll_digit(t), Some('5'));
        assert_eq!(r.poll_digit(t), None);
        assert_eq!(r.poll_timeout(), None);
    }

    #[test]
    fn a_burst_goes_one_digit_every_200_ms_in_order() {
        let mut r = Replay::default();
        let t = Instant::now();
        r.push(t, "*5");
        assert_eq!(r.poll_digit(t), Some('*'));
        assert_eq!(r.poll_timeout(), Some(t + SPACING));
        assert_eq!(r.poll_digit(t + Duration::from_millis(199)), None);
        assert_eq!(r.poll_digit(t + SPACING), Some('5'));
        assert_eq!(r.poll_timeout(), None);
    }

    #[test]
    fn a_digit_soon_after_another_waits_its_turn() {
        let mut r = Replay::default();
        let t = Instant::now();
        r.push(t, "1");
        assert_eq!(r.poll_digit(t), Some('1'));
        let t2 = t + Duration::from_millis(50);
        r.push(t2, "2");
        assert_eq!(r.poll_digit(t2), None);
        assert_eq!(r.poll_timeout(), Some(t + SPACING));
        assert_eq!(r.poll_digit(t + SPACING), Some('2'));
        // Long after, the next one goes at once again.
        let t3 = t + Duration::from_secs(5);
        r.push(t3, "3");
        assert_eq!(r.poll_digit(t3), Some('3'));
    }

    #[test]
    fn the_queue_is_bounded() {
        let mut r = Replay::default();
        let t = Instant::now();
        r.push(t, &"1".repeat(MAX_QUEUED + 10));
        let mut n = 0;
        let mut now = t;
        while let Some(at) = r.poll_timeout() {
            now = now.max(at);
            if r.poll_digit(now).is_some() {
                n += 1;
            }
        }
        assert_eq!(n, MAX_QUEUED);
    }
}
