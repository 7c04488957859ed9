//! REGISTER authentication as chan_sip's register_verify/check_auth: digest with MD5 and
//! SHA-256, alwaysauthreject making unknown peers indistinguishable from wrong passwords,
//! stale nonces, the digest username check, static peers and ACLs.
mod registrar_common;

use std::time::Instant;

use registrar_common::*;
use tandem_sip::auth::Algorithm;
use tandem_sip::registrar::{RegisterStatus, Registrar, RegistrarConfig};

const CONTACT: &str = "Contact: <sip:alice@192.0.2.7:5060>";

#[test]
fn register_with_md5_digest() {
    let (mut reg, auth, now) = (registrar(), server(&[Algorithm::Md5]), Instant::now());
    let first = handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register("alice", "c1", 1, &[CONTACT, "Expires: 600"]),
    );
    assert_eq!(
        (first.response.status, first.response.reason.as_str()),
        (401, "Unauthorized")
    );
    let www: Vec<&str> = first.response.headers.get_all("WWW-Authenticate").collect();
    assert_eq!(www.len(), 1);
    assert!(
        www[0].starts_with("Digest algorithm=MD5, realm=\"asterisk\", nonce=\""),
        "{}",
        www[0]
    );
    assert!(
        first.response.headers.to_hdr().unwrap().tag().is_some(),
        "401 carries a To tag"
    );
    assert!(reg.lookup("alice").is_empty());
    let creds = answer(&first.response, "alice", "alicepw");
    assert!(creds.contains("algorithm=MD5"));
    let ok = handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &with_auth(
            register("alice", "c1", 2, &[CONTACT, "Expires: 600"]),
            &creds,
        ),
    );
    assert_eq!(ok.response.status, 200, "{:?}", ok.response);
    assert_eq!(ok.status, RegisterStatus::Registered);
    assert_eq!(ok.aor.as_deref(), Some("alice"));
    assert_eq!(
        ok.response.headers.get("Date"),
        Some("Tue, 14 Nov 2023 22:13:20 GMT")
    );
    assert_eq!(ok.response.headers.get("Expires"), Some("600"));
    assert_eq!(
        contacts(&ok.response),
        ["<sip:alice@192.0.2.7:5060>;expires=600"]
    );
    assert_eq!(
        reg.lookup("ALICE").len(),
        1,
        "AORs compare case-insensitively like chan_sip peers"
    );
}

#[test]
fn register_with_sha256_digest_when_offered() {
    let (mut reg, auth, now) = (
        registrar(),
        server(&[Algorithm::Md5, Algorithm::Sha256]),
        Instant::now(),
    );
    let first = handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register("alice", "c2", 1, &[CONTACT]),
    );
    let www: Vec<&str> = first.response.headers.get_all("WWW-Authenticate").collect();
    assert_eq!(www.len(), 2, "one challenge per algorithm");
    assert!(
        www[0].contains("algorithm=SHA-256"),
        "SHA-256 first (RFC 8760): {www:?}"
    );
    let creds = answer(&first.response, "alice", "alicepw");
    assert!(creds.contains("algorithm=SHA-256"), "{creds}");
    let ok = handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &with_auth(register("alice", "c2", 2, &[CONTACT]), &creds),
    );
    assert_eq!(ok.response.status, 200);
    assert_eq!(reg.lookup("alice").len(), 1);
}

