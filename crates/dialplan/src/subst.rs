//! `${...}` and `$[...]` substitution, as `pbx_substitute_variables_helper_full_location`
//! (main/pbx_variables.c) does it.
//!
//! - Text is copied until a `$` followed by `{` or `[`; any other `$` is copied.
//! - `${`: the end is found by counting `{`/`}` (a `$[` inside only marks that the name
//!   needs substituting). With no closing `}`, the name runs to the end of the text (and is
//!   still looked up: `${FOO` gives FOO's value).
//! - The name is substituted first when it contains `${` or `$[` (`${VAR${N}}`,
//!   `${${X}}`, `${LEN(${X})}`), then `parse_variable_name` splits off `:offset:length` at
//!   the first `:` outside parentheses. A `(` makes it a function call `NAME(args)`.
//! - A variable's or function's value is taken as is (never substituted again), cut to
//!   4095 bytes (`VAR_BUF_SIZE`), then [`substring`] applies. Unknown variables give nothing.
//! - `$[`: the end is found by counting `[`/`]`; the contents are substituted (when they
//!   contain `${`/`$[`) and evaluated by [`crate::expr::evaluate`]; a syntax error gives `0`.
//!
//! Bounds: the result of [`substitute`] is cut at 8191 bytes (Asterisk's `EXT_DATA_SIZE - 1`
//! for application data), nested names at 4095, and nesting is limited to [`MAX_DEPTH`].

use crate::cscan::scan_int;
use crate::env::Env;

/// Application data after substitution (Asterisk: `EXT_DATA_SIZE` = 8192, minus the NUL).
pub const MAX_OUTPUT: usize = 8191;
/// A variable name or expression substituted on its own (`VAR_BUF_SIZE` = 4096, minus one).
pub const MAX_VALUE: usize = 4095;
/// Nesting bound: `${${${...}}}` deeper than this substitutes to nothing.
pub const MAX_DEPTH: usize = 32;

/// Substitute `${...}` and `$[...]` in application data.
pub fn substitute(input: &str, env: &mut dyn Env) -> String {
    substitute_limited(input, env, MAX_OUTPUT)
}

/// Substitute with an explicit output bound in bytes.
pub fn substitute_limited(input: &str, env: &mut dyn Env, max: usize) -> String {
    let mut out = String::new();
    helper(input, env, max, 0, &mut out);
    out
}

/// Append `s` to `out`, never past `max` bytes (cut at a character boundary).
fn push_bounded(out: &mut String, s: &str, max: usize) {
    let room = max.saturating_sub(out.len());
    out.push_str(truncate(s, room));
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut cut = max;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    &s[..cut]
}

/// Find the end of a `${` (open `{`, close `}`, the other opener `$[`) or a `$[` construct.
/// `start` is the index after the opener. Returns (content end, resume index, needs_sub).
fn scan(b: &[u8], start: usize, open: u8, close: u8, other: u8) -> (usize, usize, bool, bool) {
    let mut depth = 1;
    let mut needsub = false;
    let mut i = start;
    while depth > 0 && i < b.len() {
        let c = b[i];
        if c == b'$' && b.get(i + 1) == Some(&open) {
            needsub = true;
            depth += 1;
            i += 1;
        } else if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
        } else if c == b'$' && b.get(i + 1) == Some(&other) {
            needsub = true;
            i += 1;
        }
        i += 1;
    }
    let i = i.min(b.len());
    if depth > 0 {
        (i, i, needsub, false)
    } else {
        (i - 1, i, needsub, true)
    }
}

