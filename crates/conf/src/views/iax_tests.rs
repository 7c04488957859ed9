//! Unit tests of the iax.conf view.

use super::*;
use crate::{MemSource, Severity};

fn load(text: &str) -> (IaxConf, Vec<Diagnostic>) {
    let src = MemSource::new().with("iax.conf", text);
    let loaded = crate::load(&src, "iax.conf");
    IaxConf::from_config(&loaded.config)
}

#[test]
fn bindport_defaults_to_4569_and_bindaddr_may_carry_its_port() {
    let (c, d) = load("[general]\nbindaddr=127.0.0.1\n");
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(c.general.bindaddr, "127.0.0.1:4569".parse().unwrap());
    let (c, _) = load("[general]\nbindport=4570\nbindaddr=127.0.0.1:4600\n");
    assert_eq!(c.general.bindaddr.port(), 4600);
    let (c, _) = load("[general]\nbindport=4570\n");
    assert_eq!(c.general.bindaddr.port(), 4570);
}

#[test]
fn register_line_reads_user_secret_host_and_default_port() {
    let (c, d) = load("[general]\nregister => b:s3cret@127.0.0.1\nregister => u@h:4570\n");
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(c.registrations[0].user, "b");
    assert_eq!(c.registrations[0].secret.as_deref(), Some("s3cret"));
    assert_eq!(c.registrations[0].port, 4569);
    assert_eq!(c.registrations[1].secret, None);
    assert_eq!(c.registrations[1].port, 4570);
    let (_, d) = load("[general]\nregister => nohost\n");
    assert_eq!(d[0].severity, Severity::Error);
}

#[test]
fn friend_is_user_and_peer_and_dynamic_host_registers() {
    let (c, d) =
        load("[b]\ntype=friend\nhost=dynamic\nsecret=x\ncontext=from-b\ntrunk=yes\nqualify=yes\n");
    assert!(d.is_empty(), "{d:?}");
    let p = c.peer("B").unwrap();
    assert!(p.is_dynamic() && p.trunk);
    assert_eq!(p.qualify_ms, 2000);
    assert_eq!(c.user("b").unwrap().context, "from-b");
}

#[test]
fn plaintext_auth_is_refused_with_a_warning() {
    let (_, d) = load("[u]\ntype=user\nauth=md5,plaintext\n");
    assert_eq!(d.len(), 1);
    assert!(d[0].message.contains("plaintext"));
    assert_eq!(d[0].span.line, 3);
}

#[test]
fn requirecalltoken_per_peer_overrides_general() {
    let (c, _) = load(
        "[general]\n[modem]\ntype=friend\nhost=dynamic\nrequirecalltoken=no\n[x]\ntype=peer\nhost=1.2.3.4\n",
    );
    let g = &c.general;
    assert!(g.requirecalltoken);
    assert!(!c.peer("modem").unwrap().requires_calltoken(g));
    assert!(c.peer("x").unwrap().requires_calltoken(g));
    let (c, _) = load("[general]\ncalltokenoptional=10.0.0.0/8\n");
    assert!(c.general.calltoken_optional("10.1.2.3".parse().unwrap()));
    assert!(!c.general.calltoken_optional("192.0.2.1".parse().unwrap()));
}

#[test]
fn unsupported_and_unknown_options_warn_with_line() {
    let (_, d) = load("[general]\njitterbuffer=yes\nfrobnicate=1\nbandwidth=low\n");
    assert_eq!(d.len(), 3);
    assert!(d[0].message.contains("unsupported option 'jitterbuffer'"));
    assert!(d[1].message.contains("unknown option 'frobnicate'"));
    assert!(d[2].message.contains("bandwidth"));
    assert_eq!(d[1].span.line, 3);
}

#[test]
fn allow_disallow_apply_in_order() {
    let (c, _) = load(
        "[general]\ndisallow=all\nallow=alaw\nallow=ulaw\n[p]\ntype=peer\nhost=1.2.3.4\ndisallow=alaw\nallow=g722\n",
    );
    assert_eq!(c.general.formats(), vec!["alaw", "ulaw"]);
    assert_eq!(
        c.peer("p").unwrap().formats(&c.general),
        vec!["ulaw", "g722"]
    );
}

#[test]
fn autoban_options_are_read_from_general_and_acl_names_from_sections() {
    let (c, d) = load(
        "[general]\nautoban=yes\nautoban_failures=3\nautoban_window=30\nautoban_rate=0\n\
         autoban_time=120\nautoban_exempt=10.0.0.0/8\nblockscanners=no\nautoban_time=0\n\
         [u]\ntype=user\nacl=a, b\n",
    );
    let a = &c.general.autoban;
    assert_eq!((a.failures, a.window, a.rate, a.time), (3, 30, 0, 120));
    assert!(a.enabled && !a.exempt.allows("10.2.3.4".parse().unwrap()));
    // blockscanners is sip.conf's (there are no IAX2 scanners to recognise).
    assert!(
        d[0].message.contains("unknown option 'blockscanners'"),
        "{d:?}"
    );
    assert_eq!(d[1].severity, Severity::Error);
    assert_eq!(d[1].span.line, 9);
    assert_eq!(d.len(), 2);
    let names: Vec<&str> = c
        .user("u")
        .unwrap()
        .named_acls
        .named
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(names, ["a", "b"]);
    // Not resolved against acl.conf: refuses everything.
    assert!(!c
        .user("u")
        .unwrap()
        .acl_allows("127.0.0.1".parse().unwrap()));
}

#[test]
fn peer_without_host_is_an_error() {
    let (c, d) = load("[p]\ntype=peer\n");
    assert!(c.peers.is_empty());
    assert_eq!(d[0].severity, Severity::Error);
}
