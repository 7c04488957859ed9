//! `extensions.conf` to a [`Dialplan`], as `pbx/pbx_config.c` reads it, with a diagnostic
//! (`file:line`) for everything Asterisk would log and everything tandem does not support.
//!
//! - `[general]` and `[globals]` (names compared case-insensitively; only the first section of
//!   each is read, as `ast_variable_browse` does) are not contexts; every other non-template
//!   section is, and sections with the same name feed one context.
//! - `exten => EXT[/CID],PRIO[(LABEL)],App(data)`; `same => PRIO,...` reuses the last
//!   extension of the section (any key starting with `same`, as Asterisk's `strncasecmp`);
//!   `n`/`next` is the previous line's priority + 1 *whatever extension it was*, `s`/`same` the
//!   previous priority, `N+M`/`label+M` add M.
//! - `include => ctx[,times,weekdays,mdays,months[,tz]]` (or `|`), `ignorepat =>`,
//!   `switch =>`/`lswitch =>`/`eswitch =>` (kept for `dialplan show`, not run).

mod build;
mod exten;
mod scan;

use std::collections::HashMap;

use tandem_conf::{ast_true, Config, Diagnostic, Item, Section, Span};

use crate::model::{Dialplan, General, Include};
use crate::timespec::TimeSpec;

use build::{ContextBuilder, Contexts, NewPriority};
use exten::{parse_priority, shrink_phone_number, split_app, split_ext, PriSpec};

const GENERAL_KEYS: [&str; 7] = [
    "static",
    "writeprotect",
    "clearglobalvars",
    "autofallthrough",
    "extenpatternmatchnew",
    "userscontext",
    "overrideswitch",
];

/// Loads a parsed `extensions.conf`. `app_known` and `func_known` say whether an application
/// or function name exists (the caller decides about case); unknown ones are warnings.
pub fn load(
    config: &Config,
    app_known: &dyn Fn(&str) -> bool,
    func_known: &dyn Fn(&str) -> bool,
) -> (Dialplan, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut dp = Dialplan::default();
    let sections: Vec<&Section> = config.sections.iter().filter(|s| !s.template).collect();

    let mut seen_general = false;
    let mut seen_globals = false;
    for s in &sections {
        if s.name.eq_ignore_ascii_case("general") {
            if seen_general {
                diags.push(Diagnostic::warning(
                    s.span.clone(),
                    "a second [general] section is ignored, as Asterisk does",
                ));
            } else {
                seen_general = true;
                dp.general = general(s, &mut diags);
            }
        } else if s.name.eq_ignore_ascii_case("globals") {
            if seen_globals {
                diags.push(Diagnostic::warning(
                    s.span.clone(),
                    "a second [globals] section is ignored, as Asterisk does",
                ));
            } else {
                seen_globals = true;
                dp.globals = s
                    .items
                    .iter()
                    .map(|i| (i.key.clone(), i.value.clone(), i.span.clone()))
                    .collect();
            }
        }
    }
    let globals: HashMap<&str, &str> = dp
        .globals
        .iter()
        .map(|(k, v, _)| (k.as_str(), v.as_str()))
        .collect();

    let mut contexts = Contexts::default();
    let checks = Checks {
        app_known,
        func_known,
    };
    for s in &sections {
        if s.name.eq_ignore_ascii_case("general") || s.name.eq_ignore_ascii_case("globals") {
            continue;
        }
        let ctx = contexts.get_or_create(&s.name, &s.span);
        // "Reset continuation items at the beginning of each context" (each section).
        let mut state = LineState::default();
        for item in &s.items {
            directive(ctx, item, &globals, &checks, &mut state, &mut diags);
        }
    }

    for c in &contexts.list {
        for inc in &c.includes {
            if !contexts.index.contains_key(&inc.context) {
                diags.push(Diagnostic::warning(
                    inc.span.clone(),
                    format!(
                        "Context '{}' tries to include nonexistent context '{}'",
                        c.name, inc.context
                    ),
                ));
            }
        }
    }
    dp.index = contexts.index;
    dp.contexts = contexts
        .list
        .into_iter()
        .map(ContextBuilder::finish)
        .collect();
    (dp, diags)
}

fn general(s: &Section, diags: &mut Vec<Diagnostic>) -> General {
    let mut g = General::default();
    for item in &s.items {
        let v = item.value.as_str();
        match item.key.to_ascii_lowercase().as_str() {
            "static" => g.static_ = ast_true(v),
            "writeprotect" => g.writeprotect = ast_true(v),
            "clearglobalvars" => g.clearglobalvars = ast_true(v),
            "autofallthrough" => g.autofallthrough = ast_true(v),
            "extenpatternmatchnew" => {
                g.extenpatternmatchnew = ast_true(v);
                if g.extenpatternmatchnew {
                    diags.push(Diagnostic::warning(
                        item.span.clone(),
                        "extenpatternmatchnew is not supported; the default pattern matcher is used",
                    ));
                }
            }
            "userscontext" => g.userscontext = Some(v.to_string()),
            "overrideswitch" => {
                diags.push(Diagnostic::warning(
                    item.span.clone(),
                    "overrideswitch is not supported (tandem has no switches)",
                ));
            }
            _ => diags.push(Diagnostic::warning(
                item.span.clone(),
                format!(
                    "unknown option '{}' in [general] (known: {})",
                    item.key,
                    GENERAL_KEYS.join(", ")
                ),
            )),
        }
    }
    g
}

