//! What a registration is configured with: one `register =>` line plus the `[general]`
//! settings and what the driver knows (our address, user agent, a seed).

use std::net::SocketAddr;
use std::time::Duration;

use super::register::DEFAULT_REGISTER_TIMEOUT;
use crate::message::Transport;

/// `[general]` settings that govern every registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryTiming {
    /// `registertimeout`: an attempt without a final answer is abandoned and retried after
    /// this long (20 s).
    pub register_timeout: Duration,
    /// `registerattempts`: attempts before `Failed`; 0 = forever (chan_sip counts every
    /// REGISTER sent, challenge answers included).
    pub register_attempts: u32,
    /// `defaultexpiry`: the expiry assumed when a 2xx names none (120).
    pub default_expiry: u32,
    /// `maxexpiry`: a 423 asking for more gives up (3600).
    pub max_expiry: u32,
    /// `register_retry_403`: a 403 forgets the nonce and waits for the register timeout
    /// instead of stopping at `No Authentication`.
    pub register_retry_403: bool,
    /// tandem: after `Rejected`/`No Authentication`, try again after a backoff
    /// (`register_timeout` doubling up to `max_backoff`). chan_sip stops until a reload.
    pub retry_rejected: bool,
    pub max_backoff: Duration,
}

impl Default for RegistryTiming {
    fn default() -> Self {
        RegistryTiming {
            register_timeout: DEFAULT_REGISTER_TIMEOUT,
            register_attempts: 0,
            default_expiry: 120,
            max_expiry: 3600,
            register_retry_403: false,
            retry_rejected: true,
            max_backoff: Duration::from_secs(3600),
        }
    }
}

/// One `register =>` line plus what the driver knows (our address, user agent, a seed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationConfig {
    /// The user to register (From/To user).
    pub user: String,
    /// Digest username when it differs from `user`.
    pub authuser: Option<String>,
    pub secret: Option<String>,
    /// Where the REGISTER goes (the driver resolves it: [`OutboundRegistration::set_destination`]).
    pub host: String,
    pub port: u16,
    /// `user@domain`: the domain in the Request-URI, From and To instead of `host`.
    pub domain: Option<String>,
    pub domain_port: Option<u16>,
    /// `/extension`: the Contact user (default `s`).
    pub extension: String,
    /// `~expiry` (else `defaultexpiry`).
    pub expiry: u32,
    pub transport: Transport,
    /// Our address as it goes into Via and Contact.
    pub local: SocketAddr,
    pub user_agent: String,
    /// The `dnsmgr` column of `sip show registry` (chan_sip: `Y` only with dnsmgr.conf enabled).
    pub dnsmgr: bool,
    /// Material for Call-ID, tag and cnonces; draw it at random at start-up.
    pub seed: u64,
    pub timing: RegistryTiming,
}

impl RegistrationConfig {
    /// `register => user@host` with chan_sip's defaults (port 5060, contact `s`, 120 s, UDP).
    pub fn new(user: &str, host: &str, local: SocketAddr) -> Self {
        RegistrationConfig {
            user: user.to_string(),
            authuser: None,
            secret: None,
            host: host.to_string(),
            port: 5060,
            domain: None,
            domain_port: None,
            extension: "s".to_string(),
            expiry: 120,
            transport: Transport::Udp,
            local,
            user_agent: "tandem".to_string(),
            dnsmgr: false,
            seed: 0,
            timing: RegistryTiming::default(),
        }
    }
}

/// A registration that cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutboundError {
    #[error("registration has an empty {0}")]
    Empty(&'static str),
    #[error("cannot build a SIP URI or address from '{0}'")]
    BadUri(String),
}
