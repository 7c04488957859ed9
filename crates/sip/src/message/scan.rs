//! Character classes and a tiny byte scanner shared by the header parsers (RFC 3261 sec. 25).
//!
//! Every slice goes through `str::get`, so no input can make a parser panic.

/// `token` characters (RFC 3261 sec. 25.1).
pub(crate) fn is_token(b: u8) -> bool {
    TOKEN[usize::from(b)]
}

/// [`is_token`] as a table (it runs for every byte of every header name parsed).
static TOKEN: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'-' | b'.' | b'!' | b'%' | b'*' | b'_' | b'+' | b'`' | b'\'' | b'~'
            );
        b += 1;
    }
    t
};

/// `str::trim`, quicker on ASCII: strips the ASCII whitespace `trim` strips, and leaves the
/// rest to `trim` only when a non-ASCII character is at either end.
pub(crate) fn trim(s: &str) -> &str {
    let t = s.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r'));
    match (t.as_bytes().first(), t.as_bytes().last()) {
        (Some(f), Some(l)) if !f.is_ascii() || !l.is_ascii() => s.trim(),
        _ => t,
    }
}

/// Linear whitespace inside an (already unfolded) header value.
pub(crate) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Writes `n` in decimal, without the formatting machinery (ports, IPv4 octets and
/// Content-Length when serializing).
pub(crate) fn write_decimal(f: &mut impl std::fmt::Write, n: u64) -> std::fmt::Result {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        if let Some(d) = buf.get_mut(i) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    f.write_str(std::str::from_utf8(buf.get(i..).unwrap_or(&[])).unwrap_or(""))
}

/// Where the ASCII byte `b` first occurs in `s` (`str::find` with a char pattern sets up a
/// searcher per call, too slow for the short pieces of a header).
pub(crate) fn find_byte(s: &str, b: u8) -> Option<usize> {
    s.bytes().position(|c| c == b)
}

/// `s.split_once(b)` for an ASCII byte.
pub(crate) fn split_once_byte(s: &str, b: u8) -> Option<(&str, &str)> {
    let i = find_byte(s, b)?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// `s.rsplit_once(b)` for an ASCII byte.
pub(crate) fn rsplit_once_byte(s: &str, b: u8) -> Option<(&str, &str)> {
    let i = s.bytes().rposition(|c| c == b)?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// A cursor over a header value.
pub(crate) struct Scanner<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(s: &'a str) -> Self {
        Scanner { s, pos: 0 }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn rest(&self) -> &'a str {
        self.s.get(self.pos..).unwrap_or("")
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.pos).copied()
    }

    pub(crate) fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    pub(crate) fn skip_ws(&mut self) {
        while self.peek().is_some_and(is_ws) {
            self.pos += 1;
        }
    }

    /// Consumes ASCII bytes while `f` holds (`f` must be false for non-ASCII bytes, so the
    /// cursor always stays on a character boundary).
    pub(crate) fn take_while(&mut self, f: impl Fn(u8) -> bool) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii() && f(b)) {
            self.pos += 1;
        }
        self.s.get(start..self.pos).unwrap_or("")
    }

    /// Consumes everything up to (not including) the first byte in `stops`.
    pub(crate) fn take_until(&mut self, stops: &[u8]) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(|b| !stops.contains(&b)) {
            self.pos += 1;
        }
        self.s.get(start..self.pos).unwrap_or("")
    }

    pub(crate) fn token(&mut self) -> Option<&'a str> {
        let t = self.take_while(is_token);
        (!t.is_empty()).then_some(t)
    }

    /// A quoted-string at the cursor, returned raw (with its quotes).
    pub(crate) fn quoted_raw(&mut self) -> Option<&'a str> {
        let start = self.pos;
        if !self.eat(b'"') {
            return None;
        }
        loop {
            match self.peek() {
                None => {
                    self.pos = start;
                    return None;
                }
                Some(b'\\') => self.pos += 2,
                Some(b'"') => {
                    self.pos += 1;
                    break;
                }
                Some(_) => self.pos += 1,
            }
        }
        if self.pos > self.s.len() {
            self.pos = start;
            return None;
        }
        self.s.get(start..self.pos)
    }
}

