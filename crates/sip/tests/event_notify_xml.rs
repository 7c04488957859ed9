//! NOTIFY bodies byte for byte as chan_sip's `state_notify_build_xml` prints them, per state
//! and per `notifyringing` / `notifycid` / `pedantic`.

mod event_common;

use std::time::Instant;

use event_common::*;
use tandem_sip::event::body::{render, BodyInput, BodyOptions, Format, NotifyRinging};
use tandem_sip::event::{ExtensionState as S, HintState, PartyId, RingingCall};

fn input(format: Format) -> BodyInput<'static> {
    BodyInput {
        format,
        version: 3,
        exten: "101",
        subscriber: "sip:100@192.0.2.2",
        resource: "sip:101@192.0.2.2",
        call_id: "blf-1@192.0.2.10",
        their_tag: "abc",
        our_tag: "ourtag1",
    }
}

fn dialog(state: S) -> String {
    render(
        &input(Format::DialogInfo),
        &state.into(),
        &BodyOptions::default(),
    )
}

const HEAD: &str = "<?xml version=\"1.0\"?>\n<dialog-info xmlns=\"urn:ietf:params:xml:ns:dialog-info\" version=\"3\" state=\"full\" entity=\"sip:101@192.0.2.2\">\n";

fn plain(state: &str) -> String {
    format!("{HEAD}<dialog id=\"101\">\n<state>{state}</state>\n</dialog>\n</dialog-info>\n")
}

fn recipient(state: &str) -> String {
    format!("{HEAD}<dialog id=\"101\" direction=\"recipient\">\n<state>{state}</state>\n</dialog>\n</dialog-info>\n")
}

#[test]
fn dialog_info_idle_is_terminated() {
    assert_eq!(dialog(S::NotInUse), plain("terminated"));
}

#[test]
fn dialog_info_in_use_and_busy_are_confirmed() {
    assert_eq!(dialog(S::InUse), plain("confirmed"));
    assert_eq!(dialog(S::Busy), plain("confirmed"));
}

#[test]
fn dialog_info_unavailable_is_terminated() {
    assert_eq!(dialog(S::Unavailable), plain("terminated"));
}

#[test]
fn dialog_info_ringing_is_early_with_direction_recipient() {
    assert_eq!(dialog(S::Ringing), recipient("early"));
    assert_eq!(dialog(S::InUseRinging), recipient("early"));
}

#[test]
fn dialog_info_on_hold_is_confirmed_with_rendering_no() {
    assert_eq!(
        dialog(S::OnHold),
        format!(
            "{HEAD}<dialog id=\"101\">\n<state>confirmed</state>\n<local>\n<target uri=\"sip:101@192.0.2.2\">\n<param pname=\"+sip.rendering\" pvalue=\"no\"/>\n</target>\n</local>\n</dialog>\n</dialog-info>\n"
        )
    );
}

#[test]
fn dialog_info_deactivated_and_removed_are_terminated() {
    assert_eq!(dialog(S::Deactivated), plain("terminated"));
    assert_eq!(dialog(S::Removed), plain("terminated"));
}

#[test]
fn notifyringing_no_drops_direction_and_in_use_ringing_is_confirmed() {
    let opts = BodyOptions {
        notifyringing: NotifyRinging::No,
        ..BodyOptions::default()
    };
    let r = |s: S| render(&input(Format::DialogInfo), &s.into(), &opts);
    assert_eq!(r(S::Ringing), plain("early"));
    assert_eq!(r(S::InUseRinging), plain("confirmed"));
    let opts = BodyOptions {
        notifyringing: NotifyRinging::NotInUse,
        ..BodyOptions::default()
    };
    let r = |s: S| render(&input(Format::DialogInfo), &s.into(), &opts);
    assert_eq!(r(S::InUseRinging), recipient("confirmed"));
    assert_eq!(r(S::Ringing), recipient("early"));
}

