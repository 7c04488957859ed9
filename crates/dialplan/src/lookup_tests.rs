use crate::load::tests::load_text;
use crate::model::{Dialplan, MatchMode, Target};
use crate::LocalTime;

/// Friday 2024-03-15 at `h:m` UTC.
fn fri(h: i64, m: i64) -> LocalTime {
    LocalTime::new(1_710_460_800 + h * 3600 + m * 60, 0)
}

fn dp(text: &str) -> Dialplan {
    let (dp, d) = load_text(text);
    assert!(d.iter().all(|x| !x.contains("error")), "{d:?}");
    dp
}

/// The data of priority 1 that `exten` reaches from `ctx`.
fn which(dp: &Dialplan, ctx: &str, exten: &str) -> Option<String> {
    dp.find(ctx, exten, Target::Priority(1), None, fri(12, 0))
        .map(|f| f.priority.data.clone())
}

#[test]
fn nine_dot_wins_over_x_dot() {
    let d = dp("[c]\nexten => _X.,1,NoOp(X.)\nexten => _9.,1,NoOp(9.)\n");
    assert_eq!(which(&d, "c", "95551234").as_deref(), Some("9."));
    assert_eq!(which(&d, "c", "85551234").as_deref(), Some("X."));
}

#[test]
fn ten_digit_pattern_wins_over_catch_all() {
    let d = dp("[c]\nexten => _X.,1,NoOp(X.)\nexten => _NXXNXXXXXX,1,NoOp(NANP)\nexten => _1NXXNXXXXXX,1,NoOp(1NANP)\n");
    assert_eq!(which(&d, "c", "2125551234").as_deref(), Some("NANP"));
    assert_eq!(which(&d, "c", "12125551234").as_deref(), Some("1NANP"));
    assert_eq!(which(&d, "c", "0125551234").as_deref(), Some("X."));
}

#[test]
fn literal_digit_beats_sets_at_the_first_position() {
    let d = dp("[c]\nexten => _XXX,1,NoOp(XXX)\nexten => _[2-9]XX,1,NoOp(2-9)\nexten => _2XX,1,NoOp(2XX)\n");
    assert_eq!(which(&d, "c", "250").as_deref(), Some("2XX"));
    assert_eq!(which(&d, "c", "350").as_deref(), Some("2-9"));
    assert_eq!(which(&d, "c", "150").as_deref(), Some("XXX"));
}

#[test]
fn literal_extension_beats_every_pattern() {
    let d =
        dp("[c]\nexten => _X.,1,NoOp(X.)\nexten => _1XX,1,NoOp(1XX)\nexten => 100,1,NoOp(100)\n");
    assert_eq!(which(&d, "c", "100").as_deref(), Some("100"));
    assert_eq!(which(&d, "c", "1-0-0").as_deref(), Some("100"));
    assert_eq!(which(&d, "c", "101").as_deref(), Some("1XX"));
}

#[test]
fn bang_matches_early_and_stops_matchmore() {
    let d = dp("[c]\nexten => _X!,1,NoOp(X!)\nexten => _X.,1,NoOp(X.)\n");
    // `_X.` sorts before `_X!`, so longer numbers go there; a single digit only matches `_X!`.
    assert_eq!(which(&d, "c", "5").as_deref(), Some("X!"));
    assert_eq!(which(&d, "c", "55").as_deref(), Some("X."));
    // `_X.` wants more after "5", so MatchMore is true before `_X!` is reached.
    assert!(d.matches("c", "5", None, fri(12, 0), MatchMode::MatchMore));
    let d = dp("[c]\nexten => _X!,1,NoOp(X!)\nexten => _5XX,1,NoOp(5XX)\n");
    // `_5XX` comes first and wants more digits.
    assert!(d.matches("c", "5", None, fri(12, 0), MatchMode::MatchMore));
    let d = dp("[c]\nexten => _X!,1,NoOp(X!)\n[p]\ninclude => c\ninclude => e\n[e]\nexten => _XX,1,NoOp()\n");
    // `!` reached in MatchMore: "final, no match" for c, but the parent goes on to e.
    assert!(!d.matches("c", "5", None, fri(12, 0), MatchMode::MatchMore));
    assert!(d.matches("p", "5", None, fri(12, 0), MatchMode::MatchMore));
    assert!(d.matches("c", "5", None, fri(12, 0), MatchMode::CanMatch));
}