struct Checks<'a> {
    app_known: &'a dyn Fn(&str) -> bool,
    func_known: &'a dyn Fn(&str) -> bool,
}

/// `lastextension` and `lastpri` of pbx_config, reset for each section.
struct LineState {
    last_ext: String,
    last_pri: i64,
}

impl Default for LineState {
    fn default() -> Self {
        LineState {
            last_ext: String::new(),
            last_pri: -2,
        }
    }
}

/// `pbx_substitute_variables_helper(NULL, ...)` for load-time values: `${NAME}` from
/// `[globals]` (an unknown name is empty). Anything else with `${` is kept and reported.
fn subst_globals(
    s: &str,
    globals: &HashMap<&str, &str>,
    span: &Span,
    diags: &mut Vec<Diagnostic>,
) -> String {
    if !s.contains("${") {
        return s.to_string();
    }
    let mut out = String::new();
    let mut rest = s;
    while let Some(pos) = rest.find("${") {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 2..];
        let name_len = after
            .bytes()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
            .count();
        if after.as_bytes().get(name_len) == Some(&b'}') && name_len > 0 {
            out.push_str(globals.get(&after[..name_len]).copied().unwrap_or(""));
            rest = &after[name_len + 1..];
        } else {
            diags.push(Diagnostic::warning(
                span.clone(),
                format!("only plain ${{NAME}} global variables are expanded when loading: '{s}'"),
            ));
            out.push_str(&rest[pos..]);
            return out;
        }
    }
    out.push_str(rest);
    out
}

fn directive(
    ctx: &mut ContextBuilder,
    item: &Item,
    globals: &HashMap<&str, &str>,
    checks: &Checks<'_>,
    st: &mut LineState,
    diags: &mut Vec<Diagnostic>,
) {
    let key = item.key.as_str();
    let span = &item.span;
    if key.len() >= 4 && key.is_char_boundary(4) && key[..4].eq_ignore_ascii_case("same") {
        if st.last_ext.is_empty() {
            diags.push(Diagnostic::error(
                span.clone(),
                format!(
                    "No previous pattern in the first entry of context '{}' to match '{}'",
                    ctx.name, key
                ),
            ));
            return;
        }
        let ext = st.last_ext.clone();
        priority_line(ctx, &ext, Some(&item.value), span, checks, st, diags);
    } else if key.eq_ignore_ascii_case("exten") {
        let (ext, rest) = split_ext(&item.value);
        let ext = subst_globals(ext, globals, span, diags);
        st.last_ext = ext.clone();
        priority_line(ctx, &ext, rest, span, checks, st, diags);
    } else if key.eq_ignore_ascii_case("include") {
        include(
            ctx,
            &subst_globals(&item.value, globals, span, diags),
            span,
            diags,
        );
    } else if key.eq_ignore_ascii_case("ignorepat") {
        let value = subst_globals(&item.value, globals, span, diags);
        if ctx
            .ignorepats
            .iter()
            .any(|(p, _)| p.eq_ignore_ascii_case(&value))
        {
            diags.push(Diagnostic::warning(
                span.clone(),
                format!(
                    "Unable to include ignorepat '{}' in context '{}' (already there)",
                    item.value, ctx.name
                ),
            ));
        } else {
            ctx.ignorepats.push((value, span.clone()));
        }
    } else if ["switch", "lswitch", "eswitch"]
        .iter()
        .any(|k| key.eq_ignore_ascii_case(k))
    {
        let value = if key.eq_ignore_ascii_case("switch") {
            subst_globals(&item.value, globals, span, diags)
        } else {
            item.value.clone()
        };
        let (name, data) = value.split_once('/').unwrap_or((value.as_str(), ""));
        let sw = format!("{name}/{data}");
        if ctx
            .switches
            .iter()
            .any(|(s, _)| s.eq_ignore_ascii_case(&sw))
        {
            diags.push(Diagnostic::warning(
                span.clone(),
                format!(
                    "Unable to include switch '{}' in context '{}' (already there)",
                    item.value, ctx.name
                ),
            ));
        } else {
            diags.push(Diagnostic::warning(
                span.clone(),
                format!("switch '{sw}' is not supported by tandem (never consulted)"),
            ));
            ctx.switches.push((sw, span.clone()));
        }
    } else {
        diags.push(Diagnostic::warning(
            span.clone(),
            format!(
                "Unknown directive '{key}' in context '{}', ignored",
                ctx.name
            ),
        ));
    }
}

