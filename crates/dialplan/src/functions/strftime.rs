//! `STRFTIME([epoch][,timezone[,format]])` (func_strings.c `acf_strftime`).
//!
//! - epoch: seconds since 1970, fractions allowed (`ast_get_timeval`: `%lf`); empty or not a
//!   number means now.
//! - timezone: an Olson name (`Europe/Paris`); empty or unknown means the channel's local
//!   time (the offset of [`Env::now`]).
//! - format: C `strftime` (default `%c`), plus Asterisk's `%q` (milliseconds) and `%1q` to
//!   `%6q` (that many digits of the fraction). A conversion chrono does not know is copied
//!   as is.

use super::FuncError;
use crate::args::split_limit;
use crate::env::Env;
use chrono::{DateTime, FixedOffset, Offset, TimeZone, Utc};
use std::fmt::Write;

/// `sscanf("%lf")` of the epoch: (seconds, microseconds).
fn parse_epoch(s: &str) -> Option<(i64, u32)> {
    let t = s.trim_start();
    let len = t
        .char_indices()
        .take_while(|&(i, c)| c.is_ascii_digit() || c == '.' || (i == 0 && (c == '-' || c == '+')))
        .count();
    let v: f64 = t[..len].parse().ok()?;
    if !v.is_finite() || v.abs() > 1e15 {
        return None;
    }
    let secs = v.floor();
    let usec = ((v - secs) * 1e6).round().min(999_999.0) as u32;
    Some((secs as i64, usec))
}

/// Format one date with C strftime conversions; `usec` feeds `%q`.
pub(crate) fn format<Tz: TimeZone>(dt: &DateTime<Tz>, fmt: &str, usec: u32) -> String
where
    Tz::Offset: std::fmt::Display,
{
    let mut out = String::new();
    let mut rest = fmt;
    while let Some(p) = rest.find('%') {
        out.push_str(&rest[..p]);
        let spec = &rest[p..];
        // %q and %1q..%6q
        let b = spec.as_bytes();
        if b.get(1) == Some(&b'q') {
            let _ = write!(out, "{:03}", usec / 1000);
            rest = &spec[2..];
            continue;
        }
        if let (Some(d @ b'1'..=b'6'), Some(b'q')) = (b.get(1), b.get(2)) {
            let digits = usize::from(d - b'0');
            let full = format!("{usec:06}");
            out.push_str(&full[..digits]);
            rest = &spec[3..];
            continue;
        }
        // One conversion: %, optional flag (- _ 0 ^ #), optional E/O, the letter.
        let mut end = 1;
        while end < spec.len()
            && matches!(
                b.get(end),
                Some(b'-' | b'_' | b'0' | b'^' | b'#' | b'E' | b'O')
            )
        {
            end += 1;
        }
        let Some(c) = spec[end..].chars().next() else {
            out.push('%');
            rest = "";
            break;
        };
        end += c.len_utf8();
        let mut conv = spec[..end].replace(['E', 'O'], "");
        if conv.contains('^') || conv.contains('#') {
            conv = conv.replace(['^', '#'], "");
        }
        let mut piece = String::new();
        if write!(piece, "{}", dt.format(&conv)).is_ok() {
            out.push_str(&piece);
        } else {
            out.push_str(&spec[..end]);
        }
        rest = &spec[end..];
    }
    out.push_str(rest);
    out
}

pub(super) fn read(args: &str, env: &mut dyn Env) -> Result<String, FuncError> {
    let parts = split_limit(args, ',', 3);
    let now = env.now();
    let (secs, usec) = parts
        .first()
        .and_then(|e| parse_epoch(e))
        .unwrap_or((now.epoch, 0));
    let fmt = parts.get(2).map(String::as_str).unwrap_or("%c");
    let utc = DateTime::<Utc>::from_timestamp(secs, usec * 1000).unwrap_or_default();
    let tz = parts
        .get(1)
        .filter(|t| !t.is_empty())
        .and_then(|t| t.trim().parse::<chrono_tz::Tz>().ok());
    let out = match tz {
        Some(tz) => format(&utc.with_timezone(&tz), fmt, usec),
        None => {
            let off = FixedOffset::east_opt(now.utc_offset).unwrap_or_else(|| Utc.fix());
            format(&utc.with_timezone(&off), fmt, usec)
        }
    };
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::LocalTime;
    use crate::functions::testenv::TestEnv;

    fn env() -> TestEnv {
        let mut e = TestEnv::new();
        e.now = Some(LocalTime::new(1_700_000_000, 3600));
        e
    }

    #[test]
    fn defaults_are_now_local_and_percent_c() {
        assert_eq!(read("", &mut env()).unwrap(), "Tue Nov 14 23:13:20 2023");
    }

    #[test]
    fn epoch_timezone_and_format() {
        assert_eq!(
            read("0,UTC,%Y-%m-%d %H:%M:%S", &mut env()).unwrap(),
            "1970-01-01 00:00:00"
        );
        assert_eq!(
            read("1700000000,America/New_York,%H:%M %Z", &mut env()).unwrap(),
            "17:13 EST"
        );
        assert_eq!(read(",,%H", &mut env()).unwrap(), "23");
        assert_eq!(read("x,UTC,%H", &mut env()).unwrap(), "22");
    }

    #[test]
    fn fractional_seconds_extension() {
        assert_eq!(read("10.123456,UTC,%S.%q", &mut env()).unwrap(), "10.123");
        assert_eq!(
            read("10.123456,UTC,%1q|%6q", &mut env()).unwrap(),
            "1|123456"
        );
    }

    #[test]
    fn unknown_conversions_are_copied() {
        assert_eq!(read("0,UTC,%Y %!", &mut env()).unwrap(), "1970 %!");
        assert_eq!(read("0,UTC,100%%", &mut env()).unwrap(), "100%");
    }
}
