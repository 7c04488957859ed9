//! SIP messages (owned by the message work).