/// The sipp check of the issue: a wrong password and an unknown user get the same answers,
/// first the 401 and then the 403, headers equal as sets (only echoed headers and the To tag
/// differ).
#[test]
fn wrong_password_and_unknown_user_get_identical_answers() {
    let (mut reg, auth, now) = (registrar(), server(&[Algorithm::Md5]), Instant::now());
    let lines = [CONTACT, "Expires: 3600"];
    let known = handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register("alice", "x1", 1, &lines),
    );
    let unknown = handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register("mallory", "x1", 1, &lines),
    );
    assert_eq!(shape(&known.response), shape(&unknown.response));
    assert_eq!(known.response.status, 401);

    let wrong = answer(&known.response, "alice", "not-the-password");
    let guess = answer(&unknown.response, "mallory", "whatever");
    let k2 = handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &with_auth(register("alice", "x1", 2, &lines), &wrong),
    );
    let u2 = handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &with_auth(register("mallory", "x1", 2, &lines), &guess),
    );
    assert_eq!(
        (k2.response.status, k2.response.reason.as_str()),
        (403, "Forbidden")
    );
    assert_eq!(shape(&k2.response), shape(&u2.response));
    assert_eq!(k2.status, RegisterStatus::AuthFailed { known_peer: true });
    assert_eq!(u2.status, RegisterStatus::AuthFailed { known_peer: false });
    assert!(reg.lookup("alice").is_empty() && reg.lookup("mallory").is_empty());
    // Byte for byte, once the user names and the To tag are taken out.
    let norm = |r: &tandem_sip::message::Response, user: &str| {
        let mut r = r.clone();
        r.headers.set("To", "x");
        String::from_utf8_lossy(&r.to_bytes()).replace(user, "USER")
    };
    assert_eq!(norm(&k2.response, "alice"), norm(&u2.response, "mallory"));
    assert_eq!(
        norm(&known.response, "alice"),
        norm(&unknown.response, "mallory")
    );
}

#[test]
fn a_right_answer_on_an_expired_nonce_gets_401_stale_true() {
    let (mut reg, auth, now) = (registrar(), server(&[Algorithm::Md5]), Instant::now());
    let first = handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register("alice", "s1", 1, &[CONTACT]),
    );
    let creds = answer(&first.response, "alice", "alicepw");
    let late = handle(
        &mut reg,
        &auth,
        now,
        EPOCH + 600,
        &with_auth(register("alice", "s1", 2, &[CONTACT]), &creds),
    );
    assert_eq!(late.response.status, 401);
    assert_eq!(late.status, RegisterStatus::Challenged { stale: true });
    assert!(late
        .response
        .headers
        .get("WWW-Authenticate")
        .unwrap()
        .ends_with("stale=true"));
    let again = answer(&late.response, "alice", "alicepw");
    let ok = handle(
        &mut reg,
        &auth,
        now,
        EPOCH + 600,
        &with_auth(register("alice", "s1", 3, &[CONTACT]), &again),
    );
    assert_eq!(ok.response.status, 200);
}

/// check_auth: the digest username must be the peer name, exactly (AUTH_USERNAME_MISMATCH).
#[test]
fn digest_username_must_match_the_peer() {
    let (mut reg, auth, now) = (registrar(), server(&[Algorithm::Md5]), Instant::now());
    let first = handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register("alice", "u1", 1, &[CONTACT]),
    );
    for user in ["bob", "Alice"] {
        let creds = answer(&first.response, user, "alicepw");
        let out = handle(
            &mut reg,
            &auth,
            now,
            EPOCH,
            &with_auth(register("alice", "u1", 2, &[CONTACT]), &creds),
        );
        assert_eq!(
            out.response.status, 403,
            "{user}: alwaysauthreject answers as a wrong password"
        );
    }
    let mut open = Registrar::new(RegistrarConfig {
        alwaysauthreject: false,
        ..RegistrarConfig::default()
    });
    let creds = answer(&first.response, "bob", "alicepw");
    let out = handle(
        &mut open,
        &auth,
        now,
        EPOCH,
        &with_auth(register("alice", "u1", 2, &[CONTACT]), &creds),
    );
    assert_eq!(
        (out.response.status, out.response.reason.as_str()),
        (404, "Not Found")
    );
    assert!(open.lookup("alice").is_empty());
}

