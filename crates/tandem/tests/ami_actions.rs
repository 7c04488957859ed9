//! AMI actions and events on live sipp calls, over a raw socket: Redirect of a channel that
//! runs the dialplan and of a bridged one (alone, and with its peer as ExtraChannel),
//! Getvar/Setvar on a channel, VarSet from Set(), HangupRequest, Cdr (cdr_manager.conf),
//! DTMFBegin/DTMFEnd from sipp's RFC 4733 captures, InvalidPassword for a SIP REGISTER, and
//! IAXpeers.

use std::time::Duration;

use tandem_testkit::{free_port, require_tool, sipp, TempDir};

mod common;
use common::ami::{header, Raw};
use common::ami_pbx::{callee, caller, done, is, scenario, sipp_thread, start, start_alice, T};

const REDIRECT_DIALPLAN: &str = "[internal]\n\
    exten => 100,1,Answer()\n same => n,Set(GREETING=hello)\n same => n,Wait(30)\n same => n,Hangup()\n\
    exten => 101,1,Dial(SIP/uas,20)\n same => n,Hangup()\n\
    exten => 300,1,Set(SEEN=${FOO})\n same => n(bye),Hangup()\n";

#[test]
fn redirect_moves_a_call_in_the_dialplan_and_setvar_reaches_it() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let pbx = start(REDIRECT_DIALPLAN, (47000, 47199), &[]);
    let mut ami = Raw::admin(pbx.ami, "on");
    let call = caller(&sipp_bin, &pbx, "100");

    // Set() in the dialplan: VarSet with the channel.
    let varset = ami.event(is("VarSet", &["Variable: GREETING", "Value: hello"]), T);
    assert!(
        varset.starts_with("Event: VarSet\r\nPrivilege: dialplan,all\r\nChannel: SIP/uac-"),
        "{varset}"
    );
    let chan = header(&varset, "Channel").unwrap().to_string();
    ami.event(
        is(
            "Newexten",
            &[&format!("Channel: {chan}"), "Application: Wait"],
        ),
        T,
    );

    // Getvar/Setvar on the channel.
    let get = ami.action(&[
        "Action: Getvar",
        &format!("Channel: {chan}"),
        "Variable: GREETING",
        "ActionID: g",
    ]);
    assert_eq!(
        get,
        "Response: Success\r\nActionID: g\r\nVariable: GREETING\r\nValue: hello\r\n"
    );
    let set = ami.action(&[
        "Action: Setvar",
        &format!("Channel: {chan}"),
        "Variable: FOO",
        "Value: bar",
    ]);
    assert_eq!(set, "Response: Success\r\nMessage: Variable Set\r\n");
    let get = ami.action(&[
        "Action: Getvar",
        &format!("Channel: {chan}"),
        "Variable: FOO",
    ]);
    assert_eq!(get, "Response: Success\r\nVariable: FOO\r\nValue: bar\r\n");
    let missing = ami.action(&[
        "Action: Getvar",
        "Channel: SIP/nobody-00000000",
        "Variable: FOO",
    ]);
    assert_eq!(missing, "Response: Error\r\nMessage: No such channel\r\n");

    // Redirect's refusals, with Asterisk's texts.
    for (lines, answer) in [
        (
            vec!["Context: internal", "Exten: 300", "Priority: 1"],
            "Channel not specified",
        ),
        (
            vec![
                "Channel: SIP/nobody-1",
                "Context: internal",
                "Exten: 300",
                "Priority: 1",
            ],
            "Channel does not exist: SIP/nobody-1",
        ),
        (
            vec![&*format!("Channel: {chan}"), "Exten: 300", "Priority: 1"],
            "Context not specified",
        ),
        (
            vec![
                &*format!("Channel: {chan}"),
                "Context: internal",
                "Exten: 300",
                "Priority: nolabel",
            ],
            "Priority is invalid",
        ),
    ] {
        let mut msg = vec!["Action: Redirect"];
        msg.extend(lines.iter().map(|s| &**s));
        assert_eq!(
            ami.action(&msg),
            format!("Response: Error\r\nMessage: {answer}\r\n")
        );
    }

    // The call leaves Wait(30) for 300, where the dialplan sees FOO as Setvar set it; its
    // Hangup() sends sipp its BYE.
    let r = ami.action(&[
        "Action: Redirect",
        &format!("Channel: {chan}"),
        "Context: internal",
        "Exten: 300",
        "Priority: 1",
        "ActionID: r",
    ]);
    assert_eq!(
        r,
        "Response: Success\r\nActionID: r\r\nMessage: Redirect successful\r\n"
    );
    ami.event(
        is(
            "Newexten",
            &[
                &format!("Channel: {chan}"),
                "Exten: 300",
                "Application: Set",
            ],
        ),
        T,
    );
    ami.event(
        is(
            "VarSet",
            &[&format!("Channel: {chan}"), "Variable: SEEN", "Value: bar"],
        ),
        T,
    );
    let hangup = ami.event(is("Hangup", &[&format!("Channel: {chan}")]), T);
    assert!(hangup.contains("Exten: 300\r\n"), "{hangup}");
    // cdr_manager: the record, answered, its last application Hangup.
    let cdr = ami.event(is("Cdr", &[&format!("Channel: {chan}")]), T);
    assert!(
        cdr.starts_with("Event: Cdr\r\nPrivilege: cdr,all\r\nAccountCode: \r\nSource: "),
        "{cdr}"
    );
    for field in [
        "Disposition: ANSWERED",
        "LastApplication: Hangup",
        "DestinationContext: internal",
        "AMAFlags: DOCUMENTATION",
    ] {
        assert!(cdr.contains(&format!("{field}\r\n")), "{field} in {cdr}");
    }
    assert!(
        header(&cdr, "AnswerTime").is_some_and(|t| t.len() == 19),
        "{cdr}"
    );
    done(call, "sipp caller redirected to 300", &pbx);
}

