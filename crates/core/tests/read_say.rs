//! Read, SayDigits, SayNumber and SayAlpha on a simulated channel: the arguments they parse,
//! the requests they make and the variables they set (Asterisk's app_read.c, pbx_builtins.c).

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use tandem_conf::MemSource;
use tandem_core::host::DialStatus;
use tandem_core::sim::{block_on, SimHost};
use tandem_core::{Channel, ChannelState, EndReason, Host, Pbx, Reply, Request, Shared};
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

/// A host whose digit reads come from a script; everything else succeeds at once.
struct Scripted {
    reads: VecDeque<Reply>,
    log: Vec<Request>,
}

impl Host for Scripted {
    fn request(
        &mut self,
        chan: &mut Channel,
        request: Request,
    ) -> impl std::future::Future<Output = Reply> + Send {
        let reply = match &request {
            Request::Answer { .. } => {
                chan.state = ChannelState::Up;
                Reply::Done
            }
            Request::ReadDigits { .. } => self
                .reads
                .pop_front()
                .unwrap_or(Reply::Digits(String::new())),
            // Interruptible prompts take the next scripted reply too.
            Request::Play {
                interrupt: true, ..
            } => self.reads.pop_front().unwrap_or(Reply::Done),
            _ => Reply::Done,
        };
        self.log.push(request);
        std::future::ready(reply)
    }
}

fn run_scripted(conf: &str, reads: Vec<Reply>, up: bool) -> (Channel, Vec<Request>, EndReason) {
    let shared = shared(conf);
    let mut chan = Channel::new("Sim/test-00000001", "1.1", "main", "s");
    if up {
        chan.state = ChannelState::Up;
    }
    let mut host = Scripted {
        reads: reads.into(),
        log: Vec::new(),
    };
    let end = {
        let mut pbx = Pbx::new(&shared, &mut host);
        block_on(pbx.run(&mut chan)).expect("never blocks")
    };
    (chan, host.log, end)
}

fn var(chan: &Channel, name: &str) -> Option<String> {
    chan.var(name).map(str::to_string)
}

fn digits(d: &str) -> Reply {
    Reply::Digits(d.to_string())
}

#[test]
fn read_answers_plays_prompts_and_sets_the_digits_with_status_ok_at_maxdigits() {
    let conf = "[main]\nexten => s,1,Read(NUM,enter&pin,4)\n";
    let (chan, log, _) = run_scripted(conf, vec![digits("1234")], false);
    assert_eq!(var(&chan, "NUM").as_deref(), Some("1234"));
    assert_eq!(var(&chan, "READSTATUS").as_deref(), Some("OK"));
    assert!(matches!(log.first(), Some(Request::Answer { .. })));
    assert_eq!(
        log.get(1),
        Some(&Request::ReadDigits {
            files: vec!["enter".into(), "pin".into()],
            max: 4,
            first_timeout: Duration::from_secs(10),
            digit_timeout: Duration::from_secs(5),
        })
    );
}

#[test]
fn read_pound_ends_input_ok_and_is_not_stored() {
    let conf = "[main]\nexten => s,1,Read(NUM,,10)\n";
    let (chan, _, _) = run_scripted(conf, vec![digits("42#")], true);
    assert_eq!(var(&chan, "NUM").as_deref(), Some("42"));
    assert_eq!(var(&chan, "READSTATUS").as_deref(), Some("OK"));
}

#[test]
fn read_timeout_keeps_partial_digits_and_status_timeout() {
    let conf = "[main]\nexten => s,1,Read(NUM,,5,,,2.5)\n";
    let (chan, log, _) = run_scripted(conf, vec![digits("12")], true);
    assert_eq!(var(&chan, "NUM").as_deref(), Some("12"));
    assert_eq!(var(&chan, "READSTATUS").as_deref(), Some("TIMEOUT"));
    // A given timeout is used for the first digit and between digits.
    assert!(matches!(
        log.first(),
        Some(Request::ReadDigits { first_timeout, digit_timeout, .. })
            if *first_timeout == Duration::from_millis(2500)
                && *digit_timeout == Duration::from_millis(2500)
    ));
}

