//! The text of responses and events, as `astman_send_response_full`, `astman_append` and
//! `ast_manager_build_channel_state_string_prefix` (main/manager.c, main/manager_channels.c)
//! write them.
//!
//! ```text
//! Response: Success\r\nActionID: 1\r\nMessage: Authentication accepted\r\n\r\n
//! Event: Newchannel\r\nPrivilege: call,all\r\nChannel: SIP/alice-00000001\r\n...\r\n\r\n
//! ```

use crate::perm;

/// A response to an action: `Response:`, then `ActionID:` when the action had one, then the
/// other headers in the order they were added.
#[derive(Clone, Debug)]
pub struct Reply {
    text: String,
}

impl Reply {
    /// `Response: KIND` (`Success`, `Error`, `Goodbye`) with the action's id.
    pub fn new(kind: &str, action_id: Option<&str>) -> Reply {
        let mut text = format!("Response: {kind}\r\n");
        if let Some(id) = action_id.filter(|id| !id.is_empty()) {
            text.push_str(&format!("ActionID: {id}\r\n"));
        }
        Reply { text }
    }

    /// `astman_send_ack`: `Response: Success` + `Message:`.
    pub fn ack(action_id: Option<&str>, message: &str) -> String {
        Reply::new("Success", action_id)
            .header("Message", message)
            .end()
    }

    /// `astman_send_error`: `Response: Error` + `Message:`.
    pub fn error(action_id: Option<&str>, message: &str) -> String {
        Reply::new("Error", action_id)
            .header("Message", message)
            .end()
    }

    /// `astman_send_listack`: the start of a list of events.
    pub fn list_start(action_id: Option<&str>, message: &str) -> String {
        Reply::new("Success", action_id)
            .header("EventList", "start")
            .header("Message", message)
            .end()
    }

    /// Add `Name: value`. A value is kept to one line: CR and LF become spaces (a value with
    /// a line break would end the message early on the client's side).
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        push_header(&mut self.text, name, value);
        self
    }

    /// The message, with its ending empty line.
    pub fn end(mut self) -> String {
        self.text.push_str("\r\n");
        self.text
    }
}

fn push_header(text: &mut String, name: &str, value: &str) {
    text.push_str(name);
    text.push_str(": ");
    if value.contains(['\r', '\n']) {
        text.push_str(&value.replace(['\r', '\n'], " "));
    } else {
        text.push_str(value);
    }
    text.push_str("\r\n");
}

/// An event: `Event:`, `Privilege:` (its class names), then its headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub name: String,
    pub category: u32,
    text: String,
}

impl Event {
    pub fn new(name: &str, category: u32) -> Event {
        let text = format!(
            "Event: {name}\r\nPrivilege: {}\r\n",
            perm::authority_to_str(category)
        );
        Event {
            name: name.to_string(),
            category,
            text,
        }
    }

    /// A list item answering an action (`CoreShowChannel`): no `Privilege:`, the action's id.
    pub fn list_item(name: &str, action_id: Option<&str>) -> Event {
        let mut text = format!("Event: {name}\r\n");
        if let Some(id) = action_id.filter(|id| !id.is_empty()) {
            text.push_str(&format!("ActionID: {id}\r\n"));
        }
        Event {
            name: name.to_string(),
            category: 0,
            text,
        }
    }

    /// `astman_send_list_complete_start`/`_end`: the event ending a list.
    pub fn list_complete(name: &str, action_id: Option<&str>, items: usize) -> String {
        Event::list_item(name, action_id)
            .header("EventList", "Complete")
            .header("ListItems", &items.to_string())
            .render()
    }

    pub fn header(mut self, name: &str, value: &str) -> Event {
        push_header(&mut self.text, name, value);
        self
    }

    /// The headers of a channel, `prefix` before each name (`Dest` for DialBegin's callee).
    pub fn channel(mut self, prefix: &str, chan: &ChannelSnapshot) -> Event {
        chan.write(prefix, &mut self.text);
        self
    }

    pub fn render(&self) -> String {
        format!("{}\r\n", self.text)
    }
}

/// What AMI shows of a channel (`struct ast_channel_snapshot`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChannelSnapshot {
    pub name: String,
    pub state: State,
    pub caller_num: String,
    pub caller_name: String,
    pub connected_num: String,
    pub connected_name: String,
    pub language: String,
    pub accountcode: String,
    pub context: String,
    pub exten: String,
    pub priority: u32,
    pub uniqueid: String,
    pub linkedid: String,
}

impl ChannelSnapshot {
    fn write(&self, p: &str, out: &mut String) {
        let or_unknown = |s: &str| {
            if s.is_empty() {
                "<unknown>".to_string()
            } else {
                s.to_string()
            }
        };
        let fields: [(&str, String); 14] = [
            ("Channel", self.name.clone()),
            ("ChannelState", self.state.number().to_string()),
            ("ChannelStateDesc", self.state.desc().to_string()),
            ("CallerIDNum", or_unknown(&self.caller_num)),
            ("CallerIDName", or_unknown(&self.caller_name)),
            ("ConnectedLineNum", or_unknown(&self.connected_num)),
            ("ConnectedLineName", or_unknown(&self.connected_name)),
            ("Language", self.language.clone()),
            ("AccountCode", self.accountcode.clone()),
            ("Context", self.context.clone()),
            ("Exten", self.exten.clone()),
            ("Priority", self.priority.to_string()),
            ("Uniqueid", self.uniqueid.clone()),
            ("Linkedid", self.linkedid.clone()),
        ];
        for (name, value) in fields {
            push_header(out, &format!("{p}{name}"), &value);
        }
    }
}

