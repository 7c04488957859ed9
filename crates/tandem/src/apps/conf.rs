//! The configuration files the channel applications read (voicemail.conf, musiconhold.conf,
//! features.conf, indications.conf), loaded with the rest by [`crate::config::load_all`] and
//! kept in [`crate::channels::World`].

use tandem_conf::views::{FeaturesConf, VoicemailConf};
use tandem_conf::views::{Indications, MohConf};
use tandem_conf::{Diagnostic, Source};

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
        let mut confs = Confs::default();
        confs.indications = match tandem_conf::load_optional(source, "indications.conf") {
            Some(file) => {
                let (view, mut diags) = Indications::from_config(&file.config);
                diagnostics.extend(file.diagnostics);
                diagnostics.append(&mut diags);
                view
            }
            None => Indications::builtin(),
        };
        confs.moh = match tandem_conf::load_optional(source, "musiconhold.conf") {
            Some(file) => {
                let (view, mut diags) = MohConf::from_config(&file.config);
                diagnostics.extend(file.diagnostics);
                diagnostics.append(&mut diags);
                view
            }
            None => MohConf::builtin(),
        };
        if let Some(file) = tandem_conf::load_optional(source, "features.conf") {
            let (view, mut diags) = FeaturesConf::from_config(&file.config);
            diagnostics.extend(file.diagnostics);
            diagnostics.append(&mut diags);
            confs.features = view;
        }
        if let Some(file) = tandem_conf::load_optional(source, "voicemail.conf") {
            let (view, mut diags) = VoicemailConf::from_config(&file.config);
            diagnostics.extend(file.diagnostics);
            diagnostics.append(&mut diags);
            confs.voicemail = view;
        }
        confs
    }
}
