//! One outbound registration (a `register =>` line), as chan_sip runs it: `transmit_register`,
//! `handle_response_register`, `sip_reregister` and `sip_reg_timeout`. See `docs/sip-outbound.md`
//! for where tandem differs.

use std::fmt;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

pub use super::config::{OutboundError, RegistrationConfig, RegistryTiming};
use super::expiry::{granted_expiry, leading_int, refresh_ms};
use super::registry::RegistryRow;
use super::request::{self, uri_host, RegisterParts};
use super::{fnv, mix};
use crate::auth::{ClientError, DigestClient, Secret};
use crate::message::{Method, NameAddr, Request, Response, Uri};

/// chan_sip `INITIAL_CSEQ`; the counter is bumped before each REGISTER, so the first is 102.
pub const INITIAL_CSEQ: u32 = 101;
/// chan_sip `MAX_AUTHTRIES`: challenges answered per attempt.
pub const MAX_AUTHTRIES: u32 = 3;
/// chan_sip `DEFAULT_REGISTRATION_TIMEOUT` (`registertimeout`).
pub const DEFAULT_REGISTER_TIMEOUT: Duration = Duration::from_secs(20);

/// chan_sip's `regstate` for `sip show registry`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegState {
    /// Not registered (also: between a timed-out attempt and the next).
    Unregistered,
    /// A REGISTER without a challenge answer is out.
    RequestSent,
    /// A REGISTER answering a 401/407 is out.
    AuthSent,
    Registered,
    /// The registrar refused (404, 400, 414, 479, 493, a 423 above `maxexpiry`).
    Rejected,
    /// The refresh is due (chan_sip's hidden renewing state, printed `Registered`).
    Timeout,
    /// 403, or credentials refused (a new challenge right after our answer).
    NoAuthentication,
    /// `registerattempts` used up.
    Failed,
}

impl RegState {
    /// The text chan_sip's `regstate2str` prints (`Timeout` prints as `Registered`).
    pub fn as_str(self) -> &'static str {
        match self {
            RegState::Unregistered => "Unregistered",
            RegState::RequestSent => "Request Sent",
            RegState::AuthSent => "Auth. Sent",
            RegState::Registered | RegState::Timeout => "Registered",
            RegState::Rejected => "Rejected",
            RegState::NoAuthentication => "No Authentication",
            RegState::Failed => "Failed",
        }
    }
}

impl fmt::Display for RegState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy)]
struct Sent {
    cseq: u32,
    /// The credentials answer a challenge of this attempt (not a reuse of an older nonce).
    answered: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    Asap,
    At(Instant),
}

/// One outbound registration. See the [module docs](super) for the drive loop.
#[derive(Debug)]
pub struct OutboundRegistration {
    cfg: RegistrationConfig,
    uri: Uri,
    aor: String,
    contact: String,
    call_id: String,
    from_tag: String,
    dest: Option<SocketAddr>,
    state: RegState,
    cseq: u32,
    expiry: u32,
    refresh: u32,
    registered_at: Option<Instant>,
    attempts: u32,
    rejections: u32,
    auth_tries: u32,
    digest: DigestClient,
    cnonces: u64,
    pending: Option<Request>,
    sent: Option<Sent>,
    /// chan_sip `r->timeout`: the register timeout of the current attempt.
    deadline: Option<Instant>,
    /// chan_sip `r->expire`: the next attempt (refresh or retry), as `sip_reregister`.
    next: Option<Next>,
    unregistering: bool,
}

impl OutboundRegistration {
    pub fn new(cfg: RegistrationConfig) -> Result<Self, OutboundError> {
        if cfg.user.is_empty() {
            return Err(OutboundError::Empty("user"));
        }
        if cfg.host.is_empty() {
            return Err(OutboundError::Empty("host"));
        }
        let domain = uri_host(cfg.domain.as_deref().unwrap_or(&cfg.host));
        // transmit_register: the Request-URI port is the domain's (5060 if none) with a
        // domain, else the host's; 5060 is left out.
        let port = if cfg.domain.is_some() {
            cfg.domain_port.unwrap_or(5060)
        } else {
            cfg.port
        };
        let uri_text = if port != 5060 {
            format!("sip:{domain}:{port}")
        } else {
            format!("sip:{domain}")
        };
        let uri = Uri::parse(&uri_text).map_err(|_| OutboundError::BadUri(uri_text.clone()))?;
        let aor = format!("<sip:{}@{domain}>", cfg.user);
        NameAddr::parse(&aor).map_err(|_| OutboundError::BadUri(aor.clone()))?;
        let contact = request::contact(&cfg.extension, &cfg.transport, cfg.local);
        NameAddr::parse(&contact).map_err(|_| OutboundError::BadUri(contact.clone()))?;
        let seed = cfg.seed ^ fnv(&cfg.user) ^ fnv(&cfg.host).rotate_left(17);
        let call_id = format!(
            "{:016x}{:016x}@{}",
            mix(seed),
            mix(seed ^ 1),
            request::ip_text(cfg.local.ip())
        );
        let from_tag = format!("as{:08x}", mix(seed ^ 2) as u32);
        Ok(OutboundRegistration {
            expiry: cfg.expiry,
            refresh: cfg.expiry,
            uri,
            aor,
            contact,
            call_id,
            from_tag,
            dest: None,
            state: RegState::Unregistered,
            cseq: INITIAL_CSEQ,
            registered_at: None,
            attempts: 0,
            rejections: 0,
            auth_tries: 0,
            digest: DigestClient::new(),
            cnonces: 0,
            pending: None,
            sent: None,
            deadline: None,
            next: Some(Next::Asap),
            unregistering: false,
            cfg,
        })
    }

