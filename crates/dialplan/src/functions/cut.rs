//! `CUT(varname,delimiter,fields)` (func_cut.c).
//!
//! The variable is read as `${varname}` (so `VAR:2` works). The delimiter is one character
//! (`\n`, `\t`, `\xHH` and `\,` decoded; empty means `-`). Fields are 1-based, separated by
//! `&`: `2`, `1-3`, `2-` (to the end), `-2` (from the start). Output fields are joined with
//! the delimiter. Asking for a field before one already passed gets nothing more (Asterisk
//! warns "already past the field"). A field spec that is not a number is an error.

use super::{var_value, FuncError};
use crate::args::{encoded_char, split_limit};
use crate::env::Env;

/// `sscanf("%d")` widened for the range arithmetic.
fn scan_int(s: &str) -> Option<(i64, &str)> {
    crate::cscan::scan_int(s).map(|(v, rest)| (i64::from(v), rest))
}

/// The four `sscanf` forms of func_cut.c, tried in order.
fn parse_range(spec: &str) -> Option<(i64, i64)> {
    if let Some((a, rest)) = scan_int(spec) {
        if let Some((b, _)) = rest.strip_prefix('-').and_then(scan_int) {
            return Some((a, b));
        }
    }
    if let Some((b, _)) = spec.strip_prefix('-').and_then(scan_int) {
        return Some((1, b));
    }
    let (a, rest) = scan_int(spec)?;
    if rest.starts_with('-') {
        return Some((a, i64::MAX));
    }
    Some((a, a))
}

pub(super) fn read(args: &str, env: &mut dyn Env) -> Result<String, FuncError> {
    let parts = split_limit(args, ',', 3);
    if parts.len() < 3 {
        env.warn("Syntax: CUT(<varname>,<char-delim>,<range-spec>) - missing argument!");
        return Err(FuncError::Failed("CUT: missing argument".into()));
    }
    let value = var_value(&parts[0], env);
    let delim = encoded_char(&parts[1]).unwrap_or('-');
    let mut out = String::new();
    if value.is_empty() {
        return Ok(out);
    }
    let fields: Vec<&str> = value.split(delim).collect();
    let mut cur: i64 = 1; // the field number curfieldptr points at
    let mut emitted = 0;
    for spec in parts[2].split('&') {
        if cur as usize > fields.len() {
            break;
        }
        let Some((start, stop)) = parse_range(spec) else {
            env.warn("Usage: CUT(<varname>,<char-delim>,<range-spec>)");
            return Err(FuncError::Failed("CUT: invalid range spec".into()));
        };
        while (cur as usize) <= fields.len() && cur < start {
            cur += 1;
        }
        if cur > start {
            env.warn("We're already past the field you wanted?");
        }
        while (cur as usize) <= fields.len() && cur <= stop {
            if emitted > 0 {
                out.push(delim);
            }
            emitted += 1;
            out.push_str(fields[(cur - 1) as usize]);
            cur += 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::testenv::TestEnv;

    fn cut(value: &str, args: &str) -> Result<String, FuncError> {
        let mut env = TestEnv::new().with_var("V", value);
        read(&format!("V,{args}"), &mut env)
    }

    #[test]
    fn single_fields_and_ranges() {
        assert_eq!(cut("a-b-c-d", "-,2").unwrap(), "b");
        assert_eq!(cut("a-b-c-d", "-,1-3").unwrap(), "a-b-c");
        assert_eq!(cut("a-b-c-d", "-,2-").unwrap(), "b-c-d");
        assert_eq!(cut("a-b-c-d", "-,-2").unwrap(), "a-b");
        assert_eq!(cut("a-b-c-d", "-,1&3").unwrap(), "a-c");
        assert_eq!(cut("a-b-c-d", "-,9").unwrap(), "");
    }

    #[test]
    fn delimiter_defaults_and_escapes() {
        assert_eq!(cut("a-b", ",1").unwrap(), "a");
        assert_eq!(cut("a,b,c", "\\,,2").unwrap(), "b");
        assert_eq!(cut("x y z", " ,3").unwrap(), "z");
    }

    #[test]
    fn fields_cannot_be_reordered() {
        assert_eq!(cut("a-b-c", "-,3&1").unwrap(), "c");
    }

    #[test]
    fn errors_and_empty_values() {
        assert!(cut("a-b", "-,x").is_err());
        assert!(read("V,-", &mut TestEnv::new()).is_err());
        assert_eq!(cut("", "-,1").unwrap(), "");
    }

    #[test]
    fn variable_reference_may_carry_a_substring() {
        let mut env = TestEnv::new().with_var("V", "xxa-b");
        assert_eq!(read("V:2,-,2", &mut env).unwrap(), "b");
    }
}
