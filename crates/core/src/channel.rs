//! A channel: one leg of a call, whatever the protocol behind it.

use std::fmt;

/// `ast_channel_state`, reduced to what tandem distinguishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelState {
    Down,
    /// An outbound leg that is being called.
    Ring,
    /// The far end is ringing.
    Ringing,
    Up,
}

impl fmt::Display for ChannelState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ChannelState::Down => "Down",
            ChannelState::Ring => "Ring",
            ChannelState::Ringing => "Ringing",
            ChannelState::Up => "Up",
        })
    }
}

/// Caller identification as CALLERID() sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallerId {
    pub num: String,
    pub name: String,
    pub ani: String,
    pub dnid: String,
    pub rdnis: String,
}

impl CallerId {
    /// `"Name" <num>` as Asterisk prints CALLERID(all).
    pub fn all(&self) -> String {
        if self.name.is_empty() {
            format!("<{}>", self.num)
        } else {
            format!("\"{}\" <{}>", self.name, self.num)
        }
    }

    /// Parse `"Name" <num>`, `Name <num>`, `<num>` or a bare number (`ast_callerid_parse`).
    pub fn parse_all(text: &str) -> (String, String) {
        let t = text.trim();
        if let (Some(lt), Some(gt)) = (t.rfind('<'), t.rfind('>')) {
            if lt < gt {
                let num = t[lt + 1..gt].trim().to_string();
                let name = t[..lt].trim().trim_matches('"').trim().to_string();
                return (name, num);
            }
        }
        let unquoted = t.trim_matches('"');
        if !unquoted.is_empty()
            && unquoted
                .chars()
                .all(|c| c.is_ascii_digit() || "+*#-() ".contains(c))
        {
            (String::new(), unquoted.to_string())
        } else {
            (unquoted.to_string(), String::new())
        }
    }
}

/// Strip the inheritance marks `_` / `__` from a variable name (`ast_var_name`).
pub fn var_base_name(name: &str) -> &str {
    let n = name.strip_prefix('_').unwrap_or(name);
    n.strip_prefix('_').unwrap_or(n)
}

/// One Gosub frame: where Return goes back to, and the LOCAL variables it shadows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub context: String,
    pub exten: String,
    /// The priority to resume at.
    pub priority: u32,
    /// LOCAL names with the channel value each had before (None: it was unset).
    pub saved: Vec<(String, Option<String>)>,
    /// How many ARGn this frame set.
    pub args: usize,
}

/// An open While loop: the position of its `While`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WhileLoop {
    pub context: String,
    pub exten: String,
    pub priority: u32,
}

#[derive(Clone, Debug)]
pub struct Channel {
    /// `SIP/alice-0000002a`.
    pub name: String,
    /// `1764165600.42`.
    pub uniqueid: String,
    pub state: ChannelState,
    pub context: String,
    pub exten: String,
    pub priority: u32,
    pub caller: CallerId,
    pub language: String,
    pub musicclass: String,
    pub accountcode: String,
    /// The media format the channel talks (`ulaw`, `alaw`, `g722`...), once its driver knows
    /// it; a dialled leg is offered the caller's format first so the bridge can relay.
    pub format: Option<String>,
    /// Q.850 cause once the channel is hung up (or set by Hangup()).
    pub hangupcause: u16,
    /// Channel variables, names as set (with `_`/`__` marks), in order of setting.
    vars: Vec<(String, String)>,
    pub stack: Vec<Frame>,
    pub loops: Vec<WhileLoop>,
    /// The channel's call detail records (CDR(), NoCDR, ResetCDR; filled by the driver glue).
    pub cdr: crate::cdr::CdrHandle,
    /// Who hears of each variable set on the channel (the AMI's VarSet), and hands in the
    /// variables set from outside (the AMI's Setvar).
    pub watch: VarWatch,
}

/// What watches a channel's variables from outside the dialplan task.
pub trait VarObserver: Send + Sync {
    /// A variable was set (`value` empty when it was unset).
    fn set(&self, name: &str, value: &str);
    /// Variables set from outside since the last call, to apply to the channel: plain
    /// names, and functions (`CALLERID(name)`) for the executor to write.
    fn take_pending(&self) -> Vec<(String, String)>;
    /// The channel as it now is (position, state, caller id, CDR), for those who read its
    /// functions from outside (the AMI's Getvar). Called before each priority.
    fn sync(&self, chan: &Channel) {
        let _ = chan;
    }
}

/// A channel's optional [`VarObserver`].
#[derive(Clone, Default)]
pub struct VarWatch(Option<std::sync::Arc<dyn VarObserver>>);

impl VarWatch {
    pub fn new(observer: std::sync::Arc<dyn VarObserver>) -> VarWatch {
        VarWatch(Some(observer))
    }
}

impl fmt::Debug for VarWatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "VarWatch(on)"
        } else {
            "VarWatch(off)"
        })
    }
}

impl Channel {
    pub fn new(
        name: impl Into<String>,
        uniqueid: impl Into<String>,
        context: &str,
        exten: &str,
    ) -> Self {
        Channel {
            name: name.into(),
            uniqueid: uniqueid.into(),
            state: ChannelState::Down,
            context: context.to_string(),
            exten: exten.to_string(),
            priority: 1,
            caller: CallerId::default(),
            language: "en".to_string(),
            musicclass: String::new(),
            accountcode: String::new(),
            format: None,
            hangupcause: 0,
            vars: Vec::new(),
            stack: Vec::new(),
            loops: Vec::new(),
            cdr: Default::default(),
            watch: VarWatch::default(),
        }
    }

