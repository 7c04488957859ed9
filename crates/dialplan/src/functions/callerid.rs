//! `CALLERID(datatype[,CID])` (func_callerid.c).
//!
//! `num`/`number`, `name`, `ani`, `dnid`, `rdnis`, ... come from the channel through
//! [`Env::callerid`]. `all` is `"name" <num>` when both are set, else whichever is set
//! (`ast_callerid_merge`). With a second argument, that caller ID string is parsed instead
//! of the channel's (`CALLERID(num,"Bob" <123>)` is `123`). Writing `all` splits
//! `"name" <num>` into both fields.

use super::FuncError;
use crate::args::split_limit;
use crate::env::Env;

/// `ast_callerid_split` reduced to its common inputs: `"name" <num>`, `name <num>`, `<num>`,
/// a bare number, or a bare name.
fn split_cid(cid: &str) -> (String, String) {
    let cid = cid.trim();
    if let (Some(lt), Some(gt)) = (cid.rfind('<'), cid.rfind('>')) {
        if lt < gt {
            let num = cid[lt + 1..gt].trim().to_string();
            let name = cid[..lt].trim().trim_matches('"').trim().to_string();
            return (name, num);
        }
    }
    let is_number = !cid.is_empty()
        && cid
            .chars()
            .all(|c| c.is_ascii_digit() || "+*#-() .".contains(c));
    if is_number {
        (String::new(), cid.to_string())
    } else {
        (cid.trim_matches('"').to_string(), String::new())
    }
}

fn merge(name: &str, num: &str) -> String {
    match (name.is_empty(), num.is_empty()) {
        (false, false) => format!("\"{name}\" <{num}>"),
        (false, true) => name.to_string(),
        (true, false) => num.to_string(),
        (true, true) => String::new(),
    }
}

fn field(datatype: &str) -> String {
    let d = datatype.trim().to_ascii_lowercase();
    match d.as_str() {
        "number" => "num".to_string(),
        _ => d,
    }
}

pub(super) fn read(args: &str, env: &mut dyn Env) -> Result<String, FuncError> {
    let parts = split_limit(args, ',', 2);
    let Some(datatype) = parts.first().filter(|d| !d.is_empty()) else {
        env.warn("CALLERID requires an argument");
        return Err(FuncError::Failed("CALLERID requires an argument".into()));
    };
    let f = field(datatype);
    if let Some(cid) = parts.get(1) {
        let (name, num) = split_cid(cid);
        return Ok(match f.as_str() {
            "all" => merge(&name, &num),
            "name" => name,
            "num" => num,
            _ => {
                env.warn(&format!("Unknown callerid data type '{datatype}'."));
                return Err(FuncError::Failed(format!(
                    "Unknown callerid data type '{datatype}'"
                )));
            }
        });
    }
    if f == "all" {
        let name = env.callerid("name").unwrap_or_default();
        let num = env.callerid("num").unwrap_or_default();
        return Ok(merge(&name, &num));
    }
    Ok(env.callerid(&f).unwrap_or_default())
}

pub(super) fn write(args: &str, value: &str, env: &mut dyn Env) -> Result<(), FuncError> {
    let parts = split_limit(args, ',', 2);
    let Some(datatype) = parts.first().filter(|d| !d.is_empty()) else {
        return Err(FuncError::Failed("CALLERID requires an argument".into()));
    };
    let f = field(datatype);
    if f == "all" {
        let (name, num) = split_cid(value);
        env.set_callerid("name", &name);
        env.set_callerid("num", &num);
    } else {
        env.set_callerid(&f, value);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::testenv::TestEnv;

    fn env() -> TestEnv {
        let mut e = TestEnv::new();
        e.callerid.insert("name".into(), "Alice".into());
        e.callerid.insert("num".into(), "1001".into());
        e
    }

    #[test]
    fn fields_and_all() {
        let mut e = env();
        assert_eq!(read("num", &mut e).unwrap(), "1001");
        assert_eq!(read("number", &mut e).unwrap(), "1001");
        assert_eq!(read("NAME", &mut e).unwrap(), "Alice");
        assert_eq!(read("all", &mut e).unwrap(), "\"Alice\" <1001>");
        e.callerid.remove("name");
        assert_eq!(read("all", &mut e).unwrap(), "1001");
    }

    #[test]
    fn second_argument_is_parsed_instead() {
        let mut e = env();
        assert_eq!(read("num,\"Bob\" <555>", &mut e).unwrap(), "555");
        assert_eq!(read("name,Bob <555>", &mut e).unwrap(), "Bob");
    }

    #[test]
    fn write_all_sets_name_and_number() {
        let mut e = env();
        write("all", "\"Carol\" <2002>", &mut e).unwrap();
        assert_eq!(read("name", &mut e).unwrap(), "Carol");
        assert_eq!(read("num", &mut e).unwrap(), "2002");
        write("num", "3003", &mut e).unwrap();
        assert_eq!(read("num", &mut e).unwrap(), "3003");
    }
}
