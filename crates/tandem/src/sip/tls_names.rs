//! The server name check of tandem as a TLS client, as chan_sip does it on top of the usual
//! one. main/tcptls.c (`handle_tcptls_connection`) compares the peer's host text (`tohost`:
//! what `host=` says, an IP address for a peer dialled by address) with the certificate's
//! Common Names, then its DNS subjectAltNames, ignoring case; webpki compares an address with
//! the IP subjectAltNames only and never reads the Common Name. tandem accepts a certificate
//! when either check passes: one that chains to `tlscafile` and names the address in its CN
//! (common with certificates made for Asterisk) works as in Asterisk, and a standard one with
//! an IP subjectAltName works too. The chain is always verified first (webpki checks it
//! before the name, so a name error means the chain was good).

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, Error, SignatureScheme};

/// webpki's verifier, with chan_sip's Common Name / DNS name check as a second chance.
#[derive(Debug)]
pub struct AsteriskNames(pub Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AsteriskNames {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if names(end_entity)
                .iter()
                .any(|n| n.eq_ignore_ascii_case(&host_text(server_name))) =>
            {
                Ok(ServerCertVerified::assertion())
            }
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// The host as chan_sip holds it: an address as text, or the DNS name.
fn host_text(name: &ServerName<'_>) -> String {
    match name {
        ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
        ServerName::DnsName(d) => d.as_ref().to_string(),
        _ => String::new(),
    }
}

/// Names a certificate gives, at most this many (a certificate from the network).
const MAX_NAMES: usize = 64;

/// One DER element: (tag, contents, what follows), or None if it does not fit.
fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let (bytes, rest) = rest.split_at(n);
        (
            bytes.iter().fold(0usize, |a, b| (a << 8) | usize::from(*b)),
            rest,
        )
    };
    if rest.len() < len {
        return None;
    }
    let (body, rest) = rest.split_at(len);
    Some((tag, body, rest))
}

/// The elements of a constructed value, at most `max`.
fn children(mut body: &[u8], max: usize) -> Vec<(u8, &[u8])> {
    let mut out = Vec::new();
    while out.len() < max {
        let Some((tag, inner, rest)) = tlv(body) else {
            break;
        };
        out.push((tag, inner));
        body = rest;
    }
    out
}

const OID_COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];
const OID_SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1d, 0x11];

/// The certificate's subject Common Names, then its DNS subjectAltNames (what chan_sip
/// compares with the host); empty if it does not parse.
pub fn names(cert: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let Some((0x30, certificate, _)) = tlv(cert) else {
        return out;
    };
    let Some((0x30, tbs, _)) = tlv(certificate) else {
        return out;
    };
    let fields = children(tbs, 12);
    // [0] version (optional), serial, signature, issuer, validity, subject, key, ...
    let skip = usize::from(fields.first().is_some_and(|f| f.0 == 0xa0));
    if let Some(&(0x30, subject)) = fields.get(skip + 4) {
        for (_, rdn) in children(subject, MAX_NAMES) {
            for (_, attr) in children(rdn, MAX_NAMES) {
                let parts = children(attr, 2);
                if let [(0x06, oid), (_, value)] = parts.as_slice() {
                    if *oid == OID_COMMON_NAME && out.len() < MAX_NAMES {
                        out.push(String::from_utf8_lossy(value).into_owned());
                    }
                }
            }
        }
    }
    let extensions = fields.iter().find(|f| f.0 == 0xa3).map(|f| f.1);
    let Some((0x30, list, _)) = extensions.and_then(tlv) else {
        return out;
    };
    for (_, ext) in children(list, MAX_NAMES) {
        let parts = children(ext, 3);
        let (Some((0x06, oid)), Some((0x04, value))) = (parts.first(), parts.last()) else {
            continue;
        };
        if *oid != OID_SUBJECT_ALT_NAME {
            continue;
        }
        let Some((0x30, general_names, _)) = tlv(value) else {
            continue;
        };
        for (tag, name) in children(general_names, MAX_NAMES) {
            // dNSName [2] IA5String
            if tag == 0x82 && out.len() < MAX_NAMES {
                out.push(String::from_utf8_lossy(name).into_owned());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_gives_no_names_and_no_panic() {
        for bytes in [
            &[][..],
            &[0x30],
            &[0x30, 0x84, 0xff, 0xff, 0xff, 0xff],
            &[0x30, 0x03, 0x30, 0x01],
            &[0x30, 0x82, 0x00],
        ] {
            assert!(names(bytes).is_empty(), "{bytes:?}");
        }
    }

    #[test]
    fn the_common_name_and_dns_names_are_read() {
        // TBSCertificate with version, serial, algorithm, issuer, validity, subject
        // CN=127.0.0.1, an empty key, and a subjectAltName with DNS pbx.example.
        let cn = [
            &[
                0x31, 0x12, 0x30, 0x10, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x09,
            ][..],
            b"127.0.0.1",
        ]
        .concat();
        let subject = [&[0x30, cn.len() as u8][..], &cn].concat();
        let san_names = [&[0x30, 0x0d, 0x82, 0x0b][..], b"pbx.example"].concat();
        let san_value = [&[0x04, san_names.len() as u8][..], &san_names].concat();
        let ext = [&[0x06, 0x03, 0x55, 0x1d, 0x11][..], &san_value].concat();
        let ext = [&[0x30, ext.len() as u8][..], &ext].concat();
        let exts = [&[0x30, ext.len() as u8][..], &ext].concat();
        let exts = [&[0xa3, exts.len() as u8][..], &exts].concat();
        let tbs_body = [
            &[0xa0, 0x03, 0x02, 0x01, 0x02][..],
            &[0x02, 0x01, 0x01],
            &[0x30, 0x00],
            &[0x30, 0x00],
            &[0x30, 0x00],
            &subject,
            &[0x30, 0x00],
            &exts,
        ]
        .concat();
        let tbs = [&[0x30, tbs_body.len() as u8][..], &tbs_body].concat();
        let cert = [&[0x30, tbs.len() as u8][..], &tbs].concat();
        assert_eq!(names(&cert), vec!["127.0.0.1", "pbx.example"]);
    }
}
