//! Security events of the SIP driver on the AMI, as chan_sip reports a request whose digest
//! credentials fail (`sip_report_inval_password`): `InvalidPassword` (class security) with
//! the Call-ID as `SessionID`, the addresses with the transport of the request's top Via,
//! the nonce answered and the hash received.

use std::net::SocketAddr;

use tandem_ami::SecurityEvent;
use tandem_sip::auth::Credentials;
use tandem_sip::message::Request;

use crate::channels::World;

pub fn sip_auth_failed(world: &World, req: &Request, local: SocketAddr, remote: SocketAddr) {
    world.ami.emit(|| {
        let creds = req
            .headers
            .get_all("Authorization")
            .chain(req.headers.get_all("Proxy-Authorization"))
            .find_map(|v| Credentials::parse(v).ok());
        let transport = req
            .headers
            .top_via()
            .map_or("UDP".to_string(), |v| v.transport.as_str().to_string());
        let tv = super::event_tv();
        let (local, remote) = (
            SecurityEvent::address(&transport, local),
            SecurityEvent::address(&transport, remote),
        );
        let ev = SecurityEvent {
            event_tv: &tv,
            service: "SIP",
            session_id: req.headers.get("Call-ID").unwrap_or_default(),
            local: &local,
            remote: &remote,
        };
        let (user, nonce, hash) =
            creds.map_or_else(Default::default, |c| (c.username, c.nonce, c.response));
        ev.event("InvalidPassword", "Error", 2, &user)
            .header("Challenge", &nonce)
            .header("ReceivedChallenge", &nonce)
            .header("ReceivedHash", &hash)
    });
}
