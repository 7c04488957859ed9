//! Section headers: templates, inheritance, `(+)`, and the quirks of how Asterisk reads them.
mod common;
use common::*;

#[test]
fn template_is_marked_and_skipped_by_sections_named() {
    let l = one("[tpl](!)\nhost = dynamic\n[tpl]\nx = 1\n");
    assert!(section(&l, "tpl").template);
    let visible: Vec<_> = l.config.sections_named("tpl").collect();
    assert_eq!(visible.len(), 1);
    assert_eq!(kv(visible[0]), pairs(&[("x", "1")]));
}

#[test]
fn inheritance_copies_items_first_in_template_order() {
    let l = one("[a](!)\nx = a\ny = a\n[b](!)\nx = b\n[peer](a,b)\nx = own\n");
    assert!(l.diagnostics.is_empty(), "{:?}", messages(&l));
    let p = section(&l, "peer");
    assert_eq!(p.inherits, vec!["a", "b"]);
    assert_eq!(
        kv(p),
        pairs(&[("x", "a"), ("y", "a"), ("x", "b"), ("x", "own")])
    );
    let inherited: Vec<bool> = p.items.iter().map(|i| i.inherited).collect();
    assert_eq!(inherited, vec![true, true, true, false]);
    assert_eq!(p.get("x"), Some("own"));
    // Inherited items keep the span where they were written.
    assert_eq!(p.items[2].span.to_string(), "test.conf:5");
}

#[test]
fn template_that_inherits_is_both() {
    let l = one("[base](!)\nk = 1\n[mid](!,base)\nj = 2\n[leaf](mid)\n");
    let mid = section(&l, "mid");
    assert!(mid.template);
    assert_eq!(kv(section(&l, "leaf")), pairs(&[("k", "1"), ("j", "2")]));
}

#[test]
fn any_earlier_section_can_be_inherited_case_insensitively() {
    let l = one("[Plain]\nk = 1\n[child](plain)\n");
    assert!(l.diagnostics.is_empty());
    assert_eq!(kv(section(&l, "child")), pairs(&[("k", "1")]));
    assert_eq!(section(&l, "child").inherits, vec!["Plain"]);
}

#[test]
fn unknown_template_is_an_error_and_the_section_still_opens() {
    let l = one("[a](!)\n[peer](a,missing)\nk = 1\n");
    assert_eq!(
        messages(&l),
        vec!["test.conf:2: error: unknown template 'missing': no section of that name before this line"]
    );
    assert_eq!(kv(section(&l, "peer")), pairs(&[("k", "1")]));
}

#[test]
fn template_must_come_before_its_use() {
    let l = one("[peer](later)\n[later](!)\n");
    assert_eq!(l.diagnostics.len(), 1);
    assert_eq!(l.diagnostics[0].span.line, 1);
}

#[test]
fn options_are_not_trimmed() {
    // strsep on ',' only: " a" is not "a".
    let l = one("[a](!)\n[b](!, a)\n");
    assert_eq!(
        messages(&l),
        vec!["test.conf:2: error: unknown template ' a': no section of that name before this line"]
    );
}

#[test]
fn options_only_when_paren_follows_bracket() {
    let l = one("[t] (!)\nk = 1\n");
    let t = section(&l, "t");
    assert!(!t.template);
    assert_eq!(l.diagnostics.len(), 1);
    assert_eq!(l.diagnostics[0].severity, tandem_conf::Severity::Warning);
}

#[test]
fn name_is_not_trimmed() {
    let l = one("[ spaced ]\nk = 1\n");
    assert_eq!(l.config.sections[0].name, " spaced ");
}

#[test]
fn plus_appends_to_the_earlier_section() {
    let l = one("[a]\nx = 1\n[b]\ny = 1\n[a](+)\nz = 2\n");
    assert!(l.diagnostics.is_empty(), "{:?}", messages(&l));
    assert_eq!(l.config.sections.len(), 2);
    assert_eq!(kv(section(&l, "a")), pairs(&[("x", "1"), ("z", "2")]));
    assert_eq!(section(&l, "a").span.line, 1);
}

#[test]
fn plus_with_templates_and_bang() {
    let l = one("[t](!)\nq = 1\n[a]\nx = 1\n[a](+,t)\ny = 2\n[a](!,+)\n");
    let a = section(&l, "a");
    assert_eq!(kv(a), pairs(&[("x", "1"), ("q", "1"), ("y", "2")]));
    assert!(a.items[1].inherited);
    assert!(a.template);
}

#[test]
fn plus_ignores_templates() {
    let l = one("[t](!)\nk = 1\n[t](+)\nj = 2\n");
    assert_eq!(l.diagnostics.len(), 1);
    assert_eq!(l.diagnostics[0].span.to_string(), "test.conf:3");
    assert!(
        l.diagnostics[0].message.contains("no section 't'")
            || l.diagnostics[0].message.contains("there is none")
    );
}

#[test]
fn plus_without_earlier_section_is_an_error() {
    let l = one("[a](+)\nk = 1\n");
    assert_eq!(l.diagnostics.len(), 1);
    assert_eq!(l.diagnostics[0].span.line, 1);
    // The items still land somewhere (no cascade of "no category" errors).
    assert_eq!(kv(section(&l, "a")), pairs(&[("k", "1")]));
}

#[test]
fn plus_goes_to_the_first_of_several_sections() {
    let l = one("[a]\nn = 1\n[a]\nn = 2\n[a](+)\nn = 3\n");
    let firsts: Vec<_> = l.config.sections_named("a").map(kv).collect();
    assert_eq!(
        firsts,
        vec![pairs(&[("n", "1"), ("n", "3")]), pairs(&[("n", "2")])]
    );
}

#[test]
fn broken_headers_report_and_drop_their_items() {
    let l = one("[a\nk = 1\n[b](x\nk = 2\n[c]\nk = 3\n");
    assert_eq!(
        messages(&l),
        vec![
            "test.conf:1: error: parse error: no closing ']'",
            "test.conf:3: error: parse error: no closing ')'"
        ]
    );
    assert_eq!(l.config.sections.len(), 1);
    assert_eq!(kv(section(&l, "c")), pairs(&[("k", "3")]));
}

#[test]
fn long_section_names_truncate_to_79_bytes() {
    let name = "n".repeat(100);
    let l = one(&format!("[{name}]\n"));
    assert_eq!(l.config.sections[0].name.len(), 79);
    assert_eq!(l.diagnostics.len(), 1);
}
