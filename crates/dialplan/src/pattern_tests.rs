use super::*;
use crate::model::MatchMode::{CanMatch, Match, MatchMore};

fn m(p: &str, d: &str, mode: MatchMode) -> MatchResult {
    Pattern::new(p).matches(d, mode)
}

fn sorted(list: &[&str]) -> Vec<String> {
    let mut v: Vec<Pattern> = list.iter().map(|s| Pattern::new(s)).collect();
    v.sort_by(ext_cmp);
    v.iter().map(|p| p.as_str().to_string()).collect()
}

#[test]
fn asterisk_sort_order_of_the_common_families() {
    let got = sorted(&[
        "_!",
        "_X!",
        "_.",
        "_X.",
        "_XXX",
        "_[2-9]XX",
        "_NXXNXXXXXX",
        "_9.",
        "_2XX",
        "_1NXXNXXXXXX",
        "2125551234",
        "100",
    ]);
    assert_eq!(
        got,
        vec![
            "100",
            "2125551234",
            "_1NXXNXXXXXX",
            "_2XX",
            "_9.",
            "_NXXNXXXXXX",
            "_[2-9]XX",
            "_XXX",
            "_X.",
            "_X!",
            "_.",
            "_!",
        ]
    );
}

#[test]
fn literal_extensions_sort_before_any_pattern() {
    assert_eq!(ext_cmp_str("999999", "_1"), Ordering::Less);
    assert_eq!(ext_cmp_str("_1", "0"), Ordering::Greater);
}

#[test]
fn longer_pattern_sorts_before_shorter_with_same_prefix() {
    // "pattern ended" (0x30000) is the least specific position of all.
    assert_eq!(ext_cmp_str("_XX", "_X"), Ordering::Less);
    assert_eq!(ext_cmp_str("_X.", "_X"), Ordering::Less);
    assert_eq!(ext_cmp_str("_X!", "_X"), Ordering::Less);
}

#[test]
fn smaller_set_sorts_first_then_lowest_character() {
    assert_eq!(ext_cmp_str("_[5-9]", "_[2-8]"), Ordering::Less); // 5 chars before 7
    assert_eq!(ext_cmp_str("_[1-3]", "_[2-4]"), Ordering::Less); // same size, lower first
    assert_eq!(ext_cmp_str("_N", "_Z"), Ordering::Less);
    assert_eq!(ext_cmp_str("_Z", "_X"), Ordering::Less);
    // Same size and same lowest character: the set with more low characters first.
    assert_eq!(ext_cmp_str("_[135]", "_[145]"), Ordering::Less);
}

#[test]
fn equivalent_spellings_are_the_same_extension() {
    assert_eq!(ext_cmp_str("_[0-9].", "_X."), Ordering::Equal);
    assert_eq!(ext_cmp_str("_nxx", "_NXX"), Ordering::Equal);
    assert_eq!(ext_cmp_str("_[2-9]XX", "_NXX"), Ordering::Equal);
    assert_eq!(ext_cmp_str("_[1]", "_1"), Ordering::Equal);
    assert_eq!(ext_cmp_str("1-800", "1800"), Ordering::Equal);
    assert_eq!(ext_cmp_str("_1-NXX", "_1NXX"), Ordering::Equal);
}

#[test]
fn empty_set_takes_no_position_when_sorting() {
    assert_eq!(ext_cmp_str("_1[]2", "_12"), Ordering::Equal);
}

#[test]
fn unterminated_set_sorts_last_at_its_position() {
    assert_eq!(ext_cmp_str("_1[2", "_1!"), Ordering::Greater);
}

#[test]
fn plain_extensions_compare_with_signed_chars() {
    // C's `char` is signed: a UTF-8 lead byte sorts before the end of the string.
    assert_eq!(ext_cmp_str("a\u{e9}", "a"), Ordering::Less);
    assert_eq!(ext_cmp_str("10", "100"), Ordering::Less);
    assert_eq!(ext_cmp_str("2", "100"), Ordering::Greater);
}

#[test]
fn literal_extension_modes() {
    assert_eq!(m("100", "100", Match), MatchResult::Yes);
    assert_eq!(m("100", "1-00", Match), MatchResult::Yes);
    assert_eq!(m("100", "10", Match), MatchResult::No);
    assert_eq!(m("100", "10", CanMatch), MatchResult::Yes);
    assert_eq!(m("100", "10", MatchMore), MatchResult::Yes);
    assert_eq!(m("100", "100", MatchMore), MatchResult::No);
    assert_eq!(m("100", "100", CanMatch), MatchResult::Yes);
    assert_eq!(m("100", "", CanMatch), MatchResult::Yes);
    assert_eq!(m("100", "1000", CanMatch), MatchResult::No);
    assert_eq!(m("100", "20", CanMatch), MatchResult::No);
}