/// `enum ast_channel_state`, with `ast_state2str`'s names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum State {
    #[default]
    Down,
    Reserved,
    OffHook,
    Dialing,
    Ring,
    Ringing,
    Up,
    Busy,
    DialingOffhook,
    PreRing,
}

impl State {
    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn desc(self) -> &'static str {
        match self {
            State::Down => "Down",
            State::Reserved => "Rsrvd",
            State::OffHook => "OffHook",
            State::Dialing => "Dialing",
            State::Ring => "Ring",
            State::Ringing => "Ringing",
            State::Up => "Up",
            State::Busy => "Busy",
            State::DialingOffhook => "Dialing Offhook",
            State::PreRing => "Pre-ring",
        }
    }
}

/// `ast_cause2str`: the description of a Q.850 cause, `Unknown` for others.
pub fn cause_text(cause: u16) -> &'static str {
    match cause {
        1 => "Unallocated (unassigned) number",
        2 => "No route to specified transmit network",
        3 => "No route to destination",
        6 => "Channel unacceptable",
        7 => "Call awarded and delivered",
        8 => "Pre-empted",
        14 => "Number ported elsewhere",
        16 => "Normal Clearing",
        17 => "User busy",
        18 => "No user responding",
        19 => "User alerting, no answer",
        20 => "Subscriber absent",
        21 => "Call Rejected",
        22 => "Number changed",
        23 => "Redirected to new destination",
        26 => "Answered elsewhere",
        27 => "Destination out of order",
        28 => "Invalid number format",
        29 => "Facility rejected",
        30 => "Response to STATus ENQuiry",
        31 => "Normal, unspecified",
        34 => "Circuit/channel congestion",
        38 => "Network out of order",
        41 => "Temporary failure",
        42 => "Switching equipment congestion",
        43 => "Access information discarded",
        44 => "Requested channel not available",
        50 => "Facility not subscribed",
        52 => "Outgoing call barred",
        54 => "Incoming call barred",
        57 => "Bearer capability not authorized",
        58 => "Bearer capability not available",
        65 => "Bearer capability not implemented",
        66 => "Channel not implemented",
        69 => "Facility not implemented",
        81 => "Invalid call reference value",
        88 => "Incompatible destination",
        95 => "Invalid message unspecified",
        96 => "Mandatory information element is missing",
        97 => "Message type nonexist.",
        98 => "Wrong message",
        99 => "Info. element nonexist or not implemented",
        100 => "Invalid information element contents",
        101 => "Message not compatible with call state",
        102 => "Recovery on timer expiration",
        103 => "Mandatory IE length error",
        111 => "Protocol error, unspecified",
        127 => "Interworking, unspecified",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_id_follows_response_and_the_message_ends_with_a_blank_line() {
        assert_eq!(
            Reply::ack(Some("42"), "Authentication accepted"),
            "Response: Success\r\nActionID: 42\r\nMessage: Authentication accepted\r\n\r\n"
        );
        assert_eq!(
            Reply::error(None, "Authentication failed"),
            "Response: Error\r\nMessage: Authentication failed\r\n\r\n"
        );
    }

    #[test]
    fn a_value_never_breaks_the_framing() {
        let r = Reply::new("Success", None)
            .header("X", "a\r\n\r\nEvent: Fake")
            .end();
        assert_eq!(r, "Response: Success\r\nX: a    Event: Fake\r\n\r\n");
    }

    #[test]
    fn channel_events_carry_the_channel_state_fields_with_unknown_caller_ids() {
        let chan = ChannelSnapshot {
            name: "SIP/alice-00000001".into(),
            state: State::Ring,
            caller_num: "1001".into(),
            language: "en".into(),
            context: "default".into(),
            exten: "600".into(),
            priority: 1,
            uniqueid: "1700000000.1".into(),
            linkedid: "1700000000.1".into(),
            ..Default::default()
        };
        let text = Event::new("Newchannel", perm::CALL)
            .channel("", &chan)
            .render();
        assert_eq!(
            text,
            "Event: Newchannel\r\nPrivilege: call,all\r\nChannel: SIP/alice-00000001\r\n\
             ChannelState: 4\r\nChannelStateDesc: Ring\r\nCallerIDNum: 1001\r\n\
             CallerIDName: <unknown>\r\nConnectedLineNum: <unknown>\r\n\
             ConnectedLineName: <unknown>\r\nLanguage: en\r\nAccountCode: \r\n\
             Context: default\r\nExten: 600\r\nPriority: 1\r\nUniqueid: 1700000000.1\r\n\
             Linkedid: 1700000000.1\r\n\r\n"
        );
        let dest = Event::new("DialBegin", perm::CALL)
            .channel("Dest", &chan)
            .render();
        assert!(dest.contains("\r\nDestChannel: SIP/alice-00000001\r\n"));
        assert!(dest.contains("\r\nDestLinkedid: 1700000000.1\r\n"));
    }

    #[test]
    fn list_events_end_with_a_complete_event_counting_items() {
        assert_eq!(
            Event::list_complete("CoreShowChannelsComplete", Some("9"), 2),
            "Event: CoreShowChannelsComplete\r\nActionID: 9\r\nEventList: Complete\r\nListItems: 2\r\n\r\n"
        );
    }

    #[test]
    fn states_number_and_name_as_asterisk() {
        assert_eq!((State::Up.number(), State::Up.desc()), (6, "Up"));
        assert_eq!(
            (State::Ringing.number(), State::Ringing.desc()),
            (5, "Ringing")
        );
        assert_eq!(cause_text(16), "Normal Clearing");
        assert_eq!(cause_text(17), "User busy");
        assert_eq!(cause_text(0), "Unknown");
    }
}
