//! Extension patterns and Asterisk's ordering of extensions.
//!
//! This follows `main/pbx.c`: `ext_strncpy` (what is stored), `_extension_match_core` (how
//! dialled digits are matched, in the three modes), and `ext_cmp` / `ext_cmp_pattern_pos` (the
//! order extensions are kept in, which is the order the default matcher tries them).
//!
//! - An extension not starting with `_` is literal; `-` and spaces are ignored in it.
//! - In a pattern: `X` = 0-9, `Z` = 1-9, `N` = 2-9 (either case), `[..]` a set with `a-b`
//!   ranges, `.` one or more of anything, `!` zero or more (and "stop asking for more digits").
//!   `-` outside a set is ignored. Any other character is literal.
//! - Order: literal extensions first (byte order, `-` ignored); then patterns compared position
//!   by position: a single character < a smaller set < a larger set (`N` < `Z` < `X`, ties by
//!   lowest character, then by the set's bits), then `.`, then `!`, then "pattern ended". So
//!   `_XX` sorts before `_X`, and `_X.` before `_X`.

use std::cmp::Ordering;

use crate::model::MatchMode;

/// The result of `_extension_match_core`: 0, 1 or 2 (early match through `!`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchResult {
    No,
    Yes,
    /// Matched through a `!`: a match, except that `MatchMore` lookups stop with "no match".
    Early,
}

impl MatchResult {
    pub fn is_match(self) -> bool {
        self != MatchResult::No
    }
}

type Bits = [u8; 32];

/// One position of a pattern, as the matcher sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Elem {
    Lit(u8),
    Set(Box<Bits>),
    /// `[]`: skipped when digits remain, a partial match when they ran out.
    EmptySet,
    /// `[` with no `]`: fails whenever it is reached with digits left.
    Broken,
    Dot,
    Bang,
}

/// One position of a pattern, as the sorter sees it (`ext_cmp_pattern_pos`).
#[derive(Clone, Debug, PartialEq, Eq)]
struct SortPos {
    value: u32,
    bits: Bits,
}

impl SortPos {
    fn cmp(&self, other: &SortPos) -> Ordering {
        // Same score: the set with the lower characters (more high bits) first.
        self.value
            .cmp(&other.value)
            .then_with(|| other.bits.cmp(&self.bits))
    }
}

const END: u32 = 0x30000;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    /// A literal extension, `-` and spaces removed.
    Plain(Vec<u8>),
    Pattern {
        elems: Vec<Elem>,
        key: Vec<SortPos>,
    },
}

/// A compiled extension or caller-id pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    /// As stored by Asterisk (`ext_strncpy` without fluff): spaces, and `-` outside `[]`, removed.
    text: String,
    kind: Kind,
}

/// Asterisk's `ext_strncpy`: drops spaces (outside `[]` in patterns) and, with `nofluff`,
/// dashes too.
pub fn strip_fluff(exten: &str, nofluff: bool) -> String {
    let is_pattern = exten.starts_with('_');
    let mut insquares = false;
    let mut out = String::with_capacity(exten.len());
    for c in exten.chars() {
        match c {
            '[' if is_pattern => insquares = true,
            ']' => insquares = false,
            ' ' if !insquares => continue,
            '-' if !insquares && nofluff => continue,
            _ => {}
        }
        out.push(c);
    }
    out
}

/// The display name Asterisk keeps (`e->name`): spaces removed, dashes kept.
pub fn display_name(exten: &str) -> String {
    strip_fluff(exten, false)
}

fn set_bit(bits: &mut Bits, c: u8) -> bool {
    let idx = usize::from(c / 8);
    let mask = 1u8 << (7 - (c % 8));
    let was = bits[idx] & mask != 0;
    bits[idx] |= mask;
    !was
}

fn has_bit(bits: &Bits, c: u8) -> bool {
    bits[usize::from(c / 8)] & (1u8 << (7 - (c % 8))) != 0
}

fn digit_bits(from: u8) -> Bits {
    let mut b = [0u8; 32];
    for c in from..=b'9' {
        set_bit(&mut b, c);
    }
    b
}

/// Parses the inside of `[...]` the way both the matcher and the sorter do: `a-c` is a range
/// only when a character follows the dash before the `]`. Returns the set, the number of
/// distinct characters and the lowest first character of an item (`cmin`).
fn parse_set(inner: &[u8]) -> (Bits, u32, u8) {
    let mut bits = [0u8; 32];
    let mut count = 0u32;
    let mut cmin = 0xFFu8;
    let mut i = 0;
    while i < inner.len() {
        let c1 = inner[i];
        let c2 = if i + 2 < inner.len() && inner[i + 1] == b'-' {
            i += 2;
            inner[i]
        } else {
            c1
        };
        cmin = cmin.min(c1);
        for c in u16::from(c1)..=u16::from(c2) {
            // c <= c2 <= 255
            if set_bit(&mut bits, c as u8) {
                count += 1;
            }
        }
        i += 1;
    }
    (bits, count, cmin)
}

