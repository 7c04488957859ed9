//! Scenarios across the auth module: RFC vectors, server <-> client round trips, the
//! stale/wrong/unknown paths, the SIPVicious quirk, and random input.

use super::digest::{self, Algorithm, ResponseForm};
use super::*;

const SECRET: &[u8] = b"nonce key for tests, 32 bytes ok";
const SRC: &str = "192.0.2.10";

fn server(algorithms: &[Algorithm], qop: bool) -> DigestServer {
    let config = ServerConfig {
        algorithms: algorithms.to_vec(),
        qop,
        ..ServerConfig::default()
    };
    DigestServer::new(config, SECRET)
}

fn answer(values: &[String], user: &str, secret: &Secret, cnonce: &str) -> Credentials {
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let creds = DigestClient::new().respond(
        &refs,
        user,
        secret,
        "REGISTER",
        "sip:127.0.0.1:5060",
        cnonce,
    );
    creds.unwrap_or_else(|e| panic!("client could not answer: {e}"))
}

// ---- RFC vectors ----

#[test]
fn rfc2617_section_3_5_example_is_reproduced_exactly() {
    let ha1 = digest::ha1(
        Algorithm::Md5,
        "Mufasa",
        "testrealm@host.com",
        "Circle Of Life",
    );
    let ha2 = digest::ha2(Algorithm::Md5, "GET", "/dir/index.html");
    let form = ResponseForm::Auth {
        nc: "00000001",
        cnonce: "0a4f113b",
    };
    let r = digest::response(
        Algorithm::Md5,
        &ha1,
        "dcd98b7102dd2f0e8b11d0f600bfb0c093",
        &ha2,
        form,
    );
    assert_eq!(r, "6629fae49393a05397450978507c4ef1");

    // The client, given the RFC's challenge, produces the RFC's Authorization.
    let challenge = "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", \
        nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";
    let mut client = DigestClient::new();
    let c = client.respond(
        &[challenge],
        "Mufasa",
        &Secret::password("Circle Of Life"),
        "GET",
        "/dir/index.html",
        "0a4f113b",
    );
    let c = c.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.response, "6629fae49393a05397450978507c4ef1");
    assert_eq!(c.nc.as_deref(), Some("00000001"));
    assert_eq!(c.qop.as_deref(), Some("auth"));
    assert_eq!(
        c.opaque.as_deref(),
        Some("5ccc069c403ebaf9f0171e9517f40e41")
    );
}

const RFC7616_SHA256: &str = "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", \
    algorithm=SHA-256, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", \
    opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
const RFC7616_MD5: &str = "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", \
    algorithm=MD5, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", \
    opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
const RFC7616_CNONCE: &str = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

