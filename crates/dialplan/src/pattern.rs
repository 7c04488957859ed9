//! Extension patterns and Asterisk's ordering of extensions (owned by the patterns work).
