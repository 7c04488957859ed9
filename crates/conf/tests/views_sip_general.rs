//! `[general]` of sip.conf: defaults, each value form, errors and warnings with file:line.
mod views_common;
use std::net::SocketAddr;
use tandem_conf::views::sip::{CodecOp, DtmfMode, Nat, SendRpid, Transport};
use views_common::*;

#[test]
fn defaults_without_a_general_section() {
    let c = sip_ok("");
    let g = &c.general;
    assert_eq!(g.bindaddr, "0.0.0.0:5060".parse::<SocketAddr>().unwrap());
    assert_eq!(g.context, "default");
    assert!(!g.allowguest, "tandem: allowguest defaults to no");
    assert!(g.alwaysauthreject);
    assert_eq!((g.minexpiry, g.maxexpiry, g.defaultexpiry), (60, 3600, 120));
    assert_eq!((g.qualify_ms, g.qualifyfreq), (0, 60));
    assert_eq!(
        (g.useragent.as_str(), g.realm.as_str()),
        ("tandem", "asterisk")
    );
    assert_eq!(g.common.dtmfmode, DtmfMode::Rfc2833);
    assert_eq!(
        g.common.nat,
        Nat {
            force_rport: false,
            comedia: false,
            auto_force_rport: true,
            auto_comedia: false
        }
    );
    assert_eq!(g.transports, vec![Transport::Udp]);
    assert!(!g.tcpenable);
    assert_eq!(g.tcp_bind(), None);
    assert_eq!(g.externaddr, None);
    assert!(g.codecs.is_empty());
    assert_eq!(
        (g.mohinterpret.as_str(), g.vmexten.as_str()),
        ("default", "asterisk")
    );
}

#[test]
fn typed_values() {
    let c = sip_ok(
        "[general]\ncontext = from-sip\nallowguest = yes\nalwaysauthreject = no\nbindaddr = 192.0.2.1\nbindport = 5070\n\
         tcpenable = yes\ntcpbindaddr = 192.0.2.1:5080\nexternip = 198.51.100.7\nlocalnet = 10.0.0.0/8\n\
         localnet = 192.168.0.0/255.255.0.0\nqualify = 1500\nqualifyfreq = 30\nuseragent = PBX\nrealm = example.com\n\
         minexpiry = 30\nmaxexpiry = 7200\ndefaultexpiry = 600\ndtmfmode = info\nlanguage = fr\n",
    );
    let g = &c.general;
    assert_eq!(g.context, "from-sip");
    assert!(g.allowguest && !g.alwaysauthreject);
    assert_eq!(g.bindaddr, "192.0.2.1:5070".parse::<SocketAddr>().unwrap());
    assert_eq!(g.tcp_bind(), Some("192.0.2.1:5080".parse().unwrap()));
    assert_eq!(g.externaddr, Some(("198.51.100.7".parse().unwrap(), None)));
    assert!(g.is_local("10.1.2.3".parse().unwrap()));
    assert!(g.is_local("192.168.44.1".parse().unwrap()));
    assert!(!g.is_local("8.8.8.8".parse().unwrap()));
    assert_eq!((g.qualify_ms, g.qualifyfreq), (1500, 30));
    assert_eq!(
        (g.useragent.as_str(), g.realm.as_str()),
        ("PBX", "example.com")
    );
    assert_eq!((g.minexpiry, g.maxexpiry, g.defaultexpiry), (30, 7200, 600));
    assert_eq!(g.common.dtmfmode, DtmfMode::Info);
    assert_eq!(g.language, "fr");
}

