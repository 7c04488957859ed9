//! SIP events (RFC 6665) for hints: the notifier side of `SUBSCRIBE`/`NOTIFY` with the
//! `dialog` (RFC 4235, busy lamp field) and `presence` (RFC 3863 PIDF, and xpidf) packages,
//! as chan_sip serves them; `message-summary` (RFC 3842) is accepted and has a body builder
//! ([`mwi`]) for the voicemail work.
//!
//! Sans-IO like the rest of the crate: `now` comes in, requests and responses come out, tags
//! come from the caller (`UserAgent::new_token`).
//!
//! # Driving it
//!
//! 1. A `UaEvent::Request` carrying a SUBSCRIBE: authenticate it, look up the hint of the
//!    Request-URI user in the peer's `subscribecontext`/`context` (404 when there is none),
//!    then [`Subscriptions::subscribe`]. Send the response with `UserAgent::respond`.
//! 2. On [`Subscribe::New`] or [`Subscribe::Refreshed`] with a 200: [`Subscriptions::notify`]
//!    with the hint's current state; send the NOTIFY with
//!    `UserAgent::send_request(now, notify, sub.dest())` (the UA adds the Via) and remember
//!    which subscription the returned transaction belongs to.
//! 3. Hint state changes: [`Subscriptions::update`] for each watcher of that extension.
//! 4. `UaEvent::Response` / `RequestTimeout` for a NOTIFY: [`Subscriptions::on_notify_response`]
//!    (408 for a timeout); it may hand back the queued NOTIFY to send.
//! 5. Timers: wake at [`Subscriptions::poll_timeout`], call [`Subscriptions::handle_timeout`]
//!    and send the final NOTIFYs it returns.

pub mod body;
pub mod mwi;
pub mod state;
mod subscription;
mod table;

use std::net::SocketAddr;

pub use body::{BodyOptions, Format, NotifyRinging};
pub use state::{ExtensionState, HintState, PartyId, RingingCall};
pub use subscription::{NotifyOutcome, Subscription, EXPIRY_GRACE};
pub use table::{Limits, SubKey, Subscribe, Subscriptions};

/// sip.conf settings of the notifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventConfig {
    /// `subminexpiry` (default 60): shorter asks get `423 Interval too small`.
    pub min_expiry: u32,
    /// `submaxexpiry` (default 3600): longer asks are cut to it.
    pub max_expiry: u32,
    /// `defaultexpiry` (default 120): granted when the SUBSCRIBE has no Expires.
    pub default_expiry: u32,
    /// `useragent`: Server of responses and User-Agent of NOTIFYs (empty: none).
    pub user_agent: String,
    /// `notifyringing`, `notifycid`, `pedantic`, `fromdomain`.
    pub body: BodyOptions,
    /// Write `active;expires=N` (RFC 6665 4.1.3) instead of chan_sip's bare `active`.
    pub expires_param: bool,
}

impl Default for EventConfig {
    fn default() -> Self {
        EventConfig {
            min_expiry: 60,
            max_expiry: 3600,
            default_expiry: 120,
            user_agent: "tandem".to_string(),
            body: BodyOptions::default(),
            expires_param: false,
        }
    }
}

/// Our Contact for a subscription to `exten`, as chan_sip's `build_contact`:
/// `<sip:exten@host>`, with `:port` only when it is not 5060.
pub fn our_contact(exten: &str, local: SocketAddr) -> String {
    let host = match local {
        SocketAddr::V4(a) => a.ip().to_string(),
        SocketAddr::V6(a) => format!("[{}]", a.ip()),
    };
    let at = if exten.is_empty() { "" } else { "@" };
    if local.port() == 5060 {
        format!("<sip:{exten}{at}{host}>")
    } else {
        format!("<sip:{exten}{at}{host}:{}>", local.port())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_port_only_when_not_standard() {
        assert_eq!(
            our_contact("100", "192.0.2.2:5060".parse().unwrap()),
            "<sip:100@192.0.2.2>"
        );
        assert_eq!(
            our_contact("100", "192.0.2.2:5080".parse().unwrap()),
            "<sip:100@192.0.2.2:5080>"
        );
        assert_eq!(
            our_contact("", "[2001:db8::1]:5070".parse().unwrap()),
            "<sip:[2001:db8::1]:5070>"
        );
    }
}
