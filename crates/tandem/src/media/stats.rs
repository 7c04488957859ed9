//! A leg's RTP statistics (from its RTCP session: what it received, what it sent, what the
//! phone reports about what we sent) and `sip show channelstats` in chan_sip's layout
//! (`sip_show_channelstats`): counts printed `%-10.10u` (ten digits, zero-padded, a `K`
//! after counts over 100,000 divided by 1,000), loss with its percentage, jitter in seconds.

use std::time::{Duration, Instant};

use super::MediaLeg;

/// A snapshot of one leg's statistics.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LegStats {
    pub rx_packets: u64,
    pub rx_octets: u64,
    pub rx_lost: i64,
    /// Interarrival jitter of what we receive, seconds.
    pub rx_jitter: f64,
    pub tx_packets: u64,
    pub tx_octets: u64,
    /// What the phone's last report says it lost of our stream.
    pub tx_lost: i64,
    /// The jitter the phone reports on our stream, seconds.
    pub tx_jitter: f64,
    pub rtt: Option<Duration>,
    /// Packets strict RTP dropped (not from the latched source).
    pub strict_dropped: u64,
    /// Since the leg was made.
    pub age: Duration,
}

impl MediaLeg {
    /// This leg's statistics now.
    pub fn stats(&self) -> LegStats {
        let now = Instant::now();
        self.with_path(|p| {
            let rx = p.rtcp.receiver();
            let tx = p.rtcp.sender();
            let report = p.rtcp.remote_report();
            LegStats {
                rx_packets: rx.map_or(0, |r| r.received()),
                rx_octets: rx.map_or(0, |r| r.octets()),
                rx_lost: rx.map_or(0, |r| r.cumulative_lost()),
                rx_jitter: rx.map_or(0.0, |r| r.jitter_exact() / 8000.0),
                tx_packets: u64::from(tx.packets()),
                tx_octets: u64::from(tx.octets()),
                tx_lost: report.map_or(0, |b| i64::from(b.cumulative_lost)),
                tx_jitter: report.map_or(0.0, |b| f64::from(b.jitter) / 8000.0),
                rtt: p.rtcp.rtt(),
                strict_dropped: p.latch.dropped(),
                age: now.saturating_duration_since(p.created),
            }
        })
    }
}

/// One row of `sip show channelstats`.
#[derive(Clone, Debug)]
pub struct StatsRow {
    /// The far end's address (no port).
    pub peer: String,
    pub call_id: String,
    pub stats: LegStats,
}

/// `%-10.10u` with chan_sip's `K` for counts over 100,000.
fn count(n: u64) -> (String, &'static str) {
    if n > 100_000 {
        (format!("{:010}", n / 1000), "K")
    } else {
        (format!("{n:010}"), " ")
    }
}

fn percent(lost: u64, base: u64) -> f64 {
    if base == 0 {
        0.0
    } else {
        lost as f64 / base as f64 * 100.0
    }
}

/// `sip show channelstats`, in chan_sip's layout.
pub fn show_channelstats(rows: &[StatsRow]) -> String {
    let mut out = format!(
        "{:<15.15}  {:<11.11}  {:<8.8} {:<10.10}  {:<10.10} (     %) {:<6.6} {:<10.10}  {:<10.10} (     %) {:<6.6}\n",
        "Peer", "Call ID", "Duration", "Recv: Pack", "Lost", "Jitter", "Send: Pack", "Lost", "Jitter"
    );
    for r in rows {
        let s = &r.stats;
        let secs = s.age.as_secs();
        let duration = format!(
            "{:02}:{:02}:{:02}",
            secs / 3600,
            (secs % 3600) / 60,
            secs % 60
        );
        let rx_lost = s.rx_lost.max(0) as u64;
        let tx_lost = s.tx_lost.max(0) as u64;
        let (rx, rx_k) = count(s.rx_packets);
        let (tx, tx_k) = count(s.tx_packets);
        out.push_str(&format!(
            "{:<15.15}  {:<11.11}  {:<8.8} {:<10}{:<1} {:010} ({:5.2}%) {:<6.4} {:<10}{:<1} {:010} ({:5.2}%) {:<6.4}\n",
            r.peer,
            r.call_id,
            duration,
            rx,
            rx_k,
            rx_lost,
            percent(rx_lost, s.rx_packets + rx_lost),
            s.rx_jitter,
            tx,
            tx_k,
            tx_lost,
            percent(tx_lost, s.tx_packets),
            s.tx_jitter,
        ));
    }
    let n = rows.len();
    out.push_str(&format!(
        "{n} active SIP channel{}\n",
        if n == 1 { "" } else { "s" }
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channelstats_prints_zero_padded_counts_loss_percent_and_jitter_in_seconds() {
        let rows = [StatsRow {
            peer: "192.0.2.10".into(),
            call_id: "a84b4c76e66710".into(),
            stats: LegStats {
                rx_packets: 584,
                rx_lost: 16,
                rx_jitter: 0.00125,
                tx_packets: 601,
                tx_lost: 0,
                age: Duration::from_secs(3725),
                ..LegStats::default()
            },
        }];
        let out = show_channelstats(&rows);
        let mut lines = out.lines();
        assert_eq!(
            lines.next(),
            Some("Peer             Call ID      Duration Recv: Pack  Lost       (     %) Jitter Send: Pack  Lost       (     %) Jitter")
        );
        assert_eq!(
            lines.next(),
            Some("192.0.2.10       a84b4c76e66  01:02:05 0000000584  0000000016 ( 2.67%) 0.0013 0000000601  0000000000 ( 0.00%) 0.0000")
        );
        assert_eq!(lines.next(), Some("1 active SIP channel"));
    }

    #[test]
    fn counts_over_a_hundred_thousand_are_shown_in_thousands_with_k() {
        let (n, k) = count(250_123);
        assert_eq!((n.as_str(), k), ("0000000250", "K"));
        let (n, k) = count(100_000);
        assert_eq!((n.as_str(), k), ("0000100000", " "));
    }

    #[test]
    fn no_channels_is_said_in_the_plural() {
        assert!(show_channelstats(&[]).ends_with("0 active SIP channels\n"));
    }
}
