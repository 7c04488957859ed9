//! The call-token gate as chan_iax2 `handle_call_token`: tokens issued, checked, expired;
//! NEW and REGREQ without a token refused when tokens are required; stateless replies.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tandem_iax2::auth::CallTokens;
use tandem_iax2::consts::{FrameType, IaxCommand};
use tandem_iax2::frame::FullFrame;
use tandem_iax2::ie::{id, IeBuf, Ies};
use tandem_iax2::table::{CallTable, Gate, Inbound};

fn src() -> SocketAddr {
    "203.0.113.5:4569".parse().unwrap()
}

fn request(cmd: IaxCommand, token: Option<&[u8]>) -> Vec<u8> {
    let mut ies = IeBuf::new();
    ies.short(id::VERSION, 2);
    ies.str(id::CALLED_NUMBER, "600");
    if let Some(t) = token {
        ies.raw(id::CALLTOKEN, t);
    }
    let mut f = FullFrame::new(FrameType::Iax, cmd.to_u64(), ies.into_bytes());
    f.source_call = 3;
    f.timestamp = 5;
    f.to_bytes().unwrap()
}

fn reply_frame(i: Inbound) -> FullFrame {
    match i {
        Inbound::Reply(t) => {
            assert_eq!(t.dest, src());
            FullFrame::parse(&t.bytes).unwrap()
        }
        other => panic!("expected a stateless reply, got {other:?}"),
    }
}

fn gate(t0: Instant) -> Gate {
    Gate::new(CallTokens::new(b"secret", t0))
}

#[test]
fn new_without_calltoken_is_rejected_statelessly_when_tokens_are_required() {
    let t0 = Instant::now();
    let table: CallTable<()> = CallTable::new(8);
    let r = reply_frame(gate(t0).classify(t0, src(), &request(IaxCommand::New, None), &table));
    assert!(r.is_iax(IaxCommand::Reject));
    assert!(
        r.payload.is_empty(),
        "no IEs: the signature of a call-token refusal"
    );
    assert_eq!(
        (r.source_call, r.dest_call, r.timestamp, r.oseqno, r.iseqno),
        (1, 3, 5, 0, 1)
    );
}

#[test]
fn regreq_without_calltoken_gets_regrej() {
    let t0 = Instant::now();
    let table: CallTable<()> = CallTable::new(8);
    let r = reply_frame(gate(t0).classify(t0, src(), &request(IaxCommand::RegReq, None), &table));
    assert!(r.is_iax(IaxCommand::RegRej));
}

#[test]
fn empty_calltoken_is_answered_with_a_token_and_the_token_admits_the_new() {
    let t0 = Instant::now();
    let g = gate(t0);
    let table: CallTable<()> = CallTable::new(8);
    let r = reply_frame(g.classify(t0, src(), &request(IaxCommand::New, Some(b"")), &table));
    assert!(r.is_iax(IaxCommand::CallToken));
    let token = Ies::parse(&r.payload).unwrap().calltoken.unwrap();
    assert!(!token.is_empty());
    let t1 = t0 + Duration::from_secs(2);
    match g.classify(t1, src(), &request(IaxCommand::New, Some(&token)), &table) {
        Inbound::NewCall {
            ies,
            token_validated,
            ..
        } => {
            assert!(token_validated);
            assert_eq!(ies.called_number.as_deref(), Some("600"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn invalid_or_expired_token_is_rejected() {
    let t0 = Instant::now();
    let g = gate(t0);
    let table: CallTable<()> = CallTable::new(8);
    let r = reply_frame(g.classify(
        t0,
        src(),
        &request(IaxCommand::New, Some(b"0?deadbeef")),
        &table,
    ));
    assert!(r.is_iax(IaxCommand::Reject));
    let token = g.tokens().issue(t0, &src());
    let late = t0 + Duration::from_secs(10);
    let r = reply_frame(g.classify(
        late,
        src(),
        &request(IaxCommand::New, Some(token.as_bytes())),
        &table,
    ));
    assert!(r.is_iax(IaxCommand::Reject), "10 s old is too old");
    // a token issued to another address does not work from this one
    let other: SocketAddr = "203.0.113.6:4569".parse().unwrap();
    let stolen = g.tokens().issue(t0, &other);
    let r = reply_frame(g.classify(
        t0,
        src(),
        &request(IaxCommand::RegReq, Some(stolen.as_bytes())),
        &table,
    ));
    assert!(r.is_iax(IaxCommand::RegRej));
}

#[test]
fn without_requirecalltoken_a_new_without_token_is_admitted_unvalidated() {
    let t0 = Instant::now();
    let mut g = gate(t0);
    g.require_calltoken = false;
    let table: CallTable<()> = CallTable::new(8);
    match g.classify(t0, src(), &request(IaxCommand::New, None), &table) {
        Inbound::NewCall {
            token_validated, ..
        } => assert!(!token_validated),
        other => panic!("{other:?}"),
    }
}

#[test]
fn poke_is_answered_with_pong_without_a_call() {
    let t0 = Instant::now();
    let table: CallTable<()> = CallTable::new(8);
    let mut f = FullFrame::new(FrameType::Iax, IaxCommand::Poke.to_u64(), vec![]);
    f.source_call = 9;
    f.timestamp = 1234;
    let r = reply_frame(gate(t0).classify(t0, src(), &f.to_bytes().unwrap(), &table));
    assert!(r.is_iax(IaxCommand::Pong));
    assert_eq!((r.source_call, r.dest_call, r.timestamp), (1, 9, 1234));
}

#[test]
fn a_full_table_rejects_new_calls() {
    let t0 = Instant::now();
    let g = gate(t0);
    let mut table: CallTable<()> = CallTable::new(1);
    table.insert_with(t0, src(), |_| ()).unwrap();
    let token = g.tokens().issue(t0, &src());
    let r = reply_frame(g.classify(
        t0,
        src(),
        &request(IaxCommand::New, Some(token.as_bytes())),
        &table,
    ));
    assert!(r.is_iax(IaxCommand::Reject));
}

#[test]
fn call_numbers_are_not_reused_for_60_seconds() {
    let t0 = Instant::now();
    let mut table: CallTable<u8> = CallTable::new(2);
    let a = table.insert_with(t0, src(), |_| 1).unwrap();
    assert_eq!(a, 2, "numbers start at 2");
    table.remove(t0, a);
    let b = table.insert_with(t0, src(), |_| 2).unwrap();
    assert_ne!(b, a);
    table.set_peer_call(b, 40);
    assert_eq!(table.find_by_peer(src(), 40), Some(b));
    assert_eq!(table.route(src(), 40, 0), Some(b));
    let elsewhere: SocketAddr = "198.51.100.1:4569".parse().unwrap();
    assert_eq!(
        table.route(elsewhere, 40, b),
        None,
        "right number, wrong address"
    );
    assert!(table.insert_with(t0, src(), |_| 3).is_ok());
    assert!(table.insert_with(t0, src(), |_| 4).is_err(), "bounded");
}

#[test]
fn seeded_tables_hand_out_unpredictable_numbers_in_range() {
    let t0 = Instant::now();
    let mut table: CallTable<()> = CallTable::with_seed(100, 0x1234_5678_9abc_def0);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..100 {
        let n = table.insert_with(t0, src(), |_| ()).unwrap();
        assert!((2..=0x7fff).contains(&n));
        assert!(seen.insert(n), "never twice while in use");
    }
    let sorted: Vec<_> = {
        let mut v: Vec<_> = seen.iter().copied().collect();
        v.sort();
        v
    };
    assert_ne!(sorted, (2..102).collect::<Vec<u16>>(), "not sequential");
}
