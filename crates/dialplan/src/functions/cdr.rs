//! `CDR(name[,options])` (funcs/func_cdr.c): a field of the channel's live call detail record
//! or a custom CDR variable. Options: `u` unparsed (times as epoch seconds, amaflags as its
//! number), `f` float (times, duration and billsec with microseconds). Writable: userfield,
//! accountcode, amaflags and custom variables; the other fields are read-only.

use super::FuncError;
use crate::env::Env;

/// The name and the option letters.
fn parse(args: &str) -> (&str, bool, bool) {
    let (name, options) = match args.split_once(',') {
        Some((n, o)) => (n.trim(), o),
        None => (args.trim(), ""),
    };
    (name, options.contains('u'), options.contains('f'))
}

pub(super) fn read(args: &str, env: &mut dyn Env) -> Result<String, FuncError> {
    let (name, raw, float) = parse(args);
    if name.is_empty() {
        env.warn("CDR: a field name is required");
        return Err(FuncError::Failed("CDR requires a field".into()));
    }
    // An unknown name reads as empty, as func_cdr.c returns an empty buffer.
    Ok(env.cdr(name, raw, float).unwrap_or_default())
}

pub(super) fn write(args: &str, value: &str, env: &mut dyn Env) -> Result<(), FuncError> {
    let (name, _, _) = parse(args);
    if name.is_empty() {
        env.warn("CDR: a field name is required");
        return Err(FuncError::Failed("CDR requires a field".into()));
    }
    env.set_cdr(name, value).map_err(|reason| {
        env.warn(&reason);
        FuncError::Failed(reason)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::testenv::TestEnv;

    #[test]
    fn options_follow_the_name() {
        assert_eq!(parse("start,u"), ("start", true, false));
        assert_eq!(parse("billsec,f"), ("billsec", false, true));
        assert_eq!(parse(" userfield "), ("userfield", false, false));
    }

    #[test]
    fn without_a_record_reads_empty_and_writes_fail() {
        let mut env = TestEnv::new();
        assert_eq!(read("userfield", &mut env).unwrap_or_default(), "");
        assert!(write("userfield", "x", &mut env).is_err());
        assert!(read("", &mut env).is_err());
    }
}
