//! The local time for the dialplan: now, or a `--time "YYYY-MM-DD HH:MM"` given in local time.

use chrono::{Local, NaiveDateTime, Offset, TimeZone};
use tandem_dialplan::LocalTime;

pub fn now() -> LocalTime {
    let now = Local::now();
    LocalTime::new(now.timestamp(), now.offset().fix().local_minus_utc())
}

/// `YYYY-MM-DD HH:MM` (or with `:SS`) in the machine's local time zone.
pub fn parse(text: &str) -> Result<LocalTime, String> {
    let t = text.trim();
    let naive = NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S"))
        .map_err(|_| format!("bad --time '{text}': expected \"YYYY-MM-DD HH:MM\""))?;
    let local = Local
        .from_local_datetime(&naive)
        .earliest()
        .ok_or_else(|| format!("--time '{text}' does not exist in the local time zone"))?;
    Ok(LocalTime::new(
        local.timestamp(),
        local.offset().fix().local_minus_utc(),
    ))
}
