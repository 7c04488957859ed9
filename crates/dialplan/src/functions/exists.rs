//! `EXISTS(data)` (func_logic.c): `1` when the argument is not empty, else `0`.

pub(super) fn read(args: &str) -> String {
    if args.is_empty() { "0" } else { "1" }.to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn non_empty_exists() {
        assert_eq!(super::read(""), "0");
        assert_eq!(super::read("x"), "1");
        assert_eq!(super::read("0"), "1");
    }
}
