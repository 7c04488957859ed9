//! Certificates for TLS tests, made with the `openssl` tool: a test CA, leaf certificates it
//! signs, and a self-signed stranger.

use std::path::Path;
use std::process::Command;

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
/// 127.0.0.1, server and client use) and a self-signed `mallory`: each as NAME.crt and
/// NAME.key, and NAME.pem (certificate then key, baresip's format). `openssl` is the tool's
/// path ([`crate::require_tool`]).
pub fn make_certs(openssl_bin: &Path, dir: &Path, names: &[&str]) {
    let tool = openssl_bin;
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("mkdir {}: {e}", dir.display()));
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
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
        let (key, csr, crt) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.crt"),
        );
        let subj = format!("/CN={name}");
        let mut req = vec!["req", "-new", "-subj", &subj];
        req.extend(ec);
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
                "leaf.ext",
                "-out",
                &crt,
            ],
        );
        join_pem(dir, name);
    }
    let mut own = vec!["req", "-x509", "-days", "2", "-subj", "/CN=mallory"];
    own.extend(ec);
    own.extend(["-keyout", "mallory.key", "-out", "mallory.crt"]);
    openssl(tool, dir, &own);
    join_pem(dir, "mallory");
}

fn join_pem(dir: &Path, name: &str) {
    let read = |f: String| std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{e}"));
    let mut pem = read(format!("{name}.crt"));
    pem.extend(read(format!("{name}.key")));
    std::fs::write(dir.join(format!("{name}.pem")), pem).unwrap_or_else(|e| panic!("{e}"));
}
