//! Media of an IAX2 call: the channel gets an ordinary RTP [`MediaLeg`] on 127.0.0.1 (so the
//! bridges, players, recorders and transcoding of the rest of tandem work unchanged), and the
//! driver owns the other end of that loopback hop, an *adapter* socket: RTP packets the bridge
//! sends to the leg arrive at the adapter and become IAX2 voice; IAX2 voice becomes RTP
//! packets sent from the adapter to the leg. One extra loopback hop per packet (as the Local
//! channel); relaying IAX2 voice straight into a bridge is a later optimisation.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tandem_iax2::consts::format;
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use super::Cmd;
use crate::media::{MediaLeg, PortRange};

/// An RTP header without CSRCs or extensions.
const RTP_HEADER: usize = 12;
/// Largest voice payload accepted from the bridge.
const MAX_PAYLOAD: usize = 1400;

/// The IAX2 format bit, RTP payload type and Asterisk name of the codecs the driver carries.
pub const CODECS: &[(u64, u8, &str)] = &[
    (format::ULAW, 0, "ulaw"),
    (format::ALAW, 8, "alaw"),
    (format::G722, 9, "g722"),
];

pub fn bit_of(name: &str) -> Option<u64> {
    CODECS
        .iter()
        .find(|c| c.2.eq_ignore_ascii_case(name))
        .map(|c| c.0)
}

pub fn name_of(bit: u64) -> Option<&'static str> {
    CODECS.iter().find(|c| c.0 == bit).map(|c| c.2)
}

pub fn bit_of_pt(pt: u8) -> Option<u64> {
    CODECS.iter().find(|c| c.1 == pt).map(|c| c.0)
}

pub fn pt_of(bit: u64) -> Option<u8> {
    CODECS.iter().find(|c| c.0 == bit).map(|c| c.1)
}

/// The capability bits of `names`.
pub fn capability(names: &[String]) -> u64 {
    names.iter().filter_map(|n| bit_of(n)).fold(0, |a, b| a | b)
}

/// The codec to offer first: the caller's when the peer allows it (so the bridge relays
/// without transcoding), else the peer's first, else mu-law.
pub fn prefer(formats: &[String], caller: Option<&str>) -> String {
    if let Some(c) = caller {
        if formats.iter().any(|f| f.eq_ignore_ascii_case(c)) && bit_of(c).is_some() {
            return c.to_ascii_lowercase();
        }
    }
    formats
        .iter()
        .find(|f| bit_of(f).is_some())
        .cloned()
        .unwrap_or_else(|| "ulaw".to_string())
}

/// Tell the leg which format it talks, so a bridge to a leg in another format transcodes.
pub fn set_codec(media: &MediaLeg, name: &str) {
    let pt = bit_of(name).and_then(pt_of).unwrap_or(0);
    media.set_format(pt, Some(name), Some(101));
}

/// A media leg from the rtp.conf range on loopback and the adapter socket it talks to.
pub fn pair(ports: &PortRange) -> std::io::Result<(Arc<MediaLeg>, Arc<UdpSocket>)> {
    let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let media = ports.allocate_now(loopback)?;
    let std_socket = std::net::UdpSocket::bind(SocketAddr::new(loopback, 0))?;
    std_socket.set_nonblocking(true)?;
    let adapter = Arc::new(UdpSocket::from_std(std_socket)?);
    media.set_remote(adapter.local_addr()?);
    Ok((media, adapter))
}

/// RTP from the bridge (what the leg sends to the adapter) to the endpoint task as voice,
/// until the endpoint is gone or `stop` fires. RFC 4733 events (payload type 101) are left
/// out: digits reach the driver as channel commands.
pub fn spawn_adapter(
    key: u64,
    adapter: Arc<UdpSocket>,
    to_endpoint: mpsc::Sender<Cmd>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    tokio::spawn(async move {
        let mut buf = [0u8; 2048];
        loop {
            tokio::select! {
                r = adapter.recv_from(&mut buf) => {
                    let Ok((n, _)) = r else { continue };
                    let Some(packet) = buf.get(..n) else { continue };
                    let Some((pt, payload)) = rtp_payload(packet) else { continue };
                    if bit_of_pt(pt).is_none() || payload.is_empty() || payload.len() > MAX_PAYLOAD {
                        continue;
                    }
                    let cmd = Cmd::Voice { key, pt, payload: payload.to_vec() };
                    match to_endpoint.try_send(cmd) {
                        Ok(()) => {}
                        Err(mpsc::error::TrySendError::Closed(_)) => return,
                        Err(mpsc::error::TrySendError::Full(_)) => voice_queue_full(),
                    }
                }
                _ = &mut stop => return,
            }
        }
    });
}

