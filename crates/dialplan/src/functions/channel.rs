//! `CHANNEL(item)` (func_channel.c): channel properties through the core (`name`, `state`,
//! `uniqueid`, `language`, `musicclass`, ...). Unknown items are an error, as in Asterisk.

use super::FuncError;
use crate::env::Env;

pub(super) fn read(args: &str, env: &mut dyn Env) -> Result<String, FuncError> {
    let item = args.trim();
    env.channel(item).ok_or_else(|| {
        env.warn(&format!("Unknown or unavailable item requested: '{item}'"));
        FuncError::Failed(format!("Unknown or unavailable item requested: '{item}'"))
    })
}

pub(super) fn write(args: &str, value: &str, env: &mut dyn Env) -> Result<(), FuncError> {
    let item = args.trim();
    if env.set_channel(item, value) {
        Ok(())
    } else {
        env.warn(&format!("Unknown or unavailable item requested: '{item}'"));
        Err(FuncError::Failed(format!("cannot set CHANNEL({item})")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::testenv::TestEnv;

    #[test]
    fn reads_and_writes_through_env() {
        let mut env = TestEnv::new();
        env.channel
            .insert("name".into(), "SIP/alice-00000001".into());
        assert_eq!(read("name", &mut env).unwrap(), "SIP/alice-00000001");
        write("language", "fr", &mut env).unwrap();
        assert_eq!(read("language", &mut env).unwrap(), "fr");
        assert!(read("bogus", &mut env).is_err());
    }
}
