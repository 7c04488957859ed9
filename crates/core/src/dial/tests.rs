//! Dial scenarios over a scripted world.

use std::collections::VecDeque;
use std::future::Future;

use super::*;
use crate::apps::parse_dial;
use crate::sim::block_on;

/// A scripted world: events come out in order; what Dial does is recorded.
#[derive(Default)]
struct Script {
    unavailable: Vec<usize>,
    wakes: VecDeque<Wake>,
    bridge_end: Option<BridgeEnd>,
    did: Vec<String>,
}

impl DialIo for Script {
    fn originate(&mut self, index: usize, target: &DialTarget, _: &DialRequest) -> Result<(), u16> {
        if self.unavailable.contains(&index) {
            self.did.push(format!("unavailable {}", target.resource));
            return Err(20);
        }
        self.did.push(format!("call {}", target.resource));
        Ok(())
    }
    fn wait(&mut self) -> impl Future<Output = Wake> + Send {
        std::future::ready(self.wakes.pop_front().unwrap_or(Wake::Timeout))
    }
    fn hangup_leg(&mut self, index: usize, cause: u16) {
        self.did.push(format!("hangup {index} cause {cause}"));
    }
    fn indicate_caller(&mut self, indication: Indication) {
        self.did.push(format!("caller {indication:?}"));
    }
    fn early_media(&mut self, index: usize) {
        self.did.push(format!("early media {index}"));
    }
    fn answer_caller(&mut self) {
        self.did.push("answer caller".into());
    }
    fn bridge(&mut self, index: usize) -> impl Future<Output = BridgeEnd> + Send {
        self.did.push(format!("bridge {index}"));
        std::future::ready(self.bridge_end.clone().unwrap_or(BridgeEnd::CalleeHungUp))
    }
    fn start_moh(&mut self, class: Option<&str>) {
        self.did.push(format!("moh {}", class.unwrap_or("-")));
    }
    fn stop_moh(&mut self) {
        self.did.push("stop moh".into());
    }
    fn leg_redirected(&mut self, index: usize, to: Goto) -> bool {
        self.did.push(format!(
            "leg {index} to {},{},{}",
            to.context, to.exten, to.priority
        ));
        true
    }
}

fn leg(i: usize, e: ChannelEvent) -> Wake {
    Wake::Event(Party::Leg(i), e)
}

fn run(data: &str, script: &mut Script) -> DialOutcome {
    let req = parse_dial(data).expect("valid Dial");
    block_on(dial(script, &req)).expect("scripted io never blocks")
}

#[test]
fn first_answer_wins_and_the_others_are_cancelled() {
    let mut s = Script {
        wakes: [
            leg(0, ChannelEvent::Ringing),
            leg(1, ChannelEvent::Ringing),
            leg(1, ChannelEvent::Answered),
        ]
        .into(),
        ..Default::default()
    };
    let out = run("SIP/a&SIP/b,20", &mut s);
    assert_eq!(
        out,
        DialOutcome {
            status: DialStatus::Answer,
            answered: Some(1),
            caller_hung_up: false,
            transfer: None
        }
    );
    assert_eq!(
        s.did,
        [
            "call a",
            "call b",
            "caller Ringing",
            "hangup 0 cause 26",
            "answer caller",
            "bridge 1"
        ]
    );
}

#[test]
fn option_r_rings_the_caller_at_once_and_only_once() {
    let mut s = Script {
        wakes: [
            leg(0, ChannelEvent::Ringing),
            leg(0, ChannelEvent::Answered),
        ]
        .into(),
        ..Default::default()
    };
    run("SIP/a,20,r", &mut s);
    assert_eq!(s.did.iter().filter(|d| *d == "caller Ringing").count(), 1);
    assert_eq!(s.did[1], "caller Ringing");
}

#[test]
fn one_busy_and_one_unavailable_is_busy() {
    let mut s = Script {
        unavailable: vec![1],
        wakes: [leg(0, ChannelEvent::Hangup { cause: 17 })].into(),
        ..Default::default()
    };
    assert_eq!(run("SIP/a&SIP/b", &mut s).status, DialStatus::Busy);
}

#[test]
fn busy_and_a_plain_hangup_is_noanswer() {
    let mut s = Script {
        wakes: [
            leg(0, ChannelEvent::Hangup { cause: 17 }),
            leg(1, ChannelEvent::Hangup { cause: 16 }),
        ]
        .into(),
        ..Default::default()
    };
    assert_eq!(run("SIP/a&SIP/b", &mut s).status, DialStatus::NoAnswer);
}

#[test]
fn congestion_everywhere_is_congestion() {
    let mut s = Script {
        wakes: [leg(0, ChannelEvent::Hangup { cause: 34 })].into(),
        ..Default::default()
    };
    assert_eq!(run("SIP/a", &mut s).status, DialStatus::Congestion);
}

#[test]
fn no_channel_at_all_is_chanunavail() {
    let mut s = Script {
        unavailable: vec![0, 1],
        ..Default::default()
    };
    assert_eq!(run("SIP/a&SIP/b", &mut s).status, DialStatus::ChanUnavail);
    assert!(!s.did.iter().any(|d| d.starts_with("caller")));
}

