//! Collecting a multi-digit extension after Background, WaitExten and at the end of an
//! extension with autofallthrough=no, as `collect_digits` in Asterisk's pbx.c: after a digit,
//! wait `dtimeout` (5 s) for another while the digits typed can still match a longer
//! extension (`ast_matchmore_extension`); then go to the extension, or to `i`.

use std::sync::Arc;
use std::time::Duration;

use tandem_conf::MemSource;
use tandem_core::host::DialStatus;
use tandem_core::sim::{block_on, SimHost};
use tandem_core::{Channel, ChannelState, EndReason, Pbx, Request, Shared};
use tandem_dialplan::LocalTime;
use tandem_store::SqliteStore;

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
    Shared::new(dp, store, Box::new(|| LocalTime::new(1_796_292_000, 0)), 7)
}

/// Run `menu,s,1` with the caller pressing `keys` (one per wait for a digit, the first one
/// interrupting the prompt): the trace, how it ended, the channel and the digit waits.
fn run(conf: &str, keys: &str) -> (Vec<String>, EndReason, Channel, Vec<Duration>) {
    let shared = shared(conf);
    let mut chan = Channel::new("Sim/test-00000001", "1.1", "menu", "s");
    chan.state = ChannelState::Up;
    let mut host = SimHost::new(DialStatus::Answer);
    host.keys = keys.chars().collect();
    let mut lines = Vec::new();
    let mut push = |l: &tandem_core::TraceLine<'_>| lines.push(l.to_string());
    let end = {
        let mut pbx = Pbx::new(&shared, &mut host).with_trace(&mut push);
        block_on(pbx.run(&mut chan)).expect("the simulated host never blocks")
    };
    let waits = host
        .log
        .iter()
        .filter_map(|r| match r {
            Request::CollectDigits { timeout } => Some(*timeout),
            _ => None,
        })
        .collect();
    (lines, end, chan, waits)
}

const MENU: &str = "\
[menu]
exten => s,1,Background(menu)
 same => n,WaitExten(7)
exten => 1,1,NoOp(one)
exten => 123,1,NoOp(one-two-three)
exten => 2,1,NoOp(two)
exten => _4XX,1,NoOp(pattern ${EXTEN})
exten => i,1,NoOp(invalid ${INVALID_EXTEN})
exten => t,1,NoOp(timeout)
";

const FIVE_S: Duration = Duration::from_secs(5);

#[test]
fn background_digit_keeps_collecting_while_a_longer_extension_can_match() {
    let (lines, _, chan, waits) = run(MENU, "123");
    assert_eq!(
        lines.last().map(String::as_str),
        Some("menu,123,1: NoOp(one-two-three)")
    );
    // After "1" and "12" a longer extension can match: two waits of dtimeout; after "123"
    // nothing longer can, so no third wait.
    assert_eq!(waits, vec![FIVE_S, FIVE_S]);
    assert_eq!(chan.exten, "123");
}

#[test]
fn a_digit_that_nothing_longer_can_match_is_taken_at_once() {
    let (lines, _, _, waits) = run(MENU, "2");
    assert_eq!(
        lines.last().map(String::as_str),
        Some("menu,2,1: NoOp(two)")
    );
    assert!(waits.is_empty(), "no wait for more digits: {waits:?}");
}

#[test]
fn the_digit_timeout_ends_collection_at_a_shorter_extension() {
    // "1" exists and "123" could still come: 5 s pass with nothing, the caller goes to 1.
    let (lines, _, _, waits) = run(MENU, "1");
    assert_eq!(
        lines.last().map(String::as_str),
        Some("menu,1,1: NoOp(one)")
    );
    assert_eq!(waits, vec![FIVE_S]);
}

#[test]
fn digits_that_stop_matching_go_to_i_with_the_whole_string() {
    let (lines, _, chan, waits) = run(MENU, "19");
    assert_eq!(
        lines.last().map(String::as_str),
        Some("menu,i,1: NoOp(invalid 19)")
    );
    assert_eq!(chan.var("INVALID_EXTEN"), Some("19"));
    assert_eq!(waits, vec![FIVE_S]);
}

#[test]
fn a_timeout_inside_a_pattern_goes_to_i_with_the_partial_digits() {
    // "4" and "45" can only become _4XX: the timeout leaves "45", which is no extension.
    let (lines, _, _, waits) = run(MENU, "45");
    assert_eq!(
        lines.last().map(String::as_str),
        Some("menu,i,1: NoOp(invalid 45)")
    );
    assert_eq!(waits, vec![FIVE_S, FIVE_S]);
    let (lines, _, _, _) = run(MENU, "456");
    assert_eq!(
        lines.last().map(String::as_str),
        Some("menu,456,1: NoOp(pattern 456)")
    );
}

#[test]
fn waitexten_waits_its_own_timeout_for_the_first_digit_then_dtimeout() {
    // The prompt plays out (no key interrupts it): the Background key is taken by WaitExten.
    let conf = MENU.replace("Background(menu)", "NoOp(no prompt)");
    let (lines, _, _, waits) = run(&conf, "123");
    assert_eq!(
        lines.last().map(String::as_str),
        Some("menu,123,1: NoOp(one-two-three)")
    );
    assert_eq!(waits, vec![Duration::from_secs(7), FIVE_S, FIVE_S]);
}

#[test]
fn waitexten_with_no_digit_goes_on_then_to_t() {
    let conf = MENU.replace("Background(menu)", "NoOp(no prompt)");
    let (lines, _, _, waits) = run(&conf, "");
    assert_eq!(
        lines.last().map(String::as_str),
        Some("menu,t,1: NoOp(timeout)")
    );
    assert_eq!(waits, vec![Duration::from_secs(7)]);
}

#[test]
fn end_of_extension_with_autofallthrough_off_collects_with_the_response_timeout() {
    let conf = "\
[general]
autofallthrough=no
[menu]
exten => s,1,NoOp(start)
exten => 12,1,NoOp(twelve)
exten => 1,1,NoOp(one)
";
    let (lines, _, _, waits) = run(conf, "12");
    assert_eq!(
        lines.last().map(String::as_str),
        Some("menu,12,1: NoOp(twelve)")
    );
    // ... and when 12 runs out, the wait starts again (nothing comes: no `t`, hang up).
    assert_eq!(
        waits,
        vec![Duration::from_secs(10), FIVE_S, Duration::from_secs(10)]
    );
}
