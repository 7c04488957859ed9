//! `tandem check` on broken configuration directories: every message is
//! `PATH:LINE: error|warning: MESSAGE` (PATH relative to the config dir). File, line and
//! severity are asserted exactly, the message by substring. Exit 1 iff any error.

use std::path::PathBuf;

use tandem_testkit::{write_config, TempDir};

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

/// One expected message: `where` is `PATH:LINE`, `severity` is `error` or `warning`.
struct Msg {
    at: &'static str,
    severity: &'static str,
    contains: &'static str,
}

const fn msg(at: &'static str, severity: &'static str, contains: &'static str) -> Msg {
    Msg {
        at,
        severity,
        contains,
    }
}

fn check(files: &[(&str, &str)], expected: &[Msg]) {
    let dir = TempDir::new();
    write_config(dir.path(), files);
    let out = tandem_testkit::check(&bin(), dir.path());
    let lines: Vec<&str> = out.stdout.lines().collect();
    let report = || {
        format!(
            "tandem check printed (exit {}):\n{}\nstderr:\n{}",
            out.code, out.stdout, out.stderr
        )
    };
    assert_eq!(
        lines.len(),
        expected.len(),
        "wrong number of messages; {}",
        report()
    );
    // The contract fixes each line's form, not the order of lines across files: match each
    // expected message to its own printed line.
    let mut unused: Vec<&str> = lines.clone();
    for want in expected {
        let prefix = format!("{}: {}: ", want.at, want.severity);
        let Some(i) = unused.iter().position(|l| {
            l.starts_with(&prefix)
                && l[prefix.len()..]
                    .to_lowercase()
                    .contains(&want.contains.to_lowercase())
        }) else {
            panic!(
                "expected a line starting {prefix:?} mentioning {:?}; {}",
                want.contains,
                report()
            );
        };
        unused.remove(i);
    }
    let want_code = if expected.iter().any(|m| m.severity == "error") {
        1
    } else {
        0
    };
    assert_eq!(out.code, want_code, "exit code; {}", report());
}

#[test]
fn unclosed_section_bracket_is_an_error_at_its_line() {
    check(
        &[(
            "extensions.conf",
            "[a]\nexten => 1,1,NoOp()\n[broken\nexten => 2,1,NoOp()\n",
        )],
        &[msg("extensions.conf:3", "error", "no closing ']'")],
    );
}

#[test]
fn syntax_error_in_an_included_file_names_that_file() {
    check(
        &[
            (
                "extensions.conf",
                "[a]\nexten => 1,1,NoOp()\n#include dialplan/more.conf\n",
            ),
            (
                "dialplan/more.conf",
                "[b]\nexten => 1,1,NoOp()\nthis line has no equals sign\n",
            ),
        ],
        &[msg("dialplan/more.conf:3", "error", "no '=' (equal sign)")],
    );
}

#[test]
fn missing_included_file_is_an_error_at_the_include_line() {
    // config.c: "The file '%s' was listed as a #include but it does not exist." and the load fails.
    check(
        &[(
            "extensions.conf",
            "[a]\n#include dialplan/missing.conf\nexten => 1,1,NoOp()\n",
        )],
        &[msg("extensions.conf:2", "error", "missing.conf")],
    );
}

#[test]
fn unknown_template_is_an_error() {
    check(
        &[(
            "extensions.conf",
            "[base](!)\nexten => 1,1,NoOp()\n[a](nosuch)\nexten => 1,1,NoOp()\n",
        )],
        &[msg("extensions.conf:3", "error", "nosuch")],
    );
}

#[test]
fn same_before_any_exten_is_an_error() {
    check(
        &[(
            "extensions.conf",
            "[a]\nsame => n,NoOp()\nexten => 1,1,NoOp()\n",
        )],
        &[msg("extensions.conf:2", "error", "same")],
    );
}

#[test]
fn bad_priority_is_an_error() {
    check(
        &[(
            "extensions.conf",
            "[a]\nexten => 1,1,NoOp()\nexten => 2,abc,NoOp()\n",
        )],
        &[msg("extensions.conf:3", "error", "abc")],
    );
}

