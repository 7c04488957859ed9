//! RTCP on a leg's odd port: the leg's [`tandem_rtp::RtcpSession`] (in its [`super::relay::Path`])
//! sends SR/RR + SDES about every 5 s to the far end (where its RTCP comes from, else its RTP
//! port + 1) and reads the phone's reports (what it sees of our stream, RTT from LSR/DLSR).
//! The task holds the leg weakly and ends as soon as the leg is dropped (the leg owns the
//! sending half of `stopped`), closing the RTCP port with it: before, it noticed only at its
//! next wake-up (up to 5 s later), and at 700 calls/s the pairs whose odd port was still held
//! ran bench/cps's 10,000-port range dry.

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use tandem_rtp::RtcpEvent;
use tokio::net::UdpSocket;
use tokio::sync::oneshot;

use super::MediaLeg;

/// Start the RTCP task of `leg` on `socket` (needs a tokio runtime; without one, no RTCP).
pub fn spawn(
    leg: &Arc<MediaLeg>,
    socket: std::net::UdpSocket,
    port: super::PortHeld,
    stopped: oneshot::Receiver<()>,
) {
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
    handle.spawn(run(weak, socket, port, stopped));
}

async fn run(
    leg: Weak<MediaLeg>,
    socket: UdpSocket,
    _port: super::PortHeld,
    mut stopped: oneshot::Receiver<()>,
) {
    let mut buf = [0u8; 1500];
    loop {
        let deadline = {
            let Some(leg) = leg.upgrade() else { return };
            leg.with_path(|p| p.rtcp.poll_timeout())
        };
        // Wake at least every 5 s (reports are due about that often anyway).
        let cap = Instant::now() + Duration::from_secs(5);
        let wake = deadline.map_or(cap, |d| d.min(cap));
        tokio::select! {
            // The leg is gone (its sender dropped): the socket closes with this task.
            _ = &mut stopped => return,
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

#[cfg(test)]
mod tests {
    use super::super::{ports_in_use, PortRange};
    use std::net::{IpAddr, Ipv4Addr, UdpSocket};

    /// An even port whose pair (it and the odd one above) is free now.
    fn free_pair() -> u16 {
        (45000..45400)
            .step_by(2)
            .find(|p| {
                UdpSocket::bind(("127.0.0.1", *p)).is_ok()
                    && UdpSocket::bind(("127.0.0.1", p + 1)).is_ok()
            })
            .expect("a free port pair")
    }

    /// A range of one pair serves call after call: the RTCP port goes with its leg, not at
    /// the RTCP task's next wake-up (up to 5 s later, which ran bench/cps's range dry at 700
    /// calls/s). Counted in scheduler turns, not time.
    #[tokio::test]
    async fn a_dropped_leg_frees_its_rtp_and_rtcp_ports_for_the_next_leg() {
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let start = free_pair();
        let ports = PortRange::new(start, start + 1);
        for call in 0..3 {
            let leg = ports.allocate_now(ip).expect("the pair is free");
            assert_eq!(leg.local.port(), start);
            assert!(ports_in_use() >= 2, "RTP and RTCP counted");
            assert!(
                ports.allocate_now(ip).is_err(),
                "one pair only: taken while the leg lives"
            );
            // The RTCP task starts and waits (for a report, or its timer).
            for _ in 0..10 {
                tokio::task::yield_now().await;
            }
            drop(leg);
            let mut turns = 0;
            while UdpSocket::bind((ip, start + 1)).is_err() {
                turns += 1;
                assert!(
                    turns < 100,
                    "call {call}: RTCP port still held after the leg was dropped"
                );
                tokio::task::yield_now().await;
            }
        }
    }
}
