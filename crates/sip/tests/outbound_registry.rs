//! `sip show registry` in chan_sip's layout (FORMAT2/FORMAT of `sip_show_registry`).

mod outbound_common;

use std::time::Instant;

use outbound_common::*;
use tandem_sip::outbound::{show_registry, RegState, RegistryRow};

fn row(
    host: &str,
    user: &str,
    refresh: u32,
    state: RegState,
    reg_time: Option<i64>,
) -> RegistryRow {
    RegistryRow {
        host: host.into(),
        port: 5060,
        dnsmgr: false,
        user: user.into(),
        domain: None,
        domain_port: None,
        refresh,
        state,
        reg_time,
    }
}

#[test]
fn header_rows_and_count_line() {
    let rows = [
        row(
            "sip.example.com",
            "alice",
            105,
            RegState::Registered,
            Some(1_700_000_000),
        ),
        row(
            "198.51.100.7",
            "4155550100",
            120,
            RegState::RequestSent,
            None,
        ),
    ];
    let expected = concat!(
        "Host                                    dnsmgr Username       Refresh State                Reg.Time                 \n",
        "sip.example.com:5060                    N      alice              105 Registered           Tue, 14 Nov 2023 22:13:20\n",
        "198.51.100.7:5060                       N      4155550100         120 Request Sent                                  \n",
        "2 SIP registrations.\n",
    );
    assert_eq!(show_registry(&rows), expected);
}

#[test]
fn empty_registry_still_prints_header_and_count() {
    let out = show_registry(&[]);
    assert_eq!(out.lines().count(), 2);
    assert!(out.ends_with("\n0 SIP registrations.\n"));
}

#[test]
fn one_registration_is_still_plural() {
    let out = show_registry(&[row("h", "u", 1, RegState::Unregistered, None)]);
    assert!(out.ends_with("\n1 SIP registrations.\n"), "{out}");
}

#[test]
fn columns_are_truncated_as_printf_precision() {
    let long_host = "a-very-long-provider-host-name.example.com";
    let mut r = row(
        long_host,
        "a-long-user-name",
        3585,
        RegState::NoAuthentication,
        None,
    );
    r.dnsmgr = true;
    let out = show_registry(&[r]);
    let line = out.lines().nth(1).unwrap();
    assert_eq!(
        &line[..40],
        "a-very-long-provider-host-name.example. ",
        "host:port cut at 39"
    );
    assert_eq!(&line[40..47], "Y      ");
    assert_eq!(
        &line[47..61],
        "a-long-user-  ",
        "user cut at 12, then two blanks"
    );
    assert_eq!(&line[61..70], "    3585 ");
    assert!(line[70..].starts_with("No Authentication   "));
}

#[test]
fn user_shows_domain_and_domain_port() {
    let mut r = row("sip.example.com", "alice", 105, RegState::Registered, None);
    r.domain = Some("ex.org".into());
    r.domain_port = Some(5070);
    r.port = 5080;
    let line = show_registry(&[r]).lines().nth(1).unwrap().to_string();
    assert!(line.starts_with("sip.example.com:5080 "));
    assert_eq!(
        &line[47..59],
        "alice@ex.org",
        "cut at 12: the :5070 is lost, as in chan_sip"
    );
}

#[test]
fn timeout_state_prints_registered_and_every_state_text() {
    let texts: Vec<&str> = [
        RegState::Unregistered,
        RegState::RequestSent,
        RegState::AuthSent,
        RegState::Registered,
        RegState::Rejected,
        RegState::Timeout,
        RegState::NoAuthentication,
        RegState::Failed,
    ]
    .iter()
    .map(|s| s.as_str())
    .collect();
    assert_eq!(
        texts,
        [
            "Unregistered",
            "Request Sent",
            "Auth. Sent",
            "Registered",
            "Rejected",
            "Registered",
            "No Authentication",
            "Failed"
        ]
    );
}

#[test]
fn row_from_a_live_registration() {
    let t0 = Instant::now();
    let mut r = registration(config());
    let req = next(&mut r, t0);
    r.handle_response(t0, &ok(&req, 3600));
    let t1 = t0 + secs(100);
    let row = r.registry_row(t1, 1_700_000_100);
    assert_eq!(row.reg_time, Some(1_700_000_000));
    assert_eq!(row.refresh, 3585);
    let line = show_registry(&[row]).lines().nth(1).unwrap().to_string();
    assert_eq!(line, "sip.example.com:5060                    N      alice             3585 Registered           Tue, 14 Nov 2023 22:13:20");
}
