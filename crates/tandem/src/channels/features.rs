//! The DTMF feature codes of a bridge (features.conf `[featuremap]`), matched per party as
//! Asterisk's `ast_bridge_channel_feature_digit` does. Sans-IO: digits and time go in, a step
//! comes out; the bridge ([`super::bridged`]) owns the clock.
//!
//! - Digits are collected per party. When they equal a code, that feature runs at once (a
//!   shorter code that is a prefix of a longer one wins, as the sorted hook container finds
//!   it first).
//! - While they are a prefix of some code, the matcher waits up to `featuredigittimeout` for
//!   the next digit.
//! - Once collecting, every digit joins the collection, even one that cannot start a code
//!   (`*#` is not `#`): Asterisk's `bridge_handle_dtmf` eats any digit while
//!   `dtmf_hook_state.collected` is not empty.
//! - When they can no longer become a code, or the wait times out, the collected digits are
//!   let through, all of them in order (`ast_bridge_channel_feature_digit` streams the
//!   collection to the other party). A digit that cannot start a code passes at once.
//! - The party's RFC 4733 packets are not relayed meanwhile ([`crate::media::relay`]); what
//!   passes is sent again in the other party's mode ([`super::replay`]).

use std::time::{Duration, Instant};

use tandem_conf::views::FeaturesConf;

/// A built-in feature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feature {
    /// `blindxfer`.
    BlindTransfer,
    /// `atxfer`.
    AttendedTransfer,
    /// `disconnect`.
    Disconnect,
    /// `atxferabort` (while consulting the target of an attended transfer).
    AbortTransfer,
    /// `atxfercomplete`.
    CompleteTransfer,
}

/// Asterisk's MAXIMUM_DTMF_FEATURE_STRING (11 with its terminator).
pub const MAX_CODE: usize = 10;

/// What a digit did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Not (or no longer) part of a code: these digits go on as ordinary digits.
    Pass(String),
    /// A prefix of a code: wait for more (until [`Matcher::poll_timeout`]).
    Wait,
    Run(Feature),
}

/// The codes one party may use.
#[derive(Clone, Debug)]
pub struct Matcher {
    codes: Vec<(String, Feature)>,
    collected: String,
    deadline: Option<Instant>,
    timeout: Duration,
}

/// The codes a party gets from the Dial options that apply to it: `transfer` (`t` for the
/// callee, `T` for the caller) gives blind and attended transfer, `disconnect` (`h`/`H`) the
/// disconnect code. Empty codes are off.
pub fn party_codes(
    conf: &FeaturesConf,
    transfer: bool,
    disconnect: bool,
) -> Vec<(String, Feature)> {
    let mut codes = Vec::new();
    if transfer {
        codes.push((conf.blindxfer.clone(), Feature::BlindTransfer));
        codes.push((conf.atxfer.clone(), Feature::AttendedTransfer));
    }
    if disconnect {
        codes.push((conf.disconnect.clone(), Feature::Disconnect));
    }
    codes
}

/// The codes of the transferer while it talks to the target of an attended transfer
/// (`atxferthreeway` and `atxferswap` are not carried out).
pub fn consult_codes(conf: &FeaturesConf) -> Vec<(String, Feature)> {
    vec![
        (conf.atxferabort.clone(), Feature::AbortTransfer),
        (conf.atxfercomplete.clone(), Feature::CompleteTransfer),
    ]
}

impl Matcher {
    pub fn new(codes: Vec<(String, Feature)>, timeout: Duration) -> Matcher {
        let mut codes: Vec<(String, Feature)> = codes
            .into_iter()
            .filter(|(c, _)| !c.is_empty() && c.len() <= MAX_CODE)
            .collect();
        codes.sort_by(|a, b| a.0.cmp(&b.0));
        Matcher {
            codes,
            collected: String::new(),
            deadline: None,
            timeout,
        }
    }

    /// Does this party have any code? (Its digits are held back only then.)
    pub fn has_codes(&self) -> bool {
        !self.codes.is_empty()
    }

    pub fn handle_digit(&mut self, now: Instant, digit: char) -> Step {
        if self.codes.is_empty() {
            return Step::Pass(digit.to_string());
        }
        self.collected.push(digit);
        let hit = self
            .codes
            .iter()
            .find(|(code, _)| code.starts_with(self.collected.as_str()));
        match hit {
            None => {
                self.deadline = None;
                Step::Pass(std::mem::take(&mut self.collected))
            }
            Some((code, feature)) if code.len() == self.collected.len() => {
                let f = *feature;
                self.collected.clear();
                self.deadline = None;
                Step::Run(f)
            }
            Some(_) => {
                self.deadline = Some(now + self.timeout);
                Step::Wait
            }
        }
    }

