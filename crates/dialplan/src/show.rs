//! `dialplan show` (owned by the patterns work).
