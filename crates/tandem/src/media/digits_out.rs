//! Digits sent to a leg's far end on its RTP: RFC 4733 events (`dtmfmode=rfc2833`, or `auto`
//! with telephone-event), or tones in the audio (`inband`, or `auto` without), as Asterisk's
//! `ast_rtp_dtmf_begin/end` and the core's emulated DTMF tones (`ast_playtones_start`).
//!
//! An event is sent from its own source through the leg's outbound rewriter (the far end sees
//! one stream); while it is sent the relay holds back audio to the leg, as Asterisk sends no
//! voice during an RFC 2833 event.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tandem_rtp::dtmf::{DtmfConfig, DtmfSender};
use tandem_rtp::RtpHeader;

use super::inband::{DigitTones, DEFAULT_TONE_MS};
use crate::media::player::send;
use crate::media::{generator, MediaLeg};

/// Play `digit` as a tone (100 ms) on the leg's generator slot; the relay pauses meanwhile.
pub fn send_inband(leg: &Arc<MediaLeg>, digit: char) {
    let tones = DigitTones::new(&digit.to_string(), DEFAULT_TONE_MS, 0);
    if tones.is_empty() {
        return;
    }
    tracing::debug!("RTP {}: sending DTMF {digit} inband", leg.local);
    generator::start(leg, "dtmf", Box::new(tones));
}

/// Send `digit` as an RFC 4733 event of 100 ms (three end packets) on the leg's negotiated
/// telephone-event payload type. Nothing is sent when none was negotiated.
pub fn send_rfc4733(leg: &Arc<MediaLeg>, digit: char) {
    let Some(pt) = leg.format().and_then(|f| f.dtmf_pt) else {
        tracing::debug!("RTP {}: no telephone-event to send {digit}", leg.local);
        return;
    };
    let Some(sending) = leg.digit_sending() else {
        return;
    };
    // One event at a time on the leg, in the order asked (a burst of passed digits, a
    // loaded machine): two events at once would be two streams to the phone.
    let (done, turn) = tokio::sync::oneshot::channel::<()>();
    let previous = leg.event_turn(turn);
    let weak = Arc::downgrade(leg);
    // Each event its own source (SSRC, sequence, timestamp), even the same digit twice.
    static EVENTS: AtomicU32 = AtomicU32::new(0);
    let n = EVENTS.fetch_add(1, Ordering::Relaxed);
    let seed = (u32::from(leg.local.port()) ^ n.rotate_left(16)).wrapping_mul(2_654_435_761)
        ^ u32::from(digit);
    tokio::spawn(async move {
        if let Some(previous) = previous {
            let _ = previous.await;
        }
        let _done = done;
        sending.fetch_add(1, Ordering::Relaxed);
        if let Some(leg) = weak.upgrade() {
            tracing::debug!("RTP {}: sending DTMF {digit} as RFC 4733", leg.local);
        }
        let mut sender = DtmfSender::new(DtmfConfig::default());
        let ssrc = seed ^ 0x0d7f_0000;
        let mut seq = seed as u16;
        let started = std::time::Instant::now();
        sender.start(
            started,
            digit,
            seed.rotate_left(11),
            Some(Duration::from_millis(100)),
        );
        let mut buf = [0u8; 64];
        loop {
            let now = std::time::Instant::now();
            let Some(leg) = weak.upgrade() else { return };
            while let Some(p) = sender.poll_packet(now) {
                let header = RtpHeader {
                    marker: p.marker,
                    ..RtpHeader::new(pt, seq, p.timestamp, ssrc)
                };
                seq = seq.wrapping_add(1);
                if let Ok(n) = header.write(&p.event.to_bytes(), &mut buf) {
                    send(&leg, buf.get_mut(..n).unwrap_or_default()).await;
                }
            }
            let Some(next) = sender.poll_timeout() else {
                sending.fetch_sub(1, Ordering::Relaxed);
                // Audio from the bridge is a new source again.
                leg.switch_source_after_digit();
                return;
            };
            drop(leg);
            tokio::time::sleep_until(tokio::time::Instant::from_std(next)).await;
        }
    });
}
