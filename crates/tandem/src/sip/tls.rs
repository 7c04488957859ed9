//! SIP over TLS (RFC 3261 sec. 26, `SIP/2.0/TLS`, port 5061): rustls over the TCP transport's
//! connection code ([`super::tcp::serve`]: Content-Length framing, per-connection tasks,
//! responses and requests to a peer reuse its connection, security screening of every
//! message). Bounded as TCP is (connections in all and per source, idle timeout), plus a
//! handshake timeout; a source counts against its limit from the start of its handshake.
//!
//! sip.conf `[general]`: `tlsenable`, `tlsbindaddr`, `tlscertfile`, `tlsprivatekey` (empty:
//! the key is in the certificate file, as Asterisk), `tlscafile`, `tlsverifyclient` (clients
//! must show a certificate signed by `tlscafile`), `tlsdontverifyserver`. rustls speaks TLS 1.2
//! and 1.3 with its own safe suites only (`tlscipher` is warned about when loading).
//!
//! Messages tandem sends over TLS carry a Contact of the TLS listener with `;transport=tls`,
//! so the phone sends its in-dialog requests over TLS too.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tandem_conf::views::sip::Tls;
use tandem_sip::message::Transport;
use tandem_sip::ua::TxnId;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::{TlsAcceptor, TlsConnector};

use super::calls::EndpointCmd;
use super::tcp::{accept_failed, serve, transport_failed, TcpLinks, WRITE_QUEUE};

/// A TLS handshake that takes longer is abandoned (a stranger cannot hold a slot with a
/// half-open handshake).
const HANDSHAKE: Duration = Duration::from_secs(10);

/// The TLS connections and what tandem needs to open and use them.
#[derive(Clone)]
pub struct TlsLinks {
    links: TcpLinks,
    connector: Option<TlsConnector>,
    /// The UA's own Contact address (UDP) and the TLS one that replaces it over TLS.
    udp_contact: SocketAddr,
    tls_contact: Option<SocketAddr>,
}

/// Start TLS when `tlsenable=yes`: load the certificates, listen, and return the links the
/// endpoint sends on. Disabled TLS gives links that refuse to send.
pub async fn start(
    tls: &Tls,
    udp_contact: SocketAddr,
    links: TcpLinks,
    to_endpoint: mpsc::Sender<EndpointCmd>,
) -> std::io::Result<TlsLinks> {
    let mut out = TlsLinks {
        links,
        connector: None,
        udp_contact,
        tls_contact: None,
    };
    let Some(addr) = tls.bind() else {
        return Ok(out);
    };
    let (server, client) = configs(tls).map_err(std::io::Error::other)?;
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    tracing::info!("SIP listening on tls {local}");
    out.connector = Some(TlsConnector::from(Arc::new(client)));
    let contact_ip = if local.ip().is_unspecified() {
        udp_contact.ip()
    } else {
        local.ip()
    };
    out.tls_contact = Some(SocketAddr::new(contact_ip, local.port()));
    let acceptor = TlsAcceptor::from(Arc::new(server));
    let links = out.links.clone();
    tokio::spawn(async move {
        loop {
            let (stream, peer) = match listener.accept().await {
                Ok(c) => c,
                Err(e) => {
                    accept_failed("tls", &e).await;
                    continue;
                }
            };
            if links.is_banned(peer) {
                continue; // dropped unanswered
            }
            let (tx, rx) = mpsc::channel(WRITE_QUEUE);
            if !links.admit(peer, tx) {
                links.note_refused("tls", peer);
                continue;
            }
            let (acceptor, links, to) = (acceptor.clone(), links.clone(), to_endpoint.clone());
            tokio::spawn(async move {
                match tokio::time::timeout(HANDSHAKE, acceptor.accept(stream)).await {
                    Ok(Ok(tls)) => {
                        tracing::debug!("SIP tls: {peer} connected");
                        serve(tls, peer, rx, links, to, Transport::Tls, true).await;
                    }
                    Ok(Err(e)) => {
                        tracing::info!("SIP tls: handshake with {peer} failed: {e}");
                        links.forget(peer);
                    }
                    Err(_) => {
                        tracing::info!("SIP tls: handshake with {peer} timed out");
                        links.forget(peer);
                    }
                }
            });
        }
    });
    Ok(out)
}

