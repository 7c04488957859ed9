//! Golden tests on a large, realistic configuration (tests/fixtures/golden: a small company
//! plus two hosted tenants, split over #included files).
//!
//! The expected files under `fixtures/golden/expected/` were written by reasoning about
//! Asterisk (main/pbx.c `show_dialplan_helper` and `ext_cmp` for `show-*`; `__ast_pbx_run`,
//! `pbx_find_extension`, app_stack.c, app_while.c, `pbx_builtin_waitexten` for `run-*`), not
//! by recording tandem's output. A mismatch prints a line diff (- expected, + actual).

use std::path::{Path, PathBuf};

use tandem_testkit::{assert_lines_eq, TempDir};

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/golden")
}

fn expected(name: &str) -> String {
    let path = fixture().join("expected").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn check_show(context: &str) {
    let out = tandem_testkit::dialplan_show(&bin(), &fixture(), Some(context));
    assert_eq!(out.code, 0, "dialplan show {context}: {out:?}");
    assert_lines_eq(
        &format!("dialplan show {context}"),
        &expected(&format!("show-{context}.txt")),
        &out.stdout,
    );
}

/// Runs `dialplan run` on the fixture and compares stdout with `expected/run-NAME.txt`.
fn check_run_with(name: &str, data: Option<&Path>, args: &[&str]) {
    let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    if let Some(d) = data {
        all.push("--data".into());
        all.push(d.to_string_lossy().into_owned());
    }
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    let out = tandem_testkit::dialplan_run_full(&bin(), &fixture(), &refs);
    assert_eq!(
        out.code, 0,
        "dialplan run {args:?}: exit {}; stderr:\n{}",
        out.code, out.stderr
    );
    assert_lines_eq(
        &format!("dialplan run {args:?}"),
        &expected(&format!("run-{name}.txt")),
        &out.stdout,
    );
}

fn check_run(name: &str, args: &[&str]) {
    check_run_with(name, None, args);
}

#[test]
fn check_is_clean_on_the_golden_configuration() {
    let out = tandem_testkit::check(&bin(), &fixture());
    assert_eq!(out.code, 0, "tandem check: {out:?}");
    assert!(
        !out.stdout.contains(": error:"),
        "tandem check printed errors:\n{}",
        out.stdout
    );
    // Everything here is plain Asterisk that tandem supports: no warnings either.
    assert_eq!(
        out.stdout, "",
        "tandem check printed messages:\n{}",
        out.stdout
    );
}

// ---------------------------------------------------------------- dialplan show

#[test]
fn show_outbound_lists_literals_then_patterns_in_ext_cmp_order_and_the_ignorepat() {
    check_show("outbound");
}

#[test]
fn show_from_trunk_orders_literal_dids_before_patterns_and_bang_last() {
    check_show("from-trunk");
}

#[test]
fn show_reception_prints_timed_include_with_its_full_text() {
    check_show("reception");
}

#[test]
fn show_acme_incoming_puts_a_bracket_set_before_x() {
    check_show("acme-incoming");
}

#[test]
fn show_bistro_phones_prints_each_hint_first_with_its_included_file_and_line() {
    check_show("bistro-phones");
}

#[test]
fn show_unknown_context_says_there_is_no_existence() {
    let out = tandem_testkit::dialplan_show(&bin(), &fixture(), Some("no-such-ctx"));
    assert!(
        out.stdout
            .contains("There is no existence of 'no-such-ctx' context"),
        "{out:?}"
    );
}

// ---------------------------------------------------------------- dialplan run

#[test]
fn run_phone_answered_inside_gosub_keeps_the_including_context_and_skips_its_h() {
    // 101 lives in [phones], reached through `include => phones`: the channel stays in
    // `internal`. The Dial answers inside sub-phone, so the h extension is looked up in
    // sub-phone (the channel's context at hangup), which has none.
    check_run(
        "phone-answered-inside-gosub",
        &[
            "--context",
            "internal",
            "--exten",
            "101",
            "--callerid",
            "102",
        ],
    );
}

#[test]
fn run_phone_busy_goes_to_busy_voicemail_then_returns_and_runs_h() {
    check_run(
        "phone-busy-to-voicemail",
        &[
            "--context",
            "internal",
            "--exten",
            "101",
            "--callerid",
            "102",
            "--dialstatus",
            "BUSY",
        ],
    );
}

#[test]
fn run_call_forward_set_by_feature_code_is_used_by_the_next_call() {
    let data = TempDir::new();
    check_run_with(
        "set-call-forward",
        Some(data.path()),
        &[
            "--context",
            "internal",
            "--exten",
            "*215551234",
            "--callerid",
            "105",
        ],
    );
    check_run_with(
        "forwarded-phone",
        Some(data.path()),
        &[
            "--context",
            "internal",
            "--exten",
            "105",
            "--callerid",
            "102",
            "--dialstatus",
            "NOANSWER",
        ],
    );
}

#[test]
fn run_national_call_fails_over_to_the_backup_trunk_on_congestion() {
    check_run(
        "national-call-fails-over",
        &[
            "--context",
            "internal",
            "--exten",
            "914155551212",
            "--callerid",
            "101",
            "--dialstatus",
            "CONGESTION",
        ],
    );
}

#[test]
fn run_ivr_in_office_hours_loops_through_t_three_times_then_h() {
    check_run(
        "ivr-open-times-out",
        &[
            "--context",
            "from-trunk",
            "--exten",
            "5105550100",
            "--callerid",
            "4085551234",
            "--time",
            "2026-03-04 10:00",
        ],
    );
}

#[test]
fn run_ivr_on_saturday_goes_to_closed_and_h_of_ivr_main_does_not_run() {
    check_run(
        "ivr-closed-on-saturday",
        &[
            "--context",
            "from-trunk",
            "--exten",
            "5105550100",
            "--callerid",
            "4085551234",
            "--time",
            "2026-03-07 10:00",
        ],
    );
}

#[test]
fn run_did_uppercases_caller_name_and_uses_negative_substring() {
    check_run(
        "did-to-phone-no-answer",
        &[
            "--context",
            "from-trunk",
            "--exten",
            "5105550142",
            "--callerid",
            "\"Jane Doe\" <4085551234>",
            "--dialstatus",
            "NOANSWER",
        ],
    );
}

#[test]
fn run_tenant_did_is_handed_to_the_tenant_context() {
    check_run(
        "tenant-did",
        &[
            "--context",
            "from-trunk",
            "--exten",
            "4155550212",
            "--dialstatus",
            "NOANSWER",
        ],
    );
}

#[test]
fn run_reception_in_office_hours_uses_the_timed_include() {
    check_run(
        "reception-day",
        &[
            "--context",
            "reception",
            "--exten",
            "5105550100",
            "--time",
            "2026-03-04 09:30",
            "--dialstatus",
            "NOANSWER",
        ],
    );
}

#[test]
fn run_reception_at_night_skips_the_timed_include() {
    check_run(
        "reception-night",
        &[
            "--context",
            "reception",
            "--exten",
            "5105550100",
            "--time",
            "2026-03-04 19:00",
        ],
    );
}

#[test]
fn run_bistro_emergency_works_outside_the_outbound_window() {
    check_run(
        "bistro-emergency-at-night",
        &[
            "--context",
            "bistro",
            "--exten",
            "911",
            "--callerid",
            "105",
            "--time",
            "2026-03-04 03:00",
        ],
    );
}

#[test]
fn run_bistro_outside_hours_falls_to_the_emergency_context_catch_all() {
    check_run(
        "bistro-outside-hours",
        &[
            "--context",
            "bistro",
            "--exten",
            "4155551212",
            "--time",
            "2026-03-04 03:00",
        ],
    );
}

#[test]
fn run_bistro_daytime_call_uses_the_timed_outbound_include() {
    check_run(
        "bistro-daytime-call",
        &[
            "--context",
            "bistro",
            "--exten",
            "4155551212",
            "--time",
            "2026-03-04 12:00",
        ],
    );
}

#[test]
fn run_hunt_group_while_loop_rings_each_device_then_voicemail() {
    check_run(
        "hunt-group-while",
        &[
            "--context",
            "internal",
            "--exten",
            "600",
            "--dialstatus",
            "NOANSWER",
        ],
    );
}

#[test]
fn run_unknown_did_hits_the_bang_pattern_and_congestion_hangs_up() {
    check_run(
        "unknown-did",
        &["--context", "from-trunk", "--exten", "2125551234"],
    );
}
