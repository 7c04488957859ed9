//! Playing sound to a leg: PCM resampled to the codec's rate, encoded (PCMU, PCMA, G.722),
//! cut into 20 ms RTP packets with continuous sequence numbers and timestamps, paced by a
//! tokio interval, and sent through the leg's outbound rewriter so the phone sees one stream
//! across prompts, echo and bridges.

use std::time::Duration;

use tandem_codec::{Codec, CodecKind, Resampler};
use tandem_core::ChannelEvent;
use tandem_rtp::RtpHeader;
use tokio::sync::mpsc;
use tokio::time::{Interval, MissedTickBehavior};

use super::dtmf::Format;
use super::wav::Pcm;
use super::MediaLeg;

/// How a prompt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlayEnd {
    Finished,
    /// A digit stopped it (only when interruptible).
    Digit(char),
    HungUp,
    /// The channel was redirected (the AMI's Redirect).
    Redirect(tandem_core::Goto),
}

/// Builds the RTP packets of one outgoing stream from 20 ms PCM frames.
pub struct Packetizer {
    codec: Codec,
    payload_type: u8,
    /// RTP timestamp units per frame (G.722's RTP clock is 8000 though its audio is 16 kHz).
    ts_step: u32,
    seq: u16,
    ts: u32,
    ssrc: u32,
    first: bool,
}

impl Packetizer {
    pub fn new(format: Format, ssrc: u32, seq: u16, ts: u32) -> Result<Packetizer, String> {
        let codec = Codec::new(format.codec).map_err(|e| e.to_string())?;
        let ts_step = match format.codec {
            CodecKind::G722 => 160,
            k => k.sample_rate() / 50,
        };
        Ok(Packetizer {
            codec,
            payload_type: format.payload_type,
            ts_step,
            seq,
            ts,
            ssrc,
            first: true,
        })
    }

    /// PCM rate the codec takes.
    pub fn sample_rate(&self) -> u32 {
        self.codec.sample_rate()
    }

    /// Samples in one 20 ms frame at [`sample_rate`](Self::sample_rate).
    pub fn frame_samples(&self) -> usize {
        self.codec.frame_samples()
    }

    /// Encode one frame into a whole RTP packet in `out`; returns its length.
    pub fn packet(&mut self, frame: &[i16], out: &mut [u8]) -> Result<usize, String> {
        let mut payload = [0u8; 1024];
        let n = self
            .codec
            .encode(frame, &mut payload)
            .map_err(|e| e.to_string())?;
        let mut header = RtpHeader::new(self.payload_type, self.seq, self.ts, self.ssrc);
        header.marker = self.first;
        let len = header
            .write(payload.get(..n).unwrap_or_default(), out)
            .map_err(|e| e.to_string())?;
        self.first = false;
        self.seq = self.seq.wrapping_add(1);
        self.ts = self.ts.wrapping_add(self.ts_step);
        Ok(len)
    }
}

/// `pcm` at `rate`, resampled (one rate must divide the other: 8, 16, 48 kHz).
pub fn resample(pcm: &Pcm, rate: u32) -> Result<Vec<i16>, String> {
    if pcm.rate == rate {
        return Ok(pcm.samples.clone());
    }
    let mut r = Resampler::new(pcm.rate, rate).map_err(|e| e.to_string())?;
    let mut out = vec![0i16; r.output_len(pcm.samples.len())];
    let n = r
        .process(&pcm.samples, &mut out)
        .map_err(|e| e.to_string())?;
    out.truncate(n);
    Ok(out)
}

/// One playback session on a leg (several files keep one stream).
pub struct Player {
    packetizer: Packetizer,
    ticks: Interval,
}

impl Player {
    /// A player for `leg` in its negotiated format; `None` when the leg has none tandem codes.
    pub fn new(leg: &MediaLeg) -> Option<Player> {
        let format = leg.format()?;
        // Our own source: the rewriter maps it onto the leg's one outbound stream.
        let seed = u32::from(leg.local.port()).wrapping_mul(2_654_435_761);
        let packetizer = Packetizer::new(
            format,
            seed ^ 0x7a1d_0000,
            seed as u16,
            seed.rotate_left(11),
        )
        .ok()?;
        // A prompt stops the leg's generator (tones, music), as ast_openstream does.
        super::generator::stop(leg);
        leg.switch_source();
        let mut ticks = tokio::time::interval(Duration::from_millis(20));
        // Late ticks are caught up, so the stream keeps real time on average.
        ticks.set_missed_tick_behavior(MissedTickBehavior::Burst);
        Some(Player { packetizer, ticks })
    }

