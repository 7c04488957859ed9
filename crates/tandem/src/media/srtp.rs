//! SRTP at a leg's socket boundary (SDES keys from the SDP, RFC 4568; packets by
//! `tandem_rtp::srtp`, RFC 3711). Everything inside tandem (relay, transcoding, digits, the
//! frame path) sees plain RTP: a leg whose SDP agreed on crypto unprotects what it receives in
//! [`MediaLeg::recv_rtp`] and protects what it sends in [`MediaLeg::send_rtp`], so a bridge
//! between an SRTP leg and a plain one decrypts on one side and encrypts on the other.
//!
//! No allocation per packet: unprotect works in the caller's buffer, protect copies into a
//! buffer on the stack (the caller's packet may be shared, e.g. a transcoding output).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use tandem_rtp::srtp::{Context, Suite, MAX_OVERHEAD};
use tandem_sdp::crypto::{SrtpKeys, SrtpPolicy, KEY_SALT_LEN};

use super::MediaLeg;

/// Largest RTP packet a leg sends protected.
const MAX_PACKET: usize = 2048;

/// A leg's SRTP state: the policy from its peer (`encryption=yes`) and, once the SDP agreed,
/// the two contexts.
#[derive(Default)]
pub struct Slot {
    /// Fast path: false while the leg is plain RTP.
    active: AtomicBool,
    /// `encryption=yes`: until SRTP is agreed, nothing is sent or received in the clear.
    required: AtomicBool,
    /// Packets received and authenticated / refused (tag or replay).
    pub authenticated: AtomicU64,
    pub refused: AtomicU64,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    policy: Option<SrtpPolicy>,
    keys: Option<SrtpKeys>,
    tx: Option<Context>,
    rx: Option<Context>,
    tx_rtcp: Option<Context>,
    rx_rtcp: Option<Context>,
}

/// 30 fresh random bytes for a master key and salt.
fn fresh_key() -> Option<Vec<u8>> {
    let mut key = vec![0u8; KEY_SALT_LEN];
    rustls::crypto::ring::default_provider()
        .secure_random
        .fill(&mut key)
        .ok()?;
    Some(key)
}

impl MediaLeg {
    /// This leg's peer requires encryption (`encryption=yes`): offers carry `a=crypto` with a
    /// fresh key and clear offers are refused.
    pub fn require_srtp(&self) {
        self.srtp.required.store(true, Ordering::Relaxed);
        let mut st = self
            .srtp
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if st.policy.is_none() {
            match fresh_key() {
                Some(key) => {
                    st.policy = Some(SrtpPolicy {
                        key,
                        required: true,
                    })
                }
                None => tracing::warn!("SRTP {}: no random key available", self.local),
            }
        }
    }

    /// The SRTP policy for offers and answers on this leg (None: plain RTP).
    pub fn srtp_policy(&self) -> Option<SrtpPolicy> {
        self.srtp
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .policy
            .clone()
    }

    /// Whether this leg's media is SRTP now.
    pub fn is_srtp(&self) -> bool {
        self.srtp.active.load(Ordering::Relaxed)
    }

    /// The SDP agreed (or not) on SRTP keys: set up both directions. The same keys again (a
    /// re-INVITE) keep the running contexts (rollover counters, replay windows).
    pub fn set_srtp(&self, keys: Option<&SrtpKeys>) {
        let mut st = self
            .srtp
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if st.keys.as_ref() == keys {
            return;
        }
        let contexts = keys.and_then(|k| {
            let suite = Suite::from_name(&k.suite)?;
            Some((
                Context::from_key_salt(suite, &k.local_key)?,
                Context::from_key_salt(suite, &k.remote_key)?,
            ))
        });
        match contexts {
            Some((tx, rx)) => {
                if let Some(k) = keys {
                    tracing::info!("SRTP {}: {} negotiated", self.local, k.suite);
                }
                st.tx_rtcp = Some(tx.clone());
                st.rx_rtcp = Some(rx.clone());
                st.tx = Some(tx);
                st.rx = Some(rx);
                st.keys = keys.cloned();
                self.srtp.active.store(true, Ordering::Relaxed);
            }
            None => {
                *st = State {
                    policy: st.policy.take(),
                    ..State::default()
                };
                self.srtp.active.store(false, Ordering::Relaxed);
            }
        }
    }