fn rfc7616(challenges: &[&str]) -> Credentials {
    let mut client = DigestClient::new();
    let c = client.respond(
        challenges,
        "Mufasa",
        &Secret::password("Circle of Life"),
        "GET",
        "/dir/index.html",
        RFC7616_CNONCE,
    );
    c.unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn rfc7616_section_3_9_1_md5_example_is_reproduced_exactly() {
    let c = rfc7616(&[RFC7616_MD5]);
    assert_eq!(c.algorithm.as_deref(), Some("MD5"));
    assert_eq!(c.response, "8ca523f5e9506fed4657c9700eebdbec");
}

#[test]
fn rfc7616_section_3_9_1_sha256_example_is_reproduced_and_preferred_over_md5() {
    // Both challenges offered (in either order): the client answers the SHA-256 one.
    for order in [[RFC7616_MD5, RFC7616_SHA256], [RFC7616_SHA256, RFC7616_MD5]] {
        let c = rfc7616(&order);
        assert_eq!(c.algorithm.as_deref(), Some("SHA-256"));
        assert_eq!(
            c.response,
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
        );
        assert_eq!(c.nc.as_deref(), Some("00000001"));
        assert_eq!(c.cnonce.as_deref(), Some(RFC7616_CNONCE));
    }
}

#[test]
fn rfc2617_credentials_on_a_foreign_nonce_are_stale_not_ok() {
    // Right response, but the nonce is not one of ours: re-challenge with stale=true.
    let config = ServerConfig {
        realm: "testrealm@host.com".into(),
        qop: true,
        ..ServerConfig::default()
    };
    let s = DigestServer::new(config, SECRET);
    let v = "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", \
        nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", qop=auth, \
        nc=00000001, cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\", \
        opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";
    assert_eq!(
        s.verify_value(v, "GET", &Secret::password("Circle Of Life"), SRC, 0),
        Verdict::Stale
    );
    assert_eq!(
        s.verify_value(v, "GET", &Secret::password("Circle of Life"), SRC, 0),
        Verdict::Bad
    );
}

// ---- round trips ----

#[test]
fn server_client_round_trip_for_every_algorithm_with_and_without_qop() {
    for alg in Algorithm::PREFERENCE {
        for qop in [false, true] {
            let s = server(&[alg], qop);
            let ch = s.challenge_values(1_000, SRC, false);
            let c = answer(&ch, "101", &Secret::password("s3cret"), "abcdef01");
            assert_eq!(c.algorithm(), Some(alg));
            assert_eq!(c.qop.is_some(), qop, "{alg:?}");
            let v = s.verify(&c, "REGISTER", &Secret::password("s3cret"), SRC, 1_010);
            assert_eq!(v, Verdict::Ok, "{alg:?} qop={qop}");
            // And through the printed header, as the wire carries it.
            let v = s.verify_value(
                &c.to_header_value(),
                "REGISTER",
                &Secret::password("s3cret"),
                SRC,
                1_010,
            );
            assert_eq!(v, Verdict::Ok, "{alg:?} qop={qop} printed");
        }
    }
}

#[test]
fn default_challenge_is_chan_sip_shaped() {
    let s = DigestServer::new(ServerConfig::default(), SECRET);
    let ch = s.challenge_values(0, SRC, false);
    assert_eq!(ch.len(), 1);
    let c = ch.first().map(String::as_str).unwrap_or("");
    assert!(
        c.starts_with("Digest algorithm=MD5, realm=\"asterisk\", nonce=\""),
        "{c}"
    );
    assert!(!c.contains("qop"), "{c}");
    let stale = s.challenge_values(0, SRC, true);
    assert!(stale.first().is_some_and(|c| c.ends_with(", stale=true")));
}

#[test]
fn both_algorithms_give_one_challenge_each_sha256_first_same_nonce() {
    let s = server(&[Algorithm::Md5, Algorithm::Sha256], true);
    let ch = s.challenges(5, SRC, false);
    let algs: Vec<_> = ch.iter().map(Challenge::algorithm).collect();
    assert_eq!(algs, vec![Some(Algorithm::Sha256), Some(Algorithm::Md5)]);
    assert!(ch
        .iter()
        .all(|c| ch.first().is_some_and(|f| f.nonce == c.nonce)));
}

#[test]
fn md5secret_ha1_verifies_md5_and_md5_sess_but_not_sha256() {
    let md5secret = digest::ha1(Algorithm::Md5, "alice", "asterisk", "pw");
    let stored = Secret::md5secret(&md5secret.to_ascii_uppercase());
    for alg in [Algorithm::Md5, Algorithm::Md5Sess] {
        let s = server(&[alg], true);
        let c = answer(
            &s.challenge_values(0, SRC, false),
            "alice",
            &Secret::password("pw"),
            "c1",
        );
        assert_eq!(
            s.verify(&c, "REGISTER", &stored, SRC, 1),
            Verdict::Ok,
            "{alg:?}"
        );
    }
    // A SHA-256 answer cannot be checked against an MD5 HA1.
    let s = server(&[Algorithm::Sha256, Algorithm::Md5], true);
    let sha = server(&[Algorithm::Sha256], true);
    let c = answer(
        &sha.challenge_values(0, SRC, false),
        "alice",
        &Secret::password("pw"),
        "c1",
    );
    assert_eq!(s.verify(&c, "REGISTER", &stored, SRC, 1), Verdict::Bad);
    // A client holding only an MD5 HA1 answers the MD5 challenge of the pair.
    let c = answer(&s.challenge_values(0, SRC, false), "alice", &stored, "c1");
    assert_eq!(c.algorithm(), Some(Algorithm::Md5));
    assert_eq!(
        s.verify(&c, "REGISTER", &Secret::password("pw"), SRC, 1),
        Verdict::Ok
    );
    let mut client = DigestClient::new();
    let r = client.respond(
        &[sha.challenge_values(0, SRC, false).concat().as_str()],
        "alice",
        &stored,
        "REGISTER",
        "sip:x",
        "c",
    );
    assert_eq!(r, Err(ClientError::Unsupported));
}

// ---- stale, wrong, unknown ----

#[test]
fn expired_nonce_with_right_password_is_stale_and_the_client_reanswers_without_failing() {
    let s = server(&[Algorithm::Md5], true);
    let pw = Secret::password("pw");
    let mut client = DigestClient::new();
    let first = s.challenge_values(100, SRC, false);
    let refs: Vec<&str> = first.iter().map(String::as_str).collect();
    let c = client
        .respond(&refs, "101", &pw, "INVITE", "sip:200@pbx", "aa")
        .unwrap_or_else(|e| panic!("{e}"));
    // Answered 33 s later: past the 32 s lifetime.
    assert_eq!(s.verify(&c, "INVITE", &pw, SRC, 133), Verdict::Stale);
    assert_eq!(s.verify(&c, "INVITE", &pw, SRC, 132), Verdict::Ok);
    // The server re-challenges with stale=true; the client answers again, no failure.
    let again = s.challenge_values(133, SRC, true);
    let refs: Vec<&str> = again.iter().map(String::as_str).collect();
    let c2 = client.respond(&refs, "101", &pw, "INVITE", "sip:200@pbx", "bb");
    let c2 = c2.unwrap_or_else(|e| panic!("stale counted as a failure: {e}"));
    assert_eq!(c2.nc.as_deref(), Some("00000001"), "new nonce, nc restarts");
    assert_eq!(s.verify(&c2, "INVITE", &pw, SRC, 134), Verdict::Ok);
}

#[test]
fn nonce_lifetime_is_configurable() {
    let config = ServerConfig {
        nonce_lifetime_secs: 5,
        ..ServerConfig::default()
    };
    let s = DigestServer::new(config, SECRET);
    let c = answer(
        &s.challenge_values(0, SRC, false),
        "u",
        &Secret::password("p"),
        "c",
    );
    assert_eq!(
        s.verify(&c, "REGISTER", &Secret::password("p"), SRC, 5),
        Verdict::Ok
    );
    assert_eq!(
        s.verify(&c, "REGISTER", &Secret::password("p"), SRC, 6),
        Verdict::Stale
    );
}

#[test]
fn wrong_password_is_bad_fresh_or_expired_and_the_client_reports_rejection() {
    let s = server(&[Algorithm::Sha256], true);
    let ch = s.challenge_values(0, SRC, false);
    let c = answer(&ch, "101", &Secret::password("guess"), "cc");
    assert_eq!(
        s.verify(&c, "REGISTER", &Secret::password("real"), SRC, 1),
        Verdict::Bad
    );
    assert_eq!(
        s.verify(&c, "REGISTER", &Secret::password("real"), SRC, 1_000),
        Verdict::Bad
    );

    let mut client = DigestClient::new();
    let refs: Vec<&str> = ch.iter().map(String::as_str).collect();
    let pw = Secret::password("guess");
    assert!(client
        .respond(&refs, "101", &pw, "REGISTER", "sip:pbx", "c1")
        .is_ok());
    let second = s.challenge_values(1, SRC, false);
    let refs2: Vec<&str> = second.iter().map(String::as_str).collect();
    assert_eq!(
        client.respond(&refs2, "101", &pw, "REGISTER", "sip:pbx", "c2"),
        Err(ClientError::Rejected)
    );
    // After the failure a later attempt (backoff, new REGISTER) is answered again.
    assert!(client
        .respond(&refs2, "101", &pw, "REGISTER", "sip:pbx", "c3")
        .is_ok());
}

#[test]
fn a_later_challenge_after_success_is_not_a_failure() {
    let s = server(&[Algorithm::Md5], false);
    let pw = Secret::password("pw");
    let mut client = DigestClient::new();
    let ch = s.challenge_values(0, SRC, false);
    let refs: Vec<&str> = ch.iter().map(String::as_str).collect();
    assert!(client
        .respond(&refs, "u", &pw, "REGISTER", "sip:pbx", "c")
        .is_ok());
    client.accepted();
    let ch = s.challenge_values(3_600, SRC, false);
    let refs: Vec<&str> = ch.iter().map(String::as_str).collect();
    assert!(client
        .respond(&refs, "u", &pw, "REGISTER", "sip:pbx", "c")
        .is_ok());
}

#[test]
fn unknown_user_gets_the_same_verdict_as_a_wrong_password() {
    let s = server(&[Algorithm::Md5], false);
    for now in [1, 1_000] {
        let c = answer(
            &s.challenge_values(0, SRC, false),
            "nobody",
            &Secret::password("x"),
            "c",
        );
        let wrong = s.verify(&c, "REGISTER", &Secret::password("y"), SRC, now);
        let unknown = s.dummy_verify(&c, "REGISTER", SRC, now);
        assert_eq!(wrong, Verdict::Bad);
        assert_eq!(unknown, wrong);
    }
    // Even the (unguessable) dummy password itself does not get in through the dummy path.
    let c = answer(
        &s.challenge_values(0, SRC, false),
        "nobody",
        &Secret::password("tandem-dummy-password-for-unknown-users"),
        "c",
    );
    assert_eq!(s.dummy_verify(&c, "REGISTER", SRC, 1), Verdict::Bad);
}

#[test]
fn nonce_from_another_source_or_realm_with_right_password_is_stale() {
    let s = server(&[Algorithm::Md5], false);
    let c = answer(
        &s.challenge_values(0, "198.51.100.1", false),
        "u",
        &Secret::password("p"),
        "c",
    );
    assert_eq!(
        s.verify(&c, "REGISTER", &Secret::password("p"), SRC, 1),
        Verdict::Stale
    );
    let mut c = c;
    c.realm = "elsewhere".into();
    assert_eq!(
        s.verify(&c, "REGISTER", &Secret::password("p"), "198.51.100.1", 1),
        Verdict::Bad
    );
}

#[test]
fn response_for_another_method_or_uri_is_bad() {
    let s = server(&[Algorithm::Md5], true);
    let c = answer(
        &s.challenge_values(0, SRC, false),
        "u",
        &Secret::password("p"),
        "c",
    );
    assert_eq!(
        s.verify(&c, "INVITE", &Secret::password("p"), SRC, 1),
        Verdict::Bad
    );
    let mut c2 = c.clone();
    c2.uri = "sip:other".into();
    assert_eq!(
        s.verify(&c2, "REGISTER", &Secret::password("p"), SRC, 1),
        Verdict::Bad
    );
}

#[test]
fn algorithm_not_offered_or_unknown_is_bad() {
    let md5_only = server(&[Algorithm::Md5], true);
    let sha = server(&[Algorithm::Sha256], true);
    let c = answer(
        &sha.challenge_values(0, SRC, false),
        "u",
        &Secret::password("p"),
        "c",
    );
    assert_eq!(
        md5_only.verify(&c, "REGISTER", &Secret::password("p"), SRC, 1),
        Verdict::Bad
    );
    let mut c = answer(
        &md5_only.challenge_values(0, SRC, false),
        "u",
        &Secret::password("p"),
        "c",
    );
    c.algorithm = Some("SHA-512-256".into());
    assert_eq!(
        md5_only.verify(&c, "REGISTER", &Secret::password("p"), SRC, 1),
        Verdict::Bad
    );
}

#[test]
fn qop_auth_int_and_bad_nc_are_bad() {
    let s = server(&[Algorithm::Md5], true);
    let c = answer(
        &s.challenge_values(0, SRC, false),
        "u",
        &Secret::password("p"),
        "c",
    );
    let mut int = c.clone();
    int.qop = Some("auth-int".into());
    assert_eq!(
        s.verify(&int, "REGISTER", &Secret::password("p"), SRC, 1),
        Verdict::Bad
    );
    let mut nc = c.clone();
    nc.nc = Some("zz".into());
    assert_eq!(
        s.verify(&nc, "REGISTER", &Secret::password("p"), SRC, 1),
        Verdict::Bad
    );
}

#[test]
fn client_nc_counts_up_on_the_same_nonce_and_each_answer_verifies() {
    let s = server(&[Algorithm::Sha256], true);
    let pw = Secret::password("p");
    let mut client = DigestClient::new();
    let ch = s.challenge_values(0, SRC, false);
    let refs: Vec<&str> = ch.iter().map(String::as_str).collect();
    let first = client
        .respond(&refs, "u", &pw, "REGISTER", "sip:pbx", "c0")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(first.nc.as_deref(), Some("00000001"));
    client.accepted();
    for n in 2..=3u32 {
        let next = client.authorize("u", &pw, "REGISTER", "sip:pbx", "cn");
        let next = next
            .and_then(Result::ok)
            .unwrap_or_else(|| panic!("no credentials"));
        assert_eq!(next.nc.as_deref(), Some(format!("{n:08x}").as_str()));
        assert_eq!(s.verify(&next, "REGISTER", &pw, SRC, 1), Verdict::Ok);
        client.accepted();
    }
    assert_eq!(client.nc(), 3);
    // The same nonce challenged again (server without stale) continues the count.
    let again = client
        .respond(&refs, "u", &pw, "REGISTER", "sip:pbx", "c4")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.nc.as_deref(), Some("00000004"));
    assert!(DigestClient::new()
        .authorize("u", &pw, "REGISTER", "sip:pbx", "c")
        .is_none());
}

