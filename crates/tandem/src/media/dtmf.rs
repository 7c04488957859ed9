//! What a leg needs to understand what it receives: the negotiated format (payload type and
//! codec, the telephone-event payload type) and RFC 4733 digits turned into
//! [`ChannelEvent::Digit`] for the core, whoever reads the socket (a bridge's relay, Echo,
//! Playback, or the host waiting for digits).

use std::sync::PoisonError;
use std::time::Instant;

use tandem_codec::CodecKind;
use tandem_core::ChannelEvent;
use tandem_rtp::dtmf::DtmfEvent;
use tandem_rtp::{DtmfReceiver, RtpPacket};
use tokio::sync::mpsc;

use super::MediaLeg;

/// The format agreed in SDP for a leg.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Format {
    /// Payload type of the codec we send (and expect).
    pub payload_type: u8,
    pub codec: CodecKind,
    /// Payload type of `telephone-event`, when both sides do RFC 4733.
    pub dtmf_pt: Option<u8>,
}

/// Per-leg receive state, behind the leg's mutex.
pub struct Inbound {
    format: Option<Format>,
    receiver: DtmfReceiver,
    /// The channel's event queue; weak, so the leg never keeps a finished channel open.
    events: Option<mpsc::WeakSender<ChannelEvent>>,
}

impl Default for Inbound {
    fn default() -> Self {
        Inbound {
            format: None,
            receiver: DtmfReceiver::with_defaults(),
            events: None,
        }
    }
}

impl Inbound {
    /// Feed one packet; digits that end are returned through `out` (at most a few per packet).
    fn handle(&mut self, now: Instant, packet: &[u8], out: &mut Vec<char>) {
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
            if let DtmfEvent::End { digit, .. } = ev {
                out.push(digit);
            }
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
    }

    pub fn format(&self) -> Option<Format> {
        self.inbound
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .format
    }

    /// Where RFC 4733 digits go: the channel's event queue (held weakly).
    pub fn set_event_sink(&self, events: &mpsc::Sender<ChannelEvent>) {
        self.inbound
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .events = Some(events.downgrade());
    }

    /// Look at a packet that arrived on this leg: telephone-event packets of the negotiated
    /// payload type run through the RFC 4733 receiver, and each digit it ends becomes
    /// [`ChannelEvent::Digit`] on the channel. Returns the digits (for tests and callers).
    pub fn inspect_inbound(&self, packet: &[u8]) -> Vec<char> {
        let mut digits = Vec::new();
        let sink = {
            let mut inbound = self.inbound.lock().unwrap_or_else(PoisonError::into_inner);
            inbound.handle(Instant::now(), packet, &mut digits);
            if digits.is_empty() {
                return digits;
            }
            inbound.events.as_ref().and_then(mpsc::WeakSender::upgrade)
        };
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
        match self.socket.recv_from(buf).await {
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

#[cfg(test)]
mod tests {
    use super::*;
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

    #[test]
    fn garbage_is_ignored() {
        let mut i = inbound(Some(101));
        let mut out = Vec::new();
        i.handle(Instant::now(), &[0xff, 1, 2], &mut out);
        i.handle(Instant::now(), &[], &mut out);
        assert!(out.is_empty());
    }
}
