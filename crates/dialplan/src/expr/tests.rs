//! The expression table: each row pins what Asterisk's ast_expr2 gives.

use super::*;
use crate::functions::testenv::TestEnv;

fn ev(text: &str) -> String {
    evaluate(text, &mut TestEnv::new()).unwrap_or_else(|e| format!("ERR {e}"))
}

fn table(rows: &[(&str, &str)]) {
    for (input, want) in rows {
        assert_eq!(ev(input), *want, "$[{input}]");
    }
}

#[test]
fn arithmetic() {
    table(&[
        ("1+2", "3"),
        ("1 + 2", "3"),
        ("10-4", "6"),
        ("6*7", "42"),
        ("7/2", "3.5"),
        ("10/3", "3.33333333333333333"),
        ("8/2", "4"),
        ("7%3", "1"),
        ("-7%3", "-1"),
        ("7.5%2", "1.5"),
        ("1.5+1.5", "3"),
        ("0.1+0.2", "0.3"),
        ("2-5", "-3"),
    ]);
}

#[test]
fn precedence_and_associativity() {
    table(&[
        ("1+2*3", "7"),
        ("(1+2)*3", "9"),
        ("10-2-3", "5"),
        ("100/10/5", "2"),
        ("2*3%4", "2"),
        ("1+1=2", "1"),
        ("1=1&0=1", "0"),
        ("0&1|1", "1"),
        ("1|0&0", "1"),
        ("- 2 * 3", "-6"),
        ("--3", "3"),
        ("!0+1", "2"),
    ]);
}

#[test]
fn unary_minus_binds_looser_than_regex_operators() {
    // -(5 : 5) : the ':' binds tighter than the unary minus.
    table(&[("-5:5", "-1"), ("! abc : abc", "0")]);
}

#[test]
fn numeric_and_string_comparison() {
    table(&[
        ("10 > 9", "1"),
        ("10 < 9", "0"),
        ("abc < abd", "1"),
        ("b > abc", "1"),
        ("10 >= 10", "1"),
        ("9 <= 10", "1"),
        ("010 = 10", "1"),
        ("1.0 = 1", "1"),
        ("abc = abc", "1"),
        ("abc != abd", "1"),
        ("10 = 10a", "0"),
        ("2 < 10", "1"),
        // one side a string: string comparison
        ("2a < 10", "0"),
    ]);
}

#[test]
fn quoted_strings_keep_quotes_in_comparisons() {
    table(&[
        ("\"abc\" = \"abc\"", "1"),
        ("\"abc\" = abc", "0"),
        ("\"10\" = 10", "0"),
        ("\"a b\"", "\"a b\""),
        ("\"\"", "\"\""),
    ]);
}

#[test]
fn number_tokens_are_kept_as_typed_until_used() {
    table(&[
        ("007", "007"),
        ("1.50", "1.50"),
        ("007 | 5", "7"),
        ("007 + 0", "7"),
        ("0 | 007", "007"),
        ("abc", "abc"),
        ("", ""),
        ("   ", ""),
    ]);
}

#[test]
fn or_and_semantics() {
    table(&[
        ("0 | abc", "abc"),
        ("abc | def", "abc"),
        ("\"\" | x", "\"\""),
        ("abc & def", "abc"),
        ("abc & 0", "0"),
        ("0 & abc", "0"),
        ("1 || 0", "1"),
        ("1 && 2", "1"),
    ]);
}

#[test]
fn conditional() {
    table(&[
        ("1 ? yes :: no", "yes"),
        ("0 ? yes :: no", "no"),
        ("abc ? yes :: no", "yes"),
        ("\"\" ? yes :: no", "no"),
        ("2 > 1 ? a :: b", "a"),
        ("1 ? 0 ? a :: b :: c", "b"),
        ("0 ? a :: 1 ? b :: c", "b"),
        ("1?2+3::4", "5"),
        ("0 | 0 ? a :: b", "b"),
    ]);
}

#[test]
fn regex_match_colon_is_anchored() {
    table(&[
        ("abcdef : abc", "3"),
        ("abcdef : bcd", "0"),
        ("abcdef : \"a.*\"", "6"),
        ("5551234 : \"555(.*)\"", "1234"),
        ("5551234 : \"666(.*)\"", ""),
        ("abc : \"a(b)c\"", "b"),
        ("\"abc\" : \"ab\"", "2"),
        ("123 : \"[0-9]+\"", "3"),
        ("abc : \"(x)?abc\"", "3"),
        ("12 : \"^1\"", "1"),
    ]);
}

