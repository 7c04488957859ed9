//! NOTIFY bodies, byte for byte as chan_sip's `state_notify_build_xml` writes them: RFC 4235
//! `dialog-info+xml` (BLF keys), RFC 3863 `pidf+xml`, and the pre-RFC `xpidf+xml` that
//! Polycom and old Microsoft clients take.
//!
//! chan_sip copies the extension and the URIs into the XML as they are; here they are
//! XML-escaped, which changes nothing for the digits and plain URIs phones subscribe to and
//! keeps a hostile Request-URI from breaking the document.

use super::state::{ExtensionState, HintState, PartyId};

/// The body format of a subscription (chan_sip's `enum subscriptiontype`), chosen from the
/// SUBSCRIBE's Accept header; it also fixes the Event and Content-Type of every NOTIFY.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `application/dialog-info+xml`, Event `dialog` (Snom, Yealink, Grandstream BLF keys).
    DialogInfo,
    /// `application/pidf+xml`, Event `presence` (Eyebeam, Bria).
    Pidf,
    /// `application/xpidf+xml`, Event `presence` (Polycom, even when it asks for pidf+xml).
    Xpidf,
    /// `application/cpim-pidf+xml`, Event `presence`, with the xpidf body (as chan_sip).
    CpimPidf,
    /// `application/simple-message-summary`, Event `message-summary` (RFC 3842 MWI).
    MessageSummary,
}

impl Format {
    /// The Event package NOTIFYs carry (chan_sip's `subscription_types[].event`).
    pub fn event(self) -> &'static str {
        match self {
            Format::DialogInfo => "dialog",
            Format::Pidf | Format::Xpidf | Format::CpimPidf => "presence",
            Format::MessageSummary => "message-summary",
        }
    }

    /// The Content-Type of NOTIFY bodies.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::DialogInfo => "application/dialog-info+xml",
            Format::Pidf => "application/pidf+xml",
            Format::Xpidf => "application/xpidf+xml",
            Format::CpimPidf => "application/cpim-pidf+xml",
            Format::MessageSummary => "application/simple-message-summary",
        }
    }
}

/// `notifyringing` in sip.conf `[general]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotifyRinging {
    /// `no`: ringing shows as `confirmed` when the extension is also in use, and without
    /// `direction="recipient"`.
    No,
    /// `yes` (the default).
    Yes,
    /// `notinuse`: ringing is reported only while the extension is not otherwise in use.
    NotInUse,
}

/// The sip.conf `[general]` options that shape NOTIFY bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyOptions {
    /// `notifyringing` (default `yes`).
    pub notifyringing: NotifyRinging,
    /// `notifycid` (default `no`): ringing dialogs carry the caller's identity and a
    /// `pickup-` Call-ID for directed pickup.
    pub notifycid: bool,
    /// `pedantic` (default `yes`): the pickup dialog also carries `local-tag`/`remote-tag`.
    pub pedantic: bool,
    /// `fromdomain`: the host of the `notifycid` identities (empty by default, so chan_sip
    /// writes `sip:100@`).
    pub fromdomain: String,
}

impl Default for BodyOptions {
    fn default() -> Self {
        BodyOptions {
            notifyringing: NotifyRinging::Yes,
            notifycid: false,
            pedantic: true,
            fromdomain: String::new(),
        }
    }
}

/// Everything a body needs from the subscription.
#[derive(Debug, Clone, Copy)]
pub struct BodyInput<'a> {
    pub format: Format,
    /// `dialog-info` `version` (chan_sip's `dialogver`: 0 for the first NOTIFY).
    pub version: u32,
    /// The watched extension (the SUBSCRIBE's Request-URI user).
    pub exten: &'a str,
    /// The subscriber: the SUBSCRIBE's From URI without parameters (`mfrom`).
    pub subscriber: &'a str,
    /// The watched resource: the SUBSCRIBE's To URI without parameters (`mto`).
    pub resource: &'a str,
    pub call_id: &'a str,
    /// The subscriber's tag and ours (for the pedantic pickup dialog).
    pub their_tag: &'a str,
    pub our_tag: &'a str,
}

/// `ast_xml_escape`.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Local {
    Open,
    InUse,
    Closed,
}

struct Texts {
    dialog_state: &'static str,
    local: Local,
    pidf_state: Option<&'static str>,
    note: &'static str,
}

fn texts(hint: &HintState, opts: &BodyOptions) -> Texts {
    use ExtensionState as S;
    let (dialog_state, local, pidf_state, note) = match hint.state {
        S::InUseRinging => {
            let s = if opts.notifyringing == NotifyRinging::Yes {
                "early"
            } else {
                "confirmed"
            };
            (s, Local::InUse, Some("busy"), "Ringing")
        }
        S::Ringing => ("early", Local::InUse, Some("busy"), "Ringing"),
        S::InUse => ("confirmed", Local::InUse, Some("busy"), "On the phone"),
        S::Busy => ("confirmed", Local::Closed, Some("busy"), "On the phone"),
        S::Unavailable => ("terminated", Local::Closed, Some("away"), "Unavailable"),
        S::OnHold => ("confirmed", Local::Closed, Some("busy"), "On hold"),
        S::NotInUse | S::Deactivated | S::Removed => ("terminated", Local::Open, None, "Ready"),
    };
    let mut t = Texts {
        dialog_state,
        local,
        pidf_state,
        note,
    };
    if hint.all_devices_unavailable {
        t.local = Local::Closed;
        t.pidf_state = Some("away");
        t.note = "Not online";
    }
    t
}

