//! Lines, items and their errors, as process_text_line reads them.
mod common;
use common::*;
use tandem_conf::{Op, Severity};

#[test]
fn items_keep_order_repeats_and_operator() {
    let l = one("[general]\nallow = ulaw\nallow=alaw\nexten => 100,1,Answer()\n");
    assert!(l.diagnostics.is_empty(), "{:?}", messages(&l));
    let s = section(&l, "general");
    assert_eq!(
        kv(s),
        pairs(&[
            ("allow", "ulaw"),
            ("allow", "alaw"),
            ("exten", "100,1,Answer()")
        ])
    );
    let ops: Vec<Op> = s.items.iter().map(|i| i.op).collect();
    assert_eq!(ops, vec![Op::Assign, Op::Assign, Op::Arrow]);
    assert_eq!(s.get("ALLOW"), Some("alaw"));
}

#[test]
fn spans_are_file_and_one_based_line() {
    let l = one("; header\n\n[a]\nx = 1\n");
    let s = section(&l, "a");
    assert_eq!(s.span.to_string(), "test.conf:3");
    assert_eq!(s.items[0].span.to_string(), "test.conf:4");
}

#[test]
fn whitespace_and_control_chars_trimmed_around_key_and_value() {
    let l = one("[a]\n\t key \t=\t value with  spaces \r\n");
    assert_eq!(
        kv(section(&l, "a")),
        pairs(&[("key", "value with  spaces")])
    );
}

#[test]
fn first_equal_sign_splits_key_from_value() {
    let l = one("[a]\nsetvar = A=B\nexten=>s,1,Set(x=1)\n");
    assert_eq!(
        kv(section(&l, "a")),
        pairs(&[("setvar", "A=B"), ("exten", "s,1,Set(x=1)")])
    );
}

#[test]
fn arrow_needs_gt_right_after_equal() {
    let l = one("[a]\nk = > v\n");
    let s = section(&l, "a");
    assert_eq!(s.items[0].value, "> v");
    assert_eq!(s.items[0].op, Op::Assign);
}

#[test]
fn empty_value_is_kept() {
    let l = one("[a]\nk =\n");
    assert_eq!(kv(section(&l, "a")), pairs(&[("k", "")]));
}

#[test]
fn item_before_any_section_is_an_error() {
    let l = one("x = 1\n[a]\ny = 2\n");
    assert_eq!(
        messages(&l),
        vec!["test.conf:1: error: parse error: no category context for this line (a [section] must come first)"]
    );
    assert_eq!(kv(section(&l, "a")), pairs(&[("y", "2")]));
}

#[test]
fn line_without_equal_sign_is_an_error() {
    let l = one("[a]\njunk\nok = 1\n");
    assert_eq!(
        messages(&l),
        vec!["test.conf:2: error: parse error: no '=' (equal sign) in this line"]
    );
    assert_eq!(kv(section(&l, "a")), pairs(&[("ok", "1")]));
}

#[test]
fn missing_variable_name_is_an_error() {
    let l = one("[a]\n = v\n");
    assert_eq!(
        messages(&l),
        vec!["test.conf:2: error: no variable name before '='"]
    );
}

#[test]
fn every_error_of_a_file_reported_in_one_pass() {
    let l = one("orphan = 1\n[a]\nbad line\n[b](nope)\n[c\n#frob x\n");
    let lines: Vec<u32> = l.diagnostics.iter().map(|d| d.span.line).collect();
    assert_eq!(lines, vec![1, 3, 4, 5, 6]);
    assert!(l.diagnostics.iter().all(|d| d.severity == Severity::Error));
    assert!(l.has_errors());
}

#[test]
fn leading_backslash_escapes_first_character_of_key() {
    let l = one("[a]\n\\[odd] = 1\n\\#hash = 2\n\\==3\n");
    assert!(l.diagnostics.is_empty(), "{:?}", messages(&l));
    assert_eq!(
        kv(section(&l, "a")),
        pairs(&[("[odd]", "1"), ("#hash", "2"), ("=", "3")])
    );
}

