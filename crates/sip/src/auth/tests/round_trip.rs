//! Server <-> client round trips; stale, wrong password, unknown user.

use super::super::digest::{self, Algorithm};
use super::super::*;
use super::{answer, server, SECRET, SRC};

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
