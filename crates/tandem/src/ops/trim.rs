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
//! the table drains (each time it halves again).

use std::sync::atomic::Ordering;
use std::time::Duration;

/// How often the table size is looked at.
const PERIOD: Duration = Duration::from_secs(10);
/// Below this many transactions at its highest, a fall is not worth a trim (a few MB).
const MIN_HIGH: u64 = 2_000;

/// When to trim, from the transaction counts seen one after the other.
#[derive(Debug, Default)]
pub struct Trimmer {
    high: u64,
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
            if trimmer.observe(in_use) {
                let _ = tokio::task::spawn_blocking(move || {
                    let before = rss_mb();
                    release_free_memory();
                    tracing::info!(
                        "memory: SIP transactions fell to {in_use}, free memory returned \
                         (RSS {before:.0} -> {:.0} MB)",
                        rss_mb()
                    );
                })
                .await;
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
}
