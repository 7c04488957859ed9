//! `callerid = "Name" <number>`: Asterisk's `ast_callerid_split` / `ast_callerid_parse`
//! (main/callerid.c).

use super::super::util::{ast_strip, strip_quoted};

/// A caller id; an empty string means "not set".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallerId {
    pub name: String,
    pub number: String,
}

impl CallerId {
    /// As `ast_callerid_split`: `"Name" <num>`, `Name <num>`, `<num>`, a bare number (digits,
    /// `*#+` once `( )-.` are dropped) or a bare name. A missing `>` is tolerated. The number
    /// is shrunk (`ast_shrink_phone_number`).
    pub fn parse(input: &str) -> CallerId {
        let stripped = ast_strip(input);
        let instr = strip_quoted(stripped);
        let quotes_stripped = instr.len() != stripped.len();
        let (name, number) = if let Some(ls) = instr.rfind('<') {
            let loc = &instr[ls + 1..];
            let loc = match loc.rfind('>') {
                Some(le) => &loc[..le],
                None => loc,
            };
            (
                Some(strip_quoted(&instr[..ls]).to_string()),
                Some(loc.to_string()),
            )
        } else {
            let shrunk = shrink_phone_number(instr);
            if !quotes_stripped && is_phone_number(&shrunk) {
                (None, Some(shrunk))
            } else {
                (Some(strip_quoted(instr).to_string()), None)
            }
        };
        CallerId {
            name: name.map(|n| unescape_quoted(&n)).unwrap_or_default(),
            number: number.map(|n| shrink_phone_number(&n)).unwrap_or_default(),
        }
    }
}

/// `ast_shrink_phone_number`: drop `(`, `)`, blanks, `-` outside `[...]`, and `.` unless last.
pub fn shrink_phone_number(n: &str) -> String {
    let mut out = String::with_capacity(n.len());
    let mut bracketed = 0i32;
    let chars: Vec<char> = n.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '[' => {
                bracketed += 1;
                out.push(c);
            }
            ']' => {
                bracketed -= 1;
                out.push(c);
            }
            '-' => {
                if bracketed != 0 {
                    out.push(c);
                }
            }
            '.' => {
                if i + 1 == chars.len() {
                    out.push(c);
                }
            }
            '(' | ' ' | ')' => {}
            _ => out.push(c),
        }
    }
    out
}

fn is_phone_number(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || "*#+".contains(c))
}

/// `ast_unescape_quoted`: `\x` becomes `x`.
fn unescape_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            if let Some(n) = it.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cid(s: &str) -> (String, String) {
        let c = CallerId::parse(s);
        (c.name, c.number)
    }

    #[test]
    fn name_and_number_forms() {
        assert_eq!(
            cid("\"Alice Smith\" <100>"),
            ("Alice Smith".into(), "100".into())
        );
        assert_eq!(
            cid("Bob <(555) 123-4567>"),
            ("Bob".into(), "5551234567".into())
        );
        assert_eq!(cid("<200>"), ("".into(), "200".into()));
        assert_eq!(cid("Carol <300"), ("Carol".into(), "300".into()));
        assert_eq!(cid("555-1234"), ("".into(), "5551234".into()));
        assert_eq!(cid("Reception"), ("Reception".into(), "".into()));
        assert_eq!(cid("\"1234\""), ("1234".into(), "".into()));
        assert_eq!(cid("\"A \\\"B\\\"\" <1>"), ("A \"B\"".into(), "1".into()));
    }
}