fn include(ctx: &mut ContextBuilder, raw: &str, span: &Span, diags: &mut Vec<Diagnostic>) {
    let split = raw.find('|').or_else(|| raw.find(','));
    let (name, time) = match split {
        Some(i) => (&raw[..i], &raw[i + 1..]),
        None => (raw, ""),
    };
    if name.is_empty() {
        diags.push(Diagnostic::error(
            span.clone(),
            "include => needs a context name",
        ));
        return;
    }
    if ctx.includes.iter().any(|i| i.raw.eq_ignore_ascii_case(raw)) {
        diags.push(Diagnostic::warning(
            span.clone(),
            format!(
                "Context '{}' already included in '{}' context",
                raw, ctx.name
            ),
        ));
        return;
    }
    let time = if time.is_empty() {
        None
    } else {
        let (spec, warnings) = TimeSpec::parse_lenient(time);
        for w in warnings {
            diags.push(Diagnostic::error(
                span.clone(),
                format!("bad time condition '{time}' in include: {w}"),
            ));
        }
        Some(spec)
    };
    ctx.includes.push(Include {
        context: name.to_string(),
        time,
        raw: raw.to_string(),
        span: span.clone(),
    });
}

fn priority_line(
    ctx: &mut ContextBuilder,
    realext: &str,
    rest: Option<&str>,
    span: &Span,
    checks: &Checks<'_>,
    st: &mut LineState,
    diags: &mut Vec<Diagnostic>,
) {
    let err =
        |diags: &mut Vec<Diagnostic>, m: String| diags.push(Diagnostic::error(span.clone(), m));
    let (ext, cid) = match realext.split_once('/') {
        Some((e, c)) => (e, Some(shrink_phone_number(c))),
        None => (realext, None),
    };
    let (pri_field, app_part) = match rest {
        Some(r) => r.split_once(',').unwrap_or((r, "")),
        None => ("", ""),
    };
    let pf = match parse_priority(pri_field) {
        Ok(p) => p,
        Err(m) => return err(diags, m),
    };
    let mut ipri: i64 = match &pf.spec {
        PriSpec::Hint => -1,
        PriSpec::Next if st.last_pri > -2 => st.last_pri + 1,
        PriSpec::Next => return err(diags, "Can't use 'next' priority on the first entry".into()),
        PriSpec::Same if st.last_pri > -2 => st.last_pri,
        PriSpec::Same => return err(diags, "Can't use 'same' priority on the first entry".into()),
        PriSpec::Number(n) if *n < 1 => {
            return err(diags, format!("Invalid priority '{}'", pri_field.trim()))
        }
        PriSpec::Number(n) => *n,
        PriSpec::Label(l) => {
            match ctx.label_priority(&crate::pattern::display_name(ext), cid.as_deref(), l) {
                Some(n) if !l.is_empty() => i64::from(n),
                _ => {
                    let what = if pri_field.trim().is_empty() {
                        "missing priority".to_string()
                    } else {
                        format!("Invalid priority/label '{l}'")
                    };
                    return err(diags, what);
                }
            }
        }
    };
    let part = split_app(app_part);
    if part.unterminated {
        err(
            diags,
            format!("No closing parenthesis found? '{}({}'", part.app, part.data),
        );
    }
    if ipri == 0 {
        // `n` right after a hint gives priority 0, which pbx_config drops without a word.
        diags.push(Diagnostic::warning(
            span.clone(),
            "priority 0 (a 'next' after a hint) is ignored, as Asterisk does",
        ));
        return;
    }
    if let Some(p) = &pf.plus {
        ipri += i64::from(crate::cscan::atoi(p));
    }
    st.last_pri = ipri;
    if ipri < 1 && ipri != -1 {
        return err(
            diags,
            format!(
                "Invalid priority '{}' (computes to {ipri})",
                pri_field.trim()
            ),
        );
    }
    if ext.is_empty() {
        return err(diags, "missing extension".into());
    }
    if realext == "_." || realext == "_!" {
        let c = &realext[1..];
        diags.push(Diagnostic::warning(
            span.clone(),
            format!("The use of '{realext}' for an extension is strongly discouraged and can have unexpected behavior.  Please use '_X{c}' instead"),
        ));
    }
    if ipri != -1 {
        if part.app.is_empty() {
            err(diags, "missing application".into());
        } else if !(checks.app_known)(&part.app) {
            let hint = if part.app.contains(',') {
                " (write App(args): the old App,args form is not split)"
            } else {
                ""
            };
            diags.push(Diagnostic::warning(
                span.clone(),
                format!("unknown application '{}'{hint}", part.app),
            ));
        }
        for f in scan::function_names(&part.data) {
            if !(checks.func_known)(f) {
                diags.push(Diagnostic::warning(
                    span.clone(),
                    format!("unknown function '{f}'"),
                ));
            }
        }
    }
    let added = ctx.add(
        NewPriority {
            name: crate::pattern::display_name(ext),
            cid,
            number: ipri,
            label: pf.label,
            app: part.app,
            data: part.data,
            span: span.clone(),
        },
        diags,
    );
    let _ = added;
}

#[cfg(test)]
#[path = "load_tests.rs"]
pub(crate) mod tests;
