//! A steady stream of transactions (each answered at once, then lingering 64*T1 = 32 s as
//! finished transactions do on UDP: Timer L for an INVITE answered 2xx, Timer J for a
//! non-INVITE) keeps the table at rate x 32 s, level however long it runs, and the table and
//! its timer heap drain to nothing once the stream stops. This is the shape of the SIP
//! endpoint under sustained call load (bench/cps; `tandem_sip_transactions` in /metrics).

mod txn_support;

use tandem_sip::message::Transport;
use tandem_sip::transaction::TxnEvent;
use txn_support::*;

/// New transactions per second of fake time (one every 10 ms, INVITE and OPTIONS in turn).
const RATE: u64 = 100;

#[test]
fn a_steady_stream_keeps_the_table_level_and_it_drains_to_empty() {
    let clock = Clock::new();
    let mut l = layer();
    let mut level = Vec::new();
    for i in 0..(RATE * 100) {
        let now = clock.ms(i * 1000 / RATE);
        l.handle_timeout(now);
        let branch = format!(";branch=z9hG4bKchurn{i}");
        let request = if i % 2 == 0 {
            invite(&branch)
        } else {
            non_invite("OPTIONS", &branch)
        };
        l.handle_incoming(now, request.clone().into(), addr(UAC), Transport::Udp);
        let txn = events(&mut l)
            .into_iter()
            .find_map(|e| match e {
                TxnEvent::Request { txn, .. } => Some(txn),
                _ => None,
            })
            .expect("a new transaction");
        l.respond(now, txn, answer(&request, 200, "OK")).unwrap();
        transmits(&mut l);
        events(&mut l);
        if i % (RATE * 10) == 0 {
            level.push(l.len());
        }
    }
    // After the first 32 s: 32 s worth of transactions (give or take the one being answered).
    let lingering = (RATE * 32) as usize;
    for (tenth, n) in level.iter().enumerate().skip(4) {
        assert!(
            n.abs_diff(lingering) <= 2,
            "at {}0 s: {n} transactions, expected about {lingering} ({level:?})",
            tenth
        );
    }
    // The stream stops: 33 s later nothing is left, not even a timer.
    let end = clock.ms(100_000 + 33_000);
    let mut now = clock.ms(100_000);
    while let Some(at) = l.poll_timeout() {
        if at > end {
            break;
        }
        now = at;
        l.handle_timeout(now);
        transmits(&mut l);
        events(&mut l);
    }
    assert!(now <= end);
    assert_eq!(l.len(), 0);
    assert_eq!(l.poll_timeout(), None, "no timer left behind");
}
