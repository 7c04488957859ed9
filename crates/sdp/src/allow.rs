//! `allow=` / `disallow=` as Asterisk applies them (main/format_cap.c,
//! `ast_format_cap_update_by_allow_disallow`), giving an ordered codec preference list.
//!
//! What Asterisk does, and this module pins in tests:
//! - a value is a list split on `,` or `|`, each item stripped of blanks;
//! - `all` (any case) appends every known format in registration order (main/codec_builtin.c),
//!   or removes every format; other names are looked up case-insensitively;
//! - `!name` inverts the line (`allow=!gsm` removes gsm);
//! - `name:NN` sets the packetisation of that format; a value that does not start with a
//!   number (or is negative) warns "Bad packetization value" and skips the item; `ulaw:`
//!   (nothing after the colon) is accepted with no packetisation;
//! - allowing a format already present changes nothing: neither its place nor its framing, so
//!   the first `allow` of a codec decides its preference;
//! - an unknown name warns "Cannot allow unknown format 'x'" and the rest of the list applies;
//! - `disallow=` with an empty value does nothing; `allow=` with an empty value warns;
//! - a list in parentheses `(ulaw|alaw)` first clears (allow) or fills (disallow) the set.

use std::fmt;

use crate::codec::Codec;

/// Media kind of an Asterisk format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatKind {
    Audio,
    Video,
    Image,
    Text,
}

/// One built-in Asterisk format: its name in `allow=` and how it looks in SDP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsteriskFormat {
    pub name: &'static str,
    pub kind: FormatKind,
    /// RTP encoding name (`a=rtpmap`), if the format is sent over RTP.
    pub encoding: Option<&'static str>,
    pub clock_rate: u32,
}

impl AsteriskFormat {
    /// The tandem codec for an audio format sent over RTP.
    pub fn codec(&self) -> Option<Codec> {
        match (self.kind, self.encoding) {
            (FormatKind::Audio, Some(e)) => Some(Codec::from_rtpmap(e, self.clock_rate)),
            _ => None,
        }
    }
}

const fn af(
    name: &'static str,
    kind: FormatKind,
    encoding: Option<&'static str>,
    clock_rate: u32,
) -> AsteriskFormat {
    AsteriskFormat {
        name,
        kind,
        encoding,
        clock_rate,
    }
}

use FormatKind::{Audio, Image, Text, Video};

/// Asterisk's built-in formats in registration order (main/codec_builtin.c), which is the
/// order `allow=all` appends them in. `none` is left out: `allow=all` skips it.
pub const ASTERISK_FORMATS: &[AsteriskFormat] = &[
    af("codec2", Audio, Some("CODEC2"), 8000),
    af("g723", Audio, Some("G723"), 8000),
    af("ulaw", Audio, Some("PCMU"), 8000),
    af("alaw", Audio, Some("PCMA"), 8000),
    af("gsm", Audio, Some("GSM"), 8000),
    af("g726", Audio, Some("G726-32"), 8000),
    af("g726aal2", Audio, Some("AAL2-G726-32"), 8000),
    af("adpcm", Audio, Some("DVI4"), 8000),
    af("slin", Audio, Some("L16"), 8000),
    af("slin12", Audio, Some("L16"), 12000),
    af("slin16", Audio, Some("L16"), 16000),
    af("slin24", Audio, Some("L16"), 24000),
    af("slin32", Audio, Some("L16"), 32000),
    af("slin44", Audio, Some("L16"), 44100),
    af("slin48", Audio, Some("L16"), 48000),
    af("slin96", Audio, Some("L16"), 96000),
    af("slin192", Audio, Some("L16"), 192000),
    af("lpc10", Audio, Some("LPC"), 8000),
    af("g729", Audio, Some("G729"), 8000),
    af("speex", Audio, Some("speex"), 8000),
    af("speex16", Audio, Some("speex"), 16000),
    af("speex32", Audio, Some("speex"), 32000),
    af("ilbc", Audio, Some("iLBC"), 8000),
    af("g722", Audio, Some("G722"), 8000),
    af("siren7", Audio, Some("G7221"), 16000),
    af("siren14", Audio, Some("G7221"), 32000),
    af("testlaw", Audio, None, 8000),
    af("g719", Audio, Some("G719"), 48000),
    af("opus", Audio, Some("opus"), 48000),
    af("jpeg", Image, None, 0),
    af("png", Image, None, 0),
    af("h261", Video, Some("H261"), 90000),
    af("h263", Video, Some("H263"), 90000),
    af("h263p", Video, Some("h263-1998"), 90000),
    af("h264", Video, Some("H264"), 90000),
    af("mpeg4", Video, Some("MP4V-ES"), 90000),
    af("vp8", Video, Some("VP8"), 90000),
    af("red", Text, Some("red"), 1000),
    af("t140", Text, Some("t140"), 1000),
    af("silk8", Audio, Some("SILK"), 8000),
    af("silk12", Audio, Some("SILK"), 12000),
    af("silk16", Audio, Some("SILK"), 16000),
    af("silk24", Audio, Some("SILK"), 24000),
];

