//! Time conditions `times,weekdays,mdays,months[,timezone]`, as Asterisk's `ast_build_timing`
//! and `ast_check_timing` (main/pbx_timing.c) read and test them. Used by `include =>`,
//! GotoIfTime, ExecIfTime and IFTIME.
//!
//! - Fields are separated by `,` or the legacy `|`; missing trailing fields mean "any". The
//!   timezone is taken only when there are exactly five `,`-separated fields.
//! - Each field is `*`, empty, or a `&`-joined list of items; an item is a value or a range
//!   `a-b`. Ranges wrap (`fri-mon`, `22:00-06:00`). Names are English abbreviations
//!   (`mon`, `jan`, case-insensitive); numbers work too (weekday `1` is Sunday).
//! - A time range includes its end minute: `09:00-17:00` matches 17:00 to 17:00:59.
//! - Asterisk warns about and skips an invalid item; [`TimeSpec::parse`] reports it as an
//!   error instead, [`TimeSpec::parse_lenient`] behaves like Asterisk.

use chrono::{Datelike, Timelike};

use crate::env::LocalTime;

#[derive(Clone, Debug, PartialEq)]
pub struct TimeSpec {
    /// One bit per minute: 48 words of 30 bits (two per hour), as Asterisk stores it.
    minmask: [u32; 48],
    /// Bit 0 = Sunday.
    dowmask: u32,
    /// Bit 0 = the 1st.
    daymask: u32,
    /// Bit 0 = January.
    monthmask: u32,
    timezone: Option<chrono_tz::Tz>,
}

const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// scanf's `%2d`: leading blanks, an optional sign, digits; at most two characters after the
/// blanks. Returns the value and the rest.
fn scan_2d(s: &str) -> Option<(i32, &str)> {
    let s = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let b = s.as_bytes();
    let mut i = 0;
    let mut neg = false;
    if let Some(&c) = b.first() {
        if c == b'+' || c == b'-' {
            neg = c == b'-';
            i = 1;
        }
    }
    let start = i;
    let mut v: i32 = 0;
    while i < b.len() && i < 2 && b[i].is_ascii_digit() {
        v = v * 10 + i32::from(b[i] - b'0');
        i += 1;
    }
    if i == start {
        return None;
    }
    Some((if neg { -v } else { v }, &s[i..]))
}

/// `sscanf(s, "%2d:%2d", &h, &m) == 2` with the range checks of `get_timerange`.
fn scan_hhmm(s: &str) -> Option<(i32, i32)> {
    let (h, rest) = scan_2d(s)?;
    let rest = rest.strip_prefix(':')?;
    let (m, _) = scan_2d(rest)?;
    if (0..=23).contains(&h) && (0..=59).contains(&m) {
        Some((h, m))
    } else {
        None
    }
}

fn set_minute(mask: &mut [u32; 48], minute: i32) {
    let Ok(m) = usize::try_from(minute) else {
        return;
    };
    if let Some(w) = mask.get_mut(m / 30) {
        *w |= 1 << (m % 30);
    }
}

/// `get_timerange`.
fn time_range(field: &str, warnings: &mut Vec<String>) -> [u32; 48] {
    let mut mask = [0u32; 48];
    if field.is_empty() || field == "*" {
        return [0x3fff_ffff; 48];
    }
    for part in field.split('&') {
        let Some((start, end)) = part.split_once('-') else {
            match scan_hhmm(part) {
                Some((h, m)) => set_minute(&mut mask, h * 60 + m),
                None => warnings.push(format!("{part} isn't a valid time.")),
            }
            continue;
        };
        // "why skip non digits? Mostly to skip spaces"
        let end = end.trim_start_matches(|c: char| !c.is_ascii_digit());
        if end.is_empty() {
            warnings.push(format!("Invalid time range starting with '{start}-'."));
            continue;
        }
        let Some((sh, sm)) = scan_hhmm(start) else {
            warnings.push(format!("'{start}' isn't a valid start time."));
            continue;
        };
        let Some((eh, em)) = scan_hhmm(end) else {
            warnings.push(format!("'{end}' isn't a valid end time."));
            continue;
        };
        let last = eh * 60 + em;
        let mut x = sh * 60 + sm;
        while x != last {
            set_minute(&mut mask, x);
            x = (x + 1) % (24 * 60);
        }
        set_minute(&mut mask, last);
    }
    mask
}

/// `lookup_name`: a name (when the item starts with a letter) or a number 1..=max.
fn lookup_name(s: &str, names: Option<&[&str]>, max: u32) -> Option<u32> {
    if let Some(names) = names {
        if s.as_bytes().first().is_some_and(|&c| c > b'9') {
            if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(s)) {
                return u32::try_from(i).ok();
            }
        }
    }
    let (v, _) = scan_2d(s)?;
    let v = u32::try_from(v).ok()?;
    (1..=max).contains(&v).then(|| v - 1)
}

