//! `#include`, `#tryinclude`, globs, loops and depth.
mod common;
use common::*;
use tandem_conf::{load, FsSource, MemSource, MAX_INCLUDE_DEPTH};

#[test]
fn include_quoted_unquoted_and_angle() {
    let src = MemSource::new()
        .with(
            "main.conf",
            "[a]\n#include \"one.conf\"\n#include two.conf ; comment\n#INCLUDE <three.conf>\n",
        )
        .with("one.conf", "x = 1\n")
        .with("two.conf", "y = 2\n")
        .with("three.conf", "z = 3\n");
    let l = load(&src, "main.conf");
    assert!(l.diagnostics.is_empty(), "{:?}", messages(&l));
    assert_eq!(
        kv(section(&l, "a")),
        pairs(&[("x", "1"), ("y", "2"), ("z", "3")])
    );
}

#[test]
fn included_items_keep_their_own_file_and_line() {
    let src = MemSource::new()
        .with("main.conf", "[a]\n#include inc/peers.conf\n")
        .with("inc/peers.conf", "\n\nk = v\n");
    let l = load(&src, "main.conf");
    assert_eq!(
        section(&l, "a").items[0].span.to_string(),
        "inc/peers.conf:3"
    );
}

#[test]
fn errors_in_included_files_name_that_file_and_line() {
    let src = MemSource::new()
        .with("main.conf", "[a]\n#include bad.conf\nbroken\n")
        .with("bad.conf", "[b]\nk = 1\nno equal sign\n[c](ghost)\n");
    let l = load(&src, "main.conf");
    assert_eq!(
        messages(&l),
        vec![
            "bad.conf:3: error: parse error: no '=' (equal sign) in this line",
            "bad.conf:4: error: unknown template 'ghost': no section of that name before this line",
            "main.conf:3: error: parse error: no '=' (equal sign) in this line",
        ]
    );
}

#[test]
fn missing_include_is_an_error_at_the_include_line() {
    let src = MemSource::new().with("main.conf", "[a]\nk = 1\n#include nowhere.conf\nj = 2\n");
    let l = load(&src, "main.conf");
    assert_eq!(
        messages(&l),
        vec!["main.conf:3: error: #include 'nowhere.conf': the file does not exist"]
    );
    assert_eq!(kv(section(&l, "a")), pairs(&[("k", "1"), ("j", "2")]));
}

#[test]
fn tryinclude_of_missing_file_is_fine() {
    let src = MemSource::new().with(
        "main.conf",
        "[a]\n#tryinclude nowhere.conf\n#tryinclude \"none.d/*.conf\"\nk = 1\n",
    );
    let l = load(&src, "main.conf");
    assert!(l.diagnostics.is_empty(), "{:?}", messages(&l));
    assert_eq!(kv(section(&l, "a")), pairs(&[("k", "1")]));
}

#[test]
fn glob_include_reads_matches_in_sorted_order() {
    let src = MemSource::new()
        .with("sip.conf", "[general]\n#include sip.d/*.conf\n")
        .with("sip.d/20-bob.conf", "[bob]\nhost = dynamic\n")
        .with("sip.d/10-alice.conf", "[alice]\nhost = dynamic\n")
        .with("sip.d/notes.txt", "[nope]\n");
    let l = load(&src, "sip.conf");
    assert!(l.diagnostics.is_empty(), "{:?}", messages(&l));
    let names: Vec<&str> = l.config.sections.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, vec!["general", "alice", "bob"]);
    assert_eq!(section(&l, "bob").span.to_string(), "sip.d/20-bob.conf:1");
}

#[test]
fn glob_matching_nothing_is_an_error_for_include() {
    let src = MemSource::new().with("main.conf", "[a]\n#include conf.d/*.conf\n");
    let l = load(&src, "main.conf");
    assert_eq!(
        messages(&l),
        vec!["main.conf:2: error: #include 'conf.d/*.conf': no file matches"]
    );
}

#[test]
fn brace_alternatives_are_included_in_written_order() {
    let src = MemSource::new()
        .with("main.conf", "[a]\n#include {b,a}.inc\n")
        .with("a.inc", "k = a\n")
        .with("b.inc", "k = b\n");
    let l = load(&src, "main.conf");
    assert_eq!(kv(section(&l, "a")), pairs(&[("k", "b"), ("k", "a")]));
}

#[test]
fn included_file_continues_the_current_section() {
    let src = MemSource::new()
        .with("main.conf", "[peer]\n#include more.conf\n")
        .with("more.conf", "secret = s\n");
    let l = load(&src, "main.conf");
    assert_eq!(kv(section(&l, "peer")), pairs(&[("secret", "s")]));
}

