//! `dialplan show [context]` in the layout of Asterisk's `handle_show_dialplan` /
//! `show_dialplan_helper` (main/pbx.c):
//!
//! ```text
//! [ Context 'default' created by 'pbx_config' ]
//!   '100' =>          1. Answer()                                   [extensions.conf:3]
//!                     2. Dial(SIP/100)                              [extensions.conf:4]
//!      [busy]         3. Voicemail(100)                             [extensions.conf:5]
//!   Include =>        'other'                                       [pbx_config]
//!
//! -= 1 extension (3 priorities) in 1 context. =-
//! ```
//!
//! Contexts come in the order Asterisk keeps them: each new context is put at the head of the
//! list, so the last created is shown first. Extensions come in match order; the hint (priority
//! -1) is the head of its extension and shows first; the label of the first priority is not
//! shown (Asterisk prints the extension name in that column).

use std::fmt::Write;

use crate::model::{Context, Dialplan, Extension};
use crate::pattern::Pattern;

const REGISTRAR: &str = "pbx_config";

#[derive(Default)]
struct Counters {
    contexts: usize,
    extensions: usize,
    priorities: usize,
}

fn line(out: &mut String, col1: &str, col2: &str, span: &tandem_conf::Span) {
    let _ = writeln!(out, "  {col1:<17} {col2:<45} [{}:{}]", span.file, span.line);
}

fn extension(out: &mut String, e: &Extension, n: &mut Counters) {
    let first = match &e.cid {
        Some(cid) => format!(
            "'{}' (CID match '{}') => ",
            e.exten,
            Pattern::new(cid).as_str()
        ),
        None => format!("'{}' =>", e.exten),
    };
    let mut col1 = Some(first);
    n.extensions += 1;
    if let Some((hint, span)) = &e.hint {
        n.priorities += 1;
        line(
            out,
            &col1.take().unwrap_or_default(),
            &format!("hint: {hint}"),
            span,
        );
    }
    for p in &e.priorities {
        n.priorities += 1;
        let c1 = match col1.take() {
            Some(c) => c,
            None => p
                .label
                .as_ref()
                .map(|l| format!("   [{l}]"))
                .unwrap_or_default(),
        };
        line(
            out,
            &c1,
            &format!("{}. {}({})", p.number, p.app, p.data),
            &p.span,
        );
    }
}

fn context(out: &mut String, c: &Context, n: &mut Counters) {
    n.contexts += 1;
    let _ = writeln!(out, "[ Context '{}' created by '{REGISTRAR}' ]", c.name);
    for e in &c.extensions {
        extension(out, e, n);
    }
    for inc in &c.includes {
        let _ = writeln!(
            out,
            "  Include =>        {:<45} [{REGISTRAR}]",
            format!("'{}'", inc.raw)
        );
    }
    for (ip, _) in &c.ignorepats {
        let _ = writeln!(
            out,
            "  Ignore pattern => {:<45} [{REGISTRAR}]",
            format!("'{ip}'")
        );
    }
    for (sw, _) in &c.switches {
        let _ = writeln!(
            out,
            "  Alt. Switch =>    {:<45} [{REGISTRAR}]",
            format!("'{sw}'")
        );
    }
    out.push('\n');
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// The text of `dialplan show` (all contexts) or `dialplan show CONTEXT`.
pub fn show(dp: &Dialplan, context: Option<&str>) -> String {
    let mut out = String::new();
    let mut n = Counters::default();
    let mut exists = false;
    for c in dp.contexts.iter().rev() {
        if context.is_some_and(|name| name != c.name) {
            continue;
        }
        exists = true;
        self::context(&mut out, c, &mut n);
    }
    if let Some(name) = context {
        if !exists {
            let _ = writeln!(out, "There is no existence of '{name}' context");
            return out;
        }
    }
    let _ = writeln!(
        out,
        "-= {} {} ({} {}) in {} {}. =-",
        n.extensions,
        plural(n.extensions, "extension", "extensions"),
        n.priorities,
        plural(n.priorities, "priority", "priorities"),
        n.contexts,
        plural(n.contexts, "context", "contexts"),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::tests::load_text;

    #[test]
    fn layout_of_a_context() {
        // The hint heads the extension, so priority 1's label shows in the first column.
        let (dp, _) = load_text(
            "[default]\nexten => 100,hint,SIP/100\nexten => 100,1(start),Answer()\n same => n(busy),Dial(SIP/100,20)\nexten => _X.,1,NoOp()\ninclude => other,09:00-17:00,*,*,*\nignorepat => 9\n[other]\n",
        );
        let want = "\
[ Context 'other' created by 'pbx_config' ]

[ Context 'default' created by 'pbx_config' ]
  '100' =>          hint: SIP/100                                 [extensions.conf:2]
     [start]        1. Answer()                                   [extensions.conf:3]
     [busy]         2. Dial(SIP/100,20)                           [extensions.conf:4]
  '_X.' =>          1. NoOp()                                     [extensions.conf:5]
  Include =>        'other,09:00-17:00,*,*,*'                     [pbx_config]
  Ignore pattern => '9'                                           [pbx_config]

-= 2 extensions (4 priorities) in 2 contexts. =-
";
        assert_eq!(show(&dp, None), want);
    }

    #[test]
    fn one_context_and_singular_counts() {
        // The first priority's label is not shown: that column holds the extension name.
        let (dp, _) = load_text("[a]\nexten => 1,1(top),NoOp()\n[b]\nexten => 2,1,NoOp(x)\n");
        let want = "\
[ Context 'a' created by 'pbx_config' ]
  '1' =>            1. NoOp()                                     [extensions.conf:2]

-= 1 extension (1 priority) in 1 context. =-
";
        assert_eq!(show(&dp, Some("a")), want);
    }

    #[test]
    fn unknown_context() {
        let (dp, _) = load_text("[a]\n");
        assert_eq!(
            show(&dp, Some("zz")),
            "There is no existence of 'zz' context\n"
        );
        assert_eq!(
            show(&Dialplan::default(), None),
            "-= 0 extensions (0 priorities) in 0 contexts. =-\n"
        );
    }

    #[test]
    fn match_order_and_caller_id() {
        let (dp, _) = load_text("[c]\nexten => _X.,1,NoOp()\nexten => 100/_555X.,1,NoOp()\nexten => 100,1,NoOp()\nexten => _9.,1,NoOp()\n");
        let s = show(&dp, None);
        let names: Vec<&str> = s
            .lines()
            .filter(|l| l.contains("=>"))
            .map(|l| l.split(" =>").next().unwrap_or("").trim())
            .collect();
        assert_eq!(
            names,
            vec!["'100'", "'100' (CID match '_555X.')", "'_9.'", "'_X.'"]
        );
        assert!(
            s.contains("  '100' (CID match '_555X.') =>  1. NoOp()"),
            "{s}"
        );
    }

    #[test]
    fn switches_are_listed() {
        let (dp, _) = load_text("[c]\nswitch => IAX2/box/ctx\n");
        assert!(show(&dp, None).contains(
            "  Alt. Switch =>    'IAX2/box/ctx'                                [pbx_config]\n"
        ));
    }
}
