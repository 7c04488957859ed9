//! `voicemail.conf`: `[general]` settings, `[zonemessages]`, and every other section a
//! voicemail context whose lines are mailboxes (app_voicemail.c `load_config` and
//! `append_mailbox`):
//!
//! ```text
//! [default]
//! 100 => 1234,Alice,alice@example.com,pager@example.com,attach=yes|tz=eastern
//! ```
//!
//! Asterisk behaviours kept (pinned by tests): the fields of a mailbox line are password,
//! full name, email, pager email, then options; options are `name=value` pairs split on `|`
//! (and `,`, which newer Asterisk also takes); a password starting with `-` is one the user may
//! not change (the `-` is not part of it); `maxsilence` is in seconds; `maxsecs` has the old
//! name `maxmessage`; `maxlogins` defaults to 3; `operator` defaults to no. Values Asterisk
//! silently replaces with a default are reported as errors here (the design rule).

use crate::{ast_true, Config, Diagnostic, Item};

use super::util::strict_uint;

/// `[general]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VmGeneral {
    /// `format`: the formats messages are written in, `|`-separated (tandem writes `wav`).
    pub formats: Vec<String>,
    /// `maxmsg` (default 100): messages per folder.
    pub maxmsg: u32,
    /// `maxsecs` / `maxmessage`: longest message in seconds; 0 is no limit.
    pub maxsecs: u32,
    /// `minsecs`: shorter messages are thrown away.
    pub minsecs: u32,
    /// `maxsilence`: seconds of silence that end a recording; 0 is off.
    pub maxsilence: u32,
    /// `silencethreshold`: below this average level a frame is silence (default 256, as
    /// dsp.conf's default).
    pub silencethreshold: u32,
    /// `maxlogins` (default 3): wrong passwords before VoiceMailMain hangs up.
    pub maxlogins: u32,
    /// Stored, not acted on (tandem sends no email).
    pub attach: bool,
    pub serveremail: String,
    pub fromstring: String,
    /// `operator`: `0` during the greeting goes to extension `o`.
    pub operator: bool,
    /// `review`, `saycid`, `envelope`: stored.
    pub review: bool,
    pub saycid: bool,
    pub envelope: bool,
    /// Other keys, kept as written.
    pub other: Vec<(String, String)>,
}

impl Default for VmGeneral {
    fn default() -> Self {
        VmGeneral {
            formats: vec!["wav".to_string()],
            maxmsg: 100,
            maxsecs: 0,
            minsecs: 0,
            maxsilence: 0,
            silencethreshold: 256,
            maxlogins: 3,
            attach: true,
            serveremail: "asterisk".to_string(),
            fromstring: String::new(),
            operator: false,
            review: false,
            saycid: false,
            envelope: true,
            other: Vec::new(),
        }
    }
}

/// One mailbox line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mailbox {
    pub context: String,
    pub mailbox: String,
    pub password: String,
    /// The password was written `-1234`: the user may not change it.
    pub password_locked: bool,
    pub fullname: String,
    pub email: String,
    pub pager: String,
    /// `name=value` options, in order.
    pub options: Vec<(String, String)>,
    /// Where it was written.
    pub span: crate::Span,
}

impl Mailbox {
    /// A mailbox option (case-insensitive name), the last one written.
    pub fn option(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `operator=` of the mailbox, else of `[general]`.
    pub fn operator(&self, general: &VmGeneral) -> bool {
        self.option("operator").map_or(general.operator, ast_true)
    }
}

/// The whole file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VoicemailConf {
    pub general: VmGeneral,
    /// `[zonemessages]`: name => `timezone|format`, stored.
    pub zonemessages: Vec<(String, String)>,
    pub mailboxes: Vec<Mailbox>,
}

/// Most mailboxes one file may define (a bound of ours).
pub const MAX_MAILBOXES: usize = 100_000;

