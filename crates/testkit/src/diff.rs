//! Line diffs for golden comparisons: a failing test says which lines differ, not only that
//! two long strings are unequal.

/// A unified-style listing of `expected` against `actual`: ` ` common, `-` only expected,
/// `+` only actual (longest common subsequence on lines; inputs are small).
pub fn line_diff(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    // LCS table, (e.len()+1) x (a.len()+1).
    let w = a.len() + 1;
    let mut t = vec![0u32; (e.len() + 1) * w];
    for i in (0..e.len()).rev() {
        for j in (0..a.len()).rev() {
            t[i * w + j] = if e[i] == a[j] {
                t[(i + 1) * w + j + 1] + 1
            } else {
                t[(i + 1) * w + j].max(t[i * w + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = String::new();
    while i < e.len() || j < a.len() {
        if i < e.len() && j < a.len() && e[i] == a[j] {
            out.push_str(&format!("  {}\n", e[i]));
            i += 1;
            j += 1;
        } else if i < e.len() && (j == a.len() || t[(i + 1) * w + j] >= t[i * w + j + 1]) {
            out.push_str(&format!("- {}\n", e[i]));
            i += 1;
        } else {
            out.push_str(&format!("+ {}\n", a[j]));
            j += 1;
        }
    }
    out
}

/// Panic with a line diff (`-` expected, `+` actual) if the two texts differ line by line.
pub fn assert_lines_eq(what: &str, expected: &str, actual: &str) {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    if e != a {
        panic!(
            "{what}: output differs (- expected, + actual):\n{}",
            line_diff(expected, actual)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_marks_removed_and_added_lines() {
        let d = line_diff("a\nb\nc\n", "a\nx\nc\n");
        assert_eq!(d, "  a\n- b\n+ x\n  c\n");
    }

    #[test]
    fn equal_texts_pass() {
        assert_lines_eq("same", "a\nb\n", "a\nb");
    }
}
