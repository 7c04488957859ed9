//! Read(variable[,filename[&filename2...]][,maxdigits[,options[,attempts[,timeout]]]]):
//! play prompts, collect digits into a variable; sets READSTATUS (as Asterisk's app_read.c).
//!
//! READSTATUS is ERROR until the read ends: OK (maxdigits reached or `#`), TIMEOUT (the
//! timeout ran out, the digits so far are kept), SKIPPED (`s` on a channel not answered),
//! HANGUP. maxdigits outside 1..=255 means 255. The timeout (seconds, fractions allowed) is
//! used for the first digit and between digits; without one the first digit waits 10 s (the
//! response timeout) and the next ones 5 s (the digit timeout). Each attempt that reads
//! nothing plays the prompts again. Options: `s` skip when not answered, `n` read without
//! answering, `i` take the filename as an indication tone (accepted; played as a prompt).
//! As in Asterisk, when the last prompt file is missing no digits are read and READSTATUS
//! stays ERROR (the host answers `Unsupported`).

use std::time::Duration;

use tandem_dialplan::args;

use super::{AppCx, Flow};
use crate::channel::ChannelState;
use crate::host::{Host, Reply, Request};

/// Asterisk's default response timeout (`rtimeoutms`) and digit timeout (`dtimeoutms`).
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(10);
const DIGIT_TIMEOUT: Duration = Duration::from_secs(5);
/// At most this many attempts, so a huge count cannot keep a channel forever.
const MAX_ATTEMPTS: i64 = 100;

/// Read's arguments once parsed.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadArgs {
    pub variable: String,
    pub files: Vec<String>,
    pub max: usize,
    pub skip: bool,
    pub noanswer: bool,
    pub indication: bool,
    pub attempts: u32,
    /// `None`: the defaults (10 s, then 5 s between digits).
    pub timeout: Option<Duration>,
}

/// C `atoi`: leading blanks, a sign, digits; anything else ends it (0 when none).
fn atoi(text: &str) -> i64 {
    let t = text.trim_start();
    let (neg, rest) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let mut v: i64 = 0;
    for c in rest.chars() {
        let Some(d) = c.to_digit(10) else { break };
        v = v.saturating_mul(10).saturating_add(i64::from(d));
    }
    if neg {
        -v
    } else {
        v
    }
}

/// C `atof` on the leading number (0 when none).
fn atof(text: &str) -> f64 {
    let t = text.trim_start();
    let end = t
        .char_indices()
        .take_while(|(i, c)| {
            c.is_ascii_digit() || *c == '.' || (*i == 0 && (*c == '-' || *c == '+'))
        })
        .map(|(i, c)| i + c.len_utf8())
        .last()
        .unwrap_or(0);
    t[..end].parse().unwrap_or(0.0)
}

/// Parse Read's arguments; `None` when the variable is missing (a warning, READSTATUS=ERROR).
pub fn parse(data: &str) -> Option<ReadArgs> {
    let parts = args::split(data, ',');
    let arg = |i: usize| parts.get(i).map(String::as_str).unwrap_or_default();
    let variable = arg(0).trim().to_string();
    if variable.is_empty() {
        return None;
    }
    let files = arg(1)
        .split('&')
        .filter(|f| !f.is_empty())
        .map(str::to_string)
        .collect();
    let max = match atoi(arg(2)) {
        n @ 1..=255 if !arg(2).is_empty() => n as usize,
        _ => 255,
    };
    let options = arg(3);
    let attempts = match atoi(arg(4)) {
        n if n <= 0 => 1,
        n => n.min(MAX_ATTEMPTS) as u32,
    };
    let seconds = atof(arg(5));
    let timeout = (seconds > 0.0 && seconds.is_finite())
        .then(|| Duration::from_secs_f64(seconds.min(86_400.0)));
    Some(ReadArgs {
        variable,
        files,
        max,
        skip: options.contains('s'),
        noanswer: options.contains('n'),
        indication: options.contains('i'),
        attempts,
        timeout,
    })
}

pub(super) async fn exec<H: Host>(cx: &mut AppCx<'_, H>, data: &str) -> Flow {
    cx.chan.set_var("READSTATUS", "ERROR");
    let Some(read) = parse(data) else {
        if data.trim().is_empty() {
            tracing::warn!("Read requires an argument (variable)");
        } else {
            tracing::warn!(
                "Invalid! Usage: Read(variable[,filename][,maxdigits][,option][,attempts][,timeout])"
            );
        }
        return Flow::Next;
    };
    if cx.chan.state != ChannelState::Up {
        if read.skip {
            cx.chan.set_var(&read.variable, "");
            cx.chan.set_var("READSTATUS", "SKIPPED");
            return Flow::Next;
        }
        if !read.noanswer {
            if let Reply::HungUp = cx
                .host
                .request(cx.chan, Request::Answer { delay: None })
                .await
            {
                cx.chan.set_var("READSTATUS", "HANGUP");
                return Flow::Hangup;
            }
            cx.chan.state = ChannelState::Up;
        }
    }
    let (first_timeout, digit_timeout) = match read.timeout {
        Some(t) => (t, t),
        None => (RESPONSE_TIMEOUT, DIGIT_TIMEOUT),
    };
    let mut status = "ERROR";
    for attempt in 1..=read.attempts {
        let request = Request::ReadDigits {
            files: read.files.clone(),
            max: read.max,
            first_timeout,
            digit_timeout,
        };
        let mut digits = match cx.host.request(cx.chan, request).await {
            Reply::Digits(d) => d,
            Reply::HungUp => {
                cx.chan.set_var(&read.variable, "");
                tracing::info!("User disconnected");
                cx.chan.set_var("READSTATUS", "HANGUP");
                return Flow::Hangup;
            }
            _ => {
                // ast_app_getdata failed (the last prompt is missing): the variable is set
                // empty and READSTATUS stays ERROR.
                cx.chan.set_var(&read.variable, "");
                break;
            }
        };
        status = if digits.ends_with('#') {
            digits.pop();
            "OK"
        } else if digits.chars().count() >= read.max {
            "OK"
        } else {
            "TIMEOUT"
        };
        cx.chan.set_var(&read.variable, &digits);
        if !digits.is_empty() {
            tracing::info!("User entered '{digits}'");
            break;
        }
        let left = read.attempts - attempt;
        if left > 0 {
            tracing::info!(
                "User entered nothing, {left} chance{} left",
                if left == 1 { "" } else { "s" }
            );
        } else {
            tracing::info!("User entered nothing.");
        }
    }
    cx.chan.set_var("READSTATUS", status);
    Flow::Next
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maxdigits_out_of_range_or_missing_means_255() {
        for data in ["N", "N,,0", "N,,256", "N,,-3", "N,,x"] {
            assert_eq!(parse(data).map(|r| r.max), Some(255), "{data}");
        }
        assert_eq!(parse("N,,4").map(|r| r.max), Some(4));
    }

    #[test]
    fn prompts_split_on_ampersand_and_options_are_letters() {
        let r = parse("PIN,enter&pin,4,sn,3,2.5").expect("parses");
        assert_eq!(r.files, vec!["enter", "pin"]);
        assert!(r.skip && r.noanswer && !r.indication);
        assert_eq!(r.attempts, 3);
        assert_eq!(r.timeout, Some(Duration::from_millis(2500)));
    }

    #[test]
    fn attempts_and_timeout_fall_back_when_not_positive() {
        let r = parse("N,,,,0,0").expect("parses");
        assert_eq!(r.attempts, 1);
        assert_eq!(r.timeout, None);
        assert_eq!(parse(",beep"), None);
    }
}
