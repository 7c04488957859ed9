//! `GLOBAL(name)` (func_global.c): read or write a global variable.

use super::FuncError;
use crate::env::Env;

pub(super) fn read(args: &str, env: &mut dyn Env) -> String {
    env.get_global(args).unwrap_or_default()
}

pub(super) fn write(args: &str, value: &str, env: &mut dyn Env) -> Result<(), FuncError> {
    env.set_global(args, value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::testenv::TestEnv;

    #[test]
    fn reads_and_writes_globals_only() {
        let mut env = TestEnv::new().with_var("X", "channel");
        assert_eq!(read("X", &mut env), "");
        write("X", "global", &mut env).unwrap();
        assert_eq!(read("X", &mut env), "global");
        assert_eq!(env.vars.get("X").map(String::as_str), Some("channel"));
    }
}
