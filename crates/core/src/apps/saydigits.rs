//! SayDigits(digits): say each digit with the `digits/N` prompts (`ast_say_digit_str`):
//! `*` is `digits/star`, `#` is `digits/pound`, `-` is `digits/minus`; other characters are
//! skipped. A missing prompt is a Playback-style warning and the rest is still said.

use super::{AppCx, Flow};
use crate::host::{Host, Reply, Request};
use tandem_dialplan::Env;

/// The prompt for one character of a digit string, as `ast_get_digit_str` names them.
pub fn digit_file(c: char) -> Option<String> {
    match c {
        '0'..='9' => Some(format!("digits/{c}")),
        '*' => Some("digits/star".to_string()),
        '#' => Some("digits/pound".to_string()),
        '-' => Some("digits/minus".to_string()),
        _ => None,
    }
}

/// The prompts SayDigits plays for `text`.
pub fn files(text: &str) -> Vec<String> {
    text.chars().filter_map(digit_file).collect()
}

/// Play prompts the way the Say applications do: a missing file is warned about by the host
/// and the others still play. Not interruptible unless `SAY_DTMF_INTERRUPT` is true; then a
/// digit stops them and is taken as the start of an extension, as an application returning
/// a digit does in `__ast_pbx_run`. `Hangup` only if the channel hung up.
pub(super) async fn say<H: Host>(cx: &mut AppCx<'_, H>, files: Vec<String>) -> Flow {
    if files.is_empty() {
        return Flow::Next;
    }
    let interrupt = cx
        .env()
        .get_var("SAY_DTMF_INTERRUPT")
        .is_some_and(|v| tandem_conf::ast_true(&v));
    let request = Request::Play { files, interrupt };
    match cx.host.request(cx.chan, request).await {
        Reply::HungUp => Flow::Hangup,
        Reply::Digits(d) if interrupt && !d.is_empty() => {
            crate::digits::enter(cx.host, cx.dialplan, cx.shared, cx.chan, &d).await
        }
        _ => Flow::Next,
    }
}

pub(super) async fn exec<H: Host>(cx: &mut AppCx<'_, H>, data: &str) -> Flow {
    // As pbx_builtin_saydigits: an empty argument says nothing and the dialplan goes on.
    let files = files(data);
    say(cx, files).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_pound_and_minus_have_names_other_characters_are_skipped() {
        assert_eq!(
            files("1*#-a9"),
            vec![
                "digits/1",
                "digits/star",
                "digits/pound",
                "digits/minus",
                "digits/9"
            ]
        );
    }
}
