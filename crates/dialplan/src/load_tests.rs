use super::*;
use tandem_conf::{MemSource, Severity};

/// Loads `text` as extensions.conf; apps known: everything but names starting with "Dail" or
/// containing a comma; functions known: everything but "NOPE".
pub(crate) fn load_text(text: &str) -> (Dialplan, Vec<String>) {
    let src = MemSource::new().with("extensions.conf", text);
    let loaded = tandem_conf::load(&src, "extensions.conf");
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let (dp, diags) = load(
        &loaded.config,
        &|a| !a.starts_with("Dail") && !a.contains(','),
        &|f| f != "NOPE",
    );
    (dp, diags.iter().map(|d| d.to_string()).collect())
}

fn has(diags: &[String], needle: &str) -> bool {
    diags.iter().any(|d| d.contains(needle))
}

fn prios(dp: &Dialplan, ctx: &str, ext: &str) -> Vec<(u32, Option<String>, String, String)> {
    let c = dp.context(ctx).unwrap();
    let e = c.extensions.iter().find(|e| e.exten == ext).unwrap();
    e.priorities
        .iter()
        .map(|p| (p.number, p.label.clone(), p.app.clone(), p.data.clone()))
        .collect()
}

#[test]
fn priorities_next_labels_and_same() {
    let (dp, d) = load_text(
        "[default]\nexten => 100,1,Answer()\n same => n(loop),Playback(hello)\n same => n,Goto(loop)\nexten => 100,5,Hangup\n",
    );
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(
        prios(&dp, "default", "100"),
        vec![
            (1, None, "Answer".into(), "".into()),
            (2, Some("loop".into()), "Playback".into(), "hello".into()),
            (3, None, "Goto".into(), "loop".into()),
            (5, None, "Hangup".into(), "".into()),
        ]
    );
}

#[test]
fn next_continues_from_the_previous_line_even_for_another_extension() {
    let (dp, _) = load_text("[c]\nexten => 100,1,NoOp()\nexten => 200,n,NoOp()\n");
    assert_eq!(prios(&dp, "c", "200")[0].0, 2);
}

#[test]
fn plus_offsets_and_label_plus() {
    let (dp, d) = load_text(
        "[c]\nexten => 1,1(start),NoOp()\nexten => 1,n+2,NoOp(x)\nexten => 1,start+10,NoOp(y)\n",
    );
    assert!(d.is_empty(), "{d:?}");
    let nums: Vec<u32> = prios(&dp, "c", "1").iter().map(|p| p.0).collect();
    assert_eq!(nums, vec![1, 4, 11]);
}

#[test]
fn same_without_previous_extension_is_an_error_with_its_line() {
    let (_, d) = load_text("[c]\n\nsame => n,NoOp()\n");
    assert_eq!(d, vec!["extensions.conf:3: error: No previous pattern in the first entry of context 'c' to match 'same'"]);
}

#[test]
fn next_on_the_first_entry_is_an_error() {
    let (_, d) = load_text("[c]\nexten => 1,n,NoOp()\n");
    assert!(
        has(
            &d,
            "extensions.conf:2: error: Can't use 'next' priority on the first entry"
        ),
        "{d:?}"
    );
}

#[test]
fn next_after_a_hint_is_dropped() {
    let (dp, d) = load_text("[c]\nexten => 100,hint,SIP/100\nexten => 100,n,Dial(SIP/100)\n");
    assert!(has(&d, "extensions.conf:3: warning: priority 0"), "{d:?}");
    let e = &dp.context("c").unwrap().extensions[0];
    assert_eq!(e.hint.as_ref().map(|h| h.0.as_str()), Some("SIP/100"));
    assert!(e.priorities.is_empty());
}

#[test]
fn duplicate_priority_keeps_the_first_and_warns() {
    let (dp, d) = load_text("[c]\nexten => 1,1,NoOp(first)\nexten => 1,1,NoOp(second)\n");
    assert_eq!(d, vec!["extensions.conf:3: warning: Unable to register extension '1' priority 1 in 'c', already in use"]);
    assert_eq!(prios(&dp, "c", "1")[0].3, "first");
}

#[test]
fn equivalent_patterns_are_one_extension() {
    let (dp, d) = load_text(
        "[c]\nexten => _X.,1,NoOp(a)\nexten => _[0-9].,1,NoOp(b)\nexten => _[0-9].,2,NoOp(c)\n",
    );
    assert!(has(&d, "aliased extension '_X.'"), "{d:?}");
    assert_eq!(dp.context("c").unwrap().extensions.len(), 1);
    assert_eq!(prios(&dp, "c", "_X.").len(), 2);
}

