use super::*;
use crate::views::SipConf;
use crate::{load, MemSource, Severity};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn named(text: &str) -> (NamedAcls, Vec<Diagnostic>) {
    let src = MemSource::new().with("acl.conf", text);
    NamedAcls::from_config(&load(&src, "acl.conf").config)
}

fn sip_with_acls(sip: &str, acl: &str) -> (SipConf, Vec<Diagnostic>) {
    let src = MemSource::new().with("sip.conf", sip).with("acl.conf", acl);
    let (mut view, mut diags) = SipConf::from_config(&load(&src, "sip.conf").config);
    diags.extend(resolve_sip(&mut view, &src));
    (view, diags)
}

#[test]
fn sections_are_named_acls_and_the_last_matching_rule_decides() {
    let (acls, diags) =
        named("[office]\ndeny=0.0.0.0/0.0.0.0\npermit=10.0.0.0/8\ndeny=10.9.0.0/16\n[open]\n");
    assert!(diags.is_empty(), "{diags:?}");
    let office = acls.get("office").unwrap();
    assert!(office.allows(ip("10.1.2.3")));
    assert!(!office.allows(ip("10.9.2.3")));
    assert!(!office.allows(ip("192.0.2.1")));
    // An ACL without rules accepts everything.
    assert!(acls.get("open").unwrap().allows(ip("192.0.2.1")));
    // Names are case-sensitive (strcmp in the container).
    assert!(acls.get("Office").is_none());
}

#[test]
fn an_unknown_option_or_a_bad_rule_refuses_the_whole_file() {
    let (acls, diags) = named("[a]\npermit=10.0.0.0/8\n[b]\nallow=1.2.3.4\n");
    assert!(acls.is_empty());
    assert!(diags
        .iter()
        .any(|d| d.severity == Severity::Error && d.span.line == 4));
    let (acls, _) = named("[a]\npermit=10.0.0.0/33\n");
    assert!(acls.is_empty());
    // Anything in [general] is unknown to named_acl.c.
    let (acls, diags) = named("[general]\nfoo=bar\n[a]\npermit=1.2.3.4\n");
    assert!(acls.is_empty());
    assert!(!diags.is_empty());
    // An empty [general] is fine.
    let (acls, diags) = named("[general]\n[a]\npermit=1.2.3.4\n");
    assert!(diags.is_empty());
    assert!(acls.get("a").is_some());
}

#[test]
fn a_list_refuses_when_any_acl_refuses_and_undefined_names_refuse_all() {
    let (acls, _) =
        named("[lan]\ndeny=0.0.0.0/0\npermit=192.168.0.0/16\n[nobad]\ndeny=192.168.6.6\n");
    let mut list = AclList::default();
    list.add_names("lan, nobad").unwrap();
    assert!(list.resolve(&acls).is_empty());
    let base = Acl::new();
    assert!(list.allows(&base, ip("192.168.1.1")));
    assert!(!list.allows(&base, ip("192.168.6.6")));
    assert_eq!(list.refused_by(ip("10.0.0.1")), Some("lan"));
    // The baseline (permit/deny lines) counts too.
    let mut base = Acl::new();
    base.append(Sense::Deny, "192.168.1.0/24").unwrap();
    assert!(!list.allows(&base, ip("192.168.1.1")));

    let mut missing = AclList::default();
    missing.add_names("nosuch").unwrap();
    assert_eq!(missing.resolve(&acls), vec!["nosuch".to_string()]);
    assert!(!missing.allows(&Acl::new(), ip("192.168.1.1")));
}

#[test]
fn naming_an_acl_twice_is_an_error_and_the_second_is_skipped() {
    let mut list = AclList::default();
    assert!(list.add_names("a,b").is_ok());
    assert!(list.add_names("B").is_err());
    assert_eq!(list.named.len(), 2);
}

