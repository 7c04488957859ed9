//! `TOUPPER(string)` (func_strings.c): C `toupper` on each byte (ASCII only).

pub(super) fn read(args: &str) -> String {
    args.to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    #[test]
    fn ascii_letters_only() {
        assert_eq!(super::read("abc-Déf1"), "ABC-DéF1");
    }
}
