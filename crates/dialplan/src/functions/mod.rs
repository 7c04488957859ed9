//! Dialplan functions (`${NAME(args)}` and `Set(NAME(args)=value)`), one file each.
//!
//! Names are case-insensitive. A name resolves once to a [`Func`] (a closed enum), so the
//! loader can resolve and check names when it reads `extensions.conf`, and each call is a
//! `match`, not a lookup by string.
//!
//! Arguments arrive already substituted, exactly as the text between the parentheses (as
//! Asterisk passes them); each function splits them as its C counterpart does.

use crate::env::Env;

mod callerid;
mod cdr;
mod channel;
mod cut;
mod db;
mod exists;
mod fieldnum;
mod fieldqty;
mod global;
mod if_;
mod iftime;
mod isnull;
mod len;
mod local;
mod rand;
mod regex;
mod set;
mod shift;
mod strftime;
mod tolower;
mod toupper;

#[cfg(test)]
pub(crate) mod testenv;

/// Why a function gave no value (Asterisk: the read callback returned -1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FuncError {
    #[error("function {0} is not known")]
    Unknown(String),
    #[error("function {0} cannot be read")]
    NotReadable(String),
    #[error("function {0} cannot be written")]
    NotWritable(String),
    #[error("{0}")]
    Failed(String),
}

/// Every dialplan function tandem knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    CallerId,
    Cdr,
    Channel,
    Cut,
    Db,
    DbDelete,
    DbExists,
    Exists,
    FieldNum,
    FieldQty,
    Global,
    If,
    IfTime,
    IsNull,
    Len,
    Local,
    Pop,
    Rand,
    Regex,
    Set,
    Shift,
    Strftime,
    ToLower,
    ToUpper,
}

impl Func {
    /// Resolve a name, case-insensitively.
    pub fn from_name(name: &str) -> Option<Func> {
        if name.len() > 16 {
            return None;
        }
        Some(match name.to_ascii_uppercase().as_str() {
            "CALLERID" => Func::CallerId,
            "CDR" => Func::Cdr,
            "CHANNEL" => Func::Channel,
            "CUT" => Func::Cut,
            "DB" => Func::Db,
            "DB_DELETE" => Func::DbDelete,
            "DB_EXISTS" => Func::DbExists,
            "EXISTS" => Func::Exists,
            "FIELDNUM" => Func::FieldNum,
            "FIELDQTY" => Func::FieldQty,
            "GLOBAL" => Func::Global,
            "IF" => Func::If,
            "IFTIME" => Func::IfTime,
            "ISNULL" => Func::IsNull,
            "LEN" => Func::Len,
            "LOCAL" => Func::Local,
            "POP" => Func::Pop,
            "RAND" => Func::Rand,
            "REGEX" => Func::Regex,
            "SET" => Func::Set,
            "SHIFT" => Func::Shift,
            "STRFTIME" => Func::Strftime,
            "TOLOWER" => Func::ToLower,
            "TOUPPER" => Func::ToUpper,
            _ => return None,
        })
    }

