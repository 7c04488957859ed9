//! Peers, users and friends of sip.conf, as chan_sip's build_peer.
mod views_common;
use std::net::IpAddr;
use tandem_conf::views::sip::{
    AmaFlags, CodecOp, DtmfMode, Host, Insecure, Nat, PeerType, Transport,
};
use views_common::*;

#[test]
fn a_typical_phone_and_trunk() {
    let c = sip_ok(
        "[general]\ncontext = internal\n\
         [alice]\ntype = friend\nhost = dynamic\nsecret = s3cret\ncallerid = \"Alice\" <100>\nmailbox = 100@default\n\
         qualify = yes\ncall-limit = 2\n\
         [trunk]\ntype = peer\nhost = sip.provider.example\nport = 5080\ndefaultuser = acct\nfromuser = acct\n\
         fromdomain = provider.example\ncontext = from-trunk\ninsecure = port,invite\ndtmfmode = rfc2833\n",
    );
    let a = c.peer("alice").unwrap();
    assert_eq!(a.kind, PeerType::Friend);
    assert!(a.is_dynamic());
    assert_eq!(a.secret, "s3cret");
    assert_eq!(
        (a.callerid.name.as_str(), a.callerid.number.as_str()),
        ("Alice", "100")
    );
    assert_eq!(a.mailboxes, vec!["100@default"]);
    assert_eq!(a.qualify_ms, 2000);
    assert_eq!(a.call_limit, 2);
    assert_eq!(a.context, "internal", "context defaults to [general]'s");
    assert_eq!(a.span.to_string(), "sip.conf:3");
    let t = c.peer("TRUNK").unwrap();
    assert_eq!(t.kind, PeerType::Peer);
    assert_eq!(t.host, Some(Host::Name("sip.provider.example".into())));
    assert_eq!(t.port, Some(5080));
    assert_eq!(
        (
            t.defaultuser.as_str(),
            t.fromuser.as_str(),
            t.fromdomain.as_str()
        ),
        ("acct", "acct", "provider.example")
    );
    assert_eq!(t.context, "from-trunk");
    assert_eq!(
        t.common.insecure,
        Insecure {
            port: true,
            invite: true
        }
    );
}

#[test]
fn defaults_come_from_general() {
    let c = sip_ok(
        "[general]\ndtmfmode = inband\nnat = force_rport,comedia\nqualify = 900\nqualifyfreq = 20\nlanguage = de\n\
         mohinterpret = jazz\nvmexten = 8500\ninsecure = port\ntransport = udp\n[p]\ntype = peer\nhost = 192.0.2.5\n",
    );
    let p = c.peer("p").unwrap();
    assert_eq!(p.common.dtmfmode, DtmfMode::Inband);
    assert!(p.common.nat.force_rport && p.common.nat.comedia);
    assert_eq!((p.qualify_ms, p.qualifyfreq), (900, 20));
    assert_eq!(
        (
            p.language.as_str(),
            p.mohinterpret.as_str(),
            p.vmexten.as_str()
        ),
        ("de", "jazz", "8500")
    );
    assert_eq!(
        p.common.insecure,
        Insecure {
            port: true,
            invite: false
        }
    );
    assert_eq!(p.host, Some(Host::Addr("192.0.2.5".parse().unwrap())));
    assert_eq!(p.transports, vec![Transport::Udp]);
}

#[test]
fn peer_nat_replaces_general_nat_entirely() {
    let c = sip_ok("[general]\nnat = force_rport,comedia\n[p]\ntype = peer\nnat = comedia\n");
    assert_eq!(
        c.peer("p").unwrap().common.nat,
        Nat {
            force_rport: false,
            comedia: true,
            auto_force_rport: false,
            auto_comedia: false
        }
    );
}

#[test]
fn qualify_yes_uses_the_general_qualify_time() {
    let c = sip_ok("[general]\nqualify = 750\n[a]\ntype = peer\nqualify = yes\n[b]\ntype = peer\nqualify = no\n[c]\ntype = peer\nqualify = 300\n");
    assert_eq!(c.peer("a").unwrap().qualify_ms, 750);
    assert_eq!(c.peer("b").unwrap().qualify_ms, 0);
    assert_eq!(c.peer("c").unwrap().qualify_ms, 300);
}

