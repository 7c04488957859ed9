//! Where `Playback(name)` finds `name`: the sounds directory (`DATA/sounds`), then the
//! prompts that ship with tandem; in each, `LANG/name` before `name` (Asterisk's
//! `fileexists_core`: the language directory first). An absolute name is used as it is.
//! Among the formats of one name, the one that needs the least work for the channel's codec
//! wins (Asterisk picks the cheapest translation path).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tandem_codec::CodecKind;

use super::wav::FileFormat;

static SOUNDS_DIR: OnceLock<PathBuf> = OnceLock::new();

/// The daemon's sounds directory: `DATA/sounds`. Set once, at start.
pub fn configure(data: &Path) {
    let _ = SOUNDS_DIR.set(data.join("sounds"));
}

/// The prompts tandem ships: `$TANDEM_PROMPTS` if set, else `share/tandem/sounds` beside the
/// binary's directory (an installed tandem), else the source tree's `prompts/sounds`.
pub fn shipped_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("TANDEM_PROMPTS") {
        return PathBuf::from(dir);
    }
    if let Some(installed) = std::env::current_exe()
        .ok()
        .and_then(|exe| {
            exe.parent()
                .and_then(Path::parent)
                .map(|p| p.join("share/tandem/sounds"))
        })
        .filter(|p| p.is_dir())
    {
        return installed;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../prompts/sounds")
}

/// The directories searched, in order.
pub fn search_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::with_capacity(2);
    if let Some(d) = SOUNDS_DIR.get() {
        dirs.push(d.clone());
    }
    dirs.push(shipped_dir());
    dirs
}

/// File formats to try for a channel in `codec`, cheapest first.
pub fn preference(codec: CodecKind) -> [FileFormat; 4] {
    use FileFormat::{Alaw, Ulaw, Wav, G722};
    match codec {
        CodecKind::Pcma => [Alaw, Ulaw, Wav, G722],
        CodecKind::G722 | CodecKind::Slin16 => [G722, Wav, Ulaw, Alaw],
        _ => [Ulaw, Alaw, Wav, G722],
    }
}

/// Find `name` for a channel speaking `language` in `codec`; `None` when no file exists.
pub fn find(
    name: &str,
    language: &str,
    codec: CodecKind,
    dirs: &[PathBuf],
) -> Option<(PathBuf, FileFormat)> {
    if name.is_empty() || name.len() > 1024 || name.contains('\0') {
        return None;
    }
    let formats = preference(codec);
    let bases: Vec<PathBuf> = if name.starts_with('/') {
        vec![PathBuf::from(name)]
    } else {
        let lang = if language.is_empty() { "en" } else { language };
        // `..` must not climb out of the sounds directories.
        if name.split('/').any(|c| c == "..") || lang.contains('/') || lang.contains("..") {
            return None;
        }
        dirs.iter()
            .flat_map(|d| [d.join(lang).join(name), d.join(name)])
            .collect()
    };
    for base in bases {
        for f in formats {
            let mut p = base.clone().into_os_string();
            p.push(".");
            p.push(f.extension());
            let p = PathBuf::from(p);
            if p.is_file() {
                return Some((p, f));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("tandem-sounds-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("en/digits")).unwrap_or_else(|e| panic!("{e}"));
        d
    }

    #[test]
    fn language_directory_wins_over_the_plain_one_and_first_dir_over_shipped() {
        let a = tmp("a");
        let b = tmp("b");
        std::fs::write(a.join("hello.wav"), b"x").unwrap_or_default();
        std::fs::write(a.join("en/hello.wav"), b"x").unwrap_or_default();
        std::fs::write(b.join("en/hello.wav"), b"x").unwrap_or_default();
        let dirs = [a.clone(), b.clone()];
        let (p, f) = find("hello", "en", CodecKind::Pcmu, &dirs).unwrap_or_else(|| panic!("found"));
        assert_eq!((p, f), (a.join("en/hello.wav"), FileFormat::Wav));
        std::fs::write(b.join("only-shipped.ulaw"), b"x").unwrap_or_default();
        let (p, _) =
            find("only-shipped", "en", CodecKind::Pcmu, &dirs).unwrap_or_else(|| panic!("found"));
        assert_eq!(p, b.join("only-shipped.ulaw"));
    }

    #[test]
    fn the_format_of_the_channel_codec_is_preferred() {
        let a = tmp("c");
        std::fs::write(a.join("x.wav"), b"x").unwrap_or_default();
        std::fs::write(a.join("x.alaw"), b"x").unwrap_or_default();
        std::fs::write(a.join("x.ulaw"), b"x").unwrap_or_default();
        let dirs = [a.clone()];
        assert_eq!(
            find("x", "", CodecKind::Pcma, &dirs).map(|r| r.1),
            Some(FileFormat::Alaw)
        );
        assert_eq!(
            find("x", "", CodecKind::Pcmu, &dirs).map(|r| r.1),
            Some(FileFormat::Ulaw)
        );
        assert_eq!(
            find("x", "", CodecKind::G722, &dirs).map(|r| r.1),
            Some(FileFormat::Wav)
        );
    }

    #[test]
    fn absolute_names_without_extension_and_no_escape_with_dotdot() {
        let a = tmp("d");
        std::fs::write(a.join("abs.wav"), b"x").unwrap_or_default();
        let abs = a.join("abs");
        let name = abs.to_string_lossy().to_string();
        assert_eq!(
            find(&name, "en", CodecKind::Pcmu, &[]).map(|r| r.0),
            Some(a.join("abs.wav"))
        );
        let dirs = [a.join("en")];
        assert_eq!(find("../abs", "en", CodecKind::Pcmu, &dirs), None);
        assert_eq!(find("missing", "en", CodecKind::Pcmu, &dirs), None);
    }

    #[test]
    fn the_shipped_prompts_are_8k_wavs_found_by_name() {
        let dirs = [shipped_dir()];
        for name in [
            "demo-congrats",
            "demo-echotest",
            "demo-echodone",
            "digits/0",
            "digits/9",
        ] {
            let (path, format) =
                find(name, "en", CodecKind::Pcmu, &dirs).unwrap_or_else(|| panic!("{name} ships"));
            assert_eq!(format, FileFormat::Wav);
            let bytes = std::fs::read(&path).unwrap_or_default();
            let pcm =
                super::super::wav::decode(format, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(pcm.rate, 8000, "{name}");
            assert!(pcm.seconds() > 0.3, "{name} is speech: {} s", pcm.seconds());
        }
    }
}
