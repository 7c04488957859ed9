//! The AMI server: a TCP listener on `bindaddr:port` of manager.conf, one task per
//! connection, the sans-IO [`tandem_ami::Session`] deciding what each message means.
//!
//! A source banned by any service (docs/security.md) is disconnected at once, without the
//! banner; every connection counts towards manager.conf's `autoban_rate`, every failed login
//! (unknown user, wrong secret, an address the user's ACL denies) towards its
//! `autoban_failures`, with a `SECURITY[auth_failure] ... method=Login` line.
//!
//! Events reach sessions through the [`Bus`] (a broadcast channel): emitting never waits.
//! Each connection has a bounded output queue; a client that falls behind (its queue full, or
//! the bus having overtaken it) is disconnected, so a stuck client never slows a call.

mod actions;
pub mod bus;
pub mod events;
mod iax;
mod originate;
mod redirect;
pub mod security;
mod vars;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tandem_ami::{Clock, Decoder, Outcome, Reply, SecurityEvent, Session, BANNER, OUTPUT_QUEUE};
use tandem_conf::views::ManagerConf;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, mpsc};

use crate::control::Daemon;
use tandem_security::Service;

pub use bus::Bus;

/// What every connection shares.
pub struct Ami {
    pub conf: ManagerConf,
    pub daemon: Arc<Daemon>,
    pub world: Arc<crate::channels::World>,
    started: Instant,
    started_unix: i64,
    /// The listener's address (security events' LocalAddress).
    local: SocketAddr,
}

impl Ami {
    fn clock(&self) -> Clock {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let uptime = self.started.elapsed().as_secs();
        let reloaded = self
            .world
            .ami
            .last_reload()
            .map_or(uptime, |t| t.elapsed().as_secs());
        Clock {
            unix_secs: now.as_secs() as i64,
            micros: now.subsec_micros(),
            uptime,
            last_reload: reloaded,
        }
    }
}

