//! `features.conf`: the in-call features of a bridge (Asterisk's `main/features_config.c`).
//!
//! Asterisk behaviours kept (pinned by tests):
//! - defaults when a key or the whole file is missing: `featuredigittimeout` 1000 ms,
//!   `transferdigittimeout` 3 s, `atxfernoanswertimeout` 15 s, `atxferdropcall` no,
//!   `atxferabort` `*1`, `atxfercomplete` `*2`, `atxferthreeway` `*3`, `atxferswap` `*4`,
//!   `xfersound` `beep`, `xferfailsound` `beeperr`; the feature map defaults to
//!   `blindxfer` `#` and `disconnect` `*` with attended transfer *off* (empty): the `*2` and
//!   `*0` people know come from the sample file, not from the code;
//! - the integer options are `PARSE_INT32` (the whole value a number, else an error);
//!   `atxferdropcall` is `ast_true`;
//! - the last value of a key wins.
//!
//! Not carried out (a warning with `file:line` each): `automon`, `automixmon`, `parkcall`
//! (features tandem has not got), `[applicationmap]` entries, feature groups (any other
//! section), parking lots, pickup options.

use crate::{ast_true, Config, Diagnostic, Item, Section};

/// `[general]` and `[featuremap]` of features.conf.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeaturesConf {
    /// `featuredigittimeout`: how long a prefix of a feature code waits for its next digit.
    pub featuredigittimeout_ms: u32,
    /// `transferdigittimeout`: how long a transfer waits for each digit of the target.
    pub transferdigittimeout_s: u32,
    /// `atxfernoanswertimeout`: how long an attended transfer rings the target.
    pub atxfernoanswertimeout_s: u32,
    /// `atxferdropcall`.
    pub atxferdropcall: bool,
    pub atxferabort: String,
    pub atxfercomplete: String,
    pub atxferthreeway: String,
    pub atxferswap: String,
    /// `courtesytone`: played to the party that completes a feature (empty: none).
    pub courtesytone: String,
    pub xfersound: String,
    pub xferfailsound: String,
    /// `[featuremap]`: `blindxfer`, `atxfer`, `disconnect` (empty: off).
    pub blindxfer: String,
    pub atxfer: String,
    pub disconnect: String,
}

impl Default for FeaturesConf {
    fn default() -> Self {
        FeaturesConf {
            featuredigittimeout_ms: 1000,
            transferdigittimeout_s: 3,
            atxfernoanswertimeout_s: 15,
            atxferdropcall: false,
            atxferabort: "*1".into(),
            atxfercomplete: "*2".into(),
            atxferthreeway: "*3".into(),
            atxferswap: "*4".into(),
            courtesytone: String::new(),
            xfersound: "beep".into(),
            xferfailsound: "beeperr".into(),
            blindxfer: "#".into(),
            atxfer: String::new(),
            disconnect: "*".into(),
        }
    }
}

/// General keys Asterisk knows that tandem reads but does not act on.
const UNSUPPORTED_GENERAL: &[&str] = &[
    "recordingfailsound",
    "atxferloopdelay",
    "atxfercallbackretries",
    "transferdialattempts",
    "transferretrysound",
    "transferinvalidsound",
    "pickupexten",
    "pickupsound",
    "pickupfailsound",
    "parkeddynamic",
    "parkext",
    "parkpos",
    "context",
    "parkingtime",
];

impl FeaturesConf {
    /// Read features.conf.
    pub fn from_config(cfg: &Config) -> (FeaturesConf, Vec<Diagnostic>) {
        let mut conf = FeaturesConf::default();
        let mut diags = Vec::new();
        for sec in cfg.sections.iter().filter(|s| !s.template) {
            match sec.name.as_str() {
                "general" => conf.read_general(sec, &mut diags),
                "featuremap" => conf.read_featuremap(sec, &mut diags),
                "applicationmap" => {
                    for item in &sec.items {
                        diags.push(Diagnostic::warning(
                            item.span.clone(),
                            format!(
                                "applicationmap feature '{}' is not supported and is ignored",
                                item.key
                            ),
                        ));
                    }
                }
                name if name.starts_with("parkinglot_") => diags.push(Diagnostic::warning(
                    sec.span.clone(),
                    format!("parking lot [{name}] is not supported and is ignored"),
                )),
                name => diags.push(Diagnostic::warning(
                    sec.span.clone(),
                    format!("feature group [{name}] is not supported and is ignored"),
                )),
            }
        }
        (conf, diags)
    }

