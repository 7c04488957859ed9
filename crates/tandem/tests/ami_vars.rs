//! AMI Getvar/Setvar of dialplan functions and Hangup by regex on live sipp calls, over a
//! raw socket, with main/manager.c's answers: `action_getvar` reads a function as
//! `${CALLERID(num)}` would (on a dummy channel without `Channel:`), `action_setvar` writes
//! it as `Set()` does (the dialplan then sees it), and `ast_manager_hangup_helper` hangs up
//! every channel a `/regex/` matches, answering with a `ChannelHungup` list; a Redirect of a
//! dialled leg that still rings gives it a dialplan of its own (`ast_async_goto` yanks it).

use tandem_testkit::require_tool;

mod common;
use common::ami::{header, Raw};
use common::ami_pbx::{caller, callers, done, is, scenario, sipp_thread, start, T};

const DIALPLAN: &str = "[internal]\n\
    exten => 100,1,Answer()\n same => n,Set(CALLERID(name)=Alice)\n\
    same => n,Set(CDR(userfield)=first)\n same => n,Wait(30)\n same => n,Hangup()\n\
    exten => 300,1,Set(SEEN=${CALLERID(name)}/${CDR(userfield)}/${CALLERID(num)})\n\
    same => n,Hangup()\n";

/// `Action: Getvar` and its `Value:` (the whole answer checked).
fn getvar(ami: &mut Raw, channel: Option<&str>, var: &str) -> String {
    let chan = channel.map(|c| format!("Channel: {c}"));
    let mut lines = vec!["Action: Getvar", "ActionID: g"];
    lines.extend(chan.as_deref());
    let variable = format!("Variable: {var}");
    lines.push(&variable);
    let r = ami.action(&lines);
    let head = format!("Response: Success\r\nActionID: g\r\nVariable: {var}\r\nValue: ");
    assert!(r.starts_with(&head), "{r}");
    header(&r, "Value").unwrap_or_default().to_string()
}

/// `Action: Setvar`: its `Message:`.
fn setvar(ami: &mut Raw, channel: Option<&str>, var: &str, value: &str) -> String {
    let chan = channel.map(|c| format!("Channel: {c}"));
    let (variable, value) = (format!("Variable: {var}"), format!("Value: {value}"));
    let mut lines = vec!["Action: Setvar"];
    lines.extend(chan.as_deref());
    lines.extend([variable.as_str(), value.as_str()]);
    let r = ami.action(&lines);
    header(&r, "Message").unwrap_or_default().to_string()
}

