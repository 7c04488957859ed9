//! Application commands on a call: the incoming-call decisions (challenge, accept, reject)
//! and what either side may send (indications, DTMF, text, voice, hangup).

use std::time::Instant;

use super::{Call, CallState, DtmfEdge, VoiceOut};
use crate::consts::{cause, format, ControlKind, FrameType, IaxCommand};
use crate::frame::{FullFrame, MiniFrame};
use crate::ie::{id, IeBuf};

impl Call {
    // ----- incoming-call decisions -----

    /// Incoming: asks for MD5 authentication with `challenge` (chan_iax2 uses a random
    /// decimal number). Only MD5 is offered.
    pub fn challenge(&mut self, now: Instant, challenge: &str) {
        if self.state != CallState::Offered {
            return;
        }
        // chan_iax2 `authenticate_request`: AUTHMETHODS, CHALLENGE, then USERNAME (even empty)
        let mut b = IeBuf::new();
        b.short(id::AUTHMETHODS, crate::consts::auth_method::MD5);
        b.str(id::CHALLENGE, challenge);
        b.str(id::USERNAME, self.offer.username.as_deref().unwrap_or(""));
        self.challenge = Some(challenge.to_string());
        self.state = CallState::Authenticating;
        self.link.send_iax(now, IaxCommand::AuthReq, b, false);
    }

    /// Incoming: the challenge sent and the MD5 answer received, once both exist.
    pub fn md5_attempt(&self) -> Option<(&str, &str)> {
        Some((self.challenge.as_deref()?, self.md5_result.as_deref()?))
    }

    /// Incoming: does the AUTHREP match one of the `;`-separated secrets?
    pub fn md5_matches(&self, secrets: &str) -> bool {
        match (&self.challenge, &self.md5_result) {
            (Some(c), Some(r)) => crate::auth::verify_md5(c, secrets, r),
            _ => false,
        }
    }

    /// The format chan_iax2 would pick: the caller's requested format if we have it,
    /// otherwise the best of what both sides support.
    pub fn negotiate(&self) -> Option<u64> {
        let cap = self.config.capability;
        if self.offer.format.count_ones() == 1 && self.offer.format & cap != 0 {
            return Some(self.offer.format);
        }
        format::best(self.offer.capability & cap)
    }

    /// Incoming: ACCEPT with `fmt` (use [`Call::negotiate`]). With no common format the call
    /// is rejected with "Unable to negotiate codec" (cause 58).
    pub fn accept(&mut self, now: Instant, fmt: Option<u64>) {
        if !matches!(self.state, CallState::Offered | CallState::Authenticating) {
            return;
        }
        let Some(fmt) = fmt.or_else(|| self.negotiate()).filter(|f| *f != 0) else {
            self.reject(
                now,
                "Unable to negotiate codec",
                cause::BEARERCAPABILITY_NOTAVAIL,
            );
            return;
        };
        let mut b = IeBuf::new();
        b.int(id::FORMAT, fmt as u32);
        b.versioned_u64(id::FORMAT2, fmt);
        self.format = fmt;
        self.state = CallState::Accepted;
        self.link.send_iax(now, IaxCommand::Accept, b, false);
        self.start_timers(now);
    }

    /// REJECT with a cause (final: the call ends when it is acknowledged).
    pub fn reject(&mut self, now: Instant, cause_text: &str, cause_code: u8) {
        if !self.live() {
            return;
        }
        let mut b = IeBuf::new();
        b.str(id::CAUSE, cause_text);
        b.byte(id::CAUSECODE, cause_code);
        self.state = CallState::Ending;
        self.next_ping = None;
        self.next_lagrq = None;
        self.link.send_iax(now, IaxCommand::Reject, b, true);
    }

    /// Authentication failed: REJECT "No authority found", cause 50 (chan_iax2 `auth_reject`).
    pub fn reject_auth(&mut self, now: Instant) {
        self.reject(now, "No authority found", cause::FACILITY_NOT_SUBSCRIBED);
    }

    // ----- both directions -----

    fn control(&mut self, now: Instant, kind: ControlKind, payload: Vec<u8>) {
        if !self.live() {
            return;
        }
        let f = FullFrame::new(FrameType::Control, kind.to_u64(), payload);
        self.link.send(now, f, None, false);
    }

