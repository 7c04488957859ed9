//! POSIX extended regular expressions (`regcomp(..., REG_EXTENDED)`, as glibc reads them)
//! translated to the `regex` crate's syntax.
//!
//! Differences handled:
//! - `.` matches a newline too (no `REG_NEWLINE`): we compile with `(?s)`.
//! - Inside a bracket expression a backslash is an ordinary character, `]` first is literal,
//!   and `&&`, `--`, `~~`, `[` mean nothing special: every member is escaped for `regex`.
//! - Outside brackets, GNU escapes `\w \W \s \S \b \B \< \>` keep their meaning, `` \` `` and
//!   `\'` are the string ends, and any other escaped character is that character (`\d` is
//!   `d` in glibc ERE, not a digit).
//!
//! Not reproduced: POSIX leftmost-*longest* matching. `regex` is leftmost-first; the two
//! agree except for alternations whose earlier branch is a prefix of a later one (`a|ab`).

use regex::Regex;

/// Compiled patterns kept per thread: dialplans use a handful of regexes again and again.
const CACHE_SIZE: usize = 64;

thread_local! {
    static CACHE: std::cell::RefCell<Vec<(String, Regex)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Compile a POSIX ERE; the error text is for the log. Recently used patterns come from a
/// small per-thread cache (a compiled `Regex` is cheap to clone).
pub fn compile(pattern: &str) -> Result<Regex, String> {
    let hit = CACHE.with(|c| {
        c.borrow()
            .iter()
            .find(|(p, _)| p == pattern)
            .map(|(_, re)| re.clone())
    });
    if let Some(re) = hit {
        return Ok(re);
    }
    let translated = translate(pattern)?;
    let re = Regex::new(&format!("(?s){translated}")).map_err(|e| e.to_string())?;
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= CACHE_SIZE {
            c.remove(0);
        }
        c.push((pattern.to_string(), re.clone()));
    });
    Ok(re)
}

/// Number of capturing groups (`re_nsub`).
pub fn groups(re: &Regex) -> usize {
    re.captures_len().saturating_sub(1)
}

fn push_escaped(out: &mut String, c: char) {
    if c.is_ascii_punctuation() || c == ' ' {
        out.push('\\');
        out.push(c);
    } else {
        out.push(c);
    }
}

fn translate(p: &str) -> Result<String, String> {
    let chars: Vec<char> = p.chars().collect();
    let mut out = String::with_capacity(p.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let Some(&n) = chars.get(i + 1) else {
                    return Err("trailing backslash".to_string());
                };
                match n {
                    'w' | 'W' | 's' | 'S' | 'b' | 'B' => {
                        out.push('\\');
                        out.push(n);
                    }
                    '<' => out.push_str(r"\b{start}"),
                    '>' => out.push_str(r"\b{end}"),
                    '`' => out.push_str(r"\A"),
                    '\'' => out.push_str(r"\z"),
                    _ => push_escaped(&mut out, n),
                }
                i += 2;
            }
            '[' => {
                i = bracket(&chars, i + 1, &mut out)?;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// Translate a bracket expression starting after `[`; returns the index after its `]`.
fn bracket(chars: &[char], mut i: usize, out: &mut String) -> Result<usize, String> {
    out.push('[');
    if chars.get(i) == Some(&'^') {
        out.push('^');
        i += 1;
    }
    let mut first = true;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err("unmatched [ or [^".to_string());
        };
        if c == ']' && !first {
            out.push(']');
            return Ok(i + 1);
        }
        first = false;
        if c == '[' {
            if let Some(&kind @ (':' | '=' | '.')) = chars.get(i + 1) {
                // [:class:], [=x=], [.x.]
                let start = i + 2;
                let mut j = start;
                while j + 1 < chars.len() && !(chars[j] == kind && chars[j + 1] == ']') {
                    j += 1;
                }
                if j + 1 >= chars.len() {
                    return Err("unterminated character class".to_string());
                }
                let name: String = chars[start..j].iter().collect();
                if kind == ':' {
                    out.push_str(&format!("[:{name}:]"));
                } else {
                    for ch in name.chars() {
                        push_escaped(out, ch);
                    }
                }
                i = j + 2;
                continue;
            }
        }
        // A range a-z (a '-' last or first is literal).
        if chars.get(i + 1) == Some(&'-') && chars.get(i + 2).is_some_and(|&e| e != ']') {
            let end = chars[i + 2];
            if end < c {
                return Err("invalid range end".to_string());
            }
            push_escaped(out, c);
            out.push('-');
            push_escaped(out, end);
            i += 3;
            continue;
        }
        push_escaped(out, c);
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        compile(p).map(|r| r.is_match(s)).unwrap_or(false)
    }

    #[test]
    fn backslash_in_brackets_is_literal() {
        assert!(m(r"[\d]", "\\"));
        assert!(m(r"[\d]", "d"));
        assert!(!m(r"[\d]", "5"));
    }

    #[test]
    fn posix_classes_and_leading_bracket() {
        assert!(m("^[[:digit:]]+$", "123"));
        assert!(m("[]a]", "]"));
        assert!(m("[^]a]", "b"));
        assert!(m("[a&&b]", "&"));
    }

    #[test]
    fn dot_matches_newline_and_unknown_escapes_are_literal() {
        assert!(m("a.b", "a\nb"));
        assert!(m(r"^\d$", "d"));
        assert!(m(r"\w+", "abc"));
    }

    #[test]
    fn errors_are_reported() {
        assert!(compile("[abc").is_err());
        assert!(compile("(ab").is_err());
    }
}