impl TlsLinks {
    /// Send over the TLS connection to `dest`, opening one first when there is none. When it
    /// cannot be opened (refused, or the server's certificate does not verify against
    /// `tlscafile` unless `tlsdontverifyserver=yes`), transaction `txn` fails at once.
    pub fn send_or_connect(
        &self,
        dest: SocketAddr,
        bytes: Vec<u8>,
        txn: Option<TxnId>,
        to_endpoint: &mpsc::Sender<EndpointCmd>,
    ) {
        let Some(tls_contact) = self.tls_contact else {
            tracing::warn!("SIP: a message for {dest} over TLS, but tlsenable=no; not sent");
            if let Some(txn) = txn {
                let _ = to_endpoint.try_send(EndpointCmd::TransportError(txn));
            }
            return;
        };
        let bytes = contact_over_tls(bytes, self.udp_contact, tls_contact);
        if self.links.send(dest, bytes.clone()) {
            return;
        }
        let Some(connector) = self.connector.clone() else {
            return;
        };
        let links = self.links.clone();
        let to = to_endpoint.clone();
        tokio::spawn(async move {
            let (tx, rx) = mpsc::channel(WRITE_QUEUE);
            if !links.admit(dest, tx.clone()) {
                tracing::warn!("SIP tls: connection limit reached, not connecting to {dest}");
                return transport_failed(&to, txn).await;
            }
            let connect = async {
                let tcp = TcpStream::connect(dest).await?;
                connector
                    .connect(ServerName::IpAddress(dest.ip().into()), tcp)
                    .await
            };
            match tokio::time::timeout(HANDSHAKE, connect).await {
                Ok(Ok(stream)) => {
                    tracing::info!("SIP tls: connected to {dest}");
                    let _ = tx.try_send(bytes);
                    serve(stream, dest, rx, links, to, Transport::Tls, false).await;
                }
                Ok(Err(e)) => {
                    tracing::warn!("SIP tls: cannot connect to {dest}: {e}");
                    links.forget(dest);
                    transport_failed(&to, txn).await;
                }
                Err(_) => {
                    tracing::warn!("SIP tls: connecting to {dest} timed out");
                    links.forget(dest);
                    transport_failed(&to, txn).await;
                }
            }
        });
    }
}

/// The server and client configurations from sip.conf's TLS options.
fn configs(tls: &Tls) -> Result<(rustls::ServerConfig, rustls::ClientConfig), String> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&tls.certfile)
        .map_err(|e| format!("tlscertfile {}: {e}", tls.certfile))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("tlscertfile {}: {e}", tls.certfile))?;
    if certs.is_empty() {
        return Err(format!("tlscertfile {}: no certificate", tls.certfile));
    }
    let key_file = if tls.privatekey.is_empty() {
        &tls.certfile
    } else {
        &tls.privatekey
    };
    let key = PrivateKeyDer::from_pem_file(key_file)
        .map_err(|e| format!("tlsprivatekey {key_file}: {e}"))?;
    let roots = Arc::new(roots(tls)?);
    let builder = rustls::ServerConfig::builder();
    let server = if tls.verifyclient {
        if roots.is_empty() {
            return Err("tlsverifyclient=yes needs a tlscafile with the client CA".into());
        }
        let verifier = rustls::server::WebPkiClientVerifier::builder(roots.clone())
            .build()
            .map_err(|e| format!("tlscafile {}: {e}", tls.cafile))?;
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    }
    .with_single_cert(certs.clone(), key.clone_key())
    .map_err(|e| format!("tlscertfile/tlsprivatekey: {e}"))?;
    let client = if tls.dontverifyserver {
        rustls::ClientConfig::builder()
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(danger::NoServerVerification::new()))
    } else if roots.is_empty() {
        // No CA: no server verifies (chan_sip: "Certificate did not verify").
        rustls::ClientConfig::builder().with_root_certificates(roots)
    } else {
        // webpki's chain and name checks, and chan_sip's Common Name check when the name
        // check fails ([`super::tls_names`]).
        let webpki = rustls::client::WebPkiServerVerifier::builder(roots)
            .build()
            .map_err(|e| format!("tlscafile/tlscapath: {e}"))?;
        rustls::ClientConfig::builder()
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(super::tls_names::AsteriskNames(webpki)))
    };
    // Our certificate doubles as the client certificate (a peer with tlsverifyclient).
    let client = client
        .with_client_auth_cert(certs, key)
        .map_err(|e| format!("tlscertfile/tlsprivatekey: {e}"))?;
    Ok((server, client))
}

/// Files read from `tlscapath` at most (a CA directory holds a few dozen).
const MAX_CAPATH_FILES: usize = 4096;

