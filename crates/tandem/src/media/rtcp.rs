//! RTCP on a leg's odd port: the leg's [`tandem_rtp::RtcpSession`] (in its [`super::relay::Path`])
//! sends SR/RR + SDES about every 5 s to the far end (where its RTCP comes from, else its RTP
//! port + 1) and reads the phone's reports (what it sees of our stream, RTT from LSR/DLSR).
//! The task holds the leg weakly and ends soon after the leg is gone.

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use tandem_rtp::RtcpEvent;
use tokio::net::UdpSocket;

use super::MediaLeg;

/// Start the RTCP task of `leg` on `socket` (needs a tokio runtime; without one, no RTCP).
pub fn spawn(leg: &Arc<MediaLeg>, socket: std::net::UdpSocket) {
    let Ok(handle) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let weak = Arc::downgrade(leg);
    let _guard = handle.enter();
    if socket.set_nonblocking(true).is_err() {
        return;
    }
    let Ok(socket) = UdpSocket::from_std(socket) else {
        return;
    };
    handle.spawn(run(weak, socket));
}

async fn run(leg: Weak<MediaLeg>, socket: UdpSocket) {
    let mut buf = [0u8; 1500];
    loop {
        let deadline = {
            let Some(leg) = leg.upgrade() else { return };
            leg.with_path(|p| p.rtcp.poll_timeout())
        };
        // Wake at least every 5 s to notice the leg is gone.
        let cap = Instant::now() + Duration::from_secs(5);
        let wake = deadline.map_or(cap, |d| d.min(cap));
        tokio::select! {
            r = socket.recv_from(&mut buf) => {
                let Ok((n, source)) = r else { continue };
                let Some(leg) = leg.upgrade() else { return };
                // SRTCP on an SRTP leg: verified and decrypted first, dropped when it fails.
                let Some(n) = leg.with_srtcp(|c| match c {
                    Some((_, rx)) => rx.unprotect_rtcp(buf.get_mut(..n).unwrap_or_default()).ok(),
                    None => Some(n),
                }) else {
                    continue;
                };
                let datagram = buf.get(..n).unwrap_or_default();
                leg.with_path(|p| {
                    if p.rtcp.handle_rtcp(Instant::now(), datagram).is_ok() {
                        p.rtcp_remote = Some(source);
                    }
                    while let Some(ev) = p.rtcp.poll_event() {
                        if let RtcpEvent::ReportReceived { rtt: Some(rtt), .. } = ev {
                            tracing::debug!("RTCP {}: RTT {rtt:?}", leg.local);
                        }
                    }
                });
            }
            _ = tokio::time::sleep_until(wake.into()) => {
                let Some(leg) = leg.upgrade() else { return };
                let (dest, out) = leg.with_path(|p| {
                    p.rtcp.handle_timeout(Instant::now());
                    let mut out = Vec::new();
                    while let Some(d) = p.rtcp.poll_transmit() {
                        out.push(d);
                    }
                    (p.rtcp_destination(), out)
                });
                // Reports only once the far end is known (and after media flowed at all).
                if let Some(dest) = dest {
                    for mut d in out {
                        let protected = leg.with_srtcp(|c| match c {
                            Some((tx, _)) => {
                                let len = d.len();
                                d.resize(len + tandem_rtp::srtp::MAX_OVERHEAD, 0);
                                let n = tx.protect_rtcp(&mut d, len).ok();
                                d.truncate(n.unwrap_or(0));
                                n.is_some()
                            }
                            None => true,
                        });
                        if protected {
                            let _ = socket.send_to(&d, dest).await;
                        }
                    }
                }
            }
        }
    }
}
