//! The responses a registrar sends, shaped as chan_sip's (`transmit_response_with_date`,
//! `transmit_response_with_auth`, `respprep` for REGISTER), and the RFC 1123 `Date`.

use crate::message::{derive_tag, Request, Response};

/// A response to `req` with a To tag derived from the request (stable across
/// retransmissions, no randomness).
pub fn base(req: &Request, status: u16, reason: &str) -> Response {
    let mut r = Response::from_request(req, status, reason);
    r.set_to_tag(&derive_tag(&req.headers));
    r
}

/// `base` plus a `Date` header (chan_sip's `transmit_response_with_date`).
pub fn with_date(req: &Request, status: u16, reason: &str, epoch: u64) -> Response {
    base(req, status, reason).with_header("Date", http_date(epoch))
}

/// 401 with one `WWW-Authenticate` per challenge value.
pub fn challenge(req: &Request, challenges: &[String]) -> Response {
    let mut r = base(req, 401, "Unauthorized");
    for c in challenges {
        r.headers.push("WWW-Authenticate", c.as_str());
    }
    r
}

/// `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 3261 sec. 20.17 uses RFC 1123 dates, always GMT).
pub fn http_date(epoch: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = epoch / 86_400;
    let secs = epoch % 86_400;
    let (y, m, d) = civil_from_days(days);
    let wd = DAYS.get((days % 7) as usize).copied().unwrap_or("Thu");
    let mon = MONTHS
        .get(m.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("Jan");
    format!(
        "{wd}, {d:02} {mon} {y} {:02}:{:02}:{:02} GMT",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Days since 1970-01-01 to (year, month 1-12, day 1-31), proleptic Gregorian
/// (H. Hinnant's `civil_from_days`, for non-negative day counts).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_rfc1123_gmt() {
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(http_date(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(http_date(951_782_400), "Tue, 29 Feb 2000 00:00:00 GMT");
        assert_eq!(http_date(1_700_000_000), "Tue, 14 Nov 2023 22:13:20 GMT");
        assert!(http_date(u64::MAX).ends_with(" GMT"));
    }
}