    /// A channel variable by name; `_X` and `__X` are found as `X` (`ast_var_name`).
    pub fn var(&self, name: &str) -> Option<&str> {
        let base = var_base_name(name);
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| var_base_name(n) == base)
            .map(|(_, v)| v.as_str())
    }

    /// `pbx_builtin_setvar_helper` on a channel: replaces any variable with the same base
    /// name and keeps the inheritance marks of the new name.
    pub fn set_var(&mut self, name: &str, value: &str) {
        let base = var_base_name(name);
        self.vars.retain(|(n, _)| var_base_name(n) != base);
        self.vars.push((name.to_string(), value.to_string()));
        if let Some(w) = &self.watch.0 {
            w.set(name, value);
        }
    }

    pub fn unset_var(&mut self, name: &str) {
        let base = var_base_name(name);
        self.vars.retain(|(n, _)| var_base_name(n) != base);
        if let Some(w) = &self.watch.0 {
            w.set(name, "");
        }
    }

    /// Apply the variables set from outside (the AMI's Setvar) since the last time; the
    /// functions among them (`CALLERID(name)`) are returned, in order, for the caller to
    /// write as `Set()` writes them.
    pub fn apply_pending_vars(&mut self) -> Vec<(String, String)> {
        let pending = match &self.watch.0 {
            Some(w) => w.take_pending(),
            None => return Vec::new(),
        };
        let mut functions = Vec::new();
        for (name, value) in pending {
            if name.ends_with(')') {
                functions.push((name, value));
                continue;
            }
            let base = var_base_name(&name);
            self.vars.retain(|(n, _)| var_base_name(n) != base);
            self.vars.push((name, value));
        }
        functions
    }

    /// Show the channel as it now is to its watcher ([`VarObserver::sync`]).
    pub fn sync_watch(&self) {
        if let Some(w) = &self.watch.0 {
            w.sync(self);
        }
    }

    pub fn vars(&self) -> impl Iterator<Item = (&str, &str)> {
        self.vars.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Variables a channel dialled from this one inherits (`ast_channel_inherit_variables`):
    /// `_X` arrives as `X` (one level only), `__X` stays `__X` (every level).
    pub fn inherited_vars(&self) -> Vec<(String, String)> {
        self.vars
            .iter()
            .filter_map(|(n, v)| {
                if n.starts_with("__") {
                    Some((n.clone(), v.clone()))
                } else {
                    n.strip_prefix('_')
                        .map(|rest| (rest.to_string(), v.clone()))
                }
            })
            .collect()
    }

    /// A new outbound leg dialled from `parent`: inherits its `_`/`__` variables.
    pub fn dialled_from(
        parent: &Channel,
        name: impl Into<String>,
        uniqueid: impl Into<String>,
    ) -> Self {
        let mut chan = Channel::new(name, uniqueid, &parent.context, "s");
        chan.state = ChannelState::Ring;
        chan.language = parent.language.clone();
        chan.musicclass = parent.musicclass.clone();
        chan.accountcode = parent.accountcode.clone();
        for (n, v) in parent.inherited_vars() {
            chan.set_var(&n, &v);
        }
        chan
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chan() -> Channel {
        Channel::new("Test/a-00000001", "1.1", "default", "100")
    }

    #[test]
    fn inheritable_vars_are_found_by_base_name() {
        let mut c = chan();
        c.set_var("__ACCOUNT", "42");
        assert_eq!(c.var("ACCOUNT"), Some("42"));
        assert_eq!(c.var("_ACCOUNT"), Some("42"));
        c.set_var("ACCOUNT", "43");
        assert_eq!(c.var("__ACCOUNT"), Some("43"));
        assert_eq!(c.vars().count(), 1, "setting X replaces __X");
    }

    #[test]
    fn single_underscore_inherits_one_level_double_inherits_forever() {
        let mut a = chan();
        a.set_var("_ONCE", "1");
        a.set_var("__ALWAYS", "2");
        a.set_var("NEVER", "3");
        let b = Channel::dialled_from(&a, "Test/b-00000002", "1.2");
        assert_eq!(b.var("ONCE"), Some("1"));
        assert_eq!(b.var("ALWAYS"), Some("2"));
        assert_eq!(b.var("NEVER"), None);
        let c = Channel::dialled_from(&b, "Test/c-00000003", "1.3");
        assert_eq!(
            c.var("ONCE"),
            None,
            "_X arrives as X, which is not inherited again"
        );
        assert_eq!(c.var("ALWAYS"), Some("2"));
    }

    #[test]
    fn variable_names_are_case_sensitive() {
        let mut c = chan();
        c.set_var("Foo", "1");
        assert_eq!(c.var("FOO"), None);
        assert_eq!(c.var("Foo"), Some("1"));
    }

    #[test]
    fn callerid_all_parses_and_prints() {
        assert_eq!(
            CallerId::parse_all("\"Jane Doe\" <6001>"),
            ("Jane Doe".into(), "6001".into())
        );
        assert_eq!(
            CallerId::parse_all("Jane <6001>"),
            ("Jane".into(), "6001".into())
        );
        assert_eq!(CallerId::parse_all("<6001>"), ("".into(), "6001".into()));
        assert_eq!(CallerId::parse_all("6001"), ("".into(), "6001".into()));
        assert_eq!(CallerId::parse_all("Jane"), ("Jane".into(), "".into()));
        let c = CallerId {
            num: "6001".into(),
            name: "Jane".into(),
            ..Default::default()
        };
        assert_eq!(c.all(), "\"Jane\" <6001>");
    }
}
