//! RFC 4028 session timers the way chan_sip runs them (`handle_request_invite_st`,
//! `proc_session_timer`, `start_session_timer`, `proc_422_rsp`, `parse_session_expires`,
//! `parse_minse`): the types, the header parsing and the negotiation rules. The UA's use of
//! them (timer firing, refreshes, 422 retry) is in `st_flow.rs`.
//!
//! chan_sip's defaults: `session-timers=accept`, `session-expires=1800`,
//! `session-minse=90`, `session-refresher=uas`.

use std::time::{Duration, Instant};

use super::UaConfig;
use crate::message::{Headers, Request};

/// `session-timers=` of sip.conf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SessionTimerMode {
    /// Run timers when the peer asks for them (chan_sip's default).
    #[default]
    Accept,
    /// Ask for timers on our INVITEs, and run them on incoming calls even when the caller
    /// did not ask.
    Originate,
    /// Never run timers; an INVITE that *requires* `timer` gets `420 Option Disabled`.
    Refuse,
}

/// `session-refresher=` of sip.conf: who refreshes when the caller leaves it to us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Refresher {
    Uac,
    /// chan_sip's default.
    #[default]
    Uas,
}

/// chan_sip's `DEFAULT_MIN_SE`: an INVITE in `Accept` mode carries `Min-SE` only when ours
/// differs from it.
pub const DEFAULT_MIN_SE: u32 = 90;

/// The session timer of one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SessionTimer {
    /// Session interval in seconds.
    pub interval: u32,
    /// We send the refreshes (chan_sip `SESSION_TIMER_REFRESHER_US`).
    pub we_refresh: bool,
    /// The peer runs timers too (chan_sip `st_active_peer_ua`): our 2xx carry
    /// `Require: timer`.
    pub peer_ua: bool,
    /// Running (set when the 2xx goes out or comes in; cleared when it fires for good).
    pub active: bool,
    /// When it fires next (none while our refresh is in flight).
    pub deadline: Option<Instant>,
}

impl SessionTimer {
    pub fn new(interval: u32, we_refresh: bool, peer_ua: bool) -> SessionTimer {
        SessionTimer {
            interval,
            we_refresh,
            peer_ua,
            active: false,
            deadline: None,
        }
    }

    /// chan_sip `__start_session_timer`: the refresher waits half the interval; the other
    /// side waits the interval minus min(interval/3, 32 s) (RFC 4028 section 10).
    pub fn wait(&self) -> Duration {
        let ms = u64::from(self.interval.max(1)) * 1000;
        Duration::from_millis(if self.we_refresh {
            ms / 2
        } else {
            ms - (ms / 3).min(32_000)
        })
    }

    /// (Re)starts the timer from `now`.
    pub fn start(&mut self, now: Instant) {
        self.active = true;
        self.deadline = Some(now + self.wait());
    }

    /// `N;refresher=uas|uac` as written by the side that is UAS (`we_are_uas`) or UAC of
    /// the transaction.
    pub fn header_value(&self, we_are_uas: bool) -> String {
        let who = if self.we_refresh == we_are_uas {
            "uas"
        } else {
            "uac"
        };
        format!("{};refresher={who}", self.interval)
    }
}

/// `sscanf("%30d")`: an optional sign and digits after blanks; trailing text is ignored.
fn leading_int(s: &str) -> Option<i64> {
    let s = s.trim_start();
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let digits: &str = &rest[..rest.bytes().take_while(u8::is_ascii_digit).count()];
    if digits.is_empty() {
        return None;
    }
    let v = digits
        .bytes()
        .take(12)
        .fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0'));
    Some(if neg { -v } else { v })
}

/// chan_sip `parse_minse`.
pub(crate) fn parse_min_se(value: &str) -> Option<i64> {
    leading_int(value)
}

/// chan_sip `parse_session_expires`: `N[;refresher=uac|uas]`. Its quirk is kept: every
/// `;`-separated token before the refresher must start with a number, so
/// `1800;foo=1;refresher=uac` is refused (400).
pub(crate) fn parse_session_expires(value: &str) -> Option<(i64, Option<Refresher>)> {
    let mut interval = 0;
    let mut rest = Some(value.trim_start());
    while let Some(r) = rest {
        let (token, after) = match r.split_once(';') {
            Some((t, a)) => (t, Some(a)),
            None => (r, None),
        };
        interval = leading_int(token)?;
        let Some(after) = after.map(str::trim_start) else {
            break;
        };
        let lower = after.get(..10).map(str::to_ascii_lowercase);
        if lower.as_deref() == Some("refresher=") {
            let v = after[10..].trim_start().to_ascii_lowercase();
            let who = if v.starts_with("uac") {
                Refresher::Uac
            } else if v.starts_with("uas") {
                Refresher::Uas
            } else {
                return None;
            };
            return Some((interval, Some(who)));
        }
        rest = Some(after);
    }
    Some((interval, None))
}

/// `timer` among the option tags of `header` (Supported or Require, comma lists, any lines).
pub(crate) fn has_tag(headers: &Headers, header: &str, tag: &str) -> bool {
    headers
        .get_all(header)
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(tag))
}

/// The peer's Allow lists UPDATE.
pub(crate) fn allows_update(headers: &Headers) -> bool {
    has_tag(headers, "Allow", "UPDATE")
}

/// The `o=` line of an SDP body (the session id and version tell a refresh from a change).
pub(crate) fn sdp_origin(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    text.lines()
        .map(str::trim)
        .find(|l| l.starts_with("o="))
        .map(str::to_string)
}

/// What an INVITE (or a refresh request) asks of our session timer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Negotiation {
    /// Refuse the request with this status, reason and extra header.
    Reject(u16, &'static str, Option<(&'static str, String)>),
    /// Run a timer with these parameters.
    Active(SessionTimer),
    /// No timer.
    Inactive,
}

