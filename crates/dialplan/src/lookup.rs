//! Finding an extension: Asterisk's `pbx_find_extension` with the default ("old") matcher.
//!
//! In a context, extensions are tried in match order; one whose pattern (and caller-id match,
//! if it has one) matches is taken only if it *has the wanted priority or label*, otherwise the
//! search goes on with the next matching extension. Then the context's includes are searched
//! in order, depth-first, those whose time condition holds at `now`; a context already searched
//! (names compared case-insensitively, as Asterisk does) is skipped, and at most
//! [`MAX_STACK`] contexts are searched in one lookup.
//!
//! Speed: literal extensions sort before every pattern, so "walk the list in order" is the same
//! as "look the digits up among the literal extensions, then walk the patterns". The
//! [`ExtenTable`] keeps a hash map from literal digits to the (in order) extensions spelled that
//! way (several when they differ by caller-id match), and the compiled patterns.

use std::cmp::Ordering;
use std::collections::HashMap;

use crate::env::LocalTime;
use crate::model::{Context, Dialplan, Extension, Found, MatchMode, Priority, Target};
use crate::pattern::{match_cid, MatchResult, Pattern};

/// `AST_PBX_MAX_STACK`: contexts searched in one lookup, includes counted.
pub const MAX_STACK: usize = 128;

#[derive(Clone, Debug, PartialEq, Eq)]
struct Compiled {
    exten: Pattern,
    cid: Option<Pattern>,
}

/// The lookup index of one context, built from its (sorted) extensions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExtenTable {
    compiled: Vec<Compiled>,
    /// Extensions `[0, n_plain)` are literal, the rest patterns.
    n_plain: usize,
    /// Literal digits (fluff removed) to extension indexes, in match order.
    exact: HashMap<String, Vec<u32>>,
}

impl ExtenTable {
    /// Builds the index of `extensions`, which must be in match order.
    pub fn build(extensions: &[Extension]) -> ExtenTable {
        let mut t = ExtenTable::default();
        for (i, e) in extensions.iter().enumerate() {
            let c = Compiled {
                exten: Pattern::new(&e.exten),
                cid: e.cid.as_deref().map(Pattern::new),
            };
            if let Some(lit) = c.exten.literal() {
                t.n_plain = i + 1;
                let idx = u32::try_from(i).unwrap_or(u32::MAX);
                t.exact.entry(lit.to_string()).or_default().push(idx);
            }
            t.compiled.push(c);
        }
        t
    }

    /// Cheap staleness check (a context edited after [`Context::reindex`] falls back to a
    /// plain walk, which is slower but still right).
    fn is_current(&self, extensions: &[Extension]) -> bool {
        self.compiled.len() == extensions.len()
    }
}

/// What a lookup wants from the extension it finds.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Want<'a> {
    Target(Target<'a>),
    Hint,
}

fn has_wanted<'e>(e: &'e Extension, want: Want<'_>) -> Option<Option<&'e Priority>> {
    match want {
        Want::Target(Target::Priority(n)) => e.priority(n).map(Some),
        Want::Target(Target::Label(l)) => e.label(l).map(Some),
        Want::Hint => e.hint.as_ref().map(|_| None),
    }
}

/// Compares the first `p.len()` bytes of `k` with `p` in C's signed-char order (a key shorter
/// than `p` compares with its terminating NUL). Monotone over keys sorted by `ext_cmp`.
fn prefix_cmp(k: &[u8], p: &[u8]) -> Ordering {
    for (i, &pc) in p.iter().enumerate() {
        let kc = k.get(i).map_or(0i8, |&c| c as i8);
        let pc = pc as i8;
        if kc != pc {
            return kc.cmp(&pc);
        }
    }
    Ordering::Equal
}

/// The extensions of one context to try, in match order.
fn candidates(ctx: &Context, exten: &str, mode: MatchMode) -> Vec<usize> {
    let t = &ctx.table;
    let all = ctx.extensions.len();
    if !t.is_current(&ctx.extensions) || exten.starts_with('_') {
        return (0..all).collect();
    }
    let digits: String = exten.chars().filter(|&c| c != '-').collect();
    let mut out: Vec<usize> = match mode {
        MatchMode::Match => t
            .exact
            .get(&digits)
            .map(|v| v.iter().map(|&i| i as usize).collect())
            .unwrap_or_default(),
        MatchMode::CanMatch | MatchMode::MatchMore => {
            let plain = &t.compiled[..t.n_plain];
            let key = |c: &Compiled| prefix_cmp(c.exten.as_str().as_bytes(), digits.as_bytes());
            let lo = plain.partition_point(|c| key(c) == Ordering::Less);
            let hi = plain.partition_point(|c| key(c) != Ordering::Greater);
            (lo..hi.max(lo)).collect()
        }
    };
    out.extend(t.n_plain..all);
    out
}

