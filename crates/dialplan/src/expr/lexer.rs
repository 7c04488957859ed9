//! The tokens of `$[...]`, as main/ast_expr2.fl scans them (flex: longest match wins, the
//! earlier rule wins a tie).
//!
//! - Operators are recognized with or without spaces around them: `1+2`, `a=b`, `x!=y`.
//!   Two-character forms: `||` `&&` `==` (same as `|` `&` `=`), `=~`, `~~`, `>=`, `<=`,
//!   `!=`, `::`.
//! - `"..."` is one string token *with* its quotes (operators see `"abc"`, not `abc`).
//! - `[0-9]+(\.[0-9]+)?` is a number. `.5`, `1.2.3` and `12ab` are strings (a longer word
//!   match wins), as is anything made of `[a-zA-Z0-9.';\\_^#@]`, bytes >= 0x80 and `$`
//!   followed by anything but `{`.
//! - `${...}` left in the text is gathered with what trails it into one string token.
//! - Spaces, tabs, CR and LF separate tokens; any other character (`[`, `]`, `{`, `~`,
//!   a lone `"`) is dropped (flex's default rule echoes it).

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// A value: (text, is_number).
    Token(String, bool),
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Plus,
    Minus,
    Mult,
    Div,
    Mod,
    Cond,
    ColonColon,
    Compl,
    Colon,
    EqTilde,
    TildeTilde,
    Comma,
    LParen,
    RParen,
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b".';\\_^#@".contains(&b) || b >= 0x80
}

/// Length of the word rule match at `i` (`$` followed by a non-`{` byte counts as 2).
fn word_len(s: &[u8], mut i: usize) -> usize {
    let start = i;
    loop {
        match s.get(i) {
            Some(&b) if is_word_byte(b) => i += 1,
            Some(b'$') if s.get(i + 1).is_some_and(|&n| n != b'{') => i += 2,
            _ => break,
        }
    }
    i - start
}