    /// Receive one RTP packet into `buf`: SRTP is verified and decrypted in place, and packets
    /// that fail (wrong tag, replay, clear RTP on an SRTP leg) are dropped here.
    pub async fn recv_rtp(&self, buf: &mut [u8]) -> std::io::Result<(usize, SocketAddr)> {
        loop {
            let (n, source) = self.socket.recv_from(buf).await?;
            if !self.is_srtp() {
                if self.srtp.required.load(Ordering::Relaxed) {
                    // encryption=yes and no keys agreed: clear media is never taken.
                    self.srtp.refused.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                return Ok((n, source));
            }
            let Some(packet) = buf.get_mut(..n) else {
                continue;
            };
            let result = {
                let mut st = self
                    .srtp
                    .state
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                match st.rx.as_mut() {
                    Some(rx) => rx.unprotect_rtp(packet),
                    None => Ok(n),
                }
            };
            match result {
                Ok(len) => {
                    self.srtp.authenticated.fetch_add(1, Ordering::Relaxed);
                    return Ok((len, source));
                }
                Err(e) => {
                    let refused = self.srtp.refused.fetch_add(1, Ordering::Relaxed) + 1;
                    if refused.is_power_of_two() {
                        tracing::info!(
                            "SRTP {}: dropped {refused} packet(s), this one from {source}: {e}",
                            self.local
                        );
                    }
                }
            }
        }
    }

    /// Send one RTP packet to `dest`, protected when the leg is SRTP.
    pub async fn send_rtp(&self, packet: &[u8], dest: SocketAddr) -> std::io::Result<usize> {
        if !self.is_srtp() {
            if self.srtp.required.load(Ordering::Relaxed) {
                return Ok(0); // encryption=yes and no keys agreed: nothing in the clear
            }
            return self.socket.send_to(packet, dest).await;
        }
        let mut out = [0u8; MAX_PACKET + MAX_OVERHEAD];
        let len = packet.len();
        let Some(front) = out.get_mut(..len) else {
            return Ok(0); // larger than any RTP packet tandem makes: not sent
        };
        front.copy_from_slice(packet);
        let protected = {
            let mut st = self
                .srtp
                .state
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            match st.tx.as_mut() {
                Some(tx) => tx.protect_rtp(&mut out, len),
                None => Ok(len),
            }
        };
        match protected {
            Ok(n) => {
                self.socket
                    .send_to(out.get(..n).unwrap_or_default(), dest)
                    .await
            }
            Err(_) => Ok(0),
        }
    }

    /// RTCP through the leg's SRTCP contexts: `f` gets the contexts (send, receive) when the
    /// leg is SRTP.
    pub fn with_srtcp<R>(&self, f: impl FnOnce(Option<(&mut Context, &mut Context)>) -> R) -> R {
        if !self.is_srtp() {
            return f(None);
        }
        let mut st = self
            .srtp
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let State {
            tx_rtcp, rx_rtcp, ..
        } = &mut *st;
        match (tx_rtcp.as_mut(), rx_rtcp.as_mut()) {
            (Some(tx), Some(rx)) => f(Some((tx, rx))),
            _ => f(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tandem_sdp::crypto::SrtpKeys;

    use super::super::PortRange;
    use super::Ordering;

    fn rtp(seq: u16) -> Vec<u8> {
        let mut p = vec![0x80, 0, 0, 0, 0, 0, 0, 160, 0, 0, 0x12, 0x34];
        p[2..4].copy_from_slice(&seq.to_be_bytes());
        p.extend([0xd5; 160]);
        p
    }

    #[tokio::test]
    async fn two_srtp_legs_exchange_encrypted_packets_and_the_receiver_sees_plain_rtp() {
        let ports = PortRange::new(41000, 41099);
        let ip = "127.0.0.1".parse().unwrap();
        let (a, b) = (
            ports.allocate_now(ip).unwrap(),
            ports.allocate_now(ip).unwrap(),
        );
        let (ka, kb) = (vec![1u8; 30], vec![2u8; 30]);
        let suite = "AES_CM_128_HMAC_SHA1_32".to_string();
        a.set_srtp(Some(&SrtpKeys {
            suite: suite.clone(),
            local_key: ka.clone(),
            remote_key: kb.clone(),
        }));
        b.set_srtp(Some(&SrtpKeys {
            suite,
            local_key: kb,
            remote_key: ka,
        }));
        assert!(a.is_srtp() && b.is_srtp());
        // On the wire: the header in the clear, the payload encrypted, a 4-byte tag.
        let sniffer = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let n = a
            .send_rtp(&rtp(7), sniffer.local_addr().unwrap())
            .await
            .unwrap();
        assert_eq!(n, 172 + 4);
        let mut wire = [0u8; 2048];
        let (got, _) = sniffer.recv_from(&mut wire).await.unwrap();
        assert_eq!(got, 176);
        assert_eq!(&wire[..12], &rtp(7)[..12]);
        assert_ne!(&wire[12..172], &rtp(7)[12..]);
        // b drops a forged clear packet and decrypts what a sends.
        sniffer.send_to(&rtp(1), b.local).await.unwrap();
        a.send_rtp(&rtp(8), b.local).await.unwrap();
        let mut buf = [0u8; 2048];
        let (len, _) = tokio::time::timeout(Duration::from_secs(5), b.recv_rtp(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&buf[..len], &rtp(8)[..]);
        assert_eq!(b.srtp.refused.load(Ordering::Relaxed), 1);
        assert_eq!(b.srtp.authenticated.load(Ordering::Relaxed), 1);
    }

    #[tokio::test]
    async fn a_leg_that_requires_encryption_moves_nothing_in_the_clear_before_keys() {
        let ports = PortRange::new(41100, 41199);
        let ip = "127.0.0.1".parse().unwrap();
        let leg = ports.allocate_now(ip).unwrap();
        leg.require_srtp();
        assert!(leg
            .srtp_policy()
            .is_some_and(|p| p.required && p.key.len() == 30));
        let peer = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let sent = leg
            .send_rtp(&rtp(1), peer.local_addr().unwrap())
            .await
            .unwrap();
        assert_eq!(sent, 0, "nothing sent in the clear");
        peer.send_to(&rtp(2), leg.local).await.unwrap();
        let mut buf = [0u8; 2048];
        let r = tokio::time::timeout(Duration::from_millis(300), leg.recv_rtp(&mut buf)).await;
        assert!(r.is_err(), "the clear packet was not handed on");
        assert_eq!(leg.srtp.refused.load(Ordering::Relaxed), 1);
    }
}
