//! The binding table: several contacts, unregistering one or all (`*`), queries, the
//! per-AOR bound, RFC 3261 sec. 10.3 step 7 Call-ID/CSeq ordering, NAT routing, restore.
mod registrar_common;

use std::time::{Duration, Instant};

use registrar_common::*;
use tandem_sip::auth::Algorithm;
use tandem_sip::message::{Host, Transport};
use tandem_sip::registrar::{
    BindingChange, RegisterPeer, RegisterStatus, Registrar, RegistrarConfig, RemoveReason, Source,
    StoredBinding, Target,
};

fn setup() -> (Registrar, tandem_sip::auth::DigestServer, Instant) {
    (registrar(), server(&[Algorithm::Md5]), Instant::now())
}

fn uris(reg: &Registrar, aor: &str) -> Vec<String> {
    reg.lookup(aor)
        .iter()
        .map(|b| b.contact.to_string())
        .collect()
}

#[test]
fn several_contacts_in_one_request_and_across_requests() {
    let (mut reg, auth, now) = setup();
    let out = handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register(
            "open",
            "a",
            1,
            &[
                "Contact: <sip:open@10.0.0.1>, <sip:open@10.0.0.2>",
                "Expires: 600",
            ],
        ),
    );
    assert_eq!(out.changes.len(), 2);
    assert!(out
        .changes
        .iter()
        .all(|c| matches!(c, BindingChange::Added(_))));
    handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register("open", "b", 1, &["m: <sip:open@10.0.0.3>", "Expires: 600"]),
    );
    assert_eq!(
        uris(&reg, "open"),
        [
            "sip:open@10.0.0.1",
            "sip:open@10.0.0.2",
            "sip:open@10.0.0.3"
        ]
    );
}

#[test]
fn expires_zero_removes_only_that_contact() {
    let (mut reg, auth, now) = setup();
    handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register(
            "open",
            "a",
            1,
            &["Contact: <sip:open@10.0.0.1>, <sip:open@10.0.0.2>"],
        ),
    );
    let out = handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register("open", "a", 2, &["Contact: <sip:open@10.0.0.1>;expires=0"]),
    );
    assert_eq!(out.status, RegisterStatus::Unregistered);
    assert!(matches!(
        out.changes.as_slice(),
        [BindingChange::Removed {
            reason: RemoveReason::Unregistered,
            ..
        }]
    ));
    assert_eq!(out.response.headers.get("Expires"), Some("0"));
    assert_eq!(contacts(&out.response), ["<sip:open@10.0.0.2>;expires=120"]);
    assert_eq!(uris(&reg, "open"), ["sip:open@10.0.0.2"]);
}

#[test]
fn star_with_expires_zero_removes_every_contact() {
    let (mut reg, auth, now) = setup();
    handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register(
            "open",
            "a",
            1,
            &["Contact: <sip:open@10.0.0.1>, <sip:open@10.0.0.2>"],
        ),
    );
    let out = handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register("open", "z", 1, &["Contact: *", "Expires: 0"]),
    );
    assert_eq!(out.response.status, 200);
    assert_eq!(out.status, RegisterStatus::Unregistered);
    assert_eq!(out.changes.len(), 2);
    assert!(contacts(&out.response).is_empty());
    assert!(reg.lookup("open").is_empty());
    assert_eq!(reg.next_expiry(), None);
}

#[test]
fn star_without_expires_zero_is_a_400() {
    let (mut reg, auth, now) = setup();
    handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register("open", "a", 1, &["Contact: <sip:open@10.0.0.1>"]),
    );
    for lines in [
        &["Contact: *"][..],
        &["Contact: *", "Expires: 60"],
        &["Contact: *", "Contact: <sip:x@y>", "Expires: 0"],
    ] {
        let out = handle(
            &mut reg,
            &auth,
            now,
            EPOCH,
            &register("open", "z", 5, lines),
        );
        assert_eq!(out.response.status, 400, "{lines:?}");
        assert_eq!(reg.lookup("open").len(), 1);
    }
}

/// chan_sip: no Contact but `Expires: 0` unregisters (`!expire` in parse_register_contact).
#[test]
fn no_contact_with_expires_zero_unregisters_like_chan_sip() {
    let (mut reg, auth, now) = setup();
    handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register("open", "a", 1, &["Contact: <sip:open@10.0.0.1>"]),
    );
    let out = handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register("open", "q", 1, &["Expires: 0"]),
    );
    assert_eq!(out.status, RegisterStatus::Unregistered);
    assert!(reg.lookup("open").is_empty());
}

