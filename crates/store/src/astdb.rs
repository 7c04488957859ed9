//! How Asterisk's astdb (main/db.c) names things; backend-independent.

use crate::{Result, StoreError};

/// Asterisk's MAX_DB_FIELD: `/family/key` lives in a 256-byte buffer.
pub const MAX_DB_FIELD: usize = 256;

/// `/family/key`, refused (as Asterisk does) when `family + key + 2 > 255` bytes.
pub fn full_key(family: &str, key: &str) -> Result<String> {
    if family.len() + key.len() + 2 > MAX_DB_FIELD - 1 {
        return Err(StoreError::KeyTooLong);
    }
    Ok(format!("/{family}/{key}"))
}

/// The prefix a tree operation matches: `/family`, `/family/keytree`, or None for everything
/// (empty family). Asterisk silently truncates a longer prefix to its buffer; we refuse it.
pub fn tree_prefix(family: &str, keytree: Option<&str>) -> Result<Option<String>> {
    let prefix = match (family.is_empty(), keytree.filter(|k| !k.is_empty())) {
        (true, _) => return Ok(None),
        (false, Some(k)) => format!("/{family}/{k}"),
        (false, None) => format!("/{family}"),
    };
    if prefix.len() > MAX_DB_FIELD - 1 {
        return Err(StoreError::KeyTooLong);
    }
    Ok(Some(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_and_key_compose_with_slashes() {
        assert_eq!(
            full_key("cidname", "5551234").ok().as_deref(),
            Some("/cidname/5551234")
        );
        assert_eq!(full_key("a/b", "c").ok().as_deref(), Some("/a/b/c"));
    }

    #[test]
    fn key_length_limit_matches_asterisk() {
        let fam = "f".repeat(100);
        assert!(full_key(&fam, &"k".repeat(153)).is_ok());
        assert!(matches!(
            full_key(&fam, &"k".repeat(154)),
            Err(StoreError::KeyTooLong)
        ));
    }

    #[test]
    fn tree_prefixes() {
        assert_eq!(tree_prefix("", Some("x")).ok(), Some(None));
        assert_eq!(tree_prefix("fam", None).ok(), Some(Some("/fam".into())));
        assert_eq!(tree_prefix("fam", Some("")).ok(), Some(Some("/fam".into())));
        assert_eq!(
            tree_prefix("fam", Some("sub")).ok(),
            Some(Some("/fam/sub".into()))
        );
    }
}