#[test]
fn without_alwaysauthreject_unknown_is_404_and_static_is_403() {
    let (auth, now) = (server(&[Algorithm::Md5]), Instant::now());
    let mut reg = Registrar::new(RegistrarConfig {
        alwaysauthreject: false,
        ..RegistrarConfig::default()
    });
    let unknown = handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register("mallory", "n1", 1, &[CONTACT]),
    );
    assert_eq!(
        (unknown.response.status, unknown.response.reason.as_str()),
        (404, "Not Found")
    );
    assert_eq!(unknown.status, RegisterStatus::Rejected);
    let fixed = handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register("trunk", "n2", 1, &[CONTACT]),
    );
    assert_eq!(
        (fixed.response.status, fixed.response.reason.as_str()),
        (403, "Forbidden")
    );
    let acl = handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register("locked", "n3", 1, &[CONTACT]),
    );
    assert_eq!(
        acl.response.status, 404,
        "AUTH_ACL_FAILED answers as not found"
    );
}

/// Only host=dynamic peers register; with alwaysauthreject a static peer or an ACL refusal
/// looks exactly like an unknown one: 401, then 403 even with the right password.
#[test]
fn static_and_acl_refused_peers_look_unknown_with_alwaysauthreject() {
    let (mut reg, auth, now) = (registrar(), server(&[Algorithm::Md5]), Instant::now());
    for (user, pw) in [("trunk", "t"), ("locked", "l")] {
        let first = handle(
            &mut reg,
            &auth,
            now,
            EPOCH,
            &register(user, "d1", 1, &[CONTACT]),
        );
        assert_eq!(first.response.status, 401);
        let creds = answer(&first.response, user, pw);
        let out = handle(
            &mut reg,
            &auth,
            now,
            EPOCH,
            &with_auth(register(user, "d1", 2, &[CONTACT]), &creds),
        );
        assert_eq!(out.response.status, 403, "{user}");
        assert_eq!(out.status, RegisterStatus::AuthFailed { known_peer: true });
        assert!(reg.lookup(user).is_empty());
    }
}

#[test]
fn a_peer_without_secret_registers_unchallenged() {
    let (mut reg, auth, now) = (registrar(), server(&[Algorithm::Md5]), Instant::now());
    let out = handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register("open", "o1", 1, &["Contact: <sip:open@192.0.2.7>"]),
    );
    assert_eq!(out.response.status, 200);
    assert_eq!(reg.lookup("open").len(), 1);
}

#[test]
fn unreadable_credentials_are_forbidden() {
    let (mut reg, auth, now) = (registrar(), server(&[Algorithm::Md5]), Instant::now());
    for junk in [
        "Digest",
        "Basic YWxpY2U6YWxpY2Vwdw==",
        "Digest username=\"alice\"",
    ] {
        let out = handle(
            &mut reg,
            &auth,
            now,
            EPOCH,
            &with_auth(register("alice", "j1", 1, &[CONTACT]), junk),
        );
        assert_eq!(out.response.status, 403, "{junk}");
        let out = handle(
            &mut reg,
            &auth,
            now,
            EPOCH,
            &with_auth(register("mallory", "j1", 1, &[CONTACT]), junk),
        );
        assert_eq!(out.response.status, 403, "{junk}");
    }
}

/// Contact and Expires are read only after authentication (chan_sip's order), so a stranger
/// gets a challenge, not a 400 that says the peer exists.
#[test]
fn header_errors_are_not_reported_before_authentication() {
    let (mut reg, auth, now) = (registrar(), server(&[Algorithm::Md5]), Instant::now());
    let lines = ["Contact: <sip:alice@192.0.2.7", "Expires: soon"];
    let out = handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register("alice", "h1", 1, &lines),
    );
    assert_eq!(out.response.status, 401);
    let creds = answer(&out.response, "alice", "alicepw");
    let out = handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &with_auth(register("alice", "h1", 2, &lines), &creds),
    );
    assert_eq!(out.response.status, 400);
    assert!(out.response.headers.get("Date").is_some());
}
