//! Registration client against the registrar, in memory on a fake clock.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tandem_iax2::auth::CallTokens;
use tandem_iax2::consts::IaxCommand;
use tandem_iax2::frame::{Datagram, FullFrame};
use tandem_iax2::qualify::{PeerStatus, Qualify, QualifyConfig};
use tandem_iax2::register::{RegEvent, RegState, Registration, RegistrationConfig};
use tandem_iax2::registrar::{
    PeerAuth, Registrar, RegistrarConfig, RegistrarOutcome, RegistrarTxn,
};
use tandem_iax2::table::{CallTable, Gate, Inbound};
use tandem_iax2::Transmit;

struct Server {
    addr: SocketAddr,
    gate: Gate,
    table: CallTable<RegistrarTxn>,
    reg: Registrar,
    peers: HashMap<String, PeerAuth>,
    outcomes: Vec<RegistrarOutcome>,
    out: Vec<Transmit>,
    dead: bool,
}

impl Server {
    fn new(t0: Instant, config: RegistrarConfig) -> Server {
        let mut peers = HashMap::new();
        peers.insert(
            "alice".to_string(),
            PeerAuth {
                secret: Some("wonderland".into()),
                msgcount: Some(3),
            },
        );
        peers.insert(
            "open".to_string(),
            PeerAuth {
                secret: None,
                msgcount: None,
            },
        );
        Server {
            addr: "192.0.2.10:4569".parse().unwrap(),
            gate: Gate::new(CallTokens::new(b"srv", t0)),
            table: CallTable::new(16),
            reg: Registrar::new(config),
            peers,
            outcomes: Vec::new(),
            out: Vec::new(),
            dead: false,
        }
    }

    fn decide(&mut self, now: Instant, local: u16) {
        let Some(txn) = self.table.get_mut(local) else {
            return;
        };
        if txn.needs_decision() {
            let peer = txn.username().and_then(|u| self.peers.get(u)).cloned();
            if let Some(o) = txn.decide(now, peer.as_ref(), "271828", &mut self.reg, None) {
                self.outcomes.push(o);
            }
        }
        let pc = txn.peer_call();
        while let Some(t) = txn.poll_transmit() {
            self.out.push(t);
        }
        self.table.set_peer_call(local, pc);
    }

    fn receive(&mut self, now: Instant, src: SocketAddr, bytes: &[u8]) {
        if self.dead {
            return;
        }
        match self.gate.classify(now, src, bytes, &self.table) {
            Inbound::NewRegistration { frame, ies, .. } => {
                let local = self
                    .table
                    .insert_with(now, src, |n| RegistrarTxn::new(now, n, src, &frame, &ies))
                    .unwrap();
                self.decide(now, local);
            }
            Inbound::Full { local_call, frame } => {
                if let Some(t) = self.table.get_mut(local_call) {
                    t.handle_full(now, frame);
                }
                self.decide(now, local_call);
            }
            Inbound::Reply(t) => self.out.push(t),
            _ => {}
        }
    }
}

fn client_addr() -> SocketAddr {
    "198.51.100.20:4570".parse().unwrap()
}

fn pump(now: Instant, c: &mut Registration, s: &mut Server, wire: &mut Vec<Transmit>) {
    for _ in 0..100 {
        let mut moved = false;
        while let Some(t) = c.poll_transmit() {
            wire.push(t.clone());
            s.receive(now, client_addr(), &t.bytes);
            moved = true;
        }
        for t in std::mem::take(&mut s.out) {
            wire.push(t.clone());
            if let Ok(Datagram::Full(f)) = Datagram::parse(&t.bytes) {
                c.handle_full(now, f);
            }
            moved = true;
        }
        if !moved {
            return;
        }
    }
}

fn client(server: SocketAddr, user: &str, secret: &str, refresh: u16) -> Registration {
    Registration::new(
        5,
        server,
        RegistrationConfig {
            username: user.into(),
            secret: Some(secret.into()).filter(|s: &String| !s.is_empty()),
            refresh,
            calltoken: true,
        },
    )
}

fn cmds(wire: &[Transmit]) -> Vec<IaxCommand> {
    wire.iter()
        .filter_map(|t| FullFrame::parse(&t.bytes).ok())
        .filter_map(|f| f.iax_command())
        .collect()
}

