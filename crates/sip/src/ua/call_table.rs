//! [`CallTable`]: the UA's live calls by [`CallId`], and their timers.
//!
//! Each call's next deadline ([`Call::next_deadline`]: 2xx retransmission or give-up, forget
//! time, session timer) sits in a `BinaryHeap` of `(deadline, id)`, as the transaction layer
//! keeps its transactions' (`transaction/layer.rs`). A call's deadline can change only through
//! [`CallTable::get_mut`] or [`CallTable::insert`], so those mark the call dirty; the dirty
//! calls' deadlines are recomputed before the heap is read ([`CallTable::poll_timeout`],
//! [`CallTable::take_due`]), and an entry is pushed only when a deadline changed. Entries whose
//! deadline is no longer their call's (or whose call is gone) are skipped when they reach the
//! top (lazy deletion), and the heap is rebuilt when stale entries outnumber live calls.
//!
//! So asking for the next wake-up costs the calls touched since the last ask plus O(log n),
//! not a pass over every live call (at 400 calls/s that pass was 7 % of tandem's CPU), and
//! firing timers touches only the calls that are due.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::time::Instant;

use super::call::Call;
use super::CallId;

#[derive(Debug)]
struct Slot {
    call: Call,
    /// The deadline this call has in the heap.
    scheduled: Option<Instant>,
    /// In `dirty`: its deadline may have changed since `scheduled` was set.
    dirty: bool,
}

#[derive(Debug, Default)]
pub(crate) struct CallTable {
    /// Boxed: a call is over 2 KB, and a hashbrown table under churn keeps (and may double)
    /// its buckets; the table itself stays at 16 bytes a bucket.
    slots: HashMap<CallId, Box<Slot>>,
    heap: BinaryHeap<Reverse<(Instant, CallId)>>,
    /// Calls handed out mutably since the last [`Self::sync`] (each once).
    dirty: Vec<CallId>,
}

impl CallTable {
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn get(&self, id: &CallId) -> Option<&Call> {
        self.slots.get(id).map(|s| &s.call)
    }

    /// The call, for changes: its deadline is looked at again before the next timer query.
    pub fn get_mut(&mut self, id: &CallId) -> Option<&mut Call> {
        let slot = self.slots.get_mut(id)?;
        if !slot.dirty {
            slot.dirty = true;
            self.dirty.push(*id);
        }
        Some(&mut slot.call)
    }

    pub fn insert(&mut self, id: CallId, call: Call) {
        let slot = Slot {
            call,
            scheduled: None,
            dirty: true,
        };
        if self.slots.insert(id, Box::new(slot)).is_none() {
            self.dirty.push(id);
        }
    }

    /// Forgets the call; its heap entry, if any, goes stale.
    pub fn remove(&mut self, id: &CallId) -> Option<Call> {
        self.slots.remove(id).map(|s| s.call)
    }

    /// The earliest deadline of any call.
    pub fn poll_timeout(&mut self) -> Option<Instant> {
        self.sync();
        while let Some(Reverse((at, id))) = self.heap.peek().copied() {
            if self.slots.get(&id).is_some_and(|s| s.scheduled == Some(at)) {
                return Some(at);
            }
            self.heap.pop();
        }
        None
    }

    /// The calls with a deadline at or before `now`, earliest first (ties by id). Each is
    /// marked dirty: the caller runs its timers, and its next deadline is taken afterwards.
    pub fn take_due(&mut self, now: Instant) -> Vec<CallId> {
        self.sync();
        let mut due = Vec::new();
        while let Some(Reverse((at, id))) = self.heap.peek().copied() {
            if at > now {
                break;
            }
            self.heap.pop();
            let Some(slot) = self.slots.get_mut(&id) else {
                continue;
            };
            if slot.scheduled != Some(at) {
                continue;
            }
            slot.scheduled = None;
            slot.dirty = true;
            self.dirty.push(id);
            due.push(id);
        }
        due
    }

