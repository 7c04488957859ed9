//! `FIELDNUM(varname,delim,value)` (func_strings.c): the 1-based position of the first
//! field equal (ignoring ASCII case) to `value`, or 0. An empty list or delimiter gives 0;
//! fewer than three arguments is an error.

use super::{var_value, FuncError};
use crate::args::{encoded_char, split_limit};
use crate::env::Env;

pub(super) fn read(args: &str, env: &mut dyn Env) -> Result<String, FuncError> {
    let parts = split_limit(args, ',', 3);
    if parts.len() < 3 {
        env.warn("Usage: FIELDNUM(<listname>,<delimiter>,<fieldvalue>)");
        return Err(FuncError::Failed("FIELDNUM: missing argument".into()));
    }
    let value = var_value(&parts[0], env);
    let Some(d) = encoded_char(&parts[1]).filter(|_| !value.is_empty()) else {
        return Ok("0".to_string());
    };
    let pos = value
        .split(d)
        .position(|f| f.eq_ignore_ascii_case(&parts[2]));
    Ok(pos.map_or(0, |p| p + 1).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::testenv::TestEnv;

    // The table of Asterisk's own test_FIELDNUM.
    #[test]
    fn asterisk_test_table() {
        let cases = [
            ("abc,def,ghi,jkl", "\\,", "ghi", "3"),
            ("abc def ghi jkl", " ", "abc", "1"),
            ("abc/def/ghi/jkl", "\\\\x2f", "def", "2"),
            ("abc$def$ghi$jkl", "", "ghi", "0"),
            ("abc,def,ghi,jkl", "-", "", "0"),
            ("abc-def-ghi-jkl", "-", "mno", "0"),
        ];
        for (fields, delim, field, want) in cases {
            let mut env = TestEnv::new().with_var("FIELDS", fields);
            let got = read(&format!("FIELDS,{delim},{field}"), &mut env).unwrap();
            assert_eq!(got, want, "{fields} {delim} {field}");
        }
    }

    #[test]
    fn case_insensitive_and_needs_three_args() {
        let mut env = TestEnv::new().with_var("L", "a,B,c");
        assert_eq!(read("L,\\,,b", &mut env).unwrap(), "2");
        assert!(read("L,\\,", &mut env).is_err());
    }
}
