//! The drive-loop contract of `tandem_sip::outbound`, runnable:
//! `cargo run -p tandem-sip --example outbound_drive`. The driver owns the clock; the library never
//! reads it.

use std::time::{Duration, Instant};
use tandem_sip::message::Response;
use tandem_sip::outbound::{OutboundRegistration, RegState, RegistrationConfig};

fn main() {
    let cfg = RegistrationConfig::new(
        "alice",
        "sip.example.com",
        "192.0.2.1:5060".parse().unwrap(),
    );
    let mut reg = OutboundRegistration::new(cfg).unwrap();
    reg.set_destination(Some("198.51.100.7:5060".parse().unwrap()));
    let now = Instant::now(); // the driver's clock
    let (register, dest) = reg.poll_request(now).unwrap();
    assert_eq!(reg.state(), RegState::RequestSent);
    assert_eq!(register.headers.get("CSeq"), Some("102 REGISTER")); // chan_sip's first CSeq
                                                                    // ... the transaction layer sends it to `dest` and a 200 comes back ...
    let mut ok = Response::from_request(&register, 200, "OK");
    ok.headers.push("Expires", "120");
    assert!(reg.handle_response(now, &ok));
    assert_eq!(reg.state(), RegState::Registered);
    // chan_sip re-registers 15 s before the granted expiry
    assert_eq!(reg.refresh_secs(), 105);
    assert_eq!(reg.poll_timeout(), Some(now + Duration::from_secs(105)));
    let _ = dest;
}