#[test]
fn redirect_of_a_bridged_caller_hangs_its_peer_up_unless_it_is_the_extra_channel() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let pbx = start(REDIRECT_DIALPLAN, (47200, 47399), &[]);
    let mut ami = Raw::admin(pbx.ami, "on");

    // Alone: the callee is hung up (the bridge dissolves), the caller goes to 300.
    let uas = callee(&sipp_bin, &pbx);
    let uac = caller(&sipp_bin, &pbx, "101");
    let enter = ami.event(is("BridgeEnter", &["BridgeNumChannels: 2"]), T);
    assert!(enter.contains("Channel: SIP/uas-"), "{enter}");
    let caller_chan = header(&ami.event(is("DialBegin", &[]), T), "Channel")
        .unwrap()
        .to_string();
    let r = ami.action(&[
        "Action: Redirect",
        &format!("Channel: {caller_chan}"),
        "Context: internal",
        "Exten: 300",
        "Priority: bye",
    ]);
    assert_eq!(r, "Response: Success\r\nMessage: Redirect successful\r\n");
    ami.event(
        |m: &str| is("Hangup", &[])(m) && m.contains("Channel: SIP/uas-"),
        T,
    );
    ami.event(
        is(
            "Newexten",
            &[
                &format!("Channel: {caller_chan}"),
                "Exten: 300",
                "Priority: 2",
                "Application: Hangup",
            ],
        ),
        T,
    );
    done(uas, "sipp callee hung up by the redirect", &pbx);
    done(uac, "sipp caller redirected to 300", &pbx);

    // With the callee as ExtraChannel: both go to 300, each running its own dialplan.
    let uas = callee(&sipp_bin, &pbx);
    let uac = caller(&sipp_bin, &pbx, "101");
    let enter = ami.event(is("BridgeEnter", &["BridgeNumChannels: 2"]), T);
    let callee_chan = header(&enter, "Channel").unwrap().to_string();
    let begin = ami.event(
        |m: &str| is("DialBegin", &[])(m) && m.contains(&format!("DestChannel: {callee_chan}\r\n")),
        T,
    );
    let caller_chan = header(&begin, "Channel").unwrap().to_string();
    let r = ami.action(&[
        "Action: Redirect",
        &format!("Channel: {caller_chan}"),
        &format!("ExtraChannel: {callee_chan}"),
        "Context: internal",
        "Exten: 300",
        "Priority: 1",
    ]);
    assert_eq!(
        r,
        "Response: Success\r\nMessage: Dual Redirect successful\r\n"
    );
    for chan in [&caller_chan, &callee_chan] {
        ami.event(
            is(
                "Newexten",
                &[
                    &format!("Channel: {chan}"),
                    "Exten: 300",
                    "Application: Hangup",
                ],
            ),
            T,
        );
    }
    // The callee keeps its channel: a dialplan of its own, no second Newchannel.
    ami.event(is("Hangup", &[&format!("Channel: {callee_chan}")]), T);
    assert_eq!(
        ami.kept(is("Newchannel", &[&format!("Channel: {callee_chan}")])),
        1
    );
    done(uas, "sipp callee redirected to 300 (ExtraChannel)", &pbx);
    done(uac, "sipp caller redirected to 300", &pbx);
}

