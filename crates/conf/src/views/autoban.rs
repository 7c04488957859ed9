//! tandem's automatic-ban options, read alike from `[general]` of sip.conf, iax.conf and
//! manager.conf (none of them exists in Asterisk, which leaves bans to fail2ban; see
//! docs/security.md): `autoban` (default yes), `autoban_failures` (5 authentication
//! failures) within `autoban_window` (60 s), `autoban_rate` (500 requests per second
//! sustained for 5 s; 0 turns rate bans off), `autoban_time` (600 s, doubling for repeat
//! offenders), `autoban_exempt` (addresses and networks never banned, kept as deny-sense
//! rules like `localnet`), and, in sip.conf only, `blockscanners` (default yes).

use super::acl::{Acl, Sense};
use super::util::strict_uint;
use crate::{ast_false, ast_true};

/// The `autoban*` and `blockscanners` options of one `[general]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Autoban {
    pub enabled: bool,
    pub failures: u32,
    pub window: u32,
    pub rate: u32,
    pub time: u32,
    pub exempt: Acl,
    pub blockscanners: bool,
}

impl Default for Autoban {
    fn default() -> Self {
        Autoban {
            enabled: true,
            failures: 5,
            window: 60,
            rate: 500,
            time: 600,
            exempt: Acl::new(),
            blockscanners: true,
        }
    }
}

/// Bounds of ours on the autoban numbers.
const MAX_AUTOBAN_FAILURES: u64 = 1000;
const MAX_AUTOBAN_SECONDS: u64 = 7 * 24 * 3600;
const MAX_AUTOBAN_RATE: u64 = 1_000_000;

impl Autoban {
    /// Reads `key` (lower case) if it is one of the autoban options (`blockscanners` only
    /// when `scanners`): `None` when it is not, `Some(Err(why))` for a bad value (the
    /// setting keeps its value).
    pub fn read(&mut self, key: &str, value: &str, scanners: bool) -> Option<Result<(), String>> {
        let v = value.trim();
        let boolean = |v: &str| {
            if ast_true(v) {
                Ok(true)
            } else if ast_false(v) {
                Ok(false)
            } else {
                Err("expected yes or no".to_string())
            }
        };
        let r = match key {
            "autoban" => boolean(v).map(|b| self.enabled = b),
            "blockscanners" if scanners => boolean(v).map(|b| self.blockscanners = b),
            "autoban_failures" => match strict_uint(v) {
                Some(n) if (1..=MAX_AUTOBAN_FAILURES).contains(&n) => {
                    self.failures = n as u32;
                    Ok(())
                }
                _ => Err(format!(
                    "expected a number of failures from 1 to {MAX_AUTOBAN_FAILURES}"
                )),
            },
            "autoban_window" | "autoban_time" => match strict_uint(v) {
                Some(n) if (1..=MAX_AUTOBAN_SECONDS).contains(&n) => {
                    if key == "autoban_window" {
                        self.window = n as u32;
                    } else {
                        self.time = n as u32;
                    }
                    Ok(())
                }
                _ => Err(format!(
                    "expected a number of seconds from 1 to {MAX_AUTOBAN_SECONDS}"
                )),
            },
            "autoban_rate" => match strict_uint(v) {
                Some(n) if n <= MAX_AUTOBAN_RATE => {
                    self.rate = n as u32;
                    Ok(())
                }
                _ => Err(format!(
                    "expected requests per second from 0 (off) to {MAX_AUTOBAN_RATE}"
                )),
            },
            "autoban_exempt" => {
                let mut r = Ok(());
                for entry in v.split(',').map(str::trim).filter(|e| !e.is_empty()) {
                    if let Err(e) = self.exempt.append(Sense::Deny, entry) {
                        r = Err(e.0);
                    }
                }
                r
            }
            _ => return None,
        };
        Some(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_read_and_bad_values_keep_the_default() {
        let mut a = Autoban::default();
        assert_eq!(a.read("autoban_failures", " 3 ", false), Some(Ok(())));
        assert_eq!(a.read("autoban_window", "30", false), Some(Ok(())));
        assert_eq!(a.read("autoban_time", "90", false), Some(Ok(())));
        assert_eq!(a.read("autoban_rate", "0", false), Some(Ok(())));
        assert_eq!(a.read("autoban", "no", false), Some(Ok(())));
        assert_eq!(
            a.read("autoban_exempt", "10.0.0.0/8, 192.0.2.7", false),
            Some(Ok(()))
        );
        assert_eq!(
            (a.failures, a.window, a.time, a.rate, a.enabled),
            (3, 30, 90, 0, false)
        );
        assert!(!a
            .exempt
            .allows("10.9.9.9".parse().unwrap_or([0, 0, 0, 0].into())));
        assert!(a
            .read("autoban_failures", "0", false)
            .is_some_and(|r| r.is_err()));
        assert!(a
            .read("autoban_time", "x", false)
            .is_some_and(|r| r.is_err()));
        assert!(a
            .read("autoban", "maybe", false)
            .is_some_and(|r| r.is_err()));
        assert_eq!(a.failures, 3);
        // blockscanners belongs to sip.conf only.
        assert_eq!(a.read("blockscanners", "no", false), None);
        assert_eq!(a.read("blockscanners", "no", true), Some(Ok(())));
        assert!(!a.blockscanners);
        assert_eq!(a.read("bindaddr", "1.2.3.4", true), None);
    }
}
