//! `FIELDQTY(varname,delim)` (func_strings.c): how many fields `${varname}` has. An empty
//! value has 0; without a delimiter argument the answer is 1; an empty delimiter makes the
//! whole value one field.

use super::var_value;
use crate::args::{encoded_char, split_limit};
use crate::env::Env;

pub(super) fn read(args: &str, env: &mut dyn Env) -> String {
    let parts = split_limit(args, ',', 2);
    let (Some(var), Some(delim)) = (parts.first(), parts.get(1)) else {
        return "1".to_string();
    };
    let value = var_value(var, env);
    if value.is_empty() {
        return "0".to_string();
    }
    match encoded_char(delim) {
        Some(d) => value.split(d).count().to_string(),
        None => "1".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::testenv::TestEnv;

    #[test]
    fn counts_fields() {
        let mut env = TestEnv::new().with_var("L", "a-b-c").with_var("E", "");
        assert_eq!(read("L,-", &mut env), "3");
        assert_eq!(read("L,x", &mut env), "1");
        assert_eq!(read("E,-", &mut env), "0");
        assert_eq!(read("L", &mut env), "1");
        assert_eq!(read("L,", &mut env), "1");
        assert_eq!(read("NONE,-", &mut env), "0");
    }

    #[test]
    fn escaped_delimiters() {
        let mut env = TestEnv::new().with_var("L", "a,b,,c");
        assert_eq!(read("L,\\,", &mut env), "4");
    }
}
