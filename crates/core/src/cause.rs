//! Q.850 hangup causes, by number and by Asterisk's names (`ast_str2cause`).

pub const UNALLOCATED: u16 = 1;
pub const NORMAL_CLEARING: u16 = 16;
pub const USER_BUSY: u16 = 17;
pub const NO_USER_RESPONSE: u16 = 18;
pub const NO_ANSWER: u16 = 19;
pub const CALL_REJECTED: u16 = 21;
pub const NORMAL_UNSPECIFIED: u16 = 31;
pub const NORMAL_CIRCUIT_CONGESTION: u16 = 34;
pub const SWITCH_CONGESTION: u16 = 42;
pub const CHANNEL_UNACCEPTABLE: u16 = 6;
pub const BEARERCAPABILITY_NOTAVAIL: u16 = 58;
pub const SUBSCRIBER_ABSENT: u16 = 20;
pub const NORMAL_TEMPORARY_FAILURE: u16 = 41;
pub const CHAN_NOT_IMPLEMENTED: u16 = 66;
pub const ANSWERED_ELSEWHERE: u16 = 26;
pub const RECOVERY_ON_TIMER_EXPIRE: u16 = 102;

/// Asterisk's cause names (`AST_CAUSE_*` without the prefix), in the order of its table.
const NAMES: &[(u16, &str)] = &[
    (1, "UNALLOCATED"),
    (2, "NO_ROUTE_TRANSIT_NET"),
    (3, "NO_ROUTE_DESTINATION"),
    (5, "MISDIALLED_TRUNK_PREFIX"),
    (6, "CHANNEL_UNACCEPTABLE"),
    (7, "CALL_AWARDED_DELIVERED"),
    (8, "PRE_EMPTED"),
    (14, "NUMBER_PORTED_NOT_HERE"),
    (16, "NORMAL_CLEARING"),
    (17, "USER_BUSY"),
    (18, "NO_USER_RESPONSE"),
    (19, "NO_ANSWER"),
    (20, "SUBSCRIBER_ABSENT"),
    (21, "CALL_REJECTED"),
    (22, "NUMBER_CHANGED"),
    (23, "REDIRECTED_TO_NEW_DESTINATION"),
    (26, "ANSWERED_ELSEWHERE"),
    (27, "DESTINATION_OUT_OF_ORDER"),
    (28, "INVALID_NUMBER_FORMAT"),
    (29, "FACILITY_REJECTED"),
    (30, "RESPONSE_TO_STATUS_ENQUIRY"),
    (31, "NORMAL_UNSPECIFIED"),
    (34, "NORMAL_CIRCUIT_CONGESTION"),
    (38, "NETWORK_OUT_OF_ORDER"),
    (41, "NORMAL_TEMPORARY_FAILURE"),
    (42, "SWITCH_CONGESTION"),
    (43, "ACCESS_INFO_DISCARDED"),
    (44, "REQUESTED_CHAN_UNAVAIL"),
    (50, "FACILITY_NOT_SUBSCRIBED"),
    (52, "OUTGOING_CALL_BARRED"),
    (54, "INCOMING_CALL_BARRED"),
    (57, "BEARERCAPABILITY_NOTAUTH"),
    (58, "BEARERCAPABILITY_NOTAVAIL"),
    (65, "BEARERCAPABILITY_NOTIMPL"),
    (66, "CHAN_NOT_IMPLEMENTED"),
    (69, "FACILITY_NOT_IMPLEMENTED"),
    (81, "INVALID_CALL_REFERENCE"),
    (88, "INCOMPATIBLE_DESTINATION"),
    (95, "INVALID_MSG_UNSPECIFIED"),
    (96, "MANDATORY_IE_MISSING"),
    (97, "MESSAGE_TYPE_NONEXIST"),
    (98, "WRONG_MESSAGE"),
    (99, "IE_NONEXIST"),
    (100, "INVALID_IE_CONTENTS"),
    (101, "WRONG_CALL_STATE"),
    (102, "RECOVERY_ON_TIMER_EXPIRE"),
    (103, "MANDATORY_IE_LENGTH_ERROR"),
    (111, "PROTOCOL_ERROR"),
    (127, "INTERWORKING"),
];

/// `Hangup(17)` or `Hangup(USER_BUSY)`: a number or a name. `None` when neither.
pub fn parse(text: &str) -> Option<u16> {
    let t = text.trim();
    if let Ok(n) = t.parse::<u16>() {
        return Some(n);
    }
    NAMES
        .iter()
        .find(|(_, name)| name.eq_ignore_ascii_case(t))
        .map(|(n, _)| *n)
}

pub fn name(cause: u16) -> Option<&'static str> {
    NAMES
        .iter()
        .find(|(n, _)| *n == cause)
        .map(|(_, name)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_parse_by_number_and_name() {
        assert_eq!(parse("17"), Some(USER_BUSY));
        assert_eq!(parse("user_busy"), Some(USER_BUSY));
        assert_eq!(parse(" NORMAL_CLEARING "), Some(NORMAL_CLEARING));
        assert_eq!(parse("bogus"), None);
        assert_eq!(name(34), Some("NORMAL_CIRCUIT_CONGESTION"));
    }
}