#[test]
fn bindaddr_forms_and_bindport_precedence() {
    assert_eq!(
        sip_ok("[general]\nbindaddr = 0.0.0.0:5062\n")
            .general
            .bindaddr
            .port(),
        5062
    );
    assert_eq!(
        sip_ok("[general]\nudpbindaddr = [::]:5063\n")
            .general
            .bindaddr,
        "[::]:5063".parse::<SocketAddr>().unwrap()
    );
    assert_eq!(
        sip_ok("[general]\nbindaddr = ::\n").general.bindaddr,
        "[::]:5060".parse::<SocketAddr>().unwrap()
    );
    let (c, d) = sip("[general]\nbindaddr = 0.0.0.0:5062\nbindport = 5064\n");
    assert_eq!(c.general.bindaddr.port(), 5064);
    assert_eq!(
        d,
        vec!["sip.conf:3: warning: bindport is also specified in bindaddr. Using 5064."]
    );
}

#[test]
fn tcp_listens_on_bindaddr_when_no_tcpbindaddr() {
    let c = sip_ok("[general]\nbindaddr = 192.0.2.9\nbindport = 5090\ntcpenable = yes\n");
    assert_eq!(
        c.general.tcp_bind(),
        Some("192.0.2.9:5090".parse().unwrap())
    );
    let c = sip_ok("[general]\ntcpenable = yes\ntcpbindaddr = 192.0.2.9\n");
    assert_eq!(
        c.general.tcp_bind(),
        Some("192.0.2.9:5060".parse().unwrap())
    );
}

#[test]
fn nat_values_as_sip_parse_nat_option() {
    let nat = |v: &str| sip(&format!("[general]\nnat = {v}\n")).0.general.common.nat;
    let n = |f, c, af, ac| Nat {
        force_rport: f,
        comedia: c,
        auto_force_rport: af,
        auto_comedia: ac,
    };
    assert_eq!(nat("no"), Nat::NO);
    assert_eq!(nat("force_rport"), n(true, false, false, false));
    assert_eq!(nat("comedia"), n(false, true, false, false));
    assert_eq!(nat("force_rport,comedia"), n(true, true, false, false));
    assert_eq!(nat("auto_force_rport"), n(false, false, true, false));
    assert_eq!(nat("auto_comedia"), n(false, false, false, true));
    assert_eq!(
        nat("force_rport,auto_force_rport"),
        n(false, false, true, false)
    );
    assert_eq!(
        nat("auto_force_rport,force_rport"),
        n(false, false, true, false)
    );
    assert_eq!(nat("comedia,auto_comedia"), n(false, false, false, true));
    assert_eq!(nat("auto_comedia,comedia"), n(false, false, false, true));
    assert_eq!(nat("force_rport,auto_comedia"), n(true, false, false, true));
    assert_eq!(nat("force_rport,yes,no"), n(true, true, false, false));
    assert_eq!(nat("auto_comedia,no,yes"), Nat::NO);
}

#[test]
fn nat_yes_is_deprecated_and_unknown_words_are_errors() {
    let (c, d) = sip("[general]\nnat = yes\n");
    assert!(c.general.common.nat.force_rport && c.general.common.nat.comedia);
    assert_eq!(
        d,
        vec!["sip.conf:2: warning: nat=yes is deprecated, use nat=force_rport,comedia instead"]
    );
    let (_, d) = sip("[general]\nnat = route\n");
    assert_eq!(d.len(), 1);
    assert!(d[0].starts_with("sip.conf:2: error: invalid value 'route' for 'nat' in [general]: unknown nat mode 'route'"), "{d:?}");
}

#[test]
fn dtmfmode_values() {
    for (v, m) in [
        ("rfc2833", DtmfMode::Rfc2833),
        ("INFO", DtmfMode::Info),
        ("shortinfo", DtmfMode::ShortInfo),
        ("inband", DtmfMode::Inband),
        ("auto", DtmfMode::Auto),
    ] {
        assert_eq!(
            sip_ok(&format!("[general]\ndtmfmode = {v}\n"))
                .general
                .common
                .dtmfmode,
            m
        );
    }
    let (c, d) = sip("[general]\ndtmfmode = tones\n");
    assert_eq!(c.general.common.dtmfmode, DtmfMode::Rfc2833);
    assert!(d[0].starts_with("sip.conf:2: error: invalid value 'tones' for 'dtmfmode'"));
}