/// Voice packets dropped because the endpoint's command queue was full (all calls).
static VOICE_QUEUE_FULL: AtomicU64 = AtomicU64::new(0);

/// Count a voice packet the endpoint could not take; say so once, then every 1000th.
fn voice_queue_full() {
    let n = VOICE_QUEUE_FULL.fetch_add(1, Ordering::Relaxed) + 1;
    if n % 1000 == 1 {
        tracing::warn!("IAX2: endpoint queue full: voice dropped ({n} packets so far)");
    }
}

/// Payload type and payload of an RTP packet (CSRCs, extension and padding skipped).
pub fn rtp_payload(p: &[u8]) -> Option<(u8, &[u8])> {
    let first = *p.first()?;
    if first >> 6 != 2 {
        return None;
    }
    let pt = p.get(1)? & 0x7f;
    let mut start = RTP_HEADER + 4 * usize::from(first & 0x0f);
    if first & 0x10 != 0 {
        let ext = p.get(start + 2..start + 4)?;
        start += 4 + 4 * usize::from(u16::from_be_bytes([ext[0], ext[1]]));
    }
    let mut end = p.len();
    if first & 0x20 != 0 {
        end = end.checked_sub(usize::from(*p.last()?))?;
    }
    Some((pt, p.get(start..end)?))
}

/// What the adapter keeps to turn IAX2 voice into one RTP stream.
#[derive(Debug)]
pub struct RtpOut {
    ssrc: u32,
    seq: u16,
    started: bool,
}

impl RtpOut {
    pub fn new(ssrc: u32) -> RtpOut {
        RtpOut {
            ssrc,
            seq: (ssrc >> 3) as u16,
            started: false,
        }
    }

    /// An RTP packet for voice stamped `timestamp_ms` (8 kHz RTP clock, also for G.722 as
    /// RFC 3551 says).
    pub fn packet(&mut self, pt: u8, timestamp_ms: u32, payload: &[u8]) -> Vec<u8> {
        let mut p = Vec::with_capacity(RTP_HEADER + payload.len());
        let marker = if self.started { 0 } else { 0x80 };
        self.started = true;
        p.push(0x80);
        p.push(marker | (pt & 0x7f));
        p.extend_from_slice(&self.seq.to_be_bytes());
        p.extend_from_slice(&timestamp_ms.wrapping_mul(8).to_be_bytes());
        p.extend_from_slice(&self.ssrc.to_be_bytes());
        p.extend_from_slice(payload);
        self.seq = self.seq.wrapping_add(1);
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g711_and_g722_map_to_static_payload_types() {
        assert_eq!(pt_of(format::ULAW), Some(0));
        assert_eq!(pt_of(format::ALAW), Some(8));
        assert_eq!(pt_of(format::G722), Some(9));
        assert_eq!(bit_of_pt(9), Some(format::G722));
        assert_eq!(bit_of_pt(101), None);
    }

    #[test]
    fn rtp_round_trip_carries_payload_type_and_bytes() {
        let mut out = RtpOut::new(0x1234_5678);
        let p = out.packet(8, 20, &[1, 2, 3]);
        assert_eq!(p.get(1), Some(&(0x80 | 8)));
        assert_eq!(rtp_payload(&p), Some((8, &[1u8, 2, 3][..])));
        let p2 = out.packet(8, 40, &[4]);
        assert_eq!(p2.get(1), Some(&8), "marker only on the first packet");
        assert_eq!(&p2[4..8], &320u32.to_be_bytes());
    }

    #[test]
    fn malformed_rtp_is_refused() {
        assert_eq!(rtp_payload(&[0x80, 0]), None);
        assert_eq!(rtp_payload(&[0x40; 20]), None);
    }

    #[test]
    fn caller_format_preferred_when_allowed() {
        let f = vec!["alaw".to_string(), "ulaw".to_string()];
        assert_eq!(prefer(&f, Some("ulaw")), "ulaw");
        assert_eq!(prefer(&f, Some("g722")), "alaw");
        assert_eq!(prefer(&[], None), "ulaw");
    }
}