// ---- odd formatting and the SIPVicious quirk ----

#[test]
fn odd_but_valid_authorization_formatting_verifies() {
    let s = server(&[Algorithm::Md5], true);
    let c = answer(
        &s.challenge_values(0, SRC, false),
        "101",
        &Secret::password("p"),
        "0a4f113b",
    );
    let odd = format!(
        "digest   USERNAME=101,Realm = \"asterisk\" ,NONCE=\"bogus\", nonce={} ,\tURI=\"sip:127.0.0.1:5060\",\r\n qop=AUTH, nc={} cnonce=0a4f113b, response=\"{}\", ALGORITHM=md5",
        c.nonce,
        c.nc.as_deref().unwrap_or(""),
        c.response.to_ascii_uppercase()
    );
    assert_eq!(
        s.verify_value(&odd, "REGISTER", &Secret::password("p"), SRC, 1),
        Verdict::Ok
    );
}

/// What svcrack sends (sipvicious/libs/svhelper.py `challengeResponse`): when the challenge
/// has no qop it still appends `qop=auth`, but without cnonce/nc, and computes the RFC 2069
/// response H(HA1:nonce:HA2).
fn svcrack_authorization(challenge: &Challenge, user: &str, password: &str, uri: &str) -> String {
    let ha1 = digest::ha1(Algorithm::Md5, user, &challenge.realm, password);
    let ha2 = digest::ha2(Algorithm::Md5, "REGISTER", uri);
    let res = digest::response(
        Algorithm::Md5,
        &ha1,
        &challenge.nonce,
        &ha2,
        ResponseForm::NoQop,
    );
    format!(
        "Digest username=\"{user}\",realm=\"{}\",nonce=\"{}\",uri=\"{uri}\",algorithm=MD5,qop=auth,response=\"{res}\"",
        challenge.realm, challenge.nonce
    )
}

