//! Set(name=value): a channel variable (`_name`/`__name` to be inherited by dialled
//! channels) or a function (`Set(CALLERID(num)=100)`, `Set(GLOBAL(x)=1)`, `Set(DB(a/b)=c)`).
//! Everything after the first `=` is the value, commas included.

use tandem_dialplan::{functions, Env};

use super::{AppCx, Flow};
use crate::env::ChanEnv;

pub(super) fn exec<H>(cx: &mut AppCx<'_, H>, data: &str) -> Flow {
    let Some((name, value)) = data.split_once('=') else {
        tracing::warn!("Set requires an '=' to be a valid assignment.");
        return Flow::Next;
    };
    if name.contains(' ') {
        tracing::warn!(
            "Please avoid unnecessary spaces on variables as it may lead to unexpected results ('{name}' set to '{value}')."
        );
    }
    let mut env = cx.env();
    if name.ends_with(')') {
        write_function(&mut env, name, value);
    } else {
        env.set_var(name, value);
    }
    Flow::Next
}

/// `FUNC(args)=value` (`ast_func_write`): false, with a warning, when the function cannot be
/// written (unknown, read-only, bad arguments).
pub fn write_function(env: &mut ChanEnv<'_>, name: &str, value: &str) -> bool {
    let Some(open) = name.find('(') else {
        tracing::warn!("Set: bad function name '{name}'");
        return false;
    };
    let func = &name[..open];
    let args = name[open + 1..]
        .strip_suffix(')')
        .unwrap_or(&name[open + 1..]);
    match functions::write(func, args, value, env) {
        Ok(()) => true,
        Err(e) => {
            env.warn(&format!("{func}: {e}"));
            false
        }
    }
}