fn lookup(name: &str) -> Option<usize> {
    ASTERISK_FORMATS
        .iter()
        .position(|f| f.name.eq_ignore_ascii_case(name))
}

/// A warning Asterisk would log while applying a list (the texts are Asterisk's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodecPrefsWarning {
    UnknownFormat { name: String, allowing: bool },
    BadPacketization { codec: String },
}

impl fmt::Display for CodecPrefsWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodecPrefsWarning::UnknownFormat { name, allowing } => {
                let verb = if *allowing { "allow" } else { "disallow" };
                write!(f, "Cannot {verb} unknown format '{name}'")
            }
            CodecPrefsWarning::BadPacketization { codec } => {
                write!(f, "Bad packetization value for codec {codec}")
            }
        }
    }
}

/// An ordered set of Asterisk formats with optional packetisation, built by `allow`/`disallow`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodecPrefs {
    /// (index in [`ASTERISK_FORMATS`], framing in ms, 0 = codec default)
    entries: Vec<(usize, u32)>,
}

/// At most this many items in one list are looked at (a line longer than that is garbage).
const MAX_ITEMS: usize = 256;

impl CodecPrefs {
    pub fn new() -> Self {
        CodecPrefs::default()
    }

    /// chan_sip's set before any `allow`/`disallow` in `[general]`: ulaw, alaw, gsm, h263.
    pub fn chan_sip_default() -> Self {
        let mut p = CodecPrefs::new();
        let _ = p.allow("ulaw,alaw,gsm,h263");
        p
    }

    /// Apply a sequence of `allow`/`disallow` lines in file order, e.g.
    /// `[("disallow", "all"), ("allow", "ulaw"), ("allow", "alaw")]`. Other keys are ignored.
    pub fn apply_lines<'a>(
        &mut self,
        lines: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Vec<CodecPrefsWarning> {
        let mut warnings = Vec::new();
        for (key, value) in lines {
            if key.trim().eq_ignore_ascii_case("allow") {
                warnings.extend(self.update(value, true));
            } else if key.trim().eq_ignore_ascii_case("disallow") {
                warnings.extend(self.update(value, false));
            }
        }
        warnings
    }

    pub fn allow(&mut self, list: &str) -> Vec<CodecPrefsWarning> {
        self.update(list, true)
    }

    pub fn disallow(&mut self, list: &str) -> Vec<CodecPrefsWarning> {
        self.update(list, false)
    }