#[test]
fn read_retries_attempts_while_nothing_is_entered() {
    let conf = "[main]\nexten => s,1,Read(NUM,beep,1,,3)\n";
    let (chan, log, _) = run_scripted(conf, vec![digits(""), digits("7")], true);
    assert_eq!(var(&chan, "NUM").as_deref(), Some("7"));
    assert_eq!(var(&chan, "READSTATUS").as_deref(), Some("OK"));
    let reads = log
        .iter()
        .filter(|r| matches!(r, Request::ReadDigits { .. }))
        .count();
    assert_eq!(reads, 2, "stops after the attempt that read something");
}

#[test]
fn read_skip_option_on_unanswered_channel_sets_skipped_without_answering() {
    let conf = "[main]\nexten => s,1,Read(NUM,beep,1,s)\n";
    let (chan, log, _) = run_scripted(conf, vec![digits("5")], false);
    assert_eq!(var(&chan, "NUM").as_deref(), Some(""));
    assert_eq!(var(&chan, "READSTATUS").as_deref(), Some("SKIPPED"));
    assert!(log.is_empty(), "{log:?}");
}

#[test]
fn read_noanswer_option_reads_without_answering() {
    let conf = "[main]\nexten => s,1,Read(NUM,,1,n)\n";
    let (chan, log, _) = run_scripted(conf, vec![digits("9")], false);
    assert_eq!(var(&chan, "NUM").as_deref(), Some("9"));
    assert!(!log.iter().any(|r| matches!(r, Request::Answer { .. })));
}

#[test]
fn read_hangup_sets_hangup_status_and_ends_the_call() {
    let conf = "[main]\nexten => s,1,Read(NUM,,1)\n same => n,NoOp(not reached)\n";
    let (chan, _, end) = run_scripted(conf, vec![Reply::HungUp], true);
    assert_eq!(var(&chan, "READSTATUS").as_deref(), Some("HANGUP"));
    assert_eq!(end, EndReason::Hangup);
}

#[test]
fn read_without_variable_warns_sets_error_and_goes_on() {
    let conf = "[main]\nexten => s,1,Read(,beep)\n same => n,Set(AFTER=yes)\n";
    let (chan, log, _) = run_scripted(conf, vec![], true);
    assert_eq!(var(&chan, "READSTATUS").as_deref(), Some("ERROR"));
    assert_eq!(var(&chan, "AFTER").as_deref(), Some("yes"));
    assert!(log.is_empty());
}

#[test]
fn dialplan_run_read_times_out_with_an_empty_variable() {
    let shared =
        shared("[main]\nexten => s,1,Read(NUM,beep,1)\n same => n,NoOp(${NUM}|${READSTATUS})\n");
    let mut chan = Channel::new("Sim/test-00000001", "1.1", "main", "s");
    let mut host = SimHost::new(DialStatus::Answer);
    let mut lines = Vec::new();
    let mut push = |l: &tandem_core::TraceLine<'_>| lines.push(l.to_string());
    {
        let mut pbx = Pbx::new(&shared, &mut host).with_trace(&mut push);
        block_on(pbx.run(&mut chan)).expect("never blocks");
    }
    assert_eq!(
        lines,
        vec!["main,s,1: Read(NUM,beep,1)", "main,s,2: NoOp(|TIMEOUT)"]
    );
}