/// chan_sip `handle_request_invite_st` for a request we are UAS of. `peer_timer`: the peer
/// said `timer` in Supported/Require (of this request or the dialog's first INVITE);
/// `min_se`: the call's Min-SE.
pub(crate) fn negotiate_uas(
    cfg: &UaConfig,
    min_se: u32,
    req: &Request,
    peer_timer: bool,
) -> Negotiation {
    let requires = has_tag(&req.headers, "Require", "timer");
    if !(peer_timer || requires) {
        return match cfg.session_timers {
            SessionTimerMode::Originate => {
                Negotiation::Active(SessionTimer::new(cfg.session_expires, true, false))
            }
            _ => Negotiation::Inactive,
        };
    }
    let (mut uac_se, mut uac_ref) = (-1i64, None);
    if let Some(v) = req
        .headers
        .get("Session-Expires")
        .filter(|v| !v.trim().is_empty())
    {
        match parse_session_expires(v) {
            Some((n, r)) => (uac_se, uac_ref) = (n, r),
            None => return Negotiation::Reject(400, "Session-Expires Invalid Syntax", None),
        }
    }
    let mut uac_min = -1i64;
    if let Some(v) = req.headers.get("Min-SE").filter(|v| !v.trim().is_empty()) {
        match parse_min_se(v) {
            Some(n) => uac_min = n,
            None => return Negotiation::Reject(400, "Min-SE Invalid Syntax", None),
        }
    }
    match cfg.session_timers {
        SessionTimerMode::Refuse => {
            if requires {
                Negotiation::Reject(
                    420,
                    "Option Disabled",
                    Some(("Unsupported", "timer".into())),
                )
            } else {
                Negotiation::Inactive
            }
        }
        SessionTimerMode::Accept | SessionTimerMode::Originate => {
            if uac_se > 0 && uac_se < i64::from(min_se) {
                return Negotiation::Reject(
                    422,
                    "Session Interval Too Small",
                    Some(("Min-SE", min_se.to_string())),
                );
            }
            let we_refresh = match uac_ref {
                Some(r) => r == Refresher::Uas,
                None => cfg.refresher == Refresher::Uas,
            };
            let ours = i64::from(cfg.session_expires);
            let interval = if uac_se > 0 {
                if ours >= uac_min {
                    uac_se.min(ours)
                } else {
                    uac_se
                }
            } else if uac_min > 0 {
                ours.max(uac_min)
            } else {
                ours
            };
            let interval = u32::try_from(interval.max(1)).unwrap_or(u32::MAX);
            Negotiation::Active(SessionTimer::new(interval, we_refresh, true))
        }
    }
}

/// How the UAC reads `Session-Expires` in a 2xx (chan_sip `handle_response_invite`): `None`
/// when absent, `Some(Err)` when it cannot be used (bad syntax, or below our Min-SE:
/// chan_sip tears the call down), else the interval and whether we refresh. A missing
/// refresher parameter makes us the refresher (RFC 4028 says the UAS MUST send one).
pub(crate) fn read_2xx(headers: &Headers, min_se: u32) -> Option<Result<(u32, bool), ()>> {
    let v = headers
        .get("Session-Expires")
        .filter(|v| !v.trim().is_empty())?;
    let Some((n, r)) = parse_session_expires(v) else {
        return Some(Err(()));
    };
    if n < i64::from(min_se) || n <= 0 {
        return Some(Err(()));
    }
    let interval = u32::try_from(n).unwrap_or(u32::MAX);
    Some(Ok((interval, r != Some(Refresher::Uas))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_expires_parses_like_chan_sip() {
        assert_eq!(parse_session_expires("1800"), Some((1800, None)));
        assert_eq!(
            parse_session_expires(" 600 ; refresher = uac"),
            None,
            "no blanks before '=' in chan_sip"
        );
        assert_eq!(
            parse_session_expires("600;refresher=uac"),
            Some((600, Some(Refresher::Uac)))
        );
        assert_eq!(
            parse_session_expires("600; REFRESHER=UAS"),
            Some((600, Some(Refresher::Uas)))
        );
        assert_eq!(parse_session_expires("600;refresher=proxy"), None);
        assert_eq!(parse_session_expires("600;foo=1;refresher=uac"), None);
        assert_eq!(parse_session_expires("abc"), None);
        assert_eq!(parse_session_expires("90abc"), Some((90, None)));
    }

    #[test]
    fn min_se_is_a_leading_number() {
        assert_eq!(parse_min_se(" 120"), Some(120));
        assert_eq!(parse_min_se("x"), None);
        assert_eq!(parse_min_se("-5"), Some(-5));
    }

    #[test]
    fn refresher_waits_half_the_other_side_interval_minus_a_third_or_32s() {
        let st = SessionTimer::new(1800, true, true);
        assert_eq!(st.wait(), Duration::from_secs(900));
        let st = SessionTimer::new(1800, false, true);
        assert_eq!(st.wait(), Duration::from_secs(1800 - 32));
        let st = SessionTimer::new(90, false, true);
        assert_eq!(st.wait(), Duration::from_secs(60));
    }

    #[test]
    fn header_value_names_the_refresher_from_the_writer_role() {
        let st = SessionTimer::new(600, true, true);
        assert_eq!(st.header_value(true), "600;refresher=uas");
        assert_eq!(st.header_value(false), "600;refresher=uac");
    }

    #[test]
    fn origin_line_is_found() {
        assert_eq!(
            sdp_origin(b"v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\n").as_deref(),
            Some("o=- 1 2 IN IP4 1.2.3.4")
        );
        assert_eq!(sdp_origin(b""), None);
    }
}
