//! Persistent state (owned by the store work).