#[test]
fn a_register_without_contact_is_a_query() {
    let (mut reg, auth, now) = setup();
    handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register(
            "open",
            "a",
            1,
            &["Contact: <sip:open@10.0.0.1>", "Expires: 600"],
        ),
    );
    let later = now + Duration::from_secs(200);
    let out = handle(
        &mut reg,
        &auth,
        later,
        EPOCH + 200,
        &register("open", "q", 1, &[]),
    );
    assert_eq!(out.status, RegisterStatus::Query);
    assert!(out.changes.is_empty());
    assert_eq!(out.response.headers.get("Expires"), Some("400"));
    assert_eq!(contacts(&out.response), ["<sip:open@10.0.0.1>;expires=400"]);
    assert!(out.response.headers.get("Date").is_some());
}

#[test]
fn a_full_aor_replaces_the_contact_expiring_first() {
    let (auth, now) = (server(&[Algorithm::Md5]), Instant::now());
    let mut reg = Registrar::new(RegistrarConfig {
        max_contacts: 2,
        ..RegistrarConfig::default()
    });
    handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register(
            "open",
            "a",
            1,
            &["Contact: <sip:open@10.0.0.1>", "Expires: 900"],
        ),
    );
    handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register(
            "open",
            "b",
            1,
            &["Contact: <sip:open@10.0.0.2>", "Expires: 300"],
        ),
    );
    let out = handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register(
            "open",
            "c",
            1,
            &["Contact: <sip:open@10.0.0.3>", "Expires: 600"],
        ),
    );
    assert!(out.changes.iter().any(|c| matches!(c, BindingChange::Removed { reason: RemoveReason::Replaced, binding } if binding.contact.to_string() == "sip:open@10.0.0.2")));
    assert_eq!(
        uris(&reg, "open"),
        ["sip:open@10.0.0.1", "sip:open@10.0.0.3"]
    );
}

/// max_contacts = 1 is chan_sip's one contact per peer: a new contact replaces the old, and of
/// several in one request the first is taken (parse_register_contact's `firstcuri`).
#[test]
fn one_contact_per_peer_like_chan_sip() {
    let (auth, now) = (server(&[Algorithm::Md5]), Instant::now());
    let mut reg = Registrar::new(RegistrarConfig {
        max_contacts: 1,
        ..RegistrarConfig::default()
    });
    handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register("open", "a", 1, &["Contact: <sip:open@10.0.0.1>"]),
    );
    handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register(
            "open",
            "b",
            1,
            &["Contact: <sip:open@10.0.0.2>, <sip:open@10.0.0.9>"],
        ),
    );
    assert_eq!(uris(&reg, "open"), ["sip:open@10.0.0.2"]);
}

#[test]
fn same_call_id_with_lower_or_equal_cseq_is_refused() {
    let (mut reg, auth, now) = setup();
    let c = ["Contact: <sip:open@10.0.0.1>", "Expires: 600"];
    assert_eq!(
        handle(
            &mut reg,
            &auth,
            now,
            EPOCH,
            &register("open", "cid", 10, &c)
        )
        .response
        .status,
        200
    );
    for seq in [10, 9] {
        let out = handle(
            &mut reg,
            &auth,
            now,
            EPOCH,
            &register(
                "open",
                "cid",
                seq,
                &["Contact: <sip:open@10.0.0.1>", "Expires: 0"],
            ),
        );
        assert_eq!(
            (out.response.status, out.response.reason.as_str()),
            (400, "Invalid CSeq number"),
            "cseq {seq}"
        );
        assert_eq!(reg.lookup("open").len(), 1, "nothing changed");
        let star = handle(
            &mut reg,
            &auth,
            now,
            EPOCH,
            &register("open", "cid", seq, &["Contact: *", "Expires: 0"]),
        );
        assert_eq!(star.response.status, 400);
    }
    // Another Call-ID (the phone restarted) may update with any CSeq.
    let other = handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register("open", "new-cid", 1, &c),
    );
    assert_eq!(other.response.status, 200);
    assert_eq!(reg.lookup("open")[0].call_id, "new-cid");
    let higher = handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register("open", "new-cid", 2, &c),
    );
    assert_eq!(higher.response.status, 200);
}

#[test]
fn a_contact_with_the_same_instance_id_replaces_the_old_address() {
    let (mut reg, auth, now) = setup();
    let inst = "+sip.instance=\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\"";
    handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register(
            "open",
            "a",
            1,
            &[&format!("Contact: <sip:open@10.0.0.1>;{inst}")],
        ),
    );
    let out = handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register(
            "open",
            "a",
            2,
            &[&format!("Contact: <sip:open@10.0.0.77>;{inst}")],
        ),
    );
    assert!(matches!(
        out.changes.as_slice(),
        [BindingChange::Refreshed(_)]
    ));
    assert_eq!(uris(&reg, "open"), ["sip:open@10.0.0.77"]);
}