/// The body of one NOTIFY (empty for [`Format::MessageSummary`]: see [`super::mwi`]).
pub fn render(input: &BodyInput<'_>, hint: &HintState, opts: &BodyOptions) -> String {
    let t = texts(hint, opts);
    match input.format {
        Format::DialogInfo => dialog_info(input, hint, opts, &t),
        Format::Pidf => pidf(input, &t),
        Format::Xpidf | Format::CpimPidf => xpidf(input, &t),
        Format::MessageSummary => String::new(),
    }
}

fn xpidf(i: &BodyInput<'_>, t: &Texts) -> String {
    let (status, sub) = match t.local {
        Local::Open => ("open", "online"),
        Local::InUse => ("inuse", "onthephone"),
        Local::Closed => ("closed", "offline"),
    };
    let mut s = String::from(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE presence PUBLIC \"-//IETF//DTD RFCxxxx XPIDF 1.0//EN\" \"xpidf.dtd\">\n<presence>\n",
    );
    s += &format!(
        "<presentity uri=\"{};method=SUBSCRIBE\" />\n",
        xml_escape(i.subscriber)
    );
    s += &format!("<atom id=\"{}\">\n", xml_escape(i.exten));
    s += &format!(
        "<address uri=\"{};user=ip\" priority=\"0.800000\">\n",
        xml_escape(i.resource)
    );
    s += &format!("<status status=\"{status}\" />\n");
    s += &format!("<msnsubstatus substatus=\"{sub}\" />\n");
    s += "</address>\n</atom>\n</presence>\n";
    s
}

fn pidf(i: &BodyInput<'_>, t: &Texts) -> String {
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n");
    s += &format!(
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" \nxmlns:pp=\"urn:ietf:params:xml:ns:pidf:person\"\nxmlns:es=\"urn:ietf:params:xml:ns:pidf:rpid:status:rpid-status\"\nxmlns:ep=\"urn:ietf:params:xml:ns:pidf:rpid:rpid-person\"\nentity=\"{}\">\n",
        xml_escape(i.subscriber)
    );
    s += "<pp:person><status>\n";
    if let Some(p) = t.pidf_state {
        s += &format!("<ep:activities><ep:{p}/></ep:activities>\n");
    }
    s += "</status></pp:person>\n";
    s += &format!("<note>{}</note>\n", t.note);
    s += &format!("<tuple id=\"{}\">\n", xml_escape(i.exten));
    s += &format!(
        "<contact priority=\"1\">{}</contact>\n",
        xml_escape(i.resource)
    );
    // "Busy? Still open ..."
    let basic = if t.pidf_state == Some("busy") || t.local != Local::Closed {
        "open"
    } else {
        "closed"
    };
    s += &format!("<status><basic>{basic}</basic></status>\n");
    s += "</tuple>\n</presence>\n";
    s
}

/// `sip:NUMBER@DOMAIN` and the display of one party, as chan_sip builds them for notifycid.
fn party(p: &PartyId, fromdomain: &str) -> (String, String) {
    let number = if p.number_restricted {
        "anonymous"
    } else {
        p.number.as_deref().unwrap_or("")
    };
    let domain = if p.number_restricted {
        "anonymous.invalid"
    } else {
        fromdomain
    };
    let name = if p.name_restricted {
        "anonymous"
    } else {
        p.name.as_deref().unwrap_or("")
    };
    (format!("sip:{number}@{domain}"), xml_escape(name))
}

fn dialog_info(i: &BodyInput<'_>, hint: &HintState, opts: &BodyOptions, t: &Texts) -> String {
    let exten = xml_escape(i.exten);
    let mto = xml_escape(i.resource);
    let mut s = String::from("<?xml version=\"1.0\"?>\n");
    s += &format!(
        "<dialog-info xmlns=\"urn:ietf:params:xml:ns:dialog-info\" version=\"{}\" state=\"full\" entity=\"{mto}\">\n",
        i.version
    );
    if hint.state.is_ringing() && opts.notifyringing != NotifyRinging::No {
        if opts.notifycid {
            let (mut local_target, mut local_display) = (mto.clone(), exten.clone());
            let (mut remote_target, mut remote_display) = (mto.clone(), exten.clone());
            if let Some(call) = &hint.ringing {
                (local_target, local_display) = party(&call.caller, &opts.fromdomain);
                (remote_target, remote_display) = party(&call.connected, &opts.fromdomain);
                local_target = xml_escape(&local_target);
                remote_target = xml_escape(&remote_target);
            }
            let call_id = xml_escape(i.call_id);
            if opts.pedantic {
                s += &format!(
                    "<dialog id=\"{exten}\" call-id=\"pickup-{call_id}\" local-tag=\"{}\" remote-tag=\"{}\" direction=\"recipient\">\n",
                    xml_escape(i.their_tag),
                    xml_escape(i.our_tag)
                );
            } else {
                s += &format!("<dialog id=\"{exten}\" call-id=\"pickup-{call_id}\" direction=\"recipient\">\n");
            }
            s += &format!(
                "<remote>\n<identity display=\"{remote_display}\">{remote_target}</identity>\n<target uri=\"{remote_target}\"/>\n</remote>\n<local>\n<identity display=\"{local_display}\">{local_target}</identity>\n<target uri=\"{local_target}\"/>\n</local>\n"
            );
        } else {
            s += &format!("<dialog id=\"{exten}\" direction=\"recipient\">\n");
        }
    } else {
        s += &format!("<dialog id=\"{exten}\">\n");
    }
    s += &format!("<state>{}</state>\n", t.dialog_state);
    if hint.state == ExtensionState::OnHold {
        s += &format!(
            "<local>\n<target uri=\"{mto}\">\n<param pname=\"+sip.rendering\" pvalue=\"no\"/>\n</target>\n</local>\n"
        );
    }
    s += "</dialog>\n</dialog-info>\n";
    s
}
