//! `tandem dialplan run` on small inline configurations, one Asterisk behaviour per test.
//! Expected traces are worked out from Asterisk's sources (main/pbx.c `__ast_pbx_run`,
//! `pbx_find_extension`, `ext_cmp`; apps/app_stack.c; apps/app_while.c;
//! main/pbx_builtins.c `pbx_builtin_waitexten`), not recorded from tandem.

use std::path::PathBuf;

use tandem_testkit::{assert_lines_eq, write_config, TempDir};

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

/// Runs `dialplan run` on `conf` (the text of extensions.conf) and returns stdout.
fn run_in(dir: &TempDir, conf: &str, args: &[&str]) -> tandem_testkit::Output {
    write_config(dir.path(), &[("extensions.conf", conf)]);
    tandem_testkit::dialplan_run_full(&bin(), dir.path(), args)
}

/// Asserts that `dialplan run` prints exactly `expected` (one line per executed priority and
/// the `end:` line) and exits 0.
fn expect(conf: &str, args: &[&str], expected: &str) {
    let dir = TempDir::new();
    let out = run_in(&dir, conf, args);
    assert_eq!(
        out.code, 0,
        "dialplan run {args:?}: stderr:\n{}",
        out.stderr
    );
    assert_lines_eq(&format!("dialplan run {args:?}"), expected, &out.stdout);
}

#[test]
fn gosub_passes_arguments_masks_outer_args_keeps_locals_and_sets_gosub_retval() {
    // app_stack.c: Gosub pushes ARG1..ARGn (and masks ARGs of the caller beyond n with ""),
    // LOCAL() pushes a shadowing variable that Return pops; nested subroutines see it because
    // it is an ordinary channel variable. Return sets GOSUB_RETVAL in the caller's frame.
    let conf = "\
[t]
exten => s,1,Set(ARG1=outer)
 same => n,Set(x=outer-x)
 same => n,Gosub(sub,s,1(a,b))
 same => n,NoOp(${GOSUB_RETVAL} ${ARG1} ${x} ${y} ${ARG2})

[sub]
exten => s,1,NoOp(${ARG1} ${ARG2})
 same => n,Set(LOCAL(x)=inner)
 same => n,Set(y=global-y)
 same => n,Gosub(sub2,s,1(c))
 same => n,NoOp(${ARG1} ${ARG2} ${x})
 same => n,Return(done)

[sub2]
exten => s,1,NoOp(${ARG1}|${ARG2}|${x})
 same => n,Return()
";
    expect(
        conf,
        &["--context", "t", "--exten", "s"],
        "\
t,s,1: Set(ARG1=outer)
t,s,2: Set(x=outer-x)
t,s,3: Gosub(sub,s,1(a,b))
sub,s,1: NoOp(a b)
sub,s,2: Set(LOCAL(x)=inner)
sub,s,3: Set(y=global-y)
sub,s,4: Gosub(sub2,s,1(c))
sub2,s,1: NoOp(c||inner)
sub2,s,2: Return()
sub,s,5: NoOp(a b inner)
sub,s,6: Return(done)
t,s,4: NoOp(done outer outer-x global-y )
end: fallthrough
",
    );
}

#[test]
fn while_loop_re_evaluates_at_while_and_exitwhile_jumps_past_endwhile() {
    let conf = "\
[t]
exten => s,1,Set(i=0)
 same => n,While($[${i} < 5])
 same => n,Set(i=$[${i} + 1])
 same => n,GotoIf($[${i} < 3]?next)
 same => n,ExitWhile()
 same => n(next),NoOp(i=${i})
 same => n,EndWhile()
 same => n,NoOp(after ${i})
";
    expect(
        conf,
        &["--context", "t", "--exten", "s"],
        "\
t,s,1: Set(i=0)
t,s,2: While(1)
t,s,3: Set(i=1)
t,s,4: GotoIf(1?next)
t,s,6: NoOp(i=1)
t,s,7: EndWhile()
t,s,2: While(1)
t,s,3: Set(i=2)
t,s,4: GotoIf(1?next)
t,s,6: NoOp(i=2)
t,s,7: EndWhile()
t,s,2: While(1)
t,s,3: Set(i=3)
t,s,4: GotoIf(0?next)
t,s,5: ExitWhile()
t,s,8: NoOp(after 3)
end: fallthrough
",
    );
}

#[test]
fn while_loop_false_condition_continues_after_matching_endwhile() {
    let conf = "\
[t]
exten => s,1,While($[1 = 0])
 same => n,NoOp(never)
 same => n,EndWhile()
 same => n,NoOp(done)
";
    expect(
        conf,
        &["--context", "t", "--exten", "s"],
        "t,s,1: While(0)\nt,s,4: NoOp(done)\nend: fallthrough\n",
    );
}