    fn read_general(&mut self, sec: &Section, diags: &mut Vec<Diagnostic>) {
        for item in &sec.items {
            let key = item.key.to_ascii_lowercase();
            let value = item.value.trim();
            match key.as_str() {
                "featuredigittimeout" => int(item, diags, &mut self.featuredigittimeout_ms),
                "transferdigittimeout" => int(item, diags, &mut self.transferdigittimeout_s),
                "atxfernoanswertimeout" => int(item, diags, &mut self.atxfernoanswertimeout_s),
                "atxferdropcall" => self.atxferdropcall = ast_true(value),
                "atxferabort" => self.atxferabort = value.to_string(),
                "atxfercomplete" => self.atxfercomplete = value.to_string(),
                "atxferthreeway" => self.atxferthreeway = value.to_string(),
                "atxferswap" => self.atxferswap = value.to_string(),
                "courtesytone" => self.courtesytone = value.to_string(),
                "xfersound" => self.xfersound = value.to_string(),
                "xferfailsound" => self.xferfailsound = value.to_string(),
                k if UNSUPPORTED_GENERAL.contains(&k) => diags.push(Diagnostic::warning(
                    item.span.clone(),
                    format!(
                        "features.conf option '{}' is not supported and is ignored",
                        item.key
                    ),
                )),
                _ => diags.push(Diagnostic::warning(
                    item.span.clone(),
                    format!("unknown features.conf option '{}'", item.key),
                )),
            }
        }
    }

    fn read_featuremap(&mut self, sec: &Section, diags: &mut Vec<Diagnostic>) {
        for item in &sec.items {
            let value = item.value.trim().to_string();
            match item.key.to_ascii_lowercase().as_str() {
                "blindxfer" => self.blindxfer = value,
                "atxfer" => self.atxfer = value,
                "disconnect" => self.disconnect = value,
                "automon" | "automixmon" | "parkcall" => diags.push(Diagnostic::warning(
                    item.span.clone(),
                    format!("feature '{}' is not supported and is ignored", item.key),
                )),
                _ => diags.push(Diagnostic::warning(
                    item.span.clone(),
                    format!("unknown feature '{}' in [featuremap]", item.key),
                )),
            }
        }
    }
}

/// `ast_parse_arg(PARSE_INT32)`: the whole value an integer; tandem also refuses negatives.
fn int(item: &Item, diags: &mut Vec<Diagnostic>, out: &mut u32) {
    match item.value.trim().parse::<u32>() {
        Ok(v) => *out = v,
        Err(_) => diags.push(Diagnostic::error(
            item.span.clone(),
            format!("{} must be a whole number, not '{}'", item.key, item.value),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{load, MemSource, Severity};

    fn read(text: &str) -> (FeaturesConf, Vec<Diagnostic>) {
        let src = MemSource::new().with("features.conf", text);
        let loaded = load(&src, "features.conf");
        FeaturesConf::from_config(&loaded.config)
    }

    #[test]
    fn missing_file_gives_asterisk_defaults_with_attended_transfer_off() {
        let c = FeaturesConf::default();
        assert_eq!(c.blindxfer, "#");
        assert_eq!(c.disconnect, "*");
        assert_eq!(c.atxfer, "");
        assert_eq!(c.featuredigittimeout_ms, 1000);
        assert_eq!(c.transferdigittimeout_s, 3);
        assert_eq!(c.atxfernoanswertimeout_s, 15);
        assert!(!c.atxferdropcall);
        assert_eq!(c.atxferabort, "*1");
        assert_eq!(c.atxfercomplete, "*2");
    }

    #[test]
    fn sample_featuremap_and_general_are_read() {
        let (c, d) = read(
            "[general]\ntransferdigittimeout => 5\nfeaturedigittimeout = 1500\n\
             atxfernoanswertimeout = 20\natxferdropcall = yes\ncourtesytone = beep\n\
             [featuremap]\nblindxfer => #1\ndisconnect => *0\natxfer => *2\n",
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(c.transferdigittimeout_s, 5);
        assert_eq!(c.featuredigittimeout_ms, 1500);
        assert_eq!(c.atxfernoanswertimeout_s, 20);
        assert!(c.atxferdropcall);
        assert_eq!(c.courtesytone, "beep");
        assert_eq!(
            (
                c.blindxfer.as_str(),
                c.disconnect.as_str(),
                c.atxfer.as_str()
            ),
            ("#1", "*0", "*2")
        );
    }

    #[test]
    fn a_non_numeric_timeout_is_an_error_with_its_line() {
        let (c, d) = read("[general]\n\ntransferdigittimeout = 3s\n");
        assert_eq!(c.transferdigittimeout_s, 3);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].span.line, 3);
    }

    #[test]
    fn automon_and_applicationmap_are_warned_with_their_lines() {
        let (_, d) = read(
            "[featuremap]\nautomon => *1\n[applicationmap]\ntestfeature => #9,peer,Playback,tt-monkeys\n",
        );
        assert_eq!(d.len(), 2);
        assert!(d.iter().all(|x| x.severity == Severity::Warning));
        assert_eq!(d[0].span.line, 2);
        assert_eq!(d[1].span.line, 4);
        assert!(d[1].message.contains("testfeature"));
    }

    #[test]
    fn an_empty_featuremap_value_turns_the_feature_off() {
        let (c, _) = read("[featuremap]\nblindxfer =>\n");
        assert_eq!(c.blindxfer, "");
    }
}