    pub fn config(&self) -> &RegistrationConfig {
        &self.cfg
    }

    pub fn state(&self) -> RegState {
        self.state
    }

    /// chan_sip `r->refresh`: seconds from a 2xx to the re-REGISTER (the configured expiry
    /// until the first 2xx).
    pub fn refresh_secs(&self) -> u32 {
        self.refresh
    }

    /// When the last 2xx arrived (chan_sip `regtime`).
    pub fn registered_at(&self) -> Option<Instant> {
        self.registered_at
    }

    /// chan_sip `regattempts`: REGISTERs sent since the last 2xx (a 408 resets it).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The expiry the next REGISTER asks for.
    pub fn expiry(&self) -> u32 {
        self.expiry
    }

    /// The Call-ID every REGISTER of this registration carries.
    pub fn call_id(&self) -> &str {
        &self.call_id
    }

    /// Our Contact, exactly as sent.
    pub fn contact(&self) -> &str {
        &self.contact
    }

    /// Where REGISTERs go; `None` while the host does not resolve (an attempt without a
    /// destination counts, as chan_sip's "Probably a DNS error", and is retried after the
    /// register timeout).
    pub fn set_destination(&mut self, dest: Option<SocketAddr>) {
        self.dest = dest;
    }

    /// Delays the first REGISTER (chan_sip spaces registrations out at start).
    pub fn start_at(&mut self, at: Instant) {
        if self.next == Some(Next::Asap) {
            self.next = Some(Next::At(at));
        }
    }

    /// The next REGISTER to send, with where to send it.
    pub fn poll_request(&mut self, now: Instant) -> Option<(Request, SocketAddr)> {
        self.handle_timeout(now);
        let req = self.pending.take()?;
        Some((req, self.dest?))
    }

