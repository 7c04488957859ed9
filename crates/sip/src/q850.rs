//! SIP status codes and Q.850 causes, both ways, as chan_sip maps them
//! (`hangup_sip2cause` / `hangup_cause2sip`, after RFC 3398).

/// The Q.850 cause for a final SIP failure response to an INVITE we sent.
pub fn cause_from_status(status: u16) -> u16 {
    match status {
        401 | 402 | 403 | 407 | 603 => 21, // CALL_REJECTED
        404 | 485 | 604 => 1,              // UNALLOCATED
        405 | 501 => 29,                   // FACILITY_REJECTED
        406 | 415 | 488 | 606 => 58,       // BEARERCAPABILITY_NOTAVAIL
        408 => 102,                        // RECOVERY_ON_TIMER_EXPIRE
        410 => 22,                         // NUMBER_CHANGED
        413 | 414 | 416 | 420 | 421 | 423 | 505 | 513 => 127, // INTERWORKING
        480 => 18,                         // NO_USER_RESPONSE
        481 => 41,                         // NORMAL_TEMPORARY_FAILURE
        482 | 483 => 25,                   // EXCHANGE_ROUTING_ERROR
        484 => 28,                         // INVALID_NUMBER_FORMAT
        486 | 600 => 17,                   // USER_BUSY
        487 => 127,                        // INTERWORKING (request terminated)
        500 => 41,
        502 => 38, // NETWORK_OUT_OF_ORDER
        503 => 34, // CONGESTION
        504 => 102,
        s if (400..500).contains(&s) => 127,
        s if (500..600).contains(&s) => 41,
        _ => 127,
    }
}

/// The SIP response for hanging up an unanswered incoming call with a Q.850 cause; causes
/// with no mapping get `603 Declined`, as chan_sip does.
pub fn status_from_cause(cause: u16) -> (u16, &'static str) {
    match cause {
        1..=3 => (404, "Not Found"),
        17 => (486, "Busy Here"),
        18 => (408, "Request Timeout"),
        19 | 20 => (480, "Temporarily Unavailable"),
        21 => (403, "Forbidden"),
        22 | 23 => (410, "Gone"),
        26 => (200, "OK"), // answered elsewhere: the call was picked up by another leg
        27 => (502, "Bad Gateway"),
        28 => (484, "Address Incomplete"),
        29 => (501, "Not Implemented"),
        34 | 41 | 42 | 44 => (503, "Service Unavailable"),
        38 => (500, "Server Internal Error"),
        58 | 65 | 88 => (488, "Not Acceptable Here"),
        66 => (501, "Not Implemented"),
        102 => (504, "Server Time-out"),
        _ => (603, "Declined"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_round_trips() {
        assert_eq!(cause_from_status(486), 17);
        assert_eq!(status_from_cause(17).0, 486);
    }

    #[test]
    fn common_failures_map_as_rfc_3398() {
        assert_eq!(cause_from_status(404), 1);
        assert_eq!(cause_from_status(480), 18);
        assert_eq!(cause_from_status(503), 34);
        assert_eq!(cause_from_status(603), 21);
        assert_eq!(status_from_cause(1), (404, "Not Found"));
        assert_eq!(status_from_cause(34).0, 503);
        assert_eq!(
            status_from_cause(16),
            (603, "Declined"),
            "normal clearing has no SIP mapping"
        );
    }
}
