//! `LOCAL(name)` (app_stack.c): a variable of the current Gosub frame. Reading gives the
//! variable as `${name}` would (the frame's value shadows the channel's); writing goes to
//! the innermost frame (a plain channel variable outside any Gosub).

use super::FuncError;
use crate::env::Env;

pub(super) fn read(args: &str, env: &mut dyn Env) -> String {
    env.get_var(args).unwrap_or_default()
}

pub(super) fn write(args: &str, value: &str, env: &mut dyn Env) -> Result<(), FuncError> {
    env.set_local(args, value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::testenv::TestEnv;

    #[test]
    fn write_goes_to_the_frame_and_shadows() {
        let mut env = TestEnv::new().with_var("X", "outer");
        write("X", "inner", &mut env).unwrap();
        assert_eq!(read("X", &mut env), "inner");
        assert_eq!(read("NONE", &mut env), "");
    }
}
