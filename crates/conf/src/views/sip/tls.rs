//! `[general]` TLS options of chan_sip (`ast_tls_read_conf` in main/tcptls.c): `tlsenable`,
//! `tlsbindaddr` (port 5061 when none is given), `tlscertfile`, `tlsprivatekey`, `tlscafile`,
//! `tlscapath`, `tlsverifyclient`, `tlsdontverifyserver`, `tlscipher`, and their `ssl*`
//! spellings.
//!
//! Where tandem differs: TLS is rustls, so only TLS 1.2 and 1.3 with rustls' safe suites are
//! spoken; `tlscipher` (an OpenSSL cipher list) is read and warned about, never used;
//! `tlsclientmethod` and the `tlsdisable*` switches stay unsupported (nothing older to disable).

use std::net::SocketAddr;

use crate::{Diagnostic, Item};

use super::super::util::parse_addr_port;
use super::bad_value;
use super::common::boolean;

/// The TLS port when `tlsbindaddr` gives none (chan_sip's `STANDARD_TLS_PORT`).
pub const DEFAULT_TLS_PORT: u16 = 5061;

/// TLS settings of `[general]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tls {
    /// `tlsenable` (default no).
    pub enabled: bool,
    /// `tlsbindaddr`; see [`Tls::bind`].
    pub bindaddr: Option<SocketAddr>,
    /// `tlscertfile`: PEM certificate chain (it may also hold the key).
    pub certfile: String,
    /// `tlsprivatekey`: PEM private key; empty means "in certfile" as Asterisk.
    pub privatekey: String,
    /// `tlscafile`: PEM roots that client certificates (tlsverifyclient) and servers are
    /// checked against.
    pub cafile: String,
    /// `tlscapath` (or `tlscadir`): a directory of PEM CA certificates, used with `cafile`
    /// (OpenSSL's `SSL_CTX_load_verify_locations(cafile, capath)` in chan_sip).
    pub capath: String,
    /// `tlsverifyclient` (default no): a client must show a certificate signed by `cafile`.
    pub verifyclient: bool,
    /// `tlsdontverifyserver` (default no): tandem as a client does not check the server.
    pub dontverifyserver: bool,
    /// `tlscipher` as written (ignored: rustls picks its own safe suites).
    pub cipher: String,
}

impl Tls {
    /// Where TLS listens when enabled: `tlsbindaddr`, port 5061 unless given.
    pub fn bind(&self) -> Option<SocketAddr> {
        if !self.enabled {
            return None;
        }
        let mut a = self
            .bindaddr
            .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0)));
        if a.port() == 0 {
            a.set_port(DEFAULT_TLS_PORT);
        }
        Some(a)
    }

    /// Handle `item` if it is a TLS option; false if it is not one.
    pub(crate) fn handle(
        &mut self,
        key: &str,
        item: &Item,
        section: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> bool {
        let v = item.value.trim();
        match key {
            "tlsenable" | "sslenable" => {
                if let Some(b) = boolean(item, section, diags) {
                    self.enabled = b;
                }
            }
            "tlsbindaddr" | "sslbindaddr" => match parse_addr_port(v) {
                Some((ip, port)) => {
                    self.bindaddr = Some(SocketAddr::new(ip, port.unwrap_or(0)));
                }
                None => diags.push(bad_value(
                    &item.span,
                    &item.key,
                    &item.value,
                    section,
                    "expected an IP address with an optional port",
                )),
            },
            "tlscertfile" | "sslcert" | "sslcertfile" => self.certfile = v.to_string(),
            "tlsprivatekey" | "sslprivatekey" => self.privatekey = v.to_string(),
            "tlscafile" | "sslcafile" => self.cafile = v.to_string(),
            "tlscapath" | "tlscadir" | "sslcapath" | "sslcadir" => self.capath = v.to_string(),
            "tlsverifyclient" | "sslverifyclient" => {
                if let Some(b) = boolean(item, section, diags) {
                    self.verifyclient = b;
                }
            }
            "tlsdontverifyserver" | "ssldontverifyserver" => {
                if let Some(b) = boolean(item, section, diags) {
                    self.dontverifyserver = b;
                }
            }
            "tlscipher" | "sslcipher" => {
                self.cipher = v.to_string();
                diags.push(Diagnostic::warning(
                    item.span.clone(),
                    format!(
                        "'{}' is ignored: tandem's TLS (rustls) speaks TLS 1.2 and 1.3 with its own safe cipher suites only",
                        item.key
                    ),
                ));
            }
            _ => return false,
        }
        true
    }
}
