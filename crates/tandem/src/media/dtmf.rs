//! What a leg needs to understand what it receives: the negotiated format (payload type and
//! codec, the telephone-event payload type) and RFC 4733 digits turned into
//! [`ChannelEvent::Digit`] for the core, whoever reads the socket (a bridge's relay, Echo,
//! Playback, or the host waiting for digits).

use std::collections::VecDeque;
use std::sync::PoisonError;
use std::time::Instant;

use tandem_codec::CodecKind;
use tandem_conf::views::sip::DtmfMode;
use tandem_core::ChannelEvent;
use tandem_rtp::dtmf::DtmfEvent;
use tandem_rtp::{DtmfReceiver, RtpPacket};
use tokio::sync::mpsc;

use super::MediaLeg;

#[path = "digits_out.rs"]
mod digits_out;
#[path = "inband.rs"]
pub mod inband;

pub use digits_out::{send_inband, send_rfc4733};

/// How a digit reached tandem on a leg's RTP, to know whether a bridge already carried it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DigitVia {
    Rfc4733,
    Inband,
}

/// Digits recently seen on the RTP, waiting for the bridge to ask how they came.
const RECENT: usize = 16;
/// A record older than this is not the digit the bridge asks about (it was dialled while no
/// bridge listened, at a prompt): the bridge gets its digits within milliseconds.
const RECENT_FOR: std::time::Duration = std::time::Duration::from_secs(2);

/// The format agreed in SDP for a leg.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Format {
    /// Payload type of the codec we send (and expect).
    pub payload_type: u8,
    pub codec: CodecKind,
    /// Payload type of `telephone-event`, when both sides do RFC 4733.
    pub dtmf_pt: Option<u8>,
}

/// Told of each RFC 4733 digit as it begins (`None`) and ends (its duration): the AMI's
/// DTMFBegin/DTMFEnd.
pub type DtmfWatch = std::sync::Arc<dyn Fn(char, Option<std::time::Duration>) + Send + Sync>;

/// Per-leg receive state, behind the leg's mutex.
pub struct Inbound {
    watch: Option<DtmfWatch>,
    format: Option<Format>,
    receiver: DtmfReceiver,
    /// sip.conf `dtmfmode` of the peer on this leg.
    mode: DtmfMode,
    /// The Goertzel detector, made when the mode may need it.
    inband: Option<Box<inband::InbandRx>>,
    recent: VecDeque<(char, DigitVia, Instant)>,
    /// RFC 4733 events being sent to this leg ([`send_rfc4733`]): the relay holds back.
    sending: std::sync::Arc<std::sync::atomic::AtomicU32>,
    /// Ends when the last RFC 4733 event queued for this leg has been sent: the next one
    /// waits for it, so events go one after the other in the order asked.
    last_event: Option<tokio::sync::oneshot::Receiver<()>>,
    /// The channel's event queue; weak, so the leg never keeps a finished channel open.
    events: Option<mpsc::WeakSender<ChannelEvent>>,
}

impl Default for Inbound {
    fn default() -> Self {
        Inbound {
            watch: None,
            format: None,
            receiver: DtmfReceiver::with_defaults(),
            mode: DtmfMode::Rfc2833,
            inband: None,
            recent: VecDeque::new(),
            sending: Default::default(),
            last_event: None,
            events: None,
        }
    }
}

impl Inbound {
    /// Feed one packet; digits that end are returned through `out` (at most a few per packet).
    #[cfg(test)]
    fn handle(&mut self, now: Instant, packet: &[u8], out: &mut Vec<char>) {
        self.handle_noting(now, packet, out, &mut Vec::new());
    }

