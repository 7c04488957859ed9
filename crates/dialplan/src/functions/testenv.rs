//! A map-backed [`Env`] for tests across the crate.

use crate::env::{Env, LocalTime};
use std::collections::HashMap;

#[derive(Default)]
pub(crate) struct TestEnv {
    pub vars: HashMap<String, String>,
    pub globals: HashMap<String, String>,
    pub locals: HashMap<String, String>,
    pub db: HashMap<(String, String), String>,
    pub callerid: HashMap<String, String>,
    pub channel: HashMap<String, String>,
    pub warnings: Vec<String>,
    pub now: Option<LocalTime>,
    pub random_values: Vec<u64>,
}

impl TestEnv {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_var(mut self, name: &str, value: &str) -> Self {
        self.vars.insert(name.to_string(), value.to_string());
        self
    }
}

impl Env for TestEnv {
    fn get_var(&self, name: &str) -> Option<String> {
        self.locals
            .get(name)
            .or_else(|| self.vars.get(name))
            .or_else(|| self.globals.get(name))
            .cloned()
    }
    fn set_var(&mut self, name: &str, value: &str) {
        let bare = name
            .strip_prefix("__")
            .or_else(|| name.strip_prefix('_'))
            .unwrap_or(name);
        self.vars.remove(bare);
        self.vars.insert(name.to_string(), value.to_string());
    }
    fn unset_var(&mut self, name: &str) {
        self.vars.remove(name);
    }
    fn get_global(&self, name: &str) -> Option<String> {
        self.globals.get(name).cloned()
    }
    fn set_global(&mut self, name: &str, value: &str) {
        self.globals.insert(name.to_string(), value.to_string());
    }
    fn set_local(&mut self, name: &str, value: &str) {
        self.locals.insert(name.to_string(), value.to_string());
    }
    fn now(&self) -> LocalTime {
        self.now.unwrap_or(LocalTime::new(1_700_000_000, 0))
    }
    fn random(&mut self) -> u64 {
        if self.random_values.is_empty() {
            4
        } else {
            self.random_values.remove(0)
        }
    }
    fn db_get(&self, family: &str, key: &str) -> Option<String> {
        self.db.get(&(family.to_string(), key.to_string())).cloned()
    }
    fn db_put(&mut self, family: &str, key: &str, value: &str) -> bool {
        self.db
            .insert((family.to_string(), key.to_string()), value.to_string());
        true
    }
    fn db_delete(&mut self, family: &str, key: &str) -> Option<String> {
        self.db.remove(&(family.to_string(), key.to_string()))
    }
    fn callerid(&self, field: &str) -> Option<String> {
        self.callerid.get(field).cloned()
    }
    fn set_callerid(&mut self, field: &str, value: &str) {
        self.callerid.insert(field.to_string(), value.to_string());
    }
    fn channel(&self, item: &str) -> Option<String> {
        self.channel.get(item).cloned()
    }
    fn set_channel(&mut self, item: &str, value: &str) -> bool {
        self.channel.insert(item.to_string(), value.to_string());
        true
    }
    fn warn(&mut self, message: &str) {
        self.warnings.push(message.to_string());
    }
}
