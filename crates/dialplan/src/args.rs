//! Splitting application and function arguments as Asterisk's `__ast_app_separate_args`
//! (main/app.c) does.
//!
//! One scan over the text keeps three counters that are never reset between arguments:
//! parentheses, square brackets and double quotes. A separator only splits when all three
//! are closed. So `Dial(SIP/a&SIP/b,30,M(x,y))` has three arguments, and an unbalanced `(`
//! in the first argument glues everything after it into that argument, as in Asterisk.
//!
//! - [`split`] = `AST_STANDARD_APP_ARGS` / `AST_NONSTANDARD_APP_ARGS` (remove_chars = 1):
//!   double quotes are removed (unless the separator is `"`), a backslash is removed and the
//!   character after it is taken literally.
//! - [`split_raw`] = `AST_STANDARD_RAW_ARGS` / `AST_NONSTANDARD_RAW_ARGS` (remove_chars = 0):
//!   quotes and backslashes are kept; a backslash still protects the next character.
//! - `*_limit` variants: Asterisk declares how many arguments an application takes; once
//!   `max - 1` arguments are found, the last one is the untouched rest of the string
//!   (no quote or backslash removal in it).
//!
//! Usage in Asterisk's applications: `ExecIf(cond?app:app)` is `split_limit(data, '?', 2)` then
//! `split_raw_limit(rest, ':', 2)`; `Set(name=value)` and `IF()` use plain `strsep`
//! (`str::split_once`), not this splitter.
//!
//! An empty string has no arguments (`argc == 0`); a trailing separator adds one empty
//! argument (`"a,"` is `["a", ""]`).

/// `AST_STANDARD_APP_ARGS` with any number of arguments.
pub fn split(data: &str, sep: char) -> Vec<String> {
    separate(data, sep, true, usize::MAX)
}

/// `AST_STANDARD_APP_ARGS` for an application that declares `max` arguments: the last one
/// holds the raw rest of the string.
pub fn split_limit(data: &str, sep: char, max: usize) -> Vec<String> {
    separate(data, sep, true, max)
}

/// `AST_STANDARD_RAW_ARGS`: quotes and backslashes are kept.
pub fn split_raw(data: &str, sep: char) -> Vec<String> {
    separate(data, sep, false, usize::MAX)
}

/// `AST_NONSTANDARD_RAW_ARGS` with a declared argument count.
pub fn split_raw_limit(data: &str, sep: char, max: usize) -> Vec<String> {
    separate(data, sep, false, max)
}

/// The core of `__ast_app_separate_args(buf, delim, remove_chars, array, arraylen)`.
fn separate(data: &str, sep: char, remove_chars: bool, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    if max == 0 {
        return out;
    }
    let chars: Vec<char> = data.chars().collect();
    let (mut paren, mut bracket, mut quote) = (0u32, 0u32, false);
    let mut i = 0;
    let mut ended_on_sep = false;
    while i < chars.len() && out.len() < max - 1 {
        let mut arg = String::new();
        ended_on_sep = false;
        while i < chars.len() {
            let c = chars[i];
            match c {
                '(' => paren += 1,
                ')' => paren = paren.saturating_sub(1),
                '[' => bracket += 1,
                ']' => bracket = bracket.saturating_sub(1),
                '"' if sep != '"' => {
                    quote = !quote;
                    if remove_chars {
                        i += 1;
                        continue;
                    }
                }
                '\\' => {
                    // The character after a backslash is never parsed.
                    if !remove_chars {
                        arg.push(c);
                    }
                    if let Some(&next) = chars.get(i + 1) {
                        arg.push(next);
                    }
                    i += 2;
                    continue;
                }
                _ if c == sep && paren == 0 && bracket == 0 && !quote => {
                    i += 1;
                    ended_on_sep = true;
                    break;
                }
                _ => {}
            }
            arg.push(c);
            i += 1;
        }
        out.push(arg);
    }
    if i < chars.len() {
        out.push(chars[i..].iter().collect());
    } else if ended_on_sep {
        out.push(String::new());
    }
    out
}

/// `ast_strip`: drop leading and trailing characters below 33 (spaces, tabs, controls).
pub fn strip(s: &str) -> &str {
    s.trim_matches(|c: char| (c as u32) < 33)
}

/// `ast_strip_quoted(s, "\"", "\"")`: strip blanks, then one pair of surrounding quotes.
pub fn strip_quoted(s: &str) -> &str {
    let s = strip(s);
    if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
        &s[1..s.len() - 1]
    } else if s == "\"" {
        ""
    } else {
        s
    }
}

