//! `ISNULL(data)` (func_logic.c): `1` when the argument is empty, else `0`.

pub(super) fn read(args: &str) -> String {
    if args.is_empty() { "1" } else { "0" }.to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn empty_is_null() {
        assert_eq!(super::read(""), "1");
        assert_eq!(super::read(" "), "0");
        assert_eq!(super::read("0"), "0");
    }
}