    /// [`Inbound::handle`], each RFC 4733 digit's begin (`None`) and end (its duration) also
    /// noted in `notes`.
    fn handle_noting(
        &mut self,
        now: Instant,
        packet: &[u8],
        out: &mut Vec<char>,
        notes: &mut Vec<(char, Option<std::time::Duration>)>,
    ) {
        let Ok(p) = RtpPacket::parse(packet) else {
            return;
        };
        if let Some(pt) = self.format.and_then(|f| f.dtmf_pt) {
            if p.payload_type() == pt {
                let _ = self
                    .receiver
                    .handle_packet(now, p.sequence(), p.timestamp(), p.payload());
            }
        }
        // A digit whose end packets were all lost ends when audio (or anything) comes after
        // the receiver's timeout (150 ms).
        self.receiver.handle_timeout(now);
        while let Some(ev) = self.receiver.poll_event() {
            // The dialplan sees a digit when it ends, as Asterisk's DTMF_END frames.
            // Notes only for a watcher: without one a digit costs no more than before.
            let noting = self.watch.is_some();
            match ev {
                DtmfEvent::End { digit, duration } => {
                    out.push(digit);
                    if noting {
                        notes.push((digit, Some(duration)));
                    }
                    self.remember(now, digit, DigitVia::Rfc4733);
                }
                DtmfEvent::Begin { digit } if noting => notes.push((digit, None)),
                DtmfEvent::Begin { .. } => {}
            }
        }
        // Inband: the audio itself, when the peer's mode says so.
        if self.effective_mode() == DtmfMode::Inband {
            if let (Some(f), Some(rx)) = (self.format, self.inband.as_mut()) {
                if p.payload_type() == f.payload_type {
                    let before = out.len();
                    rx.feed(f.codec, p.payload(), out);
                    for i in before..out.len() {
                        if let Some(&d) = out.get(i) {
                            self.remember(now, d, DigitVia::Inband);
                        }
                    }
                }
            }
        }
    }

    fn remember(&mut self, now: Instant, digit: char, via: DigitVia) {
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back((digit, via, now));
    }

    /// How `digit` came, if it was seen on the RTP within [`RECENT_FOR`]; takes the record.
    fn take_via(&mut self, now: Instant, digit: char) -> Option<DigitVia> {
        while self
            .recent
            .front()
            .is_some_and(|r| now.saturating_duration_since(r.2) > RECENT_FOR)
        {
            self.recent.pop_front();
        }
        let i = self.recent.iter().position(|r| r.0 == digit)?;
        self.recent.remove(i).map(|r| r.1)
    }

    /// `dtmfmode` as it applies now: `auto` is RFC 4733 when telephone-event was
    /// negotiated, else inband (chan_sip's `SIP_DTMF_AUTO`).
    fn effective_mode(&self) -> DtmfMode {
        match self.mode {
            DtmfMode::Auto if self.format.and_then(|f| f.dtmf_pt).is_some() => DtmfMode::Rfc2833,
            DtmfMode::Auto => DtmfMode::Inband,
            m => m,
        }
    }
}

impl MediaLeg {
    /// The negotiated format (payload type, codec by Asterisk name, telephone-event payload
    /// type), from the driver after each offer/answer. A codec tandem cannot code is kept out.
    pub fn set_format(&self, payload_type: u8, codec_name: Option<&str>, dtmf_pt: Option<u8>) {
        let mut inbound = self.inbound.lock().unwrap_or_else(PoisonError::into_inner);
        match codec_name.and_then(CodecKind::from_name) {
            Some(codec) => {
                inbound.format = Some(Format {
                    payload_type,
                    codec,
                    dtmf_pt,
                })
            }
            None => {
                // Keep digits working even with a codec we only relay.
                inbound.format = inbound.format.map(|f| Format { dtmf_pt, ..f });
                tracing::debug!("RTP {}: codec {codec_name:?} is relayed only", self.local);
            }
        }
    }

    /// [`set_format`](Self::set_format) from an SDP offer/answer result.
    pub fn set_negotiated(&self, n: &tandem_sdp::Negotiated) {
        self.set_format(n.payload_type, n.codec.asterisk_name(), n.telephone_event);
        self.set_srtp(n.srtp.as_ref());
    }

    pub fn format(&self) -> Option<Format> {
        self.inbound
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .format
    }

    /// The peer's `dtmfmode` (and `relaxdtmf`): inband and auto legs get a Goertzel
    /// detector on their audio.
    pub fn set_dtmf_mode(&self, mode: DtmfMode, relax: bool) {
        let mut inbound = self.inbound.lock().unwrap_or_else(PoisonError::into_inner);
        inbound.mode = mode;
        if matches!(mode, DtmfMode::Inband | DtmfMode::Auto) && inbound.inband.is_none() {
            inbound.inband = Some(Box::new(inband::InbandRx::new(relax)));
        }
    }