#[test]
fn getvar_and_setvar_reach_dialplan_functions() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let pbx = start(DIALPLAN, (48400, 48599), &[]);
    let mut ami = Raw::admin(pbx.ami, "on");
    let call = caller(&sipp_bin, &pbx, "100");
    let wait = ami.event(is("Newexten", &["Application: Wait"]), T);
    let chan = header(&wait, "Channel").unwrap().to_string();
    let c = Some(chan.as_str());

    // Read as the dialplan reads them: what Set() wrote, the channel's built-ins, any
    // function with its arguments as they are.
    assert_eq!(getvar(&mut ami, c, "CALLERID(name)"), "Alice");
    assert_eq!(getvar(&mut ami, c, "CALLERID(num)"), "sipp");
    assert_eq!(getvar(&mut ami, c, "CDR(userfield)"), "first");
    assert_eq!(getvar(&mut ami, c, "CHANNEL(name)"), chan);
    assert_eq!(getvar(&mut ami, c, "LEN(hello)"), "5");
    assert_eq!(getvar(&mut ami, c, "EXTEN"), "100");
    assert_eq!(getvar(&mut ami, c, "NOSUCHFUNC(x)"), "");

    // Written as Set() writes them: seen at once, and by the dialplan once it moves on.
    assert_eq!(setvar(&mut ami, c, "CALLERID(name)", "Bob"), "Variable Set");
    assert_eq!(getvar(&mut ami, c, "CALLERID(name)"), "Bob");
    assert_eq!(
        setvar(&mut ami, c, "CDR(userfield)", "second"),
        "Variable Set"
    );
    assert_eq!(getvar(&mut ami, c, "CDR(userfield)"), "second");
    // A read-only CDR field and an unknown function: `ast_func_write` fails.
    assert_eq!(setvar(&mut ami, c, "CDR(start)", "x"), "Variable not set");
    assert_eq!(
        setvar(&mut ami, c, "NOSUCHFUNC(x)", "1"),
        "Variable not set"
    );
    assert_eq!(
        setvar(&mut ami, Some("SIP/nobody-00000000"), "CALLERID(name)", "x"),
        "No such channel"
    );

    // Without a channel: a dummy one for reading, none for writing.
    assert_eq!(getvar(&mut ami, None, "LEN(hello)"), "5");
    assert_eq!(getvar(&mut ami, None, "CALLERID(num)"), "");
    assert_eq!(setvar(&mut ami, None, "GLOBAL(AMIG)", "gv"), "Variable Set");
    assert_eq!(getvar(&mut ami, None, "AMIG"), "gv");
    assert_eq!(getvar(&mut ami, None, "GLOBAL(AMIG)"), "gv");
    assert_eq!(
        setvar(&mut ami, None, "CALLERID(name)", "x"),
        "Variable not set"
    );

    let r = ami.action(&[
        "Action: Redirect",
        &format!("Channel: {chan}"),
        "Context: internal",
        "Exten: 300",
        "Priority: 1",
    ]);
    assert_eq!(r, "Response: Success\r\nMessage: Redirect successful\r\n");
    ami.event(
        is(
            "VarSet",
            &[
                &format!("Channel: {chan}"),
                "Variable: SEEN",
                "Value: Bob/second/sipp",
            ],
        ),
        T,
    );
    let cdr = ami.event(is("Cdr", &[&format!("Channel: {chan}")]), T);
    assert!(cdr.contains("UserField: second\r\n"), "{cdr}");
    done(call, "sipp caller", &pbx);
}

#[test]
fn hangup_by_regex_hangs_up_every_channel_it_matches() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let pbx = start(DIALPLAN, (48600, 48799), &[]);
    let mut watch = Raw::admin(pbx.ami, "on");
    let mut ami = Raw::admin(pbx.ami, "off");
    // Two calls at once from one sipp, each waiting in Wait(30) for tandem's BYE.
    let calls = callers(&sipp_bin, &pbx, "100", 2);
    let mut chans = Vec::new();
    while chans.len() < 2 {
        let ev = watch.event(is("Newexten", &["Application: Wait"]), T);
        chans.push(header(&ev, "Channel").unwrap().to_string());
    }
    chans.sort();

    // Asterisk's refusals: not /.../, and a regex that does not compile.
    for (channel, answer) in [
        ("/", "Regex format invalid, Channel param should be /regex/"),
        (
            "/^SIP/uac-",
            "Regex format invalid, Channel param should be /regex/",
        ),
        ("/(/", "Regex compile failed on: /(/"),
    ] {
        let r = ami.action(&["Action: Hangup", &format!("Channel: {channel}")]);
        assert_eq!(r, format!("Response: Error\r\nMessage: {answer}\r\n"));
    }
    // Nothing matches: an empty list.
    let r = ami.action(&["Action: Hangup", "Channel: /^IAX2//", "ActionID: n"]);
    assert_eq!(
        r,
        "Response: Success\r\nActionID: n\r\nEventList: start\r\n\
         Message: Channels hung up will follow\r\n"
    );
    let end = ami.message().unwrap();
    assert_eq!(
        end,
        "Event: ChannelsHungupListComplete\r\nActionID: n\r\nEventList: Complete\r\nListItems: 0\r\n"
    );

    // Both calls match: each is listed and hung up (sipp gets its BYEs and ends well).
    let r = ami.action(&["Action: Hangup", "Channel: /^SIP/uac-/", "ActionID: h"]);
    assert_eq!(
        r,
        "Response: Success\r\nActionID: h\r\nEventList: start\r\n\
         Message: Channels hung up will follow\r\n"
    );
    for chan in &chans {
        let item = ami.message().unwrap();
        assert_eq!(
            item,
            format!("Event: ChannelHungup\r\nChannel: {chan}\r\nActionID: h\r\n")
        );
    }
    let end = ami.message().unwrap();
    assert_eq!(
        end,
        "Event: ChannelsHungupListComplete\r\nActionID: h\r\nEventList: Complete\r\nListItems: 2\r\n"
    );
    for chan in &chans {
        watch.event(is("Hangup", &[&format!("Channel: {chan}")]), T);
    }
    done(calls, "sipp's two calls hung up by regex", &pbx);
}

