//! The Dial forms of the IAX2 driver between two tandem instances, and mixing drivers in one
//! Dial:
//! - `Dial(IAX2/user:secret@127.0.0.1:PORT/number)`: no peer section on A; B admits the call
//!   as its user `guest` (MD5 with the dial string's secret) and runs `number` in the user's
//!   context; a wrong secret is refused and no leg is left.
//! - `Dial(IAX2/peer)`: no number, so B runs `s`.
//! - `Dial(SIP/ringer&IAX2/b/301&Local/510@internal)`: a SIP phone and B both ring, the Local
//!   leg answers; the SIP phone gets a CANCEL and B's leg is hung up.

mod common {
    pub mod iax2_link;
}

use std::time::Duration;

use common::iax2_link::{link, ring_cancel_call, sipp_uac, sipp_uas, Link};
use tandem_testkit::{free_port, require_tool};

/// Wait until `text` is in A's (or B's) stderr.
fn wait_log(l: &Link, b_side: bool, text: &str, timeout: Duration) {
    let (side, pbx) = if b_side { ("B", &l.b) } else { ("A", &l.a) };
    if let Err(e) = pbx.daemon.wait_log(text, timeout) {
        l.fail(&format!("{side} logs '{text}'"), &[], &e);
    }
}

#[test]
fn dial_user_secret_at_host_port_reaches_the_second_tandem_as_that_user() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (uac_port, uas_port) = (free_port(), free_port());
    let l = link(false, uac_port, free_port(), uas_port);
    let callee = sipp_uas(&sipp_bin, uas_port, "uas", 1);
    let sb = sipp_bin.clone();
    let a_port = l.a.sip_port;
    let caller = std::thread::spawn(move || sipp_uac(&sb, a_port, uac_port, "400", 1, 4000));
    // B shows the call as its user guest, from A's address, running 201 in guest's context.
    if let Err(e) = l.b.wait_cli(
        "iax2 show channels",
        &["1 active IAX channel\n", "guest", "127.0.0.1"],
        Duration::from_secs(40),
    ) {
        l.fail("B carries the call of user guest", &[], &e);
    }
    wait_log(&l, true, "running 201@from-a", Duration::from_secs(5));
    // A's leg is named after the host of the dial string (no peer section).
    if let Err(e) = l.a.wait_cli(
        "core show channels",
        &["IAX2/127.0.0.1-"],
        Duration::from_secs(10),
    ) {
        l.fail("A's leg to 127.0.0.1", &[], &e);
    }
    let caller = caller.join().expect("uac thread");
    let callee = callee.join().expect("uas thread");
    l.sipp_ok(&[("caller", &caller), ("callee", &callee)]);
    l.all_clear(&[]);
}

#[test]
fn dial_user_with_a_wrong_secret_is_refused_and_leaves_no_leg() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (uac_port, uas_port) = (free_port(), free_port());
    let l = link(false, uac_port, free_port(), uas_port);
    let a_port = l.a.sip_port;
    let caller = sipp_uac(&sipp_bin, a_port, uac_port, "401", 1, 1000);
    assert_ne!(caller.code, Some(0), "the call must fail: {caller:?}");
    wait_log(
        &l,
        true,
        "MD5 authentication failed",
        Duration::from_secs(10),
    );
    wait_log(
        &l,
        false,
        "dial 401 ended: CHANUNAVAIL",
        Duration::from_secs(10),
    );
    let b_log = l.b.daemon.stderr_text();
    assert!(!b_log.contains("running 201@from-a"), "{b_log}");
    l.all_clear(&[]);
}

#[test]
fn dial_iax2_peer_without_a_number_runs_s_on_the_far_side() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (uac_port, uas_port) = (free_port(), free_port());
    let l = link(true, uac_port, free_port(), uas_port);
    let callee = sipp_uas(&sipp_bin, uas_port, "uas", 1);
    let a_port = l.a.sip_port;
    let caller = sipp_uac(&sipp_bin, a_port, uac_port, "600", 1, 2000);
    let callee = callee.join().expect("uas thread");
    l.sipp_ok(&[("caller", &caller), ("callee", &callee)]);
    wait_log(&l, true, "running s@from-a", Duration::from_secs(5));
    l.all_clear(&[]);
}

#[test]
fn dial_sip_iax2_and_local_at_once_the_local_answer_cancels_the_other_two() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (l, caller, ringer) = ring_cancel_call(&sipp_bin, "500", 3000);
    // All three ring: B runs 301 (Ringing, Wait(25)) for A's IAX2 leg.
    wait_log(&l, true, "running 301@from-a", Duration::from_secs(40));
    let caller = caller.join().expect("uac thread");
    let ringer = ringer.join().expect("ringer thread");
    l.sipp_ok(&[("caller", &caller), ("ringer (expects CANCEL)", &ringer)]);
    l.a.daemon.expect_log("Local/510@internal");
    // B's leg was hung up when the Local leg answered, long before its Wait(25) ends; the
    // caller's hangup cleared both halves of the Local pair.
    l.all_clear(&[]);
    let b_log = l.b.daemon.stderr_text();
    assert!(
        !b_log.contains("ringing ran out"),
        "B's Wait(25) ran out:\n{b_log}"
    );
}
