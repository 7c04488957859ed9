//! sip.conf TLS options (`ast_tls_read_conf`) and per-peer `encryption` / `transport=tls`.

mod views_common;
use tandem_conf::views::sip::Transport;
use views_common::*;

#[test]
fn tls_options_are_read_and_the_port_defaults_to_5061() {
    let (c, d) = sip(
        "[general]\ntlsenable=yes\ntlsbindaddr=127.0.0.1\ntlscertfile=/k/cert.pem\n\
         tlsprivatekey=/k/key.pem\ntlscafile=/k/ca.pem\ntlsverifyclient=yes\n\
         tlsdontverifyserver=yes\ntransport=tls,udp\n",
    );
    assert!(d.is_empty(), "{d:?}");
    let t = &c.general.tls;
    assert_eq!(t.bind(), Some("127.0.0.1:5061".parse().unwrap()));
    assert_eq!(t.certfile, "/k/cert.pem");
    assert_eq!(t.privatekey, "/k/key.pem");
    assert_eq!(t.cafile, "/k/ca.pem");
    assert!(t.verifyclient && t.dontverifyserver);
    assert_eq!(c.general.transports, vec![Transport::Tls, Transport::Udp]);
}

#[test]
fn tls_is_off_by_default_and_ssl_spellings_are_synonyms() {
    let (c, _) = sip("[general]\n");
    assert_eq!(c.general.tls.bind(), None);
    let (c, d) = sip("[general]\nsslenable=yes\nsslbindaddr=0.0.0.0:5071\nsslcert=a.pem\n");
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(c.general.tls.bind(), Some("0.0.0.0:5071".parse().unwrap()));
    assert_eq!(c.general.tls.certfile, "a.pem");
}

#[test]
fn tlscipher_is_warned_about_and_bad_values_are_errors() {
    let (_, d) =
        sip("[general]\ntlscipher=ALL:!aNULL\ntlsverifyclient=maybe\ntlsbindaddr=nowhere\n");
    assert_eq!(d.len(), 3, "{d:?}");
    assert!(d[0].starts_with("sip.conf:2: warning: 'tlscipher' is ignored"));
    assert!(d[1].starts_with("sip.conf:3: error:"));
    assert!(d[2].starts_with("sip.conf:4: error:"));
}

#[test]
fn a_peer_may_use_tls_and_require_encryption() {
    let (c, d) = sip(
        "[general]\ntlsenable=yes\n[alice]\ntype=friend\nhost=dynamic\ntransport=tls\nencryption=yes\n\
         [bob]\ntype=friend\nhost=dynamic\n",
    );
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(c.peers[0].transports, vec![Transport::Tls]);
    assert!(c.peers[0].common.encryption);
    assert!(!c.peers[1].common.encryption);
}

#[test]
fn encryption_in_general_is_every_peers_default() {
    let (c, _) = sip("[general]\nencryption=yes\n[p]\ntype=peer\nhost=dynamic\n");
    assert!(c.general.common.encryption);
    assert!(c.peers[0].common.encryption);
}
