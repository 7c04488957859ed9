//! Strict RTP and comedia: which sources a leg accepts RTP from, and where it sends.
//!
//! Asterisk's `res_rtp_asterisk.c` (`strict_rtp_state`, `rtp_learning_*`), as this machine
//! follows it:
//! - `strictrtp=no`: every packet is accepted (state *open*).
//! - Otherwise the leg starts *learning*. Setting the remote address (from SDP: the *target*)
//!   restarts learning when it differs from the address latched so far.
//! - While learning, a packet from the target address latches it at once ("switching to RTP
//!   target address as source") and learning restarts its clock; after
//!   [`LEARN_TIMEOUT`] of learning with a latched address the leg *closes* on it ("learning
//!   complete - locking on source address").
//! - While learning, a packet from the latched address is accepted and resets the probation of
//!   any other candidate (so a stranger interleaved with the real stream never wins).
//! - While learning, a packet from any other address is a candidate: it is dropped until
//!   `probation` packets in sequence came from it (pjmedia's probation: `max_seq = seq - 1`,
//!   `packets = probation`, one less for each packet in sequence, reset to `probation - 1`
//!   on a gap); the packet that completes probation latches that source, closes, and is
//!   accepted. With `strictrtp=yes` (not `seqno`) the sequence must also have taken at least
//!   `(probation - 1) * 9 - 5` ms, else it was a flood and probation starts again.
//! - *Closed*: only the latched address is accepted; everything else is dropped.
//!
//! Comedia (`nat=comedia`, Asterisk's NAT property): after a packet is accepted, replies go to
//! its source. Without comedia a leg with no remote address yet takes the first accepted
//! source (symmetric RTP), and keeps the SDP address otherwise.
//!
//! Sans-IO: addresses and times come in as data.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// `STRICT_RTP_LEARN_TIMEOUT`: how long learning lasts once a source is latched.
pub const LEARN_TIMEOUT: Duration = Duration::from_millis(5000);

/// `strictrtp` in rtp.conf.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrictMode {
    No,
    Yes,
    Seqno,
}

/// How a leg latches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LatchConfig {
    pub mode: StrictMode,
    /// Packets in sequence that qualify a new source (rtp.conf `probation`, default 4).
    pub probation: u32,
    /// `nat=comedia`: send to where packets come from.
    pub comedia: bool,
}

impl Default for LatchConfig {
    fn default() -> Self {
        LatchConfig {
            mode: StrictMode::Yes,
            probation: 4,
            comedia: false,
        }
    }
}

/// What happens to one received packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Accept,
    Drop,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Open,
    Learn,
    Closed,
}

/// One candidate source on probation (`struct rtp_learning_info`).
#[derive(Clone, Copy, Debug)]
struct Probation {
    proposed: Option<SocketAddr>,
    max_seq: u16,
    packets: u32,
    /// When the current in-sequence run started (for the flood check).
    received: Option<Instant>,
}

/// The strict-RTP / comedia state of one leg.
#[derive(Clone, Debug)]
pub struct Latch {
    cfg: LatchConfig,
    state: State,
    /// When learning (re)started.
    learn_start: Instant,
    /// The source accepted (`strict_rtp_address`).
    latched: Option<SocketAddr>,
    /// The address from SDP (`requested target address`).
    target: Option<SocketAddr>,
    /// Where this leg sends.
    remote: Option<SocketAddr>,
    probation: Probation,
    dropped: u64,
}

impl Latch {
    pub fn new(now: Instant, cfg: LatchConfig) -> Self {
        let state = match cfg.mode {
            StrictMode::No => State::Open,
            _ => State::Learn,
        };
        Latch {
            cfg,
            state,
            learn_start: now,
            latched: None,
            target: None,
            remote: None,
            probation: Probation {
                proposed: None,
                max_seq: 0,
                packets: cfg.probation.max(1),
                received: None,
            },
            dropped: 0,
        }
    }

    pub fn config(&self) -> LatchConfig {
        self.cfg
    }

