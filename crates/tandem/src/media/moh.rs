//! Music on hold in `files` mode (Asterisk's res_musiconhold `moh_files_*`): a class is a
//! directory of sound files played one after the other and looped, as a [`generator`] on the
//! leg. Each channel keeps its own place: when its music stops and starts again in the same
//! class it goes on from the file and sample where it stopped (`save_pos`, `samples`);
//! `sort=random` picks a random file each time, `randstart` a random first file.
//!
//! Which class plays (`local_ast_moh_start`): the class asked for if it exists, else the
//! channel driver's `mohinterpret` class if it exists, else `default`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use tandem_conf::views::musiconhold::{MohClass, Sort};
use tandem_conf::views::MohConf;

use super::generator::{self, MohPosition, Source, FRAME};
use super::wav::{self, FileFormat};
use super::{player, sounds, MediaLeg};

/// Files read from one class directory (a bound of ours).
pub const MAX_FILES: usize = 512;

/// The generator kind of music on hold (StopMusicOnHold stops only this).
pub const KIND: &str = "moh";

/// Where a class's `directory` is looked for: as it is when absolute, else under the data
/// directory (`DATA/moh`), then beside the shipped prompts (`prompts/moh`).
fn class_dirs(directory: &str) -> Vec<PathBuf> {
    let p = Path::new(directory);
    if p.is_absolute() {
        return vec![p.to_path_buf()];
    }
    sounds::search_dirs()
        .iter()
        .filter_map(|d| d.parent().map(|parent| parent.join(directory)))
        .collect()
}

fn format_of(path: &Path) -> Option<FileFormat> {
    match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "wav" => Some(FileFormat::Wav),
        "ulaw" | "pcm" => Some(FileFormat::Ulaw),
        "alaw" => Some(FileFormat::Alaw),
        "g722" => Some(FileFormat::G722),
        _ => None,
    }
}

/// The playable files of a class, one per name (the first directory that has any wins), in
/// name order.
pub fn class_files(class: &MohClass) -> Vec<PathBuf> {
    for dir in class_dirs(&class.directory) {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file() && format_of(p).is_some())
            .take(MAX_FILES)
            .collect();
        files.sort();
        // One file per name without extension, as moh_scan_files.
        files.dedup_by(|a, b| a.file_stem() == b.file_stem());
        if !files.is_empty() {
            return files;
        }
    }
    Vec::new()
}

/// Pick the class as `local_ast_moh_start` does.
pub fn pick_class<'a>(
    conf: &'a MohConf,
    asked: Option<&str>,
    interp: Option<&str>,
) -> Option<&'a MohClass> {
    asked
        .filter(|c| !c.is_empty())
        .and_then(|c| conf.class(c))
        .or_else(|| interp.filter(|c| !c.is_empty()).and_then(|c| conf.class(c)))
        .or_else(|| conf.class("default"))
}

/// Start music on `leg`; the class that plays, or why none can.
pub fn start(
    conf: &MohConf,
    leg: &Arc<MediaLeg>,
    asked: Option<&str>,
    interp: Option<&str>,
) -> Result<String, String> {
    let class = pick_class(conf, asked, interp).ok_or_else(|| {
        format!(
            "no music on hold class '{}' (and no 'default')",
            asked.unwrap_or("")
        )
    })?;
    let files = class_files(class);
    if files.is_empty() {
        return Err(format!("No files available for class '{}'", class.name));
    }
    let seed = u64::from(leg.local.port())
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9e37_79b9);
    let source = MohSource::new(class, files, leg.generator.moh.clone(), seed);
    generator::start(leg, KIND, Box::new(source));
    tracing::info!(
        "RTP {}: started music on hold, class '{}'",
        leg.local,
        class.name
    );
    Ok(class.name.clone())
}

/// Stop music on `leg` (not other generators).
pub fn stop(leg: &MediaLeg) {
    generator::stop_kind(leg, KIND);
}

struct MohSource {
    class: String,
    sort: Sort,
    files: Vec<PathBuf>,
    /// The channel's place, shared with its generator slot.
    place: Arc<Mutex<Option<MohPosition>>>,
    file: usize,
    sample: usize,
    current: Option<Vec<i16>>,
    rng: u64,
    /// Files in a row that could not be read (all of them: silence, not a busy loop).
    failures: usize,
}

impl MohSource {
    fn new(
        class: &MohClass,
        files: Vec<PathBuf>,
        place: Arc<Mutex<Option<MohPosition>>>,
        seed: u64,
    ) -> MohSource {
        let mut s = MohSource {
            class: class.name.clone(),
            sort: class.sort,
            files,
            place,
            file: 0,
            sample: 0,
            current: None,
            rng: seed | 1,
            failures: 0,
        };
        let saved = s
            .place
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        match saved {
            // Back in the same class: where this channel stopped.
            Some(p) if p.class.eq_ignore_ascii_case(&s.class) && p.file < s.files.len() => {
                s.file = p.file;
                s.sample = p.sample;
            }
            _ => {
                if matches!(s.sort, Sort::Random | Sort::RandStart) {
                    s.file = s.random() % s.files.len().max(1);
                }
            }
        }
        s
    }

