//! SayAlpha(string): spell a string (`ast_say_character_str`): letters are `letters/x`
//! (lower case), digits `digits/N`, and the named signs below. Other characters are skipped
//! (Asterisk looks for `letters/<c>`, which no sound set ships).
//! A missing prompt is a Playback-style warning and the rest is still said.

use super::saydigits::say;
use super::{AppCx, Flow};
use crate::host::Host;

/// The prompt for one character, as Asterisk's say.c names them.
pub fn char_file(c: char) -> Option<String> {
    let name = match c {
        'a'..='z' | 'A'..='Z' => return Some(format!("letters/{}", c.to_ascii_lowercase())),
        '0'..='9' => return Some(format!("digits/{c}")),
        '*' => "digits/star",
        '#' => "digits/pound",
        '$' => "letters/dollar",
        '-' => "letters/dash",
        '.' => "letters/dot",
        '=' => "letters/equals",
        '+' => "letters/plus",
        '/' => "letters/slash",
        ' ' => "letters/space",
        '@' => "letters/at",
        '!' => "letters/exclaimation_point",
        _ => return None,
    };
    Some(name.to_string())
}

/// The prompts SayAlpha plays for `text`.
pub fn files(text: &str) -> Vec<String> {
    text.chars().filter_map(char_file).collect()
}

pub(super) async fn exec<H: Host>(cx: &mut AppCx<'_, H>, data: &str) -> Flow {
    // As pbx_builtin_saycharacters: the whole argument, commas included, is spelled (the
    // case-aware form is SayAlphaCase); an empty one says nothing and the dialplan goes on.
    say(cx, files(data)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_are_lower_case_and_signs_have_names() {
        assert_eq!(
            files("Ab1 @?"),
            vec![
                "letters/a",
                "letters/b",
                "digits/1",
                "letters/space",
                "letters/at"
            ]
        );
    }
}