fn helper(input: &str, env: &mut dyn Env, max: usize, depth: usize, out: &mut String) {
    if depth > MAX_DEPTH {
        env.warn("variable substitution nested too deeply");
        return;
    }
    let b = input.as_bytes();
    let mut i = 0;
    while i < b.len() && out.len() < max {
        let Some(p) = input[i..].find('$').map(|p| p + i) else {
            push_bounded(out, &input[i..], max);
            return;
        };
        let kind = b.get(p + 1).copied();
        let copy_to = if matches!(kind, Some(b'{') | Some(b'[')) {
            p
        } else {
            p + 1
        };
        push_bounded(out, &input[i..copy_to], max);
        i = copy_to;
        match kind {
            Some(b'{') => {
                let (end, resume, needsub, closed) = scan(b, p + 2, b'{', b'}', b'[');
                if !closed {
                    env.warn("Error in extension logic (missing '}')");
                }
                let raw = truncate(&input[p + 2..end], MAX_VALUE);
                i = resume;
                let name = if needsub {
                    let mut sub = String::new();
                    helper(raw, env, MAX_VALUE, depth + 1, &mut sub);
                    sub
                } else {
                    raw.to_string()
                };
                if let Some(v) = lookup(&name, env) {
                    push_bounded(out, &v, max);
                }
            }
            Some(b'[') => {
                let (end, resume, needsub, closed) = scan(b, p + 2, b'[', b']', b'{');
                if !closed {
                    env.warn("Error in extension logic (missing ']')");
                }
                let raw = truncate(&input[p + 2..end], MAX_VALUE);
                i = resume;
                let text = if needsub {
                    let mut sub = String::new();
                    helper(raw, env, MAX_VALUE, depth + 1, &mut sub);
                    sub
                } else {
                    raw.to_string()
                };
                let result = match crate::expr::evaluate(&text, env) {
                    Ok(v) => v,
                    Err(e) => {
                        env.warn(&format!("ast_yyerror(): {e}; Input:\n{text}"));
                        "0".to_string()
                    }
                };
                push_bounded(out, &result, max);
            }
            _ => {}
        }
    }
}

/// `parse_variable_name`: split `NAME:offset:length` at the first `:` outside parentheses.
/// Returns (name, offset, length, is_function).
pub fn parse_variable_name(var: &str) -> (&str, i32, i32, bool) {
    let mut parens: i32 = 0;
    let mut isfunc = false;
    for (i, c) in var.char_indices() {
        match c {
            '(' => {
                isfunc = true;
                parens += 1;
            }
            ')' => parens -= 1,
            ':' if parens == 0 => {
                let (offset, length) = scan_offset_length(&var[i + 1..]);
                return (&var[..i], offset, length, isfunc);
            }
            _ => {}
        }
    }
    (var, 0, i32::MAX, isfunc)
}

/// `sscanf(s, "%30d:%30d", &offset, &length)` with defaults 0 and INT_MAX.
fn scan_offset_length(s: &str) -> (i32, i32) {
    let Some((offset, rest)) = scan_int(s) else {
        return (0, i32::MAX);
    };
    match rest.strip_prefix(':').and_then(scan_int) {
        Some((length, _)) => (offset, length),
        None => (offset, i32::MAX),
    }
}

/// `ast_str_substring`: a negative offset counts from the end (clamped to the start), an
/// offset past the end gives nothing, a negative length leaves that many bytes off the end.
/// Offsets count bytes, as in Asterisk; a cut inside a UTF-8 character drops that character.
pub fn substring(value: &str, offset: i32, length: i32) -> String {
    let b = value.as_bytes();
    let lr = b.len() as i64;
    let mut offset = i64::from(offset);
    let length = i64::from(length);
    if offset == 0 && length >= lr {
        return value.to_string();
    }
    if offset < 0 {
        offset = (lr + offset).max(0);
    }
    if offset >= lr {
        return String::new();
    }
    let rest = lr - offset;
    let keep = if length >= 0 {
        length.min(rest)
    } else if rest > -length {
        rest + length
    } else {
        0
    };
    let start = offset as usize;
    String::from_utf8_lossy(&b[start..start + keep as usize]).replace('\u{FFFD}', "")
}

/// The value of `${name}` (with its `:offset:length`), or `None` when there is none.
fn lookup(var: &str, env: &mut dyn Env) -> Option<String> {
    let (name, offset, length, isfunc) = parse_variable_name(var);
    let value = if isfunc {
        let (fname, args) = func_args(name);
        if !crate::functions::is_known(fname) {
            env.warn(&format!("Function {fname} not registered"));
            return None;
        }
        match crate::functions::read(fname, args, env) {
            Ok(v) => v,
            Err(e) => {
                env.warn(&format!("{fname}: {e}"));
                return None;
            }
        }
    } else {
        env.get_var(name)?
    };
    Some(substring(truncate(&value, MAX_VALUE), offset, length))
}

