//! Memory back to the system once a load has fallen (issue 6: after a flood, RSS stayed at its
//! peak). Finished SIP transactions hold the messages they may have to resend for 32 s; when
//! they end, glibc's malloc keeps the freed memory in its arenas (it returns only what lies at
//! the top of the main heap), so RSS stays where the flood left it. `malloc_trim(0)` hands the
//! free pages of every arena back.
//!
//! Every [`PERIOD`] the transaction count is looked at ([`crate::metrics::TABLES`]); when it
//! has fallen below half of its highest since the last trim, and that high was a real load
//! ([`MIN_HIGH`]), memory is trimmed once (on a blocking thread: it walks every arena). A
//! steady load never trims (its level does not halve), a load that falls trims a few times as
//! the table drains (each time it halves again). Besides, when RSS has grown by 64 MB while
//! the tables did not grow (a stall whose backlog has cleared), one trim is tried, and the RSS
//! it leaves is the new base.

use std::sync::atomic::Ordering;
use std::time::Duration;

/// How often the table size is looked at.
const PERIOD: Duration = Duration::from_secs(10);
/// Below this many transactions at its highest, a fall is not worth a trim (a few MB).
const MIN_HIGH: u64 = 2_000;

/// RSS growth in MB that the tables do not explain (they grew by less than a quarter) before
/// a trim is tried: what a stall's backlog left behind once it cleared.
const UNEXPLAINED_MB: f64 = 64.0;

/// When to trim, from the transaction counts (and RSS) seen one after the other.
#[derive(Debug, Default)]
pub struct Trimmer {
    high: u64,
    /// RSS and transactions when last trimmed, or when the tables last grew.
    base: (f64, u64),
}

impl Trimmer {
    /// `in_use` transactions now: true when memory should be trimmed.
    pub fn observe(&mut self, in_use: u64) -> bool {
        if self.high >= MIN_HIGH && in_use < self.high / 2 {
            self.high = in_use;
            return true;
        }
        self.high = self.high.max(in_use);
        false
    }

    /// As [`Self::observe`], and also true when RSS has grown by [`UNEXPLAINED_MB`] since the
    /// base while the transactions did not grow by a quarter (a steady load whose stall left
    /// freed memory with the allocator). Call [`Self::trimmed`] with the RSS after a trim.
    pub fn observe_rss(&mut self, in_use: u64, rss_mb: f64) -> bool {
        let fell = self.observe(in_use);
        let (base_rss, base_txns) = self.base;
        if in_use > base_txns + base_txns / 4 {
            self.base = (rss_mb, in_use);
            return fell;
        }
        fell || rss_mb > base_rss + UNEXPLAINED_MB
    }

    /// A trim left RSS at `rss_mb` with `in_use` transactions: the new base.
    pub fn trimmed(&mut self, in_use: u64, rss_mb: f64) {
        self.base = (rss_mb, in_use);
    }
}

/// Start the periodic check (inside the tokio runtime).
pub fn spawn() {
    tokio::spawn(async {
        let mut trimmer = Trimmer::default();
        let mut tick = tokio::time::interval(PERIOD);
        loop {
            tick.tick().await;
            let in_use = crate::metrics::TABLES
                .sip_transactions
                .load(Ordering::Relaxed);
            let before = rss_mb();
            if trimmer.observe_rss(in_use, before) {
                let after = tokio::task::spawn_blocking(move || {
                    let t0 = std::time::Instant::now();
                    release_free_memory();
                    let after = rss_mb();
                    tracing::info!(
                        "memory: free memory returned with {in_use} SIP transactions \
                         (RSS {before:.0} -> {after:.0} MB in {} ms)",
                        t0.elapsed().as_millis()
                    );
                    after
                })
                .await
                .unwrap_or(before);
                trimmer.trimmed(in_use, after);
            }
        }
    });
}

/// VmRSS in MB, 0 when /proc cannot say.
fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or(0.0, |pages| pages * 4096.0 / 1_048_576.0)
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn release_free_memory() {
    extern "C" {
        fn malloc_trim(pad: usize) -> std::os::raw::c_int;
    }
    // SAFETY: glibc's malloc_trim takes no pointer, locks each arena itself and may be called
    // from any thread at any time.
    unsafe {
        malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn release_free_memory() {}

#[cfg(test)]
mod tests {
    use super::Trimmer;

    #[test]
    fn a_steady_load_never_trims_and_a_falling_one_trims_as_it_halves() {
        let mut t = Trimmer::default();
        // Rising to a level and staying there (bench/cps at 400 calls/s: about 40,400).
        for n in [
            0, 13_709, 25_589, 37_584, 40_399, 40_410, 40_403, 39_990, 40_404,
        ] {
            assert!(!t.observe(n), "{n}");
        }
        // The load stops: the table drains over 32 s.
        let trims: Vec<u64> = [36_000, 25_000, 19_000, 12_000, 9_000, 4_000, 1_500, 0]
            .into_iter()
            .filter(|n| t.observe(*n))
            .collect();
        assert_eq!(trims, [19_000, 9_000, 4_000, 1_500]);
        // Idle afterwards, then a small load: no more trims.
        for n in [0, 0, 800, 1_900, 300, 0] {
            assert!(!t.observe(n), "{n}");
        }
    }

    #[test]
    fn rss_that_grows_while_the_tables_stay_level_trims_once_per_step() {
        let mut t = Trimmer::default();
        // A load ramps up: RSS grows with the tables, no trim.
        for (n, rss) in [(0, 17.0), (13_709, 100.0), (25_589, 166.0), (37_584, 190.0)] {
            assert!(!t.observe_rss(n, rss), "{n}");
        }
        // Level, RSS flat.
        for rss in [194.0, 196.0, 199.0, 202.0] {
            assert!(!t.observe_rss(40_400, rss), "{rss}");
        }
        // A stall leaves 70 MB behind with the tables back at their level: one trim...
        assert!(t.observe_rss(40_400, 272.0));
        t.trimmed(40_400, 262.0); // ...which gave back little: the new base.
        for rss in [270.0, 279.0, 282.0] {
            assert!(!t.observe_rss(40_400, rss), "{rss}");
        }
    }
}
