//! Room for the peers in the transaction table while strangers flood it.
//!
//! The table is bounded (65,536 transactions; a finished one lingers 32 s, Timers H/J), so a
//! flood cannot grow memory without bound, but when it is full every new request is refused,
//! the peers' calls with the attacker's. A flood from one address is banned for its rate; one
//! spread over many addresses, each below `autoban_rate`, is not (bench/flood, case `spread`:
//! 3,000 datagrams/s from 50 addresses kept the table full and 12 % of a static peer's calls
//! got 503). So strangers may fill only a share of the table: above it, new requests from any
//! address that is neither a static peer's (`host=ADDRESS`) nor `autoban_exempt` are dropped
//! unanswered (an answer would be one more thing to send to a flood). Responses (to tandem's
//! own requests) and ACKs (which open no transaction and end a challenged INVITE's) always
//! pass. Phones that register (dynamic peers) count as strangers here.

/// The share of the transaction table (in 1/8ths) that strangers may fill: 6/8 = 75 %.
const STRANGER_EIGHTHS: usize = 6;

/// Whether `datagram` from a stranger (no static peer, not exempt) may reach the transaction
/// layer while it holds `live` of at most `max` transactions.
pub fn stranger_admitted(live: usize, max: usize, datagram: &[u8]) -> bool {
    live < max / 8 * STRANGER_EIGHTHS || !opens_transaction(datagram)
}

/// A request other than ACK (a response or an ACK opens no server transaction).
fn opens_transaction(datagram: &[u8]) -> bool {
    !(datagram.starts_with(b"SIP/2.0") || datagram.starts_with(b"ACK "))
}

#[cfg(test)]
mod tests {
    use super::*;

    const INVITE: &[u8] = b"INVITE sip:100@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP x\r\n\r\n";

    #[test]
    fn below_three_quarters_strangers_open_transactions() {
        assert!(stranger_admitted(0, 65_536, INVITE));
        assert!(stranger_admitted(49_151, 65_536, INVITE));
        assert!(stranger_admitted(49_151, 65_536, b"garbage that is no SIP"));
    }

    #[test]
    fn from_three_quarters_on_their_new_requests_are_dropped() {
        assert!(!stranger_admitted(49_152, 65_536, INVITE));
        assert!(!stranger_admitted(
            65_536,
            65_536,
            b"REGISTER sip:x SIP/2.0\r\n\r\n"
        ));
        assert!(!stranger_admitted(65_536, 65_536, b"\x00\x01 not SIP"));
    }

    #[test]
    fn responses_and_acks_always_pass() {
        assert!(stranger_admitted(65_536, 65_536, b"SIP/2.0 200 OK\r\n\r\n"));
        assert!(stranger_admitted(
            65_536,
            65_536,
            b"ACK sip:100@x SIP/2.0\r\n\r\n"
        ));
    }
}
