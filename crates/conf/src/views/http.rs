//! `http.conf`: the HTTP server of Asterisk's `__ast_http_load` (main/http.c), `[general]` only.
//!
//! tandem serves `/metrics` (Prometheus text) and `/health` on it. Keys read: `enabled`
//! (default no, as Asterisk), `bindaddr` (default 0.0.0.0; Asterisk needs it set to serve at
//! all, tandem takes the wildcard), `bindport` (default 8088). Other Asterisk keys (TLS,
//! `prefix`, `sessionlimit`, ...) are warned about, never silently ignored. A bad value is an
//! error (Asterisk keeps the default and logs).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use super::util::port_str2int;
use crate::{ast_false, ast_true, Config, Diagnostic};

pub const DEFAULT_PORT: u16 = 8088;

const UNSUPPORTED: &[&str] = &[
    "servername",
    "prefix",
    "enablestatic",
    "redirect",
    "sessionlimit",
    "session_inactivity",
    "session_keep_alive",
    "tlsenable",
    "tlsbindaddr",
    "tlscertfile",
    "tlsprivatekey",
    "tlscipher",
    "tlscafile",
    "tlscapath",
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpConf {
    pub enabled: bool,
    pub bind: SocketAddr,
}

impl Default for HttpConf {
    fn default() -> Self {
        HttpConf {
            enabled: false,
            bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), DEFAULT_PORT),
        }
    }
}

impl HttpConf {
    pub fn from_config(cfg: &Config) -> (HttpConf, Vec<Diagnostic>) {
        let mut conf = HttpConf::default();
        let mut diags = Vec::new();
        for sec in cfg.sections.iter().filter(|s| !s.template) {
            if sec.name != "general" {
                diags.push(Diagnostic::warning(
                    sec.span.clone(),
                    format!(
                        "section [{}] is not supported in http.conf and is ignored",
                        sec.name
                    ),
                ));
                continue;
            }
            for item in &sec.items {
                let key = item.key.to_ascii_lowercase();
                let v = item.value.trim();
                match key.as_str() {
                    "enabled" => {
                        if ast_true(v) {
                            conf.enabled = true;
                        } else if ast_false(v) {
                            conf.enabled = false;
                        } else {
                            diags.push(Diagnostic::error(
                                item.span.clone(),
                                format!("enabled: '{v}' is not a yes/no value"),
                            ));
                        }
                    }
                    "bindaddr" => match v.parse::<IpAddr>() {
                        Ok(ip) => conf.bind.set_ip(ip),
                        Err(_) => diags.push(Diagnostic::error(
                            item.span.clone(),
                            format!("bindaddr: '{v}' is not an IP address"),
                        )),
                    },
                    "bindport" => match port_str2int(v) {
                        Some(p) if p > 0 => conf.bind.set_port(p),
                        _ => diags.push(Diagnostic::error(
                            item.span.clone(),
                            format!("bindport: '{v}' is not a port number"),
                        )),
                    },
                    k if UNSUPPORTED.contains(&k) => diags.push(Diagnostic::warning(
                        item.span.clone(),
                        format!("{k} is not supported by tandem and is ignored"),
                    )),
                    k => diags.push(Diagnostic::warning(
                        item.span.clone(),
                        format!("unknown option '{k}' in http.conf"),
                    )),
                }
            }
        }
        (conf, diags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{load, MemSource};

    fn view(text: &str) -> (HttpConf, Vec<Diagnostic>) {
        let src = MemSource::new().with("http.conf", text);
        let loaded = load(&src, "http.conf");
        HttpConf::from_config(&loaded.config)
    }

    #[test]
    fn disabled_by_default_on_port_8088() {
        let (c, d) = view("[general]\n");
        assert!(!c.enabled);
        assert_eq!(c.bind.port(), 8088);
        assert!(d.is_empty());
    }

    #[test]
    fn reads_enabled_bindaddr_bindport() {
        let (c, d) = view("[general]\nenabled=yes\nbindaddr=127.0.0.1\nbindport=9000\n");
        assert!(c.enabled);
        assert_eq!(c.bind, "127.0.0.1:9000".parse().unwrap());
        assert!(d.is_empty());
    }

    #[test]
    fn bad_port_is_an_error_with_its_line() {
        let (_, d) = view("[general]\nenabled=yes\nbindport=http\n");
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].to_string(),
            "http.conf:3: error: bindport: 'http' is not a port number"
        );
    }

    #[test]
    fn tls_options_are_warned_about() {
        let (_, d) = view("[general]\ntlsenable=yes\n");
        assert!(d[0]
            .to_string()
            .contains("warning: tlsenable is not supported"));
    }
}