    /// This leg's `dtmfmode` as it applies now (`auto` resolved by the SDP).
    pub fn dtmf_mode(&self) -> DtmfMode {
        self.inbound
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .effective_mode()
    }

    /// How `digit`, just reported on this leg, arrived: `None` when it was not seen on the
    /// RTP (a SIP INFO). Each call takes one record.
    pub fn take_digit_via(&self, digit: char) -> Option<DigitVia> {
        self.inbound
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take_via(Instant::now(), digit)
    }

    /// A digit that reached this leg's channel must be sent again to `to`, in `to`'s own
    /// mode, unless the relay from this leg already carried it: RFC 4733 packets go through
    /// (PT mapped) to a leg that negotiated telephone-event and takes RFC 4733, and inband
    /// tones go through the audio to an inband leg. Across other modes (INFO, inband to RFC
    /// 4733 and back) the digit is converted, as Asterisk's bridge does with DTMF frames.
    /// `events_held`: the relay from this leg holds RFC 4733 packets back (the party has
    /// feature codes), so such a digit is always sent again.
    pub fn digit_needs_resend(&self, digit: char, to: &MediaLeg, events_held: bool) -> bool {
        let carried = match self.take_digit_via(digit) {
            Some(DigitVia::Rfc4733) => !events_held && to.takes_relayed_events(),
            Some(DigitVia::Inband) => to.dtmf_mode() == DtmfMode::Inband,
            None => false,
        };
        !carried
    }

    /// Does the relay pass RFC 4733 packets on to this leg? Only when its mode is RFC 4733
    /// and telephone-event was negotiated; otherwise they are dropped and the digit is sent
    /// again in the leg's own mode.
    pub fn takes_relayed_events(&self) -> bool {
        self.dtmf_mode() == DtmfMode::Rfc2833 && self.format().and_then(|f| f.dtmf_pt).is_some()
    }

    /// True while an RFC 4733 event is being sent to this leg: the relay holds audio back.
    pub fn sending_digit(&self) -> bool {
        self.inbound
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .sending
            .load(std::sync::atomic::Ordering::Relaxed)
            > 0
    }

    fn digit_sending(&self) -> Option<std::sync::Arc<std::sync::atomic::AtomicU32>> {
        Some(
            self.inbound
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .sending
                .clone(),
        )
    }

    /// Queue an RFC 4733 event behind the previous one: what to wait for first (the previous
    /// event's end), and `done`, dropped when this one is sent.
    fn event_turn(
        &self,
        done: tokio::sync::oneshot::Receiver<()>,
    ) -> Option<tokio::sync::oneshot::Receiver<()>> {
        self.inbound
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .last_event
            .replace(done)
    }

    fn switch_source_after_digit(&self) {
        self.switch_source();
    }

    /// Where RFC 4733 digits go: the channel's event queue (held weakly).
    pub fn set_event_sink(&self, events: &mpsc::Sender<ChannelEvent>) {
        self.inbound
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .events = Some(events.downgrade());
    }

    /// Who is told of each RFC 4733 digit's begin and end (the AMI).
    pub fn set_dtmf_watch(&self, watch: DtmfWatch) {
        self.inbound
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .watch = Some(watch);
    }

    /// Put an event on the channel's queue from outside the driver (the AMI's Redirect);
    /// false when the channel is gone or its queue is full.
    pub fn inject_event(&self, event: ChannelEvent) -> bool {
        let sink = self
            .inbound
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .events
            .as_ref()
            .and_then(mpsc::WeakSender::upgrade);
        sink.is_some_and(|tx| tx.try_send(event).is_ok())
    }

