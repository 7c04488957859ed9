//! How long a provider granted, and when chan_sip re-registers (`handle_response_register`,
//! case 200).

use crate::message::Response;

/// chan_sip `EXPIRY_GUARD_SECS`: re-register this long before the granted expiry.
pub const EXPIRY_GUARD_SECS: u64 = 15;
/// chan_sip `EXPIRY_GUARD_LIMIT`: at or below this many seconds a percentage is used instead.
pub const EXPIRY_GUARD_LIMIT: u32 = 30;
/// chan_sip `EXPIRY_GUARD_MIN`: the smallest guard, in ms, when the percentage is used.
pub const EXPIRY_GUARD_MIN_MS: u64 = 500;

/// The expiry a 2xx to our REGISTER granted, in chan_sip's order: the `expires=` found after
/// our own Contact (`our_contact`, exactly as we sent it, `<...>` included, searched in each
/// Contact line as `strstr` does), else the `Expires` header, else `default_expiry`
/// (`[general]` `defaultexpiry`). A zero, negative or unreadable value counts as absent.
///
/// chan_sip's quirks kept: the search for `expires=` runs to the end of the Contact line that
/// holds our contact, so a later contact's parameter is taken when ours has none; a registrar
/// that rewrites our contact (other host, added parameters inside `<>`) falls back to
/// `Expires`.
pub fn granted_expiry(resp: &Response, our_contact: &str, default_expiry: u32) -> u32 {
    let mut expires = 0i64;
    if !our_contact.is_empty() {
        if let Some(rest) = resp
            .headers
            .get_all("Contact")
            .find_map(|line| line.find(our_contact).map(|i| &line[i..]))
        {
            if let Some(at) = find_ascii_ci(rest, "expires=") {
                expires = leading_int(&rest[at + "expires=".len()..]);
            }
        }
    }
    if expires <= 0 {
        expires = resp.headers.get("Expires").map_or(0, leading_int);
    }
    if expires <= 0 {
        return default_expiry;
    }
    u32::try_from(expires).unwrap_or(u32::MAX)
}

/// Milliseconds from the 2xx to the re-REGISTER: `expires - 15 s`, or for an expiry of 30 s
/// or less, `expires - max(20 %, 500 ms)`. chan_sip shows `refresh_ms / 1000` (truncated) in
/// the Refresh column of `sip show registry`.
pub fn refresh_ms(expires: u32) -> u64 {
    let ms = u64::from(expires) * 1000;
    if expires <= EXPIRY_GUARD_LIMIT {
        ms.saturating_sub((ms / 5).max(EXPIRY_GUARD_MIN_MS))
    } else {
        ms.saturating_sub(EXPIRY_GUARD_SECS * 1000)
    }
}

fn find_ascii_ci(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if n.is_empty() || h.len() < n.len() {
        return None;
    }
    (0..=h.len() - n.len()).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// `atoi`/`sscanf("%d")`: leading blanks, an optional sign, digits; anything else ends it.
/// Saturates instead of overflowing.
pub(crate) fn leading_int(s: &str) -> i64 {
    let s = s.trim_start();
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut n: i64 = 0;
    for b in digits.bytes().take_while(u8::is_ascii_digit) {
        n = n.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    if neg {
        -n
    } else {
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(lines: &[(&str, &str)]) -> Response {
        let mut r = Response::new(200, "OK");
        for (n, v) in lines {
            r.headers.push(*n, *v);
        }
        r
    }

    const ME: &str = "<sip:s@192.0.2.1:5060>";

    #[test]
    fn contact_param_beats_expires_header() {
        let r = ok(&[
            ("Contact", "<sip:s@192.0.2.1:5060>;expires=300"),
            ("Expires", "600"),
        ]);
        assert_eq!(granted_expiry(&r, ME, 120), 300);
    }

    #[test]
    fn other_contacts_params_are_not_ours() {
        let r = ok(&[
            ("Contact", "<sip:x@198.51.100.9>;expires=30"),
            ("Contact", "<sip:s@192.0.2.1:5060>;expires=900"),
        ]);
        assert_eq!(granted_expiry(&r, ME, 120), 900);
    }

    #[test]
    fn rewritten_contact_falls_back_to_expires_then_default() {
        let r = ok(&[
            ("Contact", "<sip:s@203.0.113.5:5060>;expires=300"),
            ("Expires", "600"),
        ]);
        assert_eq!(granted_expiry(&r, ME, 120), 600);
        let r = ok(&[("Contact", "<sip:s@203.0.113.5:5060>;expires=300")]);
        assert_eq!(granted_expiry(&r, ME, 120), 120);
    }

    #[test]
    fn search_runs_past_our_contact_on_its_line() {
        // strcasestr from our contact to the end of the line: the next contact's value wins.
        let r = ok(&[(
            "Contact",
            "<sip:s@192.0.2.1:5060>, <sip:y@198.51.100.2>;EXPIRES=45",
        )]);
        assert_eq!(granted_expiry(&r, ME, 120), 45);
    }

    #[test]
    fn zero_or_garbage_counts_as_absent() {
        let r = ok(&[
            ("Contact", "<sip:s@192.0.2.1:5060>;expires=0"),
            ("Expires", "abc"),
        ]);
        assert_eq!(granted_expiry(&r, ME, 120), 120);
        let r = ok(&[("Expires", " 75 seconds")]);
        assert_eq!(granted_expiry(&r, ME, 120), 75);
    }

    #[test]
    fn refresh_is_fifteen_seconds_early_above_thirty() {
        assert_eq!(refresh_ms(3600), 3_585_000);
        assert_eq!(refresh_ms(120), 105_000);
        assert_eq!(refresh_ms(31), 16_000);
    }

    #[test]
    fn refresh_is_twenty_percent_early_at_thirty_and_below() {
        assert_eq!(refresh_ms(30), 24_000);
        assert_eq!(refresh_ms(10), 8_000);
        // 20 % of 2 s is 400 ms: the 500 ms floor applies
        assert_eq!(refresh_ms(2), 1_500);
        assert_eq!(refresh_ms(1), 500);
    }
}
