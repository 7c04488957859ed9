//! The configuration files the channel applications read (voicemail.conf, musiconhold.conf,
//! features.conf, indications.conf), loaded with the rest by [`crate::config::load_all`] and
//! kept in [`crate::channels::World`].

use tandem_conf::views::{FeaturesConf, VoicemailConf};
use tandem_conf::{Diagnostic, Source};

/// The applications' configuration, one field per file.
#[derive(Default)]
pub struct Confs {
    /// features.conf (Asterisk's defaults when there is none).
    pub features: FeaturesConf,
    /// voicemail.conf (no mailboxes when there is none).
    pub voicemail: VoicemailConf,
}

impl Confs {
    /// Load each file `source` has; messages go to `diagnostics` as `file:line: ...`.
    pub fn load(source: &dyn Source, diagnostics: &mut Vec<Diagnostic>) -> Confs {
        let mut confs = Confs::default();
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