#[test]
fn after_an_include_the_including_file_stays_in_its_own_section() {
    // config_text_file_load keeps `cat` local: sections opened by the included file do not
    // change where the including file's next lines go...
    let src = MemSource::new()
        .with(
            "main.conf",
            "[a]\n#include other.conf\nback = 1\n#include items.conf\n",
        )
        .with("other.conf", "[b]\nin_b = 1\n")
        .with("items.conf", "where = 1\n");
    let l = load(&src, "main.conf");
    assert_eq!(kv(section(&l, "a")), pairs(&[("back", "1")]));
    // ...but the next included file starts in the config's *current* section, [b].
    assert_eq!(
        kv(section(&l, "b")),
        pairs(&[("in_b", "1"), ("where", "1")])
    );
}

#[test]
fn include_before_any_section_has_no_category() {
    let src = MemSource::new()
        .with("main.conf", "#include items.conf\n[a]\n")
        .with("items.conf", "k = 1\n");
    let l = load(&src, "main.conf");
    assert_eq!(messages(&l), vec!["items.conf:1: error: parse error: no category context for this line (a [section] must come first)"]);
}

#[test]
fn include_loop_is_reported_with_the_chain() {
    let src = MemSource::new()
        .with("main.conf", "[a]\n#include b.conf\n")
        .with("b.conf", "k = 1\n#include c.conf\n")
        .with("c.conf", "#include b.conf\nj = 2\n");
    let l = load(&src, "main.conf");
    assert_eq!(
        messages(&l),
        vec!["c.conf:1: error: include loop: b.conf -> c.conf -> b.conf"]
    );
    assert_eq!(kv(section(&l, "a")), pairs(&[("k", "1"), ("j", "2")]));
}

#[test]
fn glob_that_matches_the_including_file_is_a_loop() {
    let src = MemSource::new()
        .with("a.conf", "[x]\n#include *.conf\n")
        .with("b.conf", "k = 1\n");
    let l = load(&src, "a.conf");
    assert_eq!(
        messages(&l),
        vec!["a.conf:2: error: include loop: a.conf -> a.conf"]
    );
    assert_eq!(kv(section(&l, "x")), pairs(&[("k", "1")]));
}

#[test]
fn same_file_twice_is_not_a_loop() {
    let src = MemSource::new()
        .with("main.conf", "[a]\n#include x.conf\n#include x.conf\n")
        .with("x.conf", "k = 1\n");
    let l = load(&src, "main.conf");
    assert!(l.diagnostics.is_empty());
    assert_eq!(section(&l, "a").items.len(), 2);
}

#[test]
fn include_depth_is_bounded_like_asterisk() {
    // The top file plus MAX_INCLUDE_DEPTH nested files load; one more is refused.
    let mut src = MemSource::new().with("f0.conf", "[s]\n#include f1.conf\n");
    for i in 1..=MAX_INCLUDE_DEPTH + 1 {
        src.insert(
            &format!("f{i}.conf"),
            &format!("k{i} = 1\n#include f{}.conf\n", i + 1),
        );
    }
    let l = load(&src, "f0.conf");
    assert_eq!(section(&l, "s").items.len(), MAX_INCLUDE_DEPTH);
    assert_eq!(
        messages(&l),
        vec![format!("f{MAX_INCLUDE_DEPTH}.conf:2: error: maximum include depth (10) exceeded by '#include f11.conf'")]
    );
}

#[test]
fn glob_files_of_one_include_share_the_section() {
    let src = MemSource::new()
        .with("main.conf", "[a]\n#include d/*.conf\n")
        .with("d/1.conf", "[b]\n")
        .with("d/2.conf", "k = 1\n");
    let l = load(&src, "main.conf");
    assert_eq!(kv(section(&l, "b")), pairs(&[("k", "1")]));
}

#[test]
fn fs_source_end_to_end_with_glob_and_absolute_include() {
    let dir = std::env::temp_dir().join(format!("tandem-conf-inc-{}", std::process::id()));
    let abs = std::env::temp_dir().join(format!("tandem-conf-abs-{}.conf", std::process::id()));
    assert!(std::fs::create_dir_all(dir.join("sip.d")).is_ok());
    let main = format!(
        "[general]\n#include sip.d/*.conf\n#include \"{}\"\n",
        abs.display()
    );
    assert!(std::fs::write(dir.join("sip.conf"), main).is_ok());
    assert!(std::fs::write(dir.join("sip.d/b.conf"), "[b]\n").is_ok());
    assert!(std::fs::write(dir.join("sip.d/a.conf"), "[a]\nbad\n").is_ok());
    assert!(std::fs::write(&abs, "[abs]\n").is_ok());
    let l = load(&FsSource::new(&dir), "sip.conf");
    let names: Vec<&str> = l.config.sections.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, vec!["general", "a", "b", "abs"]);
    assert_eq!(
        messages(&l),
        vec!["sip.d/a.conf:2: error: parse error: no '=' (equal sign) in this line"]
    );
    assert_eq!(
        l.config.sections[3].span.file.as_ref(),
        abs.display().to_string()
    );
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&abs);
}