    pub fn ringing(&mut self, now: Instant) {
        self.control(now, ControlKind::Ringing, Vec::new());
    }
    pub fn proceeding(&mut self, now: Instant) {
        self.control(now, ControlKind::Proceeding, Vec::new());
    }
    pub fn progress(&mut self, now: Instant) {
        self.control(now, ControlKind::Progress, Vec::new());
    }
    pub fn busy(&mut self, now: Instant) {
        self.control(now, ControlKind::Busy, Vec::new());
    }
    pub fn congestion(&mut self, now: Instant) {
        self.control(now, ControlKind::Congestion, Vec::new());
    }
    pub fn answer(&mut self, now: Instant) {
        if self.state == CallState::Accepted {
            self.state = CallState::Up;
        }
        self.control(now, ControlKind::Answer, Vec::new());
    }
    /// HOLD, with the music-on-hold class to suggest (the control frame's payload).
    pub fn hold(&mut self, now: Instant, moh_class: Option<&str>) {
        let payload = moh_class.map(|s| s.as_bytes().to_vec()).unwrap_or_default();
        self.control(now, ControlKind::Hold, payload);
    }
    pub fn unhold(&mut self, now: Instant) {
        self.control(now, ControlKind::Unhold, Vec::new());
    }

    /// A DTMF begin or end frame; the subclass is the digit's ASCII code.
    pub fn send_dtmf(&mut self, now: Instant, digit: char, edge: DtmfEdge) {
        if !self.live() || !digit.is_ascii() {
            return;
        }
        let ft = match edge {
            DtmfEdge::Begin => FrameType::DtmfBegin,
            DtmfEdge::End => FrameType::DtmfEnd,
        };
        self.link.send(
            now,
            FullFrame::new(ft, u64::from(digit as u8), Vec::new()),
            None,
            false,
        );
    }

    pub fn send_text(&mut self, now: Instant, text: &str) {
        if !self.live() {
            return;
        }
        let mut payload = text.as_bytes().to_vec();
        payload.push(0);
        self.link.send(
            now,
            FullFrame::new(FrameType::Text, 0, payload),
            None,
            false,
        );
    }

    /// Sends `duration_ms` of voice in `fmt`. A full (reliable) voice frame goes out first,
    /// on a format change, or when the high 16 bits of the timestamp move on; otherwise a
    /// mini frame (chan_iax2 `iax2_send`).
    pub fn send_voice(
        &mut self,
        now: Instant,
        fmt: u64,
        duration_ms: u32,
        data: &[u8],
    ) -> VoiceOut {
        if !matches!(self.state, CallState::Accepted | CallState::Up)
            || fmt.count_ones() != 1
            || data.is_empty()
        {
            return VoiceOut::Dropped;
        }
        let last = self.link.tx.last_sent();
        let ts = self.link.tx.stamp_voice(now, duration_ms);
        let same_window = (ts & 0xffff_0000) == (last & 0xffff_0000)
            || (ts & 0xffff_0000) == (last.wrapping_add(0x1_0000) & 0xffff_0000);
        let same_format = fmt == self.tx_voice_format;
        if same_format && (self.config.trunk || same_window) {
            if self.config.trunk {
                return VoiceOut::Trunk {
                    call: self.link.local_call,
                    timestamp: ts,
                    data: data.to_vec(),
                };
            }
            let m = MiniFrame {
                source_call: self.link.local_call,
                timestamp: (ts & 0xffff) as u16,
                payload: data.to_vec(),
            };
            if let Ok(bytes) = m.to_bytes() {
                self.link.emit_raw(bytes);
            }
            return VoiceOut::Sent;
        }
        self.tx_voice_format = fmt;
        let f = FullFrame::new(FrameType::Voice, fmt, data.to_vec());
        self.link.send(now, f, Some(ts), false);
        VoiceOut::Sent
    }

    /// HANGUP with a Q.850 cause code (final: the call ends when it is acknowledged).
    pub fn hangup(&mut self, now: Instant, cause_code: u8) {
        if !self.live() {
            return;
        }
        let mut b = IeBuf::new();
        b.byte(id::CAUSECODE, cause_code);
        self.state = CallState::Ending;
        self.next_ping = None;
        self.next_lagrq = None;
        self.link.send_iax(now, IaxCommand::Hangup, b, true);
    }
}