#[test]
fn sipvicious_qop_auth_without_cnonce_is_the_rfc2069_answer_when_no_qop_was_offered() {
    let s = server(&[Algorithm::Md5], false);
    let ch = s.challenges(0, SRC, false);
    let ch = ch.first().unwrap_or_else(|| panic!("no challenge"));
    let right = svcrack_authorization(ch, "101", "1234", "sip:127.0.0.1");
    let wrong = svcrack_authorization(ch, "101", "1000", "sip:127.0.0.1");
    assert_eq!(
        s.verify_value(&right, "REGISTER", &Secret::password("1234"), SRC, 1),
        Verdict::Ok
    );
    assert_eq!(
        s.verify_value(&wrong, "REGISTER", &Secret::password("1234"), SRC, 1),
        Verdict::Bad
    );
}

#[test]
fn sipvicious_qop_auth_without_cnonce_is_bad_when_qop_was_offered() {
    let s = server(&[Algorithm::Md5], true);
    let ch = s.challenges(0, SRC, false);
    let ch = ch.first().unwrap_or_else(|| panic!("no challenge"));
    let right = svcrack_authorization(ch, "101", "1234", "sip:127.0.0.1");
    assert_eq!(
        s.verify_value(&right, "REGISTER", &Secret::password("1234"), SRC, 1),
        Verdict::Bad
    );
    let creds = Credentials::parse(&right).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.dummy_verify(&creds, "REGISTER", SRC, 1), Verdict::Bad);
}

