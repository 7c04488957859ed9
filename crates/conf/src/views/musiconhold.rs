//! `musiconhold.conf`: the classes of Asterisk's `res/res_musiconhold.c` (`load_moh_classes`).
//!
//! Asterisk behaviours kept (pinned by tests):
//! - every section but `[general]` is a class, named by the section (class names are matched
//!   case-insensitively, as its `ao2_find` with `strcasecmp`);
//! - a class needs a `mode` ("A mode must be specified for class '%s'!") and, in `files` mode,
//!   a `directory` ("A directory must be specified for class '%s'!"); such a class is skipped;
//! - `sort=random` plays a random file each time, `sort=randstart` starts at a random file then
//!   goes in order, `sort=alpha` in name order;
//! - a relative `directory` is under the data directory (`DATA/moh` for the sample's `moh`).
//!
//! tandem plays `files` mode only: `mp3`, `quietmp3`, `mp3nb`, `quietmp3nb`, `custom` and
//! `playlist` are reported as unsupported (file:line) and the class is skipped. Without the
//! file, [`MohConf::builtin`] gives the `default` class over `moh` (shipped music included).

use crate::{Config, Diagnostic};

/// The order a `files` class plays in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    /// No `sort`: directory order, which tandem makes name order to be deterministic.
    None,
    Alpha,
    Random,
    RandStart,
}

/// One class.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MohClass {
    pub name: String,
    /// `directory`, as written (relative to the data directory unless absolute).
    pub directory: String,
    pub sort: Sort,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MohConf {
    pub classes: Vec<MohClass>,
}

const UNSUPPORTED_MODES: &[&str] = &[
    "mp3",
    "quietmp3",
    "mp3nb",
    "quietmp3nb",
    "custom",
    "playlist",
];

impl MohConf {
    /// The `default` class over `moh` (what Asterisk's sample configures).
    pub fn builtin() -> MohConf {
        MohConf {
            classes: vec![MohClass {
                name: "default".into(),
                directory: "moh".into(),
                sort: Sort::Alpha,
            }],
        }
    }

    /// The class named `name` (case-insensitive).
    pub fn class(&self, name: &str) -> Option<&MohClass> {
        self.classes
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// Read `musiconhold.conf`.
    pub fn from_config(cfg: &Config) -> (MohConf, Vec<Diagnostic>) {
        let mut conf = MohConf::default();
        let mut diags = Vec::new();
        for sec in cfg.sections.iter().filter(|s| !s.template) {
            if sec.name.eq_ignore_ascii_case("general") {
                continue;
            }
            let mut mode: Option<(String, crate::Span)> = None;
            let mut directory = String::new();
            let mut sort = Sort::None;
            for item in &sec.items {
                let v = item.value.trim();
                match item.key.to_ascii_lowercase().as_str() {
                    "mode" => mode = Some((v.to_ascii_lowercase(), item.span.clone())),
                    "directory" => directory = v.to_string(),
                    "sort" => {
                        sort = match v.to_ascii_lowercase().as_str() {
                            "random" => Sort::Random,
                            "alpha" => Sort::Alpha,
                            "randstart" => Sort::RandStart,
                            other => {
                                diags.push(Diagnostic::warning(
                                    item.span.clone(),
                                    format!("unknown sort '{other}' in class '{}' (random, alpha or randstart)", sec.name),
                                ));
                                sort
                            }
                        }
                    }
                    // Asterisk's old boolean for sort=random.
                    "random" => {
                        if crate::ast_true(v) {
                            sort = Sort::Random;
                        }
                    }
                    "application"
                    | "format"
                    | "digit"
                    | "announcement"
                    | "kill_escalation_delay"
                    | "kill_method"
                    | "answeredonly"
                    | "loop_last"
                    | "preferchannelclass" => {
                        diags.push(Diagnostic::warning(
                            item.span.clone(),
                            format!(
                                "'{}' is not supported in musiconhold.conf and is ignored",
                                item.key
                            ),
                        ));
                    }
                    _ => diags.push(Diagnostic::warning(
                        item.span.clone(),
                        format!("unknown option '{}' in class '{}'", item.key, sec.name),
                    )),
                }
            }
            let Some((mode, mode_span)) = mode.filter(|(m, _)| !m.is_empty()) else {
                diags.push(Diagnostic::warning(
                    sec.span.clone(),
                    format!("A mode must be specified for class '{}'!", sec.name),
                ));
                continue;
            };
            if UNSUPPORTED_MODES.contains(&mode.as_str()) {
                diags.push(Diagnostic::warning(
                    mode_span,
                    format!("mode '{mode}' of class '{}' is not supported by tandem (only files); the class is skipped", sec.name),
                ));
                continue;
            }
            if mode != "files" {
                diags.push(Diagnostic::warning(
                    mode_span,
                    format!(
                        "unknown mode '{mode}' of class '{}'; the class is skipped",
                        sec.name
                    ),
                ));
                continue;
            }
            if directory.is_empty() {
                diags.push(Diagnostic::warning(
                    sec.span.clone(),
                    format!("A directory must be specified for class '{}'!", sec.name),
                ));
                continue;
            }
            conf.classes
                .retain(|c| !c.name.eq_ignore_ascii_case(&sec.name));
            conf.classes.push(MohClass {
                name: sec.name.clone(),
                directory,
                sort,
            });
        }
        (conf, diags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> (MohConf, Vec<Diagnostic>) {
        let source = crate::MemSource::new().with("musiconhold.conf", text);
        let loaded = crate::load(&source, "musiconhold.conf");
        MohConf::from_config(&loaded.config)
    }

    #[test]
    fn the_sample_default_class_is_files_from_moh() {
        let (c, d) = load("[general]\n[default]\nmode=files\ndirectory=moh\n;sort=random\n");
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(
            c.class("DEFAULT"),
            Some(&MohClass {
                name: "default".into(),
                directory: "moh".into(),
                sort: Sort::None
            })
        );
    }

    #[test]
    fn sort_modes_are_read() {
        let (c, _) = load("[a]\nmode=files\ndirectory=/x\nsort=random\n[b]\nmode=files\ndirectory=y\nsort=alpha\n[c]\nmode=files\ndirectory=z\nsort=randstart\n[d]\nmode=files\ndirectory=z\nrandom=yes\n");
        let sorts: Vec<Sort> = c.classes.iter().map(|c| c.sort).collect();
        assert_eq!(
            sorts,
            vec![Sort::Random, Sort::Alpha, Sort::RandStart, Sort::Random]
        );
    }

    #[test]
    fn a_class_without_mode_or_directory_is_skipped_with_asterisks_message() {
        let (c, d) = load("[a]\ndirectory=moh\n[b]\nmode=files\n");
        assert!(c.classes.is_empty());
        assert!(d
            .iter()
            .any(|d| d.message == "A mode must be specified for class 'a'!"));
        assert!(d
            .iter()
            .any(|d| d.message == "A directory must be specified for class 'b'!"));
    }

    #[test]
    fn other_modes_are_unsupported_with_file_and_line() {
        let (c, d) = load("[general]\n[radio]\nmode=custom\napplication=/usr/bin/streamplayer\n");
        assert!(c.classes.is_empty());
        let w = d
            .iter()
            .find(|d| d.message.contains("mode 'custom'"))
            .unwrap_or_else(|| panic!("{d:?}"));
        assert_eq!(w.span.line, 3);
    }

    #[test]
    fn builtin_is_the_default_class_over_moh() {
        assert_eq!(
            MohConf::builtin()
                .class("default")
                .map(|c| c.directory.as_str()),
            Some("moh")
        );
    }
}
