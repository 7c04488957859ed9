//! The configuration files the channel applications read (voicemail.conf, musiconhold.conf,
//! features.conf, indications.conf), loaded with the rest by [`crate::config::load_all`] and
//! kept in [`crate::channels::World`].

use tandem_conf::views::{FeaturesConf, VoicemailConf};
use tandem_conf::views::{Indications, MohConf};
use tandem_conf::{Config, Diagnostic, Source};

/// The applications' configuration, one field per file.
#[derive(Default)]
pub struct Confs {
    /// indications.conf (the sample's `us` and `uk` zones when there is none).
    pub indications: Indications,
    /// musiconhold.conf (the `default` class over `moh` when there is none).
    pub moh: MohConf,
    /// features.conf (Asterisk's defaults when there is none).
    pub features: FeaturesConf,
    /// voicemail.conf (no mailboxes when there is none).
    pub voicemail: VoicemailConf,
}

impl Confs {
    /// Load each file `source` has; messages go to `diagnostics` as `file:line: ...`.
    pub fn load(source: &dyn Source, diagnostics: &mut Vec<Diagnostic>) -> Confs {
        Confs {
            indications: view(
                source,
                "indications.conf",
                diagnostics,
                Indications::from_config,
            )
            .unwrap_or_else(Indications::builtin),
            moh: view(
                source,
                "musiconhold.conf",
                diagnostics,
                MohConf::from_config,
            )
            .unwrap_or_else(MohConf::builtin),
            features: view(
                source,
                "features.conf",
                diagnostics,
                FeaturesConf::from_config,
            )
            .unwrap_or_default(),
            voicemail: view(
                source,
                "voicemail.conf",
                diagnostics,
                VoicemailConf::from_config,
            )
            .unwrap_or_default(),
        }
    }
}

/// The typed view of `name` when `source` has that file, its messages added to `diagnostics`.
fn view<V>(
    source: &dyn Source,
    name: &str,
    diagnostics: &mut Vec<Diagnostic>,
    from_config: fn(&Config) -> (V, Vec<Diagnostic>),
) -> Option<V> {
    let file = tandem_conf::load_optional(source, name)?;
    let (view, mut diags) = from_config(&file.config);
    diagnostics.extend(file.diagnostics);
    diagnostics.append(&mut diags);
    Some(view)
}
