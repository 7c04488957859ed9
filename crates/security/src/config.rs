//! What the engine is told by `[general]` of sip.conf.

use std::collections::HashSet;
use std::net::IpAddr;
use std::time::Duration;

use tandem_conf::views::acl::{Acl, Sense};

/// The bans' settings. Defaults are the documented ones (`autoban=yes`,
/// `autoban_failures=5`, `autoban_window=60`, `autoban_rate=500` for 5 s,
/// `autoban_time=600`, `blockscanners=yes`).
#[derive(Clone, Debug)]
pub struct Config {
    /// `autoban`: ban at all. With `false` events are still reported (an external
    /// fail2ban can act on them) and scanners' requests are still dropped, but nobody is
    /// banned.
    pub autoban: bool,
    /// `autoban_failures`: authentication failures within `window` that ban a source.
    pub failures: u32,
    /// `autoban_window`.
    pub window: Duration,
    /// `autoban_rate`: requests per second that, sustained for `rate_seconds` whole seconds
    /// in a row, ban a source (0 = no rate bans).
    pub rate: u32,
    /// How many seconds in a row the rate must be exceeded (5).
    pub rate_seconds: u32,
    /// `autoban_time`: the first ban's length; each later ban of the same source doubles.
    pub ban_time: Duration,
    /// The longest ban, whatever the doubling says.
    pub max_ban_time: Duration,
    /// `autoban_exempt`: never banned.
    pub exempt: Exempt,
    /// Addresses of static peers (`host=ADDRESS`): never banned for rate, only for failures.
    pub rate_exempt: HashSet<IpAddr>,
    /// `blockscanners`.
    pub block_scanners: bool,
    /// Bound on the sources tracked at once (the oldest is forgotten when full).
    pub max_sources: usize,
    /// Bound on the bans held at once (active ones and the history of past ones).
    pub max_bans: usize,
    /// How long a lifted ban is remembered, so that the next one doubles.
    pub history: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            autoban: true,
            failures: 5,
            window: Duration::from_secs(60),
            rate: 500,
            rate_seconds: 5,
            ban_time: Duration::from_secs(600),
            max_ban_time: Duration::from_secs(7 * 24 * 3600),
            exempt: Exempt::default(),
            rate_exempt: HashSet::new(),
            block_scanners: true,
            max_sources: 16_384,
            max_bans: 16_384,
            history: Duration::from_secs(24 * 3600),
        }
    }
}

/// `autoban_exempt` as an access list: an address is exempt when the last rule matching it
/// says so (`10.0.0.0/8, !10.9.9.9` exempts the network but one host). Built from entries
/// as written in sip.conf, with Asterisk's ACL syntax (`addr`, `addr/bits`,
/// `addr/mask`, `!` to invert).
#[derive(Clone, Debug, Default)]
pub struct Exempt {
    acl: Acl,
}

impl Exempt {
    /// Add `value` (comma-separated entries, blanks around them allowed, empty ones
    /// skipped); an error names what is wrong.
    pub fn append(&mut self, value: &str) -> Result<(), String> {
        for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            // Deny-sense rules, as chan_sip keeps localnet: "matched" reads as Deny.
            self.acl.append(Sense::Deny, entry).map_err(|e| e.0)?;
        }
        Ok(())
    }

    /// From an ACL built with deny-sense rules (what the sip.conf view keeps).
    pub fn from_acl(acl: Acl) -> Self {
        Exempt { acl }
    }

    pub fn is_empty(&self) -> bool {
        self.acl.is_empty()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        !self.acl.is_empty() && self.acl.sense_for(ip) == Sense::Deny
    }
}