#[test]
fn registers_through_calltoken_and_md5_and_gets_refresh_and_apparent_address() {
    let t0 = Instant::now();
    let mut s = Server::new(t0, RegistrarConfig::default());
    let mut c = client(s.addr, "alice", "wonderland", 60);
    let mut wire = Vec::new();
    c.register(t0);
    pump(t0, &mut c, &mut s, &mut wire);
    assert_eq!(
        cmds(&wire),
        vec![
            IaxCommand::RegReq,
            IaxCommand::CallToken,
            IaxCommand::RegReq,
            IaxCommand::RegAuth,
            IaxCommand::RegReq,
            IaxCommand::RegAck,
            IaxCommand::Ack
        ]
    );
    assert_eq!(
        c.poll_event(),
        Some(RegEvent::Registered {
            refresh: 60,
            apparent_addr: Some(client_addr()),
            datetime: None,
            msgcount: Some(3)
        })
    );
    assert_eq!(c.state(), RegState::Registered);
    assert_eq!(
        s.reg.get("alice").map(|b| (b.addr, b.expiry)),
        Some((client_addr(), 60))
    );
    assert_eq!(
        s.outcomes.last(),
        Some(&RegistrarOutcome::Registered {
            peer: "alice".into(),
            addr: client_addr(),
            expiry: 60
        })
    );
    // refresh at 5/6 of 60 s
    assert_eq!(c.poll_timeout(), Some(t0 + Duration::from_secs(50)));
    c.handle_timeout(t0 + Duration::from_secs(50));
    assert_eq!(c.state(), RegState::RegSent);
    let again = c.poll_transmit().unwrap();
    assert_eq!(
        FullFrame::parse(&again.bytes).unwrap().iax_command(),
        Some(IaxCommand::RegReq)
    );
}

#[test]
fn wrong_secret_gets_regrej_registration_refused() {
    let t0 = Instant::now();
    let mut s = Server::new(t0, RegistrarConfig::default());
    let mut c = client(s.addr, "alice", "looking-glass", 60);
    let mut wire = Vec::new();
    c.register(t0);
    pump(t0, &mut c, &mut s, &mut wire);
    assert_eq!(
        c.poll_event(),
        Some(RegEvent::Rejected {
            cause: Some("Registration Refused".into()),
            cause_code: Some(29)
        })
    );
    assert_eq!(c.state(), RegState::Rejected);
    assert!(s.reg.get("alice").is_none());
}

#[test]
fn unknown_peer_is_challenged_like_a_known_one_then_refused() {
    let t0 = Instant::now();
    let mut s = Server::new(t0, RegistrarConfig::default());
    let mut c = client(s.addr, "mallory", "x", 60);
    let mut wire = Vec::new();
    c.register(t0);
    pump(t0, &mut c, &mut s, &mut wire);
    assert!(cmds(&wire).contains(&IaxCommand::RegAuth));
    assert!(matches!(c.poll_event(), Some(RegEvent::Rejected { .. })));
}

#[test]
fn peer_without_secret_registers_at_once_and_refresh_is_clamped() {
    let t0 = Instant::now();
    let mut s = Server::new(
        t0,
        RegistrarConfig {
            min_expire: 60,
            max_expire: 300,
            max_bindings: 10,
        },
    );
    let mut c = client(s.addr, "open", "", 3600);
    let mut wire = Vec::new();
    c.register(t0);
    pump(t0, &mut c, &mut s, &mut wire);
    assert!(!cmds(&wire).contains(&IaxCommand::RegAuth));
    assert!(matches!(
        c.poll_event(),
        Some(RegEvent::Registered { refresh: 300, .. })
    ));
    assert_eq!(c.refresh(), 300);
    assert_eq!(c.poll_timeout(), Some(t0 + Duration::from_secs(250)));
}

#[test]
fn binding_expires_10_seconds_after_the_refresh() {
    let t0 = Instant::now();
    let mut s = Server::new(t0, RegistrarConfig::default());
    let mut c = client(s.addr, "open", "", 60);
    let mut wire = Vec::new();
    c.register(t0);
    pump(t0, &mut c, &mut s, &mut wire);
    assert_eq!(s.reg.poll_timeout(), Some(t0 + Duration::from_secs(70)));
    assert!(s
        .reg
        .handle_timeout(t0 + Duration::from_secs(69))
        .is_empty());
    assert_eq!(
        s.reg.handle_timeout(t0 + Duration::from_secs(70)),
        vec!["open".to_string()]
    );
    assert!(s.reg.is_empty());
}

