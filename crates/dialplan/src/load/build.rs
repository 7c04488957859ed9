//! Building one context the way `ast_add_extension2` and `add_priority` (main/pbx.c) do:
//! extensions kept in `ext_cmp` order (a caller-id variant after the plain one), priorities
//! merged into the extension they compare equal to, duplicates refused with Asterisk's
//! warning.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use tandem_conf::{Diagnostic, Span};

use crate::model::{Context, Extension, Include, Priority};
use crate::pattern::{ext_cid_cmp, Pattern};

/// The sort key of an extension: ordered by `ext_cmp` and the caller-id rule.
struct Key {
    exten: Pattern,
    cid: Option<Pattern>,
}

impl Ord for Key {
    fn cmp(&self, o: &Key) -> Ordering {
        ext_cid_cmp(&self.exten, self.cid.as_ref(), &o.exten, o.cid.as_ref())
    }
}
impl PartialOrd for Key {
    fn partial_cmp(&self, o: &Key) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl PartialEq for Key {
    fn eq(&self, o: &Key) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Key {}

struct ExtBuilder {
    cid: Option<String>,
    /// Priority number (-1 for the hint) to the name it was registered under.
    names: BTreeMap<i64, String>,
    priorities: BTreeMap<u32, Priority>,
    hint: Option<(String, Span)>,
    span: Span,
}

/// One priority line to add.
pub(crate) struct NewPriority {
    /// The extension's display name (spaces removed).
    pub name: String,
    pub cid: Option<String>,
    /// -1 for the hint.
    pub number: i64,
    pub label: Option<String>,
    pub app: String,
    pub data: String,
    pub span: Span,
}

pub(crate) struct ContextBuilder {
    pub name: String,
    pub span: Span,
    order: BTreeMap<Key, usize>,
    exts: Vec<ExtBuilder>,
    pub includes: Vec<Include>,
    pub ignorepats: Vec<(String, Span)>,
    pub switches: Vec<(String, Span)>,
}

impl ContextBuilder {
    pub fn new(name: &str, span: Span) -> Self {
        ContextBuilder {
            name: name.to_string(),
            span,
            order: BTreeMap::new(),
            exts: Vec::new(),
            includes: Vec::new(),
            ignorepats: Vec::new(),
            switches: Vec::new(),
        }
    }

    fn key(name: &str, cid: Option<&str>) -> Key {
        Key {
            exten: Pattern::new(name),
            cid: cid.map(Pattern::new),
        }
    }

    /// The priority of `label` in the extension spelled `name`/`cid` (used for `label+1`
    /// priorities, `ast_findlabel_extension2`).
    pub fn label_priority(&self, name: &str, cid: Option<&str>, label: &str) -> Option<u32> {
        let i = *self.order.get(&Self::key(name, cid))?;
        self.exts
            .get(i)?
            .priorities
            .values()
            .find(|p| p.label.as_deref() == Some(label))
            .map(|p| p.number)
    }

    /// `ast_add_extension2(con, replace = 0, ...)`. Returns false (with Asterisk's warning)
    /// when the priority is already taken.
    pub fn add(&mut self, mut p: NewPriority, diags: &mut Vec<Diagnostic>) -> bool {
        let key = Self::key(&p.name, p.cid.as_deref());
        let idx = match self.order.get(&key) {
            Some(&i) => i,
            None => {
                let i = self.exts.len();
                self.exts.push(ExtBuilder {
                    cid: p.cid.clone(),
                    names: BTreeMap::new(),
                    priorities: BTreeMap::new(),
                    hint: None,
                    span: p.span.clone(),
                });
                self.order.insert(key, i);
                i
            }
        };
        let ctx = self.name.clone();
        let Some(e) = self.exts.get_mut(idx) else {
            return false;
        };
        if p.number == -1 {
            if e.hint.is_some() {
                diags.push(Diagnostic::warning(
                    p.span,
                    in_use(&p.name, -1, &ctx, e.names.get(&-1)),
                ));
                return false;
            }
            e.hint = Some((p.app, p.span));
            e.names.insert(-1, p.name);
            return true;
        }
        let Ok(number) = u32::try_from(p.number) else {
            return false;
        };
        // The label check of add_priority: it looks at the priorities up to the first one not
        // below the new one, and drops the new label if one of them already carries it.
        if let Some(label) = p.label.clone() {
            for (&n, old) in &e.priorities {
                if old.label.as_deref() == Some(label.as_str()) && n != number {
                    let alias = e.names.get(&i64::from(n)).filter(|o| **o != p.name);
                    let msg = match alias {
                        Some(a) => format!(
                            "Extension '{}' priority {} in '{}', label '{}' already in use at aliased extension '{}' priority {}",
                            p.name, number, ctx, label, a, n
                        ),
                        None => format!(
                            "Extension '{}' priority {} in '{}', label '{}' already in use at priority {}",
                            p.name, number, ctx, label, n
                        ),
                    };
                    diags.push(Diagnostic::warning(p.span.clone(), msg));
                    p.label = None;
                }
                if n >= number {
                    break;
                }
            }
        }
        if e.priorities.contains_key(&number) {
            let msg = in_use(&p.name, p.number, &ctx, e.names.get(&p.number));
            diags.push(Diagnostic::warning(p.span, msg));
            return false;
        }
        e.names.insert(p.number, p.name);
        e.priorities.insert(
            number,
            Priority {
                number,
                label: p.label,
                app: p.app,
                data: p.data,
                span: p.span,
            },
        );
        true
    }

    /// The context, extensions in match order, lookup index built.
    pub fn finish(self) -> Context {
        let mut ctx = Context::new(&self.name, self.span);
        let mut exts: Vec<Option<ExtBuilder>> = self.exts.into_iter().map(Some).collect();
        for (_, i) in self.order {
            let Some(e) = exts.get_mut(i).and_then(Option::take) else {
                continue;
            };
            // Asterisk shows the name of the head of the priority list (the lowest priority).
            let exten = e.names.values().next().cloned().unwrap_or_default();
            ctx.extensions.push(Extension {
                exten,
                cid: e.cid,
                priorities: e.priorities.into_values().collect(),
                hint: e.hint,
                span: e.span,
            });
        }
        ctx.includes = self.includes;
        ctx.ignorepats = self.ignorepats;
        ctx.switches = self.switches;
        ctx.reindex();
        ctx
    }
}

fn in_use(name: &str, number: i64, ctx: &str, old: Option<&String>) -> String {
    match old.filter(|o| o.as_str() != name) {
        Some(o) => format!(
            "Unable to register extension '{name}' priority {number} in '{ctx}', already in use by aliased extension '{o}'"
        ),
        None => format!("Unable to register extension '{name}' priority {number} in '{ctx}', already in use"),
    }
}

/// Contexts in creation order, by name.
#[derive(Default)]
pub(crate) struct Contexts {
    pub list: Vec<ContextBuilder>,
    pub index: HashMap<String, usize>,
}

impl Contexts {
    /// `ast_context_find_or_create`: sections with the same name feed one context.
    pub fn get_or_create(&mut self, name: &str, span: &Span) -> &mut ContextBuilder {
        let i = match self.index.get(name) {
            Some(&i) => i,
            None => {
                self.list.push(ContextBuilder::new(name, span.clone()));
                self.index.insert(name.to_string(), self.list.len() - 1);
                self.list.len() - 1
            }
        };
        &mut self.list[i]
    }
}
