//! Asterisk's `ast_true` / `ast_false` (main/utils.c): the words every typed view accepts for a
//! boolean option. Exact words, any case, no trimming; anything else is neither.

/// `yes`, `true`, `y`, `t`, `1`, `on` (case-insensitive).
pub fn ast_true(s: &str) -> bool {
    ["yes", "true", "y", "t", "1", "on"]
        .iter()
        .any(|w| s.eq_ignore_ascii_case(w))
}

/// `no`, `false`, `n`, `f`, `0`, `off` (case-insensitive).
pub fn ast_false(s: &str) -> bool {
    ["no", "false", "n", "f", "0", "off"]
        .iter()
        .any(|w| s.eq_ignore_ascii_case(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn true_words_any_case() {
        for w in ["yes", "YES", "True", "y", "T", "1", "on", "On"] {
            assert!(ast_true(w), "{w}");
            assert!(!ast_false(w), "{w}");
        }
    }

    #[test]
    fn false_words_any_case() {
        for w in ["no", "NO", "False", "n", "F", "0", "off", "OFF"] {
            assert!(ast_false(w), "{w}");
            assert!(!ast_true(w), "{w}");
        }
    }

    #[test]
    fn other_values_are_neither() {
        for w in ["", " yes", "yes ", "2", "enabled", "nope", "ye"] {
            assert!(!ast_true(w), "{w:?}");
            assert!(!ast_false(w), "{w:?}");
        }
    }
}