fn number_len(s: &[u8], i: usize) -> usize {
    let int = s[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    if int == 0 {
        return 0;
    }
    if s.get(i + int) == Some(&b'.') {
        let frac = s[i + int + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if frac > 0 {
            return int + 1 + frac;
        }
    }
    int
}

/// Gather `${...}` (starting at the `$`) plus trailing text, as the `var`/`trail` states do.
/// Returns the end index, or `None` when the input ends inside the braces (flex then ends
/// the scan and the partial token is lost).
fn gather_var(s: &[u8], mut i: usize) -> Option<usize> {
    loop {
        // at "${"
        i += 2;
        let mut depth: i32 = 0;
        loop {
            match s.get(i)? {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth < 0 {
                        i += 1;
                        break;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        // trail
        while let Some(&b) = s.get(i) {
            if b"-\t\r \n$():?%/+=*<>!|&".contains(&b) {
                break;
            }
            i += 1;
        }
        if s.get(i) == Some(&b'$') && s.get(i + 1) == Some(&b'{') {
            continue;
        }
        return Some(i);
    }
}

fn text(s: &[u8], a: usize, b: usize) -> String {
    String::from_utf8_lossy(&s[a..b]).into_owned()
}

pub fn tokenize(input: &str) -> Vec<Tok> {
    let s = input.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        let two = s.get(i + 1).copied();
        let op2 = match (b, two) {
            (b'|', Some(b'|')) => Some(Tok::Or),
            (b'&', Some(b'&')) => Some(Tok::And),
            (b'=', Some(b'=')) => Some(Tok::Eq),
            (b'=', Some(b'~')) => Some(Tok::EqTilde),
            (b'~', Some(b'~')) => Some(Tok::TildeTilde),
            (b'>', Some(b'=')) => Some(Tok::Ge),
            (b'<', Some(b'=')) => Some(Tok::Le),
            (b'!', Some(b'=')) => Some(Tok::Ne),
            (b':', Some(b':')) => Some(Tok::ColonColon),
            _ => None,
        };
        if let Some(t) = op2 {
            out.push(t);
            i += 2;
            continue;
        }
        let op1 = match b {
            b'|' => Some(Tok::Or),
            b'&' => Some(Tok::And),
            b'=' => Some(Tok::Eq),
            b'>' => Some(Tok::Gt),
            b'<' => Some(Tok::Lt),
            b'+' => Some(Tok::Plus),
            b',' => Some(Tok::Comma),
            b'-' => Some(Tok::Minus),
            b'*' => Some(Tok::Mult),
            b'/' => Some(Tok::Div),
            b'%' => Some(Tok::Mod),
            b'?' => Some(Tok::Cond),
            b'!' => Some(Tok::Compl),
            b':' => Some(Tok::Colon),
            b'(' => Some(Tok::LParen),
            b')' => Some(Tok::RParen),
            _ => None,
        };
        if let Some(t) = op1 {
            out.push(t);
            i += 1;
            continue;
        }
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'"' => match s[i + 1..].iter().position(|&c| c == b'"') {
                Some(p) => {
                    let end = i + 1 + p + 1;
                    out.push(Tok::Token(text(s, i, end), false));
                    i = end;
                }
                None => i += 1, // a lone quote is dropped
            },
            b'$' if two == Some(b'{') => match gather_var(s, i) {
                Some(end) => {
                    out.push(Tok::Token(text(s, i, end), false));
                    i = end;
                }
                None => break,
            },
            _ => {
                let w = word_len(s, i);
                let n = number_len(s, i);
                if w == 0 && n == 0 {
                    i += 1; // unknown character: dropped
                    continue;
                }
                if n >= w {
                    out.push(Tok::Token(text(s, i, i + n), true));
                    i += n;
                    continue;
                }
                let end = i + w;
                if s.get(end) == Some(&b'$') && s.get(end + 1) == Some(&b'{') {
                    match gather_var(s, end) {
                        Some(e) => {
                            out.push(Tok::Token(text(s, i, e), false));
                            i = e;
                        }
                        None => break,
                    }
                } else {
                    out.push(Tok::Token(text(s, i, end), false));
                    i = end;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str, n: bool) -> Tok {
        Tok::Token(s.to_string(), n)
    }

    #[test]
    fn operators_without_spaces() {
        assert_eq!(tokenize("1+2"), vec![t("1", true), Tok::Plus, t("2", true)]);
        assert_eq!(
            tokenize("a!=b"),
            vec![t("a", false), Tok::Ne, t("b", false)]
        );
        assert_eq!(
            tokenize("a::b"),
            vec![t("a", false), Tok::ColonColon, t("b", false)]
        );
        assert_eq!(
            tokenize("a=~b"),
            vec![t("a", false), Tok::EqTilde, t("b", false)]
        );
        assert_eq!(
            tokenize("a||b&&c==d"),
            vec![
                t("a", false),
                Tok::Or,
                t("b", false),
                Tok::And,
                t("c", false),
                Tok::Eq,
                t("d", false)
            ]
        );
    }

    #[test]
    fn what_counts_as_a_number() {
        assert_eq!(tokenize("12"), vec![t("12", true)]);
        assert_eq!(tokenize("1.5"), vec![t("1.5", true)]);
        assert_eq!(tokenize(".5"), vec![t(".5", false)]);
        assert_eq!(tokenize("1.2.3"), vec![t("1.2.3", false)]);
        assert_eq!(tokenize("12ab"), vec![t("12ab", false)]);
        assert_eq!(
            tokenize("555-1234"),
            vec![t("555", true), Tok::Minus, t("1234", true)]
        );
    }

    #[test]
    fn quoted_strings_keep_their_quotes() {
        assert_eq!(
            tokenize("\"a b\" = x"),
            vec![t("\"a b\"", false), Tok::Eq, t("x", false)]
        );
    }

    #[test]
    fn unknown_characters_are_dropped() {
        assert_eq!(tokenize("[a]"), vec![t("a", false)]);
        assert_eq!(tokenize("~ \"x"), vec![t("x", false)]);
    }

    #[test]
    fn leftover_variable_reference_is_one_token() {
        assert_eq!(
            tokenize("${A}b+1"),
            vec![t("${A}b", false), Tok::Plus, t("1", true)]
        );
        assert_eq!(tokenize("x${A{}}y"), vec![t("x${A{}}y", false)]);
        assert_eq!(tokenize("1 + ${A"), vec![t("1", true), Tok::Plus]);
    }
}
