//! `${...}` substitution (owned by the expressions work).
