use tandem_sip::outbound::{RegState, RegistryRow};

use super::registry_changes;

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
    let w = crate::channels::test_world("");
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
