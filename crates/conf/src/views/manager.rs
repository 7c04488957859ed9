//! `manager.conf`: the AMI, as Asterisk's `__init_manager` (main/manager.c) reads it.
//!
//! `[general]` holds the listener (`enabled`, default no; `port`, default 5038; `bindaddr`,
//! default 0.0.0.0; `displayconnects`, default yes); every other section is a manager user
//! with `secret`, `read`, `write` (permission classes, `,`-separated; a user without the key
//! has every class, as Asterisk's user defaults of -1), `permit`/`deny` (an ACL, the last
//! matching rule wins) and `displayconnects` (default: the `[general]` value). A user
//! without a secret can never log in, as in Asterisk. Where Asterisk quietly keeps a default
//! for a bad value, tandem reports an error.

use std::net::{IpAddr, Ipv4Addr};

use super::acl::{Acl, Sense};
use super::acl_conf::AclList;
use super::autoban::Autoban;
use super::util::port_str2int;
use crate::{ast_false, ast_true, Config, Diagnostic, Section, Span};

pub const DEFAULT_PORT: u16 = 5038;

/// Class names `read`/`write` accept (Asterisk's `perms[]`).
const CLASSES: &[&str] = &[
    "system",
    "call",
    "log",
    "verbose",
    "command",
    "agent",
    "user",
    "config",
    "dtmf",
    "reporting",
    "cdr",
    "dialplan",
    "originate",
    "agi",
    "cc",
    "aoc",
    "test",
    "security",
    "message",
    "all",
    "none",
];

/// `[general]` options of Asterisk that tandem does not implement (a warning each).
const UNSUPPORTED_GENERAL: &[&str] = &[
    "webenabled",
    "httptimeout",
    "timestampevents",
    "tlsenable",
    "tlsbindaddr",
    "tlscertfile",
    "tlsprivatekey",
    "tlscipher",
    "tlscafile",
    "tlscapath",
    "channelvars",
    "debug",
    "brokeneventsaction",
    "authtimeout",
    "authlimit",
    "mutedebug",
    "allowmultiplelogin",
    "block-sockets",
    "hidesystemname",
    "manager_channelvars",
    "disabledevents",
];

/// User options of Asterisk that tandem does not implement.
const UNSUPPORTED_USER: &[&str] = &[
    "eventfilter",
    "setvar",
    "channelvars",
    "allowmultiplelogin",
    "writetimeout",
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManagerConf {
    pub enabled: bool,
    pub port: u16,
    pub bindaddr: IpAddr,
    pub displayconnects: bool,
    /// tandem's automatic bans of sources whose logins fail (`autoban`,
    /// `autoban_failures`, ... as in sip.conf; Asterisk has none).
    pub autoban: Autoban,
    pub users: Vec<ManagerUser>,
}

impl Default for ManagerConf {
    fn default() -> Self {
        ManagerConf {
            enabled: false,
            port: DEFAULT_PORT,
            bindaddr: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            displayconnects: true,
            autoban: Autoban::default(),
            users: Vec::new(),
        }
    }
}

/// One `[username]` section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManagerUser {
    pub name: String,
    pub span: Span,
    pub secret: Option<String>,
    /// The `read` list as written; `None`: every class.
    pub read: Option<String>,
    /// The `write` list as written; `None`: every class.
    pub write: Option<String>,
    /// `permit`/`deny` in order (the last matching rule decides).
    pub acl: Acl,
    /// `acl = NAME[,NAME]`: named ACLs of acl.conf, applied after `acl` (manager.c appends
    /// all three to one `ast_acl_list`); resolved by `acl_conf::resolve_manager`.
    pub named_acls: AclList,
    pub displayconnects: bool,
}

impl ManagerUser {
    /// manager.c `ast_apply_acl(user->acl, ...)`: `permit`/`deny`, then every `acl=`
    /// named ACL; any refusal refuses.
    pub fn acl_allows(&self, ip: IpAddr) -> bool {
        self.named_acls.allows(&self.acl, ip)
    }
}

