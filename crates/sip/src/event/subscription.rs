//! One subscription dialog (RFC 6665), notifier side, as chan_sip's
//! `handle_request_subscribe` / `transmit_state_notify` / `extensionstate_update` run it.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::body::{render, BodyInput, Format};
use super::mwi::message_summary;
use super::state::{ExtensionState, HintState};
use super::EventConfig;
use crate::message::{Contact, Method, Request, Response, Uri};
use crate::ua::{ALLOW, SUPPORTED};

/// chan_sip's `INITIAL_CSEQ`: our first NOTIFY is CSeq 102.
const INITIAL_CSEQ: u32 = 101;
/// chan_sip destroys a subscription `(expiry + 10) * 1000` ms after the SUBSCRIBE.
pub const EXPIRY_GRACE: Duration = Duration::from_secs(10);

/// What became of a NOTIFY we sent ([`Subscription::on_notify_response`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotifyOutcome {
    /// Nothing to do (provisional, or a 2xx with nothing queued).
    Idle,
    /// A 2xx, and a state change waited behind it: send this NOTIFY.
    Send(Box<Request>),
    /// The subscriber refused or never answered: the subscription is over (RFC 6665 4.2.2).
    Terminated,
}

/// A subscription we serve. Built by [`Subscription::accept`].
#[derive(Debug, Clone)]
pub struct Subscription {
    call_id: String,
    local_tag: String,
    remote_tag: String,
    /// Our From (the SUBSCRIBE's To with our tag) and To (the SUBSCRIBE's From), as written.
    from: String,
    to: String,
    remote_target: Uri,
    routes: Vec<String>,
    contact: String,
    dest: SocketAddr,
    format: Format,
    exten: String,
    subscriber: String,
    resource: String,
    remote_cseq: u32,
    local_cseq: u32,
    version: u32,
    expiry: u32,
    expires_at: Option<Instant>,
    last_state: Option<ExtensionState>,
    pending: bool,
    queued: Option<HintState>,
    terminated: bool,
    cfg: EventConfig,
}

/// The `<...>` part of a name-addr (or all of it), cut before URI parameters: chan_sip's
/// `get_in_brackets` + `remove_uri_parameters`.
pub(crate) fn bare_uri(header: &str) -> String {
    let mut in_quotes = false;
    let mut inner = header.trim();
    for (i, c) in header.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            '<' if !in_quotes => {
                let rest = header.get(i + 1..).unwrap_or("");
                inner = rest.split('>').next().unwrap_or(rest);
                break;
            }
            _ => {}
        }
    }
    let at = inner.find('@').unwrap_or(0);
    match inner.get(at..).and_then(|s| s.find(';')) {
        Some(semi) => inner.get(..at + semi).unwrap_or(inner).to_string(),
        None => inner.to_string(),
    }
}

fn is_sip(uri: &str) -> bool {
    let l = uri.get(..5).unwrap_or(uri).to_ascii_lowercase();
    l.starts_with("sip:") || l.starts_with("sips:")
}

/// A response to `req` as chan_sip's `respprep`: Via, Record-Route (1xx/2xx), From, To with
/// our tag, Call-ID, CSeq, Server, Allow, Supported.
pub(crate) fn respond(
    req: &Request,
    status: u16,
    reason: &str,
    local_tag: &str,
    cfg: &EventConfig,
) -> Response {
    let mut r = Response::new(status, reason);
    for v in req.headers.get_all("Via") {
        r.headers.push("Via", v);
    }
    if status < 300 {
        for v in req.headers.get_all("Record-Route") {
            r.headers.push("Record-Route", v);
        }
    }
    if let Some(f) = req.headers.get("From") {
        r.headers.push("From", f);
    }
    if let Some(t) = req.headers.get("To") {
        let has_tag = req.headers.to_hdr().ok().is_some_and(|n| n.tag().is_some());
        if has_tag || status == 100 {
            r.headers.push("To", t);
        } else {
            r.headers.push("To", format!("{t};tag={local_tag}"));
        }
    }
    for name in ["Call-ID", "CSeq"] {
        if let Some(v) = req.headers.get(name) {
            r.headers.push(name, v);
        }
    }
    if !cfg.user_agent.is_empty() {
        r.headers.push("Server", cfg.user_agent.clone());
    }
    r.headers.push("Allow", ALLOW);
    r.headers.push("Supported", SUPPORTED);
    r
}

