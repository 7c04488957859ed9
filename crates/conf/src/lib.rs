//! Asterisk `.conf` syntax: sections, templates, inheritance, `#include`, comments.
//!
//! The parser reads through a [`Source`] so that it never touches the file system itself
//! unless given an [`FsSource`]; tests use [`MemSource`]. Every item keeps the file and line
//! it came from, so typed views (sip.conf, extensions.conf, ...) can report
//! `PATH:LINE: error: MESSAGE`.

mod diag;
mod glob;
mod lines;
mod parse;
mod source;
mod truth;
pub mod views;

pub use diag::{Diagnostic, Severity, Span};
pub use parse::{load, load_optional, MAX_FILES, MAX_INCLUDE_DEPTH, MAX_SECTION_NAME};
pub use source::{normalize, FsSource, MemSource, Source, MAX_FILE_BYTES};
pub use truth::{ast_false, ast_true};

/// `key = value` or `key => value`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Assign,
    Arrow,
}

/// One `key = value` line, after comment stripping and `\;` unescaping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub key: String,
    pub value: String,
    pub op: Op,
    pub span: Span,
    /// Copied in from a template (`[name](tpl)`), not written in this section.
    pub inherited: bool,
}

/// One `[name]` section, in file order. Templates stay in the list with `template: true`;
/// typed views skip them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub name: String,
    pub span: Span,
    /// `[name](!)`.
    pub template: bool,
    /// The templates named in `[name](a,b)`, in order.
    pub inherits: Vec<String>,
    /// Inherited items first (template order), then the section's own, in order.
    pub items: Vec<Item>,
}

impl Section {
    /// The last value of `key` (case-insensitive), as Asterisk's `ast_variable_retrieve` does.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.items
            .iter()
            .rev()
            .find(|i| i.key.eq_ignore_ascii_case(key))
            .map(|i| i.value.as_str())
    }
}

/// A loaded file with everything it included.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// The top-level file name, relative to the config directory.
    pub file: String,
    pub sections: Vec<Section>,
}

impl Config {
    /// Non-template sections with this name (case-sensitive, as Asterisk), in order.
    pub fn sections_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Section> + 'a {
        self.sections
            .iter()
            .filter(move |s| !s.template && s.name == name)
    }
}

/// The result of [`load`]: what could be parsed, and every message about it.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    pub config: Config,
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}