impl ManagerConf {
    pub fn from_config(cfg: &Config) -> (ManagerConf, Vec<Diagnostic>) {
        let mut conf = ManagerConf::default();
        let mut diags = Vec::new();
        for sec in cfg.sections.iter().filter(|s| !s.template) {
            if sec.name.eq_ignore_ascii_case("general") {
                conf.read_general(sec, &mut diags);
            }
        }
        for sec in cfg.sections.iter().filter(|s| !s.template) {
            if sec.name.eq_ignore_ascii_case("general") {
                continue;
            }
            let user = read_user(sec, conf.displayconnects, &mut diags);
            // A later section of the same name updates the first (get_manager_by_name_locked).
            match conf
                .users
                .iter_mut()
                .find(|u| u.name.eq_ignore_ascii_case(&user.name))
            {
                Some(old) => *old = user,
                None => conf.users.push(user),
            }
        }
        (conf, diags)
    }

    /// The user called `name` (case-insensitive, as `strcasecmp`).
    pub fn user(&self, name: &str) -> Option<&ManagerUser> {
        self.users
            .iter()
            .find(|u| u.name.eq_ignore_ascii_case(name))
    }

    fn read_general(&mut self, sec: &Section, diags: &mut Vec<Diagnostic>) {
        for item in &sec.items {
            let key = item.key.to_ascii_lowercase();
            let v = item.value.trim();
            let bad = |why: &str| {
                Diagnostic::error(
                    item.span.clone(),
                    format!(
                        "invalid value '{}' for '{}' in [general]: {why}",
                        item.value, item.key
                    ),
                )
            };
            if let Some(r) = self.autoban.read(&key, v, false) {
                if let Err(why) = r {
                    diags.push(bad(&why));
                }
                continue;
            }
            match key.as_str() {
                "enabled" => match bool_word(v) {
                    Some(b) => self.enabled = b,
                    None => diags.push(bad("expected yes or no")),
                },
                "displayconnects" => match bool_word(v) {
                    Some(b) => self.displayconnects = b,
                    None => diags.push(bad("expected yes or no")),
                },
                "port" => match port_str2int(v) {
                    Some(p) => self.port = p,
                    None => diags.push(bad("expected a port number from 1 to 65535")),
                },
                "bindaddr" => match v.parse::<IpAddr>() {
                    Ok(a) => self.bindaddr = a,
                    Err(_) => diags.push(bad("expected an IP address")),
                },
                k if UNSUPPORTED_GENERAL.contains(&k) => diags.push(Diagnostic::warning(
                    item.span.clone(),
                    format!("unsupported option '{}' in [general]", item.key),
                )),
                _ => diags.push(Diagnostic::warning(
                    item.span.clone(),
                    format!("unknown option '{}' in [general]", item.key),
                )),
            }
        }
    }
}

fn bool_word(v: &str) -> Option<bool> {
    if ast_true(v) {
        Some(true)
    } else if ast_false(v) {
        Some(false)
    } else {
        None
    }
}