/// The Event package name without parameters (`dialog;sla` is `dialog`).
fn event_package(req: &Request) -> &str {
    req.headers
        .get("Event")
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
}

/// The body format chan_sip picks from the Accept lines, or the 489/406 to send.
/// `previous`: the format of a subscription being refreshed (Accept may then be absent).
fn choose_format(
    req: &Request,
    package: &str,
    previous: Option<Format>,
    local_tag: &str,
    cfg: &EventConfig,
) -> Result<Format, Response> {
    let lines: Vec<&str> = req.headers.get_all("Accept").map(str::trim).collect();
    let bad = |reason: &str| respond(req, 489, reason, local_tag, cfg);
    match package {
        "presence" | "dialog" => {
            let polycom = req
                .headers
                .get("User-Agent")
                .is_some_and(|u| u.contains("Polycom"));
            let mut unknown = None;
            for line in &lines {
                if line.is_empty() {
                    break;
                }
                if line.contains("application/pidf+xml") {
                    // old Polycom firmware claims pidf+xml but takes only xpidf+xml
                    return Ok(if polycom { Format::Xpidf } else { Format::Pidf });
                } else if line.contains("application/dialog-info+xml") {
                    return Ok(Format::DialogInfo);
                } else if line.contains("application/cpim-pidf+xml") {
                    return Ok(Format::CpimPidf);
                } else if line.contains("application/xpidf+xml") {
                    return Ok(Format::Xpidf);
                }
                unknown = Some(*line);
            }
            match (lines.is_empty(), previous, unknown) {
                (true, Some(f), _) => Ok(f),
                (true, None, _) => Err(bad("Bad Event")),
                (false, _, Some(u)) => Err(bad(&format!("Bad Event (format {u})"))),
                (false, _, None) => Err(bad("Bad Event")),
            }
        }
        "message-summary" => {
            if !lines.is_empty() && !lines.contains(&"application/simple-message-summary") {
                return Err(respond(req, 406, "Not Acceptable", local_tag, cfg));
            }
            Ok(Format::MessageSummary)
        }
        _ => Err(bad("Bad Event")),
    }
}

/// Expires as chan_sip grants it: absent → `default_expiry`, above `max_expiry` → the max,
/// below `min_expiry` (but not 0) → 423 with Min-Expires.
fn grant_expiry(req: &Request, local_tag: &str, cfg: &EventConfig) -> Result<u32, Response> {
    let asked = match req.headers.expires() {
        Ok(Some(e)) => e,
        Ok(None) => cfg.default_expiry,
        Err(_) => return Err(respond(req, 400, "Bad Request", local_tag, cfg)),
    };
    if asked > cfg.max_expiry {
        return Ok(cfg.max_expiry);
    }
    if asked > 0 && asked < cfg.min_expiry {
        let mut r = respond(req, 423, "Interval too small", local_tag, cfg);
        r.headers.push("Min-Expires", cfg.min_expiry.to_string());
        return Err(r);
    }
    Ok(asked)
}

/// The 200 OK: Expires, and Contact with `;expires=` unless unsubscribing.
fn ok(req: &Request, local_tag: &str, contact: &str, expiry: u32, cfg: &EventConfig) -> Response {
    let mut r = respond(req, 200, "OK", local_tag, cfg);
    r.headers.push("Expires", expiry.to_string());
    if expiry > 0 {
        let c = if contact.contains('<') {
            contact.to_string()
        } else {
            format!("<{contact}>")
        };
        r.headers.push("Contact", format!("{c};expires={expiry}"));
    }
    r
}

fn contact_uri(req: &Request) -> Option<Uri> {
    match req.headers.contacts().ok()?.into_iter().next()? {
        Contact::Addr(na) => Some(na.uri),
        Contact::Star => None,
    }
}

