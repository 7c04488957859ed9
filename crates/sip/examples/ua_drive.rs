//! The drive-loop contract of `tandem_sip::ua`, runnable:
//! `cargo run -p tandem-sip --example ua_drive`. The driver owns the clock; the library never
//! reads it.

use std::time::Instant;
use tandem_sip::message::Response;
use tandem_sip::ua::{UaConfig, UaEvent, UserAgent};

fn main() {
    let mut ua = UserAgent::new(UaConfig::new("192.0.2.2:5060".parse().unwrap(), 42));
    let now = Instant::now(); // the driver's clock; the UA never reads one
    let options =
        b"OPTIONS sip:192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n\
    From: <sip:q@192.0.2.1>;tag=1\r\nTo: <sip:192.0.2.2>\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\n\
    Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
    ua.handle_datagram(now, options, "192.0.2.1:5060".parse().unwrap());
    while let Some(t) = ua.poll_transmit() {
        let _ = (&t.bytes, t.dest); // socket.send_to(&t.bytes, t.dest)
    }
    let Some(UaEvent::Request { txn, request, .. }) = ua.poll_event() else {
        panic!()
    };
    ua.respond(now, txn, Response::from_request(&request, 200, "OK"))
        .unwrap();
    let reply = ua.poll_transmit().unwrap();
    assert!(reply.bytes.starts_with(b"SIP/2.0 200 OK"));
    let _wake_at = ua.poll_timeout(); // sleep until then or the next datagram
}