/// Bind the listener and serve in the background; `Err` when the address cannot be bound.
pub async fn start(conf: ManagerConf, daemon: Arc<Daemon>) -> std::io::Result<SocketAddr> {
    let Some(world) = daemon.world.clone() else {
        return Err(std::io::Error::other("no channel world"));
    };
    let listener = TcpListener::bind(SocketAddr::new(conf.bindaddr, conf.port)).await?;
    let local = listener.local_addr()?;
    tracing::info!("manager interface (AMI) listening on {local}");
    let ami = Arc::new(Ami {
        conf,
        daemon,
        world,
        started: Instant::now(),
        started_unix: chrono::Local::now().timestamp(),
        local,
    });
    tokio::spawn(async move {
        loop {
            match listener.accept().await {
                Ok((stream, peer)) => {
                    let security = &ami.daemon.security;
                    if !security.admit(Instant::now(), Service::Ami, peer.ip()) {
                        tracing::debug!("AMI: {peer} is banned: connection closed");
                        continue;
                    }
                    let ami = ami.clone();
                    tokio::spawn(async move { connection(ami, stream, peer).await });
                }
                Err(e) => {
                    tracing::warn!("AMI: accept: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    });
    Ok(local)
}

/// Now, as security events write `EventTV` (`ast_json_timeval`: ISO 8601, milliseconds,
/// the zone offset).
pub fn event_tv() -> String {
    chrono::Local::now()
        .format("%Y-%m-%dT%H:%M:%S%.3f%z")
        .to_string()
}

/// What the writer task sends.
enum Out {
    Text(String),
    /// Send, then close.
    Last(String),
}

async fn connection(ami: Arc<Ami>, stream: TcpStream, peer: SocketAddr) {
    let _ = stream.set_nodelay(true);
    let (mut rd, mut wr) = stream.into_split();
    let (out_tx, mut out_rx) = mpsc::channel::<Out>(OUTPUT_QUEUE);
    let writer = tokio::spawn(async move {
        if wr.write_all(BANNER.as_bytes()).await.is_err() {
            return;
        }
        while let Some(out) = out_rx.recv().await {
            let (text, last) = match out {
                Out::Text(t) => (t, false),
                Out::Last(t) => (t, true),
            };
            if wr.write_all(text.as_bytes()).await.is_err() {
                return;
            }
            if last {
                let _ = wr.shutdown().await;
                return;
            }
        }
    });
    let mut events = ami.world.ami.subscribe();
    let seed = ami.world.shared.random();
    let mut session = Session::new(peer.ip(), seed);
    let local = SecurityEvent::address("TCP", ami.local);
    let remote = SecurityEvent::address("TCP", peer);
    let session_id = format!("0x{:x}", seed & 0xffff_ffff_ffff);
    let report = |build: &dyn Fn(&SecurityEvent<'_>) -> tandem_ami::Event| {
        let tv = event_tv();
        let ev = SecurityEvent {
            event_tv: &tv,
            service: "AMI",
            session_id: &session_id,
            local: &local,
            remote: &remote,
        };
        ami.world.ami.emit(|| build(&ev));
    };
    let mut decoder = Decoder::new();
    let mut buf = vec![0u8; 4096];
    let reason = 'conn: loop {
        tokio::select! {
            // The bus first: a client busy sending actions still drains the events, so it
            // falls behind only when it does not read what it is sent.
            biased;
            ev = events.recv() => match ev {
                Ok(ev) => {
                    if session.wants(ev.category)
                        && out_tx.try_send(Out::Text(ev.text.to_string())).is_err()
                    {
                        break 'conn "output queue full (slow client)";
                    }
                }
                // Events it would not have been sent anyway: nothing is lost.
                Err(broadcast::error::RecvError::Lagged(_)) if !session.wants_any() => {}
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!("AMI {peer}: {n} events behind");
                    break 'conn "too slow for the event stream";
                }
                Err(broadcast::error::RecvError::Closed) => break 'conn "shut down",
            },
            n = rd.read(&mut buf) => {
                let n = match n {
                    Ok(0) | Err(_) => break 'conn "closed by the client",
                    Ok(n) => n,
                };
                decoder.push(&buf[..n]);
                while let Some(msg) = decoder.poll() {
                    let msg = match msg {
                        Ok(m) => m,
                        Err(e) => {
                            if out_tx.try_send(Out::Text(Reply::error(None, e.text()))).is_err() {
                                break 'conn "output queue full";
                            }
                            continue;
                        }
                    };
                    let was_in = session.user().is_some();
                    let outcome = session.handle(&msg, &ami.conf, ami.clock());
                    if !was_in {
                        if let Some(u) = session.user() {
                            report(&|ev| ev.login_succeeded(&u.username));
                            if u.displayconnects {
                                tracing::info!("Manager '{}' logged on from {}", u.username, peer.ip());
                            }
                        }
                    }
                    let out = match outcome {
                        Outcome::Send(text) => Out::Text(text),
                        Outcome::Close(text) => Out::Last(text),
                        Outcome::Refuse(text) => {
                            if let Some(why) = session.take_failure() {
                                report(&|ev| ev.login_failed(&why));
                            }
                            tracing::info!(
                                "{} failed to authenticate as '{}'",
                                peer.ip(),
                                msg.get("Username")
                            );
                            ami.daemon.security.auth_failed(
                                Instant::now(),
                                Service::Ami,
                                peer.ip(),
                                "Login",
                                msg.get("Username"),
                            );
                            tokio::time::sleep(Duration::from_secs(1)).await;
                            Out::Last(text)
                        }
                        Outcome::Run(run) => Out::Text(actions::run(&ami, run).await),
                    };
                    let last = matches!(out, Out::Last(_));
                    if out_tx.try_send(out).is_err() {
                        break 'conn "output queue full";
                    }
                    if last {
                        break 'conn "logged off";
                    }
                }
            }
        }
    };
    if let Some(u) = session.user() {
        if u.displayconnects {
            tracing::info!(
                "Manager '{}' logged off from {} ({reason})",
                u.username,
                peer.ip()
            );
        }
    }
    drop(out_tx);
    // A stuck client: do not wait for its socket forever.
    let abort = writer.abort_handle();
    if tokio::time::timeout(Duration::from_secs(2), writer)
        .await
        .is_err()
    {
        abort.abort();
        tracing::debug!("AMI {peer}: writer abandoned");
    }
}
