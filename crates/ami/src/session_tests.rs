use super::*;
use crate::frame::Decoder;
use tandem_conf::MemSource;

fn conf() -> ManagerConf {
    let src = MemSource::new().with(
        "manager.conf",
        "[general]\nenabled=yes\n\
         [admin]\nsecret=s3cret\n\
         [reader]\nsecret=r\nread=call\nwrite=system\n\
         [local]\nsecret=l\ndeny=0.0.0.0/0.0.0.0\npermit=10.0.0.0/8\n\
         [nosecret]\nread=all\n",
    );
    let loaded = tandem_conf::load(&src, "manager.conf");
    ManagerConf::from_config(&loaded.config).0
}

fn msg(text: &str) -> Message {
    let mut d = Decoder::new();
    d.push(text.replace('\n', "\r\n").as_bytes());
    d.push(b"\r\n");
    d.poll().unwrap().unwrap()
}

fn session() -> Session {
    Session::new("127.0.0.1".parse().unwrap(), 42)
}

fn now() -> Clock {
    Clock {
        unix_secs: 1_700_000_000,
        micros: 1234,
        uptime: 10,
        last_reload: 5,
    }
}

fn send(o: Outcome) -> String {
    match o {
        Outcome::Send(s) => s,
        other => panic!("expected Send, got {other:?}"),
    }
}

#[test]
fn plain_login_is_accepted_and_followed_by_fully_booted() {
    let mut s = session();
    let out = send(s.handle(
        &msg("Action: Login\nUsername: admin\nSecret: s3cret\nActionID: a1\n"),
        &conf(),
        now(),
    ));
    assert_eq!(
        out,
        "Response: Success\r\nActionID: a1\r\nMessage: Authentication accepted\r\n\r\n\
         Event: FullyBooted\r\nPrivilege: system,all\r\nUptime: 10\r\nLastReload: 5\r\n\
         Status: Fully Booted\r\n\r\n"
    );
    assert_eq!(s.user().unwrap().username, "admin");
}

#[test]
fn a_wrong_secret_is_refused_and_closes() {
    let mut s = session();
    let out = s.handle(
        &msg("Action: Login\nUsername: admin\nSecret: nope\n"),
        &conf(),
        now(),
    );
    assert_eq!(
        out,
        Outcome::Refuse("Response: Error\r\nMessage: Authentication failed\r\n\r\n".into())
    );
    assert!(s.user().is_none());
}

#[test]
fn unknown_user_acl_denied_and_secretless_users_fail_alike() {
    for m in [
        "Action: Login\nUsername: ghost\nSecret: x\n",
        "Action: Login\nUsername: local\nSecret: l\n",
        "Action: Login\nUsername: nosecret\nSecret: \n",
    ] {
        let out = session().handle(&msg(m), &conf(), now());
        assert!(matches!(out, Outcome::Refuse(_)), "{m}: {out:?}");
    }
    let mut inside = Session::new("10.1.2.3".parse().unwrap(), 1);
    assert!(matches!(
        inside.handle(
            &msg("Action: Login\nUsername: LOCAL\nSecret: l\n"),
            &conf(),
            now()
        ),
        Outcome::Send(_)
    ));
}

#[test]
fn md5_login_uses_the_challenge_and_a_lower_case_key() {
    let mut s = session();
    let out = send(s.handle(
        &msg("Action: Challenge\nAuthType: MD5\nActionID: c\n"),
        &conf(),
        now(),
    ));
    let challenge = out
        .lines()
        .find_map(|l| l.strip_prefix("Challenge: "))
        .unwrap()
        .trim()
        .to_string();
    assert!(out.starts_with("Response: Success\r\nActionID: c\r\nChallenge: "));
    assert!(challenge.len() <= 9 && challenge.bytes().all(|b| b.is_ascii_digit()));
    // The same challenge until login.
    let again = send(s.handle(&msg("Action: Challenge\nAuthType: md5\n"), &conf(), now()));
    assert!(again.contains(&format!("Challenge: {challenge}\r\n")));
    let key = md5_hex(&challenge, "s3cret");
    let upper = key.to_ascii_uppercase();
    let bad = s.handle(
        &msg(&format!(
            "Action: Login\nAuthType: MD5\nUsername: admin\nKey: {upper}\n"
        )),
        &conf(),
        now(),
    );
    assert!(matches!(bad, Outcome::Refuse(_)));
    let ok = send(s.handle(
        &msg(&format!(
            "Action: Login\nAuthType: MD5\nUsername: admin\nKey: {key}\n"
        )),
        &conf(),
        now(),
    ));
    assert!(ok.contains("Message: Authentication accepted"));
}

#[test]
fn md5_of_challenge_and_secret() {
    // md5("12345" + "secret")
    assert_eq!(
        md5_hex("12345", "secret"),
        "d6bf7523a8407696bb9448d0d0fecca8"
    );
}

#[test]
fn challenge_needs_authtype_md5() {
    let out = send(session().handle(&msg("Action: Challenge\n"), &conf(), now()));
    assert_eq!(
        out,
        "Response: Error\r\nMessage: Must specify AuthType\r\n\r\n"
    );
}

#[test]
fn actions_before_login_are_denied_and_logoff_says_goodbye() {
    let mut s = session();
    assert_eq!(
        send(s.handle(
            &msg("Action: Command\nCommand: core show version\n"),
            &conf(),
            now()
        )),
        "Response: Error\r\nMessage: Permission denied\r\n\r\n"
    );
    assert_eq!(
        s.handle(&msg("Action: Logoff\nActionID: z\n"), &conf(), now()),
        Outcome::Close(
            "Response: Goodbye\r\nActionID: z\r\nMessage: Thanks for all the fish.\r\n\r\n".into()
        )
    );
}