const GOTOIF: &str = "\
[t]
exten => s,1,GotoIf($[${n} > 5 & ${n} < 10]?mid:other)
 same => n(mid),NoOp(mid)
 same => n,Hangup()
 same => n(other),NoOp(other ${n})
";

#[test]
fn gotoif_on_true_expression_takes_the_first_label() {
    expect(
        GOTOIF,
        &["--context", "t", "--exten", "s", "--set", "n=7"],
        "t,s,1: GotoIf(1?mid:other)\nt,s,2: NoOp(mid)\nt,s,3: Hangup()\nend: hangup\n",
    );
}

#[test]
fn gotoif_on_false_expression_takes_the_second_label() {
    expect(
        GOTOIF,
        &["--context", "t", "--exten", "s", "--set", "n=2"],
        "t,s,1: GotoIf(0?mid:other)\nt,s,4: NoOp(other 2)\nend: fallthrough\n",
    );
}

const TIMED: &str = "\
[t]
include => day,09:00-17:00,mon-fri,*,*
include => night
exten => s,1,GotoIfTime(09:00-17:00,mon-fri,*,*?open,1)
 same => n,NoOp(closed)
exten => open,1,NoOp(open)

[day]
exten => 100,1,NoOp(day)

[night]
exten => 100,1,NoOp(night)
";

#[test]
fn gotoiftime_inside_the_window_jumps() {
    // 2026-03-04 is a Wednesday.
    expect(
        TIMED,
        &["--context", "t", "--exten", "s", "--time", "2026-03-04 10:30"],
        "t,s,1: GotoIfTime(09:00-17:00,mon-fri,*,*?open,1)\nt,open,1: NoOp(open)\nend: fallthrough\n",
    );
}

#[test]
fn gotoiftime_outside_the_window_continues() {
    // 2026-03-07 is a Saturday.
    expect(
        TIMED,
        &["--context", "t", "--exten", "s", "--time", "2026-03-07 10:30"],
        "t,s,1: GotoIfTime(09:00-17:00,mon-fri,*,*?open,1)\nt,s,2: NoOp(closed)\nend: fallthrough\n",
    );
}

#[test]
fn timed_include_is_searched_inside_its_window() {
    expect(
        TIMED,
        &[
            "--context",
            "t",
            "--exten",
            "100",
            "--time",
            "2026-03-04 10:30",
        ],
        "t,100,1: NoOp(day)\nend: fallthrough\n",
    );
}

#[test]
fn timed_include_is_skipped_outside_its_window() {
    expect(
        TIMED,
        &[
            "--context",
            "t",
            "--exten",
            "100",
            "--time",
            "2026-03-04 20:00",
        ],
        "t,100,1: NoOp(night)\nend: fallthrough\n",
    );
}