    /// Brings the heap up to date with the dirty calls' deadlines.
    fn sync(&mut self) {
        for id in self.dirty.drain(..) {
            let Some(slot) = self.slots.get_mut(&id) else {
                continue;
            };
            slot.dirty = false;
            let next = slot.call.next_deadline();
            if next != slot.scheduled {
                slot.scheduled = next;
                if let Some(at) = next {
                    self.heap.push(Reverse((at, id)));
                }
            }
        }
        // Stale entries normally drain as their instants pass; bound them anyway.
        if self.heap.len() > 2 * self.slots.len() + 64 {
            self.heap = self
                .slots
                .iter()
                .filter_map(|(id, s)| s.scheduled.map(|at| Reverse((at, *id))))
                .collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::message::{parse, Message, Transport};

    fn call() -> Call {
        let raw = "INVITE sip:b@192.0.2.2 SIP/2.0\r\n\
                   Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n\
                   From: <sip:a@192.0.2.1>;tag=1\r\nTo: <sip:b@192.0.2.2>\r\n\
                   Call-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
        let Ok(Message::Request(invite)) = parse(raw.as_bytes()) else {
            panic!("test INVITE does not parse");
        };
        let peer = "192.0.2.1:5060".parse().unwrap();
        Call::new(
            true,
            super::super::call::CallState::Confirmed,
            peer,
            Transport::Udp,
            invite,
            "t".into(),
        )
    }

    /// 1,000 calls whose forget times are scattered and then moved (later, earlier, gone);
    /// stepping a fake clock to each wake-up fires them in deadline order, each exactly once.
    #[test]
    fn many_calls_fire_in_deadline_order() {
        let t0 = Instant::now();
        let mut table = CallTable::default();
        let mut want: Vec<(Instant, CallId)> = Vec::new();
        for i in 0..1000u64 {
            let id = CallId(i);
            let mut c = call();
            // a permutation of 0..1000 ms so insertion order is not deadline order
            c.expire_at = Some(t0 + Duration::from_millis((i * 7919) % 1000));
            table.insert(id, c);
            // every ask in between must see the newest state
            if i % 100 == 0 {
                table.poll_timeout();
            }
        }
        for i in 0..1000u64 {
            let id = CallId(i);
            match i % 4 {
                // moved later: the old heap entry is stale
                0 => {
                    if let Some(c) = table.get_mut(&id) {
                        c.expire_at = Some(t0 + Duration::from_millis(2000 + i));
                    }
                }
                // moved earlier
                1 => {
                    if let Some(c) = table.get_mut(&id) {
                        c.expire_at = c.expire_at.map(|t| t - Duration::from_micros(500));
                    }
                }
                // the call ends
                2 => {
                    table.remove(&id);
                    continue;
                }
                _ => {}
            }
            if let Some(at) = table.get(&id).and_then(Call::next_deadline) {
                want.push((at, id));
            }
        }
        want.sort();

        let mut now = t0;
        let mut fired: Vec<(Instant, CallId)> = Vec::new();
        while let Some(next) = table.poll_timeout() {
            assert!(next >= now, "time never runs backwards");
            now = next;
            for id in table.take_due(now) {
                fired.push((now, id));
                // the timer's work: this call is done
                table.remove(&id);
            }
        }
        assert_eq!(fired, want);
        assert!(table.heap.is_empty() && table.len() == 0);
    }

    #[test]
    fn a_call_left_untouched_after_firing_is_asked_again() {
        let t0 = Instant::now();
        let mut table = CallTable::default();
        let mut c = call();
        c.expire_at = Some(t0 + Duration::from_secs(1));
        table.insert(CallId(1), c);
        assert_eq!(table.take_due(t0), vec![]);
        assert_eq!(table.poll_timeout(), Some(t0 + Duration::from_secs(1)));
        // due, but the caller changed nothing (a deadline it does not act on yet)
        assert_eq!(table.take_due(t0 + Duration::from_secs(2)), vec![CallId(1)]);
        assert_eq!(table.poll_timeout(), Some(t0 + Duration::from_secs(1)));
        if let Some(c) = table.get_mut(&CallId(1)) {
            c.expire_at = None;
        }
        assert_eq!(table.poll_timeout(), None);
    }

    #[test]
    fn stale_entries_stay_bounded() {
        let t0 = Instant::now();
        let mut table = CallTable::default();
        table.insert(CallId(1), call());
        for i in 0..10_000u64 {
            if let Some(c) = table.get_mut(&CallId(1)) {
                c.expire_at = Some(t0 + Duration::from_millis(10_000 - i));
            }
            table.poll_timeout();
        }
        assert!(table.heap.len() <= 2 + 64, "heap {}", table.heap.len());
        assert_eq!(table.poll_timeout(), Some(t0 + Duration::from_millis(1)));
    }
}
