//! [`tandem_dialplan::Env`] for a channel: what `${...}` and functions see.

use tandem_dialplan::{Env, LocalTime};

use crate::channel::{CallerId, Channel};
use crate::shared::Shared;

/// A channel in its surroundings, for substitution and functions.
pub struct ChanEnv<'a> {
    pub chan: &'a mut Channel,
    pub shared: &'a Shared,
}

impl<'a> ChanEnv<'a> {
    pub fn new(chan: &'a mut Channel, shared: &'a Shared) -> Self {
        ChanEnv { chan, shared }
    }

    /// The variables `pbx_retrieve_variable` answers before channel variables.
    fn builtin(&self, name: &str) -> Option<String> {
        let c = &*self.chan;
        Some(match name {
            "EXTEN" => c.exten.clone(),
            "CONTEXT" => c.context.clone(),
            "PRIORITY" => c.priority.to_string(),
            "CHANNEL" => c.name.clone(),
            "UNIQUEID" => c.uniqueid.clone(),
            "HANGUPCAUSE" => c.hangupcause.to_string(),
            "CALLERID" => c.caller.all(),
            "CALLERIDNUM" => c.caller.num.clone(),
            "CALLERIDNAME" => c.caller.name.clone(),
            "CALLERANI" => c.caller.ani.clone(),
            "DNID" => c.caller.dnid.clone(),
            "RDNIS" => c.caller.rdnis.clone(),
            "LANGUAGE" => c.language.clone(),
            "ACCOUNTCODE" => c.accountcode.clone(),
            _ => return None,
        })
    }
}

impl Env for ChanEnv<'_> {
    fn get_var(&self, name: &str) -> Option<String> {
        if let Some(v) = self.builtin(name) {
            return Some(v);
        }
        if let Some(v) = self.chan.var(name) {
            return Some(v.to_string());
        }
        match name {
            "EPOCH" => Some(self.shared.now().epoch.to_string()),
            "SYSTEMNAME" => Some(String::new()),
            _ => self.shared.global(name),
        }
    }

    fn set_var(&mut self, name: &str, value: &str) {
        self.chan.set_var(name, value);
    }

    fn unset_var(&mut self, name: &str) {
        self.chan.unset_var(name);
    }

    fn get_global(&self, name: &str) -> Option<String> {
        self.shared.global(name)
    }

    fn set_global(&mut self, name: &str, value: &str) {
        self.shared.set_global(name, value);
    }

    fn set_local(&mut self, name: &str, value: &str) {
        let old = self.chan.var(name).map(str::to_string);
        let Some(frame) = self.chan.stack.last_mut() else {
            tracing::error!("Tried to set LOCAL({name}), but we aren't within a Gosub routine");
            return;
        };
        if !frame.saved.iter().any(|(n, _)| n == name) {
            frame.saved.push((name.to_string(), old));
        }
        self.chan.set_var(name, value);
    }

    fn now(&self) -> LocalTime {
        self.shared.now()
    }

    fn random(&mut self) -> u64 {
        self.shared.random()
    }

    fn db_get(&self, family: &str, key: &str) -> Option<String> {
        match self.shared.store.db_get(family, key) {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!("DB({family}/{key}): {e}");
                None
            }
        }
    }

    fn db_put(&mut self, family: &str, key: &str, value: &str) -> bool {
        match self.shared.store.db_put(family, key, value) {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!("DB({family}/{key}) write: {e}");
                false
            }
        }
    }

    fn db_delete(&mut self, family: &str, key: &str) -> Option<String> {
        match self.shared.store.db_delete(family, key) {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!("DB_DELETE({family}/{key}): {e}");
                None
            }
        }
    }

    fn callerid(&self, field: &str) -> Option<String> {
        let c = &self.chan.caller;
        Some(match field.trim().to_ascii_lowercase().as_str() {
            "num" | "number" => c.num.clone(),
            "name" => c.name.clone(),
            "all" => c.all(),
            "ani" => c.ani.clone(),
            "dnid" => c.dnid.clone(),
            "rdnis" => c.rdnis.clone(),
            _ => return None,
        })
    }

    fn set_callerid(&mut self, field: &str, value: &str) {
        let c = &mut self.chan.caller;
        match field.trim().to_ascii_lowercase().as_str() {
            "num" | "number" => c.num = value.to_string(),
            "name" => c.name = value.to_string(),
            "all" => {
                let (name, num) = CallerId::parse_all(value);
                c.name = name;
                c.num = num;
            }
            "ani" => c.ani = value.to_string(),
            "dnid" => c.dnid = value.to_string(),
            "rdnis" => c.rdnis = value.to_string(),
            other => tracing::warn!("CALLERID: unknown field '{other}'"),
        }
    }

    fn channel(&self, item: &str) -> Option<String> {
        let c = &*self.chan;
        Some(match item.trim().to_ascii_lowercase().as_str() {
            "name" => c.name.clone(),
            "state" => c.state.to_string(),
            "uniqueid" => c.uniqueid.clone(),
            "language" => c.language.clone(),
            "musicclass" => c.musicclass.clone(),
            "accountcode" => c.accountcode.clone(),
            "context" => c.context.clone(),
            "exten" => c.exten.clone(),
            "priority" => c.priority.to_string(),
            "channeltype" => c.name.split('/').next().unwrap_or_default().to_string(),
            "hangupcause" => c.hangupcause.to_string(),
            _ => return None,
        })
    }

    fn set_channel(&mut self, item: &str, value: &str) -> bool {
        let c = &mut *self.chan;
        match item.trim().to_ascii_lowercase().as_str() {
            "language" => c.language = value.to_string(),
            "musicclass" => c.musicclass = value.to_string(),
            "accountcode" => c.accountcode = value.to_string(),
            "hangupcause" => match value.trim().parse() {
                Ok(v) => c.hangupcause = v,
                Err(_) => return false,
            },
            _ => return false,
        }
        true
    }

    fn warn(&mut self, message: &str) {
        tracing::warn!("{}: {message}", self.chan.name);
    }

    fn cdr(&self, field: &str, raw: bool, float: bool) -> Option<String> {
        let now = self.shared.now();
        crate::cdr_env::read(&self.chan.cdr, field, raw, float, now)
    }

    fn set_cdr(&mut self, field: &str, value: &str) -> Result<(), String> {
        crate::cdr_env::write(self.chan, field, value)
    }
}