/// One context's own extensions (no includes): the index of the extension found and the
/// priority, or `Err(())` when a `!` pattern ends a MatchMore search in this context.
#[allow(clippy::result_unit_err)]
fn search_own<'a>(
    ctx: &'a Context,
    exten: &str,
    want: Want<'_>,
    callerid: Option<&str>,
    mode: MatchMode,
) -> Result<Option<(&'a Extension, Option<&'a Priority>)>, ()> {
    let current = ctx.table.is_current(&ctx.extensions);
    for i in candidates(ctx, exten, mode) {
        let Some(e) = ctx.extensions.get(i) else {
            continue;
        };
        let compiled;
        let c = match ctx.table.compiled.get(i) {
            Some(c) if current => c,
            _ => {
                compiled = Compiled {
                    exten: Pattern::new(&e.exten),
                    cid: e.cid.as_deref().map(Pattern::new),
                };
                &compiled
            }
        };
        let r = c.exten.matches(exten, mode);
        if r == MatchResult::No {
            continue;
        }
        if let Some(cid) = &c.cid {
            if !match_cid(cid, callerid) {
                continue;
            }
        }
        if r == MatchResult::Early && mode == MatchMode::MatchMore {
            // "We match an extension ending in '!'. The decision in this case is final."
            return Err(());
        }
        if let Some(p) = has_wanted(e, want) {
            return Ok(Some((e, p)));
        }
    }
    Ok(None)
}

pub(crate) struct Hit<'a> {
    pub context: &'a Context,
    pub extension: &'a Extension,
    pub priority: Option<&'a Priority>,
}

#[allow(clippy::too_many_arguments)]
fn search<'a>(
    dp: &'a Dialplan,
    context: &str,
    exten: &str,
    want: Want<'_>,
    callerid: Option<&str>,
    now: LocalTime,
    mode: MatchMode,
    stack: &mut Vec<&'a str>,
) -> Option<Hit<'a>> {
    if stack.len() >= MAX_STACK {
        return None; // "Maximum PBX stack exceeded"
    }
    if stack.iter().any(|s| s.eq_ignore_ascii_case(context)) {
        return None;
    }
    let ctx = dp.context(context)?;
    match search_own(ctx, exten, want, callerid, mode) {
        Err(()) => return None,
        Ok(Some((extension, priority))) => {
            return Some(Hit {
                context: ctx,
                extension,
                priority,
            })
        }
        Ok(None) => {}
    }
    stack.push(&ctx.name);
    for inc in &ctx.includes {
        if inc.time.as_ref().is_some_and(|t| !t.matches(now)) {
            continue;
        }
        if let Some(hit) = search(dp, &inc.context, exten, want, callerid, now, mode, stack) {
            return Some(hit);
        }
    }
    None
}

pub(crate) fn find_hit<'a>(
    dp: &'a Dialplan,
    context: &str,
    exten: &str,
    want: Want<'_>,
    callerid: Option<&str>,
    now: LocalTime,
    mode: MatchMode,
) -> Option<Hit<'a>> {
    let mut stack = Vec::new();
    search(dp, context, exten, want, callerid, now, mode, &mut stack)
}

/// `pbx_find_extension` for a priority or label (see [`Dialplan::find`]).
pub(crate) fn find<'a>(
    dp: &'a Dialplan,
    context: &str,
    exten: &str,
    target: Target<'_>,
    callerid: Option<&str>,
    now: LocalTime,
    mode: MatchMode,
) -> Option<Found<'a>> {
    let hit = find_hit(
        dp,
        context,
        exten,
        Want::Target(target),
        callerid,
        now,
        mode,
    )?;
    Some(Found {
        context: hit.context,
        extension: hit.extension,
        priority: hit.priority?,
    })
}

#[cfg(test)]
#[path = "lookup_tests.rs"]
mod tests;