#[test]
fn nat_peers_are_reached_at_the_source_address() {
    let (mut reg, auth, now) = setup();
    let behind_nat = Source {
        addr: "198.51.100.20:40123".parse().unwrap(),
        transport: Transport::Udp,
    };
    let req = register(
        "open",
        "n",
        1,
        &[
            "Contact: <sip:open@192.168.1.20:5060>",
            "User-Agent: Grandstream GXP2170",
        ],
    );
    // Default nat=auto_force_rport: the Via says 192.0.2.7:5060, the packet came from elsewhere.
    reg.handle_register(now, EPOCH, &req, &behind_nat, &auth, peers);
    let b = &reg.lookup("open")[0];
    assert!(b.route_to_source);
    assert_eq!(
        b.target(),
        Target::Source {
            addr: behind_nat.addr,
            transport: Transport::Udp
        }
    );
    assert_eq!(b.user_agent, "Grandstream GXP2170");
    // From where the Via says: the Contact is used.
    let mut reg = registrar();
    reg.handle_register(now, EPOCH, &req, &source(), &auth, peers);
    assert_eq!(
        reg.lookup("open")[0].target(),
        Target::Contact {
            host: Host::V4("192.168.1.20".parse().unwrap()),
            port: Some(5060),
            transport: Transport::Udp
        }
    );
    // nat=no never routes to the source; nat=force_rport always does.
    let no_nat = |n: &str| {
        Some(RegisterPeer {
            auto_force_rport: false,
            ..RegisterPeer::dynamic(n, None)
        })
    };
    let mut reg = registrar();
    reg.handle_register(now, EPOCH, &req, &behind_nat, &auth, no_nat);
    assert!(!reg.lookup("open")[0].route_to_source);
    let force = |n: &str| {
        Some(RegisterPeer {
            force_rport: true,
            ..RegisterPeer::dynamic(n, None)
        })
    };
    let mut reg = registrar();
    reg.handle_register(now, EPOCH, &req, &source(), &auth, force);
    assert!(reg.lookup("open")[0].route_to_source);
}

/// What the driver saves from the changes comes back after a restart with the same
/// remaining time on the new clock; expired rows are skipped.
#[test]
fn bindings_restored_from_the_store_keep_their_expiry() {
    let (mut reg, auth, t0) = setup();
    let out = handle(
        &mut reg,
        &auth,
        t0,
        EPOCH,
        &register(
            "open",
            "a",
            1,
            &[
                "Contact: <sip:open@10.0.0.1>, <sip:open@10.0.0.2>;expires=60",
                "User-Agent: ua",
            ],
        ),
    );
    let mut rows: Vec<StoredBinding> = out
        .changes
        .iter()
        .map(|c| c.binding().to_stored())
        .collect();
    assert_eq!(rows[0].expires_epoch, EPOCH + 120);
    rows.push(StoredBinding {
        source: "not an address".into(),
        ..rows[0].clone()
    });

    // 100 s later, on a fresh monotonic clock.
    let t1 = Instant::now() + Duration::from_secs(5);
    let mut back = registrar();
    let kept = back.restore(t1, EPOCH + 100, &rows);
    assert_eq!(
        kept,
        [true, false, false],
        "the 60 s contact ran out, the broken row is skipped"
    );
    let b = &back.lookup("open")[0];
    assert_eq!(b.remaining(t1), 20);
    assert_eq!(
        (b.call_id.as_str(), b.cseq, b.user_agent.as_str()),
        ("a", 1, "ua")
    );
    assert_eq!(back.next_expiry(), Some(t1 + Duration::from_secs(30)));
    // A refresh with a higher CSeq on the same Call-ID works after the restart; a replay does not.
    let replay = handle(
        &mut back,
        &auth,
        t1,
        EPOCH + 100,
        &register("open", "a", 1, &["Contact: <sip:open@10.0.0.1>"]),
    );
    assert_eq!(replay.response.status, 400);
    let next = handle(
        &mut back,
        &auth,
        t1,
        EPOCH + 100,
        &register("open", "a", 2, &["Contact: <sip:open@10.0.0.1>"]),
    );
    assert_eq!(next.response.status, 200);
}

#[test]
fn too_many_contacts_in_one_request_is_a_400() {
    let (mut reg, auth, now) = setup();
    let many: Vec<String> = (0..65).map(|i| format!("<sip:open@10.0.1.{i}>")).collect();
    let line = format!("Contact: {}", many.join(", "));
    let out = handle(
        &mut reg,
        &auth,
        now,
        EPOCH,
        &register("open", "m", 1, &[&line]),
    );
    assert_eq!(out.response.status, 400);
    assert!(reg.lookup("open").is_empty());
}
