//! Verbose([level,]message): a message for the console (stderr).

use super::{AppCx, Flow};

pub(super) fn exec<H>(cx: &mut AppCx<'_, H>, data: &str) -> Flow {
    // Verbose(level,message): with a comma the first field is always the level.
    let message = match data.split_once(',') {
        Some((level, message)) => {
            if level.trim().parse::<i32>().is_err() {
                tracing::warn!("'{level}' is not a verboser number");
            }
            message
        }
        None => data,
    };
    eprintln!("{}: {message}", cx.chan.name);
    Flow::Next
}
