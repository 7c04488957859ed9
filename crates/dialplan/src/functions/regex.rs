//! `REGEX("regular expression" string)` (func_strings.c): `1` when the POSIX extended
//! expression matches anywhere in the string, else `0`.
//!
//! The argument is split on `"` into three parts (AST_NONSTANDARD_APP_ARGS, which removes
//! backslashes: `"\d"` becomes `d`); the string part loses one leading space or tab. Any
//! other shape, or a pattern that does not compile, is an error (no value).

use super::FuncError;
use crate::args::split_limit;
use crate::env::Env;
use crate::expr::posix;

pub(super) fn read(args: &str, env: &mut dyn Env) -> Result<String, FuncError> {
    let parts = split_limit(args, '"', 3);
    if parts.len() != 3 {
        let msg = "Unexpected arguments: should have been in the form '\"<regex>\" <string>'";
        env.warn(msg);
        return Err(FuncError::Failed(msg.into()));
    }
    let subject = parts[2].strip_prefix([' ', '\t']).unwrap_or(&parts[2]);
    match posix::compile(&parts[1]) {
        Ok(re) => Ok(if re.is_match(subject) { "1" } else { "0" }.to_string()),
        Err(e) => {
            env.warn(&format!("Malformed input REGEX({args}): {e}"));
            Err(FuncError::Failed(e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::testenv::TestEnv;

    fn r(a: &str) -> Result<String, FuncError> {
        read(a, &mut TestEnv::new())
    }

    #[test]
    fn matches_anywhere() {
        assert_eq!(r("\"^[0-9]+$\" 12345").unwrap(), "1");
        assert_eq!(r("\"^[0-9]+$\" 12a45").unwrap(), "0");
        assert_eq!(r("\"b\" abc").unwrap(), "1");
        assert_eq!(r("\"^ a\"  a").unwrap(), "1");
    }

    #[test]
    fn backslashes_are_removed_by_argument_parsing() {
        // "\d" reaches regcomp as "d".
        assert_eq!(r("\"\\d\" d").unwrap(), "1");
        assert_eq!(r("\"\\d\" 5").unwrap(), "0");
    }

    #[test]
    fn bad_shape_or_pattern_is_an_error() {
        assert!(r("abc").is_err());
        assert!(r("\"[a\" a").is_err());
        assert_eq!(r("\"a\"").unwrap(), "0");
    }
}