#[test]
fn repeated_label_is_dropped() {
    let (dp, d) = load_text("[c]\nexten => 1,1(a),NoOp()\nexten => 1,2(a),NoOp()\n");
    assert!(has(&d, "label 'a' already in use at priority 1"), "{d:?}");
    assert_eq!(prios(&dp, "c", "1")[1].1, None);
}

#[test]
fn broken_priorities_are_errors() {
    let (dp, d) = load_text(
        "[c]\nexten => 1\nexten => 2,x,NoOp()\nexten => 3,0,NoOp()\nexten => 4,1(l,NoOp()\n",
    );
    assert!(
        has(&d, "extensions.conf:2: error: missing priority"),
        "{d:?}"
    );
    assert!(
        has(&d, "extensions.conf:3: error: Invalid priority/label 'x'"),
        "{d:?}"
    );
    assert!(
        has(&d, "extensions.conf:4: error: Invalid priority '0'"),
        "{d:?}"
    );
    assert!(
        has(&d, "extensions.conf:5: error: Label missing trailing ')'"),
        "{d:?}"
    );
    assert!(dp.context("c").unwrap().extensions.is_empty());
}

#[test]
fn unclosed_parenthesis_is_an_error_but_kept_as_asterisk_does() {
    let (dp, d) = load_text("[c]\nexten => 1,1,NoOp(abc\n");
    assert!(
        has(
            &d,
            "extensions.conf:2: error: No closing parenthesis found? 'NoOp(abc'"
        ),
        "{d:?}"
    );
    assert_eq!(prios(&dp, "c", "1")[0].3, "abc");
}

#[test]
fn unknown_application_and_function_are_warnings_with_line() {
    let (_, d) = load_text("[c]\nexten => 1,1,Dail(SIP/1)\nexten => 1,2,Set(x=${NOPE(1)})\nexten => 1,3,Set(x=$[NOPE(2) + 1])\n");
    assert!(
        has(&d, "extensions.conf:2: warning: unknown application 'Dail'"),
        "{d:?}"
    );
    assert!(
        has(&d, "extensions.conf:3: warning: unknown function 'NOPE'"),
        "{d:?}"
    );
    assert!(
        has(&d, "extensions.conf:4: warning: unknown function 'NOPE'"),
        "{d:?}"
    );
}

#[test]
fn old_comma_form_is_not_split() {
    let (dp, d) = load_text("[c]\nexten => 1,1,Dial,SIP/100\n");
    assert!(
        has(&d, "unknown application 'Dial,SIP/100' (write App(args)"),
        "{d:?}"
    );
    assert_eq!(prios(&dp, "c", "1")[0].2, "Dial,SIP/100");
}

#[test]
fn includes_with_time_and_checks() {
    let (dp, d) = load_text(
        "[a]\ninclude => b,09:00-17:00,mon-fri,*,*\ninclude => b\ninclude => B\ninclude => b\ninclude => nowhere\ninclude => b|*|bogus|*|*\n[b]\n",
    );
    let a = dp.context("a").unwrap();
    // "B" is a duplicate of "b": Asterisk compares include names with strcasecmp.
    assert_eq!(a.includes.len(), 4);
    assert!(a.includes[0].time.is_some());
    assert_eq!(a.includes[0].raw, "b,09:00-17:00,mon-fri,*,*");
    assert!(
        has(
            &d,
            "extensions.conf:5: warning: Context 'b' already included in 'a' context"
        ),
        "{d:?}"
    );
    assert!(has(&d, "extensions.conf:6: warning: Context 'a' tries to include nonexistent context 'nowhere'"), "{d:?}");
    assert!(
        has(&d, "extensions.conf:7: error: bad time condition"),
        "{d:?}"
    );
    assert!(
        has(
            &d,
            "extensions.conf:4: warning: Context 'B' already included in 'a' context"
        ),
        "{d:?}"
    );
}