    /// Look at a packet that arrived on this leg: telephone-event packets of the negotiated
    /// payload type run through the RFC 4733 receiver, and each digit it ends becomes
    /// [`ChannelEvent::Digit`] on the channel. Returns the digits (for tests and callers).
    pub fn inspect_inbound(&self, packet: &[u8]) -> Vec<char> {
        let mut digits = Vec::new();
        let mut notes = Vec::new();
        let (sink, watch) = {
            let mut inbound = self.inbound.lock().unwrap_or_else(PoisonError::into_inner);
            inbound.handle_noting(Instant::now(), packet, &mut digits, &mut notes);
            if digits.is_empty() && notes.is_empty() {
                return digits;
            }
            (
                inbound.events.as_ref().and_then(mpsc::WeakSender::upgrade),
                inbound.watch.clone(),
            )
        };
        if let Some(watch) = watch {
            for (d, duration) in notes {
                watch(d, duration);
            }
        }
        for &d in &digits {
            tracing::debug!("RTP {}: RFC 4733 digit {d}", self.local);
            if let Some(tx) = &sink {
                if tx.try_send(ChannelEvent::Digit(d)).is_err() {
                    tracing::debug!(
                        "RTP {}: digit {d} dropped (channel queue full or gone)",
                        self.local
                    );
                }
            }
        }
        digits
    }

    /// Receive one packet into `buf` (the far end is learnt from it if SDP gave none), and
    /// inspect it for digits. Cancel-safe: usable in `select!`.
    pub async fn recv_inbound(&self, buf: &mut [u8]) -> Option<usize> {
        match self.recv_rtp(buf).await {
            Ok((n, source)) => {
                if self.remote().is_none() {
                    self.set_remote(source);
                }
                self.inspect_inbound(buf.get(..n).unwrap_or_default());
                Some(n)
            }
            Err(e) => {
                tracing::debug!("RTP recv on {}: {e}", self.local);
                None
            }
        }
    }
}

