//! `$[...]` expressions (owned by the expressions work).