fn played(log: &[Request]) -> Vec<String> {
    log.iter()
        .filter_map(|r| match r {
            Request::Play { files, .. } => Some(files.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

#[test]
fn saydigits_plays_one_digit_prompt_per_character() {
    let conf = "[main]\nexten => s,1,SayDigits(12*#)\n";
    let (_, log, _) = run_scripted(conf, vec![], true);
    assert_eq!(
        played(&log),
        ["digits/1", "digits/2", "digits/star", "digits/pound"]
    );
}

#[test]
fn saynumber_says_english_words_and_accepts_a_gender() {
    let conf = "[main]\nexten => s,1,SayNumber(312,f)\n";
    let (_, log, _) = run_scripted(conf, vec![], true);
    assert_eq!(played(&log), ["digits/3", "digits/hundred", "digits/12"]);
}

#[test]
fn saynumber_bad_number_goes_on_bad_gender_hangs_up() {
    let conf = "[main]\nexten => s,1,SayNumber(12abc)\n same => n,SayNumber(5,x)\n same => n,Set(AFTER=yes)\n";
    let (chan, log, end) = run_scripted(conf, vec![], true);
    assert!(played(&log).is_empty());
    assert_eq!(var(&chan, "AFTER"), None);
    assert_eq!(end, EndReason::Hangup);
}

#[test]
fn sayalpha_spells_letters_and_digits() {
    let conf = "[main]\nexten => s,1,SayAlpha(Ab9)\n";
    let (_, log, _) = run_scripted(conf, vec![], true);
    assert_eq!(played(&log), ["letters/a", "letters/b", "digits/9"]);
}

#[test]
fn read_whose_last_prompt_is_missing_reads_nothing_and_leaves_error() {
    let conf = "[main]\nexten => s,1,Read(NUM,no-such-prompt,1,,3)\n same => n,Set(AFTER=yes)\n";
    let (chan, log, _) = run_scripted(conf, vec![Reply::Unsupported, digits("5")], true);
    assert_eq!(var(&chan, "NUM").as_deref(), Some(""));
    assert_eq!(var(&chan, "READSTATUS").as_deref(), Some("ERROR"));
    assert_eq!(var(&chan, "AFTER").as_deref(), Some("yes"));
    let reads = log
        .iter()
        .filter(|r| matches!(r, Request::ReadDigits { .. }))
        .count();
    assert_eq!(reads, 1, "no further attempts after the failure");
}

#[test]
fn say_applications_with_an_empty_argument_say_nothing_and_go_on() {
    let conf =
        "[main]\nexten => s,1,SayDigits()\n same => n,SayAlpha()\n same => n,Set(AFTER=yes)\n";
    let (chan, log, _) = run_scripted(conf, vec![], true);
    assert!(played(&log).is_empty());
    assert_eq!(var(&chan, "AFTER").as_deref(), Some("yes"));
}

#[test]
fn sayalpha_spells_the_whole_argument_commas_included() {
    let conf = "[main]\nexten => s,1,SayAlpha(a,b)\n";
    let (_, log, _) = run_scripted(conf, vec![], true);
    assert_eq!(played(&log), ["letters/a", "letters/b"]);
}

#[test]
fn saynumber_without_argument_hangs_up() {
    let conf = "[main]\nexten => s,1,SayNumber()\n same => n,Set(AFTER=yes)\n";
    let (chan, _, end) = run_scripted(conf, vec![], true);
    assert_eq!(var(&chan, "AFTER"), None);
    assert_eq!(end, EndReason::Hangup);
}

#[test]
fn say_is_not_interruptible_by_default() {
    let conf = "[main]\nexten => s,1,SayDigits(1)\n same => n,Set(AFTER=yes)\n";
    let (chan, log, _) = run_scripted(conf, vec![digits("2")], true);
    assert!(matches!(
        log.first(),
        Some(Request::Play {
            interrupt: false,
            ..
        })
    ));
    assert_eq!(var(&chan, "AFTER").as_deref(), Some("yes"));
}

#[test]
fn say_dtmf_interrupt_lets_a_digit_jump_to_that_extension() {
    let conf = "[main]\nexten => s,1,Set(SAY_DTMF_INTERRUPT=yes)\n same => n,SayNumber(42)\n\
                same => n,Set(AFTER=yes)\nexten => 2,1,Set(JUMPED=yes)\n";
    let (chan, _, _) = run_scripted(conf, vec![digits("2")], true);
    assert_eq!(var(&chan, "JUMPED").as_deref(), Some("yes"));
    assert_eq!(var(&chan, "AFTER"), None);
}