/// `func_args`: the name is what precedes the first `(`, the arguments run to the last `)`.
pub fn func_args(function: &str) -> (&str, &str) {
    match function.split_once('(') {
        Some((name, rest)) => match rest.rfind(')') {
            Some(close) => (name, &rest[..close]),
            None => (name, rest),
        },
        None => (function, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::testenv::TestEnv;

    fn env() -> TestEnv {
        TestEnv::new()
            .with_var("FOO", "hello")
            .with_var("N", "2")
            .with_var("VAR2", "second")
            .with_var("NAME", "FOO")
            .with_var("NUM", "5551234")
    }

    fn s(input: &str) -> String {
        substitute(input, &mut env())
    }

    #[test]
    fn plain_variables_and_unknowns() {
        assert_eq!(s("a ${FOO} b"), "a hello b");
        assert_eq!(s("${NOPE}x"), "x");
        assert_eq!(s("cost $5 and $"), "cost $5 and $");
    }

    #[test]
    fn substring_offsets_and_lengths() {
        assert_eq!(s("${NUM:3}"), "1234");
        assert_eq!(s("${NUM:0:3}"), "555");
        assert_eq!(s("${NUM:-4}"), "1234");
        assert_eq!(s("${NUM:-4:2}"), "12");
        assert_eq!(s("${NUM:1:-2}"), "5512");
        assert_eq!(s("${NUM:0:0}"), "");
    }

    #[test]
    fn substring_edge_cases() {
        // offset past the end: nothing
        assert_eq!(substring("abc", 3, i32::MAX), "");
        assert_eq!(substring("abc", 10, 2), "");
        // negative offset beyond the start: from the start
        assert_eq!(substring("abc", -10, i32::MAX), "abc");
        assert_eq!(substring("abc", -10, 2), "ab");
        // negative length removing everything
        assert_eq!(substring("abc", 0, -3), "");
        assert_eq!(substring("abc", 1, -5), "");
        assert_eq!(substring("abcdef", -3, -1), "de");
        // a length longer than the rest
        assert_eq!(substring("abc", 1, 99), "bc");
    }

    #[test]
    fn offset_that_is_not_a_number_is_zero() {
        assert_eq!(s("${NUM:x}"), "5551234");
        assert_eq!(s("${NUM:2:y}"), "51234");
        assert_eq!(s("${NUM: 2}"), "51234");
    }

    #[test]
    fn nested_references() {
        assert_eq!(s("${${NAME}}"), "hello");
        assert_eq!(s("${VAR${N}}"), "second");
        assert_eq!(s("${NUM:${N}:2}"), "51");
    }

    #[test]
    fn functions_get_substituted_arguments() {
        assert_eq!(s("${LEN(${FOO})}"), "5");
        assert_eq!(s("${TOUPPER(${FOO}):1:2}"), "EL");
        assert_eq!(s("${len(abc)}"), "3");
    }

    #[test]
    fn unknown_function_is_empty_with_a_warning() {
        let mut e = env();
        assert_eq!(substitute("[${NOSUCH(x)}]", &mut e), "[]");
        assert!(e.warnings.iter().any(|w| w.contains("NOSUCH")));
    }

    #[test]
    fn expressions_and_nesting_both_ways() {
        assert_eq!(s("$[1+2]"), "3");
        assert_eq!(s("$[${N} * 3]"), "6");
        assert_eq!(s("${NUM:$[1+1]:2}"), "51");
        assert_eq!(s("$[$[1+1]*3]"), "6");
        assert_eq!(s("$[ [1] ]"), "1");
    }

    #[test]
    fn expression_syntax_error_is_zero_with_warning() {
        let mut e = env();
        assert_eq!(substitute("x$[1 +]y", &mut e), "x0y");
        assert!(!e.warnings.is_empty());
        assert_eq!(s("$[]"), "");
    }

    #[test]
    fn unterminated_constructs_run_to_the_end() {
        assert_eq!(s("a${FOO"), "ahello");
        assert_eq!(s("a$[1+2"), "a3");
        assert_eq!(s("a${FOO:1"), "aello");
    }

    #[test]
    fn values_are_not_substituted_again() {
        let mut e = env().with_var("RAW", "${FOO}");
        assert_eq!(substitute("${RAW}", &mut e), "${FOO}");
    }

    #[test]
    fn output_and_depth_are_bounded() {
        let mut e = TestEnv::new().with_var("BIG", &"x".repeat(5000));
        assert_eq!(substitute("${BIG}", &mut e).len(), MAX_VALUE);
        assert_eq!(substitute("${BIG}${BIG}${BIG}", &mut e).len(), MAX_OUTPUT);
        let deep = "${".repeat(100) + &"}".repeat(100);
        let _ = substitute(&deep, &mut e);
    }

    #[test]
    fn parse_variable_name_ignores_colons_in_parens() {
        assert_eq!(parse_variable_name("F(a:b):1:2"), ("F(a:b)", 1, 2, true));
        assert_eq!(parse_variable_name("V"), ("V", 0, i32::MAX, false));
        assert_eq!(parse_variable_name("V:-3"), ("V", -3, i32::MAX, false));
    }
}
