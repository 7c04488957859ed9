//! The dialplan (crates/dialplan): extensions.conf loading, `${...}` substitution, `$[...]`
//! expressions and pattern matching. The first byte picks what the rest is fed to; every
//! mode must finish without panicking and within the output bound.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;
use tandem_conf::{load, MemSource};
use tandem_dialplan::expr::evaluate;
use tandem_dialplan::pattern::extension_match;
use tandem_dialplan::subst::{substitute, MAX_OUTPUT};
use tandem_dialplan::{Env, LocalTime};

#[derive(Default)]
struct FuzzEnv {
    vars: HashMap<String, String>,
    globals: HashMap<String, String>,
    db: HashMap<(String, String), String>,
    cid: HashMap<String, String>,
    chan: HashMap<String, String>,
    rng: u64,
}

impl Env for FuzzEnv {
    fn get_var(&self, name: &str) -> Option<String> {
        self.vars.get(name).or_else(|| self.globals.get(name)).cloned()
    }
    fn set_var(&mut self, name: &str, value: &str) {
        if self.vars.len() < 64 {
            self.vars.insert(name.to_string(), value.to_string());
        }
    }
    fn unset_var(&mut self, name: &str) {
        self.vars.remove(name);
    }
    fn get_global(&self, name: &str) -> Option<String> {
        self.globals.get(name).cloned()
    }
    fn set_global(&mut self, name: &str, value: &str) {
        if self.globals.len() < 64 {
            self.globals.insert(name.to_string(), value.to_string());
        }
    }
    fn set_local(&mut self, name: &str, value: &str) {
        self.set_var(name, value);
    }
    fn now(&self) -> LocalTime {
        LocalTime::new(1_700_000_000, 0)
    }
    fn random(&mut self) -> u64 {
        self.rng = self.rng.wrapping_mul(6364136223846793005).wrapping_add(1);
        self.rng >> 33
    }
    fn db_get(&self, family: &str, key: &str) -> Option<String> {
        self.db.get(&(family.to_string(), key.to_string())).cloned()
    }
    fn db_put(&mut self, family: &str, key: &str, value: &str) -> bool {
        if self.db.len() >= 64 {
            return false;
        }
        self.db.insert((family.to_string(), key.to_string()), value.to_string());
        true
    }
    fn db_delete(&mut self, family: &str, key: &str) -> Option<String> {
        self.db.remove(&(family.to_string(), key.to_string()))
    }
    fn callerid(&self, field: &str) -> Option<String> {
        self.cid.get(field).cloned()
    }
    fn set_callerid(&mut self, field: &str, value: &str) {
        self.cid.insert(field.to_string(), value.to_string());
    }
    fn channel(&self, item: &str) -> Option<String> {
        self.chan.get(item).cloned()
    }
    fn set_channel(&mut self, item: &str, value: &str) -> bool {
        self.chan.insert(item.to_string(), value.to_string());
        true
    }
    fn warn(&mut self, _message: &str) {}
}

fn env() -> FuzzEnv {
    let mut e = FuzzEnv::default();
    e.vars.insert("EXTEN".into(), "5551234".into());
    e.vars.insert("X".into(), "hello,world".into());
    e.vars.insert("N".into(), "42".into());
    e.globals.insert("G".into(), "${X}".into());
    e.cid.insert("num".into(), "100".into());
    e
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    match mode % 4 {
        0 => {
            let src = MemSource::new().with("extensions.conf", &text);
            let loaded = load(&src, "extensions.conf");
            let (dp, _diags) =
                tandem_dialplan::load::load(&loaded.config, &|_| true, &|_| true);
            // Substitute every application argument, as the PBX would when running it.
            let mut e = env();
            for c in dp.contexts.iter().take(16) {
                for x in c.extensions.iter().take(16) {
                    let _ = extension_match(&x.exten, "5551234");
                    for p in x.priorities.iter().take(8) {
                        let out = substitute(&p.data, &mut e);
                        assert!(out.len() <= MAX_OUTPUT);
                    }
                }
            }
        }
        1 => {
            let out = substitute(&text, &mut env());
            assert!(out.len() <= MAX_OUTPUT, "substitution exceeded its bound");
        }
        2 => {
            let _ = evaluate(&text, &mut env());
        }
        _ => {
            let (pat, exten) = text.split_once('\n').unwrap_or((&text, "5551234"));
            let _ = extension_match(pat, exten);
        }
    }
});
