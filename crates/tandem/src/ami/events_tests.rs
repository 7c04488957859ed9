use std::sync::Arc;

use tandem_conf::MemSource;
use tandem_core::Shared;
use tandem_sip::outbound::{RegState, RegistryRow};

use super::registry_changes;
use crate::channels::World;

fn world() -> Arc<World> {
    let loaded = crate::config::load_dialplan(&MemSource::new().with("extensions.conf", ""));
    let store = Arc::new(tandem_store::SqliteStore::open_in_memory().expect("store"));
    let clock: tandem_core::shared::Clock = Box::new(crate::localtime::now);
    Arc::new(World {
        shared: Arc::new(Shared::new(loaded.dialplan, store, clock, 7)),
        registry: Default::default(),
        channels: Default::default(),
        apps: Default::default(),
        ami: Default::default(),
    })
}

fn row(state: RegState) -> RegistryRow {
    RegistryRow {
        host: "sip.example.com".into(),
        port: 5060,
        dnsmgr: false,
        user: "acme".into(),
        domain: None,
        domain_port: None,
        refresh: 120,
        state,
        reg_time: None,
    }
}

#[test]
fn a_registration_outcome_is_a_registry_event_and_attempts_are_not() {
    let w = world();
    let mut rx = w.ami.subscribe();
    let steps = [
        RegState::Unregistered,
        RegState::RequestSent,
        RegState::AuthSent,
        RegState::Registered,
        // A refresh prints as Registered too: no event.
        RegState::Timeout,
        RegState::NoAuthentication,
    ];
    let mut before: Vec<RegistryRow> = Vec::new();
    for s in steps {
        let after = vec![row(s)];
        registry_changes(&w, &before, &after);
        before = after;
    }
    let mut texts = Vec::new();
    while let Ok(ev) = rx.try_recv() {
        texts.push(ev.text.to_string());
    }
    assert_eq!(
        texts,
        [
            "Event: Registry\r\nPrivilege: system,all\r\nChannelType: SIP\r\nUsername: acme\r\n\
             Domain: sip.example.com\r\nStatus: Registered\r\n\r\n",
            "Event: Registry\r\nPrivilege: system,all\r\nChannelType: SIP\r\nUsername: acme\r\n\
             Domain: sip.example.com\r\nStatus: No Authentication\r\n\r\n",
        ]
    );
}
