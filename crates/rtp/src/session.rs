//! `RtcpSession`: the RTCP side of one RTP stream. It counts what we send and receive, reads
//! the peer's reports (RTT, the loss and jitter they see), and decides when to send a
//! compound report (SR when we sent media since the last report, else RR, always with SDES
//! CNAME; RFC 3550 sec. 6.1), and a BYE on close.
//!
//! Timing, simplified from RFC 3550 sec. 6.3 for a two-party call: the first report goes out
//! after half the interval, later ones after the interval (5 s by default), each multiplied by
//! a factor uniform in [0.5, 1.5) drawn from a generator seeded by the caller. There is no
//! bandwidth scaling or reconsideration: two members never need it.
//!
//! Drive loop (same verbs as every tandem sans-IO machine):
//! ```text
//! on RTP in:    session.handle_rtp_received(now, &packet)
//! on RTP out:   session.handle_rtp_sent(now, timestamp, payload_len)
//! on RTCP in:   session.handle_rtcp(now, &datagram)
//! on wake-up:   session.handle_timeout(now)
//! after each:   while let Some(d) = session.poll_transmit() { send d }
//!               while let Some(e) = session.poll_event() { ... }
//!               sleep until session.poll_timeout()
//! ```

use crate::error::Result;
use crate::header::RtpPacket;
use crate::ntp::NtpClock;
use crate::rng::SplitMix64;
use crate::rtcp::{
    parse_compound, write_compound, Bye, ReceiverReport, ReportBlock, RtcpPacket, Sdes, SdesChunk,
    SenderReport,
};
use crate::stats::{rtt_from_block, ReceiverStats, SenderStats, SeqCheck};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Bound on queued datagrams and events (a caller that never polls cannot grow memory).
const MAX_QUEUE: usize = 64;

#[derive(Debug, Clone)]
pub struct RtcpConfig {
    /// Our SSRC (the one our RTP carries).
    pub ssrc: u32,
    /// Our CNAME, e.g. `tandem@192.0.2.10`.
    pub cname: String,
    /// Clock rate of the stream's codec (8000 for G.711).
    pub clock_rate: u32,
    /// Report interval before randomization (RFC 3550's minimum, 5 s, by default).
    pub interval: Duration,
    /// Seed for the interval randomization.
    pub seed: u64,
    /// Wall clock for SR NTP timestamps and RTT.
    pub ntp: NtpClock,
}

/// What the session tells the application.
#[derive(Debug, Clone, PartialEq)]
pub enum RtcpEvent {
    /// The peer reported on our stream (loss, jitter it sees); `rtt` when it echoed an SR.
    ReportReceived {
        from: u32,
        block: ReportBlock,
        rtt: Option<Duration>,
    },
    /// The peer left (RTCP BYE).
    Bye { ssrc: u32, reason: Option<String> },
}

#[derive(Debug)]
pub struct RtcpSession {
    cfg: RtcpConfig,
    rng: SplitMix64,
    sender: SenderStats,
    sent_since_report: bool,
    remote: Option<ReceiverStats>,
    remote_cname: Option<String>,
    remote_report: Option<ReportBlock>,
    rtt: Option<Duration>,
    next_report: Option<Instant>,
    transmit: VecDeque<Vec<u8>>,
    events: VecDeque<RtcpEvent>,
    reports_sent: u64,
}

fn push_bounded<T>(q: &mut VecDeque<T>, v: T) {
    if q.len() >= MAX_QUEUE {
        q.pop_front();
    }
    q.push_back(v);
}

impl RtcpSession {
    /// A session starting at `now`; the first report is due after about half the interval.
    pub fn new(now: Instant, cfg: RtcpConfig) -> Self {
        let mut rng = SplitMix64::new(cfg.seed);
        let first = Self::randomize(&mut rng, cfg.interval / 2);
        RtcpSession {
            sender: SenderStats::new(cfg.clock_rate),
            cfg,
            rng,
            sent_since_report: false,
            remote: None,
            remote_cname: None,
            remote_report: None,
            rtt: None,
            next_report: Some(now + first),
            transmit: VecDeque::new(),
            events: VecDeque::new(),
            reports_sent: 0,
        }
    }

    fn randomize(rng: &mut SplitMix64, base: Duration) -> Duration {
        base.mul_f64(0.5 + rng.next_f64())
    }

    /// Counts a received RTP packet. A packet with a new SSRC replaces the remote source
    /// (the peer restarted its stream, or a relay switched sources).
    pub fn handle_rtp_received(&mut self, now: Instant, packet: &RtpPacket<'_>) -> SeqCheck {
        let ssrc = packet.ssrc();
        let clock_rate = self.cfg.clock_rate;
        let stats = match &mut self.remote {
            Some(s) if s.ssrc() == ssrc => s,
            slot => slot.insert(ReceiverStats::new(ssrc, clock_rate)),
        };
        stats.on_packet(
            now,
            packet.sequence(),
            packet.timestamp(),
            packet.payload().len(),
        )
    }

    /// Counts an RTP packet we sent.
    pub fn handle_rtp_sent(&mut self, now: Instant, timestamp: u32, payload_len: usize) {
        self.sender.on_sent(now, timestamp, payload_len);
        self.sent_since_report = true;
    }