#[test]
fn a_404_like_cause_counts_as_no_channel() {
    let mut s = Script {
        wakes: [leg(0, ChannelEvent::Hangup { cause: 1 })].into(),
        ..Default::default()
    };
    assert_eq!(run("SIP/a", &mut s).status, DialStatus::ChanUnavail);
}

#[test]
fn timeout_is_noanswer_and_cancels_every_leg() {
    let mut s = Script {
        wakes: [leg(0, ChannelEvent::Ringing), Wake::Timeout].into(),
        ..Default::default()
    };
    assert_eq!(run("SIP/a&SIP/b,10", &mut s).status, DialStatus::NoAnswer);
    assert!(s.did.contains(&"hangup 0 cause 19".to_string()));
    assert!(s.did.contains(&"hangup 1 cause 19".to_string()));
}

#[test]
fn caller_hanging_up_while_ringing_is_cancel() {
    let mut s = Script {
        wakes: [
            leg(0, ChannelEvent::Ringing),
            Wake::Event(Party::Caller, ChannelEvent::Hangup { cause: 16 }),
        ]
        .into(),
        ..Default::default()
    };
    let out = run("SIP/a", &mut s);
    assert_eq!(
        out,
        DialOutcome {
            status: DialStatus::Cancel,
            answered: None,
            caller_hung_up: true,
            transfer: None
        }
    );
    assert_eq!(s.did.last().map(String::as_str), Some("hangup 0 cause 16"));
}

#[test]
fn caller_hanging_up_in_the_call_is_reported() {
    let mut s = Script {
        wakes: [leg(0, ChannelEvent::Answered)].into(),
        bridge_end: Some(BridgeEnd::CallerHungUp),
        ..Default::default()
    };
    let out = run("SIP/a,,g", &mut s);
    assert_eq!(out.status, DialStatus::Answer);
    assert!(out.caller_hung_up);
}

#[test]
fn events_of_a_finished_leg_are_ignored() {
    let mut s = Script {
        wakes: [
            leg(0, ChannelEvent::Hangup { cause: 17 }),
            leg(0, ChannelEvent::Answered),
            leg(1, ChannelEvent::Answered),
        ]
        .into(),
        ..Default::default()
    };
    assert_eq!(run("SIP/a&SIP/b", &mut s).answered, Some(1));
}

#[test]
fn a_transfer_by_the_callee_is_reported_with_its_target() {
    let mut s = Script {
        wakes: [leg(0, ChannelEvent::Answered)].into(),
        bridge_end: Some(BridgeEnd::Transferred {
            context: "internal".into(),
            exten: "200".into(),
        }),
        ..Default::default()
    };
    let out = run("SIP/a", &mut s);
    assert_eq!(
        out.transfer,
        Some(("internal".to_string(), "200".to_string()))
    );
    assert!(!out.caller_hung_up);
}

#[test]
fn early_media_from_a_leg_reaches_the_caller() {
    let mut s = Script {
        wakes: [
            leg(0, ChannelEvent::Progress),
            leg(0, ChannelEvent::Answered),
        ]
        .into(),
        ..Default::default()
    };
    run("SIP/a", &mut s);
    assert_eq!(
        s.did[1..3],
        ["caller Progress".to_string(), "early media 0".to_string()]
    );
}

#[test]
fn option_m_plays_music_with_progress_instead_of_ringing_and_stops_it_at_the_answer() {
    let mut s = Script {
        wakes: [
            leg(0, ChannelEvent::Ringing),
            leg(0, ChannelEvent::Progress),
            leg(0, ChannelEvent::Answered),
        ]
        .into(),
        ..Default::default()
    };
    let out = run("SIP/a,20,m(jazz)", &mut s);
    assert_eq!(out.status, DialStatus::Answer);
    // app_dial: ast_moh_start, then AST_CONTROL_PROGRESS; no ringing; the callee's early
    // media is not relayed over the music; the music stops before the bridge.
    assert_eq!(
        s.did,
        [
            "call a",
            "moh jazz",
            "caller Progress",
            "stop moh",
            "answer caller",
            "bridge 0",
            "stop moh"
        ]
    );
}

#[test]
fn option_m_without_a_class_and_no_answer_stops_the_music() {
    let mut s = Script::default();
    let out = run("SIP/a,20,m", &mut s);
    assert_eq!(out.status, DialStatus::NoAnswer);
    assert_eq!(
        s.did,
        [
            "call a",
            "moh -",
            "caller Progress",
            "hangup 0 cause 19",
            "stop moh"
        ]
    );
}

#[test]
fn a_redirected_ringing_leg_leaves_dial_as_a_leg_without_a_channel() {
    let to = Goto {
        context: "internal".into(),
        exten: "400".into(),
        priority: 1,
    };
    let mut s = Script {
        wakes: [
            leg(0, ChannelEvent::Ringing),
            leg(1, ChannelEvent::Redirect(to.clone())),
            leg(0, ChannelEvent::Redirect(to)),
        ]
        .into(),
        ..Default::default()
    };
    let out = run("SIP/a&SIP/b,20", &mut s);
    // Neither leg is hung up by Dial; with both gone, no channel answered.
    assert_eq!(out.status, DialStatus::ChanUnavail);
    assert_eq!(
        s.did,
        [
            "call a",
            "call b",
            "caller Ringing",
            "leg 1 to internal,400,1",
            "leg 0 to internal,400,1"
        ]
    );
}