#[test]
fn dot_needs_one_more_and_always_wants_more() {
    assert_eq!(m("_X.", "5", Match), MatchResult::No);
    assert_eq!(m("_X.", "5", CanMatch), MatchResult::Yes);
    assert_eq!(m("_X.", "5", MatchMore), MatchResult::Yes);
    assert_eq!(m("_X.", "55", Match), MatchResult::Yes);
    assert_eq!(m("_X.", "55", MatchMore), MatchResult::Yes);
    assert_eq!(m("_9.", "95551234", Match), MatchResult::Yes);
    assert_eq!(m("_9.", "85551234", Match), MatchResult::No);
}

#[test]
fn bang_is_an_early_match() {
    assert_eq!(m("_X!", "5", Match), MatchResult::Early);
    assert_eq!(m("_X!", "5", MatchMore), MatchResult::Early);
    assert_eq!(m("_X!", "51234", Match), MatchResult::Early);
    assert_eq!(m("_X!", "", CanMatch), MatchResult::Yes);
    assert_eq!(m("_X!", "", Match), MatchResult::No);
}

#[test]
fn fixed_length_pattern_modes() {
    assert_eq!(m("_XXX", "123", Match), MatchResult::Yes);
    assert_eq!(m("_XXX", "123", MatchMore), MatchResult::No);
    assert_eq!(m("_XXX", "12", MatchMore), MatchResult::Yes);
    assert_eq!(m("_XXX", "12", Match), MatchResult::No);
    assert_eq!(m("_XXX", "1234", CanMatch), MatchResult::No);
    assert_eq!(m("_NXX", "123", Match), MatchResult::No);
    assert_eq!(m("_ZXX", "023", Match), MatchResult::No);
    assert_eq!(m("_nxx", "223", Match), MatchResult::Yes);
}

#[test]
fn character_sets_and_ranges() {
    assert!(extension_match("_[1-35]", "3"));
    assert!(extension_match("_[1-35]", "5"));
    assert!(!extension_match("_[1-35]", "4"));
    assert!(extension_match("_[a-c]", "b"));
    assert!(!extension_match("_[a-c]", "B"));
    // A dash with nothing after it before `]` is literal; a reversed range matches nothing.
    assert!(extension_match("_[a-]", "a"));
    assert!(!extension_match("_[5-3]", "4"));
}

#[test]
fn empty_set_is_skipped_only_while_digits_remain() {
    assert_eq!(m("_[]1", "1", Match), MatchResult::Yes);
    assert_eq!(m("_1[]", "1", Match), MatchResult::No);
    assert_eq!(m("_1[]", "1", CanMatch), MatchResult::Yes);
}

#[test]
fn unterminated_set_fails_when_reached() {
    assert_eq!(m("_1[23", "12", CanMatch), MatchResult::No);
    assert_eq!(m("_1[23", "1", CanMatch), MatchResult::Yes);
}

#[test]
fn pattern_matches_itself_when_dialled_as_pattern() {
    assert!(extension_match("_X.", "_X."));
    assert!(extension_match("_X.", "_[0-9]."));
}

#[test]
fn fluff_is_removed_as_asterisk_stores_it() {
    assert_eq!(strip_fluff("_1-[2-3] 4", true), "_1[2-3]4");
    assert_eq!(strip_fluff("1-800 555", true), "1800555");
    assert_eq!(display_name("1-800 555"), "1-800555");
    assert_eq!(Pattern::new("_NXX-XXXX").as_str(), "_NXXXXXX");
}

#[test]
fn caller_id_match_rules() {
    let empty = Pattern::new("");
    assert!(match_cid(&empty, None));
    assert!(match_cid(&empty, Some("")));
    assert!(!match_cid(&empty, Some("5551234")));
    let p = Pattern::new("_555X.");
    assert!(match_cid(&p, Some("5551234")));
    assert!(!match_cid(&p, Some("4441234")));
    assert!(!match_cid(&p, None));
}

#[test]
fn cid_variants_sort_after_the_plain_extension() {
    let e = Pattern::new("100");
    let c1 = Pattern::new("_555X.");
    let c2 = Pattern::new("5551234");
    assert_eq!(ext_cid_cmp(&e, None, &e, Some(&c1)), Ordering::Less);
    assert_eq!(ext_cid_cmp(&e, Some(&c2), &e, Some(&c1)), Ordering::Less);
    assert_eq!(ext_cid_cmp(&e, Some(&c1), &e, Some(&c1)), Ordering::Equal);
}