    pub fn state(&self) -> State {
        self.state
    }

    /// The source latched (strict RTP), if any.
    pub fn latched(&self) -> Option<SocketAddr> {
        self.latched
    }

    /// Where to send this leg's RTP.
    pub fn remote(&self) -> Option<SocketAddr> {
        self.remote
    }

    /// Packets dropped by strict RTP so far.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The remote address from SDP (`ast_rtp_remote_address_set`): sending goes there (until
    /// comedia learns better), and a new address restarts learning.
    pub fn set_target(&mut self, now: Instant, addr: SocketAddr) {
        self.remote = Some(addr);
        self.target = Some(addr);
        if self.state != State::Open && self.latched != Some(addr) {
            self.start_learning(now);
        }
    }

    fn start_learning(&mut self, now: Instant) {
        self.state = State::Learn;
        self.learn_start = now;
        self.probation.proposed = None;
        self.seq_init(self.probation.max_seq);
    }

    /// `rtp_learning_seq_init`.
    fn seq_init(&mut self, seq: u16) {
        self.probation.max_seq = seq.wrapping_sub(1);
        self.probation.packets = self.cfg.probation.max(1);
        self.probation.received = None;
    }

    /// `rtp_learning_rtp_seq_update`: true while the candidate is still on probation.
    fn seq_update(&mut self, now: Instant, seq: u16) -> bool {
        let full = self.cfg.probation.max(1);
        let p = &mut self.probation;
        if seq == p.max_seq.wrapping_add(1) {
            p.packets = p.packets.saturating_sub(1);
        } else {
            p.packets = full - 1;
            p.received = Some(now);
        }
        if self.cfg.mode == StrictMode::Yes {
            match p.received {
                None => p.received = Some(now),
                Some(start) if p.packets == 0 && now.duration_since(start) < min_duration(full) => {
                    // A burst faster than audio can be: a flood, start again.
                    p.packets = full - 1;
                    p.received = Some(now);
                }
                Some(_) => {}
            }
        }
        p.max_seq = seq;
        p.packets != 0
    }

    /// One RTP packet with sequence number `seq` arrived from `source`.
    pub fn handle_packet(&mut self, now: Instant, source: SocketAddr, seq: u16) -> Verdict {
        if self.state == State::Learn
            && self.latched.is_some()
            && now.duration_since(self.learn_start) > LEARN_TIMEOUT
        {
            self.state = State::Closed;
        }
        let verdict = match self.state {
            State::Open => Verdict::Accept,
            State::Closed if self.latched == Some(source) => Verdict::Accept,
            State::Closed => Verdict::Drop,
            State::Learn => self.learn(now, source, seq),
        };
        match verdict {
            Verdict::Accept => {
                if self.cfg.comedia || self.remote.is_none() {
                    self.remote = Some(source);
                }
            }
            Verdict::Drop => self.dropped += 1,
        }
        verdict
    }

    fn learn(&mut self, now: Instant, source: SocketAddr, seq: u16) -> Verdict {
        if self.target == Some(source) && self.latched != Some(source) {
            // The address SDP named speaks: it is the source, learning restarts from here.
            self.latched = Some(source);
            self.start_learning(now);
            return Verdict::Accept;
        }
        if self.latched == Some(source) {
            self.seq_init(seq);
            return Verdict::Accept;
        }
        if self.probation.proposed != Some(source) {
            self.probation.proposed = Some(source);
            self.seq_init(seq);
        }
        if self.seq_update(now, seq) {
            return Verdict::Drop;
        }
        self.latched = Some(source);
        self.state = State::Closed;
        Verdict::Accept
    }
}

/// `CALC_LEARNING_MIN_DURATION`: packets every 9 ms on average, the last 5 ms early.
fn min_duration(probation: u32) -> Duration {
    let ms = (u64::from(probation).saturating_sub(1) * 9).saturating_sub(5);
    Duration::from_millis(ms)
}

#[cfg(test)]
mod tests;