#[test]
fn dtmf_hangup_request_and_iax_peers_are_reported() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    if !common::digits::rfc4733_captures() {
        return;
    }
    let iax = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={}\n\n\
         [trunk]\ntype=peer\nhost=127.0.0.1\nport=4570\nusername=tandem\ntrunk=yes\ncontext=internal\n",
        free_port()
    );
    let extensions = format!(
        "{REDIRECT_DIALPLAN}\
         exten => 700,1,Answer()\n same => n,WaitExten(10)\n\
         exten => 1,1,WaitExten(10)\n\
         exten => 2,1,Hangup()\n"
    );
    let pbx = start(&extensions, (47400, 47599), &[("iax.conf", &iax)]);
    let mut ami = Raw::admin(pbx.ami, "on");

    // IAXpeers: the peer of iax.conf, as chan_iax2's manager list shows it.
    ami.send(&["Action: IAXpeers", "ActionID: i"]);
    assert_eq!(
        ami.response(),
        "Response: Success\r\nActionID: i\r\nEventList: start\r\nMessage: Peer status list will follow\r\n"
    );
    let entry = ami.event(is("PeerEntry", &[]), T);
    assert_eq!(
        entry,
        "Event: PeerEntry\r\nActionID: i\r\nChanneltype: IAX\r\nObjectName: trunk\r\n\
         ObjectUsername: tandem\r\nChanObjectType: peer\r\nIPaddress: 127.0.0.1\r\n\
         Mask: 255.255.255.255\r\nPort: 4570\r\nDynamic: no\r\nTrunk: yes\r\n\
         Encryption: no\r\nStatus: Unmonitored\r\nDescription: \r\n"
    );
    let complete = ami.event(is("PeerlistComplete", &[]), T);
    assert!(complete.contains("ListItems: 1\r\n"), "{complete}");

    // A phone's REGISTER with a wrong password: InvalidPassword (service SIP), as chan_sip.
    let work = TempDir::new();
    let reg_port = free_port();
    let reg = sipp(
        &sipp_bin,
        work.path(),
        &[
            "-sf",
            &scenario("register_fail.xml"),
            "-s",
            "alice",
            "-au",
            "alice",
            "-ap",
            "wrongpw",
            "-m",
            "1",
            "-i",
            "127.0.0.1",
            "-p",
            &reg_port.to_string(),
            &format!("127.0.0.1:{}", pbx.sip),
        ],
        Duration::from_secs(60),
    );
    assert_eq!(
        reg.code,
        Some(0),
        "sipp register with a wrong password: {reg:?}"
    );
    let bad = ami.event(
        is("InvalidPassword", &["Service: SIP", "AccountID: alice"]),
        T,
    );
    assert!(
        bad.starts_with("Event: InvalidPassword\r\nPrivilege: security,all\r\n"),
        "{bad}"
    );
    for field in [
        "Severity: Error".to_string(),
        "EventVersion: 2".to_string(),
        format!("LocalAddress: IPV4/UDP/127.0.0.1/{}", pbx.sip),
        format!("RemoteAddress: IPV4/UDP/127.0.0.1/{reg_port}"),
    ] {
        assert!(
            bad.contains(&format!("\r\n{field}\r\n")),
            "{field} in {bad}"
        );
    }
    let nonce = header(&bad, "Challenge").unwrap();
    assert!(
        !nonce.is_empty() && bad.contains(&format!("ReceivedChallenge: {nonce}\r\n")),
        "{bad}"
    );

    // RFC 4733 digits from sipp's captures: DTMFBegin then DTMFEnd for each.
    let args = [
        "-sf",
        &scenario("uac_rfc4733_digits.xml"),
        "-s",
        "700",
        "-au",
        "alice",
        "-ap",
        "alicepw",
        "-m",
        "1",
        "-p",
        &free_port().to_string(),
        "-mp",
        &free_port().to_string(),
        &format!("127.0.0.1:{}", pbx.sip),
    ];
    let digits = sipp_thread(&sipp_bin, args.iter().map(|s| s.to_string()).collect());
    let begin = ami.event(is("DTMFBegin", &["Digit: 1"]), T);
    assert!(
        begin.starts_with("Event: DTMFBegin\r\nPrivilege: dtmf,all\r\nChannel: SIP/alice-"),
        "{begin}"
    );
    assert!(
        begin.ends_with("Digit: 1\r\nDirection: Received\r\n"),
        "{begin}"
    );
    let end = ami.event(is("DTMFEnd", &["Digit: 1", "Direction: Received"]), T);
    let ms: u64 = header(&end, "DurationMs").unwrap().parse().unwrap();
    assert!((40..2000).contains(&ms), "{end}");
    ami.event(is("DTMFEnd", &["Digit: 2"]), T);
    done(digits, "sipp sending RFC 4733 digits", &pbx);

    // The caller hangs up (sipp's BYE): HangupRequest with the cause, then Hangup.
    let args = [
        "-sn",
        "uac",
        "-s",
        "100",
        "-d",
        "1000",
        "-m",
        "1",
        "-p",
        &pbx.uac.to_string(),
        &format!("127.0.0.1:{}", pbx.sip),
    ];
    let call = sipp_thread(&sipp_bin, args.iter().map(|s| s.to_string()).collect());
    let request = ami.event(is("HangupRequest", &[]), T);
    assert!(
        request.starts_with("Event: HangupRequest\r\nPrivilege: call,all\r\nChannel: SIP/uac-"),
        "{request}"
    );
    assert!(request.ends_with("Cause: 16\r\n"), "{request}");
    let chan = header(&request, "Channel").unwrap().to_string();
    ami.event(is("Hangup", &[&format!("Channel: {chan}")]), T);
    done(call, "sipp caller hanging up", &pbx);
}

