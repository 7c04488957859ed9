//! `IF(expr?iftrue:iffalse)` (func_logic.c `acf_if`).
//!
//! The whole argument loses one pair of surrounding quotes, then it is cut at the first `?`
//! and the first `:` after it (C `strsep`, so `:` in the false branch stays). The condition
//! is stripped of blanks and judged by `pbx_checkcondition` (empty false, a number its
//! truth, other text true); each branch loses blanks and one pair of quotes. A missing
//! branch is empty. No `?` at all (or an empty condition) is an error.

use super::FuncError;
use crate::args::{strip, strip_quoted};
use crate::env::Env;
use crate::expr::check_condition;

/// Split `cond?true:false` as `strsep` does: (cond, iftrue, iffalse).
pub(super) fn split_branches(data: &str) -> (&str, Option<&str>, Option<&str>) {
    match data.split_once('?') {
        None => (data, None, None),
        Some((cond, rest)) => match rest.split_once(':') {
            None => (cond, Some(rest), None),
            Some((t, f)) => (cond, Some(t), Some(f)),
        },
    }
}

pub(super) fn read(args: &str, env: &mut dyn Env) -> Result<String, FuncError> {
    let data = strip_quoted(args);
    let (cond, iftrue, iffalse) = split_branches(data);
    if cond.is_empty() || (iftrue.is_none() && iffalse.is_none()) {
        env.warn("Syntax IF(<expr>?[<true>][:<false>])");
        return Err(FuncError::Failed(
            "Syntax IF(<expr>?[<true>][:<false>])".into(),
        ));
    }
    let chosen = if check_condition(strip(cond)) {
        iftrue
    } else {
        iffalse
    };
    Ok(chosen.map(strip_quoted).unwrap_or("").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::testenv::TestEnv;

    fn r(a: &str) -> Result<String, FuncError> {
        read(a, &mut TestEnv::new())
    }

    #[test]
    fn picks_branch_by_condition() {
        assert_eq!(r("1?yes:no").unwrap(), "yes");
        assert_eq!(r("0?yes:no").unwrap(), "no");
        assert_eq!(r("abc?yes:no").unwrap(), "yes");
        assert_eq!(r(" 0 ?yes:no").unwrap(), "no");
        assert_eq!(r("-1?yes:no").unwrap(), "yes");
    }

    #[test]
    fn missing_branches_are_empty() {
        assert_eq!(r("0?yes").unwrap(), "");
        assert_eq!(r("1?:no").unwrap(), "");
        assert_eq!(r("0?:no").unwrap(), "no");
    }

    #[test]
    fn false_branch_keeps_later_colons_and_quotes_are_stripped() {
        assert_eq!(r("0?a:b:c").unwrap(), "b:c");
        assert_eq!(r("1?\" x \":y").unwrap(), " x ");
        assert_eq!(r("\"1?a:b\"").unwrap(), "a");
    }

    #[test]
    fn no_question_mark_is_an_error() {
        assert!(r("1").is_err());
        assert!(r("?a:b").is_err());
    }
}
