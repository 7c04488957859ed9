//! Qualify: OPTIONS pings to a peer with `qualify=`, as chan_sip's `sip_poke_peer`,
//! `handle_response_peerpoke` and `sip_poke_noanswer`, and the status column of
//! `sip show peers` (`peer_status`).
//!
//! Timing, from chan_sip: a ping gets `2 * qualify` ms to be answered (not the 32 s of the
//! transaction); no answer makes the peer `UNREACHABLE` and the next ping goes 10 s later
//! (`DEFAULT_FREQ_NOTOK`). Any answer but `100` counts: its round trip (at least 1 ms) is
//! `OK` up to `qualify` ms and `LAGGED` above; the next ping goes `qualifyfreq` later when
//! OK, 10 s later when lagged. A new or changed address is pinged at once.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::register::{OutboundError, INITIAL_CSEQ};
use super::request::{self, OptionsParts};
use super::{fnv, mix};
use crate::message::{Method, Request, Response, Transport, Uri};

/// chan_sip `DEFAULT_FREQ_NOTOK`: the next ping after no answer or a lagged one.
pub const DEFAULT_FREQ_NOTOK: Duration = Duration::from_secs(10);
/// chan_sip `DEFAULT_FREQ_OK`, the default `qualifyfreq`.
pub const DEFAULT_QUALIFY_FREQ: Duration = Duration::from_secs(60);

/// What to ping and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualifyConfig {
    /// The peer's name (folded into the Call-ID seed).
    pub peer: String,
    /// `qualify` in ms (`yes` = 2000); 0 = not monitored.
    pub max_ms: u32,
    /// `qualifyfreq`.
    pub freq: Duration,
    /// The Request-URI: the peer's registered contact, else `sip:peer@host:port`.
    pub target: String,
    pub transport: Transport,
    /// Our address as it goes into Via, From and Contact.
    pub local: SocketAddr,
    /// The From user (chan_sip: the peer's `fromuser`, else the default caller id).
    pub from_user: String,
    pub user_agent: String,
    /// The Allow header, if any.
    pub allow: Option<String>,
    pub seed: u64,
}

impl QualifyConfig {
    /// `qualify=yes` (2000 ms) every 60 s.
    pub fn new(peer: &str, target: &str, local: SocketAddr) -> Self {
        QualifyConfig {
            peer: peer.to_string(),
            max_ms: 2000,
            freq: DEFAULT_QUALIFY_FREQ,
            target: target.to_string(),
            transport: Transport::Udp,
            local,
            from_user: "tandem".to_string(),
            user_agent: "tandem".to_string(),
            allow: None,
            seed: 0,
        }
    }
}

/// The peer's state, as `sip show peers` knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QualifyStatus {
    /// `qualify=no`.
    Unmonitored,
    /// No answer yet (or no address).
    Unknown,
    Ok {
        rtt_ms: u32,
    },
    /// Answered, slower than `qualify` ms.
    Lagged {
        rtt_ms: u32,
    },
    Unreachable,
}

#[derive(Debug, Clone)]
struct Probe {
    call_id: String,
    sent_at: Instant,
    noanswer_at: Instant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    Asap,
    At(Instant),
}

/// Qualify state for one peer. Same drive loop as the registration (see the
/// [module docs](super)).
#[derive(Debug)]
pub struct Qualifier {
    cfg: QualifyConfig,
    uri: Uri,
    dest: Option<SocketAddr>,
    /// chan_sip `lastms`: -1 unreachable, 0 unknown, else the last round trip.
    last_ms: i64,
    probe: Option<Probe>,
    pending: Option<Request>,
    next: Option<Next>,
    probes: u64,
}

impl Qualifier {
    pub fn new(cfg: QualifyConfig) -> Result<Self, OutboundError> {
        let uri = Uri::parse(&cfg.target).map_err(|_| OutboundError::BadUri(cfg.target.clone()))?;
        Ok(Qualifier {
            cfg,
            uri,
            dest: None,
            last_ms: 0,
            probe: None,
            pending: None,
            next: None,
            probes: 0,
        })
    }

    pub fn config(&self) -> &QualifyConfig {
        &self.cfg
    }

    /// The peer's address; a new or changed one is pinged at once, `None` (no address,
    /// unregistered) stops pinging and forgets the state (`UNKNOWN`), as chan_sip's
    /// `sip_poke_peer` does for a peer without an address.
    pub fn set_destination(&mut self, dest: Option<SocketAddr>) {
        if dest == self.dest {
            return;
        }
        self.dest = dest;
        self.probe = None;
        self.pending = None;
        if dest.is_some() && self.cfg.max_ms > 0 {
            self.next = Some(Next::Asap);
        } else {
            self.next = None;
            self.last_ms = 0;
        }
    }

    /// chan_sip `lastms`: -1 unreachable, 0 unknown, else the last round trip in ms.
    pub fn last_ms(&self) -> i64 {
        self.last_ms
    }

