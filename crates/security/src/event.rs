//! What the engine reports: one value per event, printed as one stable line.
//!
//! ```text
//! SECURITY[auth_failure] remote=192.0.2.9 method=REGISTER user=100 count=1
//! SECURITY[scanner] remote=192.0.2.9 agent=friendly-scanner
//! SECURITY[ban] remote=192.0.2.9 reason=auth_failures count=5 duration=600s
//! SECURITY[unban] remote=192.0.2.9 cause=expired
//! ```
//!
//! Every line starts with `SECURITY[kind] remote=ADDRESS`; values never hold blanks (text
//! that came from the network is cut to 64 characters and anything but printable ASCII
//! other than a blank becomes `?`), so a fail2ban `failregex` of
//! `SECURITY\[(auth_failure|scanner|ban)\] remote=<HOST> ` matches them.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

/// Why a source was banned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// `autoban_failures` authentication failures within `autoban_window`.
    AuthFailures,
    /// More than `autoban_rate` requests per second, sustained.
    Rate,
    /// A well-known scanner's request.
    Scanner,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::AuthFailures => "auth_failures",
            Reason::Rate => "rate",
            Reason::Scanner => "scanner",
        }
    }
}

/// Why a ban was lifted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnbanCause {
    Expired,
    /// `security unban ADDR`.
    Admin,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A request failed authentication; `count` failures in the current window.
    AuthFailure {
        remote: IpAddr,
        method: String,
        user: String,
        count: u32,
    },
    /// A scanner's request was dropped.
    Scanner {
        remote: IpAddr,
        agent: String,
    },
    /// A source was banned. `count` is the failures, the requests of the last second, or
    /// 1 for a scanner; `offence` is the how-many-th ban of this source (durations double).
    Ban {
        remote: IpAddr,
        reason: Reason,
        count: u32,
        duration: Duration,
        offence: u32,
    },
    Unban {
        remote: IpAddr,
        cause: UnbanCause,
    },
}

impl Event {
    pub fn remote(&self) -> IpAddr {
        match self {
            Event::AuthFailure { remote, .. }
            | Event::Scanner { remote, .. }
            | Event::Ban { remote, .. }
            | Event::Unban { remote, .. } => *remote,
        }
    }
}

/// Longest network text put in a line.
pub(crate) const MAX_TEXT: usize = 64;

/// Network text made safe for a one-line log: printable ASCII without blanks, at most
/// [`MAX_TEXT`] characters, `-` when empty.
pub(crate) fn clean(text: &str) -> String {
    let out: String = text
        .chars()
        .take(MAX_TEXT)
        .map(|c| if c.is_ascii_graphic() { c } else { '?' })
        .collect();
    if out.is_empty() {
        "-".to_owned()
    } else {
        out
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::AuthFailure {
                remote,
                method,
                user,
                count,
            } => write!(
                f,
                "SECURITY[auth_failure] remote={remote} method={} user={} count={count}",
                clean(method),
                clean(user)
            ),
            Event::Scanner { remote, agent } => {
                write!(f, "SECURITY[scanner] remote={remote} agent={}", clean(agent))
            }
            Event::Ban {
                remote,
                reason,
                count,
                duration,
                offence,
            } => write!(
                f,
                "SECURITY[ban] remote={remote} reason={} count={count} duration={}s offence={offence}",
                reason.as_str(),
                duration.as_secs()
            ),
            Event::Unban { remote, cause } => write!(
                f,
                "SECURITY[unban] remote={remote} cause={}",
                match cause {
                    UnbanCause::Expired => "expired",
                    UnbanCause::Admin => "admin",
                }
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_text_cannot_break_the_line_or_forge_fields() {
        let e = Event::AuthFailure {
            remote: "192.0.2.1".parse().unwrap_or(IpAddr::from([0, 0, 0, 0])),
            method: "REGISTER".into(),
            user: "x\nSECURITY[ban] remote=10.0.0.1 y".into(),
            count: 1,
        };
        let line = e.to_string();
        assert!(!line.contains('\n'));
        assert_eq!(line.matches(" remote=").count(), 1, "{line}");
        assert!(line.ends_with("count=1"), "{line}");
    }

    #[test]
    fn long_and_empty_text() {
        assert_eq!(clean(""), "-");
        assert_eq!(clean(&"a".repeat(500)).len(), MAX_TEXT);
    }
}