/// Of the digits a bridged party dialled (and no feature code took), those the relay did not
/// carry already ([`MediaLeg::digit_needs_resend`]): the bridge sends them to the other party
/// with [`ChannelCommand::SendDigit`](tandem_core::ChannelCommand::SendDigit), in its mode.
pub fn digits_to_resend(from: &MediaLeg, to: &MediaLeg, events_held: bool, digits: &str) -> String {
    digits
        .chars()
        .filter(|&d| from.digit_needs_resend(d, to, events_held))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tandem_rtp::RtpHeader;

    fn event(digit_code: u8, end: bool, duration: u16, seq: u16, ts: u32) -> Vec<u8> {
        let payload = [
            digit_code,
            if end { 0x8a } else { 0x0a },
            (duration >> 8) as u8,
            duration as u8,
        ];
        RtpHeader::new(101, seq, ts, 0x1111)
            .to_vec(&payload)
            .unwrap_or_default()
    }

    fn inbound(dtmf_pt: Option<u8>) -> Inbound {
        Inbound {
            format: Some(Format {
                payload_type: 0,
                codec: CodecKind::Pcmu,
                dtmf_pt,
            }),
            ..Inbound::default()
        }
    }

    #[test]
    fn a_digit_is_reported_once_when_it_ends_despite_three_end_packets() {
        let mut i = inbound(Some(101));
        let now = Instant::now();
        let mut out = Vec::new();
        i.handle(now, &event(1, false, 0, 10, 800), &mut out);
        i.handle(now, &event(1, false, 320, 11, 800), &mut out);
        assert!(out.is_empty(), "no digit before its end");
        for seq in [12, 12, 12] {
            i.handle(now, &event(1, true, 640, seq, 800), &mut out);
        }
        assert_eq!(out, vec!['1']);
    }

    #[test]
    fn a_digit_is_noted_when_it_begins_and_when_it_ends() {
        let mut i = inbound(Some(101));
        i.watch = Some(std::sync::Arc::new(|_, _| {}));
        let (mut out, mut notes) = (Vec::new(), Vec::new());
        let now = Instant::now();
        i.handle_noting(now, &event(1, false, 0, 10, 800), &mut out, &mut notes);
        assert_eq!(notes, vec![('1', None)]);
        i.handle_noting(now, &event(1, true, 640, 11, 800), &mut out, &mut notes);
        assert_eq!(out, vec!['1']);
        assert_eq!(notes.len(), 2);
        assert!(matches!(notes.get(1), Some(('1', Some(_)))), "{notes:?}");
    }

    #[test]
    fn telephone_events_are_ignored_without_a_negotiated_payload_type() {
        let mut i = inbound(None);
        let mut out = Vec::new();
        i.handle(Instant::now(), &event(5, true, 640, 1, 800), &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn pound_and_star_are_events_eleven_and_ten() {
        let mut i = inbound(Some(101));
        let mut out = Vec::new();
        let now = Instant::now();
        i.handle(now, &event(11, true, 640, 1, 800), &mut out);
        i.handle(now, &event(10, true, 640, 2, 1600), &mut out);
        assert_eq!(out, vec!['#', '*']);
    }

    fn pcmu_packets(digits: &str) -> Vec<Vec<u8>> {
        let mut src = inband::DigitTones::new(digits, 100, 100);
        let mut frame = [0i16; crate::media::generator::FRAME];
        let mut out = Vec::new();
        let mut seq = 1u16;
        while crate::media::generator::Source::fill(&mut src, &mut frame) {
            let mut payload = [0u8; 160];
            tandem_codec::ulaw::encode(&frame, &mut payload);
            out.push(
                RtpHeader::new(0, seq, u32::from(seq) * 160, 0x2222)
                    .to_vec(&payload)
                    .unwrap_or_default(),
            );
            seq += 1;
        }
        out
    }

    #[test]
    fn inband_mode_detects_tones_in_the_audio_and_remembers_how_they_came() {
        let mut i = inbound(None);
        i.mode = DtmfMode::Inband;
        i.inband = Some(Box::new(inband::InbandRx::new(false)));
        let mut out = Vec::new();
        for p in pcmu_packets("42") {
            i.handle(Instant::now(), &p, &mut out);
        }
        assert_eq!(out, vec!['4', '2']);
        let recent: Vec<_> = i.recent.iter().map(|r| (r.0, r.1)).collect();
        assert_eq!(
            recent,
            vec![('4', DigitVia::Inband), ('2', DigitVia::Inband)]
        );
    }

    #[test]
    fn rfc2833_mode_does_not_listen_to_the_audio() {
        let mut i = inbound(Some(101));
        i.inband = Some(Box::new(inband::InbandRx::new(false)));
        let mut out = Vec::new();
        for p in pcmu_packets("42") {
            i.handle(Instant::now(), &p, &mut out);
        }
        assert!(out.is_empty());
    }

    #[test]
    fn auto_is_rfc4733_with_telephone_event_else_inband() {
        let mut i = inbound(Some(101));
        i.mode = DtmfMode::Auto;
        assert_eq!(i.effective_mode(), DtmfMode::Rfc2833);
        let mut i = inbound(None);
        i.mode = DtmfMode::Auto;
        assert_eq!(i.effective_mode(), DtmfMode::Inband);
        i.mode = DtmfMode::Info;
        assert_eq!(i.effective_mode(), DtmfMode::Info);
    }

    #[test]
    fn rfc4733_digits_are_remembered_as_such_and_the_record_is_bounded() {
        let mut i = inbound(Some(101));
        let mut out = Vec::new();
        for n in 0..20u16 {
            i.handle(
                Instant::now(),
                &event(1, true, 640, n, 800 * u32::from(n)),
                &mut out,
            );
        }
        assert_eq!(out.len(), 20);
        assert_eq!(i.recent.len(), RECENT);
        assert!(i
            .recent
            .iter()
            .all(|r| (r.0, r.1) == ('1', DigitVia::Rfc4733)));
    }

    #[test]
    fn a_digit_record_is_taken_once_and_only_while_fresh() {
        let mut i = inbound(Some(101));
        let t0 = Instant::now();
        let mut out = Vec::new();
        i.handle(t0, &event(7, true, 640, 1, 800), &mut out);
        i.handle(t0, &event(8, true, 640, 2, 1600), &mut out);
        assert_eq!(i.take_via(t0, '8'), Some(DigitVia::Rfc4733));
        assert_eq!(i.take_via(t0, '8'), None, "taken once");
        // A 7 typed at a prompt long ago says nothing about a 7 now (an INFO, say).
        assert_eq!(i.take_via(t0 + Duration::from_secs(3), '7'), None);
        assert!(i.recent.is_empty());
    }

    #[test]
    fn garbage_is_ignored() {
        let mut i = inbound(Some(101));
        let mut out = Vec::new();
        i.handle(Instant::now(), &[0xff, 1, 2], &mut out);
        i.handle(Instant::now(), &[], &mut out);
        assert!(out.is_empty());
    }
}