impl Subscription {
    /// Accepts (or refuses) an out-of-dialog SUBSCRIBE that the driver has authenticated and
    /// whose Request-URI names an extension with a hint. `local_tag` is ours (a fresh token),
    /// `contact` our Contact (see [`super::our_contact`]), `source` where the SUBSCRIBE came
    /// from and where every NOTIFY goes.
    ///
    /// The 200 carries our To tag, Expires and Contact; the driver sends it with
    /// `UserAgent::respond`, then the initial NOTIFY from [`Subscription::notify`] (RFC 6665:
    /// always, also for `Expires: 0`, whose NOTIFY says `terminated;reason=timeout`).
    pub fn accept(
        req: &Request,
        local_tag: &str,
        contact: &str,
        source: SocketAddr,
        cfg: &EventConfig,
        now: Instant,
    ) -> Result<(Response, Subscription), Response> {
        if req.method != Method::Subscribe {
            return Err(respond(req, 405, "Method Not Allowed", local_tag, cfg));
        }
        let to = req
            .headers
            .to_hdr()
            .map_err(|_| respond(req, 400, "Bad Request", local_tag, cfg))?;
        if to.tag().is_some() {
            return Err(respond(
                req,
                481,
                "Subscription does not exist",
                local_tag,
                cfg,
            ));
        }
        let package = event_package(req);
        if package.is_empty() {
            return Err(respond(req, 489, "Bad Event", local_tag, cfg));
        }
        let format = choose_format(req, package, None, local_tag, cfg)?;
        let expiry = grant_expiry(req, local_tag, cfg)?;
        let bad = || respond(req, 400, "Bad Request", local_tag, cfg);
        let from = req.headers.from_hdr().map_err(|_| bad())?;
        let remote_tag = from.tag().ok_or_else(bad)?.to_string();
        let call_id = req.headers.call_id().map_err(|_| bad())?.to_string();
        let remote_cseq = req.headers.cseq().map_err(|_| bad())?.seq;
        let raw_from = req.headers.get("From").unwrap_or("");
        let raw_to = req.headers.get("To").unwrap_or("");
        let subscriber = bare_uri(raw_from);
        let resource = bare_uri(raw_to);
        if !is_sip(&subscriber) || !is_sip(&resource) {
            return Err(bad());
        }
        let remote_target = match contact_uri(req) {
            Some(u) => u,
            None => Uri::parse(&subscriber).map_err(|_| bad())?,
        };
        let exten = match req.uri.as_sip().and_then(|u| u.user_decoded()) {
            Some(u) if !u.is_empty() => u,
            _ => "s".to_string(),
        };
        let mut sub = Subscription {
            call_id,
            local_tag: local_tag.to_string(),
            remote_tag,
            from: format!("{raw_to};tag={local_tag}"),
            to: raw_from.to_string(),
            remote_target,
            routes: req
                .headers
                .get_all("Record-Route")
                .map(str::to_string)
                .collect(),
            contact: contact.to_string(),
            dest: source,
            format,
            exten,
            subscriber,
            resource,
            remote_cseq,
            local_cseq: INITIAL_CSEQ,
            version: 0,
            expiry,
            expires_at: None,
            last_state: None,
            pending: false,
            queued: None,
            terminated: false,
            cfg: cfg.clone(),
        };
        sub.set_expiry(now, expiry);
        Ok((ok(req, local_tag, contact, expiry, cfg), sub))
    }

    fn set_expiry(&mut self, now: Instant, expiry: u32) {
        self.expiry = expiry;
        self.expires_at =
            (expiry > 0).then(|| now + Duration::from_secs(u64::from(expiry)) + EXPIRY_GRACE);
    }

    /// True when `req` belongs to this dialog: same Call-ID, To tag ours, From tag theirs.
    pub fn matches(&self, req: &Request) -> bool {
        let call_id = req.headers.call_id().ok();
        let to_tag = req
            .headers
            .to_hdr()
            .ok()
            .and_then(|t| t.tag().map(str::to_string));
        let from_tag = req
            .headers
            .from_hdr()
            .ok()
            .and_then(|f| f.tag().map(str::to_string));
        call_id == Some(self.call_id.as_str())
            && to_tag.as_deref() == Some(self.local_tag.as_str())
            && from_tag.as_deref() == Some(self.remote_tag.as_str())
    }

