//! `indications.conf`: the tone zones of Asterisk's `main/indications.c` (`load_indications`).
//!
//! Asterisk behaviours kept (pinned by tests):
//! - every section but `[general]` is a country zone; its `description` and `ringcadence`
//!   (or the old spelling `ringcadance`) are read, and every other key is a tone of that name
//!   (`busy`, `ring`, `dial`, `congestion`, ... any name: `PlayTones(name)` finds it); a later
//!   tone of the same name replaces the earlier one; a second section of the same country
//!   adds to the first and resets its ring cadence;
//! - a zone without a description or without tones is invalid ("Indication country '%s' is
//!   invalid") and not registered;
//! - country and tone names are matched case-insensitively;
//! - `[general] country` picks the default zone; when it is missing or unknown Asterisk warns
//!   ("Unable to set the default country") and the default stays the first zone registered;
//! - `ringcadence` parts that do not start with a digit are skipped with a warning.
//!
//! tandem also reports tone parts that do not parse (Asterisk finds out when it plays them).
//! Without the file, [`Indications::builtin`] gives the `us` and `uk` zones of Asterisk's
//! `indications.conf.sample`, `us` the default.

use crate::{Config, Diagnostic, Section};

/// One country's tones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zone {
    pub country: String,
    pub description: String,
    pub ringcadence: Vec<u32>,
    /// (name, tone list), in file order.
    pub tones: Vec<(String, String)>,
}

