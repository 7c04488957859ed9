//! The executor on a simulated channel: scenarios named after behaviour.

use std::sync::Arc;

use tandem_conf::MemSource;
use tandem_core::host::DialStatus;
use tandem_core::sim::{block_on, SimHost};
use tandem_core::{Channel, EndReason, Pbx, Shared};
use tandem_dialplan::LocalTime;
use tandem_store::SqliteStore;

/// 2026-11-26 10:00 UTC, a Thursday.
const THURSDAY_10AM: i64 = 1_796_292_000;

fn shared(conf: &str) -> Shared {
    let src = MemSource::new().with("extensions.conf", conf);
    let loaded = tandem_conf::load(&src, "extensions.conf");
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let (dp, diags) = tandem_dialplan::load::load(
        &loaded.config,
        &tandem_core::apps::is_known,
        &tandem_dialplan::functions::is_known,
    );
    assert!(diags.is_empty(), "{diags:?}");
    let store = Arc::new(SqliteStore::open_in_memory().expect("in-memory store"));
    Shared::new(dp, store, Box::new(|| LocalTime::new(THURSDAY_10AM, 0)), 7)
}

fn run_with(
    shared: &Shared,
    chan: &mut Channel,
    status: DialStatus,
) -> (Vec<String>, EndReason, SimHost) {
    let mut host = SimHost::new(status);
    let mut lines = Vec::new();
    let mut push = |l: &tandem_core::TraceLine<'_>| lines.push(l.to_string());
    let end = {
        let mut pbx = Pbx::new(shared, &mut host).with_trace(&mut push);
        block_on(pbx.run(chan)).expect("the simulated host never blocks")
    };
    (lines, end, host)
}

fn run(conf: &str, context: &str, exten: &str) -> (Vec<String>, EndReason, Channel) {
    let shared = shared(conf);
    let mut chan = Channel::new("Sim/test-00000001", "1.1", context, exten);
    let (lines, end, _) = run_with(&shared, &mut chan, DialStatus::Answer);
    (lines, end, chan)
}

#[test]
fn gosub_arguments_are_local_and_restored_on_return() {
    let conf = "\
[main]
exten => s,1,Set(ARG1=outer)
 same => n,Gosub(sub,s,1(a,b))
 same => n,NoOp(${ARG1}|${GOSUB_RETVAL}|${X})
[sub]
exten => s,1,Set(LOCAL(X)=inner)
 same => n,NoOp(${ARG1},${ARG2},${ARGC},${X})
 same => n,Return(done)
";
    let (lines, end, chan) = run(conf, "main", "s");
    assert_eq!(
        lines,
        vec![
            "main,s,1: Set(ARG1=outer)",
            "main,s,2: Gosub(sub,s,1(a,b))",
            "sub,s,1: Set(LOCAL(X)=inner)",
            "sub,s,2: NoOp(a,b,2,inner)",
            "sub,s,3: Return(done)",
            "main,s,3: NoOp(outer|done|)",
        ]
    );
    assert_eq!(end, EndReason::Fallthrough);
    assert!(chan.stack.is_empty());
}

#[test]
fn nested_gosub_masks_outer_arguments_it_does_not_pass() {
    let conf = "\
[main]
exten => s,1,Gosub(one,s,1(x,y))
[one]
exten => s,1,Gosub(two,s,1(z))
 same => n,Return()
[two]
exten => s,1,NoOp(${ARG1}-${ARG2}-${ARGC})
 same => n,Return()
";
    let (lines, _, _) = run(conf, "main", "s");
    assert!(
        lines.contains(&"two,s,1: NoOp(z--1)".to_string()),
        "{lines:?}"
    );
}

#[test]
fn return_without_gosub_hangs_up() {
    let (lines, end, _) = run(
        "[main]\nexten => s,1,Return()\n same => n,NoOp(never)\n",
        "main",
        "s",
    );
    assert_eq!(lines, vec!["main,s,1: Return()"]);
    assert_eq!(end, EndReason::Hangup);
}