    /// An in-dialog SUBSCRIBE (refresh, or `Expires: 0` to end it). Answers 500 to an old
    /// CSeq, 489/423 as [`Self::accept`]; on 200 the driver sends a NOTIFY with the current
    /// state ([`Self::notify`]), as chan_sip does after every SUBSCRIBE.
    pub fn refresh(&mut self, req: &Request, now: Instant) -> Response {
        let tag = self.local_tag.clone();
        let cfg = self.cfg.clone();
        let Ok(cseq) = req.headers.cseq() else {
            return respond(req, 400, "Bad Request", &tag, &cfg);
        };
        if cseq.seq < self.remote_cseq {
            return respond(req, 500, "Server error", &tag, &cfg);
        }
        self.remote_cseq = cseq.seq;
        let package = event_package(req);
        if package.is_empty() {
            return respond(req, 489, "Bad Event", &tag, &cfg);
        }
        let format = match choose_format(req, package, Some(self.format), &tag, &cfg) {
            Ok(f) => f,
            Err(r) => return r,
        };
        let expiry = match grant_expiry(req, &tag, &cfg) {
            Ok(e) => e,
            Err(r) => return r,
        };
        self.format = format;
        if let Some(uri) = contact_uri(req) {
            self.remote_target = uri;
        }
        self.set_expiry(now, expiry);
        ok(req, &tag, &self.contact, expiry, &cfg)
    }

    /// The NOTIFY for `hint`, sent whatever the last state was (after a SUBSCRIBE). The
    /// Subscription-State is `active` while the subscription lasts (with `;expires=` only if
    /// [`EventConfig::expires_param`]), `terminated;reason=timeout` once Expires was 0,
    /// `terminated;reason=probation` with `Retry-After: 60` for a deactivated hint and
    /// `terminated;reason=noresource` for a removed one. Each NOTIFY takes the next CSeq and,
    /// for XML bodies, the next `version`.
    pub fn notify(&mut self, now: Instant, hint: impl Into<HintState>) -> Request {
        self.build_notify(now, &hint.into(), false)
    }

    /// A state change from the core (chan_sip's `extensionstate_update`): `None` when the
    /// state did not change (ringing always notifies), or while a NOTIFY is unanswered, in
    /// which case the latest state goes out when the answer comes
    /// ([`Self::on_notify_response`]).
    pub fn update(&mut self, now: Instant, hint: impl Into<HintState>) -> Option<Request> {
        let hint = hint.into();
        if self.terminated || (self.last_state == Some(hint.state) && !hint.state.is_ringing()) {
            return None;
        }
        if self.pending {
            self.queued = Some(hint);
            return None;
        }
        Some(self.build_notify(now, &hint, false))
    }

    /// The final response (or its absence: pass 408) to our last NOTIFY.
    pub fn on_notify_response(&mut self, now: Instant, status: u16) -> NotifyOutcome {
        if status < 200 {
            return NotifyOutcome::Idle;
        }
        self.pending = false;
        if status >= 300 {
            self.terminated = true;
            return NotifyOutcome::Terminated;
        }
        match self.queued.take() {
            Some(h) if !self.terminated => {
                NotifyOutcome::Send(Box::new(self.build_notify(now, &h, false)))
            }
            _ => NotifyOutcome::Idle,
        }
    }

    /// When [`Self::handle_timeout`] has the final NOTIFY: the granted expiry plus chan_sip's
    /// 10 s of grace. `None` once terminated or after `Expires: 0`.
    pub fn expires_at(&self) -> Option<Instant> {
        if self.terminated {
            None
        } else {
            self.expires_at
        }
    }

    /// The subscription ran out without a refresh: the last NOTIFY, `terminated;reason=timeout`
    /// with the body of a deactivated hint (chan_sip's `__sip_autodestruct`).
    pub fn handle_timeout(&mut self, now: Instant) -> Option<Request> {
        match self.expires_at() {
            Some(t) if t <= now => {
                let hint = HintState::from(ExtensionState::Deactivated);
                Some(self.build_notify(now, &hint, true))
            }
            _ => None,
        }
    }

    /// The message-summary NOTIFY of an MWI subscription (hook for voicemail).
    pub fn notify_mwi(
        &mut self,
        now: Instant,
        new_msgs: u32,
        old_msgs: u32,
        account: &str,
        buggymwi: bool,
    ) -> Request {
        let state = self.subscription_state(now, ExtensionState::NotInUse, false);
        let mut req = self.base_request();
        req.headers.push("Event", "message-summary");
        req.headers
            .push("Content-Type", Format::MessageSummary.media_type());
        req.headers.push("Subscription-State", state);
        req.body = message_summary(new_msgs, old_msgs, account, buggymwi).into_bytes();
        self.pending = true;
        req
    }

