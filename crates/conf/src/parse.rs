//! The parser: Asterisk's `config_text_file_load` + `process_text_line` (main/config.c), except
//! that it goes on after an error so that one pass reports every error of a file.
//!
//! Asterisk behaviours kept on purpose (each pinned by a test):
//! - an included file starts in the section that was *current* when the `#include` was read
//!   (`ast_config_get_current_category`), and after the `#include` the including file goes on
//!   in *its own* section, even if the included file opened others;
//! - `[name](tpl)` finds `tpl` case-insensitively among all earlier sections, templates or not;
//!   `[name](+)` finds the first earlier *non-template* section of that name;
//! - options are split on `,` without trimming: `[a](!, tpl)` names the template ` tpl`;
//! - options are read only when `(` follows `]` directly;
//! - `key += more` appends to the last `key`, with ast_variable_update's choice of which item
//!   to rewrite;
//! - the glob files of one `#include` share one block-comment state and one current section.

use std::io::ErrorKind;
use std::sync::Arc;

use crate::glob::{expand_braces, has_magic, unescape};
use crate::lines::{
    ast_strip, next_chunk, strip_comments, CommentEvent, CommentState, Line, LINE_BUF,
};
use crate::source::normalize;
use crate::{Config, Diagnostic, Item, Loaded, Op, Section, Source, Span};

/// Asterisk's MAX_INCLUDE_LEVEL: the top file plus 10 nested `#include`s.
pub const MAX_INCLUDE_DEPTH: usize = 10;
/// Asterisk keeps category names in `char name[80]`.
pub const MAX_SECTION_NAME: usize = 79;
/// Files read in one load, all includes counted (a bound of ours).
pub const MAX_FILES: usize = 1024;

/// Load `file` (relative to the config directory) and everything it includes.
pub fn load(source: &dyn Source, file: &str) -> Loaded {
    match load_optional(source, file) {
        Some(l) => l,
        None => {
            let name = normalize(file);
            Loaded {
                config: Config {
                    file: name.clone(),
                    sections: Vec::new(),
                },
                diagnostics: vec![Diagnostic::error(
                    Span::new(name, 0),
                    "cannot read file: No such file or directory",
                )],
            }
        }
    }
}

/// As [`load`], but `None` when the top-level file does not exist (many Asterisk modules treat
/// a missing file as "not configured" rather than as an error).
pub fn load_optional(source: &dyn Source, file: &str) -> Option<Loaded> {
    let name = normalize(file);
    let mut p = Parser {
        source,
        sections: Vec::new(),
        diags: Vec::new(),
        current: None,
        stack: Vec::new(),
        files_read: 1,
    };
    match source.read(&name) {
        Ok(text) => {
            let mut cat = Cat::None;
            let mut cs = CommentState::default();
            p.parse_file(&name, &text, &mut cat, &mut cs);
        }
        Err(e) if e.kind() == ErrorKind::NotFound => return None,
        Err(e) => p.diags.push(Diagnostic::error(
            Span::new(name.as_str(), 0),
            format!("cannot read file: {e}"),
        )),
    }
    Some(Loaded {
        config: Config {
            file: name,
            sections: p.sections,
        },
        diagnostics: p.diags,
    })
}

/// Where the next `key = value` goes (the `cat` local of config_text_file_load).
#[derive(Clone, Copy, Debug)]
enum Cat {
    None,
    Sec(usize),
    /// After a header too broken to open a section: items are dropped (already reported).
    Discard,
}

struct Parser<'a> {
    source: &'a dyn Source,
    sections: Vec<Section>,
    diags: Vec<Diagnostic>,
    /// `cfg->current`: the last section opened or appended to, whatever the file.
    current: Option<usize>,
    /// Files being read, outermost first (loop detection, depth bound).
    stack: Vec<String>,
    files_read: usize,
}

