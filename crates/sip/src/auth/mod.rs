//! Digest authentication (owned by the auth work).