impl VoicemailConf {
    pub fn from_config(cfg: &Config) -> (VoicemailConf, Vec<Diagnostic>) {
        let mut conf = VoicemailConf::default();
        let mut diags = Vec::new();
        for sec in cfg.sections.iter().filter(|s| !s.template) {
            match sec.name.as_str() {
                "general" => {
                    for item in &sec.items {
                        conf.general.read(item, &mut diags);
                    }
                }
                "zonemessages" => {
                    for item in &sec.items {
                        conf.zonemessages
                            .push((item.key.clone(), item.value.clone()));
                    }
                }
                context => {
                    for item in &sec.items {
                        if conf.mailboxes.len() >= MAX_MAILBOXES {
                            diags.push(Diagnostic::error(
                                item.span.clone(),
                                format!("more than {MAX_MAILBOXES} mailboxes"),
                            ));
                            break;
                        }
                        if let Some(m) = mailbox(context, item, &mut diags) {
                            // A mailbox defined twice in one context: the first one wins in
                            // Asterisk (find_or_create finds it); tell.
                            if conf.find(context, &m.mailbox).is_some() {
                                diags.push(Diagnostic::warning(
                                    item.span.clone(),
                                    format!(
                                        "mailbox {}@{context} is defined twice; the first one is used",
                                        m.mailbox
                                    ),
                                ));
                                continue;
                            }
                            conf.mailboxes.push(m);
                        }
                    }
                }
            }
        }
        (conf, diags)
    }

    /// `mailbox@context` (context `default` when not given), as `find_user` looks it up.
    pub fn find(&self, context: &str, mailbox: &str) -> Option<&Mailbox> {
        let context = if context.is_empty() {
            "default"
        } else {
            context
        };
        self.mailboxes
            .iter()
            .find(|m| m.context == context && m.mailbox == mailbox)
    }
}

impl VmGeneral {
    fn read(&mut self, item: &Item, diags: &mut Vec<Diagnostic>) {
        let v = item.value.trim();
        let mut number = |field: &mut u32| match strict_uint(v).and_then(|n| u32::try_from(n).ok())
        {
            Some(n) => *field = n,
            None => diags.push(Diagnostic::error(
                item.span.clone(),
                format!(
                    "{} must be a whole number of seconds or messages, not {v:?}",
                    item.key
                ),
            )),
        };
        match item.key.to_ascii_lowercase().as_str() {
            "format" => {
                self.formats = v
                    .split('|')
                    .map(str::trim)
                    .filter(|f| !f.is_empty())
                    .map(str::to_string)
                    .collect();
            }
            "maxmsg" => number(&mut self.maxmsg),
            "maxsecs" | "maxmessage" => number(&mut self.maxsecs),
            "minsecs" | "minmessage" => number(&mut self.minsecs),
            "maxsilence" => number(&mut self.maxsilence),
            "silencethreshold" => number(&mut self.silencethreshold),
            "maxlogins" => number(&mut self.maxlogins),
            "attach" => self.attach = ast_true(v),
            "serveremail" => self.serveremail = v.to_string(),
            "fromstring" => self.fromstring = v.to_string(),
            "operator" => self.operator = ast_true(v),
            "review" => self.review = ast_true(v),
            "saycid" => self.saycid = ast_true(v),
            "envelope" => self.envelope = ast_true(v),
            _ => self.other.push((item.key.clone(), item.value.clone())),
        }
    }
}

