//! `;` comments, `\;`, and `;-- --;` block comments across lines.
mod common;
use common::*;

#[test]
fn trailing_comment_removed() {
    let l = one("[a] ; the a section\nk = v ; note\n; whole line\n");
    assert!(l.diagnostics.is_empty(), "{:?}", messages(&l));
    assert_eq!(kv(section(&l, "a")), pairs(&[("k", "v")]));
}

#[test]
fn escaped_semicolon_is_kept_literally() {
    let l = one("[a]\nexten => s,1,Set(X=a\\;b) ; real comment\n");
    assert_eq!(section(&l, "a").items[0].value, "s,1,Set(X=a;b)");
}

#[test]
fn block_comment_spanning_lines_hides_them_and_keeps_numbers() {
    let l = one("[a]\n;-- old stuff\nx = 1\n[hidden]\n--;\ny = 2\n");
    assert!(l.diagnostics.is_empty(), "{:?}", messages(&l));
    assert_eq!(l.config.sections.len(), 1);
    let a = section(&l, "a");
    assert_eq!(kv(a), pairs(&[("y", "2")]));
    assert_eq!(a.items[0].span.line, 6);
}

#[test]
fn text_around_a_block_comment_is_joined() {
    let l = one("[a]\nk = ab;-- gone\nstill gone --;cd\n");
    assert_eq!(kv(section(&l, "a")), pairs(&[("k", "ab")]));
    let l = one("[a]\nk = ab;-- gone --;cd\n");
    assert_eq!(kv(section(&l, "a")), pairs(&[("k", "abcd")]));
}

#[test]
fn block_comments_nest() {
    let l = one("[a]\n;-- outer\n;-- inner --;\nhidden = 1\n--;\nshown = 1\n");
    assert_eq!(kv(section(&l, "a")), pairs(&[("shown", "1")]));
}

#[test]
fn dashed_banner_lines_are_plain_comments() {
    let l = one(";------------------\n[a]\n;--- note ---\nk = 1\n");
    assert!(l.diagnostics.is_empty());
    assert_eq!(kv(section(&l, "a")), pairs(&[("k", "1")]));
}

#[test]
fn unterminated_block_comment_is_a_warning_at_its_start() {
    let l = one("[a]\nk = 1\n;-- never closed\nj = 2\n");
    assert_eq!(
        messages(&l),
        vec!["test.conf:3: warning: unterminated block comment (';--' never closed by '--;')"]
    );
    assert_eq!(kv(section(&l, "a")), pairs(&[("k", "1")]));
}

#[test]
fn stray_block_close_hides_what_follows_as_asterisk_does() {
    let l = one("[a]\nk = v--;x\nj = 2\n;-- reopen\nback = 1\n");
    // The line itself keeps its text; the counter goes to -1; `;--` brings it back to 0.
    assert_eq!(
        kv(section(&l, "a")),
        pairs(&[("k", "v--;x"), ("back", "1")])
    );
    assert_eq!(l.diagnostics.len(), 1);
    assert_eq!(l.diagnostics[0].span.line, 2);
}

#[test]
fn comment_state_does_not_leak_into_includes() {
    let src = tandem_conf::MemSource::new()
        .with("main.conf", "[a]\n#include inc.conf\nafter = 1\n")
        .with("inc.conf", ";-- open\n");
    let l = tandem_conf::load(&src, "main.conf");
    assert_eq!(kv(section(&l, "a")), pairs(&[("after", "1")]));
    assert_eq!(
        messages(&l),
        vec!["inc.conf:1: warning: unterminated block comment (';--' never closed by '--;')"]
    );
}
