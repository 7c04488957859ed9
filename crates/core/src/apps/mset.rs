//! MSet(name1=value1,name2=value2,...): several assignments; quotes are removed.

use tandem_dialplan::{args, Env};

use super::{AppCx, Flow};

pub(super) fn exec<H>(cx: &mut AppCx<'_, H>, data: &str) -> Flow {
    for pair in args::split(data, ',') {
        match pair.split_once('=') {
            Some((name, value)) if !name.is_empty() => set_one(cx, name, value),
            _ => tracing::warn!("MSet: ignoring entry '{pair}' with no '='"),
        }
    }
    Flow::Next
}

fn set_one<H>(cx: &mut AppCx<'_, H>, name: &str, value: &str) {
    let mut env = cx.env();
    if name.ends_with(')') {
        super::set::write_function(&mut env, name, value);
    } else {
        env.set_var(name, value);
    }
}