#[test]
fn rfc2069_answer_without_any_qop_is_accepted_even_when_qop_was_offered() {
    // Old phones ignore qop; chan_sip decided by the presence of nc, pjsip computes the
    // RFC 2069 form when qop is absent.
    let s = server(&[Algorithm::Md5], true);
    let ch = s.challenges(0, SRC, false);
    let ch = ch.first().unwrap_or_else(|| panic!("no challenge"));
    let v = svcrack_authorization(ch, "101", "1234", "sip:127.0.0.1").replace(",qop=auth", "");
    assert_eq!(
        s.verify_value(&v, "REGISTER", &Secret::password("1234"), SRC, 1),
        Verdict::Ok
    );
}

// ---- random input ----

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "Digest",
    "digest ",
    " ",
    "\t",
    "\r\n ",
    ",",
    "=",
    "\"",
    "\\",
    "realm",
    "nonce",
    "qop",
    "auth",
    "auth-int",
    "nc",
    "cnonce",
    "uri",
    "username",
    "response",
    "algorithm",
    "MD5",
    "SHA-256-sess",
    "stale",
    "true",
    "opaque",
    "domain",
    "00000001",
    "é",
    "\u{0}",
    "sip:a@b",
    "Basic",
    "Digest realm=",
];

fn random_value(rng: &mut XorShift) -> String {
    let mut s = String::new();
    for _ in 0..rng.below(40) {
        if rng.below(4) == 0 {
            s.push(char::from_u32(rng.below(0x250) as u32).unwrap_or('x'));
        } else {
            s.push_str(PIECES.get(rng.below(PIECES.len())).copied().unwrap_or(""));
        }
    }
    s
}

