//! Errors of the typed header accessors.

/// Why a typed header could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error("missing {0} header")]
    Missing(&'static str),
    #[error("more than one {0} header")]
    Multiple(&'static str),
    #[error("bad {header} header: {why}")]
    Invalid {
        header: &'static str,
        why: &'static str,
    },
}

impl HeaderError {
    /// The header concerned (canonical spelling).
    pub fn header(&self) -> &'static str {
        match self {
            HeaderError::Missing(h) | HeaderError::Multiple(h) => h,
            HeaderError::Invalid { header, .. } => header,
        }
    }

    /// A short reason phrase for a 400 response.
    pub fn reason_phrase(&self) -> String {
        match self {
            HeaderError::Missing(h) => format!("Missing {h} Header"),
            HeaderError::Multiple(h) => format!("Multiple {h} Headers"),
            HeaderError::Invalid { header, .. } => format!("Bad {header} Header"),
        }
    }
}

/// Reads the single value of a single-valued header: `Missing` when absent, `Multiple` when
/// there is more than one line (or a comma-joined list in a list header).
pub(crate) fn single<'a>(
    h: &'a super::Headers,
    name: &'static str,
) -> Result<&'a str, HeaderError> {
    let mut it = h.get_all(name);
    let first = it.next().ok_or(HeaderError::Missing(name))?;
    if it.next().is_some() {
        return Err(HeaderError::Multiple(name));
    }
    Ok(first.trim())
}

/// Like [`single`] but `Ok(None)` when absent.
pub(crate) fn optional<'a>(
    h: &'a super::Headers,
    name: &'static str,
) -> Result<Option<&'a str>, HeaderError> {
    match single(h, name) {
        Ok(v) => Ok(Some(v)),
        Err(HeaderError::Missing(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

pub(crate) fn invalid(header: &'static str) -> impl Fn(&'static str) -> HeaderError {
    move |why| HeaderError::Invalid { header, why }
}
