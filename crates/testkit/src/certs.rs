//! Certificates for TLS tests, made with the `openssl` tool: a test CA, leaf certificates it
//! signs, and a self-signed stranger.

use std::path::Path;
use std::process::Command;

/// A fresh P-256 key, unencrypted.
const EC: [&str; 5] = [
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
];

fn openssl(openssl: &Path, dir: &Path, args: &[&str]) {
    let out = Command::new(openssl)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("openssl: {e}"));
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// In `dir` (made if missing): a test CA (ca.pem, ca.key), certificates it signs for `names` (SAN IP
/// 127.0.0.1, server and client use), `legacy` (signed by the CA, CN=127.0.0.1, no
/// subjectAltName) and a self-signed `mallory`: each as NAME.crt and
/// NAME.key, and NAME.pem (certificate then key, baresip's format). `openssl` is the tool's
/// path ([`crate::require_tool`]).
pub fn make_certs(openssl_bin: &Path, dir: &Path, names: &[&str]) {
    let tool = openssl_bin;
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("mkdir {}: {e}", dir.display()));
    let ec = EC;
    let mut ca = vec!["req", "-x509", "-days", "2", "-subj", "/CN=tandem test CA"];
    ca.extend(ec);
    ca.extend(["-keyout", "ca.key", "-out", "ca.pem"]);
    openssl(tool, dir, &ca);
    std::fs::write(
        dir.join("leaf.ext"),
        "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1\n\
         extendedKeyUsage=serverAuth,clientAuth\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    for name in names {
        signed_leaf(tool, dir, name, &format!("/CN={name}"), "leaf.ext");
    }
    // `legacy`: signed by the CA, CN=127.0.0.1 and no subjectAltName (as Asterisk's
    // contrib/scripts/ast_tls_cert makes them).
    std::fs::write(
        dir.join("legacy.ext"),
        "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    signed_leaf(tool, dir, "legacy", "/CN=127.0.0.1", "legacy.ext");
    let mut own = vec!["req", "-x509", "-days", "2", "-subj", "/CN=mallory"];
    own.extend(ec);
    own.extend(["-keyout", "mallory.key", "-out", "mallory.crt"]);
    openssl(tool, dir, &own);
    join_pem(dir, "mallory");
}

/// NAME.key, NAME.crt (subject `subj`, signed by ca.pem with the extensions of `ext`) and
/// NAME.pem.
fn signed_leaf(tool: &Path, dir: &Path, name: &str, subj: &str, ext: &str) {
    let (key, csr, crt) = (
        format!("{name}.key"),
        format!("{name}.csr"),
        format!("{name}.crt"),
    );
    let mut req = vec!["req", "-new", "-subj", subj];
    req.extend(EC);
    req.extend(["-keyout", &key, "-out", &csr]);
    openssl(tool, dir, &req);
    openssl(
        tool,
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            ext,
            "-out",
            &crt,
        ],
    );
    join_pem(dir, name);
}

fn join_pem(dir: &Path, name: &str) {
    let read = |f: String| std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{e}"));
    let mut pem = read(format!("{name}.crt"));
    pem.extend(read(format!("{name}.key")));
    std::fs::write(dir.join(format!("{name}.pem")), pem).unwrap_or_else(|e| panic!("{e}"));
}
