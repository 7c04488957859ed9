//! MusicOnHold([class[,duration]]): as res_musiconhold's `play_moh_exec`. Plays the class
//! (or, when it does not exist, `default`) for `duration` seconds, or until the caller hangs
//! up; a duration that is not a number is warned about and the music plays for ever. When no
//! music can start ("Unable to start music on hold class"), the dialplan goes on.

use std::time::Duration;

use tandem_core::host::Reply;

use super::{background, AppCx};
use crate::media::moh;

/// `sscanf("%30d")`: the leading integer.
fn leading_int(s: &str) -> Option<i64> {
    let t = s.trim_start();
    let (sign, digits) = match t.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, t.strip_prefix('+').unwrap_or(t)),
    };
    let d: String = digits
        .chars()
        .take_while(char::is_ascii_digit)
        .take(30)
        .collect();
    d.parse::<i64>().ok().map(|v| v * sign)
}

/// Start music of `class` on the channel; false (with Asterisk's warning) when none plays.
pub fn start(cx: &AppCx<'_>, class: &str) -> bool {
    let asked = (!class.is_empty()).then_some(class);
    match moh::start(&cx.world.apps.moh, &cx.link.media, asked, None) {
        Ok(_) => true,
        Err(e) => {
            tracing::warn!(
                "{}: Unable to start music on hold class '{class}': {e}",
                cx.link.name
            );
            false
        }
    }
}

pub async fn exec(mut cx: AppCx<'_>, args: &str) -> Reply {
    let (class, duration) = match args.split_once(',') {
        Some((c, d)) => (c.trim(), d.trim()),
        None => (args.trim(), ""),
    };
    let mut timeout = None;
    if !duration.is_empty() {
        match leading_int(duration) {
            Some(secs) if secs > 0 => timeout = Some(Duration::from_secs(secs as u64)),
            Some(_) => {}
            None => {
                tracing::warn!("Invalid MusicOnHold duration '{duration}'. Will wait indefinitely.")
            }
        }
    }
    if !start(&cx, class) {
        return Reply::Done;
    }
    let hung_up = background::sleep(&mut cx, timeout).await;
    moh::stop(&cx.link.media);
    if hung_up {
        Reply::HungUp
    } else {
        Reply::Done
    }
}

#[cfg(test)]
mod tests {
    use super::leading_int;

    #[test]
    fn duration_is_read_as_sscanf_d() {
        assert_eq!(leading_int("10"), Some(10));
        assert_eq!(leading_int(" 5s"), Some(5));
        assert_eq!(leading_int("-3"), Some(-3));
        assert_eq!(leading_int("abc"), None);
    }
}