#[test]
fn next_priority_on_the_first_line_is_an_error() {
    check(
        &[("extensions.conf", "[a]\nexten => 1,n,NoOp()\n")],
        &[msg("extensions.conf:2", "error", "next")],
    );
}

#[test]
fn unclosed_application_parenthesis_is_an_error() {
    check(
        &[(
            "extensions.conf",
            "[a]\nexten => 1,1,NoOp(\nexten => 2,1,NoOp()\n",
        )],
        &[msg("extensions.conf:2", "error", "parenthesis")],
    );
}

#[test]
fn unknown_application_is_a_warning_and_exit_zero() {
    check(
        &[(
            "extensions.conf",
            "[a]\nexten => 1,1,NoOp()\n same => n,Frobnicate(x)\n",
        )],
        &[msg("extensions.conf:3", "warning", "Frobnicate")],
    );
}

#[test]
fn unknown_function_is_a_warning() {
    check(
        &[(
            "extensions.conf",
            "[a]\nexten => 1,1,Set(X=${NOSUCHFUNC(y)})\n",
        )],
        &[msg("extensions.conf:2", "warning", "NOSUCHFUNC")],
    );
}

#[test]
fn include_of_an_undefined_context_is_a_warning() {
    check(
        &[(
            "extensions.conf",
            "[a]\ninclude => nowhere\nexten => 1,1,NoOp()\n",
        )],
        &[msg("extensions.conf:2", "warning", "nowhere")],
    );
}

#[test]
fn exec_directive_is_refused_with_an_error_and_not_run() {
    // Asterisk (execincludes off) warns and skips the line; the issue asks tandem to refuse
    // #exec with a clear error, so a config that relies on it does not load half-done.
    let dir = TempDir::new();
    let marker = dir.join("ran");
    let conf = format!(
        "[a]\n#exec /bin/touch {}\nexten => 1,1,NoOp()\n",
        marker.display()
    );
    write_config(dir.path(), &[("extensions.conf", &conf)]);
    let out = tandem_testkit::check(&bin(), dir.path());
    assert!(!marker.exists(), "#exec was executed");
    assert!(out.stdout.starts_with("extensions.conf:2: "), "{out:?}");
    check(
        &[(
            "extensions.conf",
            "[a]\n#exec /bin/true\nexten => 1,1,NoOp()\n",
        )],
        &[msg("extensions.conf:2", "error", "#exec")],
    );
}

#[test]
fn include_loop_between_files_is_an_error() {
    check(
        &[
            (
                "extensions.conf",
                "[a]\nexten => 1,1,NoOp()\n#include loop/one.conf\n",
            ),
            (
                "loop/one.conf",
                "[b]\nexten => 1,1,NoOp()\n#include loop/two.conf\n",
            ),
            ("loop/two.conf", "; back again\n#include loop/one.conf\n"),
        ],
        &[msg("loop/two.conf:2", "error", "loop")],
    );
}

#[test]
fn contexts_including_each_other_are_fine() {
    // pbx_find_extension skips a context already searched: a dialplan include cycle is legal.
    check(
        &[(
            "extensions.conf",
            "[a]\ninclude => b\nexten => 1,1,NoOp()\n[b]\ninclude => a\nexten => 2,1,NoOp()\n",
        )],
        &[],
    );
}

#[test]
fn errors_and_warnings_from_several_files_are_all_reported() {
    check(
        &[
            (
                "extensions.conf",
                "[a]\ninclude => ghost\nexten => 1,1,Frobnicate()\n#include dialplan/b.conf\nexten => 2,xyz,NoOp()\n",
            ),
            ("dialplan/b.conf", "[b]\nexten => 1,1,NoOp(${NOPE(1)})\n"),
        ],
        &[
            msg("extensions.conf:2", "warning", "ghost"),
            msg("extensions.conf:3", "warning", "Frobnicate"),
            msg("dialplan/b.conf:2", "warning", "NOPE"),
            msg("extensions.conf:5", "error", "xyz"),
        ],
    );
}
