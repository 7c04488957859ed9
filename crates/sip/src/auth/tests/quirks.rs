//! Odd header formatting and the SIPVicious qop quirk.

use super::super::digest::{self, Algorithm, ResponseForm};
use super::super::*;
use super::{answer, server, SRC};

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