    pub fn status(&self) -> QualifyStatus {
        let rtt = u32::try_from(self.last_ms).unwrap_or(u32::MAX);
        if self.cfg.max_ms == 0 {
            QualifyStatus::Unmonitored
        } else if self.last_ms < 0 {
            QualifyStatus::Unreachable
        } else if self.last_ms > i64::from(self.cfg.max_ms) {
            QualifyStatus::Lagged { rtt_ms: rtt }
        } else if self.last_ms > 0 {
            QualifyStatus::Ok { rtt_ms: rtt }
        } else {
            QualifyStatus::Unknown
        }
    }

    /// The Status column of `sip show peers`.
    pub fn status_text(&self) -> String {
        match self.status() {
            QualifyStatus::Unmonitored => "Unmonitored".to_string(),
            QualifyStatus::Unknown => "UNKNOWN".to_string(),
            QualifyStatus::Ok { rtt_ms } => format!("OK ({rtt_ms} ms)"),
            QualifyStatus::Lagged { rtt_ms } => format!("LAGGED ({rtt_ms} ms)"),
            QualifyStatus::Unreachable => "UNREACHABLE".to_string(),
        }
    }

    /// The next OPTIONS to send, with where to send it.
    pub fn poll_request(&mut self, now: Instant) -> Option<(Request, SocketAddr)> {
        self.handle_timeout(now);
        let req = self.pending.take()?;
        Some((req, self.dest?))
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        let next = match self.next {
            Some(Next::At(t)) => Some(t),
            _ => None,
        };
        let noanswer = self.probe.as_ref().map(|p| p.noanswer_at);
        match (noanswer, next) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        if self.probe.as_ref().is_some_and(|p| now >= p.noanswer_at) {
            self.no_answer(now);
        }
        let due = match self.next {
            Some(Next::Asap) => true,
            Some(Next::At(t)) => now >= t,
            None => false,
        };
        if due {
            self.next = None;
            self.poke(now);
        }
    }

    /// A response to our OPTIONS. False when it is not for the ping in flight (a late answer
    /// after the peer was declared unreachable is ignored, as chan_sip drops that dialog).
    pub fn handle_response(&mut self, now: Instant, resp: &Response) -> bool {
        let Some(probe) = &self.probe else {
            return false;
        };
        let ours = resp.headers.call_id().is_ok_and(|c| c == probe.call_id)
            && resp
                .headers
                .cseq()
                .is_ok_and(|c| c.seq == INITIAL_CSEQ + 1 && c.method == Method::Options);
        if !ours {
            return false;
        }
        if resp.status == 100 {
            return true;
        }
        let ms = now
            .saturating_duration_since(probe.sent_at)
            .as_millis()
            .max(1);
        let ms = i64::try_from(ms).unwrap_or(i64::MAX);
        self.probe = None;
        self.last_ms = ms;
        let reachable = ms <= i64::from(self.cfg.max_ms);
        let wait = if reachable {
            self.cfg.freq
        } else {
            DEFAULT_FREQ_NOTOK
        };
        self.next = Some(Next::At(now + wait));
        true
    }

    /// The OPTIONS transaction timed out or could not be sent: unreachable now.
    pub fn handle_txn_timeout(&mut self, now: Instant) {
        if self.probe.is_some() {
            self.no_answer(now);
        }
    }

    /// `sip_poke_noanswer`.
    fn no_answer(&mut self, now: Instant) {
        self.probe = None;
        self.last_ms = -1;
        self.next = Some(Next::At(now + DEFAULT_FREQ_NOTOK));
    }

    /// `sip_poke_peer`: a fresh dialog (new Call-ID and tag, CSeq 102) per ping.
    fn poke(&mut self, now: Instant) {
        if self.cfg.max_ms == 0 || self.dest.is_none() {
            return;
        }
        self.probes = self.probes.wrapping_add(1);
        let seed = self.cfg.seed ^ fnv(&self.cfg.peer);
        let call_id = format!(
            "{:016x}{:08x}@{}",
            mix(seed ^ (self.probes << 1)),
            self.probes,
            request::ip_text(self.cfg.local.ip())
        );
        let tag = format!("as{:08x}", mix(seed ^ (self.probes << 1) ^ 1) as u32);
        let parts = OptionsParts {
            uri: &self.uri,
            transport: &self.cfg.transport,
            local: self.cfg.local,
            from_user: &self.cfg.from_user,
            user_agent: &self.cfg.user_agent,
            allow: self.cfg.allow.as_deref(),
        };
        self.pending = Some(request::options(&parts, &call_id, &tag, INITIAL_CSEQ + 1));
        let grace = Duration::from_millis(u64::from(self.cfg.max_ms) * 2);
        self.probe = Some(Probe {
            call_id,
            sent_at: now,
            noanswer_at: now + grace,
        });
    }
}