    /// `ast_format_cap_update_by_allow_disallow(cap, list, allowing)`.
    pub fn update(&mut self, list: &str, allowing: bool) -> Vec<CodecPrefsWarning> {
        let mut warnings = Vec::new();
        if !allowing && list.trim().is_empty() {
            return warnings;
        }
        let mut parse = list;
        if parse.len() >= 2 && parse.starts_with('(') && parse.ends_with(')') {
            parse = parse.get(1..parse.len() - 1).unwrap_or("");
            if allowing {
                self.entries.clear();
            } else {
                self.append_all();
            }
        }
        for item in parse.split([',', '|']).take(MAX_ITEMS) {
            let mut this = item.trim();
            let mut iter_allowing = allowing;
            if let Some(rest) = this.strip_prefix('!') {
                this = rest;
                iter_allowing = !allowing;
            }
            let mut framing = 0u32;
            if let Some((name, size)) = this.rsplit_once(':') {
                this = name;
                match scan_int(size) {
                    ScanInt::Value(v) if v >= 0 => framing = u32::try_from(v).unwrap_or(u32::MAX),
                    ScanInt::Empty => {}
                    _ => {
                        warnings.push(CodecPrefsWarning::BadPacketization {
                            codec: this.to_string(),
                        });
                        continue;
                    }
                }
            }
            let all = this.eq_ignore_ascii_case("all");
            let index = if all { None } else { lookup(this) };
            if !all && index.is_none() {
                warnings.push(CodecPrefsWarning::UnknownFormat {
                    name: this.to_string(),
                    allowing: iter_allowing,
                });
                continue;
            }
            match (iter_allowing, index) {
                (true, None) => self.append_all(),
                (true, Some(i)) => self.append(i, framing),
                (false, None) => self.entries.clear(),
                (false, Some(i)) => self.entries.retain(|(e, _)| *e != i),
            }
        }
        warnings
    }

    fn append(&mut self, index: usize, framing: u32) {
        if !self.entries.iter().any(|(e, _)| *e == index) {
            self.entries.push((index, framing));
        }
    }

    fn append_all(&mut self) {
        for i in 0..ASTERISK_FORMATS.len() {
            self.append(i, 0);
        }
    }

