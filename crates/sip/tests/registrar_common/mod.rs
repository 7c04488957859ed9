//! Shared helpers for the registrar scenario tests: REGISTER builders, a peer table, and a
//! phone that answers challenges with the real DigestClient.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::time::Instant;

use tandem_sip::auth::{Algorithm, DigestClient, DigestServer, Secret, ServerConfig};
use tandem_sip::message::{parse, Request, Response, Transport};
use tandem_sip::registrar::{RegisterOutcome, RegisterPeer, Registrar, RegistrarConfig, Source};

pub const EPOCH: u64 = 1_700_000_000;
pub const PHONE: &str = "192.0.2.7:5060";

pub fn server(algorithms: &[Algorithm]) -> DigestServer {
    let config = ServerConfig {
        algorithms: algorithms.to_vec(),
        ..ServerConfig::default()
    };
    DigestServer::new(config, b"registrar test secret, 32 bytes!")
}

pub fn source() -> Source {
    Source {
        addr: PHONE.parse().unwrap(),
        transport: Transport::Udp,
    }
}

/// alice (dynamic, password), open (dynamic, no secret), trunk (static), locked (ACL denies).
pub fn peers(name: &str) -> Option<RegisterPeer> {
    match name.to_ascii_lowercase().as_str() {
        "alice" => Some(RegisterPeer::dynamic(
            "alice",
            Some(Secret::password("alicepw")),
        )),
        "open" => Some(RegisterPeer::dynamic("open", None)),
        "trunk" => Some(RegisterPeer {
            dynamic: false,
            ..RegisterPeer::dynamic("trunk", Some(Secret::password("t")))
        }),
        "locked" => Some(RegisterPeer {
            acl_allows: false,
            ..RegisterPeer::dynamic("locked", Some(Secret::password("l")))
        }),
        _ => None,
    }
}

/// A REGISTER for `user` with the given extra header lines (each `Name: value`).
pub fn register(user: &str, call_id: &str, cseq: u32, lines: &[&str]) -> Request {
    let mut raw = format!(
        "REGISTER sip:pbx.example.com SIP/2.0\r\nVia: SIP/2.0/UDP {PHONE};branch=z9hG4bK{call_id}{cseq}\r\n\
         From: <sip:{user}@pbx.example.com>;tag=ft{cseq}\r\nTo: <sip:{user}@pbx.example.com>\r\n\
         Call-ID: {call_id}\r\nCSeq: {cseq} REGISTER\r\nMax-Forwards: 70\r\n"
    );
    for l in lines {
        raw.push_str(l);
        raw.push_str("\r\n");
    }
    raw.push_str("Content-Length: 0\r\n\r\n");
    match parse(raw.as_bytes()) {
        Ok(m) => m
            .as_request()
            .cloned()
            .unwrap_or_else(|| panic!("not a request")),
        Err(e) => panic!("parse: {e:?}\n{raw}"),
    }
}

pub fn with_auth(mut req: Request, value: &str) -> Request {
    req.headers.push("Authorization", value);
    req
}

/// Answers the challenges of `resp` for `user`/`password` as a phone would.
pub fn answer(resp: &Response, user: &str, password: &str) -> String {
    let challenges: Vec<&str> = resp.headers.get_all("WWW-Authenticate").collect();
    let mut client = DigestClient::new();
    match client.respond(
        &challenges,
        user,
        &Secret::password(password),
        "REGISTER",
        "sip:pbx.example.com",
        "0a4f113b",
    ) {
        Ok(c) => c.to_header_value(),
        Err(e) => panic!("client: {e:?}"),
    }
}

pub fn handle(
    reg: &mut Registrar,
    auth: &DigestServer,
    now: Instant,
    epoch: u64,
    req: &Request,
) -> RegisterOutcome {
    reg.handle_register(now, epoch, req, &source(), auth, peers)
}

/// The full dance: REGISTER, 401, REGISTER with credentials (CSeq + 1). Returns the second outcome.
pub fn register_authed(
    reg: &mut Registrar,
    auth: &DigestServer,
    now: Instant,
    call_id: &str,
    cseq: u32,
    lines: &[&str],
) -> RegisterOutcome {
    let first = handle(
        reg,
        auth,
        now,
        EPOCH,
        &register("alice", call_id, cseq, lines),
    );
    assert_eq!(first.response.status, 401, "{:?}", first.response);
    let creds = answer(&first.response, "alice", "alicepw");
    let second = with_auth(register("alice", call_id, cseq + 1, lines), &creds);
    handle(reg, auth, now, EPOCH, &second)
}

pub fn registrar() -> Registrar {
    Registrar::new(RegistrarConfig::default())
}

pub fn contacts(resp: &Response) -> Vec<String> {
    resp.headers.get_all("Contact").map(String::from).collect()
}

/// Status, reason and the set of (header, value), leaving out the headers that echo the
/// request (Via, From, Call-ID, CSeq) and To's value (user and tag). Nonces are kept: the
/// server derives them from time, realm and source only, so they are equal too.
pub fn shape(resp: &Response) -> (u16, String, BTreeSet<(String, String)>) {
    let set = resp
        .headers
        .iter()
        .filter(|h| !matches!(h.canonical(), "Via" | "From" | "Call-ID" | "CSeq"))
        .map(|h| {
            let v = match h.canonical() {
                "To" => "<tagged>".to_string(),
                _ => h.value().to_string(),
            };
            (h.canonical().to_string(), v)
        })
        .collect();
    (resp.status, resp.reason.clone(), set)
}
