//! Argument splitting (owned by the expressions work).
