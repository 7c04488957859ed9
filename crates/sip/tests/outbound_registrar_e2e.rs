//! End to end in memory: our outbound registration against tandem's own registrar, every
//! message through a client and a server transaction layer as bytes (serialized, parsed),
//! with digest authentication, refreshes, a wrong password and unregister. Fake clock.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tandem_sip::auth::{DigestServer, Secret, ServerConfig};
use tandem_sip::message::{parse, Transport};
use tandem_sip::outbound::{OutboundRegistration, RegState, RegistrationConfig};
use tandem_sip::registrar::{RegisterPeer, RegisterStatus, Registrar, RegistrarConfig, Source};
use tandem_sip::transaction::{Config, TransactionLayer, TxnEvent};

const EPOCH: u64 = 1_700_000_000;

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// Two hosts: tandem as a client at .1, a tandem registrar at .7.
struct Net {
    client: TransactionLayer,
    server: TransactionLayer,
    registrar: Registrar,
    auth: DigestServer,
    client_addr: SocketAddr,
    server_addr: SocketAddr,
    t0: Instant,
    statuses: Vec<RegisterStatus>,
}

impl Net {
    fn new(t0: Instant) -> Net {
        let rcfg = RegistrarConfig {
            max_contacts: 1,
            ..RegistrarConfig::default()
        };
        Net {
            client: TransactionLayer::new(Config::default(), 1),
            server: TransactionLayer::new(Config::default(), 2),
            registrar: Registrar::new(rcfg),
            auth: DigestServer::new(ServerConfig::default(), b"registrar end-to-end test secret"),
            client_addr: addr("192.0.2.1:5060"),
            server_addr: addr("198.51.100.7:5060"),
            t0,
            statuses: Vec::new(),
        }
    }

    /// Sends what the registration wants to send, moves every datagram across until both
    /// sides are quiet, and feeds the client's transaction events back to the registration.
    fn run(&mut self, reg: &mut OutboundRegistration, now: Instant) {
        loop {
            while let Some((req, dest)) = reg.poll_request(now) {
                self.client
                    .send_request(now, req, dest, Transport::Udp)
                    .unwrap();
            }
            let mut moved = false;
            while let Some(t) = self.client.poll_transmit() {
                assert_eq!(t.dest, self.server_addr);
                let msg = parse(&t.bytes).unwrap();
                self.server
                    .handle_incoming(now, msg, self.client_addr, Transport::Udp);
                moved = true;
            }
            while let Some(ev) = self.server.poll_event() {
                if let TxnEvent::Request {
                    txn,
                    request,
                    source,
                    transport,
                } = ev
                {
                    let epoch = EPOCH + now.duration_since(self.t0).as_secs();
                    let src = Source {
                        addr: source,
                        transport,
                    };
                    let out = self.registrar.handle_register(
                        now,
                        epoch,
                        &request,
                        &src,
                        &self.auth,
                        |name| {
                            (name == "alice").then(|| {
                                RegisterPeer::dynamic("alice", Some(Secret::password("alicepw")))
                            })
                        },
                    );
                    self.statuses.push(out.status);
                    self.server.respond(now, txn, out.response).unwrap();
                }
            }
            while let Some(t) = self.server.poll_transmit() {
                assert_eq!(t.dest, self.client_addr);
                let msg = parse(&t.bytes).unwrap();
                self.client
                    .handle_incoming(now, msg, self.server_addr, Transport::Udp);
                moved = true;
            }
            while let Some(ev) = self.client.poll_event() {
                match ev {
                    TxnEvent::Response { response, .. } => {
                        assert!(reg.handle_response(now, &response), "{response:?}");
                    }
                    TxnEvent::Timeout { .. } | TxnEvent::TransportError { .. } => {
                        reg.handle_txn_timeout(now)
                    }
                    _ => {}
                }
                moved = true;
            }
            if !moved {
                break;
            }
        }
    }

    /// Steps the fake clock through every wake-up of the layers and the registration up to
    /// `until`.
    fn advance(
        &mut self,
        reg: &mut OutboundRegistration,
        mut now: Instant,
        until: Instant,
    ) -> Instant {
        loop {
            let wakes = [
                reg.poll_timeout(),
                self.client.poll_timeout(),
                self.server.poll_timeout(),
            ];
            let Some(wake) = wakes.into_iter().flatten().min() else {
                return until;
            };
            if wake > until {
                return until;
            }
            now = now.max(wake);
            self.client.handle_timeout(now);
            self.server.handle_timeout(now);
            reg.handle_timeout(now);
            self.run(reg, now);
        }
    }
}

fn config(password: &str) -> RegistrationConfig {
    let mut c = RegistrationConfig::new("alice", "pbx.example.com", addr("192.0.2.1:5060"));
    c.secret = Some(password.into());
    c.extension = "9000".into();
    c.expiry = 300;
    c.seed = 99;
    c
}