#[test]
fn originate_to_an_application_runs_it_then_hangs_up() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let pbx = start(REDIRECT_DIALPLAN, (47800, 47999), &[]);
    let mut ami = Raw::admin(pbx.ami, "on");
    let uas = callee(&sipp_bin, &pbx);
    let r = ami.action(&[
        "Action: Originate",
        "Channel: SIP/uas",
        "Application: Wait",
        "Data: 1",
        "CallerID: AMI <4242>",
        "Async: true",
        "ActionID: o",
    ]);
    assert_eq!(
        r,
        "Response: Success\r\nActionID: o\r\nMessage: Originate successfully queued\r\n"
    );
    let response = ami.event(is("OriginateResponse", &["ActionID: o"]), T);
    for field in [
        "Response: Success",
        "Context: ",
        "Exten: ",
        "Application: Wait",
        "Data: 1",
        "Reason: 4",
        "CallerIDNum: 4242",
    ] {
        assert!(
            response.contains(&format!("\r\n{field}\r\n")),
            "{field} in {response}"
        );
    }
    let chan = header(&response, "Channel").unwrap().to_string();
    assert!(chan.starts_with("SIP/uas-"), "{response}");
    ami.event(
        is(
            "Newexten",
            &[
                &format!("Channel: {chan}"),
                "Application: Wait",
                "AppData: 1",
            ],
        ),
        T,
    );
    ami.event(is("Hangup", &[&format!("Channel: {chan}")]), T);
    done(uas, "sipp UAS answering the originated call", &pbx);
}