/// The CA certificates of `tlscafile` and of every PEM file in `tlscapath` (chan_sip hands
/// both to OpenSSL's `SSL_CTX_load_verify_locations`; OpenSSL looks a directory's files up by
/// their hashed names, tandem reads them all). Files in the directory that hold no
/// certificate are skipped.
fn roots(tls: &Tls) -> Result<rustls::RootCertStore, String> {
    let mut roots = rustls::RootCertStore::empty();
    let mut add_file = |path: &Path, what: &str, strict: bool| -> Result<(), String> {
        let certs = match CertificateDer::pem_file_iter(path) {
            Ok(it) => it.collect::<Result<Vec<_>, _>>(),
            Err(e) => return Err(format!("{what} {}: {e}", path.display())),
        };
        match certs {
            Ok(certs) => {
                for cert in certs {
                    roots
                        .add(cert)
                        .map_err(|e| format!("{what} {}: {e}", path.display()))?;
                }
                Ok(())
            }
            Err(e) if strict => Err(format!("{what} {}: {e}", path.display())),
            Err(_) => Ok(()),
        }
    };
    if !tls.cafile.is_empty() {
        add_file(Path::new(&tls.cafile), "tlscafile", true)?;
    }
    if !tls.capath.is_empty() {
        let dir =
            std::fs::read_dir(&tls.capath).map_err(|e| format!("tlscapath {}: {e}", tls.capath))?;
        let mut files: Vec<PathBuf> = dir
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .take(MAX_CAPATH_FILES)
            .collect();
        files.sort();
        for f in files {
            add_file(&f, "tlscapath", false)?;
        }
    }
    Ok(roots)
}

/// Over TLS, tandem's Contact names the TLS listener with `;transport=tls` (the UA writes its
/// UDP address). Only the header lines named Contact (or `m`) change.
pub fn contact_over_tls(bytes: Vec<u8>, udp: SocketAddr, tls: SocketAddr) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return bytes;
    };
    let Some(end) = text.find("\r\n\r\n") else {
        return bytes;
    };
    let (head, body) = text.split_at(end);
    let from = format!("{udp}>");
    if !head.contains(&from) {
        return bytes;
    }
    let to = format!("{tls};transport=tls>");
    let mut out = String::with_capacity(text.len() + 32);
    for (i, line) in head.split("\r\n").enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        let name = line.split(':').next().unwrap_or("").trim();
        if name.eq_ignore_ascii_case("contact") || name.eq_ignore_ascii_case("m") {
            out.push_str(&line.replace(&from, &to));
        } else {
            out.push_str(line);
        }
    }
    out.push_str(body);
    out.into_bytes()
}

mod danger {
    //! `tlsdontverifyserver=yes`: tandem as a TLS client accepts any server certificate
    //! (signatures are still checked, so the handshake stays sound).
    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use rustls::{DigitallySignedStruct, Error, SignatureScheme};

    #[derive(Debug)]
    pub struct NoServerVerification(rustls::crypto::WebPkiSupportedAlgorithms);

    impl NoServerVerification {
        pub fn new() -> Self {
            NoServerVerification(
                rustls::crypto::ring::default_provider().signature_verification_algorithms,
            )
        }
    }

    impl ServerCertVerifier for NoServerVerification {
        fn verify_server_cert(
            &self,
            _end_entity: &CertificateDer<'_>,
            _intermediates: &[CertificateDer<'_>],
            _server_name: &ServerName<'_>,
            _ocsp: &[u8],
            _now: UnixTime,
        ) -> Result<ServerCertVerified, Error> {
            Ok(ServerCertVerified::assertion())
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, Error> {
            rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, Error> {
            rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.0.supported_schemes()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreadable_tlscapath_is_an_error_and_files_without_certificates_are_skipped() {
        let dir = std::env::temp_dir().join(format!("tandem-capath-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("README"), "not a certificate\n").unwrap();
        let tls = |capath: &Path| Tls {
            capath: capath.display().to_string(),
            ..Tls::default()
        };
        assert!(roots(&tls(&dir)).unwrap().is_empty());
        let err = roots(&tls(&dir.join("nowhere"))).unwrap_err();
        assert!(err.starts_with("tlscapath "), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn contact_names_the_tls_listener_with_transport_tls_and_nothing_else_changes() {
        let udp: SocketAddr = "192.0.2.1:5060".parse().unwrap();
        let tls: SocketAddr = "192.0.2.1:5061".parse().unwrap();
        let msg = "SIP/2.0 200 OK\r\nVia: SIP/2.0/TLS 192.0.2.9:5000\r\nContact: <sip:s@192.0.2.1:5060>\r\n\
                   X-Note: <sip:s@192.0.2.1:5060>\r\nContent-Length: 28\r\n\r\nc=IN IP4 <sip:192.0.2.1:5060>";
        let out = String::from_utf8(contact_over_tls(msg.as_bytes().to_vec(), udp, tls)).unwrap();
        assert!(out.contains("Contact: <sip:s@192.0.2.1:5061;transport=tls>\r\n"));
        assert!(out.contains("X-Note: <sip:s@192.0.2.1:5060>"));
        assert!(out.ends_with("\r\n\r\nc=IN IP4 <sip:192.0.2.1:5060>"));
        let compact = "REGISTER sip:x SIP/2.0\r\nm: <sip:192.0.2.1:5060>\r\n\r\n";
        let out =
            String::from_utf8(contact_over_tls(compact.as_bytes().to_vec(), udp, tls)).unwrap();
        assert!(out.contains("m: <sip:192.0.2.1:5061;transport=tls>"));
    }
}
