//! Two transaction layers over a simulated link with latency and deterministic loss: the
//! retransmission timers recover every lost message.

mod txn_support;

use tandem_sip::message::{Method, Response};
use tandem_sip::transaction::{TxnEvent, TxnState};
use txn_support::*;

/// The UAS's TU: answers every INVITE with `status`, every other request with 200.
fn uas_answer(net: &mut Net, ev: &TxnEvent, status: u16) {
    if let TxnEvent::Request { txn, request, .. } = ev {
        let code = if request.method == Method::Invite {
            status
        } else {
            200
        };
        let r: Response = answer(request, code, "Answer");
        net.b.respond(net.now, *txn, r).unwrap();
    }
}

#[test]
fn a_lost_invite_and_a_lost_486_are_recovered_and_both_sides_end_cleanly() {
    let clock = Clock::new();
    // packet 0: the INVITE (lost); 1: resent INVITE; 2: 100 Trying; 3: 486 (lost);
    // the next INVITE resend gets the 486 again from the server transaction.
    let mut net = Net::new(clock.ms(0), 20, Loss::Listed(vec![0, 3]));
    let id = net
        .a
        .send_request(
            clock.ms(0),
            invite(""),
            net.b_addr,
            tandem_sip::message::Transport::Udp,
        )
        .unwrap();
    let mut a_events = Vec::new();
    let mut server_txn = None;
    while let Some(evs) = net.step(clock.ms(120_000)) {
        for (side, ev) in evs {
            match side {
                Side::A => a_events.push((clock.since(net.now), ev)),
                Side::B => {
                    if let TxnEvent::Request { txn, .. } = &ev {
                        server_txn = Some(*txn);
                    }
                    uas_answer(&mut net, &ev, 486)
                }
            }
        }
    }
    let statuses: Vec<u16> = a_events
        .iter()
        .filter_map(|(_, e)| match e {
            TxnEvent::Response { response, .. } => Some(response.status),
            _ => None,
        })
        .collect();
    assert_eq!(statuses, [100, 486], "the TU sees each response once");
    assert_eq!(
        a_events.last().map(|(_, e)| e),
        Some(&TxnEvent::Terminated { txn: id })
    );
    assert!(
        net.a.is_empty() && net.b.is_empty(),
        "both sides terminated"
    );
    assert!(server_txn.is_some());
    assert_eq!(net.dropped, 2);
}

#[test]
fn a_lost_ack_makes_timer_g_resend_and_the_client_acks_again() {
    let clock = Clock::new();
    // 0 INVITE, 1 100 Trying, 2 486, 3 ACK (lost), 4 486 by Timer G, 5 ACK again
    let mut net = Net::new(clock.ms(0), 10, Loss::Listed(vec![3]));
    net.a
        .send_request(
            clock.ms(0),
            invite(""),
            net.b_addr,
            tandem_sip::message::Transport::Udp,
        )
        .unwrap();
    let mut server = None;
    let mut server_confirmed_at = None;
    while let Some(evs) = net.step(clock.ms(60_000)) {
        for (side, ev) in &evs {
            if *side == Side::B {
                if let TxnEvent::Request { txn, .. } = ev {
                    server = Some(*txn);
                }
                uas_answer(&mut net, ev, 486);
                assert!(
                    !matches!(ev, TxnEvent::Timeout { .. }),
                    "Timer H must not fire"
                );
            }
        }
        if let Some(s) = server {
            if server_confirmed_at.is_none() && net.b.state(s) == Some(TxnState::Confirmed) {
                server_confirmed_at = Some(clock.since(net.now));
            }
        }
    }
    // the 486 went out at ~10 ms; G fired at +500 ms, the resent 486 and the new ACK each take 10 ms
    assert_eq!(server_confirmed_at, Some(530));
    assert_eq!(net.sent, 6);
    assert!(net.a.is_empty() && net.b.is_empty());
}

#[test]
fn non_invite_transactions_complete_over_a_link_losing_a_third_of_the_packets() {
    let clock = Clock::new();
    let mut net = Net::new(
        clock.ms(0),
        15,
        Loss::Rate {
            percent: 33,
            seed: 12345,
        },
    );
    let mut ids = Vec::new();
    for i in 0..20 {
        let mut r = non_invite("OPTIONS", "");
        r.headers.set("Call-ID", format!("lossy-{i}"));
        ids.push(
            net.a
                .send_request(
                    clock.ms(0),
                    r,
                    net.b_addr,
                    tandem_sip::message::Transport::Udp,
                )
                .unwrap(),
        );
    }
    let mut finals = 0;
    let mut timeouts = 0;
    while let Some(evs) = net.step(clock.ms(120_000)) {
        for (side, ev) in evs {
            match (side, &ev) {
                (Side::A, TxnEvent::Response { response, .. }) if response.status == 200 => {
                    finals += 1
                }
                (Side::A, TxnEvent::Timeout { .. }) => timeouts += 1,
                (Side::B, _) => uas_answer(&mut net, &ev, 200),
                _ => {}
            }
        }
    }
    assert!(
        net.dropped > 5,
        "the link really lost packets ({})",
        net.dropped
    );
    assert_eq!(finals + timeouts, 20);
    assert_eq!(finals, 20, "11 tries in 32 s beat 33% loss");
    assert!(net.a.is_empty() && net.b.is_empty());
}
