//! `IFTIME(timespec?iftrue:iffalse)` (func_logic.c `iftime`): like `IF`, with the condition
//! a time specification `times,weekdays,mdays,months[,timezone]` checked against the
//! channel's current time. An invalid time spec is an error (no value).

use super::if_::split_branches;
use super::FuncError;
use crate::args::strip_quoted;
use crate::env::Env;
use crate::timespec::TimeSpec;

pub(super) fn read(args: &str, env: &mut dyn Env) -> Result<String, FuncError> {
    let data = strip_quoted(args);
    let (spec, iftrue, iffalse) = split_branches(data);
    if spec.is_empty() || (iftrue.is_none() && iffalse.is_none()) {
        env.warn("Syntax IFTIME(<timespec>?[<true>][:<false>])");
        return Err(FuncError::Failed(
            "Syntax IFTIME(<timespec>?[<true>][:<false>])".into(),
        ));
    }
    let spec = match TimeSpec::parse(spec) {
        Ok(s) => s,
        Err(e) => {
            env.warn(&format!("Invalid Time Spec: {e}"));
            return Err(FuncError::Failed(format!("Invalid Time Spec: {e}")));
        }
    };
    let chosen = if spec.matches(env.now()) {
        iftrue
    } else {
        iffalse
    };
    Ok(chosen.map(strip_quoted).unwrap_or("").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::LocalTime;
    use crate::functions::testenv::TestEnv;

    // 2023-11-14 22:13:20 UTC, a Tuesday.
    fn env() -> TestEnv {
        let mut e = TestEnv::new();
        e.now = Some(LocalTime::new(1_700_000_000, 0));
        e
    }

    #[test]
    fn true_branch_inside_the_window() {
        assert_eq!(
            read("22:00-23:00,tue,*,*?in:out", &mut env()).unwrap(),
            "in"
        );
        assert_eq!(read("*,*,14,nov?in:out", &mut env()).unwrap(), "in");
    }

    #[test]
    fn false_branch_outside_the_window() {
        assert_eq!(
            read("08:00-17:00,mon-fri,*,*?in:out", &mut env()).unwrap(),
            "out"
        );
        assert_eq!(read("*,sat-sun,*,*?in", &mut env()).unwrap(), "");
    }

    #[test]
    fn bad_syntax_is_an_error() {
        assert!(read("*,*,*,*", &mut env()).is_err());
    }
}
