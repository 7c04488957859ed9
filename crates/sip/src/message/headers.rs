//! The header list: every header line in the order received, with the name as written.
//!
//! Lookups go by canonical name, case-insensitively, with compact forms mapped (`v` is Via,
//! `f` From, ...). Values of list headers (Via, Contact, Route, Allow, ...) that arrive
//! comma-joined are split by [`Headers::values`], respecting quotes and `<...>`.

use super::header_names::{canon_index, is_list_header, KNOWN, UNKNOWN};
use super::scan::split_commas;

/// One header line, as [`Headers`] hands it out: borrowed from the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header<'a> {
    name: &'a str,
    value: &'a str,
    canon: u8,
}

impl<'a> Header<'a> {
    /// The name as written on the wire.
    pub fn name(self) -> &'a str {
        self.name
    }

    /// The canonical name for known headers, otherwise the name as written.
    pub fn canonical(self) -> &'a str {
        KNOWN
            .get(usize::from(self.canon))
            .copied()
            .unwrap_or(self.name)
    }

    pub fn value(self) -> &'a str {
        self.value
    }
}

/// A byte range of [`Headers::text`].
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
}

impl Span {
    fn len(self) -> usize {
        self.end - self.start
    }
}

/// A header line in [`Headers::text`].
#[derive(Debug, Clone, Copy)]
struct Entry {
    name: Span,
    value: Span,
    canon: u8,
}

impl Entry {
    fn view(self, text: &str) -> Header<'_> {
        Header {
            name: text.get(self.name.start..self.name.end).unwrap_or(""),
            value: text.get(self.value.start..self.value.end).unwrap_or(""),
            canon: self.canon,
        }
    }

    fn is(self, key: &Key<'_>, text: &str) -> bool {
        match *key {
            Key::Known(c) => self.canon == c,
            Key::Other(n) => {
                self.canon == UNKNOWN
                    && text
                        .get(self.name.start..self.name.end)
                        .is_some_and(|name| name.eq_ignore_ascii_case(n))
            }
        }
    }
}

enum Key<'a> {
    Known(u8),
    Other(&'a str),
}

fn key(name: &str) -> Key<'_> {
    match canon_index(name) {
        UNKNOWN => Key::Other(name),
        c => Key::Known(c),
    }
}

/// Ordered header lines. Names and values live in one string per message (the received
/// header section, copied once by the parser, edits appended), the lines are ranges of it: a
/// parsed message costs two allocations for its headers, not two per line.
#[derive(Clone, Default)]
pub struct Headers {
    text: String,
    entries: Vec<Entry>,
}

/// Text left behind by edits is dropped once it is this large and larger than what is live.
const COMPACT_AFTER: usize = 1024;

impl Headers {
    pub fn new() -> Self {
        Headers::default()
    }

    /// A list over a copy of a received header section, with room for `lines` lines (the
    /// parser: one copy of the section, then [`Headers::push_received`] for each line).
    pub(crate) fn over_section(section: &str, lines: usize) -> Self {
        Headers {
            text: section.to_string(),
            entries: Vec::with_capacity(lines),
        }
    }

    /// Appends a line whose name and value are already in the text at `name_at` and
    /// `value_at` (offsets into the section given to [`Headers::over_section`]).
    pub(crate) fn push_received(
        &mut self,
        name: &str,
        name_at: usize,
        value: &str,
        value_at: usize,
    ) {
        debug_assert_eq!(self.text.get(name_at..name_at + name.len()), Some(name));
        debug_assert_eq!(self.text.get(value_at..value_at + value.len()), Some(value));
        self.entries.push(Entry {
            name: Span {
                start: name_at,
                end: name_at + name.len(),
            },
            value: Span {
                start: value_at,
                end: value_at + value.len(),
            },
            canon: canon_index(name),
        });
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> HeaderIter<'_> {
        HeaderIter {
            text: &self.text,
            entries: self.entries.iter(),
        }
    }

    /// The total length of the names and values (to size a serialization buffer).
    pub(crate) fn text_len(&self) -> usize {
        self.entries
            .iter()
            .map(|e| e.name.len() + e.value.len())
            .sum()
    }

    fn append(&mut self, s: &str) -> Span {
        let start = self.text.len();
        self.text.push_str(s);
        Span {
            start,
            end: self.text.len(),
        }
    }

    fn entry(&mut self, name: &str, value: &str) -> Entry {
        Entry {
            name: self.append(name),
            value: self.append(value),
            canon: canon_index(name),
        }
    }

