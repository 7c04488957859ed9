//! `SHIFT(varname[,delim])` and `POP(varname[,delim])` (func_strings.c): take the first
//! (SHIFT) or last (POP) field off the variable and return it; the variable keeps the rest
//! (or becomes empty). The delimiter defaults to `,`. An empty variable is an error (no
//! value).

use super::{var_value, FuncError};
use crate::args::{encoded_char, split_limit};
use crate::env::Env;

pub(super) fn read(args: &str, env: &mut dyn Env, shift: bool) -> Result<String, FuncError> {
    let parts = split_limit(args, ',', 2);
    let name = if shift { "SHIFT" } else { "POP" };
    let Some(var) = parts.first().filter(|v| !v.is_empty()) else {
        env.warn(&format!("{name} requires a variable name"));
        return Err(FuncError::Failed(format!(
            "{name} requires a variable name"
        )));
    };
    let delim = parts.get(1).and_then(|d| encoded_char(d)).unwrap_or(',');
    let value = var_value(var, env);
    if value.is_empty() {
        return Err(FuncError::Failed(format!("{name}: nothing to take")));
    }
    let found = if shift {
        value.find(delim)
    } else {
        value.rfind(delim)
    };
    let Some(at) = found else {
        env.set_var(var, "");
        return Ok(value);
    };
    let (before, after) = (&value[..at], &value[at + delim.len_utf8()..]);
    if shift {
        env.set_var(var, after);
        Ok(before.to_string())
    } else {
        env.set_var(var, before);
        Ok(after.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::testenv::TestEnv;

    #[test]
    fn shift_takes_the_first_field() {
        let mut env = TestEnv::new().with_var("A", "1,2,3");
        assert_eq!(read("A", &mut env, true).unwrap(), "1");
        assert_eq!(env.get_var("A").as_deref(), Some("2,3"));
        assert_eq!(read("A", &mut env, true).unwrap(), "2");
        assert_eq!(read("A", &mut env, true).unwrap(), "3");
        assert_eq!(env.get_var("A").as_deref(), Some(""));
        assert!(read("A", &mut env, true).is_err());
    }

    #[test]
    fn pop_takes_the_last_field_with_custom_delimiter() {
        let mut env = TestEnv::new().with_var("A", "a-b-c");
        assert_eq!(read("A,-", &mut env, false).unwrap(), "c");
        assert_eq!(env.get_var("A").as_deref(), Some("a-b"));
    }
}
