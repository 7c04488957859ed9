//! `LEN(string)` (func_strings.c): the length in bytes, as C `strlen`.

pub(super) fn read(args: &str) -> String {
    args.len().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_in_bytes() {
        assert_eq!(read("hello"), "5");
        assert_eq!(read(""), "0");
        assert_eq!(read("a,b"), "3");
        assert_eq!(read("é"), "2");
    }
}