    /// Appends a header line.
    pub fn push(&mut self, name: impl AsRef<str>, value: impl AsRef<str>) {
        let e = self.entry(name.as_ref(), value.as_ref());
        self.entries.push(e);
    }

    /// Appends a folded continuation line to the value of the last line, joined by one space
    /// (the parser); false when there is no line yet.
    pub(crate) fn continue_last(&mut self, cont: &str) -> bool {
        let Some(mut last) = self.entries.last().copied() else {
            return false;
        };
        if cont.is_empty() {
            return true;
        }
        if last.value.end != self.text.len() {
            let value = self
                .text
                .get(last.value.start..last.value.end)
                .unwrap_or("")
                .to_string();
            last.value = self.append(&value);
        }
        if last.value.len() > 0 {
            self.text.push(' ');
        }
        self.text.push_str(cont);
        last.value.end = self.text.len();
        if let Some(e) = self.entries.last_mut() {
            *e = last;
        }
        true
    }

    /// Inserts a header line before all others (a proxy's new top Via).
    pub fn push_front(&mut self, name: impl AsRef<str>, value: impl AsRef<str>) {
        let e = self.entry(name.as_ref(), value.as_ref());
        self.entries.insert(0, e);
    }

    /// The first line of `name`, raw.
    pub fn get(&self, name: &str) -> Option<&str> {
        let k = key(name);
        let text = self.text.as_str();
        self.entries
            .iter()
            .find(|e| e.is(&k, text))
            .map(|e| e.view(text).value)
    }

    /// Every line of `name`, raw, in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let k = key(name);
        let text = self.text.as_str();
        self.entries
            .iter()
            .filter(move |e| e.is(&k, text))
            .map(move |e| e.view(text).value)
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
        let text = self.text.as_str();
        self.entries.retain(|e| !e.is(&k, text));
        let removed = before - self.entries.len();
        if removed > 0 {
            self.compact_if_wasteful();
        }
        removed
    }

    /// Replaces the first line of `name` (keeping its position and spelling) and removes the
    /// others; appends when absent.
    pub fn set(&mut self, name: &str, value: impl AsRef<str>) {
        let k = key(name);
        let value = value.as_ref();
        let text = self.text.as_str();
        match self.entries.iter().position(|e| e.is(&k, text)) {
            Some(i) => {
                let span = self.append(value);
                if let Some(e) = self.entries.get_mut(i) {
                    e.value = span;
                }
                let text = self.text.as_str();
                let mut seen = 0usize;
                self.entries.retain(|e| {
                    if e.is(&k, text) {
                        seen += 1;
                        seen == 1
                    } else {
                        true
                    }
                });
                self.compact_if_wasteful();
            }
            None => self.push(name, value),
        }
    }

    /// Copies the live text into a fresh string when edits have left more dead text behind
    /// than there is live text (so a long-lived, often edited list stays bounded).
    fn compact_if_wasteful(&mut self) {
        let live: usize = self.text_len();
        let dead = self.text.len().saturating_sub(live);
        if dead < COMPACT_AFTER || dead <= live {
            return;
        }
        let old = std::mem::replace(&mut self.text, String::with_capacity(live));
        for e in &mut self.entries {
            let name = old.get(e.name.start..e.name.end).unwrap_or("");
            let value = old.get(e.value.start..e.value.end).unwrap_or("");
            let start = self.text.len();
            self.text.push_str(name);
            let mid = self.text.len();
            self.text.push_str(value);
            e.name = Span { start, end: mid };
            e.value = Span {
                start: mid,
                end: self.text.len(),
            };
        }
    }
}

impl PartialEq for Headers {
    fn eq(&self, other: &Headers) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .zip(other.iter())
                .all(|(a, b)| a.name == b.name && a.value == b.value)
    }
}

impl Eq for Headers {}

impl std::fmt::Debug for Headers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|h| (h.name, h.value)))
            .finish()
    }
}

/// The lines of [`Headers`] in order.
#[derive(Debug, Clone)]
pub struct HeaderIter<'a> {
    text: &'a str,
    entries: std::slice::Iter<'a, Entry>,
}

impl<'a> Iterator for HeaderIter<'a> {
    type Item = Header<'a>;
    fn next(&mut self) -> Option<Header<'a>> {
        self.entries.next().map(|e| e.view(self.text))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries.size_hint()
    }
}

impl DoubleEndedIterator for HeaderIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.entries.next_back().map(|e| e.view(self.text))
    }
}

impl ExactSizeIterator for HeaderIter<'_> {}

impl<'a> IntoIterator for &'a Headers {
    type Item = Header<'a>;
    type IntoIter = HeaderIter<'a>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