    /// When the matcher gives up waiting for the rest of a code.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.deadline
    }

    /// Time passed: after `featuredigittimeout` the digits collected so far pass.
    pub fn handle_timeout(&mut self, now: Instant) -> Option<String> {
        match self.deadline {
            Some(d) if now >= d => {
                self.deadline = None;
                Some(std::mem::take(&mut self.collected))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Matcher {
        let conf = FeaturesConf {
            atxfer: "*2".into(),
            disconnect: "*0".into(),
            ..FeaturesConf::default()
        };
        Matcher::new(party_codes(&conf, true, true), Duration::from_millis(1000))
    }

    #[test]
    fn pound_runs_blind_transfer_at_once() {
        let mut m = sample();
        let t = Instant::now();
        assert_eq!(m.handle_digit(t, '#'), Step::Run(Feature::BlindTransfer));
        assert_eq!(m.poll_timeout(), None);
    }

    #[test]
    fn star_waits_then_two_runs_attended_transfer() {
        let mut m = sample();
        let t = Instant::now();
        assert_eq!(m.handle_digit(t, '*'), Step::Wait);
        assert_eq!(m.poll_timeout(), Some(t + Duration::from_millis(1000)));
        let t2 = t + Duration::from_millis(400);
        assert_eq!(
            m.handle_digit(t2, '2'),
            Step::Run(Feature::AttendedTransfer)
        );
        assert_eq!(m.handle_digit(t2, '*'), Step::Wait);
        assert_eq!(m.handle_digit(t2, '0'), Step::Run(Feature::Disconnect));
    }

    #[test]
    fn a_prefix_that_stops_matching_lets_all_its_digits_through() {
        let mut m = sample();
        let t = Instant::now();
        assert_eq!(m.handle_digit(t, '*'), Step::Wait);
        assert_eq!(m.handle_digit(t, '5'), Step::Pass("*5".into()));
        assert_eq!(m.poll_timeout(), None);
        assert_eq!(m.handle_digit(t, '7'), Step::Pass("7".into()));
    }

    #[test]
    fn a_prefix_left_alone_passes_after_featuredigittimeout() {
        let mut m = sample();
        let t = Instant::now();
        m.handle_digit(t, '*');
        assert_eq!(m.handle_timeout(t + Duration::from_millis(999)), None);
        assert_eq!(
            m.handle_timeout(t + Duration::from_millis(1000)),
            Some("*".into())
        );
        assert_eq!(m.poll_timeout(), None);
        // The next digit starts afresh.
        assert_eq!(m.handle_digit(t, '#'), Step::Run(Feature::BlindTransfer));
    }

    #[test]
    fn once_collecting_a_feature_start_is_held_with_the_prefix_and_passes_with_it() {
        // `*#`: Asterisk searches the hooks for the whole collection, not for `#` alone.
        let mut m = sample();
        let t = Instant::now();
        assert_eq!(m.handle_digit(t, '*'), Step::Wait);
        assert_eq!(m.handle_digit(t, '#'), Step::Pass("*#".into()));
        assert_eq!(m.poll_timeout(), None);
    }

    #[test]
    fn each_digit_of_a_prefix_restarts_the_wait() {
        let codes = vec![("*12".to_string(), Feature::Disconnect)];
        let mut m = Matcher::new(codes, Duration::from_millis(1000));
        let t = Instant::now();
        assert_eq!(m.handle_digit(t, '*'), Step::Wait);
        let t1 = t + Duration::from_millis(800);
        assert_eq!(m.handle_digit(t1, '1'), Step::Wait);
        assert_eq!(m.handle_timeout(t + Duration::from_millis(1000)), None);
        assert_eq!(
            m.handle_timeout(t1 + Duration::from_millis(1000)),
            Some("*1".into())
        );
    }

    #[test]
    fn a_party_has_codes_only_with_its_options() {
        let conf = FeaturesConf::default();
        let none = Matcher::new(party_codes(&conf, false, false), Duration::from_secs(1));
        assert!(!none.has_codes());
        assert!(sample().has_codes());
    }

    #[test]
    fn a_short_code_that_prefixes_a_longer_one_wins() {
        // Asterisk's compiled-in disconnect is `*`: with atxfer `*2` the `*` fires first.
        let conf = FeaturesConf {
            atxfer: "*2".into(),
            ..FeaturesConf::default()
        };
        let mut m = Matcher::new(party_codes(&conf, true, true), Duration::from_secs(1));
        assert_eq!(
            m.handle_digit(Instant::now(), '*'),
            Step::Run(Feature::Disconnect)
        );
    }

    #[test]
    fn a_party_without_options_has_no_codes() {
        let conf = FeaturesConf::default();
        let mut m = Matcher::new(party_codes(&conf, false, false), Duration::from_secs(1));
        assert_eq!(m.handle_digit(Instant::now(), '#'), Step::Pass("#".into()));
    }

    #[test]
    fn default_atxfer_is_off_and_transfer_without_disconnect_passes_star() {
        let conf = FeaturesConf::default();
        let mut m = Matcher::new(party_codes(&conf, true, false), Duration::from_secs(1));
        assert_eq!(m.handle_digit(Instant::now(), '*'), Step::Pass("*".into()));
    }
}
