//! Header names: the canonical spellings tandem knows, compact forms, list headers, and the
//! case-insensitive lookup every parsed header line and every header lookup goes through.

use std::sync::OnceLock;

/// Canonical spellings of the headers tandem knows. Lookup is case-insensitive, among the
/// names of the same length ([`by_length`]).
pub(super) const KNOWN: &[&str] = &[
    "Accept",
    "Accept-Contact",
    "Accept-Encoding",
    "Accept-Language",
    "Alert-Info",
    "Allow",
    "Allow-Events",
    "Authentication-Info",
    "Authorization",
    "Call-ID",
    "Call-Info",
    "Contact",
    "Content-Disposition",
    "Content-Encoding",
    "Content-Language",
    "Content-Length",
    "Content-Type",
    "CSeq",
    "Date",
    "Diversion",
    "Error-Info",
    "Event",
    "Expires",
    "From",
    "Identity",
    "Identity-Info",
    "In-Reply-To",
    "Max-Forwards",
    "MIME-Version",
    "Min-Expires",
    "Min-SE",
    "Organization",
    "P-Asserted-Identity",
    "P-Preferred-Identity",
    "Path",
    "Priority",
    "Privacy",
    "Proxy-Authenticate",
    "Proxy-Authorization",
    "Proxy-Require",
    "RAck",
    "Reason",
    "Record-Route",
    "Refer-To",
    "Referred-By",
    "Reject-Contact",
    "Remote-Party-ID",
    "Replaces",
    "Reply-To",
    "Request-Disposition",
    "Require",
    "Retry-After",
    "Route",
    "RSeq",
    "Server",
    "Service-Route",
    "Session-Expires",
    "Subject",
    "Subscription-State",
    "Supported",
    "Timestamp",
    "To",
    "Unsupported",
    "User-Agent",
    "Via",
    "Warning",
    "WWW-Authenticate",
];

/// Compact forms (RFC 3261 sec. 7.3.3 and the extensions that registered one).
const COMPACT: &[(u8, &str)] = &[
    (b'a', "Accept-Contact"),
    (b'b', "Referred-By"),
    (b'c', "Content-Type"),
    (b'd', "Request-Disposition"),
    (b'e', "Content-Encoding"),
    (b'f', "From"),
    (b'i', "Call-ID"),
    (b'j', "Reject-Contact"),
    (b'k', "Supported"),
    (b'l', "Content-Length"),
    (b'm', "Contact"),
    (b'n', "Identity-Info"),
    (b'o', "Event"),
    (b'r', "Refer-To"),
    (b's', "Subject"),
    (b't', "To"),
    (b'u', "Allow-Events"),
    (b'v', "Via"),
    (b'x', "Session-Expires"),
    (b'y', "Identity"),
];

/// Headers whose values are comma-separated lists (RFC 3261 sec. 7.3.1).
const LISTS: &[&str] = &[
    "Accept",
    "Accept-Contact",
    "Accept-Encoding",
    "Accept-Language",
    "Alert-Info",
    "Allow",
    "Allow-Events",
    "Call-Info",
    "Contact",
    "Content-Encoding",
    "Content-Language",
    "Error-Info",
    "In-Reply-To",
    "P-Asserted-Identity",
    "P-Preferred-Identity",
    "Path",
    "Proxy-Require",
    "Reason",
    "Record-Route",
    "Reject-Contact",
    "Require",
    "Route",
    "Service-Route",
    "Supported",
    "Unsupported",
    "Via",
    "Warning",
];

/// No canonical name: a header tandem does not know.
pub(super) const UNKNOWN: u8 = u8::MAX;

/// The index in [`KNOWN`] of a known header name (compact forms expanded), or [`UNKNOWN`].
pub(super) fn canon_index(name: &str) -> u8 {
    let t = table();
    let bytes = name.as_bytes();
    if let [b] = bytes {
        return match b.to_ascii_lowercase() {
            c @ b'a'..=b'z' => t.compact.get(usize::from(c - b'a')).copied(),
            _ => None,
        }
        .unwrap_or(UNKNOWN);
    }
    let (Some(group), Some(first)) = (t.by_length.get(bytes.len()), bytes.first()) else {
        return UNKNOWN;
    };
    let mut padded = [0u8; NAME_ROOM];
    if let Some(p) = padded.get_mut(..bytes.len()) {
        p.copy_from_slice(bytes);
    }
    let first = first.to_ascii_lowercase();
    group
        .iter()
        .find(|n| n.first == first && n.matches(&padded))
        .map_or(UNKNOWN, |n| n.index)
}