#[test]
fn redirect_of_a_ringing_dialled_leg_gives_it_a_dialplan_of_its_own() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let plan = "[internal]\n\
        exten => 102,1,Answer()\n same => n,Dial(SIP/uas,30)\n\
        same => n,Set(DS=${DIALSTATUS})\n same => n,Hangup()\n\
        exten => 400,1,Set(LEG=${CHANNEL(state)})\n same => n,Hangup()\n";
    let pbx = start(plan, (48800, 48999), &[]);
    let mut ami = Raw::admin(pbx.ami, "on");
    // The callee rings until it is cancelled.
    let uas_args = [
        "-sf".to_string(),
        scenario("uas_ring_cancel.xml"),
        "-m".to_string(),
        "1".to_string(),
        "-p".to_string(),
        pbx.uas.to_string(),
    ];
    let uas = sipp_thread(&sipp_bin, uas_args.to_vec());
    let uac = caller(&sipp_bin, &pbx, "102");
    let ringing = ami.event(
        |m: &str| {
            is("Newstate", &["ChannelStateDesc: Ringing"])(m) && m.contains("Channel: SIP/uas-")
        },
        T,
    );
    let leg = header(&ringing, "Channel").unwrap().to_string();
    let caller_chan = header(&ami.event(is("DialBegin", &[]), T), "Channel")
        .unwrap()
        .to_string();

    // As ast_async_goto yanks a channel with no PBX: the leg leaves Dial and runs 400 while
    // it still rings; the caller's Dial has lost its only leg.
    let r = ami.action(&[
        "Action: Redirect",
        &format!("Channel: {leg}"),
        "Context: internal",
        "Exten: 400",
        "Priority: 1",
    ]);
    assert_eq!(r, "Response: Success\r\nMessage: Redirect successful\r\n");
    ami.event(
        is(
            "DialEnd",
            &[&format!("DestChannel: {leg}"), "DialStatus: NOANSWER"],
        ),
        T,
    );
    ami.event(
        is(
            "VarSet",
            &[
                &format!("Channel: {leg}"),
                "Variable: LEG",
                "Value: Ringing",
            ],
        ),
        T,
    );
    ami.event(
        is(
            "VarSet",
            &[
                &format!("Channel: {caller_chan}"),
                "Variable: DS",
                "Value: CHANUNAVAIL",
            ],
        ),
        T,
    );
    // Its Hangup() cancels the call that rang; it was never a second Newchannel.
    ami.event(is("Hangup", &[&format!("Channel: {leg}")]), T);
    assert_eq!(
        ami.kept(|m| m.starts_with("Event: Newchannel\r\n")
            && m.contains(&format!("Channel: {leg}\r\n"))),
        1
    );
    done(
        uas,
        "sipp callee cancelled by the redirected leg's Hangup()",
        &pbx,
    );
    done(uac, "sipp caller", &pbx);
}
