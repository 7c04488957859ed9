//! What the defences cost, and that alwaysauthreject costs the same for both answers.
//!
//! `cargo bench -p tandem-security --bench screening`
//!
//! - `screen/*`: the work done for every datagram before it is parsed (ban lookup, rate
//!   bucket, scanner look at the header lines).
//! - `alwaysauthreject/*`: a REGISTER with credentials through the registrar, for a known
//!   user with a wrong password and for a user nobody configured. Under alwaysauthreject both
//!   get the same 403 after the same work (a digest computed against a dummy secret for the
//!   unknown user, a constant-time comparison): the two times should match within noise.

use std::hint::black_box;
use std::net::IpAddr;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use tandem_security::{scanner, Config, Engine};
use tandem_sip::auth::{DigestClient, DigestServer, Secret, ServerConfig};
use tandem_sip::message::{parse, Request, Transport};
use tandem_sip::registrar::{RegisterPeer, Registrar, RegistrarConfig, Source};

const INVITE: &[u8] = b"INVITE sip:6001@192.0.2.10:5060 SIP/2.0\r\n\
Via: SIP/2.0/UDP 192.0.2.20:5062;branch=z9hG4bK776asdhds;rport\r\n\
Max-Forwards: 70\r\n\
To: <sip:6001@192.0.2.10>\r\n\
From: \"Alice\" <sip:alice@192.0.2.10>;tag=1928301774\r\n\
Call-ID: a84b4c76e66710@pc33.example.com\r\n\
CSeq: 314159 INVITE\r\n\
Contact: <sip:alice@192.0.2.20:5062;transport=udp>\r\n\
Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, NOTIFY, MESSAGE, SUBSCRIBE, INFO, UPDATE\r\n\
Supported: replaces, timer\r\n\
User-Agent: Yealink SIP-T46S 66.86.0.15\r\n\
Content-Type: application/sdp\r\n\
Content-Length: 0\r\n\r\n";

fn screening(c: &mut Criterion) {
    let t0 = Instant::now();
    let mut engine = Engine::new(Config::default(), t0);
    let phone: IpAddr = "192.0.2.20".parse().unwrap();
    c.bench_function("screen/phone_datagram", |b| {
        b.iter(|| {
            let v = engine.on_request(t0, black_box(phone));
            black_box((v, scanner::detect(black_box(INVITE))))
        })
    });
    // A spoofed-source flood: every datagram from a new address (table full, evicting).
    let mut engine = Engine::new(Config::default(), t0);
    let mut n: u32 = 0;
    c.bench_function("screen/new_source_each_time", |b| {
        b.iter(|| {
            n = n.wrapping_add(1);
            black_box(engine.on_request(
                t0,
                IpAddr::from((0x0a00_0000 | (n & 0xff_ffff)).to_be_bytes()),
            ))
        })
    });
}

const PHONE: &str = "192.0.2.7:5060";

fn register(user: &str, cseq: u32, auth: Option<&str>) -> Request {
    let mut raw = format!(
        "REGISTER sip:pbx.example.com SIP/2.0\r\nVia: SIP/2.0/UDP {PHONE};branch=z9hG4bKb{cseq}\r\n\
         From: <sip:{user}@pbx.example.com>;tag=ft{cseq}\r\nTo: <sip:{user}@pbx.example.com>\r\n\
         Call-ID: bench-{user}\r\nCSeq: {cseq} REGISTER\r\nMax-Forwards: 70\r\n\
         Contact: <sip:{user}@192.0.2.7:5060>\r\n"
    );
    if let Some(a) = auth {
        raw.push_str(&format!("Authorization: {a}\r\n"));
    }
    raw.push_str("Content-Length: 0\r\n\r\n");
    parse(raw.as_bytes())
        .unwrap()
        .as_request()
        .cloned()
        .unwrap()
}

fn alwaysauthreject(c: &mut Criterion) {
    let auth = DigestServer::new(ServerConfig::default(), b"bench secret, thirty-two bytes!!");
    let mut reg = Registrar::new(RegistrarConfig::default());
    let source = Source {
        addr: PHONE.parse().unwrap(),
        transport: Transport::Udp,
    };
    let peers = |name: &str| {
        (name == "alice").then(|| RegisterPeer::dynamic("alice", Some(Secret::password("alicepw"))))
    };
    let now = Instant::now();
    let epoch = 1_700_000_000;
    // A phone's credentials for each user, answering a real challenge.
    let creds = |reg: &mut Registrar, user: &str, password: &str| {
        let first =
            reg.handle_register(now, epoch, &register(user, 1, None), &source, &auth, peers);
        assert_eq!(first.response.status, 401);
        let challenges: Vec<&str> = first.response.headers.get_all("WWW-Authenticate").collect();
        DigestClient::new()
            .respond(
                &challenges,
                user,
                &Secret::password(password),
                "REGISTER",
                "sip:pbx.example.com",
                "0a4f113b",
            )
            .unwrap()
            .to_header_value()
    };
    let wrong = register("alice", 2, Some(&creds(&mut reg, "alice", "wrong")));
    let unknown = register("mallory", 2, Some(&creds(&mut reg, "mallory", "guess")));
    let mut group = c.benchmark_group("alwaysauthreject");
    for (name, req) in [
        ("register_wrong_password", &wrong),
        ("register_unknown_user", &unknown),
    ] {
        assert_eq!(
            reg.handle_register(now, epoch, req, &source, &auth, peers)
                .response
                .status,
            403
        );
        group.bench_function(name, |b| {
            b.iter(|| {
                black_box(reg.handle_register(now, epoch, black_box(req), &source, &auth, peers))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, screening, alwaysauthreject);
criterion_main!(benches);