    /// The earliest instant [`Self::handle_timeout`] has work.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let next = match self.next {
            Some(Next::At(t)) => Some(t),
            _ => None,
        };
        match (self.deadline, next) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        if self.deadline.is_some_and(|d| now >= d) {
            self.deadline = None;
            self.register_timeout(now);
        }
        let due = match self.next {
            Some(Next::Asap) => true,
            Some(Next::At(t)) => now >= t,
            None => false,
        };
        if due {
            self.next = None;
            self.reregister(now);
        }
    }

    /// A response to one of our REGISTERs. Returns false (and changes nothing) when it is not
    /// for the REGISTER in flight: another Call-ID, an older CSeq, a late answer to an
    /// abandoned attempt.
    pub fn handle_response(&mut self, now: Instant, resp: &Response) -> bool {
        let Some(sent) = self.sent else { return false };
        let ours = resp.headers.call_id().is_ok_and(|c| c == self.call_id)
            && resp
                .headers
                .cseq()
                .is_ok_and(|c| c.seq == sent.cseq && c.method == Method::Register);
        if !ours {
            return false;
        }
        if resp.status < 200 {
            return true;
        }
        self.sent = None;
        if self.unregistering {
            match resp.status {
                401 | 407 => self.challenged(now, resp, sent),
                _ => self.unregistered(),
            }
            return true;
        }
        match resp.status {
            200..=299 => self.registered(now, resp),
            401 | 407 => self.challenged(now, resp, sent),
            403 if self.cfg.timing.register_retry_403 => {
                // "Treating 403 response to REGISTER as non-fatal": forget the nonce, wait.
                self.digest.reset();
            }
            403 => self.refused(now, RegState::NoAuthentication),
            400 | 404 | 414 | 479 | 493 => self.refused(now, RegState::Rejected),
            // "Got a timeout response, so reset the counter of failed responses"
            408 => self.attempts = 0,
            423 => self.too_brief(now, resp),
            // Anything else: nothing happens until the register timeout retries.
            _ => {}
        }
        true
    }

    /// The transaction of the REGISTER in flight timed out (or its send failed). As in
    /// chan_sip, the attempt is retried when the register timeout fires.
    pub fn handle_txn_timeout(&mut self, _now: Instant) {
        if self.sent.take().is_some() && self.unregistering {
            self.unregistered();
        }
    }

    /// Sends `Expires: 0` for our contact and stops: no refresh, no retry afterwards.
    pub fn unregister(&mut self, now: Instant) {
        self.unregistering = true;
        self.next = None;
        self.pending = None;
        self.sent = None;
        self.expiry = 0;
        self.auth_tries = 0;
        self.transmit(now, None);
    }

    /// The row `sip show registry` prints; `local_epoch_now` is the wall clock (local time,
    /// seconds) at `now`, from which the registration time is derived.
    pub fn registry_row(&self, now: Instant, local_epoch_now: i64) -> RegistryRow {
        let reg_time = self.registered_at.map(|t| {
            let ago = i64::try_from(now.saturating_duration_since(t).as_secs()).unwrap_or(i64::MAX);
            local_epoch_now.saturating_sub(ago)
        });
        RegistryRow {
            host: self.cfg.host.clone(),
            port: self.cfg.port,
            dnsmgr: self.cfg.dnsmgr,
            user: self.cfg.user.clone(),
            domain: self.cfg.domain.clone(),
            domain_port: self.cfg.domain_port,
            refresh: self.refresh,
            state: self.state,
            reg_time,
        }
    }

    // --- chan_sip's functions ---

    /// `sip_reregister`: the refresh (or a retry after a refusal) is due.
    fn reregister(&mut self, now: Instant) {
        let t = &self.cfg.timing;
        if t.register_attempts > 0 && self.attempts >= t.register_attempts {
            self.state = RegState::Failed;
            return;
        }
        self.expiry = self.cfg.expiry;
        self.state = match self.state {
            RegState::Registered | RegState::Timeout => RegState::Timeout,
            RegState::Rejected | RegState::NoAuthentication | RegState::Failed => {
                RegState::Unregistered
            }
            s => s,
        };
        self.auth_tries = 0;
        self.transmit(now, None);
    }

    /// `sip_reg_timeout`: the attempt got no final answer in time.
    fn register_timeout(&mut self, now: Instant) {
        if self.unregistering {
            self.unregistered();
            return;
        }
        if !matches!(
            self.state,
            RegState::Unregistered | RegState::RequestSent | RegState::AuthSent | RegState::Timeout
        ) {
            return;
        }
        self.sent = None;
        self.pending = None;
        let t = &self.cfg.timing;
        if t.register_attempts > 0 && self.attempts >= t.register_attempts {
            // "Last Registration Attempt #%d failed, Giving up forever"
            self.state = RegState::Failed;
        } else {
            self.state = RegState::Unregistered;
            self.auth_tries = 0;
            self.transmit(now, None);
        }
    }

    /// `transmit_register`. `auth` is a challenge answer (header name, value); without one
    /// a new attempt starts (with its register timeout) and a nonce from an earlier
    /// challenge, if any, is reused.
    fn transmit(&mut self, now: Instant, auth: Option<(&'static str, String)>) {
        let answered = auth.is_some();
        if !answered {
            self.deadline = Some(now + self.cfg.timing.register_timeout);
        }
        self.attempts = self.attempts.saturating_add(1);
        if self.dest.is_none() {
            // create_addr failed: "Probably a DNS error ... trying REGISTER again".
            return;
        }
        let auth = match auth {
            Some(a) => Some(a),
            None => {
                let cnonce = self.next_cnonce();
                let (user, secret, uri) = (
                    self.auth_user().to_string(),
                    self.secret(),
                    self.uri.to_string(),
                );
                match self
                    .digest
                    .authorize(&user, &secret, "REGISTER", &uri, &cnonce)
                {
                    Some(Ok(c)) => Some(("Authorization", c.to_header_value())),
                    _ => None,
                }
            }
        };
        self.cseq = self.cseq.wrapping_add(1);
        let parts = RegisterParts {
            uri: &self.uri,
            transport: &self.cfg.transport,
            local: self.cfg.local,
            aor: &self.aor,
            from_tag: &self.from_tag,
            call_id: &self.call_id,
            user_agent: &self.cfg.user_agent,
            contact: &self.contact,
        };
        let req = request::register(
            &parts,
            self.cseq,
            self.expiry,
            auth.as_ref().map(|(n, v)| (*n, v.as_str())),
        );
        self.pending = Some(req);
        self.sent = Some(Sent {
            cseq: self.cseq,
            answered,
        });
        self.state = if answered {
            RegState::AuthSent
        } else {
            RegState::RequestSent
        };
    }

    /// 401/407: `do_register_auth`, at most [`MAX_AUTHTRIES`] per attempt.
    fn challenged(&mut self, now: Instant, resp: &Response, sent: Sent) {
        if self.auth_tries >= MAX_AUTHTRIES {
            return; // "Failed to authenticate on REGISTER": the register timeout retries
        }
        self.auth_tries += 1;
        let (challenge, answer) = if resp.status == 407 {
            ("Proxy-Authenticate", "Proxy-Authorization")
        } else {
            ("WWW-Authenticate", "Authorization")
        };
        if !sent.answered {
            // Our credentials, if any, reused an old nonce: this challenge is a fresh one.
            self.digest.accepted();
        }
        let challenges: Vec<&str> = resp.headers.get_all(challenge).collect();
        let cnonce = self.next_cnonce();
        let (user, secret, uri) = (
            self.auth_user().to_string(),
            self.secret(),
            self.uri.to_string(),
        );
        match self
            .digest
            .respond(&challenges, &user, &secret, "REGISTER", &uri, &cnonce)
        {
            Ok(c) => self.transmit(now, Some((answer, c.to_header_value()))),
            Err(ClientError::Rejected) if self.unregistering => self.unregistered(),
            Err(ClientError::Rejected) => self.refused(now, RegState::NoAuthentication),
            // Nothing we can answer with: chan_sip waits for the register timeout.
            Err(_) => {}
        }
    }

    /// 2xx: registered; re-register at chan_sip's guard before the granted expiry.
    fn registered(&mut self, now: Instant, resp: &Response) {
        self.state = RegState::Registered;
        self.registered_at = Some(now);
        self.attempts = 0;
        self.rejections = 0;
        self.deadline = None;
        self.digest.accepted();
        let expires = granted_expiry(resp, &self.contact, self.cfg.timing.default_expiry);
        let ms = refresh_ms(expires);
        self.refresh = u32::try_from(ms / 1000).unwrap_or(u32::MAX);
        self.next = Some(Next::At(now + Duration::from_millis(ms)));
    }

    /// 423: ask again at once with Min-Expires, unless it exceeds `maxexpiry`.
    fn too_brief(&mut self, now: Instant, resp: &Response) {
        let min = resp.headers.get("Min-Expires").map_or(0, leading_int);
        if min <= 0 {
            // chan_sip would take atoi() = 0 and send Expires: 0 (an unregister); refuse instead.
            self.refused(now, RegState::Rejected);
        } else if min > i64::from(self.cfg.timing.max_expiry) {
            // "Required expiration time from %s@%s is too high, giving up"
            self.expiry = self.cfg.expiry;
            self.refused(now, RegState::Rejected);
        } else {
            self.expiry = u32::try_from(min).unwrap_or(u32::MAX);
            self.state = RegState::Unregistered;
            self.auth_tries = 0;
            self.transmit(now, None);
        }
    }

    /// A final refusal: chan_sip stops the register timeout and stays there; tandem retries
    /// after a doubling backoff when `retry_rejected`.
    fn refused(&mut self, now: Instant, state: RegState) {
        self.state = state;
        self.deadline = None;
        if !self.cfg.timing.retry_rejected {
            return;
        }
        let t = &self.cfg.timing;
        let shift = self.rejections.min(16);
        self.rejections = self.rejections.saturating_add(1);
        let delay = t
            .register_timeout
            .saturating_mul(1u32 << shift)
            .min(t.max_backoff);
        self.next = Some(Next::At(now + delay));
    }

    fn unregistered(&mut self) {
        self.state = RegState::Unregistered;
        self.registered_at = None;
        self.deadline = None;
        self.next = None;
        self.sent = None;
        self.pending = None;
    }

    fn auth_user(&self) -> &str {
        self.cfg.authuser.as_deref().unwrap_or(&self.cfg.user)
    }

    fn secret(&self) -> Secret {
        Secret::password(self.cfg.secret.as_deref().unwrap_or(""))
    }

    fn next_cnonce(&mut self) -> String {
        self.cnonces = self.cnonces.wrapping_add(1);
        format!(
            "{:08x}",
            mix(self.cfg.seed ^ fnv(&self.call_id) ^ self.cnonces) as u32
        )
    }
}