#[test]
fn codec_rules_are_general_then_own() {
    let c = sip_ok("[general]\ndisallow = all\nallow = ulaw\n[p]\ntype = peer\ndisallow = ulaw\nallow = alaw,g722\n");
    let p = c.peer("p").unwrap();
    let rules: Vec<_> = p
        .codec_rules(&c.general)
        .map(|r| (r.op, r.value.as_str()))
        .collect();
    assert_eq!(
        rules,
        vec![
            (CodecOp::Disallow, "all"),
            (CodecOp::Allow, "ulaw"),
            (CodecOp::Disallow, "ulaw"),
            (CodecOp::Allow, "alaw,g722")
        ]
    );
    assert_eq!(p.codecs.len(), 2);
}

#[test]
fn template_values_come_first_and_own_values_win() {
    let c = sip_ok(
        "[tpl](!)\ntype = friend\ncontext = a\nallow = ulaw\n[x](tpl)\ncontext = b\nallow = alaw\n",
    );
    let x = c.peer("x").unwrap();
    assert_eq!(x.context, "b");
    let vals: Vec<_> = x
        .codecs
        .iter()
        .map(|r| (r.value.as_str(), r.span.line))
        .collect();
    assert_eq!(vals, vec![("ulaw", 4), ("alaw", 7)]);
}

#[test]
fn types_accumulate_as_in_chan_sip() {
    let c = sip_ok("[u]\ntype = user\n[pu]\ntype = peer\ntype = user\n[p]\ntype = peer\n");
    assert_eq!(c.peer("u").unwrap().kind, PeerType::User);
    assert_eq!(c.peer("pu").unwrap().kind, PeerType::Friend);
    assert_eq!(c.peer("p").unwrap().kind, PeerType::Peer);
    assert!(PeerType::Friend.is_peer() && PeerType::Friend.is_user());
}

#[test]
fn missing_or_unknown_type_is_an_error_and_the_section_is_skipped() {
    let (c, d) = sip("[a]\nhost = dynamic\n[b]\ntype = phone\n[c]\ntype = peer\n");
    assert_eq!(
        c.peers.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        vec!["c"]
    );
    assert_eq!(
        d,
        vec![
            "sip.conf:1: error: [a] lacks type (peer, user or friend); chan_sip skips the section",
            "sip.conf:4: error: unknown type 'phone' for [b] (expected peer, user or friend); chan_sip skips the section",
        ]
    );
}

#[test]
fn permit_deny_build_the_peer_acl_in_order() {
    let c = sip_ok("[p]\ntype = friend\ndeny = 0.0.0.0/0.0.0.0\npermit = 192.168.1.0/255.255.255.0\npermit = 10.0.0.5\n");
    let acl = &c.peer("p").unwrap().acl;
    assert_eq!(acl.rules().len(), 3);
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    assert!(acl.allows(ip("192.168.1.20")));
    assert!(acl.allows(ip("10.0.0.5")));
    assert!(!acl.allows(ip("10.0.0.6")));
}

#[test]
fn bad_acl_drops_the_peer_as_chan_sip() {
    let (c, d) = sip("[p]\ntype = friend\npermit = 10.0.0.0/99\n");
    assert!(c.peers.is_empty());
    assert_eq!(d.len(), 1);
    assert!(d[0].starts_with("sip.conf:3: error: invalid value '10.0.0.0/99' for 'permit' in [p]: invalid CIDR netmask"), "{d:?}");
    assert!(d[0].ends_with("chan_sip drops the peer"));
}

