//! A loaded dialplan: contexts with their extensions in Asterisk's match order.

use std::collections::HashMap;

use tandem_conf::Span;

use crate::env::LocalTime;
use crate::lookup::ExtenTable;
use crate::timespec::TimeSpec;

/// `[general]` of extensions.conf.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct General {
    pub static_: bool,
    pub writeprotect: bool,
    pub clearglobalvars: bool,
    /// Default `yes` (Asterisk 1.6+): running off the end of an extension hangs up.
    pub autofallthrough: bool,
    pub extenpatternmatchnew: bool,
    pub userscontext: Option<String>,
}

impl Default for General {
    fn default() -> Self {
        General {
            static_: false,
            writeprotect: false,
            clearglobalvars: false,
            autofallthrough: true,
            extenpatternmatchnew: false,
            userscontext: None,
        }
    }
}

/// One priority: `exten => 100,n(label),App(data)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Priority {
    pub number: u32,
    pub label: Option<String>,
    /// The application name as written (`Dial`, `goto`, ...).
    pub app: String,
    /// The unexpanded argument text between the parentheses.
    pub data: String,
    pub span: Span,
}

/// An extension (explicit like `100` or a pattern like `_9.`), with an optional caller-id
/// match (`100/_555X.`), its priorities sorted by number, and its `hint` if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extension {
    /// As written, e.g. `_9.` or `100`.
    pub exten: String,
    /// The caller-id pattern after `/`, as written.
    pub cid: Option<String>,
    pub priorities: Vec<Priority>,
    pub hint: Option<(String, Span)>,
    pub span: Span,
}

impl Extension {
    pub fn priority(&self, number: u32) -> Option<&Priority> {
        self.priorities
            .binary_search_by_key(&number, |p| p.number)
            .ok()
            .map(|i| &self.priorities[i])
    }

    pub fn label(&self, label: &str) -> Option<&Priority> {
        self.priorities
            .iter()
            .find(|p| p.label.as_deref() == Some(label))
    }

    pub fn is_pattern(&self) -> bool {
        self.exten.starts_with('_')
    }
}

/// `include => other` with an optional time condition.
#[derive(Clone, Debug, PartialEq)]
pub struct Include {
    pub context: String,
    pub time: Option<TimeSpec>,
    /// The text after `=>` as written, for `dialplan show`.
    pub raw: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Context {
    pub name: String,
    pub span: Span,
    /// In Asterisk's match order (the order `dialplan show` prints them).
    pub extensions: Vec<Extension>,
    pub includes: Vec<Include>,
    pub ignorepats: Vec<(String, Span)>,
    /// `switch => ...` lines, kept for `dialplan show` (tandem has no switches yet).
    pub switches: Vec<(String, Span)>,
    /// The lookup index over `extensions`; rebuild with [`Context::reindex`] after editing
    /// `extensions` by hand.
    pub table: ExtenTable,
}

impl Context {
    pub fn new(name: &str, span: Span) -> Context {
        Context {
            name: name.to_string(),
            span,
            extensions: Vec::new(),
            includes: Vec::new(),
            ignorepats: Vec::new(),
            switches: Vec::new(),
            table: ExtenTable::default(),
        }
    }

    /// Rebuilds the lookup index (extensions must be in match order).
    pub fn reindex(&mut self) {
        self.table = ExtenTable::build(&self.extensions);
    }

    /// `ast_ignore_pattern`: do these digits match one of the `ignorepat` lines?
    pub fn ignores(&self, digits: &str) -> bool {
        self.ignorepats
            .iter()
            .any(|(p, _)| crate::pattern::extension_match(p, digits))
    }
}

/// What to look for in an extension: a priority number or a label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target<'a> {
    Priority(u32),
    Label(&'a str),
}

/// How an extension is matched against dialled digits (Asterisk's E_MATCH, E_CANMATCH,
/// E_MATCHMORE).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchMode {
    /// The digits are a complete match.
    Match,
    /// The digits match, or could match if more were dialled.
    CanMatch,
    /// More digits could still match (overlap dialling).
    MatchMore,
}

/// The result of a lookup.
#[derive(Clone, Copy, Debug)]
pub struct Found<'a> {
    /// The context the extension was found in (an included one, possibly).
    pub context: &'a Context,
    pub extension: &'a Extension,
    pub priority: &'a Priority,
}

/// The whole dialplan.
#[derive(Clone, Debug, Default)]
pub struct Dialplan {
    pub general: General,
    /// `[globals]` in order.
    pub globals: Vec<(String, String, Span)>,
    pub contexts: Vec<Context>,
    pub index: HashMap<String, usize>,
}

impl Dialplan {
    pub fn context(&self, name: &str) -> Option<&Context> {
        self.index.get(name).map(|&i| &self.contexts[i])
    }

    /// Asterisk's `pbx_find_extension`: the first extension of `context` in match order that
    /// matches `exten` (and the caller id when it has a cid match) *and has the wanted
    /// priority or label*, else the same in each include (in order, depth-first, time
    /// conditions evaluated at `now`, each context visited once).
    pub fn find(
        &self,
        context: &str,
        exten: &str,
        target: Target<'_>,
        callerid: Option<&str>,
        now: LocalTime,
    ) -> Option<Found<'_>> {
        crate::lookup::find(
            self,
            context,
            exten,
            target,
            callerid,
            now,
            MatchMode::Match,
        )
    }

    /// `ast_exists_extension(context, exten, 1, callerid)`.
    pub fn exists(
        &self,
        context: &str,
        exten: &str,
        callerid: Option<&str>,
        now: LocalTime,
    ) -> bool {
        self.find(context, exten, Target::Priority(1), callerid, now)
            .is_some()
    }

    /// `ast_canmatch_extension` / `ast_matchmore_extension` for digit collection.
    pub fn matches(
        &self,
        context: &str,
        exten: &str,
        callerid: Option<&str>,
        now: LocalTime,
        mode: MatchMode,
    ) -> bool {
        crate::lookup::find(
            self,
            context,
            exten,
            Target::Priority(1),
            callerid,
            now,
            mode,
        )
        .is_some()
    }

    /// The hint of the extension that `exten` reaches from `context` (`ast_hint_extension`:
    /// caller id empty, includes followed): the extension, its context and the hint text.
    pub fn hint(
        &self,
        context: &str,
        exten: &str,
        now: LocalTime,
    ) -> Option<(&Context, &Extension, &str)> {
        let hit = crate::lookup::find_hit(
            self,
            context,
            exten,
            crate::lookup::Want::Hint,
            Some(""),
            now,
            MatchMode::Match,
        )?;
        let text = hit.extension.hint.as_ref().map(|(h, _)| h.as_str())?;
        Some((hit.context, hit.extension, text))
    }

    /// The numeric priority of `label` in the extension `exten` reaches (`ast_findlabel_extension`).
    pub fn label_priority(
        &self,
        context: &str,
        exten: &str,
        label: &str,
        callerid: Option<&str>,
        now: LocalTime,
    ) -> Option<u32> {
        self.find(context, exten, Target::Label(label), callerid, now)
            .map(|f| f.priority.number)
    }
}
