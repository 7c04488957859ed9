use super::*;

/// Local time `y-m-d h:mi` at UTC offset `off` seconds.
fn at(y: i32, m: u32, d: u32, h: u32, mi: u32, off: i32) -> LocalTime {
    let naive = chrono::NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|x| x.and_hms_opt(h, mi, 0))
        .unwrap();
    LocalTime::new(naive.and_utc().timestamp() - i64::from(off), off)
}

fn p(s: &str) -> TimeSpec {
    TimeSpec::parse(s).unwrap()
}

#[test]
fn office_hours_include_the_end_minute() {
    let t = p("09:00-17:00,mon-fri,*,*");
    assert!(t.matches(at(2024, 3, 15, 9, 0, 0))); // Friday
    assert!(t.matches(at(2024, 3, 15, 17, 0, 0)));
    assert!(!t.matches(at(2024, 3, 15, 17, 1, 0)));
    assert!(!t.matches(at(2024, 3, 15, 8, 59, 0)));
    assert!(!t.matches(at(2024, 3, 16, 10, 0, 0))); // Saturday
}

#[test]
fn weekday_range_wraps() {
    let t = p("*,fri-mon,*,*");
    assert!(t.matches(at(2024, 3, 15, 12, 0, 0))); // Fri
    assert!(t.matches(at(2024, 3, 17, 12, 0, 0))); // Sun
    assert!(t.matches(at(2024, 3, 18, 12, 0, 0))); // Mon
    assert!(!t.matches(at(2024, 3, 19, 12, 0, 0))); // Tue
}

#[test]
fn time_range_wraps_past_midnight() {
    let t = p("22:00-06:00,*,*,*");
    assert!(t.matches(at(2024, 3, 15, 23, 30, 0)));
    assert!(t.matches(at(2024, 3, 15, 2, 0, 0)));
    assert!(t.matches(at(2024, 3, 15, 6, 0, 0)));
    assert!(!t.matches(at(2024, 3, 15, 6, 1, 0)));
    assert!(!t.matches(at(2024, 3, 15, 12, 0, 0)));
}

#[test]
fn legacy_pipe_separator_and_missing_fields() {
    let t = p("09:00-17:00|mon-fri");
    assert!(t.matches(at(2024, 3, 15, 10, 0, 0)));
    assert!(!t.matches(at(2024, 3, 16, 10, 0, 0)));
    let t = p("*");
    assert!(t.matches(at(2024, 12, 31, 23, 59, 0)));
}

#[test]
fn ampersand_lists_days_and_months() {
    let t = p("*,*,1&15&25-26,dec&jan");
    assert!(t.matches(at(2024, 12, 25, 12, 0, 0)));
    assert!(t.matches(at(2024, 12, 26, 12, 0, 0)));
    assert!(t.matches(at(2024, 1, 1, 12, 0, 0)));
    assert!(t.matches(at(2024, 1, 15, 12, 0, 0)));
    assert!(!t.matches(at(2024, 1, 2, 12, 0, 0)));
    assert!(!t.matches(at(2024, 3, 1, 12, 0, 0)));
}

#[test]
fn names_are_case_insensitive_and_numbers_start_at_sunday() {
    assert_eq!(p("*,MON,*,*"), p("*,2,*,*"));
    assert_eq!(p("*,sun,*,*"), p("*,1,*,*"));
    assert_eq!(p("*,*,*,Feb"), p("*,*,*,2"));
}

#[test]
fn single_minute_time() {
    let t = p("12:30,*,*,*");
    assert!(t.matches(at(2024, 3, 15, 12, 30, 0)));
    assert!(!t.matches(at(2024, 3, 15, 12, 31, 0)));
}

#[test]
fn local_offset_of_now_is_used_without_timezone() {
    let t = p("09:00-09:59,*,*,*");
    // 09:15 at UTC+2 is 07:15 UTC.
    assert!(t.matches(at(2024, 3, 15, 9, 15, 7200)));
    assert!(!t.matches(at(2024, 3, 15, 7, 15, 0)));
}

#[test]
fn fifth_field_is_a_timezone() {
    let t = p("09:00-17:00,*,*,*,Europe/Berlin");
    // 08:30 UTC in March is 09:30 in Berlin.
    assert!(t.matches(at(2024, 3, 15, 8, 30, 0)));
    assert!(!t.matches(at(2024, 3, 15, 16, 30, 0)));
}

#[test]
fn timezone_only_with_exactly_five_comma_fields() {
    // With `|` separators the fifth field is ignored (Asterisk counts commas only).
    let t = p("09:00-17:00|*|*|*|Europe/Berlin");
    assert!(t.matches(at(2024, 3, 15, 16, 30, 0)));
}

#[test]
fn errors_name_the_bad_item() {
    let e = TimeSpec::parse("*,mon-fry,*,*").unwrap_err();
    assert!(e.contains("Invalid end day of week 'fry'"), "{e}");
    let e = TimeSpec::parse("25:00-26:00,*,*,*").unwrap_err();
    assert!(e.contains("isn't a valid start time"), "{e}");
    assert!(TimeSpec::parse("*,*,32,*").is_err());
    assert!(TimeSpec::parse("*,*,*,*,Mars/Olympus").is_err());
    assert!(TimeSpec::parse("").is_err());
}

#[test]
fn lenient_parse_skips_bad_items_like_asterisk() {
    let (t, w) = TimeSpec::parse_lenient("*,mon-fry,*,*");
    assert_eq!(w.len(), 1);
    // The only weekday item was skipped: nothing matches.
    assert!(!t.matches(at(2024, 3, 18, 12, 0, 0)));
    let (t, w) = TimeSpec::parse_lenient("*,mon&bogus,*,*");
    assert_eq!(w.len(), 1);
    assert!(t.matches(at(2024, 3, 18, 12, 0, 0)));
}

#[test]
fn time_with_spaces_after_dash() {
    let t = p("09:00- 10:00,*,*,*");
    assert!(t.matches(at(2024, 3, 15, 10, 0, 0)));
}