#[test]
fn regrel_removes_the_binding() {
    let t0 = Instant::now();
    let mut s = Server::new(t0, RegistrarConfig::default());
    s.reg.bind(t0, "open", client_addr(), 60);
    let mut ies = tandem_iax2::ie::IeBuf::new();
    ies.str(tandem_iax2::ie::id::USERNAME, "open");
    ies.empty(tandem_iax2::ie::id::CALLTOKEN);
    let mut f = FullFrame::new(
        tandem_iax2::consts::FrameType::Iax,
        IaxCommand::RegRel.to_u64(),
        ies.as_bytes().to_vec(),
    );
    f.source_call = 8;
    s.receive(t0, client_addr(), &f.to_bytes().unwrap());
    let tok = tandem_iax2::ie::Ies::parse(
        &FullFrame::parse(&s.out.pop().unwrap().bytes)
            .unwrap()
            .payload,
    )
    .unwrap()
    .calltoken
    .unwrap();
    let mut ies = tandem_iax2::ie::IeBuf::new();
    ies.str(tandem_iax2::ie::id::USERNAME, "open");
    ies.raw(tandem_iax2::ie::id::CALLTOKEN, &tok);
    f.payload = ies.into_bytes();
    s.receive(t0, client_addr(), &f.to_bytes().unwrap());
    assert_eq!(
        s.outcomes,
        vec![RegistrarOutcome::Unregistered {
            peer: "open".into()
        }]
    );
    assert!(s.reg.get("open").is_none());
}

#[test]
fn dead_server_times_out_and_the_refresh_falls_back_to_60() {
    let t0 = Instant::now();
    let mut s = Server::new(t0, RegistrarConfig::default());
    s.dead = true;
    let mut c = client(s.addr, "alice", "wonderland", 120);
    let mut wire = Vec::new();
    c.register(t0);
    pump(t0, &mut c, &mut s, &mut wire);
    let mut t = t0;
    let mut timed_out = false;
    for _ in 0..20 {
        let Some(d) = c.poll_timeout() else { break };
        t = d;
        c.handle_timeout(t);
        while c.poll_transmit().is_some() {}
        if let Some(e) = c.poll_event() {
            assert_eq!(e, RegEvent::Timeout);
            timed_out = true;
            break;
        }
    }
    assert!(timed_out);
    assert_eq!(t, t0 + Duration::from_secs(32), "2 + 10 + 10 + 10 s");
    assert_eq!(c.state(), RegState::Timeout);
    assert_eq!(c.refresh(), 60);
    assert_eq!(
        c.poll_timeout(),
        Some(t0 + Duration::from_secs(100)),
        "the 5/6 x 120 s re-register stays"
    );
}

#[test]
fn qualify_marks_a_peer_reachable_then_unreachable() {
    let t0 = Instant::now();
    let mut s = Server::new(t0, RegistrarConfig::default());
    let mut q = Qualify::new(9, s.addr, QualifyConfig::default());
    q.poke(t0);
    let poke = q.poll_transmit().unwrap();
    let t1 = t0 + Duration::from_millis(30);
    s.receive(t1, client_addr(), &poke.bytes);
    let pong = s.out.pop().unwrap();
    q.handle_full(t1, FullFrame::parse(&pong.bytes).unwrap());
    assert_eq!(q.poll_event(), Some(PeerStatus::Reachable { ms: 30 }));
    assert_eq!(q.poll_timeout(), Some(t1 + Duration::from_secs(60)));
    // next poke goes unanswered
    s.dead = true;
    q.handle_timeout(t1 + Duration::from_secs(60));
    assert!(q.poll_transmit().is_some());
    let mut t = t1 + Duration::from_secs(60);
    while q.poll_event().is_none() {
        let Some(d) = q.poll_timeout() else {
            panic!("no timer")
        };
        t = d;
        q.handle_timeout(t);
        while q.poll_transmit().is_some() {}
        if q.status() == PeerStatus::Unreachable {
            break;
        }
    }
    assert_eq!(q.status(), PeerStatus::Unreachable);
    assert_eq!(t, t1 + Duration::from_secs(64), "2 x maxms");
}