#[test]
fn sip_info_digits_are_dtmf_events() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let extensions =
        "[internal]\nexten => 701,1,Answer()\n same => n,Read(D,,5,,1,10)\n same => n,Hangup()\n";
    let pbx = start_alice("dtmfmode=info\n", extensions, (48000, 48199), &[]);
    let mut ami = Raw::admin(pbx.ami, "on");
    // SIP INFO digits (application/dtmf-relay with its Duration): DTMFBegin, DTMFEnd.
    let args = [
        "-sf",
        &scenario("uac_info_digits.xml"),
        "-s",
        "701",
        "-au",
        "alice",
        "-ap",
        "alicepw",
        "-m",
        "1",
        "-p",
        &free_port().to_string(),
        &format!("127.0.0.1:{}", pbx.sip),
    ];
    let info = sipp_thread(&sipp_bin, args.iter().map(|s| s.to_string()).collect());
    let read = ami.event(is("Newexten", &["Exten: 701", "Application: Read"]), T);
    let chan = header(&read, "Channel").unwrap().to_string();
    ami.event(
        is("DTMFBegin", &[&format!("Channel: {chan}"), "Digit: 1"]),
        T,
    );
    let end = ami.event(is("DTMFEnd", &[&format!("Channel: {chan}"), "Digit: 1"]), T);
    assert!(
        end.ends_with("Digit: 1\r\nDurationMs: 160\r\nDirection: Received\r\n"),
        "{end}"
    );
    ami.event(is("DTMFEnd", &[&format!("Channel: {chan}"), "Digit: 5"]), T);
    done(info, "sipp sending SIP INFO digits", &pbx);
}

/// The peer names IAXpeers lists.
fn iax_peers(ami: &mut Raw) -> Vec<String> {
    ami.send(&["Action: IAXpeers"]);
    assert!(ami.response().contains("EventList: start"));
    let mut names = Vec::new();
    loop {
        let m = ami.event(
            |m: &str| {
                m.starts_with("Event: PeerEntry\r\n")
                    || m.starts_with("Event: PeerlistComplete\r\n")
            },
            T,
        );
        if m.starts_with("Event: PeerlistComplete") {
            return names;
        }
        names.push(header(&m, "ObjectName").unwrap_or_default().to_string());
    }
}

#[test]
fn iax2_reload_by_the_command_action_serves_new_peers_and_refuses_a_broken_file() {
    let iax_port = free_port();
    let iax =
        |peers: &str| format!("[general]\nbindaddr=127.0.0.1\nbindport={iax_port}\n\n{peers}");
    let pbx = start(
        "[internal]\n",
        (48200, 48399),
        &[(
            "iax.conf",
            &iax("[one]\ntype=peer\nhost=127.0.0.1\nport=4570\n"),
        )],
    );
    let mut ami = Raw::admin(pbx.ami, "off");
    assert_eq!(iax_peers(&mut ami), ["one"]);

    let file = pbx.config.path().join("iax.conf");
    std::fs::write(&file, iax("[one]\ntype=peer\nhost=127.0.0.1\nport=4570\n\n[two]\ntype=peer\nhost=127.0.0.1\nport=4571\n")).unwrap();
    let r = ami.action(&["Action: Command", "Command: iax2 reload"]);
    assert!(
        r.contains("\r\nOutput: IAX2 reloaded: 2 peers and users.\r\n"),
        "{r}"
    );
    assert_eq!(iax_peers(&mut ami), ["one", "two"]);

    std::fs::write(&file, iax("[three]\nthis is not a setting\n")).unwrap();
    let r = ami.action(&["Action: Command", "Command: iax2 reload"]);
    assert!(
        r.contains(
            "\r\nOutput: iax.conf:6: error: parse error: no '=' (equal sign) in this line\r\n"
        ),
        "{r}"
    );
    assert!(
        r.contains(
            "\r\nOutput: IAX2 not reloaded: the running IAX2 configuration stays in force.\r\n"
        ),
        "{r}"
    );
    assert_eq!(iax_peers(&mut ami), ["one", "two"]);
}
