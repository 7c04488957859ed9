//! SayNumber(number[,gender]): say a whole number in English (`ast_say_number_full_en`):
//! `digits/0`..`digits/19`, the tens `digits/20`..`digits/90`, `digits/hundred`,
//! `digits/thousand`, `digits/million`, `digits/minus`. A number that is not a whole C int
//! (`ast_str_to_int`) is a
//! warning and the dialplan goes on; a gender other than f, m, c or n hangs up, as in
//! Asterisk. A missing prompt is a Playback-style warning and the rest is still said.

use super::saydigits::say;
use super::{AppCx, Flow};
use crate::host::Host;

/// The number as `ast_str_to_int` takes it: the whole text, an optional sign and digits,
/// within a C `int`; `None` otherwise.
fn to_int(text: &str) -> Option<i64> {
    let (neg, digits) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i64 = digits.parse().ok()?;
    let v = if neg { -v } else { v };
    (i64::from(i32::MIN)..=i64::from(i32::MAX))
        .contains(&v)
        .then_some(v)
}

/// The prompts for `num` in English; `None` if it is too big (a billion or more).
pub fn files(num: i64) -> Option<Vec<String>> {
    let mut out = Vec::new();
    if num == 0 {
        return Some(vec!["digits/0".to_string()]);
    }
    push_en(num, &mut out, 0)?;
    Some(out)
}

fn push_en(mut num: i64, out: &mut Vec<String>, depth: u8) -> Option<()> {
    if depth > 4 {
        return None;
    }
    if num < 0 {
        out.push("digits/minus".to_string());
        num = -num;
    }
    if num >= 1_000_000_000 {
        tracing::debug!("Number '{num}' is too big for me");
        return None;
    }
    if num >= 1_000_000 {
        push_en(num / 1_000_000, out, depth + 1)?;
        out.push("digits/million".to_string());
        num %= 1_000_000;
    }
    if num >= 1000 {
        push_en(num / 1000, out, depth + 1)?;
        out.push("digits/thousand".to_string());
        num %= 1000;
    }
    if num >= 100 {
        out.push(format!("digits/{}", num / 100));
        out.push("digits/hundred".to_string());
        num %= 100;
    }
    if num >= 20 {
        out.push(format!("digits/{}", num / 10 * 10));
        num %= 10;
    }
    if num > 0 {
        out.push(format!("digits/{num}"));
    }
    Some(())
}

pub(super) async fn exec<H: Host>(cx: &mut AppCx<'_, H>, data: &str) -> Flow {
    if data.is_empty() {
        tracing::warn!("SayNumber requires an argument (number)");
        return Flow::Hangup;
    }
    let mut parts = data.splitn(3, ',');
    let number = parts.next().unwrap_or_default();
    let Some(value) = to_int(number) else {
        tracing::warn!("argument '{number}' to SayNumber could not be parsed as a number.");
        return Flow::Next;
    };
    if let Some(gender) = parts.next() {
        if !["f", "m", "c", "n"]
            .iter()
            .any(|g| g.eq_ignore_ascii_case(gender))
        {
            tracing::warn!("SayNumber gender option is either 'f', 'm', 'c' or 'n'");
            return Flow::Hangup;
        }
    }
    match files(value) {
        Some(files) => say(cx, files).await,
        None => {
            tracing::warn!("We were unable to say the number {number}, is it too large?");
            Flow::Next
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(n: i64) -> Vec<String> {
        files(n)
            .unwrap_or_default()
            .into_iter()
            .map(|f| f.trim_start_matches("digits/").to_string())
            .collect()
    }

    #[test]
    fn english_numbers_use_teens_tens_hundred_thousand_million() {
        assert_eq!(said(0), ["0"]);
        assert_eq!(said(13), ["13"]);
        assert_eq!(said(42), ["40", "2"]);
        assert_eq!(said(115), ["1", "hundred", "15"]);
        assert_eq!(said(2_005), ["2", "thousand", "5"]);
        assert_eq!(
            said(1_234_567),
            ["1", "million", "2", "hundred", "30", "4", "thousand", "5", "hundred", "60", "7"]
        );
        assert_eq!(said(-7), ["minus", "7"]);
    }

    #[test]
    fn a_billion_is_too_big_and_the_number_must_be_a_whole_int() {
        assert_eq!(files(1_000_000_000), None);
        assert_eq!(to_int("-12"), Some(-12));
        assert_eq!(to_int("12abc"), None);
        assert_eq!(to_int("abc"), None);
        assert_eq!(to_int("2147483648"), None);
    }
}