#[test]
fn backslash_followed_by_blank_is_invalid_escape() {
    let l = one("[a]\n\\ x = 1\n");
    assert_eq!(l.diagnostics.len(), 1);
    assert_eq!(l.diagnostics[0].span.line, 2);
    assert!(l.diagnostics[0].message.starts_with("invalid escape"));
}

#[test]
fn plus_equal_appends_to_last_item_of_that_name() {
    // The text after `+=` is appended unstripped (only the joined value is trimmed).
    let l = one("[a]\nk = one\nk +=, two\nother += x\n");
    assert_eq!(
        kv(section(&l, "a")),
        pairs(&[("k", "one, two"), ("other", "x")])
    );
}

#[test]
fn plus_equal_keeps_the_blanks_between_old_and_new_text() {
    let l = one("[a]\nk = x\nk += y  \n");
    assert_eq!(kv(section(&l, "a")), pairs(&[("k", "x y")]));
}

#[test]
fn plus_equal_rewrites_first_item_with_same_name_and_value() {
    // ast_variable_update picks the first `k` whose value equals the last `k`'s value.
    let l = one("[a]\nk = v\nk = v\nk +=2\n");
    assert_eq!(kv(section(&l, "a")), pairs(&[("k", "v2"), ("k", "v")]));
}

#[test]
fn plus_equal_on_inherited_item_makes_it_own() {
    let l = one("[t](!)\nallow = ulaw\n[p](t)\nallow += ,alaw\n");
    let p = section(&l, "p");
    assert_eq!(kv(p), pairs(&[("allow", "ulaw ,alaw")]));
    assert!(!p.items[0].inherited);
}

#[test]
fn unknown_directive_and_exec_are_errors() {
    let l = one("[a]\n#exec /bin/echo\n#frobnicate x\n#include\n");
    assert_eq!(
        messages(&l),
        vec![
            "test.conf:2: error: #exec is not supported",
            "test.conf:3: error: unknown directive '#frobnicate'",
            "test.conf:4: error: directive '#include' needs an argument (a file name)",
        ]
    );
}

#[test]
fn line_of_8191_bytes_is_skipped_with_the_next_chunk() {
    // fgets(8192): a chunk of 8191 bytes is "too long"; Asterisk then reads on until a shorter
    // chunk, so a line of exactly 8190 characters + newline also swallows the line after it.
    let long = format!("k = {}", "x".repeat(8186));
    assert_eq!(long.len() + 1, 8191);
    let l = one(&format!("[a]\n{long}\neaten = 1\nkept = 2\n"));
    assert_eq!(kv(section(&l, "a")), pairs(&[("kept", "2")]));
    assert_eq!(l.diagnostics.len(), 1);
    assert_eq!(l.diagnostics[0].severity, Severity::Warning);
    assert_eq!(l.diagnostics[0].span.line, 2);
    // One byte shorter is fine.
    let ok = format!("k = {}", "x".repeat(8185));
    let l = one(&format!("[a]\n{ok}\nnext = 1\n"));
    assert!(l.diagnostics.is_empty());
    assert_eq!(section(&l, "a").items.len(), 2);
}

#[test]
fn non_utf8_free_text_never_panics() {
    let l = one("[a]\nk = \u{fffd}\u{0}\u{7f}\n[\n#\n\\\n=\n");
    assert!(l.has_errors());
}

#[test]
fn missing_top_file_is_an_error_at_line_zero() {
    let l = tandem_conf::load(&tandem_conf::MemSource::new(), "sip.conf");
    assert_eq!(
        messages(&l),
        vec!["sip.conf: error: cannot read file: No such file or directory"]
    );
    assert!(tandem_conf::load_optional(&tandem_conf::MemSource::new(), "sip.conf").is_none());
}
