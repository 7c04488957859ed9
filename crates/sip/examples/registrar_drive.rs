//! The drive-loop contract of `tandem_sip::registrar`, runnable:
//! `cargo run -p tandem-sip --example registrar_drive`. The driver owns the clock; the library never
//! reads it.

use std::time::{Duration, Instant};
use tandem_sip::auth::{DigestServer, ServerConfig};
use tandem_sip::message::{parse, Transport};
use tandem_sip::registrar::{RegisterPeer, Registrar, RegistrarConfig, Source};

fn main() {
    let mut reg = Registrar::new(RegistrarConfig::default());
    let auth = DigestServer::new(ServerConfig::default(), b"secret drawn at start");
    let raw = b"REGISTER sip:pbx SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bK1\r\n\
      From: <sip:phone@pbx>;tag=1\r\nTo: <sip:phone@pbx>\r\nCall-ID: c1\r\nCSeq: 1 REGISTER\r\n\
      Contact: <sip:phone@192.0.2.7:5060>\r\nExpires: 3600\r\nContent-Length: 0\r\n\r\n";
    let req = parse(raw).unwrap().as_request().unwrap().clone();
    let src = Source {
        addr: "192.0.2.7:5060".parse().unwrap(),
        transport: Transport::Udp,
    };
    let now = Instant::now();
    // A peer without a secret registers without a challenge, as in chan_sip.
    let out = reg.handle_register(now, 1_700_000_000, &req, &src, &auth, |name| {
        (name == "phone").then(|| RegisterPeer::dynamic("phone", None))
    });
    assert_eq!(out.response.status, 200);
    assert_eq!(reg.lookup("phone").len(), 1);
    // Driver loop: sleep until next_expiry(), then expire(now) and persist the changes.
    assert_eq!(
        reg.next_expiry(),
        Some(now + Duration::from_secs(3600 + 10))
    );
}
