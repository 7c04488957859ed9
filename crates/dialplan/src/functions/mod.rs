//! Dialplan functions, one file each (owned by the expressions work).
