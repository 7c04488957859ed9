//! SDP (owned by the sdp work).
