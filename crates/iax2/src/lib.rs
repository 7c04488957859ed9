//! Sans-IO IAX2 (RFC 5456).
