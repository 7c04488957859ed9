//! `TOLOWER(string)` (func_strings.c): C `tolower` on each byte (ASCII only).

pub(super) fn read(args: &str) -> String {
    args.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    #[test]
    fn ascii_letters_only() {
        assert_eq!(super::read("ABC-DÉF1"), "abc-dÉf1");
    }
}