#[test]
fn notifycid_pedantic_writes_pickup_call_id_tags_and_the_caller() {
    let opts = BodyOptions {
        notifycid: true,
        fromdomain: "pbx.example.com".into(),
        ..BodyOptions::default()
    };
    let hint = HintState {
        state: S::Ringing,
        all_devices_unavailable: false,
        ringing: Some(RingingCall {
            caller: PartyId {
                number: Some("200".into()),
                name: Some("Bob & Co".into()),
                ..PartyId::default()
            },
            connected: PartyId {
                number: Some("101".into()),
                name: Some("Desk".into()),
                ..PartyId::default()
            },
        }),
    };
    assert_eq!(
        render(&input(Format::DialogInfo), &hint, &opts),
        format!(
            "{HEAD}<dialog id=\"101\" call-id=\"pickup-blf-1@192.0.2.10\" local-tag=\"abc\" remote-tag=\"ourtag1\" direction=\"recipient\">\n\
             <remote>\n<identity display=\"Desk\">sip:101@pbx.example.com</identity>\n<target uri=\"sip:101@pbx.example.com\"/>\n</remote>\n\
             <local>\n<identity display=\"Bob &amp; Co\">sip:200@pbx.example.com</identity>\n<target uri=\"sip:200@pbx.example.com\"/>\n</local>\n\
             <state>early</state>\n</dialog>\n</dialog-info>\n"
        )
    );
}

#[test]
fn notifycid_without_a_ringing_channel_uses_the_extension_and_entity() {
    let opts = BodyOptions {
        notifycid: true,
        pedantic: false,
        ..BodyOptions::default()
    };
    assert_eq!(
        render(&input(Format::DialogInfo), &S::InUseRinging.into(), &opts),
        format!(
            "{HEAD}<dialog id=\"101\" call-id=\"pickup-blf-1@192.0.2.10\" direction=\"recipient\">\n\
             <remote>\n<identity display=\"101\">sip:101@192.0.2.2</identity>\n<target uri=\"sip:101@192.0.2.2\"/>\n</remote>\n\
             <local>\n<identity display=\"101\">sip:101@192.0.2.2</identity>\n<target uri=\"sip:101@192.0.2.2\"/>\n</local>\n\
             <state>early</state>\n</dialog>\n</dialog-info>\n"
        )
    );
}

#[test]
fn notifycid_restricted_caller_is_anonymous() {
    let opts = BodyOptions {
        notifycid: true,
        ..BodyOptions::default()
    };
    let hint = HintState {
        state: S::Ringing,
        all_devices_unavailable: false,
        ringing: Some(RingingCall {
            caller: PartyId {
                number: Some("200".into()),
                number_restricted: true,
                name: Some("Bob".into()),
                name_restricted: true,
            },
            connected: PartyId::default(),
        }),
    };
    let xml = render(&input(Format::DialogInfo), &hint, &opts);
    assert!(
        xml.contains(
            "<local>\n<identity display=\"anonymous\">sip:anonymous@anonymous.invalid</identity>\n"
        ),
        "{xml}"
    );
    // no fromdomain: chan_sip writes an empty host
    assert!(
        xml.contains(
            "<remote>\n<identity display=\"\">sip:@</identity>\n<target uri=\"sip:@\"/>\n"
        ),
        "{xml}"
    );
}

fn pidf(hint: HintState) -> String {
    render(&input(Format::Pidf), &hint, &BodyOptions::default())
}

fn pidf_doc(activity: Option<&str>, note: &str, basic: &str) -> String {
    let act = activity
        .map(|a| format!("<ep:activities><ep:{a}/></ep:activities>\n"))
        .unwrap_or_default();
    format!(
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n\
         <presence xmlns=\"urn:ietf:params:xml:ns:pidf\" \nxmlns:pp=\"urn:ietf:params:xml:ns:pidf:person\"\nxmlns:es=\"urn:ietf:params:xml:ns:pidf:rpid:status:rpid-status\"\nxmlns:ep=\"urn:ietf:params:xml:ns:pidf:rpid:rpid-person\"\nentity=\"sip:100@192.0.2.2\">\n\
         <pp:person><status>\n{act}</status></pp:person>\n\
         <note>{note}</note>\n\
         <tuple id=\"101\">\n<contact priority=\"1\">sip:101@192.0.2.2</contact>\n\
         <status><basic>{basic}</basic></status>\n</tuple>\n</presence>\n"
    )
}

