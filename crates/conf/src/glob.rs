//! Shell-style matching of one path component, as glob(3) does it for `#include` patterns:
//! `*`, `?`, `[abc]`, `[a-z]`, `[!x]` / `[^x]`, `\x` for a literal `x`. A wildcard never matches
//! a `/`, and never matches a leading `.` (no GLOB_PERIOD), so `*.conf` skips `.hidden.conf`.
//! `{a,b}` (GLOB_BRACE) is expanded before matching by [`expand_braces`].

/// Whether the pattern needs matching at all (glob's GLOB_NOMAGIC distinction).
pub fn has_magic(pattern: &str) -> bool {
    pattern.contains(['*', '?', '['])
}

/// Remove `\` escapes from a pattern without magic.
pub fn unescape(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
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

/// Match a whole path, component by component.
pub fn match_path(pattern: &str, path: &str) -> bool {
    let p: Vec<&str> = pattern.split('/').collect();
    let n: Vec<&str> = path.split('/').collect();
    p.len() == n.len() && p.iter().zip(n.iter()).all(|(p, n)| match_component(p, n))
}

/// Match one component (no `/` inside either argument).
pub fn match_component(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    if n.first() == Some(&'.') && p.first() != Some(&'.') {
        return false;
    }
    match_from(&p, &n)
}

/// Iterative wildcard matching with one backtrack point (linear in practice, never exponential).
fn match_from(p: &[char], n: &[char]) -> bool {
    let (mut pi, mut ni) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        let step = match p.get(pi) {
            Some('*') => {
                star = Some((pi, ni));
                pi += 1;
                continue;
            }
            Some('?') => Some(1),
            Some('[') => match class(p, pi, n[ni]) {
                Some((true, len)) => Some(len),
                Some((false, _)) => None,
                // An unclosed `[` is a literal.
                None => (n[ni] == '[').then_some(1),
            },
            Some('\\') if pi + 1 < p.len() => (p[pi + 1] == n[ni]).then_some(2),
            Some(c) => (*c == n[ni]).then_some(1),
            None => None,
        };
        match step {
            Some(len) => {
                pi += len;
                ni += 1;
            }
            None => match star {
                Some((sp, sn)) => {
                    pi = sp + 1;
                    ni = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    p[pi.min(p.len())..].iter().all(|c| *c == '*')
}

/// A `[...]` class starting at `p[start]`: (matched, pattern length), or None when unclosed.
fn class(p: &[char], start: usize, c: char) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = matches!(p.get(i), Some('!') | Some('^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let cur = *p.get(i)?;
        if cur == ']' && !first {
            return Some((matched != negate, i + 1 - start));
        }
        first = false;
        if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|e| *e != ']') {
            let end = *p.get(i + 2)?;
            if cur <= c && c <= end {
                matched = true;
            }
            i += 3;
        } else {
            if cur == c {
                matched = true;
            }
            i += 1;
        }
    }
}

/// Largest number of patterns one `{...}` expansion may produce.
const MAX_BRACE_EXPANSION: usize = 256;

/// `a{b,c}d` -> [`abd`, `acd`], left to right, nested braces allowed (GLOB_BRACE). Unbalanced
/// braces are left as written.
pub fn expand_braces(pattern: &str) -> Vec<String> {
    let mut out = Vec::new();
    expand_into(pattern, &mut out, 0);
    out
}

fn expand_into(pattern: &str, out: &mut Vec<String>, depth: usize) {
    if out.len() >= MAX_BRACE_EXPANSION {
        return;
    }
    let Some((open, close, alts)) = first_group(pattern).filter(|_| depth < 16) else {
        out.push(pattern.to_string());
        return;
    };
    let (head, tail) = (&pattern[..open], &pattern[close + 1..]);
    for alt in alts {
        expand_into(&format!("{head}{alt}{tail}"), out, depth + 1);
    }
}

/// The first balanced `{...}` containing a top-level comma: (open, close, alternatives).
fn first_group(pattern: &str) -> Option<(usize, usize, Vec<&str>)> {
    let bytes = pattern.as_bytes();
    let mut search = 0;
    while let Some(rel) = pattern.get(search..)?.find('{') {
        let open = search + rel;
        let mut depth = 0usize;
        let mut parts = Vec::new();
        let mut part_start = open + 1;
        for (i, b) in bytes.iter().enumerate().skip(open) {
            match b {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        parts.push(&pattern[part_start..i]);
                        if parts.len() > 1 {
                            return Some((open, i, parts));
                        }
                        break;
                    }
                }
                b',' if depth == 1 => {
                    parts.push(&pattern[part_start..i]);
                    part_start = i + 1;
                }
                _ => {}
            }
        }
        search = open + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_question_and_classes() {
        assert!(match_component("*.conf", "sip.conf"));
        assert!(!match_component("*.conf", "sip.conf.bak"));
        assert!(match_component("s?p.conf", "sip.conf"));
        assert!(match_component("[a-c]x", "bx"));
        assert!(!match_component("[!a-c]x", "bx"));
        assert!(match_component("[^a-c]x", "dx"));
        assert!(match_component("[]]", "]"));
        assert!(match_component("a\\*", "a*"));
        assert!(!match_component("a\\*", "ab"));
        assert!(match_component("[ab", "[ab"));
        assert!(match_component("*a*b*", "xxaxxbxx"));
    }

    #[test]
    fn wildcard_skips_leading_dot() {
        assert!(!match_component("*", ".hidden"));
        assert!(match_component(".*", ".hidden"));
    }

    #[test]
    fn star_never_crosses_slash() {
        assert!(!match_path("*.conf", "sip.d/a.conf"));
        assert!(match_path("*/a.conf", "sip.d/a.conf"));
    }

    #[test]
    fn braces_expand_in_order() {
        assert_eq!(expand_braces("{b,a}.conf"), vec!["b.conf", "a.conf"]);
        assert_eq!(expand_braces("x{1,{2,3}}"), vec!["x1", "x2", "x3"]);
        assert_eq!(expand_braces("plain{x}.conf"), vec!["plain{x}.conf"]);
        assert_eq!(expand_braces("un{closed"), vec!["un{closed"]);
    }
}
