//! `DB(family/key)`, `DB_EXISTS(family/key)`, `DB_DELETE(family/key)` (func_db.c).
//!
//! The key is everything after the first `/`; a missing family or key is an error.
//! - `DB` read: the value (empty when absent); on success `DB_RESULT` is set to it.
//!   Write: stores the value.
//! - `DB_EXISTS`: `1` and `DB_RESULT` set to the value, or `0` (DB_RESULT untouched).
//! - `DB_DELETE`: deletes and returns the old value; `DB_RESULT` is set to it (empty when
//!   there was none).

use super::{family_key, FuncError};
use crate::env::Env;

fn parse<'a>(
    args: &'a str,
    func: &str,
    env: &mut dyn Env,
) -> Result<(&'a str, &'a str), FuncError> {
    family_key(args).ok_or_else(|| {
        let msg = format!("{func} requires an argument, {func}(<family>/<key>)");
        env.warn(&msg);
        FuncError::Failed(msg)
    })
}

pub(super) fn read(args: &str, env: &mut dyn Env) -> Result<String, FuncError> {
    let (family, key) = parse(args, "DB", env)?;
    match env.db_get(family, key) {
        Some(v) => {
            env.set_var("DB_RESULT", &v);
            Ok(v)
        }
        None => Ok(String::new()),
    }
}

pub(super) fn write(args: &str, value: &str, env: &mut dyn Env) -> Result<(), FuncError> {
    let (family, key) = parse(args, "DB", env)?;
    if env.db_put(family, key, value) {
        Ok(())
    } else {
        env.warn("DB: Error writing value to database.");
        Err(FuncError::Failed(
            "DB: error writing value to database".into(),
        ))
    }
}

pub(super) fn read_exists(args: &str, env: &mut dyn Env) -> Result<String, FuncError> {
    let (family, key) = parse(args, "DB_EXISTS", env)?;
    match env.db_get(family, key) {
        Some(v) => {
            env.set_var("DB_RESULT", &v);
            Ok("1".to_string())
        }
        None => Ok("0".to_string()),
    }
}

pub(super) fn read_delete(args: &str, env: &mut dyn Env) -> Result<String, FuncError> {
    let (family, key) = parse(args, "DB_DELETE", env)?;
    let v = env.db_delete(family, key).unwrap_or_default();
    env.set_var("DB_RESULT", &v);
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::testenv::TestEnv;

    #[test]
    fn write_then_read_sets_db_result() {
        let mut env = TestEnv::new();
        write("cf/1001", "5551234", &mut env).unwrap();
        assert_eq!(read("cf/1001", &mut env).unwrap(), "5551234");
        assert_eq!(env.get_var("DB_RESULT").as_deref(), Some("5551234"));
        assert_eq!(read("cf/none", &mut env).unwrap(), "");
    }

    #[test]
    fn key_keeps_later_slashes_and_missing_parts_fail() {
        let mut env = TestEnv::new();
        write("a/b/c", "x", &mut env).unwrap();
        assert_eq!(env.db_get("a", "b/c").as_deref(), Some("x"));
        assert!(read("nokey", &mut env).is_err());
        assert!(read("/k", &mut env).is_err());
        assert!(read("f/", &mut env).is_err());
    }

    #[test]
    fn exists_reports_and_sets_result() {
        let mut env = TestEnv::new();
        assert_eq!(read_exists("f/k", &mut env).unwrap(), "0");
        assert_eq!(env.get_var("DB_RESULT"), None);
        write("f/k", "v", &mut env).unwrap();
        assert_eq!(read_exists("f/k", &mut env).unwrap(), "1");
        assert_eq!(env.get_var("DB_RESULT").as_deref(), Some("v"));
    }

    #[test]
    fn delete_returns_old_value() {
        let mut env = TestEnv::new();
        write("f/k", "v", &mut env).unwrap();
        assert_eq!(read_delete("f/k", &mut env).unwrap(), "v");
        assert_eq!(env.db_get("f", "k"), None);
        assert_eq!(read_delete("f/k", &mut env).unwrap(), "");
        assert_eq!(env.get_var("DB_RESULT").as_deref(), Some(""));
    }
}