#[test]
fn allow_disallow_kept_raw_in_order() {
    let c = sip_ok("[general]\ndisallow = all\nallow = ulaw,alaw\nallow = g722\n");
    let r: Vec<_> = c
        .general
        .codecs
        .iter()
        .map(|r| (r.op, r.value.as_str(), r.span.line))
        .collect();
    assert_eq!(
        r,
        vec![
            (CodecOp::Disallow, "all", 2),
            (CodecOp::Allow, "ulaw,alaw", 3),
            (CodecOp::Allow, "g722", 4)
        ]
    );
}

#[test]
fn sendrpid_and_trustrpid() {
    let c = sip_ok("[general]\nsendrpid = pai\ntrustrpid = yes\n");
    assert_eq!(c.general.common.sendrpid, SendRpid::Pai);
    assert!(c.general.common.trustrpid);
    assert_eq!(
        sip_ok("[general]\nsendrpid = yes\n")
            .general
            .common
            .sendrpid,
        SendRpid::Rpid
    );
}

#[test]
fn transports_drop_tcp_without_tcpenable() {
    let (c, d) = sip("[general]\ntransport = tcp,udp\n");
    assert_eq!(c.general.transports, vec![Transport::Udp]);
    assert_eq!(
        d,
        vec!["sip.conf:2: warning: cannot use 'tcp' transport with tcpenable=no; removed"]
    );
    let c = sip_ok("[general]\ntcpenable = yes\ntransport = tcp, udp\n");
    assert_eq!(c.general.transports, vec![Transport::Tcp, Transport::Udp]);
    let (c, d) = sip("[general]\ntransport = tls\n");
    assert_eq!(c.general.transports, vec![Transport::Udp]);
    assert_eq!(d.len(), 2, "{d:?}");
    assert!(d[0].contains("cannot use 'tls' transport with tlsenable=no"));
    assert!(d[1].contains("falling back to 'udp'"));
}

#[test]
fn tcpauthtimeout_defaults_to_chan_sips_30_seconds() {
    assert_eq!(sip_ok("").general.tcpauthtimeout, 30);
    let c = sip_ok("[general]\ntcpenable = yes\ntcpauthtimeout = 5\n");
    assert_eq!(c.general.tcpauthtimeout, 5);
}

#[test]
fn bad_values_are_errors_with_file_line() {
    let cases = [
        ("allowguest = maybe", "allowguest"),
        ("bindaddr = sip.example.com", "bindaddr"),
        ("bindport = 70000", "bindport"),
        ("tcpenable = perhaps", "tcpenable"),
        ("tcpauthtimeout = 0", "tcpauthtimeout"),
        ("externip = 1.2.3", "externip"),
        ("localnet = 10.0.0.0/40", "localnet"),
        ("qualify = sometimes", "qualify"),
        ("qualifyfreq = 0", "qualifyfreq"),
        ("minexpiry = -5", "minexpiry"),
        ("maxexpiry = lots", "maxexpiry"),
        ("defaultexpiry = 0", "defaultexpiry"),
        ("insecure = very", "insecure"),
    ];
    for (line, key) in cases {
        let (_, d) = sip(&format!("[general]\n{line}\n"));
        assert_eq!(d.len(), 1, "{line}: {d:?}");
        assert!(
            d[0].starts_with("sip.conf:2: error: invalid value"),
            "{line}: {d:?}"
        );
        assert!(
            d[0].contains(&format!("for '{key}' in [general]")),
            "{line}: {d:?}"
        );
    }
}