    /// The canonical (upper-case) name.
    pub fn name(self) -> &'static str {
        match self {
            Func::CallerId => "CALLERID",
            Func::Cdr => "CDR",
            Func::Channel => "CHANNEL",
            Func::Cut => "CUT",
            Func::Db => "DB",
            Func::DbDelete => "DB_DELETE",
            Func::DbExists => "DB_EXISTS",
            Func::Exists => "EXISTS",
            Func::FieldNum => "FIELDNUM",
            Func::FieldQty => "FIELDQTY",
            Func::Global => "GLOBAL",
            Func::If => "IF",
            Func::IfTime => "IFTIME",
            Func::IsNull => "ISNULL",
            Func::Len => "LEN",
            Func::Local => "LOCAL",
            Func::Pop => "POP",
            Func::Rand => "RAND",
            Func::Regex => "REGEX",
            Func::Set => "SET",
            Func::Shift => "SHIFT",
            Func::Strftime => "STRFTIME",
            Func::ToLower => "TOLOWER",
            Func::ToUpper => "TOUPPER",
        }
    }

    pub fn readable(self) -> bool {
        true
    }

    pub fn writable(self) -> bool {
        matches!(
            self,
            Func::CallerId | Func::Cdr | Func::Channel | Func::Db | Func::Global | Func::Local
        )
    }

    pub fn read(self, args: &str, env: &mut dyn Env) -> Result<String, FuncError> {
        match self {
            Func::CallerId => callerid::read(args, env),
            Func::Cdr => cdr::read(args, env),
            Func::Channel => channel::read(args, env),
            Func::Cut => cut::read(args, env),
            Func::Db => db::read(args, env),
            Func::DbDelete => db::read_delete(args, env),
            Func::DbExists => db::read_exists(args, env),
            Func::Exists => Ok(exists::read(args)),
            Func::FieldNum => fieldnum::read(args, env),
            Func::FieldQty => Ok(fieldqty::read(args, env)),
            Func::Global => Ok(global::read(args, env)),
            Func::If => if_::read(args, env),
            Func::IfTime => iftime::read(args, env),
            Func::IsNull => Ok(isnull::read(args)),
            Func::Len => Ok(len::read(args)),
            Func::Local => Ok(local::read(args, env)),
            Func::Pop => shift::read(args, env, false),
            Func::Rand => Ok(rand::read(args, env)),
            Func::Regex => regex::read(args, env),
            Func::Set => set::read(args, env),
            Func::Shift => shift::read(args, env, true),
            Func::Strftime => strftime::read(args, env),
            Func::ToLower => Ok(tolower::read(args)),
            Func::ToUpper => Ok(toupper::read(args)),
        }
    }

    pub fn write(self, args: &str, value: &str, env: &mut dyn Env) -> Result<(), FuncError> {
        match self {
            Func::CallerId => callerid::write(args, value, env),
            Func::Cdr => cdr::write(args, value, env),
            Func::Channel => channel::write(args, value, env),
            Func::Db => db::write(args, value, env),
            Func::Global => global::write(args, value, env),
            Func::Local => local::write(args, value, env),
            _ => Err(FuncError::NotWritable(self.name().to_string())),
        }
    }
}

/// Whether `name` is a function tandem knows (case-insensitive).
pub fn is_known(name: &str) -> bool {
    Func::from_name(name).is_some()
}

/// `${NAME(args)}`.
pub fn read(name: &str, args: &str, env: &mut dyn Env) -> Result<String, FuncError> {
    Func::from_name(name)
        .ok_or_else(|| FuncError::Unknown(name.to_string()))?
        .read(args, env)
}

/// `Set(NAME(args)=value)`.
pub fn write(name: &str, args: &str, value: &str, env: &mut dyn Env) -> Result<(), FuncError> {
    Func::from_name(name)
        .ok_or_else(|| FuncError::Unknown(name.to_string()))?
        .write(args, value, env)
}

/// `${varname}` as the list functions (CUT, FIELDQTY, ...) read their variable: through
/// substitution, so `VAR:2` and nested references work as in Asterisk.
pub(crate) fn var_value(varname: &str, env: &mut dyn Env) -> String {
    crate::subst::substitute(&format!("${{{varname}}}"), env)
}

/// Parse `family/key` for the DB functions: the key is everything after the first `/`.
pub(crate) fn family_key(args: &str) -> Option<(&str, &str)> {
    let (family, key) = args.split_once('/')?;
    if family.is_empty() || key.is_empty() {
        None
    } else {
        Some((family, key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use testenv::TestEnv;

    #[test]
    fn names_are_case_insensitive() {
        assert_eq!(Func::from_name("len"), Some(Func::Len));
        assert_eq!(Func::from_name("Db_Exists"), Some(Func::DbExists));
        assert!(is_known("toupper"));
        assert!(!is_known("NOSUCH"));
    }

    #[test]
    fn unknown_and_read_only_functions_report_errors() {
        let mut env = TestEnv::new();
        assert_eq!(
            read("NOSUCH", "", &mut env),
            Err(FuncError::Unknown("NOSUCH".into()))
        );
        assert_eq!(
            write("LEN", "", "x", &mut env),
            Err(FuncError::NotWritable("LEN".into()))
        );
    }

    #[test]
    fn every_name_round_trips() {
        for f in [
            Func::CallerId,
            Func::Cut,
            Func::DbDelete,
            Func::IfTime,
            Func::ToUpper,
            Func::Pop,
        ] {
            assert_eq!(Func::from_name(f.name()), Some(f));
        }
    }
}