    /// Play `pcm` to `leg` until its end, a hangup, or (when `interrupt`) a digit. Digits
    /// that do not interrupt are dropped, as in Asterisk's `ast_waitstream(chan, "")`.
    pub async fn play(
        &mut self,
        leg: &MediaLeg,
        pcm: &Pcm,
        events: &mut mpsc::Receiver<ChannelEvent>,
        interrupt: bool,
    ) -> PlayEnd {
        let samples = match resample(pcm, self.packetizer.sample_rate()) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!("RTP {}: cannot play: {e}", leg.local);
                return PlayEnd::Finished;
            }
        };
        let frame_len = self.packetizer.frame_samples().max(1);
        let mut frames = samples.chunks(frame_len);
        let mut frame = vec![0i16; frame_len];
        let mut out = [0u8; 1500];
        let mut inbound = [0u8; 2048];
        loop {
            tokio::select! {
                ev = events.recv() => match ev {
                    None | Some(ChannelEvent::Hangup { .. }) => return PlayEnd::HungUp,
                    Some(ChannelEvent::Redirect(to)) => return PlayEnd::Redirect(to),
                    Some(ChannelEvent::Digit(d)) if interrupt => return PlayEnd::Digit(d),
                    Some(_) => {}
                },
                _ = leg.recv_inbound(&mut inbound) => {}
                _ = self.ticks.tick() => {
                    let Some(chunk) = frames.next() else { return PlayEnd::Finished };
                    frame.iter_mut().for_each(|s| *s = 0);
                    frame.get_mut(..chunk.len()).unwrap_or_default().copy_from_slice(chunk);
                    match self.packetizer.packet(&frame, &mut out) {
                        Ok(n) => send(leg, out.get_mut(..n).unwrap_or_default()).await,
                        Err(e) => {
                            tracing::warn!("RTP {}: encode: {e}", leg.local);
                            return PlayEnd::Finished;
                        }
                    }
                }
            }
        }
    }
}

/// Rewrite onto the leg's outbound stream and send to its far end (if known yet).
pub(super) async fn send(leg: &MediaLeg, packet: &mut [u8]) {
    if let Some(dest) = leg.remote() {
        if leg.rewrite(packet) {
            let _ = leg.send_rtp(packet, dest).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_rtp::RtpPacket;

    fn fmt(codec: CodecKind, pt: u8) -> Format {
        Format {
            payload_type: pt,
            codec,
            dtmf_pt: Some(101),
        }
    }

    #[test]
    fn packets_are_20ms_with_continuous_seq_and_timestamp_and_a_first_marker() {
        let mut p = Packetizer::new(fmt(CodecKind::Pcmu, 0), 0xabcd, 65535, 100)
            .unwrap_or_else(|e| panic!("{e}"));
        let frame = [0i16; 160];
        let mut out = [0u8; 1500];
        let mut seen = Vec::new();
        for _ in 0..3 {
            let n = p.packet(&frame, &mut out).unwrap_or_else(|e| panic!("{e}"));
            let pkt = RtpPacket::parse(&out[..n]).unwrap_or_else(|e| panic!("{e:?}"));
            assert_eq!(
                (pkt.payload_type(), pkt.ssrc(), pkt.payload().len()),
                (0, 0xabcd, 160)
            );
            seen.push((pkt.sequence(), pkt.timestamp(), pkt.marker()));
        }
        assert_eq!(
            seen,
            vec![(65535, 100, true), (0, 260, false), (1, 420, false)]
        );
    }

    #[test]
    fn g722_frames_are_320_samples_in_160_bytes_and_advance_160_rtp_ticks() {
        let mut p =
            Packetizer::new(fmt(CodecKind::G722, 9), 1, 0, 0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((p.sample_rate(), p.frame_samples()), (16000, 320));
        let mut out = [0u8; 1500];
        let n = p
            .packet(&[0i16; 320], &mut out)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(n, 12 + 160);
        let n = p
            .packet(&[0i16; 320], &mut out)
            .unwrap_or_else(|e| panic!("{e}"));
        let pkt = RtpPacket::parse(&out[..n]).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((pkt.payload_type(), pkt.timestamp()), (9, 160));
    }

    #[test]
    fn pcma_encodes_a_wav_tone_that_decodes_back_near_the_original() {
        let tone: Vec<i16> = (0..1600)
            .map(|i| {
                ((i as f64 * 2.0 * std::f64::consts::PI * 1000.0 / 16000.0).sin() * 8000.0) as i16
            })
            .collect();
        let pcm = Pcm {
            rate: 16000,
            samples: tone,
        };
        let at8k = resample(&pcm, 8000).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(at8k.len(), 800);
        let mut p =
            Packetizer::new(fmt(CodecKind::Pcma, 8), 1, 0, 0).unwrap_or_else(|e| panic!("{e}"));
        let mut out = [0u8; 1500];
        let n = p
            .packet(&at8k[400..560], &mut out)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut back = [0i16; 160];
        let decoded = tandem_codec::alaw::decode(&out[12..n], &mut back);
        assert_eq!(decoded, 160);
        let peak = back.iter().map(|s| i32::from(*s).abs()).max().unwrap_or(0);
        assert!((7000..=9000).contains(&peak), "peak {peak}");
    }
}
