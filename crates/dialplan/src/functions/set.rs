//! `SET(name=value)` (func_logic.c `set`): sets the variable (or writes the function, when
//! the name ends with `)`) and returns the value. Name and value are stripped of blanks.
//! Without `=` or with an empty name it is an error.

use super::FuncError;
use crate::args::strip;
use crate::env::Env;

pub(super) fn read(args: &str, env: &mut dyn Env) -> Result<String, FuncError> {
    let Some((name, value)) = args.split_once('=') else {
        env.warn("Syntax SET(<varname>=[<value>])");
        return Err(FuncError::Failed("Syntax SET(<varname>=[<value>])".into()));
    };
    if name.is_empty() {
        env.warn("Syntax SET(<varname>=[<value>])");
        return Err(FuncError::Failed("Syntax SET(<varname>=[<value>])".into()));
    }
    let (name, value) = (strip(name), strip(value));
    if name.ends_with(')') {
        let (fname, fargs) = crate::subst::func_args(name);
        super::write(fname, fargs, value, env)?;
    } else {
        env.set_var(name, value);
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::testenv::TestEnv;

    #[test]
    fn sets_and_returns_the_value() {
        let mut env = TestEnv::new();
        assert_eq!(read(" A = b c ", &mut env).unwrap(), "b c");
        assert_eq!(env.get_var("A").as_deref(), Some("b c"));
        assert_eq!(read("B=", &mut env).unwrap(), "");
        assert_eq!(env.get_var("B").as_deref(), Some(""));
    }

    #[test]
    fn writes_functions() {
        let mut env = TestEnv::new();
        assert_eq!(read("GLOBAL(G)=1", &mut env).unwrap(), "1");
        assert_eq!(env.get_global("G").as_deref(), Some("1"));
    }

    #[test]
    fn needs_an_equal_sign_and_a_name() {
        let mut env = TestEnv::new();
        assert!(read("A", &mut env).is_err());
        assert!(read("=x", &mut env).is_err());
    }
}