    /// Reads a compound RTCP datagram from the peer.
    pub fn handle_rtcp(&mut self, now: Instant, datagram: &[u8]) -> Result<()> {
        let packets = parse_compound(datagram)?;
        let arrival = self.cfg.ntp.at(now).middle32();
        for p in packets {
            match p {
                RtcpPacket::SenderReport(sr) => {
                    if let Some(stats) = self.remote.as_mut().filter(|s| s.ssrc() == sr.ssrc) {
                        stats.on_sender_report(now, sr.ntp.middle32());
                    }
                    self.read_blocks(sr.ssrc, &sr.reports, arrival);
                }
                RtcpPacket::ReceiverReport(rr) => self.read_blocks(rr.ssrc, &rr.reports, arrival),
                RtcpPacket::Sdes(sdes) => {
                    if let Some(remote) = self.remote.as_ref() {
                        if let Some(cname) = sdes.cname_of(remote.ssrc()) {
                            self.remote_cname = Some(cname.to_string());
                        }
                    }
                }
                RtcpPacket::Bye(bye) => {
                    let reason = bye.reason.map(|r| String::from_utf8_lossy(&r).into_owned());
                    for ssrc in bye.sources {
                        push_bounded(
                            &mut self.events,
                            RtcpEvent::Bye {
                                ssrc,
                                reason: reason.clone(),
                            },
                        );
                    }
                }
                RtcpPacket::Other { .. } => {}
            }
        }
        Ok(())
    }

    fn read_blocks(&mut self, from: u32, blocks: &[ReportBlock], arrival: u32) {
        for block in blocks.iter().filter(|b| b.ssrc == self.cfg.ssrc) {
            let rtt = rtt_from_block(arrival, block);
            if rtt.is_some() {
                self.rtt = rtt;
            }
            self.remote_report = Some(*block);
            push_bounded(
                &mut self.events,
                RtcpEvent::ReportReceived {
                    from,
                    block: *block,
                    rtt,
                },
            );
        }
    }

    /// Sends the scheduled report when it is due.
    pub fn handle_timeout(&mut self, now: Instant) {
        let Some(due) = self.next_report else { return };
        if now < due {
            return;
        }
        let packets = self.build_report(now);
        if let Ok(bytes) = write_compound(&packets) {
            push_bounded(&mut self.transmit, bytes);
        }
        let next = Self::randomize(&mut self.rng, self.cfg.interval);
        self.next_report = Some(now + next);
    }

    /// The compound report for `now` (SR or RR, then SDES CNAME); starts a new loss interval.
    pub fn build_report(&mut self, now: Instant) -> Vec<RtcpPacket> {
        let reports: Vec<ReportBlock> = self
            .remote
            .as_mut()
            .map(|r| r.report_block(now))
            .into_iter()
            .collect();
        let first = if self.sent_since_report {
            let (ntp, rtp_timestamp, packet_count, octet_count) =
                self.sender.sender_info(now, &self.cfg.ntp);
            RtcpPacket::SenderReport(SenderReport {
                ssrc: self.cfg.ssrc,
                ntp,
                rtp_timestamp,
                packet_count,
                octet_count,
                reports,
            })
        } else {
            RtcpPacket::ReceiverReport(ReceiverReport {
                ssrc: self.cfg.ssrc,
                reports,
            })
        };
        self.sent_since_report = false;
        self.reports_sent += 1;
        vec![
            first,
            RtcpPacket::Sdes(Sdes {
                chunks: vec![SdesChunk::cname(self.cfg.ssrc, &self.cfg.cname)],
            }),
        ]
    }

    /// Ends the session: a last report with a BYE is queued and no more reports are scheduled.
    pub fn close(&mut self, now: Instant, reason: Option<&str>) {
        if self.next_report.is_none() {
            return;
        }
        let mut packets = self.build_report(now);
        let reason = reason.map(|r| r.as_bytes().iter().copied().take(255).collect());
        packets.push(RtcpPacket::Bye(Bye {
            sources: vec![self.cfg.ssrc],
            reason,
        }));
        if let Ok(bytes) = write_compound(&packets) {
            push_bounded(&mut self.transmit, bytes);
        }
        self.next_report = None;
    }

    /// When `handle_timeout` wants to be called; `None` once closed.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.next_report
    }
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.transmit.pop_front()
    }
    pub fn poll_event(&mut self) -> Option<RtcpEvent> {
        self.events.pop_front()
    }

    pub fn ssrc(&self) -> u32 {
        self.cfg.ssrc
    }
    /// Statistics of the remote source we receive, if any arrived.
    pub fn receiver(&self) -> Option<&ReceiverStats> {
        self.remote.as_ref()
    }
    pub fn sender(&self) -> &SenderStats {
        &self.sender
    }
    /// The last report block the peer sent about our stream.
    pub fn remote_report(&self) -> Option<&ReportBlock> {
        self.remote_report.as_ref()
    }
    pub fn remote_cname(&self) -> Option<&str> {
        self.remote_cname.as_deref()
    }
    /// Latest round-trip time measured from the peer's LSR/DLSR.
    pub fn rtt(&self) -> Option<Duration> {
        self.rtt
    }
    pub fn reports_sent(&self) -> u64 {
        self.reports_sent
    }
}
