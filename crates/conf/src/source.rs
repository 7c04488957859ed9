//! Where config text comes from.
//!
//! The parser never touches the file system itself: it asks a [`Source`] for the text of a file
//! and for the names matching a glob pattern. Paths are relative to the config directory unless
//! absolute, exactly as Asterisk resolves `#include` against `ast_config_AST_CONFIG_DIR`.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use crate::glob::{has_magic, match_component};

/// Largest file a [`FsSource`] reads (bounded allocation on hostile input).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The parser's view of the config directory.
pub trait Source {
    /// The text of `path` (relative to the config directory, or absolute).
    fn read(&self, path: &str) -> io::Result<String>;
    /// The files matching `pattern` (`*`, `?`, `[...]` per path component), sorted. Paths come
    /// back in the same form as the pattern: relative to the config directory, or absolute.
    fn glob(&self, pattern: &str) -> io::Result<Vec<String>>;
}

/// `./a//b.conf` -> `a/b.conf`; a leading `/` stays. `..` is kept as written.
pub fn normalize(path: &str) -> String {
    let absolute = path.starts_with('/');
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// Files under a config directory.
#[derive(Clone, Debug)]
pub struct FsSource {
    dir: PathBuf,
}

impl FsSource {
    pub fn new(config_dir: impl Into<PathBuf>) -> Self {
        FsSource {
            dir: config_dir.into(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn resolve(&self, path: &str) -> PathBuf {
        if path.starts_with('/') {
            PathBuf::from(path)
        } else {
            self.dir.join(path)
        }
    }
}

impl Source for FsSource {
    fn read(&self, path: &str) -> io::Result<String> {
        let full = self.resolve(path);
        let meta = std::fs::metadata(&full)?;
        if !meta.is_file() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a regular file",
            ));
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("file larger than {MAX_FILE_BYTES} bytes"),
            ));
        }
        let bytes = std::fs::read(&full)?;
        Ok(match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        })
    }

    fn glob(&self, pattern: &str) -> io::Result<Vec<String>> {
        let absolute = pattern.starts_with('/');
        let comps: Vec<&str> = pattern
            .split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .collect();
        // Each candidate: (the name as returned, the path on disk).
        let root = if absolute {
            PathBuf::from("/")
        } else {
            self.dir.clone()
        };
        let mut cands: Vec<(String, PathBuf)> = vec![(
            if absolute {
                "/".to_string()
            } else {
                String::new()
            },
            root,
        )];
        for (i, comp) in comps.iter().enumerate() {
            let last = i + 1 == comps.len();
            let mut next = Vec::new();
            for (name, disk) in &cands {
                let join = |n: &str| {
                    if name.is_empty() || name.ends_with('/') {
                        format!("{name}{n}")
                    } else {
                        format!("{name}/{n}")
                    }
                };
                if !has_magic(comp) {
                    let literal = crate::glob::unescape(comp);
                    let p = disk.join(&literal);
                    let ok = if last { p.is_file() } else { p.is_dir() };
                    if ok {
                        next.push((join(&literal), p));
                    }
                    continue;
                }
                let entries = match std::fs::read_dir(disk) {
                    Ok(e) => e,
                    Err(_) => continue,
                };
                let mut found = Vec::new();
                for entry in entries.flatten() {
                    let fname = entry.file_name();
                    let Some(fname) = fname.to_str() else {
                        continue;
                    };
                    if !match_component(comp, fname) {
                        continue;
                    }
                    let p = entry.path();
                    let ok = if last { p.is_file() } else { p.is_dir() };
                    if ok {
                        found.push((join(fname), p));
                    }
                }
                next.extend(found);
            }
            cands = next;
            if cands.is_empty() {
                break;
            }
        }
        let mut out: Vec<String> = cands.into_iter().map(|(n, _)| n).collect();
        out.sort();
        Ok(out)
    }
}

/// An in-memory config directory for tests: path -> text.
#[derive(Clone, Debug, Default)]
pub struct MemSource {
    files: BTreeMap<String, String>,
}

impl MemSource {
    pub fn new() -> Self {
        MemSource::default()
    }

    pub fn with(mut self, path: &str, text: &str) -> Self {
        self.insert(path, text);
        self
    }

    pub fn insert(&mut self, path: &str, text: &str) {
        self.files.insert(normalize(path), text.to_string());
    }
}

impl Source for MemSource {
    fn read(&self, path: &str) -> io::Result<String> {
        self.files
            .get(&normalize(path))
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "No such file or directory"))
    }

    fn glob(&self, pattern: &str) -> io::Result<Vec<String>> {
        let pattern = normalize(pattern);
        Ok(self
            .files
            .keys()
            .filter(|k| crate::glob::match_path(&pattern, k))
            .cloned()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_drops_dot_and_double_slashes() {
        assert_eq!(normalize("./a//b.conf"), "a/b.conf");
        assert_eq!(normalize("/etc/./x.conf"), "/etc/x.conf");
    }

    #[test]
    fn mem_source_glob_is_sorted_and_per_component() {
        let s = MemSource::new()
            .with("sip.d/b.conf", "")
            .with("sip.d/a.conf", "")
            .with("sip.d/sub/c.conf", "")
            .with("sip.conf", "");
        assert_eq!(
            s.glob("sip.d/*.conf").unwrap_or_default(),
            vec!["sip.d/a.conf", "sip.d/b.conf"]
        );
    }

    #[test]
    fn fs_source_reads_lossily_and_globs_sorted() {
        let dir = std::env::temp_dir().join(format!("tandem-conf-src-{}", std::process::id()));
        let d = dir.join("inc.d");
        assert!(std::fs::create_dir_all(&d).is_ok());
        assert!(std::fs::write(d.join("b.conf"), b"x=\xff\n").is_ok());
        assert!(std::fs::write(d.join("a.conf"), b"y=1\n").is_ok());
        assert!(std::fs::write(d.join(".hidden.conf"), b"").is_ok());
        assert!(std::fs::write(d.join("a.txt"), b"").is_ok());
        let src = FsSource::new(&dir);
        assert_eq!(
            src.read("inc.d/b.conf").ok().as_deref(),
            Some("x=\u{fffd}\n")
        );
        assert_eq!(
            src.glob("inc.d/*.conf").ok(),
            Some(vec!["inc.d/a.conf".into(), "inc.d/b.conf".into()])
        );
        assert_eq!(
            src.glob("*/a.*").ok(),
            Some(vec!["inc.d/a.conf".into(), "inc.d/a.txt".into()])
        );
        assert_eq!(src.glob("nope/*.conf").ok(), Some(vec![]));
        assert_eq!(
            src.read("missing.conf").map_err(|e| e.kind()).err(),
            Some(io::ErrorKind::NotFound)
        );
        let abs = format!("{}/inc.d/[a]*.conf", dir.display());
        assert_eq!(
            src.glob(&abs).ok(),
            Some(vec![format!("{}/inc.d/a.conf", dir.display())])
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