fn registration(password: &str) -> OutboundRegistration {
    let mut r = OutboundRegistration::new(config(password)).unwrap();
    r.set_destination(Some(addr("198.51.100.7:5060")));
    r
}

#[test]
fn registers_with_digest_and_the_registrar_binds_our_contact() {
    let t0 = Instant::now();
    let mut net = Net::new(t0);
    let mut reg = registration("alicepw");
    net.run(&mut reg, t0);
    assert_eq!(
        net.statuses,
        [
            RegisterStatus::Challenged { stale: false },
            RegisterStatus::Registered
        ]
    );
    assert_eq!(reg.state(), RegState::Registered);
    let b = net.registrar.lookup("alice");
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].contact.to_string(), "sip:9000@192.0.2.1:5060");
    assert_eq!(b[0].call_id, reg.call_id());
    // The registrar granted what we asked (300 s is within min/max expiry): refresh at 285.
    assert_eq!(reg.refresh_secs(), 285);
}

#[test]
fn refreshes_keep_the_binding_alive_for_an_hour() {
    let t0 = Instant::now();
    let mut net = Net::new(t0);
    let mut reg = registration("alicepw");
    net.run(&mut reg, t0);
    let end = net.advance(&mut reg, t0, t0 + Duration::from_secs(3600));
    assert_eq!(reg.state(), RegState::Registered);
    // 3600 / 285 = 12 refreshes after the first registration; each reuses the nonce, which
    // the registrar's 32 s lifetime has expired: it answers stale=true and we answer again.
    let registered = net
        .statuses
        .iter()
        .filter(|s| **s == RegisterStatus::Registered)
        .count();
    assert_eq!(registered, 13, "{:?}", net.statuses);
    net.registrar.expire(end);
    assert_eq!(
        net.registrar.lookup("alice").len(),
        1,
        "never expired in between"
    );
    let b = &net.registrar.lookup("alice")[0];
    assert!(b.expires_at > end);
}

#[test]
fn wrong_password_ends_in_no_authentication_and_no_binding() {
    let t0 = Instant::now();
    let mut net = Net::new(t0);
    let mut reg = registration("wrong");
    net.run(&mut reg, t0);
    assert_eq!(reg.state(), RegState::NoAuthentication);
    assert!(net.registrar.lookup("alice").is_empty());
    // chan_sip's registrar answers credentials that fail with 403: No Authentication.
    assert_eq!(
        net.statuses,
        [
            RegisterStatus::Challenged { stale: false },
            RegisterStatus::AuthFailed { known_peer: true }
        ]
    );
    // Nothing more until the backoff; the retry reuses the (still fresh) nonce, as chan_sip
    // re-uses auth data, and is refused at once.
    net.advance(&mut reg, t0, t0 + Duration::from_secs(19));
    assert_eq!(net.statuses.len(), 2);
    net.advance(&mut reg, t0, t0 + Duration::from_secs(20));
    assert_eq!(net.statuses.len(), 3);
    assert_eq!(
        net.statuses[2],
        RegisterStatus::AuthFailed { known_peer: true }
    );
    assert_eq!(reg.state(), RegState::NoAuthentication);
}

#[test]
fn unregister_removes_the_binding() {
    let t0 = Instant::now();
    let mut net = Net::new(t0);
    let mut reg = registration("alicepw");
    net.run(&mut reg, t0);
    assert_eq!(net.registrar.lookup("alice").len(), 1);
    let t1 = t0 + Duration::from_secs(60);
    reg.unregister(t1);
    net.run(&mut reg, t1);
    assert_eq!(reg.state(), RegState::Unregistered);
    assert!(net.registrar.lookup("alice").is_empty());
    assert_eq!(reg.poll_timeout(), None);
}

#[test]
fn provider_down_then_up_registers_on_a_retry() {
    let t0 = Instant::now();
    let mut net = Net::new(t0);
    let mut reg = registration("alicepw");
    // The first REGISTER is lost: the client layer retransmits into the void.
    let (req, dest) = reg.poll_request(t0).unwrap();
    net.client
        .send_request(t0, req, dest, Transport::Udp)
        .unwrap();
    while net.client.poll_transmit().is_some() {}
    // Timer E retransmissions are lost too until 20 s, when the register timeout fires.
    while let Some(w) = net
        .client
        .poll_timeout()
        .filter(|w| *w < t0 + Duration::from_secs(20))
    {
        net.client.handle_timeout(w);
        while net.client.poll_transmit().is_some() {}
    }
    assert_eq!(reg.state(), RegState::RequestSent);
    let t20 = t0 + Duration::from_secs(20);
    net.client.handle_timeout(t20);
    while net.client.poll_transmit().is_some() {}
    reg.handle_timeout(t20);
    net.run(&mut reg, t20);
    assert_eq!(reg.state(), RegState::Registered);
    assert_eq!(net.registrar.lookup("alice").len(), 1);
}