#[test]
fn while_loops_until_false_and_exitwhile_leaves() {
    let conf = "\
[main]
exten => s,1,Set(I=0)
 same => n,While($[${I} < 3])
 same => n,Set(I=$[${I} + 1])
 same => n,ExecIf($[${I} = 2]?ExitWhile())
 same => n,EndWhile()
 same => n,NoOp(after ${I})
";
    let (lines, end, chan) = run(conf, "main", "s");
    assert_eq!(
        lines,
        vec![
            "main,s,1: Set(I=0)",
            "main,s,2: While(1)",
            "main,s,3: Set(I=1)",
            "main,s,4: ExecIf(0?ExitWhile())",
            "main,s,5: EndWhile()",
            "main,s,2: While(1)",
            "main,s,3: Set(I=2)",
            "main,s,4: ExecIf(1?ExitWhile())",
            "main,s,6: NoOp(after 2)",
        ]
    );
    assert_eq!(end, EndReason::Fallthrough);
    assert!(chan.loops.is_empty());
}

#[test]
fn while_false_at_start_skips_nested_loops() {
    let conf = "\
[main]
exten => s,1,While(0)
 same => n,While(1)
 same => n,NoOp(inner)
 same => n,EndWhile()
 same => n,EndWhile()
 same => n,NoOp(out)
";
    let (lines, _, _) = run(conf, "main", "s");
    assert_eq!(lines, vec!["main,s,1: While(0)", "main,s,6: NoOp(out)"]);
}

#[test]
fn answered_dial_ends_the_call_and_runs_h() {
    let conf = "\
[main]
exten => 100,1,Dial(SIP/alice,20)
 same => n,NoOp(not reached)
exten => h,1,NoOp(${DIALSTATUS})
";
    let (lines, end, _) = run(conf, "main", "100");
    assert_eq!(
        lines,
        vec!["main,100,1: Dial(SIP/alice,20)", "main,h,1: NoOp(ANSWER)"]
    );
    assert_eq!(end, EndReason::Hangup);
}

#[test]
fn dial_with_g_goes_on_after_answer() {
    let (lines, _, _) = run(
        "[main]\nexten => 1,1,Dial(SIP/a,,g)\n same => n,NoOp(${DIALSTATUS})\n",
        "main",
        "1",
    );
    assert_eq!(lines[1], "main,1,2: NoOp(ANSWER)");
}