#[test]
fn unquoted_regex_metacharacters_are_operators() {
    // '*', '(', '-' and '+' are operators and '[' is dropped: patterns need quotes.
    for bad in ["abc : a.*", "555 : 555(.*)", "123 : [0-9]+"] {
        assert!(evaluate(bad, &mut TestEnv::new()).is_err(), "{bad}");
    }
}

#[test]
fn regex_eqtilde_matches_anywhere() {
    table(&[
        ("abcdef =~ cde", "3"),
        ("abcdef =~ x", "0"),
        ("abcdef =~ \"c(d)e\"", "d"),
        ("abcdef =~ \"x(y)\"", ""),
    ]);
}

#[test]
fn regex_error_is_empty_with_warning() {
    let mut env = TestEnv::new();
    assert_eq!(evaluate("a : \"[a\"", &mut env).unwrap(), "");
    assert!(env.warnings.iter().any(|w| w.contains("regcomp")));
}

#[test]
fn string_concatenation() {
    table(&[
        ("ab ~~ cd", "abcd"),
        ("\"a b\" ~~ c", "a bc"),
        ("1 ~~ 2", "12"),
    ]);
}

#[test]
fn complement() {
    table(&[
        ("!0", "1"),
        ("!1", "0"),
        ("!abc", "1"),
        ("!\"\"", "1"),
        ("!5", "0"),
        ("!0.5", "1"),
        ("!(1-0.5)", "0"),
    ]);
}

#[test]
fn non_numeric_operands() {
    table(&[
        ("abc + 1", "1"),
        ("1 + abc", "1"),
        ("abc + def", "0"),
        ("abc - 3", "-3"),
        ("3 - abc", "3"),
        ("abc * 2", "0"),
        ("abc / 2", "0"),
        ("2 / abc", "2147483647"),
        ("abc % 2", "0"),
        ("-abc", "0"),
        (".5 + 1", "1"),
    ]);
}

#[test]
fn division_by_zero() {
    let mut env = TestEnv::new();
    assert_eq!(evaluate("5 / 0", &mut env).unwrap(), "2147483647");
    assert!(env.warnings.iter().any(|w| w.contains("division by zero")));
    table(&[("5 % 0", "0")]);
}

#[test]
fn syntax_errors() {
    for bad in [
        "1 +",
        "(1",
        "1 ? 2",
        "1 ? 2 : 3",
        "a,b",
        "FOO()",
        "1 2",
        "::",
    ] {
        assert!(evaluate(bad, &mut TestEnv::new()).is_err(), "{bad}");
    }
}

#[test]
fn math_functions() {
    table(&[
        ("SQRT(16)", "4"),
        ("POW(2,10)", "1024"),
        ("ABS(-3)", "3"),
        ("FLOOR(2.7)", "2"),
        ("CEIL(2.1)", "3"),
        ("ROUND(2.5)", "3"),
        ("TRUNC(-2.7)", "-2"),
        ("1 + ABS(-1)", "2"),
        ("SQRT(1,2)", "0"),
        ("sqrt(4)", "0"),
    ]);
}

#[test]
fn dialplan_functions_inside_expressions() {
    let mut env = TestEnv::new();
    assert_eq!(evaluate("LEN(hello) + 1", &mut env).unwrap(), "6");
    assert_eq!(evaluate("TOUPPER(abc) = ABC", &mut env).unwrap(), "1");
    assert_eq!(evaluate("NOSUCHFUNC(1)", &mut env).unwrap(), "0");
    // An empty result is the number 0.
    assert_eq!(evaluate("GLOBAL(X) + 2", &mut env).unwrap(), "2");
}

#[test]
fn check_condition_like_pbx_checkcondition() {
    assert!(!check_condition(""));
    assert!(!check_condition("0"));
    assert!(check_condition("1"));
    assert!(check_condition("-1"));
    assert!(check_condition("abc"));
    assert!(!check_condition(" 0"));
    assert!(!check_condition("00x"));
    assert!(check_condition(" "));
}

#[test]
fn deep_nesting_is_bounded() {
    let text = "(".repeat(5000) + "1" + &")".repeat(5000);
    assert_eq!(
        evaluate(&text, &mut TestEnv::new()),
        Err(ExprError::TooDeep)
    );
}