impl Parser<'_> {
    fn error(&mut self, span: &Span, msg: impl Into<String>) {
        self.diags.push(Diagnostic::error(span.clone(), msg));
    }

    fn warning(&mut self, span: &Span, msg: impl Into<String>) {
        self.diags.push(Diagnostic::warning(span.clone(), msg));
    }

    fn parse_file(&mut self, name: &str, text: &str, cat: &mut Cat, cs: &mut CommentState) {
        self.stack.push(name.to_string());
        let file: Arc<str> = Arc::from(name);
        let bytes = text.as_bytes();
        let (mut pos, mut lineno) = (0usize, 0u32);
        let mut events = Vec::new();
        while pos < bytes.len() {
            lineno = lineno.saturating_add(1);
            let chunk = next_chunk(bytes, pos);
            pos += chunk.len().max(1);
            let span = Span {
                file: file.clone(),
                line: lineno,
            };
            if chunk.len() == LINE_BUF - 1 {
                // fgets filled its buffer: Asterisk skips the line, and the next chunk too.
                self.warning(
                    &span,
                    format!(
                        "line too long (over {} bytes), skipped as Asterisk does",
                        LINE_BUF - 2
                    ),
                );
                while pos < bytes.len() {
                    let more = next_chunk(bytes, pos);
                    pos += more.len().max(1);
                    if more.len() != LINE_BUF - 1 {
                        break;
                    }
                }
                continue;
            }
            let line = strip_comments(chunk, lineno, cs, &mut events);
            for ev in events.drain(..) {
                match ev {
                    CommentEvent::TooDeep => self.error(&span, "block comments nested more than 128 deep"),
                    CommentEvent::StrayClose => self.warning(
                        &span,
                        "'--;' closes a block comment that was never opened; Asterisk ignores the lines \
                         that follow until a ';--'",
                    ),
                }
            }
            if let Line::Text(t) = line {
                if !t.is_empty() {
                    self.process_line(&span, &t, cat);
                }
            }
        }
        if cs.depth > 0 {
            let line = cs.opened_at.first().copied().unwrap_or(0);
            self.warning(
                &Span {
                    file: file.clone(),
                    line,
                },
                "unterminated block comment (';--' never closed by '--;')",
            );
        }
        self.stack.pop();
    }

    fn process_line(&mut self, span: &Span, line: &str, cat: &mut Cat) {
        if let Some(rest) = line.strip_prefix('[') {
            self.header(span, rest, cat);
        } else if let Some(rest) = line.strip_prefix('#') {
            self.directive(span, rest);
        } else {
            self.variable(span, line, *cat);
        }
    }

    fn header(&mut self, span: &Span, rest: &str, cat: &mut Cat) {
        let Some(close) = rest.find(']') else {
            self.error(span, "parse error: no closing ']'");
            *cat = Cat::Discard;
            return;
        };
        let mut name = &rest[..close];
        if name.len() > MAX_SECTION_NAME {
            let mut end = MAX_SECTION_NAME;
            while !name.is_char_boundary(end) {
                end -= 1;
            }
            name = &name[..end];
            self.warning(span, format!("section name longer than {MAX_SECTION_NAME} bytes, truncated to '{name}' as Asterisk does"));
        }
        let after = &rest[close + 1..];
        let mut opts = None;
        if let Some(o) = after.strip_prefix('(') {
            let Some(end) = o.find(')') else {
                self.error(span, "parse error: no closing ')'");
                *cat = Cat::Discard;
                return;
            };
            opts = Some(&o[..end]);
            if !ast_strip(&o[end + 1..]).is_empty() {
                self.warning(span, "text after ')' is ignored");
            }
        } else if !ast_strip(after).is_empty() {
            self.warning(
                span,
                "text after ']' is ignored (options are read only when '(' follows ']' directly)",
            );
        }

        let mut newcat = Some(Section {
            name: name.to_string(),
            span: span.clone(),
            template: false,
            inherits: Vec::new(),
            items: Vec::new(),
        });
        let mut existing: Option<usize> = None;
        for opt in opts
            .map(|o| o.split(',').collect::<Vec<_>>())
            .unwrap_or_default()
        {
            if opt == "!" {
                match (newcat.as_mut(), existing) {
                    (Some(n), _) => n.template = true,
                    (None, Some(i)) => self.set_template(i),
                    (None, None) => {}
                }
            } else if let Some(filter) = opt.strip_prefix('+') {
                if !filter.is_empty() {
                    self.error(
                        span,
                        format!("'(+{filter})': category filters are not supported"),
                    );
                    continue;
                }
                let found = self
                    .sections
                    .iter()
                    .position(|s| !s.template && s.name.eq_ignore_ascii_case(name));
                let Some(i) = found else {
                    self.error(
                        span,
                        format!("'[{name}](+)' adds to an earlier section '{name}', but there is none (templates do not count)"),
                    );
                    continue;
                };
                if let Some(n) = newcat.take() {
                    if let Some(s) = self.sections.get_mut(i) {
                        s.template |= n.template;
                        s.items.extend(n.items);
                        s.inherits.extend(n.inherits);
                    }
                    self.current = Some(i);
                }
                existing = Some(i);
            } else {
                let Some(base) = self
                    .sections
                    .iter()
                    .find(|s| s.name.eq_ignore_ascii_case(opt))
                else {
                    self.error(
                        span,
                        format!(
                            "unknown template '{opt}': no section of that name before this line"
                        ),
                    );
                    continue;
                };
                let base_name = base.name.clone();
                let copied: Vec<Item> = base
                    .items
                    .iter()
                    .map(|it| Item {
                        inherited: true,
                        ..it.clone()
                    })
                    .collect();
                let target = match (newcat.as_mut(), existing) {
                    (Some(n), _) => Some(n),
                    (None, Some(i)) => self.sections.get_mut(i),
                    (None, None) => None,
                };
                if let Some(t) = target {
                    t.inherits.push(base_name);
                    t.items.extend(copied);
                }
            }
        }
        match (newcat, existing) {
            (Some(n), _) => {
                self.sections.push(n);
                let idx = self.sections.len() - 1;
                self.current = Some(idx);
                *cat = Cat::Sec(idx);
            }
            (None, Some(i)) => *cat = Cat::Sec(i),
            (None, None) => *cat = Cat::Discard,
        }
    }

    fn set_template(&mut self, i: usize) {
        if let Some(s) = self.sections.get_mut(i) {
            s.template = true;
        }
    }

    fn directive(&mut self, span: &Span, body: &str) {
        let split = body.find(|c: char| (c as u32) <= 32).unwrap_or(body.len());
        let (dname, arg) = (&body[..split], ast_strip(&body[split..]));
        let try_include = if dname.eq_ignore_ascii_case("include") {
            false
        } else if dname.eq_ignore_ascii_case("tryinclude") {
            true
        } else if dname.eq_ignore_ascii_case("exec") {
            self.error(span, "#exec is not supported");
            return;
        } else {
            self.error(span, format!("unknown directive '#{dname}'"));
            return;
        };
        if arg.is_empty() {
            self.error(
                span,
                format!("directive '#{dname}' needs an argument (a file name)"),
            );
            return;
        }
        let mut file = arg;
        for (open, close) in [('"', '"'), ('<', '>')] {
            if file.len() >= 2 && file.starts_with(open) && file.ends_with(close) {
                file = &file[1..file.len() - 1];
                break;
            }
        }
        self.include(span, file, try_include);
    }

    fn include(&mut self, span: &Span, pattern: &str, try_include: bool) {
        if self.stack.len() > MAX_INCLUDE_DEPTH {
            self.error(
                span,
                format!(
                    "maximum include depth ({MAX_INCLUDE_DEPTH}) exceeded by '#include {pattern}'"
                ),
            );
            return;
        }
        let mut names = Vec::new();
        let mut reported = false;
        for alt in expand_braces(pattern) {
            if has_magic(&alt) {
                match self.source.glob(&alt) {
                    Ok(v) => names.extend(v.into_iter().map(|n| normalize(&n))),
                    Err(e) => {
                        self.error(span, format!("cannot expand '{alt}': {e}"));
                        reported = true;
                    }
                }
            } else {
                names.push(normalize(&unescape(&alt)));
            }
        }
        let mut to_read = Vec::new();
        for n in names {
            if let Some(pos) = self.stack.iter().position(|s| *s == n) {
                let mut chain: Vec<&str> = self.stack[pos..].iter().map(String::as_str).collect();
                chain.push(&n);
                let msg = format!("include loop: {}", chain.join(" -> "));
                self.error(span, msg);
                reported = true;
            } else {
                to_read.push(n);
            }
        }
        // One `#include` is one config_text_file_load: its files share the current section and
        // the block-comment state.
        let mut cat = match self.current {
            Some(i) => Cat::Sec(i),
            None => Cat::None,
        };
        let mut cs = CommentState::default();
        let mut count = 0usize;
        for n in to_read {
            if self.files_read >= MAX_FILES {
                self.error(
                    span,
                    format!("more than {MAX_FILES} files included, stopping"),
                );
                return;
            }
            match self.source.read(&n) {
                Ok(text) => {
                    self.files_read += 1;
                    count += 1;
                    self.parse_file(&n, &text, &mut cat, &mut cs);
                }
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => {
                    self.error(span, format!("cannot read '{n}': {e}"));
                    reported = true;
                }
            }
        }
        if count == 0 && !reported && !try_include {
            let msg = if has_magic(pattern) || expand_braces(pattern).len() > 1 {
                format!("#include '{pattern}': no file matches")
            } else {
                format!("#include '{pattern}': the file does not exist")
            };
            self.error(span, msg);
        }
    }

    fn variable(&mut self, span: &Span, line: &str, cat: Cat) {
        let idx = match cat {
            Cat::Sec(i) => i,
            Cat::Discard => return,
            Cat::None => {
                self.error(
                    span,
                    "parse error: no category context for this line (a [section] must come first)",
                );
                return;
            }
        };
        let (body, skip) = match line.strip_prefix('\\') {
            Some(rest) => match rest.chars().next() {
                Some(c) if (c as u32) >= 33 => (rest, c.len_utf8()),
                _ => {
                    self.error(span, "invalid escape: '\\' at the start of a line must be followed by a character");
                    return;
                }
            },
            None => (line, 0),
        };
        let Some(eq) = body[skip..].find('=').map(|i| i + skip) else {
            self.error(span, "parse error: no '=' (equal sign) in this line");
            return;
        };
        if eq > skip && body[..eq].ends_with('+') {
            let key = ast_strip(&body[..eq - 1]);
            if self.append_value(idx, key, &body[eq + 1..]) {
                return;
            }
            self.push_item(span, idx, key, ast_strip(&body[eq + 1..]), Op::Assign);
            return;
        }
        let key = ast_strip(&body[..eq]);
        let rest = &body[eq + 1..];
        let (op, value) = match rest.strip_prefix('>') {
            Some(v) => (Op::Arrow, v),
            None => (Op::Assign, rest),
        };
        self.push_item(span, idx, key, ast_strip(value), op);
    }

    fn push_item(&mut self, span: &Span, idx: usize, key: &str, value: &str, op: Op) {
        if key.is_empty() {
            self.error(span, "no variable name before '='");
            return;
        }
        if let Some(s) = self.sections.get_mut(idx) {
            s.items.push(Item {
                key: key.to_string(),
                value: value.to_string(),
                op,
                span: span.clone(),
                inherited: false,
            });
        }
    }

    /// `key += more`: false when there is no earlier `key` (then it is a plain assignment).
    fn append_value(&mut self, idx: usize, key: &str, more: &str) -> bool {
        let Some(sec) = self.sections.get_mut(idx) else {
            return false;
        };
        // The last item with exactly this name (strcmp)...
        let Some(replace) = sec.items.iter().rev().find(|i| i.key == key) else {
            return false;
        };
        let (old_key, old_value) = (replace.key.clone(), replace.value.clone());
        let joined = format!("{old_value}{more}");
        let trimmed = joined.trim_end_matches(|c: char| (c as u32) < 33);
        let new_value = trimmed
            .trim_start_matches(|c: char| (c as u32) < 33)
            .to_string();
        // ...but ast_variable_update rewrites the first item with that name (any case) and
        // that value (any case), which may be an earlier one.
        let target = sec.items.iter_mut().find(|i| {
            i.key.eq_ignore_ascii_case(&old_key)
                && (old_value.is_empty() || i.value.eq_ignore_ascii_case(&old_value))
        });
        if let Some(t) = target {
            t.value = new_value;
            t.inherited = false;
        }
        true
    }
}