#[test]
fn first_matching_extension_without_the_priority_is_skipped() {
    // Asterisk goes on to the next matching extension when the first lacks the priority.
    let d = dp("[c]\nexten => 100,2,NoOp(literal 2)\nexten => _1XX,1,NoOp(pattern 1)\nexten => _1XX,2,NoOp(pattern 2)\n");
    assert_eq!(which(&d, "c", "100").as_deref(), Some("pattern 1"));
    let f = d
        .find("c", "100", Target::Priority(2), None, fri(12, 0))
        .unwrap();
    assert_eq!(f.priority.data, "literal 2");
}

#[test]
fn labels_are_found_like_priorities() {
    let d = dp("[c]\nexten => s,1,NoOp()\n same => n(again),NoOp(here)\n");
    let f = d
        .find("c", "s", Target::Label("again"), None, fri(12, 0))
        .unwrap();
    assert_eq!(f.priority.number, 2);
    assert_eq!(
        d.label_priority("c", "s", "again", None, fri(12, 0)),
        Some(2)
    );
    assert!(d
        .find("c", "s", Target::Label("Again"), None, fri(12, 0))
        .is_none());
}

#[test]
fn caller_id_variants() {
    let d = dp("[c]\nexten => 100,1,NoOp(plain)\nexten => 100/_555X.,1,NoOp(555)\nexten => 200/5551234,1,NoOp(only)\n");
    let f = |cid: Option<&str>, e: &str| {
        d.find("c", e, Target::Priority(1), cid, fri(12, 0))
            .map(|f| f.priority.data.clone())
    };
    // The plain extension sorts first and matches whatever the caller id.
    assert_eq!(f(Some("5551234"), "100").as_deref(), Some("plain"));
    assert_eq!(f(Some("5551234"), "200").as_deref(), Some("only"));
    assert_eq!(f(Some("4441234"), "200"), None);
    assert_eq!(f(None, "200"), None);
    let d = dp("[c]\nexten => 100/_555X.,1,NoOp(555)\nexten => 100,2,NoOp(plain)\n");
    // The plain 100 lacks priority 1, so the cid variant is tried next.
    let g = d.find("c", "100", Target::Priority(1), Some("5551234"), fri(12, 0));
    assert_eq!(g.map(|f| f.priority.data.clone()).as_deref(), Some("555"));
}

#[test]
fn empty_cid_match_wants_no_caller_id() {
    let d = dp("[c]\nexten => 100/,1,NoOp(anon)\n");
    assert!(d
        .find("c", "100", Target::Priority(1), None, fri(12, 0))
        .is_some());
    assert!(d
        .find("c", "100", Target::Priority(1), Some("123"), fri(12, 0))
        .is_none());
}

#[test]
fn includes_are_searched_in_order_depth_first() {
    let d = dp(
        "[top]\ninclude => a\ninclude => b\nexten => 1,1,NoOp(top)\n[a]\ninclude => deep\n[b]\nexten => 5,1,NoOp(b)\n[deep]\nexten => 5,1,NoOp(deep)\nexten => 6,1,NoOp(deep6)\n",
    );
    assert_eq!(which(&d, "top", "1").as_deref(), Some("top"));
    assert_eq!(which(&d, "top", "5").as_deref(), Some("deep"));
    let f = d
        .find("top", "6", Target::Priority(1), None, fri(12, 0))
        .unwrap();
    assert_eq!(f.context.name, "deep");
    assert_eq!(which(&d, "top", "7"), None);
    assert_eq!(which(&d, "nosuch", "1"), None);
}

#[test]
fn own_extensions_before_includes_whatever_the_line_order() {
    let d = dp(
        "[top]\ninclude => other\nexten => _X.,1,NoOp(top)\n[other]\nexten => 100,1,NoOp(other)\n",
    );
    assert_eq!(which(&d, "top", "100").as_deref(), Some("top"));
}

#[test]
fn include_time_conditions() {
    let d = dp("[top]\ninclude => day,09:00-17:00,mon-fri,*,*\ninclude => night\n[day]\nexten => 0,1,NoOp(day)\n[night]\nexten => 0,1,NoOp(night)\n");
    assert_eq!(
        d.find("top", "0", Target::Priority(1), None, fri(10, 0))
            .unwrap()
            .priority
            .data,
        "day"
    );
    assert_eq!(
        d.find("top", "0", Target::Priority(1), None, fri(18, 0))
            .unwrap()
            .priority
            .data,
        "night"
    );
    // Saturday 2024-03-16 10:00
    let sat = LocalTime::new(1_710_460_800 + 86_400 + 10 * 3600, 0);
    assert_eq!(
        d.find("top", "0", Target::Priority(1), None, sat)
            .unwrap()
            .priority
            .data,
        "night"
    );
}