fn logged_in(user: &str, secret: &str) -> Session {
    let mut s = session();
    send(s.handle(
        &msg(&format!(
            "Action: Login\nUsername: {user}\nSecret: {secret}\n"
        )),
        &conf(),
        now(),
    ));
    s
}

#[test]
fn ping_answers_pong_with_a_timestamp() {
    let mut s = logged_in("admin", "s3cret");
    assert_eq!(
        send(s.handle(&msg("Action: ping\nActionID: p\n"), &conf(), now())),
        "Response: Success\r\nActionID: p\r\nPing: Pong\r\nTimestamp: 1700000000.001234\r\n\r\n"
    );
}

#[test]
fn missing_and_unknown_actions_are_errors() {
    let mut s = logged_in("admin", "s3cret");
    assert_eq!(
        send(s.handle(&msg("ActionID: 1\n"), &conf(), now())),
        "Response: Error\r\nActionID: 1\r\nMessage: Missing action in request\r\n\r\n"
    );
    assert_eq!(
        send(s.handle(&msg("Action: Frobnicate\n"), &conf(), now())),
        "Response: Error\r\nMessage: Invalid/unknown command: Frobnicate. Use Action: ListCommands to show available commands.\r\n\r\n"
    );
}

#[test]
fn write_permission_gates_actions() {
    let mut s = logged_in("reader", "r");
    assert_eq!(
        send(s.handle(
            &msg("Action: Command\nCommand: core show version\n"),
            &conf(),
            now()
        )),
        "Response: Error\r\nMessage: Permission denied\r\n\r\n"
    );
    let run = s.handle(
        &msg("Action: DBPut\nFamily: f\nKey: k\nVal: v\n"),
        &conf(),
        now(),
    );
    match run {
        Outcome::Run(r) => assert_eq!(r.spec.name, "DBPut"),
        other => panic!("{other:?}"),
    }
    let list = send(s.handle(&msg("Action: ListCommands\n"), &conf(), now()));
    assert!(list.contains("\r\nPing: Keepalive command. (Priv: <none>)\r\n"));
    assert!(list.contains("\r\nDBPut: Put DB entry. (Priv: system,all)\r\n"));
    assert!(!list.contains("\r\nCommand: "));
}

#[test]
fn events_need_read_permission_and_the_session_mask() {
    let mut s = logged_in("reader", "r");
    assert!(s.wants(perm::CALL));
    assert!(!s.wants(perm::SYSTEM));
    assert!(!s.wants(perm::CALL | perm::DIALPLAN));
    assert_eq!(
        send(s.handle(&msg("Action: Events\nEventMask: off\n"), &conf(), now())),
        "Response: Success\r\nEvents: Off\r\n\r\n"
    );
    assert!(!s.wants(perm::CALL));
    assert_eq!(
        send(s.handle(&msg("Action: Events\nEventMask: call\n"), &conf(), now())),
        "Response: Success\r\nEvents: On\r\n\r\n"
    );
    assert!(s.wants(perm::CALL));
    assert_eq!(
        send(s.handle(&msg("Action: Events\n"), &conf(), now())),
        "Response: Error\r\nMessage: Invalid event mask\r\n\r\n"
    );
}

#[test]
fn login_with_events_off_receives_no_events() {
    let mut s = session();
    send(s.handle(
        &msg("Action: Login\nUsername: admin\nSecret: s3cret\nEvents: off\n"),
        &conf(),
        now(),
    ));
    assert!(!s.wants(perm::CALL));
    let mut t = session();
    send(t.handle(
        &msg("Action: Login\nUsername: admin\nSecret: s3cret\nEvents: system\n"),
        &conf(),
        now(),
    ));
    assert!(t.wants(perm::SYSTEM) && !t.wants(perm::CALL));
    assert!(!session().wants(perm::SYSTEM), "nothing before login");
}

#[test]
fn a_second_login_is_already_authenticated() {
    let mut s = logged_in("admin", "s3cret");
    assert_eq!(
        send(s.handle(
            &msg("Action: Login\nUsername: admin\nSecret: s3cret\n"),
            &conf(),
            now()
        )),
        "Response: Success\r\nMessage: Already authenticated\r\n\r\n"
    );
}

#[test]
fn a_session_with_events_off_wants_none() {
    let mut s = session();
    assert!(!s.wants_any(), "not logged in");
    send(s.handle(
        &msg("Action: Login\nUsername: admin\nSecret: s3cret\nEvents: off\n"),
        &conf(),
        now(),
    ));
    assert!(!s.wants_any());
    send(s.handle(&msg("Action: Events\nEventMask: call\n"), &conf(), now()));
    assert!(s.wants_any());
    assert!(s.wants(crate::perm::CALL) && !s.wants(crate::perm::SYSTEM));
}

#[test]
fn each_failed_login_says_why() {
    let cases = [
        ("Username: nobody\nSecret: x\n", "UnknownUser"),
        ("Username: local\nSecret: l\n", "Acl"),
        ("Username: admin\nSecret: wrong\n", "Password"),
        ("Username: nosecret\nSecret: \n", "Password"),
    ];
    for (lines, why) in cases {
        let mut s = session();
        let out = s.handle(&msg(&format!("Action: Login\n{lines}")), &conf(), now());
        assert!(matches!(out, Outcome::Refuse(_)), "{lines}");
        let failure = format!("{:?}", s.take_failure());
        assert!(
            failure.starts_with(&format!("Some({why} ")),
            "{lines}: {failure}"
        );
        assert!(s.take_failure().is_none(), "taken once");
    }
}
