//! The live channels, for `core show channels`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

/// One row of `core show channels`.
#[derive(Clone, Debug)]
pub struct ChannelRow {
    /// `exten@context:priority`, or `(None)` for a dialled leg.
    pub location: String,
    pub state: &'static str,
    /// `Dial(SIP/bob,20)`, or `AppDial((Outgoing Line))` for a dialled leg.
    pub application: String,
    /// Dialled legs are part of their caller's call.
    pub outbound: bool,
}

#[derive(Default)]
pub struct ChannelTable {
    rows: Mutex<BTreeMap<String, ChannelRow>>,
    processed: AtomicU64,
}

impl ChannelTable {
    pub fn add(&self, name: &str, row: ChannelRow) {
        if !row.outbound {
            self.processed.fetch_add(1, Ordering::Relaxed);
        }
        self.rows
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.to_string(), row);
    }

    pub fn update(&self, name: &str, f: impl FnOnce(&mut ChannelRow)) {
        if let Some(row) = self
            .rows
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_mut(name)
        {
            f(row);
        }
    }

    pub fn remove(&self, name: &str) {
        self.rows
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(name);
    }

    /// Every row, by channel name (the AMI's CoreShowChannels).
    pub fn rows(&self) -> Vec<(String, ChannelRow)> {
        self.rows
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(n, r)| (n.clone(), r.clone()))
            .collect()
    }

    /// Calls in progress and calls processed since start (the AMI's CoreStatus).
    pub fn call_counts(&self) -> (usize, u64) {
        let active = self
            .rows
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .filter(|r| !r.outbound)
            .count();
        (active, self.processed.load(Ordering::Relaxed))
    }

    /// `core show channels`, in Asterisk's layout.
    pub fn show(&self) -> String {
        let rows = self.rows.lock().unwrap_or_else(PoisonError::into_inner);
        let mut out = format!(
            "{:<20.20} {:<20.20} {:<7.7} {:<30.30}\n",
            "Channel", "Location", "State", "Application(Data)"
        );
        for (name, r) in rows.iter() {
            out.push_str(&format!(
                "{name:<20.20} {:<20.20} {:<7.7} {:<30.30}\n",
                r.location, r.state, r.application
            ));
        }
        let channels = rows.len();
        let calls = rows.values().filter(|r| !r.outbound).count();
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        out.push_str(&format!("{channels} active channel{}\n", plural(channels)));
        out.push_str(&format!("{calls} active call{}\n", plural(calls)));
        let processed = self.processed.load(Ordering::Relaxed) as usize;
        out.push_str(&format!(
            "{processed} call{} processed\n",
            plural(processed)
        ));
        out
    }
}
