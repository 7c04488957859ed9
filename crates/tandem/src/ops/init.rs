//! `tandem init --config DIR`: a commented starter configuration (two phones, a trunk,
//! voicemail, an IVR, the media ports, the metrics endpoint) that `tandem check` accepts.
//! Existing files are never overwritten: if any of them exists, nothing is written.

use std::path::Path;
use std::process::ExitCode;

/// (file name, contents).
pub const FILES: &[(&str, &str)] = &[
    ("sip.conf", include_str!("starter/sip.conf")),
    ("extensions.conf", include_str!("starter/extensions.conf")),
    ("voicemail.conf", include_str!("starter/voicemail.conf")),
    ("rtp.conf", include_str!("starter/rtp.conf")),
    ("http.conf", include_str!("starter/http.conf")),
];

pub fn run(dir: &Path) -> ExitCode {
    let existing: Vec<&str> = FILES
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| dir.join(name).exists())
        .collect();
    if !existing.is_empty() {
        eprintln!(
            "tandem: {} already has {}: nothing written (tandem init never overwrites)",
            dir.display(),
            existing.join(", ")
        );
        return ExitCode::from(1);
    }
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("tandem: {}: {e}", dir.display());
        return ExitCode::from(1);
    }
    for (name, text) in FILES {
        let path = dir.join(name);
        // create_new: a file that appeared meanwhile is still not overwritten.
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
        if let Err(e) = written {
            eprintln!("tandem: {}: {e}", path.display());
            return ExitCode::from(1);
        }
        println!("wrote {}", path.display());
    }
    println!(
        "Next: change the passwords marked CHANGE ME, then `tandem check --config {0}` and \
         `tandem run --config {0}`.",
        dir.display()
    );
    ExitCode::SUCCESS
}