/// `ast_get_encoded_char`: the first character of `s`, decoding `\n`, `\r`, `\t`, `\xHH`,
/// octal `\0NNN` and `\c` (any other escaped character). `None` for an empty string.
pub fn encoded_char(s: &str) -> Option<char> {
    let mut it = s.chars();
    match it.next()? {
        '\\' => match it.next() {
            None => Some('\\'),
            Some('n') => Some('\n'),
            Some('r') => Some('\r'),
            Some('t') => Some('\t'),
            Some('a') => Some('\x07'),
            Some('x') => {
                let hex: String = it.take_while(|c| c.is_ascii_hexdigit()).take(2).collect();
                u8::from_str_radix(&hex, 16).ok().map(char::from)
            }
            Some('0') => {
                let oct: String = it.take_while(|c| ('0'..='7').contains(c)).take(3).collect();
                if oct.is_empty() {
                    Some('\0')
                } else {
                    u8::from_str_radix(&oct, 8).ok().map(char::from)
                }
            }
            Some(c) => Some(c),
        },
        c => Some(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn commas_split_outside_parens_brackets_and_quotes() {
        assert_eq!(
            split("SIP/a&SIP/b,30,M(x,y)", ','),
            v(&["SIP/a&SIP/b", "30", "M(x,y)"])
        );
        assert_eq!(split("a,[b,c],d", ','), v(&["a", "[b,c]", "d"]));
        assert_eq!(split("a,\"b,c\",d", ','), v(&["a", "b,c", "d"]));
    }

    #[test]
    fn quotes_are_removed_and_backslash_protects_next_char() {
        assert_eq!(split("\"hello\"", ','), v(&["hello"]));
        assert_eq!(split("a\\,b,c", ','), v(&["a,b", "c"]));
        assert_eq!(split("a\\\\b", ','), v(&["a\\b"]));
        assert_eq!(split("say \\\"hi\\\"", ','), v(&["say \"hi\""]));
    }

    #[test]
    fn raw_split_keeps_quotes_and_backslashes() {
        assert_eq!(
            split_raw("\"a,b\",c\\,d,e", ','),
            v(&["\"a,b\"", "c\\,d", "e"])
        );
    }

    #[test]
    fn empty_string_has_no_argument_and_trailing_separator_adds_one() {
        assert!(split("", ',').is_empty());
        assert_eq!(split("a,", ','), v(&["a", ""]));
        assert_eq!(split(",", ','), v(&["", ""]));
        assert_eq!(split("a,,b", ','), v(&["a", "", "b"]));
    }

    #[test]
    fn unbalanced_paren_glues_the_rest() {
        assert_eq!(split("a(b,c,d", ','), v(&["a(b,c,d"]));
        // A stray ')' does not go negative.
        assert_eq!(split("a),b", ','), v(&["a)", "b"]));
    }

    #[test]
    fn limit_leaves_the_rest_untouched() {
        assert_eq!(split_limit("a,b,\"c\",d", ',', 2), v(&["a", "b,\"c\",d"]));
        assert_eq!(split_limit("a,b", ',', 2), v(&["a", "b"]));
        assert_eq!(split_limit("a,", ',', 2), v(&["a", ""]));
    }

    #[test]
    fn quote_as_separator_is_not_a_quote() {
        // REGEX("re" string) is split on '"' with three declared arguments.
        assert_eq!(split_limit("\"a.c\" abc", '"', 3), v(&["", "a.c", " abc"]));
        assert_eq!(split_limit("\"\\d\" x", '"', 3), v(&["", "d", " x"]));
    }

    #[test]
    fn trailing_backslash_is_dropped() {
        assert_eq!(split("ab\\", ','), v(&["ab"]));
    }

    #[test]
    fn strip_quoted_removes_one_pair_after_blanks() {
        assert_eq!(strip_quoted("  \"a b\" "), "a b");
        assert_eq!(strip_quoted("\"a"), "\"a");
        assert_eq!(strip(" \t x \n"), "x");
    }

    #[test]
    fn encoded_char_decodes_escapes() {
        assert_eq!(encoded_char(","), Some(','));
        assert_eq!(encoded_char("\\n"), Some('\n'));
        assert_eq!(encoded_char("\\x2f"), Some('/'));
        assert_eq!(encoded_char("\\,"), Some(','));
        assert_eq!(encoded_char(""), None);
    }
}
