//! The drive-loop contract of `tandem_sip::transaction`, runnable:
//! `cargo run -p tandem-sip --example transaction_drive`. The driver owns the clock; the library never
//! reads it.

use std::time::{Duration, Instant};
use tandem_sip::message::{parse, Message, Transport};
use tandem_sip::transaction::{Config, TransactionLayer, TxnEvent};

fn main() {
    let mut layer = TransactionLayer::new(Config::default(), 42);
    let now = Instant::now(); // the driver's clock; the layer never reads one
    let options = b"OPTIONS sip:bob@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060\r\n\
    From: <sip:alice@192.0.2.1>;tag=1\r\nTo: <sip:bob@192.0.2.2>\r\nCall-ID: c1\r\n\
    CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
    let Ok(Message::Request(req)) = parse(options) else {
        panic!()
    };
    let dest = "192.0.2.2:5060".parse().unwrap();
    let txn = layer.send_request(now, req, dest, Transport::Udp).unwrap();
    // the OPTIONS goes out at once, with a fresh branch in its Via
    let first = layer.poll_transmit().unwrap();
    assert_eq!(first.dest, dest);
    // no answer: it is resent after T1 (500 ms)
    let wake = layer.poll_timeout().unwrap();
    assert_eq!(wake, now + Duration::from_millis(500));
    layer.handle_timeout(wake);
    assert_eq!(layer.poll_transmit().unwrap().bytes, first.bytes);
    // and after 64*T1 the transaction user hears of the timeout
    layer.handle_timeout(now + Duration::from_secs(32));
    while layer.poll_transmit().is_some() {}
    assert_eq!(layer.poll_event(), Some(TxnEvent::Timeout { txn }));
    assert_eq!(layer.poll_event(), Some(TxnEvent::Terminated { txn }));
}
