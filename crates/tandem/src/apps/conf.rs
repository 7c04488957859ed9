//! The configuration files the channel applications read (voicemail.conf, musiconhold.conf,
//! features.conf, indications.conf), loaded with the rest by [`crate::config::load_all`] and
//! kept in [`crate::channels::World`].

use tandem_conf::{Diagnostic, Source};

/// The applications' configuration, one field per file.
#[derive(Default)]
pub struct Confs {}

impl Confs {
    /// Load each file `source` has; messages go to `diagnostics` as `file:line: ...`.
    pub fn load(_source: &dyn Source, _diagnostics: &mut Vec<Diagnostic>) -> Confs {
        Confs::default()
    }
}