#[test]
fn host_forms() {
    let host = |v: &str| sip(&format!("[p]\ntype = peer\nhost = {v}\n"));
    assert_eq!(host("Dynamic").0.peers[0].host, Some(Host::Dynamic));
    assert_eq!(
        host("2001:db8::1").0.peers[0].host,
        Some(Host::Addr("2001:db8::1".parse().unwrap()))
    );
    assert_eq!(
        host("[2001:db8::1]").0.peers[0].host,
        Some(Host::Addr("2001:db8::1".parse().unwrap()))
    );
    let (c, d) = host("192.0.2.1:5070");
    assert_eq!(c.peers[0].host, None);
    assert!(d[0].starts_with("sip.conf:3: error: invalid value '192.0.2.1:5070' for 'host' in [p]: a host must not include a port"));
    let (_, d) = host("bad host!");
    assert!(d[0].contains("expected dynamic, an IP address or a host name"));
}

#[test]
fn port_defaultip_and_fromdomain_port() {
    let c = sip_ok("[p]\ntype = friend\nhost = dynamic\nport = 5062\ndefaultip = 192.0.2.8\nfromdomain = example.com:5099\n");
    let p = c.peer("p").unwrap();
    assert_eq!(p.port, Some(5062));
    assert_eq!(p.defaultip, Some("192.0.2.8".parse().unwrap()));
    assert_eq!(
        (p.fromdomain.as_str(), p.fromdomain_port),
        ("example.com", Some(5099))
    );
    let (c, d) = sip("[p]\ntype = peer\nport = 0\n");
    assert_eq!(c.peers[0].port, None);
    assert!(d[0].starts_with("sip.conf:3: error: invalid value '0' for 'port' in [p]"));
    let (c, d) = sip("[p]\ntype = peer\ndefaultip = nowhere.example\n");
    assert!(
        c.peers.is_empty(),
        "chan_sip drops a peer whose defaultip does not resolve"
    );
    assert!(d[0].starts_with("sip.conf:3: error: invalid value 'nowhere.example' for 'defaultip'"));
}

#[test]
fn insecure_values() {
    let ins = |v: &str| sip(&format!("[p]\ntype = peer\ninsecure = {v}\n"));
    assert_eq!(
        ins("port").0.peers[0].common.insecure,
        Insecure {
            port: true,
            invite: false
        }
    );
    assert_eq!(
        ins("invite").0.peers[0].common.insecure,
        Insecure {
            port: false,
            invite: true
        }
    );
    assert_eq!(
        ins("port,invite").0.peers[0].common.insecure,
        Insecure {
            port: true,
            invite: true
        }
    );
    assert_eq!(ins("no").0.peers[0].common.insecure, Insecure::default());
    let (_, d) = ins("very");
    assert!(
        d[0].contains("'very' was removed in Asterisk 1.6; write port,invite"),
        "{d:?}"
    );
    let (_, d) = ins("port,sideways");
    assert!(d[0].contains("unknown insecure mode 'sideways'"), "{d:?}");
}

#[test]
fn directmedia_and_canreinvite_warn_unless_no() {
    let (_, d) = sip("[p]\ntype = peer\ndirectmedia = no\ncanreinvite = no\n");
    assert!(d.is_empty());
    let (_, d) = sip("[p]\ntype = peer\ncanreinvite = yes\n");
    assert_eq!(d, vec!["sip.conf:3: warning: canreinvite=yes is not supported: tandem relays all media (directmedia=no)"]);
}

#[test]
fn username_is_deprecated_for_defaultuser() {
    let (c, d) = sip("[p]\ntype = peer\nusername = bob\n");
    assert_eq!(c.peers[0].defaultuser, "bob");
    assert_eq!(
        d,
        vec![
            "sip.conf:3: warning: 'username' for sip peers is deprecated in favor of 'defaultuser'"
        ]
    );
}

#[test]
fn transport_list_and_tcpenable() {
    let c = sip_ok("[general]\ntcpenable = yes\n[p]\ntype = peer\ntransport = tcp,udp\n");
    assert_eq!(c.peers[0].transports, vec![Transport::Tcp, Transport::Udp]);
    let (c, d) = sip("[p]\ntype = peer\ntransport = tcp\n");
    assert_eq!(
        c.peers[0].transports,
        vec![Transport::Udp],
        "falls back to [general]'s"
    );
    assert!(
        d[0].starts_with("sip.conf:3: warning: 'tcp' is not a valid transport when tcpenable=no")
    );
    let (c, d) = sip("[p]\ntype = peer\ntransport = tls,udp\n");
    assert_eq!(c.peers[0].transports, vec![Transport::Udp]);
    assert!(d[0].contains("'tls' is not a valid transport when tlsenable=no"));
}