const DIAL: &str = "\
[t]
exten => 200,1,Dial(SIP/200,20)
 same => n,GotoIf($[\"${DIALSTATUS}\" = \"BUSY\"]?busy)
 same => n,NoOp(not busy: ${DIALSTATUS})
 same => n,Hangup()
 same => n(busy),Busy(5)
exten => 201,1,Dial(SIP/201,20,g)
 same => n,NoOp(back from ${DIALSTATUS})
";

#[test]
fn dial_busy_sets_dialstatus_and_the_dialplan_branches() {
    // Busy() indicates busy and returns -1: the call hangs up (app_dial.c / pbx.c).
    expect(
        DIAL,
        &["--context", "t", "--exten", "200", "--dialstatus", "BUSY"],
        "t,200,1: Dial(SIP/200,20)\nt,200,2: GotoIf(1?busy)\nt,200,5: Busy(5)\nend: hangup\n",
    );
}

#[test]
fn dial_answered_ends_the_call() {
    expect(
        DIAL,
        &["--context", "t", "--exten", "200"],
        "t,200,1: Dial(SIP/200,20)\nend: hangup\n",
    );
}

#[test]
fn dial_answered_with_g_option_goes_on() {
    expect(
        DIAL,
        &["--context", "t", "--exten", "201"],
        "t,201,1: Dial(SIP/201,20,g)\nt,201,2: NoOp(back from ANSWER)\nend: fallthrough\n",
    );
}

#[test]
fn goto_to_a_missing_extension_goes_to_i_with_invalid_exten() {
    let conf = "\
[t]
exten => s,1,Goto(999,1)
exten => i,1,NoOp(invalid ${INVALID_EXTEN})
";
    expect(
        conf,
        &["--context", "t", "--exten", "s"],
        "t,s,1: Goto(999,1)\nt,i,1: NoOp(invalid 999)\nend: fallthrough\n",
    );
}

#[test]
fn waitexten_timing_out_as_last_priority_goes_to_t() {
    let conf = "\
[t]
exten => s,1,Background(menu)
 same => n,WaitExten(3)
exten => t,1,NoOp(timeout)
 same => n,Hangup()
";
    expect(
        conf,
        &["--context", "t", "--exten", "s"],
        "t,s,1: Background(menu)\nt,s,2: WaitExten(3)\nt,t,1: NoOp(timeout)\nt,t,2: Hangup()\nend: hangup\n",
    );
}

#[test]
fn waitexten_timing_out_with_a_next_priority_continues_there_not_at_t() {
    // pbx_builtin_waitexten: "Timeout on %s, continuing..." when exten,priority+1 exists.
    let conf = "\
[t]
exten => s,1,WaitExten(3)
 same => n,NoOp(next)
exten => t,1,NoOp(timeout)
";
    expect(
        conf,
        &["--context", "t", "--exten", "s"],
        "t,s,1: WaitExten(3)\nt,s,2: NoOp(next)\nend: fallthrough\n",
    );
}

#[test]
fn running_off_the_end_of_an_extension_is_autofallthrough() {
    let conf = "\
[t]
exten => 100,1,NoOp(one)
 same => n,Set(DIALSTATUS=BUSY)
";
    expect(
        conf,
        &["--context", "t", "--exten", "100"],
        "t,100,1: NoOp(one)\nt,100,2: Set(DIALSTATUS=BUSY)\nend: fallthrough\n",
    );
}

#[test]
fn a_runaway_goto_loop_is_stopped_with_end_limit() {
    let conf = "\
[t]
exten => s,1,NoOp(loop)
 same => n,Goto(s,1)
";
    let dir = TempDir::new();
    let out = run_in(&dir, conf, &["--context", "t", "--exten", "s"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines = out.lines();
    assert_eq!(
        lines.last().map(String::as_str),
        Some("end: limit"),
        "last lines: {:?}",
        &lines[lines.len().saturating_sub(3)..]
    );
    let body = &lines[..lines.len() - 1];
    assert!(
        body.len() >= 100,
        "stopped after only {} priorities",
        body.len()
    );
    for (i, l) in body.iter().enumerate() {
        let want = if i % 2 == 0 {
            "t,s,1: NoOp(loop)"
        } else {
            "t,s,2: Goto(s,1)"
        };
        assert_eq!(l, want, "line {i}");
    }
}

#[test]
fn set_and_callerid_options_are_visible_to_the_dialplan() {
    let conf = "\
[t]
exten => s,1,NoOp(${FOO} ${CALLERID(num)} ${CALLERID(name)} ${BAR})
";
    expect(
        conf,
        &[
            "--context",
            "t",
            "--exten",
            "s",
            "--set",
            "FOO=bar",
            "--set",
            "BAR=x=y",
            "--callerid",
            "\"Alice\" <2001>",
        ],
        "t,s,1: NoOp(bar 2001 Alice x=y)\nend: fallthrough\n",
    );
}

#[test]
fn exten_substrings_offset_length_and_negative_forms() {
    let conf = "\
[t]
exten => _X.,1,NoOp(${EXTEN:1} ${EXTEN:0:3} ${EXTEN:-4} ${EXTEN:2:-2} ${EXTEN:-4:2})
";
    expect(
        conf,
        &["--context", "t", "--exten", "5105550142"],
        "t,5105550142,1: NoOp(105550142 510 0142 055501 01)\nend: fallthrough\n",
    );
}

#[test]
fn inherited_variables_set_with_underscores_read_without_them() {
    let conf = "\
[t]
exten => s,1,Set(_ONE=1)
 same => n,Set(__TWO=2)
 same => n,NoOp(${ONE} ${TWO})
";
    expect(
        conf,
        &["--context", "t", "--exten", "s"],
        "t,s,1: Set(_ONE=1)\nt,s,2: Set(__TWO=2)\nt,s,3: NoOp(1 2)\nend: fallthrough\n",
    );
}

#[test]
fn db_values_persist_across_runs_with_the_same_data_dir() {
    let conf = "\
[t]
exten => set,1,Set(DB(test/who)=alice)
exten => get,1,NoOp(${DB(test/who)} ${DB_EXISTS(test/who)})
";
    let dir = TempDir::new();
    let data = TempDir::new();
    let d = data.path().to_string_lossy().into_owned();
    let out = run_in(
        &dir,
        conf,
        &["--context", "t", "--exten", "set", "--data", &d],
    );
    assert_lines_eq(
        "set",
        "t,set,1: Set(DB(test/who)=alice)\nend: fallthrough\n",
        &out.stdout,
    );
    let out = run_in(
        &dir,
        conf,
        &["--context", "t", "--exten", "get", "--data", &d],
    );
    assert_lines_eq(
        "get",
        "t,get,1: NoOp(alice 1)\nend: fallthrough\n",
        &out.stdout,
    );
    // Without --data the store is in memory: nothing persisted.
    let out = run_in(&dir, conf, &["--context", "t", "--exten", "get"]);
    assert_lines_eq(
        "get in memory",
        "t,get,1: NoOp( 0)\nend: fallthrough\n",
        &out.stdout,
    );
}

// ------------------------------------------------------------ the seed examples

#[test]
fn seed_nine_prefix_is_stripped_with_exten_substring() {
    expect(
        "[t]\nexten => _9.,1,Dial(SIP/${EXTEN:1}@mysipprovider-out,30,r)\n",
        &["--context", "t", "--exten", "95551234"],
        "t,95551234,1: Dial(SIP/5551234@mysipprovider-out,30,r)\nend: hangup\n",
    );
}

#[test]
fn seed_dial_two_devices_at_once() {
    expect(
        "[t]\nexten => 6245,1,Dial(SIP/Grandstream1&SIP/Xlite1,20,rtT)\n",
        &["--context", "t", "--exten", "6245"],
        "t,6245,1: Dial(SIP/Grandstream1&SIP/Xlite1,20,rtT)\nend: hangup\n",
    );
}

#[test]
fn seed_dial_iax2_with_empty_timeout() {
    expect(
        "[t]\nexten => 6361,1,Dial(IAX2/JaneDoe,,rm)\n",
        &["--context", "t", "--exten", "6361"],
        "t,6361,1: Dial(IAX2/JaneDoe,,rm)\nend: hangup\n",
    );
}

// ------------------------------------------------------------ pattern order (ext_cmp)

const ORDER: &str = "\
[t]
exten => _X.,1,NoOp(X.)
exten => _9.,1,NoOp(9.)
exten => _1NXXNXXXXXX,1,NoOp(1NXXNXXXXXX)
exten => _NXXNXXXXXX,1,NoOp(NXXNXXXXXX)
exten => _XXX,1,NoOp(XXX)
exten => _[2-9]XX,1,NoOp([2-9]XX)
exten => _[1-5]XX,1,NoOp([1-5]XX)
exten => 200,1,NoOp(literal 200)
exten => _1!,1,NoOp(1!)
exten => _1.,1,NoOp(1.)
";

fn first_line(exten: &str) -> String {
    let dir = TempDir::new();
    let out = run_in(&dir, ORDER, &["--context", "t", "--exten", exten]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.lines().into_iter().next().unwrap_or_default()
}

#[test]
fn nine_dot_beats_x_dot_whatever_the_file_order() {
    assert_eq!(first_line("95551234"), "t,95551234,1: NoOp(9.)");
    assert_eq!(first_line("85551234"), "t,85551234,1: NoOp(X.)");
}

#[test]
fn ten_and_eleven_digit_north_american_patterns() {
    assert_eq!(first_line("4155551212"), "t,4155551212,1: NoOp(NXXNXXXXXX)");
    assert_eq!(
        first_line("14155551212"),
        "t,14155551212,1: NoOp(1NXXNXXXXXX)"
    );
    // 10 digits starting with 1: N refuses the 1, and `_1.` (sorted before `_X.`) takes it.
    assert_eq!(first_line("1155551212"), "t,1155551212,1: NoOp(1.)");
}

#[test]
fn smaller_character_sets_win_and_literals_beat_patterns() {
    assert_eq!(first_line("200"), "t,200,1: NoOp(literal 200)");
    assert_eq!(first_line("234"), "t,234,1: NoOp([1-5]XX)");
    assert_eq!(first_line("634"), "t,634,1: NoOp([2-9]XX)");
    assert_eq!(first_line("034"), "t,034,1: NoOp(XXX)");
}

#[test]
fn bang_matches_zero_more_digits_but_sorts_after_dot() {
    assert_eq!(first_line("1"), "t,1,1: NoOp(1!)");
    assert_eq!(first_line("12"), "t,12,1: NoOp(1.)");
}

#[test]
fn an_extension_nothing_matches_ends_with_no_match() {
    let dir = TempDir::new();
    let out = run_in(
        &dir,
        "[t]\nexten => 100,1,NoOp(x)\n",
        &["--context", "t", "--exten", "555"],
    );
    assert_eq!(out.stdout, "end: no-match\n", "{out:?}");
}

#[test]
fn a_start_at_a_missing_extension_falls_back_to_s() {
    // __ast_pbx_run: "Starting %s at %s,%s,%d failed so falling back to exten 's'".
    expect(
        "[t]\nexten => s,1,NoOp(started at ${EXTEN})\n",
        &["--context", "t", "--exten", "999"],
        "t,s,1: NoOp(started at s)\nend: fallthrough\n",
    );
}