fn read_user(sec: &Section, displayconnects: bool, diags: &mut Vec<Diagnostic>) -> ManagerUser {
    let mut user = ManagerUser {
        name: sec.name.clone(),
        span: sec.span.clone(),
        secret: None,
        read: None,
        write: None,
        acl: Acl::new(),
        named_acls: AclList::default(),
        displayconnects,
    };
    for item in &sec.items {
        let key = item.key.to_ascii_lowercase();
        let v = item.value.trim();
        match key.as_str() {
            "secret" => user.secret = Some(v.to_string()),
            "read" | "write" => {
                for name in v.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                    if !CLASSES.iter().any(|c| c.eq_ignore_ascii_case(name)) {
                        diags.push(Diagnostic::warning(
                            item.span.clone(),
                            format!(
                                "unknown permission class '{name}' in '{}' of [{}]",
                                item.key, sec.name
                            ),
                        ));
                    }
                }
                if key == "read" {
                    user.read = Some(v.to_string());
                } else {
                    user.write = Some(v.to_string());
                }
            }
            "permit" | "deny" => {
                if let Err(e) = user.acl.append(Sense::from_option_name(&key), v) {
                    diags.push(Diagnostic::error(
                        item.span.clone(),
                        format!("invalid '{}' in [{}]: {}", item.key, sec.name, e.0),
                    ));
                }
            }
            "acl" => {
                if let Err(e) = user.named_acls.add_names(v) {
                    diags.push(Diagnostic::error(
                        item.span.clone(),
                        format!("invalid 'acl' in [{}]: {e}", sec.name),
                    ));
                }
            }
            "displayconnects" => match bool_word(v) {
                Some(b) => user.displayconnects = b,
                None => diags.push(Diagnostic::error(
                    item.span.clone(),
                    format!(
                        "invalid value '{}' for 'displayconnects' in [{}]: expected yes or no",
                        item.value, sec.name
                    ),
                )),
            },
            k if UNSUPPORTED_USER.contains(&k) => diags.push(Diagnostic::warning(
                item.span.clone(),
                format!("unsupported option '{}' in [{}]", item.key, sec.name),
            )),
            _ => diags.push(Diagnostic::warning(
                item.span.clone(),
                format!("unknown option '{}' in [{}]", item.key, sec.name),
            )),
        }
    }
    if user.secret.is_none() {
        diags.push(Diagnostic::warning(
            sec.span.clone(),
            format!(
                "manager user [{}] has no secret and cannot log in",
                sec.name
            ),
        ));
    }
    user
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemSource;

    fn load(text: &str) -> (ManagerConf, Vec<Diagnostic>) {
        let src = MemSource::new().with("manager.conf", text);
        let loaded = crate::load(&src, "manager.conf");
        ManagerConf::from_config(&loaded.config)
    }

    #[test]
    fn defaults_are_disabled_on_5038_all_addresses() {
        let (c, d) = load("[general]\n");
        assert!(d.is_empty());
        assert!(!c.enabled);
        assert_eq!(c.port, 5038);
        assert_eq!(c.bindaddr.to_string(), "0.0.0.0");
        assert!(c.displayconnects);
    }

    #[test]
    fn users_have_secret_permissions_and_acl() {
        let (c, d) = load(
            "[general]\nenabled = yes\nport = 6038\nbindaddr = 127.0.0.1\ndisplayconnects = no\n\
             [admin]\nsecret = s3cret\nread = system,call\nwrite = all\n\
             deny = 0.0.0.0/0.0.0.0\npermit = 127.0.0.1/255.255.255.0\n",
        );
        assert!(d.is_empty(), "{d:?}");
        assert!(c.enabled);
        assert_eq!(c.port, 6038);
        let u = c.user("ADMIN").unwrap();
        assert_eq!(u.secret.as_deref(), Some("s3cret"));
        assert_eq!(u.read.as_deref(), Some("system,call"));
        assert_eq!(u.write.as_deref(), Some("all"));
        assert!(!u.displayconnects, "inherits [general]");
        assert!(u.acl.allows("127.0.0.1".parse().unwrap()));
        assert!(!u.acl.allows("10.0.0.1".parse().unwrap()));
    }

    #[test]
    fn autoban_options_are_read_from_general() {
        let (c, d) = load("[general]\nautoban_failures=2\nautoban_time=60\nautoban_rate=x\n");
        assert_eq!((c.autoban.failures, c.autoban.time), (2, 60));
        assert_eq!(c.autoban.rate, 500);
        assert_eq!(d.len(), 1);
        assert!(d[0]
            .to_string()
            .starts_with("manager.conf:4: error: invalid value 'x' for 'autoban_rate'"));
    }

    #[test]
    fn bad_values_are_errors_unknown_things_warnings() {
        let (_, d) = load(
            "[general]\nenabled = maybe\nport = 0\nfoo = 1\nwebenabled = yes\n\
             [u]\nread = system,bogus\npermit = 300.1.1.1\n",
        );
        let text: Vec<String> = d.iter().map(ToString::to_string).collect();
        assert!(
            text[0].starts_with("manager.conf:2: error: invalid value 'maybe'"),
            "{text:?}"
        );
        assert!(text[1].starts_with("manager.conf:3: error:"));
        assert!(text[2].contains("warning: unknown option 'foo'"));
        assert!(text[3].contains("warning: unsupported option 'webenabled'"));
        assert!(text
            .iter()
            .any(|t| t.contains("unknown permission class 'bogus'")));
        assert!(text
            .iter()
            .any(|t| t.starts_with("manager.conf:8: error: invalid 'permit'")));
        assert!(text.iter().any(|t| t.contains("has no secret")));
    }
}