#[test]
fn general_options_and_unknown_key() {
    let (dp, d) = load_text("[general]\nstatic=yes\nautofallthrough=no\nuserscontext=users\nbogus=1\n[globals]\nA=1\nB=two\n");
    assert!(dp.general.static_);
    assert!(!dp.general.autofallthrough);
    assert_eq!(dp.general.userscontext.as_deref(), Some("users"));
    assert!(
        has(
            &d,
            "extensions.conf:5: warning: unknown option 'bogus' in [general]"
        ),
        "{d:?}"
    );
    let g: Vec<(&str, &str)> = dp
        .globals
        .iter()
        .map(|(k, v, _)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(g, vec![("A", "1"), ("B", "two")]);
    assert!(dp.contexts.is_empty());
}

#[test]
fn general_and_globals_names_are_case_insensitive_and_first_wins() {
    let (dp, d) = load_text("[General]\nstatic=yes\n[GLOBALS]\nX=1\n[globals]\nY=2\n");
    assert!(dp.general.static_);
    assert_eq!(dp.globals.len(), 1);
    assert!(
        has(
            &d,
            "extensions.conf:5: warning: a second [globals] section is ignored"
        ),
        "{d:?}"
    );
    assert!(dp.contexts.is_empty());
}

#[test]
fn sections_with_the_same_name_merge_and_reset_next() {
    let (dp, d) =
        load_text("[c]\nexten => 1,1,NoOp()\n[d]\n[c]\nexten => 2,n,NoOp()\nexten => 2,1,NoOp()\n");
    assert!(
        has(
            &d,
            "extensions.conf:5: error: Can't use 'next' priority on the first entry"
        ),
        "{d:?}"
    );
    let names: Vec<&str> = dp.contexts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, vec!["c", "d"]);
    assert_eq!(dp.context("c").unwrap().extensions.len(), 2);
}

#[test]
fn caller_id_extensions_sort_after_the_plain_one() {
    let (dp, d) = load_text("[c]\nexten => 100/_555X.,1,NoOp(cid)\nexten => 100,1,NoOp(plain)\nexten => 100/(555) 1234,1,NoOp(exact)\n");
    assert!(d.is_empty(), "{d:?}");
    let exts: Vec<(String, Option<String>)> = dp
        .context("c")
        .unwrap()
        .extensions
        .iter()
        .map(|e| (e.exten.clone(), e.cid.clone()))
        .collect();
    assert_eq!(
        exts,
        vec![
            ("100".into(), None),
            ("100".into(), Some("5551234".into())),
            ("100".into(), Some("_555X.".into()))
        ]
    );
}

#[test]
fn ignorepat_and_switch_are_kept() {
    let (dp, d) = load_text(
        "[c]\nignorepat => 9\nignorepat => 9\nswitch => IAX2/user@host/ctx\nfoo => bar\n",
    );
    let c = dp.context("c").unwrap();
    assert_eq!(c.ignorepats.len(), 1);
    assert!(c.ignores("9"));
    assert!(!c.ignores("8"));
    assert_eq!(c.switches[0].0, "IAX2/user@host/ctx");
    assert!(
        has(
            &d,
            "extensions.conf:3: warning: Unable to include ignorepat '9'"
        ),
        "{d:?}"
    );
    assert!(has(&d, "extensions.conf:4: warning: switch"), "{d:?}");
    assert!(
        has(&d, "extensions.conf:5: warning: Unknown directive 'foo'"),
        "{d:?}"
    );
}

#[test]
fn discouraged_catch_all_warns() {
    let (_, d) = load_text("[c]\nexten => _.,1,NoOp()\n");
    assert!(has(&d, "Please use '_X.' instead"), "{d:?}");
}

#[test]
fn globals_are_expanded_in_extension_names() {
    let (dp, _) = load_text("[globals]\nPFX=9\n[c]\nexten => ${PFX}1,1,NoOp()\n");
    assert_eq!(dp.context("c").unwrap().extensions[0].exten, "91");
}

#[test]
fn dashes_and_spaces_in_names() {
    let (dp, _) =
        load_text("[c]\nexten => 1-800 FLOWERS,1,NoOp()\nexten => 1800FLOWERS,2,NoOp()\n");
    let c = dp.context("c").unwrap();
    assert_eq!(c.extensions.len(), 1);
    assert_eq!(c.extensions[0].exten, "1-800FLOWERS");
}

#[test]
fn templates_are_skipped_and_inherited_items_used() {
    let (dp, _) = load_text("[tpl](!)\nexten => s,1,NoOp(t)\n[c](tpl)\nexten => s,2,NoOp(c)\n");
    assert!(dp.context("tpl").is_none());
    assert_eq!(prios(&dp, "c", "s").len(), 2);
}

#[test]
fn errors_and_warnings_have_severity() {
    let src = MemSource::new().with(
        "extensions.conf",
        "[c]\nexten => 1,x,NoOp()\nexten => 2,1,Dail()\n",
    );
    let loaded = tandem_conf::load(&src, "extensions.conf");
    let (_, diags) = load(&loaded.config, &|a| a != "Dail", &|_| true);
    let sev: Vec<Severity> = diags.iter().map(|d| d.severity).collect();
    assert_eq!(sev, vec![Severity::Error, Severity::Warning]);
}