impl Zone {
    /// The tone list named `name` (case-insensitive).
    pub fn tone(&self, name: &str) -> Option<&str> {
        self.tones
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The zones and which is the default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Indications {
    pub zones: Vec<Zone>,
    /// Index in `zones` of the default zone.
    pub default: Option<usize>,
}

/// `us` and `uk` as Asterisk's `configs/samples/indications.conf.sample` has them.
const BUILTIN: &str = "\
[general]
country=us
[us]
description = United States / North America
ringcadence = 2000,4000
dial = 350+440
busy = 480+620/500,0/500
ring = 440+480/2000,0/4000
congestion = 480+620/250,0/250
callwaiting = 440/300,0/10000
dialrecall = !350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,350+440
record = 1400/500,0/15000
info = !950/330,!1400/330,!1800/330,0
stutter = !350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,350+440
[uk]
description = United Kingdom
ringcadence = 400,200,400,2000
dial = 350+440
specialdial = 350+440/750,440/750
busy = 400/375,0/375
congestion = 400/400,0/350,400/225,0/525
specialcongestion = 400/200,1004/300
unobtainable = 400
ring = 400+450/400,0/200,400+450/400,0/2000
callwaiting = 400/100,0/4000
specialcallwaiting = 400/250,0/250,400/250,0/250,400/250,0/5000
creditexpired = 400/125,0/125
confirm = 1400
switching = 400/200,0/400,400/2000,0/400
info = 950/330,0/15,1400/330,0/15,1800/330,0/1000
record = 1400/500,0/60000
stutter = 350+440/750,440/750
";

impl Indications {
    /// The zones tandem knows without an `indications.conf`.
    pub fn builtin() -> Indications {
        let source = crate::MemSource::new().with("indications.conf", BUILTIN);
        let loaded = crate::load(&source, "indications.conf");
        Indications::from_config(&loaded.config).0
    }

    /// Read `indications.conf`.
    pub fn from_config(cfg: &Config) -> (Indications, Vec<Diagnostic>) {
        let mut ind = Indications::default();
        let mut diags = Vec::new();
        // Zones in order of their first section, with the span to report invalid ones.
        let mut pending: Vec<(Zone, crate::Span)> = Vec::new();
        for sec in cfg.sections.iter().filter(|s| !s.template) {
            if sec.name.eq_ignore_ascii_case("general") {
                continue;
            }
            let existing = pending
                .iter()
                .position(|(z, _)| z.country.eq_ignore_ascii_case(&sec.name));
            let idx = match existing {
                Some(i) => {
                    if let Some((z, _)) = pending.get_mut(i) {
                        z.ringcadence.clear();
                    }
                    i
                }
                None => {
                    pending.push((
                        Zone {
                            country: sec.name.clone(),
                            description: String::new(),
                            ringcadence: Vec::new(),
                            tones: Vec::new(),
                        },
                        sec.span.clone(),
                    ));
                    pending.len() - 1
                }
            };
            if let Some((zone, _)) = pending.get_mut(idx) {
                read_zone(zone, sec, &mut diags);
            }
        }
        for (zone, span) in pending {
            if zone.description.is_empty() || zone.tones.is_empty() {
                diags.push(Diagnostic::warning(
                    span,
                    format!("Indication country '{}' is invalid (it needs a description and at least one tone)", zone.country),
                ));
                continue;
            }
            ind.zones.push(zone);
        }
        if !ind.zones.is_empty() {
            ind.default = Some(0);
        }
        let general = cfg
            .sections
            .iter()
            .filter(|s| !s.template && s.name.eq_ignore_ascii_case("general"))
            .filter_map(|s| s.get("country").map(|c| (c, s)))
            .next_back();
        let found = general.and_then(|(c, _)| ind.position(c.trim()));
        match (found, general) {
            (Some(i), _) => ind.default = Some(i),
            (None, Some((c, sec))) => diags.push(Diagnostic::warning(
                sec.span.clone(),
                format!(
                    "Unable to set the default country (for indication tones): no zone '{}'",
                    c.trim()
                ),
            )),
            (None, None) => {
                if let Some(sec) = cfg.sections.first() {
                    diags.push(Diagnostic::warning(
                        sec.span.clone(),
                        "Unable to set the default country (for indication tones): [general] has no country",
                    ));
                }
            }
        }
        (ind, diags)
    }

    fn position(&self, country: &str) -> Option<usize> {
        self.zones
            .iter()
            .position(|z| z.country.eq_ignore_ascii_case(country))
    }

    /// The zone of `country` (case-insensitive); an empty or `None` country is the default.
    pub fn zone(&self, country: Option<&str>) -> Option<&Zone> {
        match country.filter(|c| !c.is_empty()) {
            Some(c) => self.position(c).and_then(|i| self.zones.get(i)),
            None => self.default.and_then(|i| self.zones.get(i)),
        }
    }

    /// The tone list `name` of `country`'s zone (the default zone without a country).
    pub fn tone(&self, country: Option<&str>, name: &str) -> Option<&str> {
        self.zone(country).and_then(|z| z.tone(name))
    }
}

fn read_zone(zone: &mut Zone, sec: &Section, diags: &mut Vec<Diagnostic>) {
    for item in sec.items.iter() {
        let key = item.key.to_ascii_lowercase();
        match key.as_str() {
            "description" => zone.description = item.value.clone(),
            "ringcadence" | "ringcadance" => {
                for part in item.value.split(',') {
                    let p = part.trim();
                    match leading_int(p) {
                        Some(v) => zone.ringcadence.push(v),
                        None => diags.push(Diagnostic::warning(
                            item.span.clone(),
                            format!("Invalid ringcadence given '{p}'"),
                        )),
                    }
                }
            }
            _ => {
                if item.value.is_empty() {
                    continue;
                }
                let (parts, bad) = tandem_codec_free_parse(&item.value);
                for b in bad {
                    diags.push(Diagnostic::warning(
                        item.span.clone(),
                        format!("Failed to parse tone part '{b}' of '{}'", item.key),
                    ));
                }
                if parts == 0 {
                    diags.push(Diagnostic::warning(
                        item.span.clone(),
                        format!("tone '{}' has no valid tone parts", item.key),
                    ));
                }
                zone.tones
                    .retain(|(n, _)| !n.eq_ignore_ascii_case(&item.key));
                zone.tones.push((item.key.clone(), item.value.clone()));
            }
        }
    }
}

/// `isdigit(ring[0])` then `atoi`.
fn leading_int(s: &str) -> Option<u32> {
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    Some(
        digits
            .parse::<u64>()
            .map_or(u32::MAX, |v| v.min(u64::from(u32::MAX)) as u32),
    )
}

/// A light check of a tone list (the conf crate does not depend on the codec crate): how many
/// parts look like `[!][M]digits...`, and the ones that do not.
fn tandem_codec_free_parse(list: &str) -> (usize, Vec<String>) {
    let sep = if list.contains('|') { '|' } else { ',' };
    let mut ok = 0;
    let mut bad = Vec::new();
    for raw in list.split(sep) {
        if raw.is_empty() {
            break;
        }
        let s = raw.trim();
        let s = s.strip_prefix('!').unwrap_or(s);
        let s = s.strip_prefix('M').unwrap_or(s);
        if s.trim_start().starts_with(|c: char| c.is_ascii_digit()) {
            ok += 1;
        } else {
            bad.push(raw.trim().to_string());
        }
    }
    (ok, bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> (Indications, Vec<Diagnostic>) {
        let source = crate::MemSource::new().with("indications.conf", text);
        let loaded = crate::load(&source, "indications.conf");
        Indications::from_config(&loaded.config)
    }

    #[test]
    fn builtin_has_the_sample_us_and_uk_zones_with_us_the_default() {
        let ind = Indications::builtin();
        assert_eq!(ind.tone(None, "busy"), Some("480+620/500,0/500"));
        assert_eq!(ind.tone(Some("uk"), "busy"), Some("400/375,0/375"));
        assert_eq!(
            ind.tone(Some("UK"), "RING"),
            Some("400+450/400,0/200,400+450/400,0/2000")
        );
        assert_eq!(
            ind.zone(Some("us")).map(|z| z.ringcadence.clone()),
            Some(vec![2000, 4000])
        );
        assert_eq!(
            ind.tone(Some("us"), "congestion"),
            Some("480+620/250,0/250")
        );
    }

    #[test]
    fn any_other_key_is_a_tone_and_the_last_of_a_name_wins() {
        let (ind, d) =
            load("[general]\ncountry=xx\n[xx]\ndescription=X\nbeep=1000/100\nbusy=1\nBUSY=2\n");
        assert!(d.is_empty(), "{d:?}");
        let z = ind.zone(None).unwrap_or_else(|| panic!("zone"));
        assert_eq!(z.tone("beep"), Some("1000/100"));
        assert_eq!(z.tone("busy"), Some("2"));
        assert_eq!(z.tones.len(), 2);
    }

    #[test]
    fn a_zone_without_description_or_tones_is_invalid() {
        let (ind, d) = load(
            "[general]\ncountry=a\n[a]\nbusy=1\n[b]\ndescription=B\n[c]\ndescription=C\nbusy=480\n",
        );
        assert_eq!(ind.zones.len(), 1);
        assert!(d.iter().any(|d| d.message.contains("'a' is invalid")));
        assert!(d.iter().any(|d| d.message.contains("'b' is invalid")));
        // country=a is unknown: warned, the first registered zone is the default.
        assert!(d
            .iter()
            .any(|d| d.message.contains("Unable to set the default country")));
        assert_eq!(ind.zone(None).map(|z| z.country.as_str()), Some("c"));
    }

    #[test]
    fn ringcadance_old_spelling_and_bad_parts() {
        let (ind, d) =
            load("[general]\ncountry=a\n[a]\ndescription=A\nringcadance=400, x ,2000\nring=440\n");
        assert_eq!(
            ind.zone(Some("a")).map(|z| z.ringcadence.clone()),
            Some(vec![400, 2000])
        );
        assert!(d
            .iter()
            .any(|d| d.message.contains("Invalid ringcadence given 'x'")));
    }

    #[test]
    fn a_second_section_of_a_country_adds_tones_and_resets_the_cadence() {
        let (ind, _) = load("[general]\ncountry=a\n[a]\ndescription=A\nringcadence=1,2\nbusy=1\n[a]\nring=2\nringcadence=3\n");
        let z = ind.zone(None).unwrap_or_else(|| panic!("zone"));
        assert_eq!((z.ringcadence.clone(), z.tones.len()), (vec![3], 2));
    }

    #[test]
    fn unparsable_tone_parts_are_reported_with_file_and_line() {
        let (_, d) = load("[general]\ncountry=a\n[a]\ndescription=A\nbusy=480/500,oops\n");
        let w = d
            .iter()
            .find(|d| d.message.contains("oops"))
            .unwrap_or_else(|| panic!("{d:?}"));
        assert_eq!(w.span.line, 5);
    }
}