/// The content of a quoted-string given with its quotes, with quoted-pairs resolved.
pub(crate) fn unquote(raw: &str) -> String {
    let inner = raw
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(raw);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `s` as a quoted-string (quotes and backslashes escaped).
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Splits a comma-joined header value into its elements, respecting quoted strings and `<...>`.
/// Elements are trimmed; empty ones are kept (callers decide whether that is an error).
pub(crate) fn split_commas(value: &str) -> CommaSplit<'_> {
    CommaSplit {
        value,
        start: 0,
        done: false,
    }
}

/// The elements of a comma-joined value (see [`split_commas`]), without collecting them.
pub(crate) struct CommaSplit<'a> {
    value: &'a str,
    start: usize,
    done: bool,
}

impl<'a> Iterator for CommaSplit<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        if self.done {
            return None;
        }
        let bytes = self.value.as_bytes();
        let (mut in_quote, mut in_angle) = (false, false);
        let mut i = self.start;
        while i < bytes.len() {
            match bytes.get(i).copied().unwrap_or(0) {
                b'\\' if in_quote => i += 1,
                b'"' => in_quote = !in_quote,
                b'<' if !in_quote => in_angle = true,
                b'>' if !in_quote => in_angle = false,
                b',' if !in_quote && !in_angle => {
                    let element = self.value.get(self.start..i).unwrap_or("").trim();
                    self.start = i + 1;
                    return Some(element);
                }
                _ => {}
            }
            i += 1;
        }
        self.done = true;
        Some(self.value.get(self.start..).unwrap_or("").trim())
    }
}

/// Decodes `%HH` escapes; a `%` not followed by two hex digits is kept as is.
pub fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b.get(i).copied().unwrap_or(0);
        if c == b'%' {
            let hi = b.get(i + 1).and_then(|h| (*h as char).to_digit(16));
            let lo = b.get(i + 2).and_then(|h| (*h as char).to_digit(16));
            if let (Some(hi), Some(lo)) = (hi, lo) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// True when every `%` in `s` starts a valid `%HH` escape.
pub(crate) fn escapes_valid(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().all(|(i, c)| {
        *c != b'%'
            || (b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commas_inside_quotes_and_angles_do_not_split() {
        let v = r#""a, b" <sip:x@y;p=1,2>, <sip:z@w> , c"#;
        assert_eq!(
            split_commas(v).collect::<Vec<_>>(),
            vec![r#""a, b" <sip:x@y;p=1,2>"#, "<sip:z@w>", "c"]
        );
    }

    #[test]
    fn quoted_string_with_escaped_quote() {
        let mut s = Scanner::new(r#""J Rosenberg \\\"" <x>"#);
        let raw = s.quoted_raw().unwrap();
        assert_eq!(raw, r#""J Rosenberg \\\"""#);
        assert_eq!(unquote(raw), r#"J Rosenberg \""#);
        assert_eq!(quote(&unquote(raw)), raw);
    }

    #[test]
    fn unterminated_quote_is_none() {
        assert!(Scanner::new("\"abc").quoted_raw().is_none());
        assert!(Scanner::new("\"abc\\").quoted_raw().is_none());
    }

    #[test]
    fn token_table_and_quick_trim_agree_with_their_definitions() {
        for b in 0..=255u8 {
            let expected = b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b);
            assert_eq!(is_token(b), expected, "{b}");
        }
        for s in [
            "",
            " ",
            " a ",
            "\t\x0b\x0ca\r\n",
            "\u{a0}a\u{a0}",
            " \u{2003}x ",
            "a\u{85}",
            "\u{e9}",
            " \u{e9} ",
            "\u{1c}a\u{1f}",
            "a b",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn decimals_as_format_writes_them() {
        for n in [0, 7, 10, 99, 100, 65535, 298, u64::from(u32::MAX), u64::MAX] {
            let mut s = String::new();
            write_decimal(&mut s, n).unwrap();
            assert_eq!(s, n.to_string());
        }
    }

    #[test]
    fn byte_splits_agree_with_str_splits() {
        for s in ["", ":", "a:b:c", "no", "\u{e9}:\u{e9}", "::"] {
            assert_eq!(split_once_byte(s, b':'), s.split_once(':'), "{s}");
            assert_eq!(rsplit_once_byte(s, b':'), s.rsplit_once(':'), "{s}");
            assert_eq!(find_byte(s, b':'), s.find(':'), "{s}");
        }
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("%75se%72"), b"user");
        assert_eq!(percent_decode("null-%00-null"), b"null-\0-null");
        assert_eq!(percent_decode("%Z%45"), b"%ZE");
        assert!(!escapes_valid("a%4"));
        assert!(escapes_valid("a%4F"));
    }
}
