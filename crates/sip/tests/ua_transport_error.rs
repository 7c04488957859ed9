//! A request that cannot be sent (the driver could not open the TCP/TLS connection, or the
//! server's certificate did not verify) fails its transaction at once: an INVITE's call fails
//! now, and nothing is retransmitted (RFC 3261 17.1.1.2: a transport error is reported to the
//! TU; chan_sip fails a call whose INVITE it cannot transmit).

mod ua_sim;

use std::time::Duration;

use tandem_sip::message::Transport;
use tandem_sip::ua::UaEvent;
use ua_sim::*;

fn fails_at_once(transport: Transport) {
    let mut sim = Sim::new();
    let now = sim.now;
    let call = sim
        .ua(A)
        .invite_over(now, invite_to(A, B, OFFER), transport)
        .unwrap();
    // The driver takes the INVITE and cannot deliver it.
    let sent = sim.ua(A).poll_transmit().expect("the INVITE");
    let txn = sent.txn.expect("sent by its transaction");
    sim.ua(A).handle_transport_error(now, txn);
    sim.flush();
    assert_eq!(
        sim.take_events(A),
        vec![UaEvent::CallFailed {
            call,
            status: 408,
            reason: "Request Timeout".into()
        }],
        "the call fails without waiting for Timer B"
    );
    sim.run(Duration::from_secs(40));
    assert!(
        sim.sent_starting(A, "INVITE ").is_empty(),
        "no retransmission after the transport error"
    );
    assert!(sim.take_events(A).is_empty());
    assert!(sim.take_events(B).is_empty(), "B never heard of it");
}

#[test]
fn an_invite_whose_tls_connection_fails_fails_its_call_at_once() {
    fails_at_once(Transport::Tls);
}

#[test]
fn an_invite_over_udp_with_a_transport_error_stops_retransmitting() {
    fails_at_once(Transport::Udp);
}
