//! The header list: every header line in the order received, with the name as written.
//!
//! Lookups go by canonical name, case-insensitively, with compact forms mapped (`v` is Via,
//! `f` From, ...). Values of list headers (Via, Contact, Route, Allow, ...) that arrive
//! comma-joined are split by [`Headers::values`], respecting quotes and `<...>`.

use std::sync::OnceLock;

use super::scan::split_commas;

/// Canonical spellings of the headers tandem knows. Lookup is case-insensitive, among the
/// names of the same length ([`by_length`]).
const KNOWN: &[&str] = &[
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

/// The canonical spelling of a known header name (compact forms expanded), or `None`.
pub fn canonical_name(name: &str) -> Option<&'static str> {
    if let [b] = name.as_bytes() {
        let b = b.to_ascii_lowercase();
        return COMPACT.iter().find(|(c, _)| *c == b).map(|(_, n)| *n);
    }
    by_length()
        .get(name.len())?
        .iter()
        .copied()
        .find(|k| k.eq_ignore_ascii_case(name))
}

/// [`KNOWN`] grouped by length: a lookup compares a handful of names, not 67 (it runs for
/// every header line parsed and every header looked up, and was 9 % of parsing an INVITE).
fn by_length() -> &'static [Vec<&'static str>] {
    static BY_LENGTH: OnceLock<Vec<Vec<&'static str>>> = OnceLock::new();
    BY_LENGTH.get_or_init(|| {
        let longest = KNOWN.iter().map(|k| k.len()).max().unwrap_or(0);
        let mut groups = vec![Vec::new(); longest + 1];
        for k in KNOWN {
            if let Some(g) = groups.get_mut(k.len()) {
                g.push(*k);
            }
        }
        groups
    })
}

/// True when `name` is a header whose value is a comma-separated list.
pub fn is_list_header(name: &str) -> bool {
    canonical_name(name).is_some_and(|c| LISTS.contains(&c))
}

/// One header line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    name: String,
    value: String,
    canon: Option<&'static str>,
}

impl Header {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Header {
        let name = name.into();
        let canon = canonical_name(&name);
        Header {
            name,
            value: value.into(),
            canon,
        }
    }

    /// The name as written on the wire.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The canonical name for known headers, otherwise the name as written.
    pub fn canonical(&self) -> &str {
        self.canon.unwrap_or(&self.name)
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    fn is(&self, key: &Key<'_>) -> bool {
        match key {
            Key::Known(c) => self.canon == Some(*c),
            Key::Other(n) => self.canon.is_none() && self.name.eq_ignore_ascii_case(n),
        }
    }
}

enum Key<'a> {
    Known(&'static str),
    Other(&'a str),
}

fn key(name: &str) -> Key<'_> {
    match canonical_name(name) {
        Some(c) => Key::Known(c),
        None => Key::Other(name),
    }
}

/// Ordered header lines.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Headers {
    entries: Vec<Header>,
}

impl Headers {
    pub fn new() -> Self {
        Headers {
            entries: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Header> {
        self.entries.iter()
    }

    /// Appends a header line.
    pub fn push(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.entries.push(Header::new(name, value));
    }

    /// The value of the last line, to append a folded continuation line to (the parser).
    pub(crate) fn last_value_mut(&mut self) -> Option<&mut String> {
        self.entries.last_mut().map(|h| &mut h.value)
    }

    /// Inserts a header line before all others (a proxy's new top Via).
    pub fn push_front(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.entries.insert(0, Header::new(name, value));
    }

    /// The first line of `name`, raw.
    pub fn get(&self, name: &str) -> Option<&str> {
        let k = key(name);
        self.entries.iter().find(|h| h.is(&k)).map(Header::value)
    }

    /// Every line of `name`, raw, in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let k = key(name);
        self.entries
            .iter()
            .filter(move |h| h.is(&k))
            .map(Header::value)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// How many lines carry `name`.
    pub fn count(&self, name: &str) -> usize {
        self.get_all(name).count()
    }

    /// Every value of `name` in order: lines of list headers are split at commas (outside
    /// quotes and `<...>`); empty list elements are dropped. Other headers give one value per line.
    pub fn values<'a>(&'a self, name: &'a str) -> Vec<&'a str> {
        if is_list_header(name) {
            self.get_all(name)
                .flat_map(split_commas)
                .filter(|v| !v.is_empty())
                .collect()
        } else {
            self.get_all(name).map(str::trim).collect()
        }
    }

    /// Removes every line of `name`; returns how many went.
    pub fn remove(&mut self, name: &str) -> usize {
        let k = key(name);
        let before = self.entries.len();
        self.entries.retain(|h| !h.is(&k));
        before - self.entries.len()
    }

    /// Replaces the first line of `name` (keeping its position and spelling) and removes the
    /// others; appends when absent.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        let k = key(name);
        let value = value.into();
        match self.entries.iter().position(|h| h.is(&k)) {
            Some(i) => {
                if let Some(h) = self.entries.get_mut(i) {
                    h.value = value;
                }
                let mut seen = 0usize;
                self.entries.retain(|h| {
                    if h.is(&k) {
                        seen += 1;
                        seen == 1
                    } else {
                        true
                    }
                });
            }
            None => self.push(name, value),
        }
    }
}

impl<'a> IntoIterator for &'a Headers {
    type Item = &'a Header;
    type IntoIter = std::slice::Iter<'a, Header>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
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
    fn compact_and_case_insensitive_lookup() {
        let mut h = Headers::new();
        h.push("v", "SIP/2.0/UDP a");
        h.push("VIA", "SIP/2.0/UDP b");
        h.push("f", "<sip:a@b>");
        h.push("C%6Fntact", "<sip:x@y>");
        h.push("MaX-fOrWaRdS", "70");
        assert_eq!(h.count("Via"), 2);
        assert_eq!(h.get("from"), Some("<sip:a@b>"));
        assert_eq!(h.get("Max-Forwards"), Some("70"));
        assert_eq!(h.count("Contact"), 0, "an escaped name is another header");
        assert_eq!(h.get("c%6fntact"), Some("<sip:x@y>"));
        assert_eq!(h.iter().next().map(Header::canonical), Some("Via"));
        assert_eq!(h.iter().next().map(Header::name), Some("v"));
    }

    #[test]
    fn list_values_split_but_others_do_not() {
        let mut h = Headers::new();
        h.push("Contact", "\"a, b\" <sip:a@b>, <sip:c@d;x=1,2>");
        h.push("m", "<sip:e@f>");
        h.push("Subject", "hello, world");
        h.push("Allow", "INVITE, ,ACK");
        assert_eq!(
            h.values("contact"),
            vec!["\"a, b\" <sip:a@b>", "<sip:c@d;x=1,2>", "<sip:e@f>"]
        );
        assert_eq!(h.values("s"), vec!["hello, world"]);
        assert_eq!(h.values("Allow"), vec!["INVITE", "ACK"]);
    }

    #[test]
    fn set_keeps_position_and_removes_duplicates() {
        let mut h = Headers::new();
        h.push("l", "5");
        h.push("To", "<sip:a@b>");
        h.push("Content-Length", "13");
        h.set("Content-Length", "0");
        assert_eq!(
            h.iter().map(|x| (x.name(), x.value())).collect::<Vec<_>>(),
            vec![("l", "0"), ("To", "<sip:a@b>")]
        );
        h.set("Call-ID", "x");
        assert_eq!(h.get("i"), Some("x"));
        assert_eq!(h.remove("TO"), 1);
        assert_eq!(h.len(), 2);
    }
}
