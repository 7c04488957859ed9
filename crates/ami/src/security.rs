//! Security events (class security), as main/security_events.c renders them for the manager:
//! the common fields (`EventTV`, `Severity`, `Service`, `EventVersion`, `AccountID`,
//! `SessionID`, `LocalAddress`, `RemoteAddress`) in that order, then the event's own.
//!
//! ```text
//! Event: InvalidPassword
//! Privilege: security,all
//! EventTV: 2026-11-27T00:10:00.123+0000
//! Severity: Error
//! Service: AMI
//! EventVersion: 2
//! AccountID: admin
//! SessionID: 0x5f3a
//! LocalAddress: IPV4/TCP/127.0.0.1/5038
//! RemoteAddress: IPV4/TCP/127.0.0.1/40312
//! ```

use std::net::SocketAddr;

use crate::perm;
use crate::render::Event;
use crate::session::AuthFailure;

/// The fields every security event has; the time is data (`EventTV`, ISO 8601 with
/// milliseconds and the zone offset, as `ast_json_timeval` writes it).
#[derive(Clone, Debug)]
pub struct SecurityEvent<'a> {
    pub event_tv: &'a str,
    pub service: &'a str,
    pub session_id: &'a str,
    /// `IPV4/TCP/127.0.0.1/5038` (see [`SecurityEvent::address`]).
    pub local: &'a str,
    pub remote: &'a str,
}

impl SecurityEvent<'_> {
    /// `ast_sockaddr` as security events print it: `IPV4/UDP/192.0.2.1/5060`.
    pub fn address(transport: &str, addr: SocketAddr) -> String {
        let family = if addr.is_ipv4() { "IPV4" } else { "IPV6" };
        format!("{family}/{transport}/{}/{}", addr.ip(), addr.port())
    }

    /// An event with the common fields.
    pub fn event(&self, name: &str, severity: &str, version: u32, account: &str) -> Event {
        Event::new(name, perm::SECURITY)
            .header("EventTV", self.event_tv)
            .header("Severity", severity)
            .header("Service", self.service)
            .header("EventVersion", &version.to_string())
            .header("AccountID", account)
            .header("SessionID", self.session_id)
            .header("LocalAddress", self.local)
            .header("RemoteAddress", self.remote)
    }

    /// What manager.c reports for a failed login.
    pub fn login_failed(&self, why: &AuthFailure) -> Event {
        match why {
            AuthFailure::UnknownUser { username } => {
                self.event("InvalidAccountID", "Error", 1, username)
            }
            AuthFailure::Acl { username } => self.event("FailedACL", "Error", 1, username),
            AuthFailure::Password { username } => {
                self.event("InvalidPassword", "Error", 2, username)
            }
            AuthFailure::Challenge {
                username,
                challenge,
                response,
                expected,
            } => self
                .event("ChallengeResponseFailed", "Error", 1, username)
                .header("Challenge", challenge)
                .header("Response", response)
                .header("ExpectedResponse", expected),
        }
    }

    /// `report_auth_success`.
    pub fn login_succeeded(&self, username: &str) -> Event {
        self.event("SuccessfulAuth", "Informational", 1, username)
            .header("UsingPassword", "1")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_md5_key_is_a_challenge_response_failure_with_both_keys() {
        let local = SecurityEvent::address("TCP", "127.0.0.1:5038".parse().unwrap());
        let remote = SecurityEvent::address("TCP", "[::1]:40000".parse().unwrap());
        let ev = SecurityEvent {
            event_tv: "2026-11-27T00:10:00.123+0000",
            service: "AMI",
            session_id: "0x2a",
            local: &local,
            remote: &remote,
        };
        let text = ev
            .login_failed(&AuthFailure::Challenge {
                username: "admin".into(),
                challenge: "123".into(),
                response: "abc".into(),
                expected: "def".into(),
            })
            .render();
        assert_eq!(
            text,
            "Event: ChallengeResponseFailed\r\nPrivilege: security,all\r\n\
             EventTV: 2026-11-27T00:10:00.123+0000\r\nSeverity: Error\r\nService: AMI\r\n\
             EventVersion: 1\r\nAccountID: admin\r\nSessionID: 0x2a\r\n\
             LocalAddress: IPV4/TCP/127.0.0.1/5038\r\nRemoteAddress: IPV6/TCP/::1/40000\r\n\
             Challenge: 123\r\nResponse: abc\r\nExpectedResponse: def\r\n\r\n"
        );
    }
}
