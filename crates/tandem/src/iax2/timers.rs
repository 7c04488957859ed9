//! The endpoint's timers: when to wake up (sessions, the registrar's bindings, the trunk
//! flush) and what to run then. The earliest session deadline is kept as sessions are given
//! input ([`Endpoint::note_deadline`], from `after`), so a datagram costs no scan of every
//! session; the one full scan runs when that deadline is due.

use std::time::Instant;

use super::endpoint::Endpoint;

impl Endpoint {
    pub(super) fn next_deadline(&mut self) -> Option<Instant> {
        [
            self.session_deadline,
            self.registrar.poll_timeout(),
            self.next_trunk_flush,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// A session was given input: its deadline may now be earlier than `session_deadline`.
    pub(super) fn note_deadline(&mut self, lc: u16) {
        if let Some(t) = self.table.get_mut(lc).and_then(|s| s.poll_timeout()) {
            self.session_deadline = Some(self.session_deadline.map_or(t, |d| d.min(t)));
        }
    }

    pub(super) fn timeouts(&mut self, now: Instant) {
        if self.session_deadline.is_some_and(|t| t <= now) {
            self.session_timeouts(now);
        }
        if self.registrar.poll_timeout().is_some_and(|t| t <= now) {
            for gone in self.registrar.handle_timeout(now) {
                tracing::info!("IAX2: registration of '{gone}' expired");
                self.lock().set_registered(&gone, None);
                if let Some(lc) = self.pokes.remove(&gone) {
                    self.table.remove(now, lc);
                }
            }
        }
        if self.next_trunk_flush.is_some_and(|t| t <= now) {
            self.flush_trunks(now);
        }
    }

    /// The one full scan of the sessions: only when the earliest deadline noted is due (never
    /// per datagram). It recomputes that deadline exactly, then runs the due sessions, whose
    /// new deadlines `after` notes.
    pub(super) fn session_timeouts(&mut self, now: Instant) {
        let mut due = Vec::new();
        let mut next: Option<Instant> = None;
        for (lc, s) in self.table.iter_mut() {
            match s.poll_timeout() {
                Some(t) if t <= now => due.push(lc),
                Some(t) => next = Some(next.map_or(t, |n| n.min(t))),
                None => {}
            }
        }
        self.session_deadline = next;
        for lc in due {
            if let Some(s) = self.table.get_mut(lc) {
                s.handle_timeout(now);
            }
            self.after(now, lc);
        }
    }
}
