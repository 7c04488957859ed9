use super::*;

const T0: i64 = 1_764_000_000_000;

fn party() -> PartyA<'static> {
    PartyA {
        channel: "SIP/alice-00000001",
        uniqueid: "1764000000.1",
        linkedid: "1764000000.1",
        caller_num: "100",
        caller_name: "Alice",
        context: "phones",
        exten: "200",
        accountcode: "acct",
        answered: false,
    }
}

fn opts() -> CdrOptions {
    CdrOptions::default()
}

#[test]
fn answered_dial_bills_from_answer_to_bridge_end() {
    let mut set = CdrSet::default();
    set.start(T0, &party());
    set.app(T0 + 10, "phones", "200", "Dial", "SIP/bob,20", false);
    set.dial_begin("SIP/bob-00000002");
    set.answered(T0 + 3_400);
    set.dial_end(T0 + 8_399, "ANSWER", &opts());
    // The h extension runs later: it changes nothing, the end stays the bridge's end.
    set.app(T0 + 9_000, "phones", "h", "NoOp", "bye", true);
    let recs = set.hangup(T0 + 9_500, cause::NORMAL_CLEARING, &opts());
    assert_eq!(recs.len(), 1);
    let r = &recs[0];
    assert_eq!(r.disposition_str(), "ANSWERED");
    assert_eq!(r.duration(0), 8);
    assert_eq!(r.billsec(0, false), 4, "4.999 s truncates");
    assert_eq!(r.billsec(0, true), 5, "initiatedseconds rounds .999 up");
    assert_eq!(r.dstchannel, "SIP/bob-00000002");
    assert_eq!(r.lastapp, "Dial");
    assert_eq!(r.lastdata, "SIP/bob,20");
    assert_eq!(r.clid, "\"Alice\" <100>");
    assert_eq!(r.src, "100");
    assert_eq!(r.dst, "200");
}

#[test]
fn busy_and_noanswer_map_from_dialstatus_and_end_at_dial_end() {
    for (status, want) in [
        ("BUSY", "BUSY"),
        ("NOANSWER", "NO ANSWER"),
        ("CANCEL", "NO ANSWER"),
        ("CONGESTION", "FAILED"),
        ("CHANUNAVAIL", "FAILED"),
    ] {
        let mut set = CdrSet::default();
        set.start(T0, &party());
        set.app(T0, "phones", "200", "Dial", "SIP/bob,5", false);
        set.dial_begin("SIP/bob-00000002");
        set.dial_end(T0 + 5_000, status, &opts());
        // Not locked any more by this record: a new one would start for further apps.
        let recs = set.hangup(T0 + 7_000, cause::NORMAL_CLEARING, &opts());
        assert_eq!(recs.len(), 1, "{status}");
        assert_eq!(recs[0].disposition_str(), want, "{status}");
        assert_eq!(recs[0].duration(0), 5, "{status}");
        assert_eq!(recs[0].billsec(0, false), 0, "{status}");
    }
}

#[test]
fn congestion_option_keeps_congestion() {
    let o = CdrOptions {
        congestion: true,
        ..opts()
    };
    assert_eq!(
        Disposition::from_dial_status("CONGESTION", o.congestion),
        Disposition::Congestion
    );
    assert_eq!(
        Disposition::from_cause(cause::NORMAL_CIRCUIT_CONGESTION, false),
        Some(Disposition::Failed)
    );
}

#[test]
fn lastapp_is_locked_once_dial_begins() {
    let mut set = CdrSet::default();
    set.start(T0, &party());
    set.app(T0, "phones", "200", "Set", "X=1", false);
    assert_eq!(set.current().map(|c| c.lastapp.as_str()), Some("Set"));
    set.app(T0, "phones", "200", "Dial", "SIP/bob", false);
    set.dial_begin("SIP/bob-1");
    set.app(T0, "phones", "200", "NoOp", "", false);
    assert_eq!(set.current().map(|c| c.lastapp.as_str()), Some("Dial"));
}

