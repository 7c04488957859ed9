//! State every channel shares: the dialplan, globals, the store, the clock.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use tandem_dialplan::{Dialplan, LocalTime};
use tandem_store::Store;

/// Where the time comes from: the real clock in the daemon, a fixed one in tests and in
/// `dialplan run --time`.
pub type Clock = Box<dyn Fn() -> LocalTime + Send + Sync>;

/// The default bound on priorities executed for one call: a runaway loop is stopped.
pub const DEFAULT_MAX_PRIORITIES: u64 = 100_000;

pub struct Shared {
    dialplan: RwLock<Arc<Dialplan>>,
    globals: Mutex<HashMap<String, String>>,
    pub store: Arc<dyn Store>,
    clock: Clock,
    rng: AtomicU64,
    sequence: AtomicU64,
    pub max_priorities: u64,
}

impl Shared {
    pub fn new(dialplan: Dialplan, store: Arc<dyn Store>, clock: Clock, seed: u64) -> Self {
        let globals = dialplan
            .globals
            .iter()
            .map(|(k, v, _)| (k.clone(), v.clone()))
            .collect();
        Shared {
            dialplan: RwLock::new(Arc::new(dialplan)),
            globals: Mutex::new(globals),
            store,
            clock,
            rng: AtomicU64::new(seed | 1),
            sequence: AtomicU64::new(0),
            max_priorities: DEFAULT_MAX_PRIORITIES,
        }
    }

    /// The dialplan in force. A call keeps the one it started with.
    pub fn dialplan(&self) -> Arc<Dialplan> {
        self.dialplan
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Put a new dialplan in force atomically. `[globals]` are merged in (or replace the old
    /// ones with `clearglobalvars=yes`), as `dialplan reload` does in Asterisk.
    pub fn replace_dialplan(&self, dialplan: Dialplan) {
        {
            let mut globals = self.globals.lock().unwrap_or_else(PoisonError::into_inner);
            if dialplan.general.clearglobalvars {
                globals.clear();
            }
            for (k, v, _) in &dialplan.globals {
                globals.insert(k.clone(), v.clone());
            }
        }
        *self
            .dialplan
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(dialplan);
    }

    pub fn global(&self, name: &str) -> Option<String> {
        self.globals
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            .cloned()
    }

    pub fn set_global(&self, name: &str, value: &str) {
        self.globals
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.to_string(), value.to_string());
    }

    pub fn now(&self) -> LocalTime {
        (self.clock)()
    }

    /// xorshift64*: good enough for RAND(), never for secrets.
    pub fn random(&self) -> u64 {
        let mut x = self.rng.load(Ordering::Relaxed);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng.store(x, Ordering::Relaxed);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// The next channel sequence number (the hex suffix of `SIP/alice-0000002a`, the
    /// fraction of a UNIQUEID).
    pub fn next_sequence(&self) -> u64 {
        self.sequence.fetch_add(1, Ordering::Relaxed)
    }

    /// A UNIQUEID as Asterisk makes them: `EPOCH.SEQUENCE`.
    pub fn new_uniqueid(&self) -> (u64, String) {
        let seq = self.next_sequence();
        (seq, format!("{}.{}", self.now().epoch, seq))
    }
}
