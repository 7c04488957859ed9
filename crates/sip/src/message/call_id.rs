//! Call-ID (RFC 3261 sec. 20.8): `word ["@" word]`, compared byte for byte.
//!
//! ```text
//! Call-ID: intmeth.word%ZK-!.*_+'@word`~)(><:\/"][?}{     (RFC 4475 3.1.1.2)
//! ```
//! The check is deliberately lenient (non-empty, no whitespace or control characters): real
//! phones put characters outside `word` in their Call-IDs, and the value is only ever compared.

use super::error::{single, HeaderError};
use super::Headers;

/// Validates a Call-ID value.
pub fn check_call_id(s: &str) -> Result<&str, &'static str> {
    let s = s.trim();
    if s.is_empty() {
        return Err("empty Call-ID");
    }
    if s.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err("whitespace in Call-ID");
    }
    Ok(s)
}

impl Headers {
    pub fn call_id(&self) -> Result<&str, HeaderError> {
        check_call_id(single(self, "Call-ID")?).map_err(|why| HeaderError::Invalid {
            header: "Call-ID",
            why,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unusual_call_id_is_kept_verbatim() {
        let mut h = Headers::new();
        h.push("Call-ID", "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
        assert_eq!(
            h.call_id().unwrap(),
            "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{"
        );
    }

    #[test]
    fn compact_form_and_trim() {
        let mut h = Headers::new();
        h.push("i", "  transports.kijh4akdnaqjkwendsasfdj");
        assert_eq!(h.call_id().unwrap(), "transports.kijh4akdnaqjkwendsasfdj");
    }

    #[test]
    fn empty_spaced_and_duplicate_are_errors() {
        assert!(check_call_id("").is_err());
        assert!(check_call_id("a b").is_err());
        let mut h = Headers::new();
        h.push("Call-ID", "a@1");
        h.push("i", "a@2");
        assert_eq!(h.call_id(), Err(HeaderError::Multiple("Call-ID")));
    }
}