fn mutate(rng: &mut XorShift, base: &str) -> String {
    let mut chars: Vec<char> = base.chars().collect();
    for _ in 0..=rng.below(4) {
        let i = rng.below(chars.len() + 1);
        match rng.below(3) {
            0 if i < chars.len() => {
                chars.remove(i);
            }
            1 => chars.insert(
                i,
                ['"', '\\', ',', '=', ' ', 'D']
                    .get(rng.below(6))
                    .copied()
                    .unwrap_or('x'),
            ),
            _ => {
                if let Some(c) = chars.get_mut(i) {
                    *c = char::from_u32(rng.below(128) as u32).unwrap_or('x');
                }
            }
        }
    }
    chars.into_iter().collect()
}

#[test]
fn random_and_mutated_input_never_panics_the_parsers_server_or_client() {
    let s = server(&[Algorithm::Md5, Algorithm::Sha256Sess], true);
    let good_ch = s.challenge_values(0, SRC, false).concat();
    let good_cr = answer(
        &s.challenge_values(0, SRC, false),
        "u",
        &Secret::password("p"),
        "c",
    )
    .to_header_value();
    let nonces = NonceManager::new(SECRET);
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut parsed = 0usize;
    for i in 0..20_000 {
        let v = match i % 3 {
            0 => random_value(&mut rng),
            1 => mutate(&mut rng, &good_ch),
            _ => mutate(&mut rng, &good_cr),
        };
        if let Ok(c) = Challenge::parse(&v) {
            parsed += 1;
            // Whatever parses prints to something that parses back to the same challenge.
            assert_eq!(
                Challenge::parse(&c.to_header_value()).as_ref(),
                Ok(&c),
                "{v:?}"
            );
        }
        let _ = Challenge::parse_all(&v);
        if let Ok(c) = Credentials::parse(&v) {
            parsed += 1;
            assert_eq!(
                Credentials::parse(&c.to_header_value()).as_ref(),
                Ok(&c),
                "{v:?}"
            );
            let _ = s.verify(&c, "REGISTER", &Secret::md5secret("00"), SRC, 1);
            let _ = s.dummy_verify(&c, "REGISTER", SRC, 1);
        }
        let _ = s.verify_value(&v, "INVITE", &Secret::password("p"), SRC, 1);
        let _ = DigestClient::new().respond(
            &[v.as_str()],
            "u",
            &Secret::password("p"),
            "INVITE",
            "sip:x",
            "c",
        );
        let _ = nonces.check(&v, 1, "asterisk", SRC);
    }
    assert!(
        parsed > 100,
        "the mutations should keep some inputs valid ({parsed})"
    );
}