#[test]
fn an_app_after_a_failed_dial_starts_a_new_record() {
    let mut set = CdrSet::default();
    set.start(T0, &party());
    set.app(T0, "phones", "200", "Dial", "SIP/bob", false);
    set.dial_begin("SIP/bob-1");
    set.dial_end(T0 + 2_000, "BUSY", &opts());
    set.app(T0 + 2_000, "phones", "200", "Answer", "", false);
    set.answered(T0 + 2_100);
    set.app(T0 + 2_100, "phones", "200", "Playback", "vm-goodbye", true);
    let recs = set.hangup(T0 + 5_100, cause::NORMAL_CLEARING, &opts());
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0].disposition_str(), "BUSY");
    assert_eq!(recs[1].disposition_str(), "ANSWERED");
    assert_eq!(recs[1].lastapp, "Playback");
    assert_eq!(recs[1].billsec(0, false), 3);
    assert_eq!(recs[1].uniqueid, recs[0].uniqueid);
}

#[test]
fn unanswered_without_party_b_is_not_posted_by_default() {
    let mut set = CdrSet::default();
    set.start(T0, &party());
    set.app(T0, "phones", "200", "Hangup", "", false);
    let o = CdrOptions {
        unanswered: true,
        ..opts()
    };
    let mut copy = set.clone();
    assert!(set
        .hangup(T0 + 1_000, cause::NORMAL_CLEARING, &opts())
        .is_empty());
    let recs = copy.hangup(T0 + 1_000, cause::NORMAL_CLEARING, &o);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].disposition_str(), "NO ANSWER");
}

#[test]
fn answered_without_dial_is_answered_and_bills_to_hangup() {
    let mut set = CdrSet::default();
    set.start(T0, &party());
    set.app(T0 + 500, "phones", "600", "Answer", "", false);
    set.answered(T0 + 500);
    set.app(T0 + 500, "phones", "600", "Echo", "", true);
    let recs = set.hangup(T0 + 10_499, cause::NORMAL_CLEARING, &opts());
    assert_eq!(recs[0].disposition_str(), "ANSWERED");
    assert_eq!(recs[0].billsec(0, false), 9);
    assert_eq!(recs[0].duration(0), 10);
    assert_eq!(recs[0].dst, "600");
}

#[test]
fn busy_hangup_cause_without_dial_gives_busy() {
    let mut set = CdrSet::default();
    set.start(T0, &party());
    let o = CdrOptions {
        unanswered: true,
        ..opts()
    };
    let recs = set.hangup(T0 + 1_000, cause::USER_BUSY, &o);
    assert_eq!(recs[0].disposition_str(), "BUSY");
}

#[test]
fn nocdr_posts_nothing_and_reset_restarts_the_clock() {
    let mut set = CdrSet::default();
    set.start(T0, &party());
    set.app(T0, "phones", "200", "Answer", "", true);
    set.set_var("foo", "bar");
    set.reset(T0 + 4_000, true, false);
    assert_eq!(set.var("foo"), None);
    let r = set.current().cloned().unwrap_or_default();
    assert_eq!(r.start_ms, T0 + 4_000);
    assert_eq!(r.duration(T0 + 6_000), 2);
    set.disabled = true;
    assert!(set.hangup(T0 + 7_000, 16, &opts()).is_empty());
}

#[test]
fn duration_while_up_uses_now() {
    let mut set = CdrSet::default();
    set.start(T0, &party());
    let r = set.current().cloned().unwrap_or_default();
    assert_eq!(r.duration(T0 + 2_999), 2);
    assert_eq!(r.billsec(T0 + 2_999, false), 0);
}

#[test]
fn amaflags_names_round_trip() {
    assert_eq!(amaflags_name(AMA_DOCUMENTATION), "DOCUMENTATION");
    assert_eq!(amaflags_parse("billing"), Some(2));
    assert_eq!(amaflags_parse("1"), Some(1));
    assert_eq!(amaflags_parse("bogus"), None);
}
