//! ACLs as Asterisk's ast_append_ha / ast_apply_ha: last match wins, default allow.
use std::net::IpAddr;
use tandem_conf::views::acl::{Acl, Sense};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn acl(lines: &[(&str, &str)]) -> Acl {
    let mut a = Acl::new();
    for (k, v) in lines {
        a.append(Sense::from_option_name(k), v).unwrap();
    }
    a
}

#[test]
fn empty_acl_allows_everything() {
    assert!(Acl::new().allows(ip("1.2.3.4")));
    assert!(Acl::new().allows(ip("::1")));
}

#[test]
fn deny_all_then_permit_a_network_last_match_wins() {
    let a = acl(&[
        ("deny", "0.0.0.0/0.0.0.0"),
        ("permit", "10.0.0.0/8"),
        ("permit", "192.168.1.0/255.255.255.0"),
    ]);
    assert!(a.allows(ip("10.20.30.40")));
    assert!(a.allows(ip("192.168.1.77")));
    assert!(!a.allows(ip("192.168.2.1")));
    assert!(!a.allows(ip("8.8.8.8")));
}

#[test]
fn a_later_deny_overrides_an_earlier_permit() {
    let a = acl(&[("permit", "10.0.0.0/8"), ("deny", "10.1.0.0/16")]);
    assert!(a.allows(ip("10.2.0.1")));
    assert!(!a.allows(ip("10.1.0.1")));
    // Order reversed: the permit, written last, wins for 10.1.x.x.
    let b = acl(&[("deny", "10.1.0.0/16"), ("permit", "10.0.0.0/8")]);
    assert!(b.allows(ip("10.1.0.1")));
}

#[test]
fn single_address_is_a_host_rule() {
    let a = acl(&[("deny", "0.0.0.0/0"), ("permit", "192.0.2.10")]);
    assert!(a.allows(ip("192.0.2.10")));
    assert!(!a.allows(ip("192.0.2.11")));
}

#[test]
fn network_address_is_masked_when_stored() {
    let a = acl(&[("deny", "0.0.0.0/0"), ("permit", "10.1.2.3/8")]);
    assert_eq!(a.rules()[1].network, ip("10.0.0.0"));
    assert!(a.allows(ip("10.200.0.1")));
}

#[test]
fn ipv6_prefixes_and_families_do_not_mix() {
    let a = acl(&[("deny", "::/0"), ("permit", "2001:db8::/32")]);
    assert!(a.allows(ip("2001:db8::5")));
    assert!(!a.allows(ip("2001:db9::5")));
    // An IPv6 rule never matches an IPv4 source: allowed by default.
    assert!(a.allows(ip("10.0.0.1")));
    let b = acl(&[("deny", "0.0.0.0/0")]);
    assert!(
        b.allows(ip("2001:db8::1")),
        "an IPv4 rule does not apply to IPv6"
    );
    assert!(
        !b.allows(ip("::ffff:10.0.0.1")),
        "but it applies to IPv4-mapped addresses"
    );
}

#[test]
fn bracketed_ipv6_and_mapped_rule_addresses() {
    let a = acl(&[("deny", "[::1]")]);
    assert!(!a.allows(ip("::1")));
    let m = acl(&[("deny", "::ffff:192.0.2.1")]);
    assert!(
        !m.allows(ip("192.0.2.1")),
        "a mapped rule address becomes an IPv4 rule"
    );
}

#[test]
fn comma_list_and_bang_inversion() {
    let a = acl(&[("deny", "0.0.0.0/0"), ("permit", "10.0.0.0/8,!10.9.0.0/16")]);
    assert_eq!(a.rules().len(), 3);
    assert_eq!(a.rules()[2].sense, Sense::Deny);
    assert!(a.allows(ip("10.1.1.1")));
    assert!(!a.allows(ip("10.9.1.1")));
}

#[test]
fn sense_is_taken_from_the_first_letter() {
    assert_eq!(Sense::from_option_name("permit"), Sense::Permit);
    assert_eq!(Sense::from_option_name("Pxyz"), Sense::Permit);
    assert_eq!(Sense::from_option_name("deny"), Sense::Deny);
    assert_eq!(Sense::from_option_name("d"), Sense::Deny);
}

#[test]
fn cidr_zero_and_full() {
    let a = acl(&[("deny", "1.2.3.4/0")]);
    assert!(!a.allows(ip("200.1.1.1")));
    let b = acl(&[("deny", "1.2.3.4/32")]);
    assert!(b.allows(ip("1.2.3.5")));
}

#[test]
fn bad_entries_are_errors() {
    for (v, why) in [
        ("10.0.0.0/33", "CIDR"),
        ("10.0.0.0/x", "CIDR"),
        ("10.0.0.300", "address"),
        ("example.com", "address"),
        ("10.0.0.1:5060", "address"),
        ("10.0.0.0/ffff::", "family"),
        ("2001:db8::/129", "CIDR"),
    ] {
        let err = Acl::new().append(Sense::Deny, v).unwrap_err();
        assert!(err.0.contains(why), "{v}: {err}");
    }
}

#[test]
fn entries_before_a_bad_one_stay() {
    let mut a = Acl::new();
    assert!(a.append(Sense::Deny, "10.0.0.0/8,bogus").is_err());
    assert_eq!(a.rules().len(), 1);
}