#[test]
fn busy_dial_branches_on_dialstatus() {
    let conf = "\
[main]
exten => 100,1,Dial(SIP/alice,20)
 same => n,GotoIf($[\"${DIALSTATUS}\" = \"BUSY\"]?busy)
 same => n,Hangup()
 same => n(busy),Busy(5)
";
    let shared = shared(conf);
    let mut chan = Channel::new("Sim/t-1", "1.1", "main", "100");
    let (lines, end, host) = run_with(&shared, &mut chan, DialStatus::Busy);
    assert_eq!(
        lines,
        vec![
            "main,100,1: Dial(SIP/alice,20)",
            "main,100,2: GotoIf(1?busy)",
            "main,100,4: Busy(5)",
        ]
    );
    assert_eq!(end, EndReason::Hangup);
    assert_eq!(chan.hangupcause, 17);
    assert!(matches!(host.log[0], tandem_core::Request::Dial(_)));
}

#[test]
fn goto_to_a_missing_extension_lands_in_i() {
    let conf = "\
[main]
exten => s,1,Goto(nowhere,1)
exten => i,1,NoOp(invalid ${INVALID_EXTEN})
";
    let (lines, end, _) = run(conf, "main", "s");
    assert_eq!(
        lines,
        vec![
            "main,s,1: Goto(nowhere,1)",
            "main,i,1: NoOp(invalid nowhere)"
        ]
    );
    assert_eq!(end, EndReason::Fallthrough);
}

#[test]
fn waitexten_timeout_goes_to_t() {
    let conf = "\
[menu]
exten => s,1,Background(menu)
 same => n,WaitExten(5)
exten => t,1,NoOp(timeout)
 same => n,Hangup()
";
    let (lines, end, _) = run(conf, "menu", "s");
    assert_eq!(
        lines,
        vec![
            "menu,s,1: Background(menu)",
            "menu,s,2: WaitExten(5)",
            "menu,t,1: NoOp(timeout)",
            "menu,t,2: Hangup()"
        ]
    );
    assert_eq!(end, EndReason::Hangup);
}

#[test]
fn autofallthrough_no_waits_for_digits_then_t() {
    let conf = "\
[general]
autofallthrough=no
[main]
exten => s,1,NoOp(start)
exten => t,1,Hangup()
";
    let (lines, end, _) = run(conf, "main", "s");
    assert_eq!(lines, vec!["main,s,1: NoOp(start)", "main,t,1: Hangup()"]);
    assert_eq!(end, EndReason::Hangup);
}

#[test]
fn runaway_loop_is_stopped() {
    let mut shared = shared("[main]\nexten => s,1,NoOp(spin)\n same => n,Goto(1)\n");
    shared.max_priorities = 1000;
    let mut chan = Channel::new("Sim/t-1", "1.1", "main", "s");
    let (lines, end, _) = run_with(&shared, &mut chan, DialStatus::Answer);
    assert_eq!(end, EndReason::Limit);
    assert_eq!(lines.len(), 1000);
}

#[test]
fn unknown_start_extension_falls_back_to_s() {
    let (lines, end, chan) = run("[main]\nexten => s,1,NoOp(${EXTEN})\n", "main", "2");
    assert_eq!(lines, vec!["main,s,1: NoOp(s)"]);
    assert_eq!(end, EndReason::Fallthrough);
    assert_eq!(chan.exten, "s");
}

#[test]
fn unknown_start_without_s_falls_back_to_default_then_no_match() {
    let (lines, end, chan) = run("[main]\nexten => 1,1,NoOp()\n", "main", "2");
    assert!(lines.is_empty());
    assert_eq!(end, EndReason::NoMatch);
    assert_eq!(chan.context, "default");
}

#[test]
fn unknown_start_falls_back_to_s_in_default() {
    let conf = "[main]\nexten => 1,1,NoOp()\n[default]\nexten => s,1,NoOp(default s)\n";
    let (lines, _, _) = run(conf, "main", "2");
    assert_eq!(lines, vec!["default,s,1: NoOp(default s)"]);
}

#[test]
fn missing_label_hangs_up() {
    let (lines, end, _) = run(
        "[main]\nexten => s,1,Goto(nolabel)\nexten => h,1,NoOp(h ran)\n",
        "main",
        "s",
    );
    assert_eq!(
        lines,
        vec!["main,s,1: Goto(nolabel)", "main,h,1: NoOp(h ran)"]
    );
    assert_eq!(end, EndReason::Hangup);
}

#[test]
fn globals_and_set_global_are_shared() {
    let conf = "[globals]\nTRUNK=SIP/out\n[main]\nexten => s,1,Set(GLOBAL(TRUNK)=IAX2/other)\n";
    let shared = shared(conf);
    let mut chan = Channel::new("Sim/t-1", "1.1", "main", "s");
    run_with(&shared, &mut chan, DialStatus::Answer);
    assert_eq!(shared.global("TRUNK").as_deref(), Some("IAX2/other"));
}

#[test]
fn db_function_writes_to_the_store() {
    let conf = "[main]\nexten => s,1,Set(DB(cf/6001)=5551234)\n same => n,NoOp(${DB(cf/6001)})\n";
    let shared = shared(conf);
    let mut chan = Channel::new("Sim/t-1", "1.1", "main", "s");
    let (lines, _, _) = run_with(&shared, &mut chan, DialStatus::Answer);
    assert_eq!(lines[1], "main,s,2: NoOp(5551234)");
    assert_eq!(
        shared.store.db_get("cf", "6001").expect("store").as_deref(),
        Some("5551234")
    );
}

#[test]
fn dialled_leg_inherits_underscore_variables_set_in_the_dialplan() {
    let conf =
        "[main]\nexten => s,1,Set(__ACCOUNT=42)\n same => n,Set(_ONCE=1)\n same => n,Dial(SIP/x)\n";
    let shared = shared(conf);
    let mut chan = Channel::new("Sim/t-1", "1.1", "main", "s");
    let (_, _, host) = run_with(&shared, &mut chan, DialStatus::Answer);
    let tandem_core::Request::Dial(req) = &host.log[0] else {
        panic!("expected a Dial request: {:?}", host.log)
    };
    assert!(req
        .inherit
        .contains(&("__ACCOUNT".to_string(), "42".to_string())));
    assert!(req.inherit.contains(&("ONCE".to_string(), "1".to_string())));
}

#[test]
fn waitexten_timeout_continues_at_the_next_priority_when_there_is_one() {
    let conf =
        "[menu]\nexten => s,1,WaitExten(5)\n same => n,NoOp(next)\nexten => t,1,NoOp(timeout)\n";
    let (lines, end, _) = run(conf, "menu", "s");
    assert_eq!(
        lines,
        vec!["menu,s,1: WaitExten(5)", "menu,s,2: NoOp(next)"]
    );
    assert_eq!(end, EndReason::Fallthrough);
}
