//! `sip show registry`, in chan_sip's layout (`sip_show_registry`):
//!
//! ```text
//! Host                                    dnsmgr Username       Refresh State                Reg.Time
//! sip.example.com:5060                    N      alice              105 Registered           Tue, 14 Nov 2023 22:13:20
//! 1 SIP registrations.
//! ```

use super::register::RegState;

/// One registration as the table shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryRow {
    pub host: String,
    /// The configured port (chan_sip prints 5060 when none was given).
    pub port: u16,
    pub dnsmgr: bool,
    pub user: String,
    pub domain: Option<String>,
    pub domain_port: Option<u16>,
    pub refresh: u32,
    pub state: RegState,
    /// The last successful registration, local time in seconds since the epoch.
    pub reg_time: Option<i64>,
}

/// chan_sip's FORMAT2 / FORMAT.
fn line(
    host: &str,
    dnsmgr: &str,
    user: &str,
    refresh: &str,
    state: &str,
    reg_time: &str,
) -> String {
    format!(
        "{:<39} {:<6} {:<12}  {:>8} {:<20} {:<25}\n",
        cut(host, 39),
        cut(dnsmgr, 6),
        cut(user, 12),
        refresh,
        cut(state, 20),
        cut(reg_time, 25)
    )
}

/// `%-N.Ns`: at most `n` characters.
fn cut(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// The whole output of `sip show registry`: header, one line per registration, and
/// `N SIP registrations.` (chan_sip writes the plural even for one).
pub fn show_registry(rows: &[RegistryRow]) -> String {
    let mut out = line("Host", "dnsmgr", "Username", "Refresh", "State", "Reg.Time");
    for r in rows {
        let host = format!("{}:{}", r.host, if r.port == 0 { 5060 } else { r.port });
        let mut user = r.user.clone();
        if let Some(d) = r.domain.as_deref().filter(|d| !d.is_empty()) {
            user = format!("{user}@{d}");
        }
        if let Some(p) = r.domain_port.filter(|p| *p != 0) {
            user = format!("{user}:{p}");
        }
        let reg_time = r.reg_time.map(format_reg_time).unwrap_or_default();
        out.push_str(&line(
            &host,
            if r.dnsmgr { "Y" } else { "N" },
            &user,
            &r.refresh.to_string(),
            r.state.as_str(),
            &reg_time,
        ));
    }
    out.push_str(&format!("{} SIP registrations.\n", rows.len()));
    out
}

const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `strftime("%a, %d %b %Y %T")` of a time already shifted to local time (seconds since the
/// epoch plus the UTC offset).
pub fn format_reg_time(local_secs: i64) -> String {
    let days = local_secs.div_euclid(86_400);
    let secs = local_secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let wd = DAYS
        .get(days.rem_euclid(7) as usize)
        .copied()
        .unwrap_or("???");
    let mon = MONTHS
        .get((m as usize).wrapping_sub(1))
        .copied()
        .unwrap_or("???");
    format!(
        "{wd}, {d:02} {mon} {y} {:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Howard Hinnant's days-to-civil: (year, month 1-12, day 1-31).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reg_time_is_strftime_a_d_b_y_t() {
        assert_eq!(format_reg_time(0), "Thu, 01 Jan 1970 00:00:00");
        assert_eq!(format_reg_time(1_700_000_000), "Tue, 14 Nov 2023 22:13:20");
        assert_eq!(format_reg_time(951_782_400), "Tue, 29 Feb 2000 00:00:00");
    }

    #[test]
    fn cut_counts_characters() {
        assert_eq!(cut("abcdef", 3), "abc");
        assert_eq!(cut("ab", 3), "ab");
        assert_eq!(cut("éééé", 2), "éé");
    }
}