    fn subscription_state(&mut self, now: Instant, state: ExtensionState, timeout: bool) -> String {
        let s = match state {
            ExtensionState::Deactivated if timeout => "terminated;reason=timeout".to_string(),
            ExtensionState::Deactivated => "terminated;reason=probation".to_string(),
            ExtensionState::Removed => "terminated;reason=noresource".to_string(),
            _ if self.expiry == 0 => "terminated;reason=timeout".to_string(),
            _ if self.cfg.expires_param => {
                let left = self.expires_at.map_or(0, |t| {
                    t.saturating_duration_since(now)
                        .saturating_sub(EXPIRY_GRACE)
                        .as_secs()
                });
                format!("active;expires={left}")
            }
            _ => "active".to_string(),
        };
        if s.starts_with("terminated") {
            self.terminated = true;
        }
        s
    }

    /// Request line and dialog headers in chan_sip's `reqprep` order. No Via: the user agent
    /// adds it (`UserAgent::send_request`).
    fn base_request(&mut self) -> Request {
        self.local_cseq = self.local_cseq.wrapping_add(1);
        let mut req = Request::new(Method::Notify, self.remote_target.clone());
        for r in &self.routes {
            req.headers.push("Route", r.clone());
        }
        req.headers.push("Max-Forwards", "70");
        req.headers.push("From", self.from.clone());
        req.headers.push("To", self.to.clone());
        req.headers.push("Contact", self.contact.clone());
        req.headers.push("Call-ID", self.call_id.clone());
        req.headers
            .push("CSeq", format!("{} NOTIFY", self.local_cseq));
        if !self.cfg.user_agent.is_empty() {
            req.headers.push("User-Agent", self.cfg.user_agent.clone());
        }
        req
    }

    fn build_notify(&mut self, now: Instant, hint: &HintState, timeout: bool) -> Request {
        let sub_state = self.subscription_state(now, hint.state, timeout);
        let mut req = self.base_request();
        req.headers.push("Subscription-State", sub_state.clone());
        if sub_state == "terminated;reason=probation" {
            req.headers.push("Retry-After", "60");
        }
        req.headers.push("Event", self.format.event());
        req.headers.push("Content-Type", self.format.media_type());
        let input = BodyInput {
            format: self.format,
            version: self.version,
            exten: &self.exten,
            subscriber: &self.subscriber,
            resource: &self.resource,
            call_id: &self.call_id,
            their_tag: &self.remote_tag,
            our_tag: &self.local_tag,
        };
        req.body = render(&input, hint, &self.cfg.body).into_bytes();
        self.version = self.version.wrapping_add(1);
        self.last_state = Some(hint.state);
        self.pending = true;
        req
    }

    /// Where NOTIFYs go: the address the SUBSCRIBE came from.
    pub fn dest(&self) -> SocketAddr {
        self.dest
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// The watched extension (the SUBSCRIBE's Request-URI user, `s` when it had none).
    pub fn exten(&self) -> &str {
        &self.exten
    }

    pub fn call_id(&self) -> &str {
        &self.call_id
    }

    pub fn local_tag(&self) -> &str {
        &self.local_tag
    }

    /// The granted expiry in seconds (0 after an unsubscribe).
    pub fn expiry(&self) -> u32 {
        self.expiry
    }

    /// The last state notified.
    pub fn last_state(&self) -> Option<ExtensionState> {
        self.last_state
    }

    /// A NOTIFY is out and unanswered.
    pub fn is_pending(&self) -> bool {
        self.pending
    }

    /// A `terminated` NOTIFY went out, or the subscriber refused one: drop the subscription.
    pub fn is_terminated(&self) -> bool {
        self.terminated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_uri_cuts_brackets_and_params() {
        assert_eq!(
            bare_uri("\"A <b>\" <sip:100@pbx;user=phone>;tag=1"),
            "sip:100@pbx"
        );
        assert_eq!(bare_uri("sip:100@pbx;tag=x"), "sip:100@pbx");
        assert_eq!(bare_uri("<sip:pbx;lr>"), "sip:pbx");
        assert_eq!(bare_uri("<sip:a;b@pbx>"), "sip:a;b@pbx");
    }
}
