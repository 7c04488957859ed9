// Shared helpers for the conf integration tests.
#![allow(dead_code)]
use tandem_conf::{load, Loaded, MemSource, Section};

pub fn one(text: &str) -> Loaded {
    load(&MemSource::new().with("test.conf", text), "test.conf")
}

pub fn messages(l: &Loaded) -> Vec<String> {
    l.diagnostics.iter().map(|d| d.to_string()).collect()
}

pub fn section<'a>(l: &'a Loaded, name: &str) -> &'a Section {
    match l.config.sections.iter().find(|s| s.name == name) {
        Some(s) => s,
        None => panic!(
            "no section {name} in {:?}",
            l.config
                .sections
                .iter()
                .map(|s| &s.name)
                .collect::<Vec<_>>()
        ),
    }
}

/// (key, value) pairs of a section, in order.
pub fn kv(s: &Section) -> Vec<(String, String)> {
    s.items
        .iter()
        .map(|i| (i.key.clone(), i.value.clone()))
        .collect()
}

pub fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