/// `get_range`: a bit mask over `max` values; ranges wrap.
fn range(
    field: &str,
    max: u32,
    names: Option<&[&str]>,
    what: &str,
    warnings: &mut Vec<String>,
) -> u32 {
    if field.is_empty() || field == "*" {
        return (1u32 << max) - 1;
    }
    let mut mask = 0u32;
    for part in field.split('&') {
        let (first, last) = match part.split_once('-') {
            Some((a, b)) => (a, Some(b)),
            None => (part, None),
        };
        let Some(mut start) = lookup_name(first, names, max) else {
            warnings.push(format!("Invalid {what} '{first}', skipping element"));
            continue;
        };
        let end = match last {
            Some(l) => match lookup_name(l, names, max) {
                Some(e) => e,
                None => {
                    warnings.push(format!("Invalid end {what} '{l}', skipping element"));
                    continue;
                }
            },
            None => start,
        };
        mask |= 1 << end;
        while start != end {
            mask |= 1 << start;
            start = (start + 1) % max;
        }
    }
    mask
}

impl TimeSpec {
    /// Matches at any time.
    pub fn always() -> TimeSpec {
        TimeSpec {
            minmask: [0x3fff_ffff; 48],
            dowmask: 0x7f,
            daymask: 0x7fff_ffff,
            monthmask: 0xfff,
            timezone: None,
        }
    }

    /// Parses `times,weekdays,mdays,months[,timezone]` (or with `|`). Any item Asterisk would
    /// skip with a warning, an unknown timezone, or an empty spec is an error here.
    pub fn parse(spec: &str) -> Result<TimeSpec, String> {
        if spec.is_empty() {
            return Err("empty time specification".to_string());
        }
        let (ts, warnings) = TimeSpec::parse_lenient(spec);
        match warnings.into_iter().next() {
            Some(w) => Err(format!("bad time specification '{spec}': {w}")),
            None => Ok(ts),
        }
    }

    /// Asterisk's behaviour: invalid items are skipped (an item that is skipped can leave a
    /// field matching nothing); the warnings Asterisk would log are returned.
    pub fn parse_lenient(spec: &str) -> (TimeSpec, Vec<String>) {
        let mut warnings = Vec::new();
        let mut ts = TimeSpec::always();
        let commas: Vec<&str> = spec.split(',').collect();
        if commas.len() == 5 {
            let name = commas[4];
            match name.trim().parse::<chrono_tz::Tz>() {
                Ok(tz) => ts.timezone = Some(tz),
                Err(_) => warnings.push(format!("unknown timezone '{name}'")),
            }
        }
        let mut fields = spec.split(['|', ',']);
        ts.minmask = time_range(fields.next().unwrap_or(""), &mut warnings);
        if let Some(f) = fields.next() {
            ts.dowmask = range(f, 7, Some(&DAYS), "day of week", &mut warnings);
        }
        if let Some(f) = fields.next() {
            ts.daymask = range(f, 31, None, "day", &mut warnings);
        }
        if let Some(f) = fields.next() {
            ts.monthmask = range(f, 12, Some(&MONTHS), "month", &mut warnings);
        }
        (ts, warnings)
    }

    /// `ast_check_timing2`: is `now` (in the spec's timezone if it names one, else in the
    /// local time of `now`) inside the condition?
    pub fn matches(&self, now: LocalTime) -> bool {
        let (month0, mday, wday, hour, minute) = match self.timezone {
            Some(tz) => {
                let dt = chrono::DateTime::from_timestamp(now.epoch, 0)
                    .unwrap_or_default()
                    .with_timezone(&tz);
                (
                    dt.month0(),
                    dt.day(),
                    dt.weekday().num_days_from_sunday(),
                    dt.hour(),
                    dt.minute(),
                )
            }
            None => {
                let dt = now.datetime();
                (
                    dt.month0(),
                    dt.day(),
                    dt.weekday().num_days_from_sunday(),
                    dt.hour(),
                    dt.minute(),
                )
            }
        };
        if self.monthmask & (1 << month0) == 0 || self.daymask & (1 << (mday - 1)) == 0 {
            return false;
        }
        if self.dowmask & (1 << wday) == 0 {
            return false;
        }
        let word = (hour * 2 + u32::from(minute >= 30)) as usize;
        let bit = if minute >= 30 { minute - 30 } else { minute };
        self.minmask.get(word).is_some_and(|w| w & (1 << bit) != 0)
    }
}

#[cfg(test)]
#[path = "timespec_tests.rs"]
mod tests;
