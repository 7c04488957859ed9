//! Voice from the bridge to the peer: one mini (or full) frame per call and 20 ms, or, with
//! `trunk=yes`, an entry in the peer's meta trunk frame, flushed every `trunkfreq` ms.

use std::time::{Duration, Instant};

use tandem_conf::views::IaxConf;
use tandem_iax2::trunk::TrunkBuilder;
use tandem_iax2::Transmit;

use super::endpoint::{Endpoint, Session};

fn tts_freq(conf: &IaxConf) -> u32 {
    conf.general.trunkfreq
}

impl Endpoint {
    pub(super) fn flush_trunks(&mut self, now: Instant) {
        let mut out = Vec::new();
        for (addr, b) in &mut self.trunks {
            if let Some(bytes) = b.flush(now) {
                out.push(Transmit { dest: *addr, bytes });
            }
        }
        for t in &out {
            self.send(t);
        }
        self.next_trunk_flush = if out.is_empty() {
            None
        } else {
            Some(now + Duration::from_millis(u64::from(self.conf.general.trunkfreq)))
        };
    }

    pub(super) fn voice_out(&mut self, now: Instant, lc: u16, pt: u8, payload: &[u8]) {
        let Some(fmt) = super::media::bit_of_pt(pt) else {
            return;
        };
        let ms = (payload.len() / 8).max(1) as u32;
        let Some(Session::Call(l)) = self.table.get_mut(lc) else {
            return;
        };
        l.tx_frames += 1;
        let peer = l.call.peer();
        match l.call.send_voice(now, fmt, ms, payload) {
            tandem_iax2::call::VoiceOut::Trunk {
                call,
                timestamp,
                data,
            } => {
                let tts = self.conf.general.trunktimestamps;
                let b = self.trunks.entry(peer).or_insert_with(|| {
                    tracing::info!(
                        "IAX2: trunking voice to {peer} every {} ms",
                        tts_freq(&self.conf)
                    );
                    TrunkBuilder::new(tts, 0)
                });
                if b.push(call, timestamp, &data) {
                    if let Some(bytes) = b.flush(now) {
                        self.send(&Transmit { dest: peer, bytes });
                    }
                }
                if self.next_trunk_flush.is_none() {
                    self.next_trunk_flush =
                        Some(now + Duration::from_millis(u64::from(self.conf.general.trunkfreq)));
                }
            }
            tandem_iax2::call::VoiceOut::Sent => {
                while let Some(t) = l.call.poll_transmit() {
                    if let Err(e) = self.socket.try_send_to(&t.bytes, t.dest) {
                        tracing::debug!("IAX2: send to {}: {e}", t.dest);
                    }
                }
                // A full (reliable) voice frame arms the retransmission timer.
                self.note_deadline(lc);
            }
            tandem_iax2::call::VoiceOut::Dropped => {}
        }
    }
}