fn compile_elems(p: &[u8]) -> Vec<Elem> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < p.len() {
        let c = p[i];
        i += 1;
        let e = match c {
            b'-' => continue,
            b'[' => match p[i..].iter().position(|&b| b == b']') {
                None => {
                    out.push(Elem::Broken);
                    break;
                }
                Some(0) => {
                    i += 1;
                    Elem::EmptySet
                }
                Some(n) => {
                    let (bits, _, _) = parse_set(&p[i..i + n]);
                    i += n + 1;
                    Elem::Set(Box::new(bits))
                }
            },
            b'n' | b'N' => Elem::Set(Box::new(digit_bits(b'2'))),
            b'x' | b'X' => Elem::Set(Box::new(digit_bits(b'0'))),
            b'z' | b'Z' => Elem::Set(Box::new(digit_bits(b'1'))),
            b'.' => Elem::Dot,
            b'!' => Elem::Bang,
            other => Elem::Lit(other),
        };
        out.push(e);
    }
    out
}

/// `ext_cmp_pattern_pos` over a whole pattern (without its `_`), ending with the END marker.
fn sort_key(p: &[u8]) -> Vec<SortPos> {
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < p.len() && p[i] == b'-' {
            i += 1;
        }
        let Some(&c) = p.get(i) else {
            out.push(SortPos {
                value: END,
                bits: [0; 32],
            });
            return out;
        };
        i += 1;
        let mut bits = [0u8; 32];
        let value = match c {
            b'n' | b'N' => {
                bits = digit_bits(b'2');
                0x0800 | u32::from(b'2')
            }
            b'x' | b'X' => {
                bits = digit_bits(b'0');
                0x0A00 | u32::from(b'0')
            }
            b'z' | b'Z' => {
                bits = digit_bits(b'1');
                0x0900 | u32::from(b'1')
            }
            b'.' => 0x18000,
            b'!' => 0x28000,
            b'[' => match p[i..].iter().position(|&b| b == b']') {
                // "Wrong usage of [] in the extension": sorts last, the rest goes on as
                // ordinary characters.
                None => 0x40000,
                Some(n) => {
                    let (set, count, cmin) = parse_set(&p[i..i + n]);
                    i += n + 1;
                    if count == 0 {
                        continue; // an empty set takes no position
                    }
                    bits = set;
                    (count << 8) | u32::from(cmin)
                }
            },
            other => {
                set_bit(&mut bits, other);
                0x0100 | u32::from(other)
            }
        };
        out.push(SortPos { value, bits });
    }
}

/// `ext_cmp_exten`: byte order with C's signed `char`, dashes ignored.
fn cmp_plain(a: &[u8], b: &[u8]) -> Ordering {
    let mut a = a.iter().copied().filter(|&c| c != b'-');
    let mut b = b.iter().copied().filter(|&c| c != b'-');
    loop {
        let l = a.next().map_or(0i8, |c| c as i8);
        let r = b.next().map_or(0i8, |c| c as i8);
        if l != r {
            return l.cmp(&r);
        }
        if l == 0 {
            return Ordering::Equal;
        }
    }
}

fn cmp_keys(a: &[SortPos], b: &[SortPos]) -> Ordering {
    for (l, r) in a.iter().zip(b.iter()) {
        let c = l.cmp(r);
        if c != Ordering::Equal {
            return c;
        }
    }
    // Both keys end with END, so equal prefixes mean equal keys.
    Ordering::Equal
}

impl Pattern {
    /// Compiles an extension (`100`, `_9.`, `1-800-FLOWERS`) or a caller-id match.
    pub fn new(exten: &str) -> Pattern {
        let text = strip_fluff(exten, true);
        let kind = if let Some(rest) = text.strip_prefix('_') {
            Kind::Pattern {
                elems: compile_elems(rest.as_bytes()),
                key: sort_key(rest.as_bytes()),
            }
        } else {
            Kind::Plain(text.as_bytes().to_vec())
        };
        Pattern { text, kind }
    }