#[test]
fn sip_peers_take_acl_and_contact_acls_from_acl_conf() {
    let (conf, diags) = sip_with_acls(
        "[general]\ncontactdeny=203.0.113.0/24\n\
         [alice]\ntype=friend\nhost=dynamic\nsecret=x\nacl=lan\ncontactacl=lan\n\
         [bob]\ntype=friend\nhost=dynamic\nsecret=x\ndeny=0.0.0.0/0.0.0.0\npermit=127.0.0.2/32\n\
         contactdeny=0.0.0.0/0\ncontactpermit=127.0.0.0/8\n\
         [carol]\ntype=friend\nhost=dynamic\nacl=nosuch\n",
        "[lan]\ndeny=0.0.0.0/0\npermit=192.168.0.0/16\n",
    );
    let alice = conf.peer("alice").unwrap();
    assert!(alice.acl_allows(ip("192.168.1.5")));
    assert!(!alice.acl_allows(ip("10.0.0.1")));
    assert!(alice.contact_allows(&conf.general, ip("192.168.1.5")));
    assert!(!alice.contact_allows(&conf.general, ip("10.0.0.1")));

    let bob = conf.peer("bob").unwrap();
    assert!(bob.acl_allows(ip("127.0.0.2")));
    assert!(!bob.acl_allows(ip("127.0.0.1")));
    assert!(bob.contact_allows(&conf.general, ip("127.0.0.9")));
    assert!(!bob.contact_allows(&conf.general, ip("192.0.2.1")));

    // [general]'s contact ACL applies to every peer.
    let carol = conf.peer("carol").unwrap();
    assert!(!carol.contact_allows(&conf.general, ip("203.0.113.7")));
    assert!(carol.contact_allows(&conf.general, ip("198.51.100.7")));
    // An undefined ACL refuses everything and is reported.
    assert!(!carol.acl_allows(ip("192.168.1.5")));
    assert!(diags
        .iter()
        .any(|d| d.message.contains("'nosuch' does not exist")));
}

#[test]
fn a_missing_acl_conf_leaves_named_references_refusing() {
    let src = MemSource::new().with("sip.conf", "[p]\ntype=friend\nhost=dynamic\nacl=office\n");
    let (mut view, _) = SipConf::from_config(&load(&src, "sip.conf").config);
    let diags = resolve_sip(&mut view, &src);
    assert!(!view.peer("p").unwrap().acl_allows(ip("127.0.0.1")));
    assert_eq!(diags.len(), 1);
}

#[test]
fn iax_users_and_peers_take_acl_from_acl_conf_after_permit_deny() {
    let src = MemSource::new()
        .with(
            "iax.conf",
            "[general]\n[b]\ntype=friend\nhost=dynamic\nsecret=x\nacl=office\n\
             [t]\ntype=user\ndeny=0.0.0.0/0.0.0.0\npermit=10.0.0.0/8\nacl=office\n\
             [g]\ntype=user\nacl=nosuch\n",
        )
        .with(
            "acl.conf",
            "[office]\ndeny=0.0.0.0/0.0.0.0\npermit=10.1.0.0/16\n",
        );
    let (mut iax, mut diags) = IaxConf::from_config(&load(&src, "iax.conf").config);
    let (named, more) = load_named(&src);
    diags.extend(more);
    diags.extend(resolve_iax(&mut iax, &named));
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].severity, Severity::Warning);
    assert!(diags[0]
        .message
        .contains("[g] acl: ACL 'nosuch' does not exist"));
    let b = iax.user("b").unwrap();
    assert!(b.acl_allows(ip("10.1.2.3")));
    assert!(!b.acl_allows(ip("10.2.2.3")));
    // permit/deny and the named ACL must both accept.
    let t = iax.user("t").unwrap();
    assert!(t.acl_allows(ip("10.1.9.9")));
    assert!(!t.acl_allows(ip("192.0.2.1")));
    assert!(!iax.user("g").unwrap().acl_allows(ip("10.1.2.3")));
}

#[test]
fn manager_users_take_acl_from_acl_conf() {
    let src = MemSource::new()
        .with(
            "manager.conf",
            "[general]\nenabled=yes\n[admin]\nsecret=s\nacl=lo\n[twice]\nsecret=s\nacl=lo,LO\n",
        )
        .with("acl.conf", "[lo]\ndeny=0.0.0.0/0.0.0.0\npermit=127.0.0.1\n");
    let (mut m, mut diags) = ManagerConf::from_config(&load(&src, "manager.conf").config);
    let (named, _) = load_named(&src);
    diags.extend(resolve_manager(&mut m, &named));
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(diags[0]
        .to_string()
        .starts_with("manager.conf:8: error: invalid 'acl' in [twice]"));
    let admin = m.user("admin").unwrap();
    assert!(admin.acl_allows(ip("127.0.0.1")));
    assert!(!admin.acl_allows(ip("127.0.0.2")));
}