#[test]
fn include_loops_end_and_each_context_is_searched_once() {
    let d = dp("[a]\ninclude => b\n[b]\ninclude => a\ninclude => c\n[c]\nexten => 1,1,NoOp(c)\n");
    assert_eq!(which(&d, "a", "1").as_deref(), Some("c"));
    assert_eq!(which(&d, "a", "2"), None);
}

#[test]
fn visited_contexts_compare_case_insensitively() {
    // "A" was searched already (as "a"), so the include of "A" is skipped, as in Asterisk.
    let d = dp("[a]\ninclude => b\n[b]\ninclude => A\n[A]\nexten => 1,1,NoOp(A)\n");
    assert_eq!(which(&d, "a", "1"), None);
    assert_eq!(which(&d, "b", "1").as_deref(), Some("A"));
}

#[test]
fn include_stack_is_bounded() {
    let mut text = String::new();
    for i in 0..200 {
        text.push_str(&format!("[c{i}]\ninclude => c{}\n", i + 1));
    }
    text.push_str("[c200]\nexten => 1,1,NoOp(end)\n");
    let d = dp(&text);
    assert_eq!(which(&d, "c0", "1"), None);
    assert_eq!(which(&d, "c100", "1").as_deref(), Some("end"));
}

#[test]
fn overlap_dialling_modes() {
    let d = dp("[c]\nexten => 1234,1,NoOp()\nexten => _9X,1,NoOp()\n");
    let now = fri(12, 0);
    assert!(d.matches("c", "12", None, now, MatchMode::CanMatch));
    assert!(d.matches("c", "12", None, now, MatchMode::MatchMore));
    assert!(!d.matches("c", "1234", None, now, MatchMode::MatchMore));
    assert!(d.matches("c", "1234", None, now, MatchMode::CanMatch));
    assert!(!d.matches("c", "13", None, now, MatchMode::CanMatch));
    assert!(d.matches("c", "", None, now, MatchMode::CanMatch));
    assert!(d.matches("c", "9", None, now, MatchMode::MatchMore));
    assert!(d.exists("c", "95", None, now));
    assert!(!d.exists("c", "9", None, now));
}

#[test]
fn hint_lookup() {
    let d = dp("[c]\nexten => 100,hint,SIP/100&IAX2/100\nexten => 100,1,Dial(${HINT})\n[i]\ninclude => c\n");
    let (ctx, e, h) = d.hint("i", "100", fri(12, 0)).unwrap();
    assert_eq!(
        (ctx.name.as_str(), e.exten.as_str(), h),
        ("c", "100", "SIP/100&IAX2/100")
    );
    assert!(d.hint("c", "101", fri(12, 0)).is_none());
}

#[test]
fn context_edited_by_hand_still_works_without_reindex() {
    let mut d = dp("[c]\nexten => 1,1,NoOp(one)\n");
    let c = &mut d.contexts[0];
    let mut e = c.extensions[0].clone();
    e.exten = "_2X".into();
    c.extensions.push(e);
    assert_eq!(which(&d, "c", "25").as_deref(), Some("one"));
}

#[test]
fn ten_thousand_extensions_and_a_thousand_patterns_all_resolve() {
    let mut text = String::from("[big]\n");
    for i in 0..10_000 {
        text.push_str(&format!("exten => {},1,NoOp({i})\n", 200_000 + i * 7));
    }
    for i in 0..1_000 {
        text.push_str(&format!("exten => _{}XXX.,1,NoOp(p{i})\n", 10_000 + i));
    }
    let d = dp(&text);
    let now = fri(12, 0);
    let n = 2_000;
    for i in 0..n {
        let lit = format!("{}", 200_000 + (i % 10_000) * 7);
        assert!(d
            .find("big", &lit, Target::Priority(1), None, now)
            .is_some());
        assert!(d.matches("big", &lit[..3], None, now, MatchMode::MatchMore));
    }
    // Speed is measured by `cargo bench -p tandem-dialplan --bench lookup`, not here.
    // A pattern found after walking all 1,000 patterns.
    assert_eq!(which(&d, "big", "1099912345").as_deref(), Some("p999"));
}
