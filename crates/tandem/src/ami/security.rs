//! Security events of the SIP and IAX2 drivers on the AMI. SIP as chan_sip reports a request
//! whose digest credentials fail (`sip_report_inval_password`): `InvalidPassword` (class
//! security) with the Call-ID as `SessionID`, the addresses with the transport of the
//! request's top Via, the nonce answered and the hash received. IAX2: [`iax2_auth`].

use std::net::SocketAddr;

use tandem_ami::{AuthFailure, SecurityEvent};
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

/// An IAX2 security event (Service `IAX2`, UDP addresses, the local call number as
/// `SessionID`) for an authentication (a NEW, its AUTHREP, a REGREQ): the events and fields
/// manager.c reports for a login, as main/security_events.c defines them (`Err`: how it
/// failed; `Ok`: the account whose secret checked out). chan_iax2 itself reports none (its
/// `register_verify` and `authenticate_verify` only log, with `authdebug`); tandem reports
/// IAX2 as it reports SIP and the AMI.
pub fn iax2_auth(
    world: &World,
    local: SocketAddr,
    remote: SocketAddr,
    call: u16,
    outcome: Result<&str, &AuthFailure>,
) {
    world.ami.emit(|| {
        let tv = super::event_tv();
        let session = format!("0x{call:x}");
        let (local, remote) = (
            SecurityEvent::address("UDP", local),
            SecurityEvent::address("UDP", remote),
        );
        let ev = SecurityEvent {
            event_tv: &tv,
            service: "IAX2",
            session_id: &session,
            local: &local,
            remote: &remote,
        };
        match outcome {
            Ok(account) => ev.login_succeeded(account),
            Err(why) => ev.login_failed(why),
        }
    });
}