    /// The stored form (fluff removed).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn is_pattern(&self) -> bool {
        matches!(self.kind, Kind::Pattern { .. })
    }

    /// The literal digits of a non-pattern extension (for exact-match indexes).
    pub fn literal(&self) -> Option<&str> {
        match self.kind {
            Kind::Plain(_) => Some(&self.text),
            Kind::Pattern { .. } => None,
        }
    }

    /// `_extension_match_core(pattern, data, mode)`.
    pub fn matches(&self, data: &str, mode: MatchMode) -> MatchResult {
        let data_b = data.as_bytes();
        match &self.kind {
            Kind::Plain(p) => {
                let lp = p.iter().filter(|&&c| c != b'-').count();
                let ld = data_b.iter().filter(|&&c| c != b'-').count();
                if lp < ld {
                    return MatchResult::No;
                }
                if mode == MatchMode::Match {
                    return yes_if(cmp_plain(p, data_b) == Ordering::Equal);
                }
                let mut pi = p.iter().copied().filter(|&c| c != b'-');
                let prefix = data_b
                    .iter()
                    .copied()
                    .filter(|&c| c != b'-')
                    .all(|d| pi.next() == Some(d));
                if ld == 0 || prefix {
                    yes_if(mode != MatchMode::MatchMore || lp > ld)
                } else {
                    MatchResult::No
                }
            }
            Kind::Pattern { elems, key } => {
                if mode == MatchMode::Match && data_b.first() == Some(&b'_') {
                    // "if this test is left out, then _x. will not match _x."
                    if cmp_keys(key, &sort_key(&data_b[1..])) == Ordering::Equal {
                        return MatchResult::Yes;
                    }
                }
                match_elems(elems, data_b, mode)
            }
        }
    }

    /// `ast_extension_match`: a complete match (an early `!` match counts).
    pub fn matches_exactly(&self, data: &str) -> bool {
        self.matches(data, MatchMode::Match).is_match()
    }
}

fn yes_if(b: bool) -> MatchResult {
    if b {
        MatchResult::Yes
    } else {
        MatchResult::No
    }
}

fn match_elems(elems: &[Elem], data: &[u8], mode: MatchMode) -> MatchResult {
    let mut d = data.iter().copied().filter(|&c| c != b'-').peekable();
    for e in elems {
        let Some(&c) = d.peek() else {
            // Ran off the end of the digits with pattern left.
            return match e {
                Elem::Bang => MatchResult::Early,
                _ => yes_if(mode != MatchMode::Match),
            };
        };
        match e {
            Elem::Lit(l) if *l != c => return MatchResult::No,
            Elem::Set(bits) if !has_bit(bits, c) => return MatchResult::No,
            Elem::Broken => return MatchResult::No,
            Elem::EmptySet => continue,
            Elem::Dot => return MatchResult::Yes,
            Elem::Bang => return MatchResult::Early,
            _ => {}
        }
        d.next();
    }
    if d.peek().is_some() {
        return MatchResult::No; // digits longer than the pattern
    }
    yes_if(mode != MatchMode::MatchMore)
}

/// `ast_extension_match(pattern, data)` on strings.
pub fn extension_match(pattern: &str, data: &str) -> bool {
    Pattern::new(pattern).matches_exactly(data)
}

/// `ext_cmp`: literal extensions first, then patterns by specificity.
pub fn ext_cmp(a: &Pattern, b: &Pattern) -> Ordering {
    match (&a.kind, &b.kind) {
        (Kind::Plain(l), Kind::Plain(r)) => cmp_plain(l, r),
        (Kind::Plain(_), Kind::Pattern { .. }) => Ordering::Less,
        (Kind::Pattern { .. }, Kind::Plain(_)) => Ordering::Greater,
        (Kind::Pattern { key: l, .. }, Kind::Pattern { key: r, .. }) => cmp_keys(l, r),
    }
}

/// `ext_cmp` on strings (`ast_extension_cmp`).
pub fn ext_cmp_str(a: &str, b: &str) -> Ordering {
    ext_cmp(&Pattern::new(a), &Pattern::new(b))
}

/// How two extensions of one context are ordered (`ast_add_extension2`): by `ext_cmp`, then
/// an extension without caller-id match before one with, then by `ext_cmp` of the cid
/// patterns. `Equal` means "the same extension" (priorities merge into it).
pub fn ext_cid_cmp(
    a: &Pattern,
    a_cid: Option<&Pattern>,
    b: &Pattern,
    b_cid: Option<&Pattern>,
) -> Ordering {
    ext_cmp(a, b).then_with(|| match (a_cid, b_cid) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(l), Some(r)) => ext_cmp(l, r),
    })
}

/// Asterisk's `matchcid`: an empty caller id matches only an empty cid pattern.
pub fn match_cid(cid: &Pattern, callerid: Option<&str>) -> bool {
    match callerid {
        None | Some("") => cid.as_str().is_empty(),
        Some(c) => cid.matches_exactly(c),
    }
}

#[cfg(test)]
#[path = "pattern_tests.rs"]
mod tests;
