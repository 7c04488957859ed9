//! Finding the dialplan functions an application's data calls, so a misspelt one is reported
//! when the dialplan loads: `${NAME(...)}` anywhere, and `NAME(` inside `$[...]`.

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The end (exclusive) of the `$[` expression starting at `start` (the index of `$`), with
/// nested brackets counted; the end of the text when it is not closed.
fn expr_end(b: &[u8], start: usize) -> usize {
    let mut depth = 0u32;
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'[' => depth += 1,
            b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
        i += 1;
    }
    b.len()
}

/// Function names called in `data`, in order of appearance (duplicates kept).
pub(crate) fn function_names(data: &str) -> Vec<&str> {
    let b = data.as_bytes();
    let mut out = Vec::new();
    // Byte ranges that are inside a `$[...]`.
    let mut exprs: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'$' && b[i + 1] == b'[' {
            let end = expr_end(b, i);
            exprs.push((i + 2, end));
        }
        i += 1;
    }
    let in_expr = |p: usize| exprs.iter().any(|&(s, e)| p >= s && p < e);
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if !is_ident_start(c) || (i > 0 && is_ident(b[i - 1])) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && is_ident(b[i]) {
            i += 1;
        }
        if b.get(i) != Some(&b'(') {
            continue;
        }
        let after_brace = start >= 2 && b[start - 1] == b'{' && b[start - 2] == b'$';
        if after_brace || (in_expr(start) && (start == 0 || b[start - 1] != b'{')) {
            out.push(&data[start..i]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_functions_in_substitutions() {
        assert_eq!(function_names("${CALLERID(num)}"), vec!["CALLERID"]);
        assert_eq!(
            function_names("x=${CUT(${DB(a/b)},-,1)}"),
            vec!["CUT", "DB"]
        );
        assert_eq!(function_names("${EXTEN:1}"), Vec::<&str>::new());
        assert_eq!(function_names("SIP/${EXTEN}(x)"), Vec::<&str>::new());
    }

    #[test]
    fn finds_functions_inside_expressions() {
        assert_eq!(function_names("$[ LEN(${X}) > 2 ]"), vec!["LEN"]);
        assert_eq!(function_names("$[${LEN(${X})} > (1 + 2)]"), vec!["LEN"]);
        assert_eq!(function_names("$[$[1+2] * ISNULL(a)]"), vec!["ISNULL"]);
    }

    #[test]
    fn plain_text_with_parentheses_is_not_a_function() {
        assert_eq!(function_names("hello(world)"), Vec::<&str>::new());
        assert_eq!(function_names("Dial(SIP/100)"), Vec::<&str>::new());
    }
}