    /// Asterisk format names in preference order.
    pub fn names(&self) -> Vec<&'static str> {
        self.entries
            .iter()
            .filter_map(|(i, _)| ASTERISK_FORMATS.get(*i))
            .map(|f| f.name)
            .collect()
    }

    /// The audio codecs, in preference order, for SDP.
    pub fn audio_codecs(&self) -> Vec<Codec> {
        self.entries
            .iter()
            .filter_map(|(i, _)| ASTERISK_FORMATS.get(*i))
            .filter_map(|f| f.codec())
            .collect()
    }

    /// Packetisation given with `name:NN`, if any.
    pub fn framing(&self, name: &str) -> Option<u32> {
        let i = lookup(name)?;
        self.entries
            .iter()
            .find(|(e, _)| *e == i)
            .map(|(_, ms)| *ms)
            .filter(|ms| *ms > 0)
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

enum ScanInt {
    Value(i64),
    /// Nothing to read: C's `sscanf` returns EOF, which Asterisk's `!sscanf(..)` lets through.
    Empty,
    NoNumber,
}

/// `sscanf(s, "%30d", &n)`: skip blanks, optional sign, digits; trailing text ignored.
fn scan_int(s: &str) -> ScanInt {
    let t = s.trim_start();
    if t.is_empty() {
        return ScanInt::Empty;
    }
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, t.get(1..).unwrap_or("")),
        Some(b'+') => (false, t.get(1..).unwrap_or("")),
        _ => (false, t),
    };
    let n: String = digits
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .take(30)
        .collect();
    match n.parse::<i64>() {
        Ok(v) => ScanInt::Value(if neg { -v } else { v }),
        Err(_) if n.is_empty() => ScanInt::NoNumber,
        Err(_) => ScanInt::Value(if neg { i64::MIN } else { i64::MAX }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefs(lines: &[(&str, &str)]) -> (CodecPrefs, Vec<String>) {
        let mut p = CodecPrefs::new();
        let w = p.apply_lines(lines.iter().copied());
        (p, w.iter().map(|w| w.to_string()).collect())
    }

    #[test]
    fn disallow_all_then_allow_lines_give_the_order_of_the_allow_lines() {
        let mut p = CodecPrefs::chan_sip_default();
        p.apply_lines([
            ("disallow", "all"),
            ("allow", "g722"),
            ("allow", "ulaw,alaw"),
        ]);
        assert_eq!(p.names(), vec!["g722", "ulaw", "alaw"]);
        assert_eq!(
            p.audio_codecs(),
            vec![Codec::G722, Codec::Pcmu, Codec::Pcma]
        );
    }

    #[test]
    fn chan_sip_default_is_ulaw_alaw_gsm_h263() {
        let p = CodecPrefs::chan_sip_default();
        assert_eq!(p.names(), vec!["ulaw", "alaw", "gsm", "h263"]);
        assert_eq!(p.audio_codecs().len(), 3);
    }

    #[test]
    fn allowing_again_keeps_the_first_place_and_framing() {
        let (p, _) = prefs(&[("allow", "alaw:30,ulaw"), ("allow", "alaw:10")]);
        assert_eq!(p.names(), vec!["alaw", "ulaw"]);
        assert_eq!(p.framing("alaw"), Some(30));
        assert_eq!(p.framing("ulaw"), None);
    }

    #[test]
    fn allow_all_appends_in_asterisk_registration_order() {
        let (p, _) = prefs(&[("allow", "g722"), ("allow", "all")]);
        let names = p.names();
        assert_eq!(&names[..4], &["g722", "codec2", "g723", "ulaw"]);
        assert_eq!(names.iter().filter(|n| **n == "g722").count(), 1);
        assert!(names.contains(&"opus") && names.contains(&"h264"));
    }

    #[test]
    fn disallow_removes_and_bang_inverts() {
        let (p, _) = prefs(&[
            ("allow", "ulaw,alaw,gsm"),
            ("disallow", "alaw"),
            ("allow", "!gsm"),
        ]);
        assert_eq!(p.names(), vec!["ulaw"]);
        let (p, _) = prefs(&[("allow", "ulaw"), ("disallow", "!alaw")]);
        assert_eq!(p.names(), vec!["ulaw", "alaw"]);
    }

    #[test]
    fn names_are_case_insensitive_and_pipe_separates_too() {
        let (p, w) = prefs(&[("allow", " ULAW | Alaw ,G722 ")]);
        assert!(w.is_empty());
        assert_eq!(p.names(), vec!["ulaw", "alaw", "g722"]);
    }

    #[test]
    fn unknown_names_warn_as_asterisk_and_the_rest_applies() {
        let (p, w) = prefs(&[("allow", "ulaw,pcmu,alaw"), ("disallow", "foo")]);
        assert_eq!(p.names(), vec!["ulaw", "alaw"]);
        assert_eq!(
            w,
            vec![
                "Cannot allow unknown format 'pcmu'",
                "Cannot disallow unknown format 'foo'"
            ]
        );
    }

    #[test]
    fn empty_disallow_is_silent_but_empty_allow_warns() {
        let (p, w) = prefs(&[("allow", "ulaw"), ("disallow", ""), ("allow", "")]);
        assert_eq!(p.names(), vec!["ulaw"]);
        assert_eq!(w, vec!["Cannot allow unknown format ''"]);
    }

    #[test]
    fn packetization_is_parsed_like_sscanf() {
        let (p, w) = prefs(&[("allow", "ulaw:20ms,alaw:abc,gsm:-5,g722:")]);
        assert_eq!(p.names(), vec!["ulaw", "g722"]);
        assert_eq!(p.framing("ulaw"), Some(20));
        assert_eq!(p.framing("g722"), None);
        assert_eq!(
            w,
            vec![
                "Bad packetization value for codec alaw",
                "Bad packetization value for codec gsm"
            ]
        );
    }

    #[test]
    fn parenthesised_list_replaces_the_set() {
        let (p, _) = prefs(&[("allow", "gsm"), ("allow", "(alaw|ulaw)")]);
        assert_eq!(p.names(), vec!["alaw", "ulaw"]);
        let (p, _) = prefs(&[("disallow", "(opus)")]);
        assert!(!p.names().contains(&"opus"));
        assert!(p.names().contains(&"ulaw"));
    }

    #[test]
    fn codec_asterisk_names() {
        assert_eq!(Codec::Pcmu.asterisk_name(), Some("ulaw"));
        assert_eq!(Codec::Pcma.asterisk_name(), Some("alaw"));
        assert_eq!(Codec::G722.asterisk_name(), Some("g722"));
        assert_eq!(Codec::Opus.asterisk_name(), Some("opus"));
        assert_eq!(Codec::TelephoneEvent.asterisk_name(), None);
    }
}