    fn random(&mut self) -> usize {
        // xorshift64*
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        (self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize
    }

    fn next_file(&mut self) {
        let n = self.files.len().max(1);
        self.file = match self.sort {
            Sort::Random => self.random() % n,
            _ => (self.file + 1) % n,
        };
        self.sample = 0;
        self.current = None;
    }

    fn load(&mut self) -> bool {
        let Some(path) = self.files.get(self.file) else {
            return false;
        };
        let pcm = format_of(path).and_then(|f| {
            let bytes = std::fs::read(path).ok()?;
            let pcm = wav::decode(f, &bytes).ok()?;
            player::resample(&pcm, 8000).ok()
        });
        match pcm {
            Some(p) if !p.is_empty() => {
                if self.sample >= p.len() {
                    self.sample = p.len().saturating_sub(1);
                }
                self.current = Some(p);
                true
            }
            _ => {
                tracing::warn!(
                    "Unable to open file '{}' of class '{}'",
                    path.display(),
                    self.class
                );
                false
            }
        }
    }
}

impl Source for MohSource {
    fn fill(&mut self, frame: &mut [i16; FRAME]) -> bool {
        let mut filled = 0;
        while filled < FRAME {
            if self.current.is_none() && !self.load() {
                self.failures += 1;
                if self.failures > self.files.len() {
                    frame
                        .get_mut(filled..)
                        .unwrap_or_default()
                        .iter_mut()
                        .for_each(|s| *s = 0);
                    return false;
                }
                self.next_file();
                continue;
            }
            self.failures = 0;
            let Some(pcm) = self.current.as_ref() else {
                continue;
            };
            let rest = pcm.get(self.sample..).unwrap_or_default();
            let n = rest.len().min(FRAME - filled);
            frame
                .get_mut(filled..filled + n)
                .unwrap_or_default()
                .copy_from_slice(rest.get(..n).unwrap_or_default());
            filled += n;
            self.sample += n;
            if self.sample >= pcm.len() {
                self.next_file();
            }
        }
        *self.place.lock().unwrap_or_else(PoisonError::into_inner) = Some(MohPosition {
            class: self.class.clone(),
            file: self.file,
            sample: self.sample,
        });
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(dir: &Path, sort: Sort) -> MohClass {
        MohClass {
            name: "t".into(),
            directory: dir.to_string_lossy().into_owned(),
            sort,
        }
    }

    /// A minimal 8 kHz mono 16-bit WAV of `samples` equal samples.
    fn wav_bytes(value: i16, samples: usize) -> Vec<u8> {
        let data = (samples * 2) as u32;
        let mut b = Vec::new();
        b.extend_from_slice(b"RIFF");
        b.extend_from_slice(&(36 + data).to_le_bytes());
        b.extend_from_slice(b"WAVEfmt ");
        b.extend_from_slice(&16u32.to_le_bytes());
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&8000u32.to_le_bytes());
        b.extend_from_slice(&16000u32.to_le_bytes());
        b.extend_from_slice(&2u16.to_le_bytes());
        b.extend_from_slice(&16u16.to_le_bytes());
        b.extend_from_slice(b"data");
        b.extend_from_slice(&data.to_le_bytes());
        for _ in 0..samples {
            b.extend_from_slice(&value.to_le_bytes());
        }
        b
    }

    fn write(dir: &Path, name: &str, value: i16, samples: usize) {
        let bytes = wav_bytes(value, samples);
        std::fs::write(dir.join(name), bytes).unwrap_or_else(|e| panic!("{e}"));
    }

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("tandem-moh-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
        d
    }

    #[test]
    fn files_play_in_name_order_and_loop() {
        let d = tmp("order");
        write(&d, "b.wav", 200, 160);
        write(&d, "a.wav", 100, 160);
        std::fs::write(d.join("notes.txt"), "x").unwrap_or_else(|e| panic!("{e}"));
        let c = class(&d, Sort::Alpha);
        let files = class_files(&c);
        assert_eq!(files.len(), 2);
        let mut s = MohSource::new(&c, files, Arc::default(), 1);
        let mut f = [0i16; FRAME];
        let mut seen = Vec::new();
        for _ in 0..4 {
            assert!(s.fill(&mut f));
            seen.push(f[0]);
        }
        assert_eq!(seen, vec![100, 200, 100, 200]);
    }

    #[test]
    fn a_channel_starts_again_where_its_music_stopped() {
        let d = tmp("resume");
        write(&d, "a.wav", 100, 400);
        write(&d, "b.wav", 200, 400);
        let c = class(&d, Sort::Alpha);
        let place: Arc<Mutex<Option<MohPosition>>> = Arc::default();
        let mut f = [0i16; FRAME];
        let mut s = MohSource::new(&c, class_files(&c), place.clone(), 1);
        for _ in 0..3 {
            s.fill(&mut f);
        }
        drop(s);
        // 480 samples played: file b, sample 80.
        let again = MohSource::new(&c, class_files(&c), place.clone(), 1);
        assert_eq!((again.file, again.sample), (1, 80));
        // Another channel (its own place) starts at the beginning.
        let other = MohSource::new(&c, class_files(&c), Arc::default(), 1);
        assert_eq!((other.file, other.sample), (0, 0));
    }

    #[test]
    fn an_unknown_class_falls_back_to_interpret_then_default() {
        let conf = MohConf {
            classes: vec![
                class(Path::new("/x"), Sort::None),
                MohClass {
                    name: "default".into(),
                    directory: "moh".into(),
                    sort: Sort::None,
                },
            ],
        };
        assert_eq!(
            pick_class(&conf, Some("nope"), Some("T")).map(|c| c.name.as_str()),
            Some("t")
        );
        assert_eq!(
            pick_class(&conf, Some("nope"), None).map(|c| c.name.as_str()),
            Some("default")
        );
        assert_eq!(
            pick_class(&conf, None, None).map(|c| c.name.as_str()),
            Some("default")
        );
    }

    #[test]
    fn the_shipped_default_class_has_music() {
        let files = class_files(&MohConf::builtin().classes[0]);
        assert!(!files.is_empty(), "prompts/moh has no files");
    }
}