#[test]
fn misc_typed_options() {
    let c = sip_ok(
        "[p]\ntype = friend\nmd5secret = 0123456789abcdef0123456789abcdef\nremotesecret = r\nlanguage = es\naccountcode = acc1\n\
         mohsuggest = hold\nmohinterpret = wait\ntrustrpid = yes\nsendrpid = rpid\nvmexten = *97\namaflags = billing\n\
         mailbox = 1@a, 2@b,,1@a\nauth = me:pw@realm\ndescription = Front desk\nfullname = Desk\ncid_number = 555\n",
    );
    let p = &c.peers[0];
    assert_eq!(p.md5secret, "0123456789abcdef0123456789abcdef");
    assert_eq!(p.remotesecret, "r");
    assert_eq!(
        (p.language.as_str(), p.accountcode.as_str()),
        ("es", "acc1")
    );
    assert_eq!(
        (p.mohsuggest.as_str(), p.mohinterpret.as_str()),
        ("hold", "wait")
    );
    assert!(p.common.trustrpid);
    assert_eq!(p.vmexten, "*97");
    assert_eq!(p.amaflags, Some(AmaFlags::Billing));
    assert_eq!(p.mailboxes, vec!["1@a", "2@b"]);
    assert_eq!(p.auths[0].realm, "realm");
    assert_eq!(p.description, "Front desk");
    assert_eq!(
        (p.callerid.name.as_str(), p.callerid.number.as_str()),
        ("Desk", "555")
    );
}

#[test]
fn bad_peer_values_are_errors() {
    for (line, key) in [
        ("call-limit = -1", "call-limit"),
        ("qualify = often", "qualify"),
        ("qualifyfreq = x", "qualifyfreq"),
        ("amaflags = gold", "amaflags"),
        ("trustrpid = perhaps", "trustrpid"),
        ("sendrpid = both", "sendrpid"),
        ("dtmfmode = beeps", "dtmfmode"),
        ("fromdomain = a.example:0", "fromdomain"),
    ] {
        let (_, d) = sip(&format!("[p]\ntype = peer\n{line}\n"));
        assert_eq!(d.len(), 1, "{line}: {d:?}");
        assert!(
            d[0].starts_with("sip.conf:3: error: invalid value")
                && d[0].contains(&format!("for '{key}' in [p]")),
            "{line}: {d:?}"
        );
    }
}

#[test]
fn unsupported_unknown_and_general_only_options_warn() {
    let (c, d) =
        sip("[p]\ntype = peer\nsetvar = A=1\nbogus = 1\nbindport = 5061\nregister => a@b\n");
    assert_eq!(c.peers.len(), 1);
    assert_eq!(
        d,
        vec![
            "sip.conf:3: warning: unsupported option 'setvar' in [p]",
            "sip.conf:4: warning: unknown option 'bogus' in [p]",
            "sip.conf:5: warning: option 'bindport' belongs in [general]; chan_sip ignores it in [p]",
            "sip.conf:6: warning: option 'register' belongs in [general]; chan_sip ignores it in [p]",
        ]
    );
}

#[test]
fn repeated_section_is_merged_with_a_warning() {
    let (c, d) = sip("[p]\ntype = peer\ncontext = a\n[P]\ncontext = b\n");
    assert_eq!(c.peers.len(), 1);
    assert_eq!(c.peers[0].context, "b");
    assert_eq!(d, vec!["sip.conf:4: warning: [P] is defined again (first at sip.conf:1); chan_sip merges the two sections"]);
}

#[test]
fn warnings_of_template_items_point_at_the_template() {
    let (_, d) = sip("[tpl](!)\nbogus = 1\n[p](tpl)\ntype = peer\n");
    assert_eq!(
        d,
        vec!["sip.conf:2: warning: unknown option 'bogus' in [p]"]
    );
}
