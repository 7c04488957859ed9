//! SendDTMF(digits[,timeout_ms[,duration_ms[,channel]]]): send digits to the channel's far end
//! in its own `dtmfmode` (RFC 4733, SIP INFO or tones), as app_senddtmf.c and
//! `ast_dtmf_stream`: 100 ms of quiet first; each digit lasts `duration_ms` (at least 100,
//! `AST_DEFAULT_EMULATE_DTMF_DURATION`) and is followed by `timeout_ms` (250 when missing or
//! not positive); `w` waits half a second, `W` a second; `f`/`F` (flash) is not sent by
//! tandem's channels and only waits; any other character is warned about and skipped.

use std::time::Duration;

use tandem_core::host::Reply;
use tandem_core::ChannelCommand;
use tandem_dialplan::args;

use super::background::sleep;
use super::AppCx;

/// `ast_app_parse_timelen(..., TIMELEN_MILLISECONDS)`: a number with an optional unit (`ms`,
/// `s`, `m`, `h`; milliseconds without one). `None` when it does not parse.
pub fn parse_timelen_ms(text: &str) -> Option<i64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let value: f64 = num.parse().ok()?;
    let factor = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "ms" | "msec" => 1.0,
        "s" | "sec" => 1000.0,
        "m" | "min" => 60_000.0,
        "h" | "hour" => 3_600_000.0,
        _ => return None,
    };
    let ms = value * factor;
    ms.is_finite().then_some(ms as i64)
}

/// What SendDTMF does, step by step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Digit(char),
    Wait(Duration),
}

/// The plan for `digits` with `between` after each digit (flash only waits).
pub fn plan(digits: &str, between: Duration) -> Vec<Step> {
    let mut steps = vec![Step::Wait(Duration::from_millis(100))];
    for c in digits.chars() {
        match c {
            'w' => steps.push(Step::Wait(Duration::from_millis(500))),
            'W' => steps.push(Step::Wait(Duration::from_secs(1))),
            'f' | 'F' => steps.push(Step::Wait(between)),
            '0'..='9' | '*' | '#' | 'a'..='d' | 'A'..='D' => {
                steps.push(Step::Digit(c.to_ascii_uppercase()));
                steps.push(Step::Wait(between));
            }
            other => tracing::warn!(
                "Illegal DTMF character '{other}' in string. (0-9*#aAbBcCdD allowed)"
            ),
        }
    }
    steps
}

pub async fn exec(mut cx: AppCx<'_>, data: &str) -> Reply {
    let parts = args::split(data, ',');
    let digits = parts.first().map(String::as_str).unwrap_or_default();
    if data.trim().is_empty() {
        tracing::warn!("SendDTMF requires an argument");
        return Reply::Done;
    }
    if digits.is_empty() {
        tracing::warn!("The digits argument is required (0-9,*#,a-d,A-D,wfF)");
        return Reply::Done;
    }
    let between = parts
        .get(1)
        .and_then(|t| parse_timelen_ms(t))
        .filter(|ms| *ms > 0)
        .unwrap_or(250);
    let duration = parts
        .get(2)
        .and_then(|t| parse_timelen_ms(t))
        .unwrap_or(0)
        .max(100);
    if let Some(other) = parts.get(3).filter(|c| !c.is_empty()) {
        if !other.eq_ignore_ascii_case(&cx.link.name) {
            tracing::warn!("No such channel: {other}");
            return Reply::Done;
        }
    }
    let between = Duration::from_millis(between.unsigned_abs());
    let duration = Duration::from_millis(duration.unsigned_abs());
    for step in plan(digits, between) {
        let wait = match step {
            Step::Digit(d) => {
                if cx
                    .link
                    .commands
                    .send(ChannelCommand::SendDigit(d))
                    .await
                    .is_err()
                {
                    return Reply::HungUp;
                }
                // The digit lasts `duration` (ast_senddigit sleeps between begin and end).
                duration
            }
            Step::Wait(w) => w,
        };
        if sleep(&mut cx, Some(wait)).await {
            return Reply::HungUp;
        }
    }
    Reply::Done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timelen_is_milliseconds_unless_a_unit_says_otherwise() {
        assert_eq!(parse_timelen_ms("300"), Some(300));
        assert_eq!(parse_timelen_ms("1.5s"), Some(1500));
        assert_eq!(parse_timelen_ms("2m"), Some(120_000));
        assert_eq!(parse_timelen_ms("x"), None);
        assert_eq!(parse_timelen_ms("-5"), Some(-5));
    }

    #[test]
    fn digits_are_separated_by_the_interval_and_w_waits() {
        let ms = Duration::from_millis;
        assert_eq!(
            plan("1wB", ms(250)),
            vec![
                Step::Wait(ms(100)),
                Step::Digit('1'),
                Step::Wait(ms(250)),
                Step::Wait(ms(500)),
                Step::Digit('B'),
                Step::Wait(ms(250)),
            ]
        );
        assert_eq!(
            plan("a!W", ms(40)),
            vec![
                Step::Wait(ms(100)),
                Step::Digit('A'),
                Step::Wait(ms(40)),
                Step::Wait(ms(1000)),
            ]
        );
    }
}
