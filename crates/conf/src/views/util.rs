//! Small C-library look-alikes that the views need to read values as Asterisk does.

use std::net::{IpAddr, SocketAddr};

/// C `atoi`: leading blanks, an optional sign, digits; anything after is ignored; 0 when
/// there are no digits. Saturates instead of overflowing.
pub fn atoi(s: &str) -> i64 {
    leading_int(s).unwrap_or(0)
}

/// `sscanf(s, "%d", &n) == 1`: like [`atoi`] but `None` when no digits follow the blanks/sign.
pub fn leading_int(s: &str) -> Option<i64> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let end = digits.bytes().take_while(u8::is_ascii_digit).count();
    if end == 0 {
        return None;
    }
    let mut n: i64 = 0;
    for b in digits[..end].bytes() {
        n = n.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    Some(if neg { -n } else { n })
}

/// A whole-string non-negative decimal integer (tandem's strict reading of numeric options).
pub fn strict_uint(s: &str) -> Option<u64> {
    let t = s.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) || t.len() > 18 {
        return None;
    }
    t.parse().ok()
}

/// Asterisk's `port_str2int(s, 0)`: `%d` then 1..=65535, else `None`.
pub fn port_str2int(s: &str) -> Option<u16> {
    match leading_int(s) {
        Some(n) if (1..=65535).contains(&n) => u16::try_from(n).ok(),
        _ => None,
    }
}

/// `ast_strip`: leading and trailing blanks (C `isspace`).
pub fn ast_strip(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\x0b')
}

/// `ast_strip_quoted(s, "\"", "\"")`: strip blanks, then one pair of surrounding quotes.
pub fn strip_quoted(s: &str) -> &str {
    let s = ast_strip(s);
    if s.starts_with('"') && s.ends_with('"') {
        if s.len() == 1 {
            return "";
        }
        return &s[1..s.len() - 1];
    }
    s
}

/// `__ast_app_separate_args` with `remove_chars = 0` (what `AST_NONSTANDARD_RAW_ARGS` does):
/// split on `delim` into at most `max` pieces, the last piece taking the rest; a delimiter
/// inside `(...)`, `[...]` or `"..."` or after a backslash does not split. A delimiter at the
/// very end yields one more, empty, piece; an empty string yields none.
pub fn separate_args(buf: &str, delim: u8, max: usize) -> Vec<&str> {
    let b = buf.as_bytes();
    let mut out = Vec::new();
    if max == 0 {
        return out;
    }
    let (mut paren, mut bracket, mut quote) = (0u32, 0u32, false);
    let mut scan = 0usize;
    let mut last_delim: Option<usize> = None;
    while scan < b.len() && out.len() < max - 1 {
        let start = scan;
        let mut end = None;
        while scan < b.len() {
            let c = b[scan];
            if c == b'(' {
                paren += 1;
            } else if c == b')' {
                paren = paren.saturating_sub(1);
            } else if c == b'[' {
                bracket += 1;
            } else if c == b']' {
                bracket = bracket.saturating_sub(1);
            } else if c == b'"' && delim != b'"' {
                quote = !quote;
            } else if c == b'\\' {
                scan += 1;
            } else if c == delim && paren == 0 && !quote && bracket == 0 {
                end = Some(scan);
                last_delim = Some(scan);
                scan += 1;
                break;
            }
            scan += 1;
        }
        let scan_c = scan.min(b.len());
        out.push(&buf[start..end.unwrap_or(scan_c)]);
        scan = scan_c;
    }
    if scan < b.len() || (scan > 0 && last_delim == Some(scan - 1)) {
        out.push(&buf[scan..]);
    }
    out
}

/// An address with an optional port, as `ast_sockaddr_parse(.., 0)` reads numeric hosts:
/// `1.2.3.4`, `1.2.3.4:5060`, `::1`, `[::1]`, `[::1]:5060`. No host names (that would need DNS).
pub fn parse_addr_port(s: &str) -> Option<(IpAddr, Option<u16>)> {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix('[') {
        let close = rest.find(']')?;
        let ip: IpAddr = rest[..close].parse().ok()?;
        let after = &rest[close + 1..];
        if after.is_empty() {
            return Some((ip, None));
        }
        let port = after.strip_prefix(':')?;
        return Some((ip, Some(strict_port(port)?)));
    }
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some((ip, None));
    }
    if let Ok(sa) = s.parse::<SocketAddr>() {
        return Some((sa.ip(), Some(sa.port())));
    }
    let (host, port) = s.rsplit_once(':')?;
    if host.contains(':') {
        return None;
    }
    let ip: IpAddr = host.parse().ok()?;
    Some((ip, Some(strict_port(port)?)))
}

/// `0..=65535` written as plain digits (0 is allowed: "no port", as Asterisk treats it).
fn strict_port(s: &str) -> Option<u16> {
    let n = strict_uint(s)?;
    u16::try_from(n).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separate_args_keeps_rest_in_last_piece() {
        assert_eq!(separate_args("a:b:c:d", b':', 3), vec!["a", "b", "c:d"]);
        assert_eq!(separate_args("a", b':', 3), vec!["a"]);
        assert_eq!(separate_args("a:", b':', 3), vec!["a", ""]);
        assert_eq!(separate_args("", b':', 3), Vec::<&str>::new());
        assert_eq!(separate_args("[::1]:5060", b':', 2), vec!["[::1]", "5060"]);
        assert_eq!(separate_args("tcp://x", b'/', 3), vec!["tcp:", "", "x"]);
        assert_eq!(separate_args("a\\:b:c", b':', 2), vec!["a\\:b", "c"]);
        assert_eq!(separate_args("\"a:b\":c", b':', 2), vec!["\"a:b\"", "c"]);
        assert_eq!(separate_args("x\\", b':', 2), vec!["x\\"]);
    }

    #[test]
    fn c_integers() {
        assert_eq!(atoi(" 42abc"), 42);
        assert_eq!(atoi("abc"), 0);
        assert_eq!(atoi("-7"), -7);
        assert_eq!(leading_int("x"), None);
        assert_eq!(port_str2int("5060"), Some(5060));
        assert_eq!(port_str2int("0"), None);
        assert_eq!(port_str2int("70000"), None);
    }

    #[test]
    fn addresses_with_and_without_port() {
        let v4: IpAddr = "1.2.3.4".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        assert_eq!(parse_addr_port("1.2.3.4"), Some((v4, None)));
        assert_eq!(parse_addr_port("1.2.3.4:5070"), Some((v4, Some(5070))));
        assert!(matches!(parse_addr_port("::"), Some((IpAddr::V6(_), None))));
        assert!(matches!(
            parse_addr_port("[::1]:5060"),
            Some((IpAddr::V6(_), Some(5060)))
        ));
        assert_eq!(parse_addr_port("example.com"), None);
        assert_eq!(parse_addr_port("1.2.3.4:x"), None);
    }

    #[test]
    fn quotes_are_stripped_once() {
        assert_eq!(strip_quoted(" \"abc\" "), "abc");
        assert_eq!(strip_quoted("\"abc"), "\"abc");
        assert_eq!(strip_quoted("\""), "");
    }
}