#[test]
fn unknown_transport_is_an_error_then_udp() {
    let (c, d) = sip("[general]\ntransport = carrier-pigeon\n");
    assert_eq!(c.general.transports, vec![Transport::Udp]);
    assert!(
        d[0].starts_with(
            "sip.conf:2: error: invalid value 'carrier-pigeon' for 'transport' in [general]"
        ),
        "{d:?}"
    );
    assert_eq!(
        d[1],
        "sip.conf:2: warning: no valid transports available, falling back to 'udp'"
    );
}

#[test]
fn bad_values_keep_the_default() {
    let (c, _) = sip("[general]\nminexpiry = x\ncontext = ok\n");
    assert_eq!(c.general.minexpiry, 60);
    assert_eq!(c.general.context, "ok");
}

#[test]
fn unsupported_unknown_and_peer_options_warn() {
    let (_, d) = sip("[general]\njbenable = yes\nsrvlookup = yes\nfrobnicate = 1\nsecret = x\npermit = 10.0.0.0/8\n");
    assert_eq!(
        d,
        vec![
            "sip.conf:2: warning: unsupported option 'jbenable' in [general]",
            "sip.conf:3: warning: unsupported option 'srvlookup' in [general]",
            "sip.conf:4: warning: unknown option 'frobnicate' in [general]",
            "sip.conf:5: warning: option 'secret' is a peer option; chan_sip ignores it in [general]",
            "sip.conf:6: warning: option 'permit' is a peer option; chan_sip ignores it in [general]",
        ]
    );
}

#[test]
fn directmedia_other_than_no_warns_that_tandem_relays() {
    let (_, d) = sip("[general]\ndirectmedia = no\ncanreinvite = no\n");
    assert!(d.is_empty());
    for v in ["yes", "nonat", "update", "update,nonat", "outgoing"] {
        let (_, d) = sip(&format!("[general]\ndirectmedia = {v}\n"));
        assert_eq!(d, vec![format!("sip.conf:2: warning: directmedia={v} is not supported: tandem relays all media (directmedia=no)")]);
    }
    let (_, d) = sip("[general]\ncanreinvite = sideways\n");
    assert!(d[0].starts_with("sip.conf:2: error: invalid value 'sideways' for 'canreinvite'"));
}

#[test]
fn second_general_section_is_ignored_with_a_warning() {
    let (c, d) = sip("[general]\ncontext = a\n[general]\ncontext = b\n");
    assert_eq!(c.general.context, "a");
    assert_eq!(d, vec!["sip.conf:3: warning: section [general] is ignored: chan_sip reads only the first [general]"]);
    assert!(c.peers.is_empty());
}

#[test]
fn template_sections_are_not_peers() {
    let c = sip_ok("[phone](!)\ntype = friend\nhost = dynamic\n[100](phone)\nsecret = x\n");
    assert_eq!(c.peers.len(), 1);
    assert_eq!(c.peers[0].name, "100");
}

#[test]
fn auth_algorithms_default_to_md5_only_as_chan_sip() {
    assert_eq!(sip_ok("").general.auth_algorithms, vec!["MD5"]);
    assert_eq!(
        sip_ok("[general]\nrealm = x\n").general.auth_algorithms,
        vec!["MD5"]
    );
}

#[test]
fn supported_algorithms_uas_reads_a_comma_list_as_res_pjsip() {
    // res_pjsip's own example: `supported_algorithms_uas = SHA-256, MD5`.
    let c = sip_ok("[general]\nsupported_algorithms_uas = SHA-256, MD5\n");
    assert_eq!(c.general.auth_algorithms, vec!["SHA-256", "MD5"]);
    // Written order is kept, names are matched case-insensitively (pj_stricmp) and stored
    // in their IANA spelling; blanks and empty entries are skipped.
    let c = sip_ok("[general]\nsupported_algorithms_uas = md5,,  sha-256 ,\n");
    assert_eq!(c.general.auth_algorithms, vec!["MD5", "SHA-256"]);
    let c = sip_ok("[general]\nsupported_algorithms_uas=SHA-256\n");
    assert_eq!(c.general.auth_algorithms, vec!["SHA-256"]);
}

