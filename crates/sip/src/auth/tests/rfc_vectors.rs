//! RFC 2617 section 3.5 and RFC 7616 section 3.9.1, reproduced exactly.

use super::super::digest::{self, Algorithm, ResponseForm};
use super::super::*;
use super::{SECRET, SRC};

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
