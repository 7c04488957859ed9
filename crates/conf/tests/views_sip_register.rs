//! `register =>` lines, shape by shape, as chan_sip's sip_parse_register_line (its own unit
//! test cases reg1..reg13 included).
mod views_common;
use tandem_conf::views::sip::{Registration, Transport};
use tandem_conf::Span;
use views_common::*;

fn reg(v: &str) -> Registration {
    match Registration::parse(v, 120, &Span::new("sip.conf", 3)) {
        Ok((r, w)) => {
            assert!(w.is_empty(), "{w:?}");
            r
        }
        Err(e) => panic!("{v}: {e}"),
    }
}

fn reg_err(v: &str) -> String {
    match Registration::parse(v, 120, &Span::new("sip.conf", 3)) {
        Ok((r, _)) => panic!("{v} parsed: {r:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn user_at_host() {
    let r = reg("name@domain");
    assert_eq!(
        (r.user.as_str(), r.host.as_str(), r.port),
        ("name", "domain", 5060)
    );
    assert_eq!(
        (r.secret, r.authuser, r.domain, r.peer),
        (None, None, None, None)
    );
    assert_eq!(
        (r.extension.as_str(), r.expiry, r.transport),
        ("s", 120, Transport::Udp)
    );
}

#[test]
fn with_secret() {
    let r = reg("name:pass@domain");
    assert_eq!(r.secret.as_deref(), Some("pass"));
    assert_eq!(r.host, "domain");
}

#[test]
fn with_secret_and_authuser_and_port_and_contact() {
    let r = reg("1234:s3cret:auth99@sip.example.com:5070/1000");
    assert_eq!(r.user, "1234");
    assert_eq!(r.secret.as_deref(), Some("s3cret"));
    assert_eq!(r.authuser.as_deref(), Some("auth99"));
    assert_eq!((r.host.as_str(), r.port), ("sip.example.com", 5070));
    assert_eq!(r.extension, "1000");
}

#[test]
fn user_domain_and_authuser() {
    let r = reg("name@namedomain:pass:authuser@domain");
    assert_eq!(r.user, "name");
    assert_eq!(r.domain.as_deref(), Some("namedomain"));
    assert_eq!(r.secret.as_deref(), Some("pass"));
    assert_eq!(r.authuser.as_deref(), Some("authuser"));
    assert_eq!(r.host, "domain");
    assert_eq!(r.extension, "s");
}

#[test]
fn callback_extension() {
    assert_eq!(
        reg("name@namedomain:pass:authuser@domain/extension").extension,
        "extension"
    );
}

#[test]
fn transports_and_their_default_ports() {
    let r = reg("tcp://name@namedomain:pass:authuser@domain/extension");
    assert_eq!((r.transport, r.port), (Transport::Tcp, 5060));
    let r = reg("tls://name@namedomain:pass:authuser@domain/extension~111");
    assert_eq!((r.transport, r.port, r.expiry), (Transport::Tls, 5061, 111));
    let r = reg("UDP://u@h");
    assert_eq!(r.transport, Transport::Udp);
}

#[test]
fn peer_transport_port_extension_expiry() {
    let r = reg("peer?tcp://name@namedomain:pass:authuser@domain:1234/extension~111");
    assert_eq!(r.peer.as_deref(), Some("peer"));
    assert_eq!((r.transport, r.port, r.expiry), (Transport::Tcp, 1234, 111));
    assert_eq!(
        (r.host.as_str(), r.extension.as_str()),
        ("domain", "extension")
    );
    let r = reg("peer?name@namedomain:pass:authuser@domain:1234/extension~111");
    assert_eq!(
        (r.peer.as_deref(), r.transport),
        (Some("peer"), Transport::Udp)
    );
}

#[test]
fn domain_port_is_reordered() {
    let r = reg("name@namedomain:4321:pass:authuser@domain");
    assert_eq!(r.domain_port, Some(4321));
    assert_eq!(r.secret.as_deref(), Some("pass"));
    assert_eq!(r.authuser.as_deref(), Some("authuser"));
    let r = reg("name@namedomain:4321::@domain");
    assert_eq!(
        (r.domain_port, r.secret, r.authuser),
        (Some(4321), None, None)
    );
}

#[test]
fn empty_peer_question_mark_is_no_peer() {
    let r = reg("user?@host");
    // "user?" -> peer part empty after '?': chan_sip takes "user" as the user part.
    assert_eq!((r.peer, r.user.as_str()), (None, "user"));
}

#[test]
fn ipv6_host_with_port() {
    let r = reg("u:p@[2001:db8::1]:5080");
    assert_eq!((r.host.as_str(), r.port), ("[2001:db8::1]", 5080));
}

#[test]
fn secret_may_contain_at_signs_because_host_is_split_at_the_last_at() {
    let r = reg("u:p@ss@host");
    assert_eq!(r.user, "u");
    assert_eq!(r.domain, None);
    assert_eq!(r.secret.as_deref(), Some("p@ss"));
}

#[test]
fn quoted_fields_are_unquoted_and_blanks_stripped() {
    let r = reg("\"my user\":\"pa:ss\"@host");
    assert_eq!(r.user, "my user");
    assert_eq!(r.secret.as_deref(), Some("pa:ss"));
}

#[test]
fn malformed_lines_are_errors() {
    assert!(
        reg_err("peer?name:pass:authuser:1234/extension~111").contains("format for registration")
    );
    assert!(reg_err("@domin:1234").contains("format for registration"));
    assert!(reg_err("user@").contains("format for registration"));
    assert!(reg_err("a/b@host").contains("format for registration"));
    assert!(reg_err("foo://u@h").contains("not a valid transport"));
    assert!(reg_err("u@h:99999").contains("not a valid port"));
    assert!(reg_err("u@h~0").contains("expiry"));
    assert!(reg_err("u@h~soon").contains("expiry"));
    assert!(reg_err(&format!("u:{}@h", "x".repeat(300))).contains("longer than 255"));
}

#[test]
fn register_lines_in_general_keep_order_and_spans() {
    let c = sip_ok("[general]\nregister => a:1@one.example\nregister => b:2@two.example/200\n");
    let regs: Vec<_> = c
        .registrations
        .iter()
        .map(|r| (r.user.as_str(), r.span.to_string()))
        .collect();
    assert_eq!(
        regs,
        vec![
            ("a", "sip.conf:2".to_string()),
            ("b", "sip.conf:3".to_string())
        ]
    );
}

#[test]
fn register_uses_the_defaultexpiry_read_so_far() {
    let c = sip_ok("[general]\nregister => a@h\ndefaultexpiry = 300\nregister => b@h\n");
    assert_eq!(c.registrations[0].expiry, 120);
    assert_eq!(c.registrations[1].expiry, 300);
}

#[test]
fn duplicate_register_line_is_dropped_with_a_warning() {
    let (c, d) = sip("[general]\nregister => a@h\nregister => a@h\n");
    assert_eq!(c.registrations.len(), 1);
    assert_eq!(
        d,
        vec!["sip.conf:3: warning: duplicate register line ignored"]
    );
}

#[test]
fn bad_register_line_is_an_error_with_file_line() {
    let (c, d) = sip("[general]\n\nregister => nohost\n");
    assert!(c.registrations.is_empty());
    assert_eq!(d.len(), 1);
    assert!(
        d[0].starts_with("sip.conf:3: error: format for registration"),
        "{d:?}"
    );
}

#[test]
fn authentication_section() {
    let (c, d) = sip("[authentication]\nauth = bob:pw@realm.example\nauth = carol#0123abcd@other\nauth = nouser\nfoo = 1\n");
    assert_eq!(c.auths.len(), 2);
    assert_eq!(
        (
            c.auths[0].user.as_str(),
            c.auths[0].secret.as_deref(),
            c.auths[0].realm.as_str()
        ),
        ("bob", Some("pw"), "realm.example")
    );
    assert_eq!(c.auths[1].md5secret.as_deref(), Some("0123abcd"));
    assert_eq!(d.len(), 2, "{d:?}");
    assert!(d[0].starts_with("sip.conf:4: error: format for authentication entry"));
    assert!(d[1].starts_with("sip.conf:5: warning: unknown option 'foo'"));
}
