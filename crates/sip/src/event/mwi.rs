//! `message-summary` (RFC 3842) bodies: the hook the voicemail issue builds on. The
//! subscription side (Event, Accept, expiry) is already handled by
//! [`super::Subscription::accept`]; what is left for voicemail is the peer/mailbox lookup
//! (chan_sip answers `404 Not found (no mailbox)`) and the unsolicited NOTIFYs for peers
//! with `mailbox=` and no subscription.

/// The body of chan_sip's `transmit_notify_with_mwi`:
///
/// ```text
/// Messages-Waiting: yes
/// Message-Account: sip:*97@192.0.2.2
/// Voice-Message: 2/5 (0/0)
/// ```
///
/// `account` is the `sip:` URI of the voicemail extension (`vmexten@fromdomain`, or our
/// address with `:port` when it is not 5060); `buggymwi` drops the ` (0/0)` Cisco phones choke on.
pub fn message_summary(new_msgs: u32, old_msgs: u32, account: &str, buggymwi: bool) -> String {
    format!(
        "Messages-Waiting: {}\r\nMessage-Account: {account}\r\nVoice-Message: {new_msgs}/{old_msgs}{}\r\n",
        if new_msgs > 0 { "yes" } else { "no" },
        if buggymwi { "" } else { " (0/0)" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chan_sip_layout() {
        assert_eq!(
            message_summary(2, 5, "sip:*97@192.0.2.2", false),
            "Messages-Waiting: yes\r\nMessage-Account: sip:*97@192.0.2.2\r\nVoice-Message: 2/5 (0/0)\r\n"
        );
        assert!(message_summary(0, 1, "sip:a@b", true).ends_with("Voice-Message: 0/1\r\n"));
        assert!(message_summary(0, 1, "sip:a@b", true).starts_with("Messages-Waiting: no\r\n"));
    }
}