#[test]
fn pidf_for_each_state() {
    assert_eq!(pidf(S::NotInUse.into()), pidf_doc(None, "Ready", "open"));
    assert_eq!(
        pidf(S::InUse.into()),
        pidf_doc(Some("busy"), "On the phone", "open")
    );
    assert_eq!(
        pidf(S::Busy.into()),
        pidf_doc(Some("busy"), "On the phone", "open")
    );
    assert_eq!(
        pidf(S::Ringing.into()),
        pidf_doc(Some("busy"), "Ringing", "open")
    );
    assert_eq!(
        pidf(S::InUseRinging.into()),
        pidf_doc(Some("busy"), "Ringing", "open")
    );
    assert_eq!(
        pidf(S::OnHold.into()),
        pidf_doc(Some("busy"), "On hold", "open")
    );
    // every hinted device unregistered: chan_sip overrides with "Not online"
    assert_eq!(
        pidf(S::Unavailable.into()),
        pidf_doc(Some("away"), "Not online", "closed")
    );
    let unreg_but_devices_unknown = HintState {
        state: S::Unavailable,
        all_devices_unavailable: false,
        ringing: None,
    };
    assert_eq!(
        pidf(unreg_but_devices_unknown),
        pidf_doc(Some("away"), "Unavailable", "closed")
    );
    let idle_offline = HintState {
        state: S::NotInUse,
        all_devices_unavailable: true,
        ringing: None,
    };
    assert_eq!(
        pidf(idle_offline),
        pidf_doc(Some("away"), "Not online", "closed")
    );
}

fn xpidf_doc(status: &str, sub: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE presence PUBLIC \"-//IETF//DTD RFCxxxx XPIDF 1.0//EN\" \"xpidf.dtd\">\n<presence>\n\
         <presentity uri=\"sip:100@192.0.2.2;method=SUBSCRIBE\" />\n<atom id=\"101\">\n\
         <address uri=\"sip:101@192.0.2.2;user=ip\" priority=\"0.800000\">\n\
         <status status=\"{status}\" />\n<msnsubstatus substatus=\"{sub}\" />\n</address>\n</atom>\n</presence>\n"
    )
}

#[test]
fn xpidf_for_each_state() {
    let x = |s: S| render(&input(Format::Xpidf), &s.into(), &BodyOptions::default());
    assert_eq!(x(S::NotInUse), xpidf_doc("open", "online"));
    assert_eq!(x(S::InUse), xpidf_doc("inuse", "onthephone"));
    assert_eq!(x(S::Ringing), xpidf_doc("inuse", "onthephone"));
    assert_eq!(x(S::Busy), xpidf_doc("closed", "offline"));
    assert_eq!(x(S::OnHold), xpidf_doc("closed", "offline"));
    assert_eq!(x(S::Unavailable), xpidf_doc("closed", "offline"));
    let cpim = render(
        &input(Format::CpimPidf),
        &S::InUse.into(),
        &BodyOptions::default(),
    );
    assert_eq!(
        cpim,
        xpidf_doc("inuse", "onthephone"),
        "cpim-pidf+xml carries the xpidf body"
    );
}

#[test]
fn extension_and_uris_are_escaped() {
    let mut i = input(Format::DialogInfo);
    i.exten = "1<2";
    let xml = render(&i, &S::NotInUse.into(), &BodyOptions::default());
    assert!(xml.contains("<dialog id=\"1&lt;2\">"), "{xml}");
}

#[test]
fn subscription_entity_is_the_to_uri_without_parameters() {
    let req = subscribe_with(&["To: \"Desk\" <sip:101@192.0.2.2;user=phone>"]);
    let (_, mut s) = accept(&req, Instant::now()).unwrap();
    let n = s.notify(Instant::now(), S::InUse);
    assert!(
        body(&n).contains("entity=\"sip:101@192.0.2.2\">"),
        "{}",
        body(&n)
    );
    assert_eq!(
        n.headers.get("From"),
        Some("\"Desk\" <sip:101@192.0.2.2;user=phone>;tag=ourtag1")
    );
}