/// The longest known name fits.
const NAME_ROOM: usize = 24;

/// A known name prepared for a case-insensitive comparison eight bytes at a time.
#[derive(Clone)]
struct Known {
    index: u8,
    first: u8,
    /// The name in lower case, zero-padded.
    lower: [u8; NAME_ROOM],
    /// 0x20 where the name has a letter: `byte | mask == lower` is `eq_ignore_ascii_case`
    /// for a letter (either case gives the lower one) and equality for anything else.
    mask: [u8; NAME_ROOM],
}

impl Known {
    fn new(index: u8, name: &str) -> Known {
        let mut k = Known {
            index,
            first: name.as_bytes().first().map_or(0, u8::to_ascii_lowercase),
            lower: [0; NAME_ROOM],
            mask: [0; NAME_ROOM],
        };
        for ((l, m), b) in k.lower.iter_mut().zip(&mut k.mask).zip(name.bytes()) {
            *l = b.to_ascii_lowercase();
            *m = if b.is_ascii_alphabetic() { 0x20 } else { 0 };
        }
        k
    }

    fn matches(&self, padded: &[u8; NAME_ROOM]) -> bool {
        let word = |a: &[u8; NAME_ROOM], i: usize| {
            let mut w = [0u8; 8];
            if let Some(s) = a.get(i..i + 8) {
                w.copy_from_slice(s);
            }
            u64::from_ne_bytes(w)
        };
        (0..NAME_ROOM)
            .step_by(8)
            .all(|i| word(padded, i) | word(&self.mask, i) == word(&self.lower, i))
    }
}

/// The canonical spelling of a known header name (compact forms expanded), or `None`.
pub fn canonical_name(name: &str) -> Option<&'static str> {
    KNOWN.get(usize::from(canon_index(name))).copied()
}

/// The lookup tables, built once: [`KNOWN`] grouped by name length, with their lower-case
/// first letter (a lookup compares a name or two, not 67: it runs for every header line parsed
/// and every header looked up), and the compact letters `a`..`z` to indices.
struct Table {
    by_length: Vec<Vec<Known>>,
    compact: [u8; 26],
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let index = |name: &str| {
            KNOWN
                .iter()
                .position(|k| *k == name)
                .and_then(|i| u8::try_from(i).ok())
                .unwrap_or(UNKNOWN)
        };
        let longest = KNOWN.iter().map(|k| k.len()).max().unwrap_or(0);
        let mut by_length = vec![Vec::new(); longest.min(NAME_ROOM) + 1];
        for k in KNOWN {
            if let Some(g) = by_length.get_mut(k.len()) {
                g.push(Known::new(index(k), k));
            }
        }
        let mut compact = [UNKNOWN; 26];
        for (c, name) in COMPACT {
            if let Some(slot) = compact.get_mut(usize::from(c.wrapping_sub(b'a'))) {
                *slot = index(name);
            }
        }
        Table { by_length, compact }
    })
}

/// True when `name` is a header whose value is a comma-separated list.
pub fn is_list_header(name: &str) -> bool {
    canonical_name(name).is_some_and(|c| LISTS.contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_name_is_found_in_any_case_and_others_are_not() {
        for k in KNOWN {
            assert_eq!(canonical_name(k), Some(*k));
            assert_eq!(canonical_name(&k.to_ascii_uppercase()), Some(*k));
            assert_eq!(canonical_name(&k.to_ascii_lowercase()), Some(*k));
        }
        for (c, n) in COMPACT {
            assert!(KNOWN.contains(n), "{n}");
            assert_eq!(canonical_name(&char::from(*c).to_string()), Some(*n));
        }
        for other in ["X-Foo", "Vias", "", "Content-", "Zzz", "q"] {
            assert_eq!(canonical_name(other), None, "{other}");
        }
    }

    #[test]
    fn lookup_is_exactly_eq_ignore_ascii_case() {
        // Every byte in every position of a few names: the masked comparison must agree with
        // eq_ignore_ascii_case (a CR is not a '-', an '@' is not a '`').
        for k in [
            "Call-ID",
            "WWW-Authenticate",
            "P-Preferred-Identity",
            "RAck",
        ] {
            for pos in 0..k.len() {
                for b in 0..=127u8 {
                    let mut name = k.as_bytes().to_vec();
                    name[pos] = b;
                    let name = String::from_utf8(name).unwrap();
                    let expected = KNOWN
                        .iter()
                        .find(|c| c.eq_ignore_ascii_case(&name))
                        .copied();
                    assert_eq!(canonical_name(&name), expected, "{name:?}");
                }
            }
        }
    }
}