/// `100 => 1234,Alice,alice@example.com,pager,options`.
fn mailbox(context: &str, item: &Item, diags: &mut Vec<Diagnostic>) -> Option<Mailbox> {
    let number = item.key.trim();
    if number.is_empty() || number.contains('@') || number.contains('/') || number.len() > 80 {
        diags.push(Diagnostic::error(
            item.span.clone(),
            format!("{number:?} is not a mailbox number"),
        ));
        return None;
    }
    let mut fields = item.value.splitn(5, ',');
    let raw_password = fields.next().unwrap_or_default().trim();
    let (password, password_locked) = match raw_password.strip_prefix('-') {
        Some(p) => (p.to_string(), true),
        None => (raw_password.to_string(), false),
    };
    let fullname = fields.next().unwrap_or_default().trim().to_string();
    let email = fields.next().unwrap_or_default().trim().to_string();
    let pager = fields.next().unwrap_or_default().trim().to_string();
    let mut options = Vec::new();
    for opt in fields
        .next()
        .unwrap_or_default()
        .split(['|', ','])
        .map(str::trim)
        .filter(|o| !o.is_empty())
    {
        match opt.split_once('=') {
            Some((k, v)) => options.push((k.trim().to_string(), v.trim().to_string())),
            None => diags.push(Diagnostic::warning(
                item.span.clone(),
                format!("mailbox {number}: option {opt:?} is not name=value and is ignored"),
            )),
        }
    }
    Some(Mailbox {
        context: context.to_string(),
        mailbox: number.to_string(),
        password,
        password_locked,
        fullname,
        email,
        pager,
        options,
        span: item.span.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{load, MemSource};

    fn parse(text: &str) -> (VoicemailConf, Vec<Diagnostic>) {
        let src = MemSource::new().with("voicemail.conf", text);
        let loaded = load(&src, "voicemail.conf");
        VoicemailConf::from_config(&loaded.config)
    }

    #[test]
    fn a_mailbox_line_has_password_name_email_pager_and_options() {
        let (c, d) = parse(
            "[default]\n100 => 1234,Alice Doe,alice@example.com,page@example.com,attach=no|tz=eastern\n\
             101 => -4321,Bob\n",
        );
        assert!(d.is_empty(), "{d:?}");
        let m = c.find("default", "100").unwrap_or_else(|| panic!("100"));
        assert_eq!(
            (
                m.password.as_str(),
                m.fullname.as_str(),
                m.email.as_str(),
                m.pager.as_str()
            ),
            ("1234", "Alice Doe", "alice@example.com", "page@example.com")
        );
        assert_eq!(m.option("TZ"), Some("eastern"));
        assert_eq!(m.option("attach"), Some("no"));
        assert_eq!(m.span.to_string(), "voicemail.conf:2");
        let b = c
            .find("", "101")
            .unwrap_or_else(|| panic!("101 in default"));
        assert_eq!((b.password.as_str(), b.password_locked), ("4321", true));
        assert_eq!(b.email, "");
    }

    #[test]
    fn general_defaults_and_values_as_app_voicemail() {
        let (c, _) = parse("[default]\n");
        assert_eq!(c.general.maxmsg, 100);
        assert_eq!(c.general.maxlogins, 3);
        assert_eq!(c.general.silencethreshold, 256);
        assert!(!c.general.operator);
        let (c, d) = parse(
            "[general]\nformat=wav49|gsm|wav\nmaxmsg=50\nmaxmessage=120\nminsecs=2\nmaxsilence=10\n\
             silencethreshold=128\nattach=yes\nserveremail=pbx@example.com\noperator=yes\n\
             [zonemessages]\neastern=America/New_York|'vm-received' Q 'digits/at' IMp\n",
        );
        assert!(d.is_empty(), "{d:?}");
        let g = &c.general;
        assert_eq!(g.formats, vec!["wav49", "gsm", "wav"]);
        assert_eq!(
            (
                g.maxmsg,
                g.maxsecs,
                g.minsecs,
                g.maxsilence,
                g.silencethreshold
            ),
            (50, 120, 2, 10, 128)
        );
        assert!(g.attach && g.operator);
        assert_eq!(g.serveremail, "pbx@example.com");
        assert_eq!(c.zonemessages.len(), 1);
    }

    #[test]
    fn bad_numbers_and_bad_lines_are_reported_with_their_line() {
        let (c, d) =
            parse("[general]\nmaxmsg=lots\n[default]\n100 => 1,A,,,novalue\n@x => 1\n100 => 2,B\n");
        let text: Vec<String> = d
            .iter()
            .map(|d| format!("{}: {}", d.span, d.message))
            .collect();
        assert_eq!(text.len(), 4, "{text:?}");
        assert!(text[0].starts_with("voicemail.conf:2: maxmsg"), "{text:?}");
        assert!(text[1].starts_with("voicemail.conf:4: mailbox 100: option"));
        assert!(text[2].starts_with("voicemail.conf:5: "));
        assert!(text[3].contains("defined twice"));
        assert_eq!(c.general.maxmsg, 100);
        assert_eq!(
            c.find("default", "100").map(|m| m.password.as_str()),
            Some("1")
        );
    }
}
