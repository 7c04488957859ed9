//! C's number scanning, as Asterisk's C code reads numbers out of text: `sscanf("%d")` and
//! `atoi`. glibc parses into a `long` (saturating) and stores it into an `int` by truncation;
//! both steps are reproduced.

const C_SPACE: [char; 6] = [' ', '\t', '\n', '\r', '\x0b', '\x0c'];

/// `sscanf(s, "%d", &n)`: leading white space, an optional sign, digits. The value and the
/// text after the digits; `None` when there are no digits.
pub fn scan_int(s: &str) -> Option<(i32, &str)> {
    let t = s.trim_start_matches(C_SPACE);
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let n = body.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return None;
    }
    let mut v: i64 = 0;
    for d in body[..n].bytes() {
        v = v.saturating_mul(10).saturating_add(i64::from(d - b'0'));
    }
    let v = if neg { v.saturating_neg() } else { v };
    Some((v as i32, &body[n..]))
}

/// `atoi(s)`: as [`scan_int`], 0 when there is no number.
pub fn atoi(s: &str) -> i32 {
    scan_int(s).map_or(0, |(v, _)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_like_sscanf_percent_d() {
        assert_eq!(scan_int(" 12x"), Some((12, "x")));
        assert_eq!(scan_int("-3"), Some((-3, "")));
        assert_eq!(scan_int("+7:2"), Some((7, ":2")));
        assert_eq!(scan_int("\t\n42"), Some((42, "")));
        assert_eq!(scan_int("x"), None);
        assert_eq!(scan_int("-"), None);
        assert_eq!(scan_int(""), None);
        assert_eq!(atoi("abc"), 0);
        assert_eq!(atoi("0.5"), 0);
    }

    #[test]
    fn overflow_truncates_like_glibc() {
        assert_eq!(atoi("2147483647"), i32::MAX);
        assert_eq!(atoi("4294967296"), 0, "long 2^32 stored into an int");
        assert_eq!(
            atoi("99999999999999999999999"),
            -1,
            "LONG_MAX truncated to int"
        );
    }
}