#[test]
fn supported_algorithms_uas_unknown_name_is_an_error_with_file_line() {
    let (c, d) = sip("[general]\nrealm = x\nsupported_algorithms_uas = SHA-256,SHA-1\n");
    assert_eq!(c.general.auth_algorithms, vec!["MD5"], "the default stays");
    assert_eq!(
        d,
        vec!["sip.conf:3: error: invalid value 'SHA-256,SHA-1' for 'supported_algorithms_uas' in [general]: \
              unknown digest algorithm 'SHA-1' (expected MD5 or SHA-256)"]
    );
    // res_pjsip knows SHA-512-256; tandem does not implement it and says so.
    let (c, d) = sip("[general]\nsupported_algorithms_uas = SHA-512-256\n");
    assert_eq!(c.general.auth_algorithms, vec!["MD5"]);
    assert_eq!(d.len(), 1);
    assert!(
        d[0].starts_with("sip.conf:2: error: ")
            && d[0].contains("'SHA-512-256' is not supported by tandem"),
        "{d:?}"
    );
    // The -sess variants are not IANA names res_pjsip accepts.
    let (_, d) = sip("[general]\nsupported_algorithms_uas = MD5-sess\n");
    assert!(
        d[0].starts_with("sip.conf:2: error: ")
            && d[0].contains("unknown digest algorithm 'MD5-sess'"),
        "{d:?}"
    );
}

#[test]
fn supported_algorithms_uas_empty_or_repeated_warns() {
    let (c, d) = sip("[general]\nsupported_algorithms_uas = ,\n");
    assert_eq!(c.general.auth_algorithms, vec!["MD5"]);
    assert_eq!(
        d,
        vec![
            "sip.conf:2: warning: 'supported_algorithms_uas' names no digest algorithm; using MD5"
        ]
    );
    let (c, d) = sip("[general]\nsupported_algorithms_uas = SHA-256, md5, MD5\n");
    assert_eq!(c.general.auth_algorithms, vec!["SHA-256", "MD5"]);
    assert_eq!(
        d,
        vec!["sip.conf:2: warning: digest algorithm 'MD5' listed twice in 'supported_algorithms_uas'; the repeat is ignored"]
    );
}

#[test]
fn supported_algorithms_uas_entries_are_bounded() {
    let many = vec!["MD5"; 40].join(",");
    let (c, d) = sip(&format!("[general]\nsupported_algorithms_uas = {many}\n"));
    assert_eq!(c.general.auth_algorithms, vec!["MD5"]);
    assert!(
        d.iter()
            .any(|l| l.starts_with("sip.conf:2: error: ") && l.contains("too many entries")),
        "{d:?}"
    );
}

#[test]
fn session_timer_options_as_chan_sip() {
    let g = sip_ok("").general;
    assert_eq!(
        g.session_timers,
        tandem_conf::views::sip::SessionTimers::Accept
    );
    assert_eq!(
        (g.session_expires, g.session_minse, g.session_refresher_uac),
        (1800, 90, false)
    );
    let g = sip_ok("[general]\nsession-timers=originate\nsession-expires=600\nsession-minse=120\nsession-refresher=uac\n").general;
    assert_eq!(
        g.session_timers,
        tandem_conf::views::sip::SessionTimers::Originate
    );
    assert_eq!(
        (g.session_expires, g.session_minse, g.session_refresher_uac),
        (600, 120, true)
    );
    let (_, diags) = sip("[general]\nsession-timers=sometimes\nsession-minse=30\n");
    assert!(
        diags
            .iter()
            .any(|d| d.starts_with("sip.conf:2: error:") && d.contains("session-timers")),
        "{diags:?}"
    );
    assert!(
        diags
            .iter()
            .any(|d| d.starts_with("sip.conf:3: error:") && d.contains("session-minse")),
        "{diags:?}"
    );
}
