//! Well-known SIP scanners, told by their User-Agent (and by the From/To names some of them
//! write), read straight from the datagram's header lines before any parsing.
//!
//! The names are the ones fail2ban-style filters, Kamailio configurations and APIBAN
//! write-ups drop: SIPVicious (`friendly-scanner`, and `sipvicious` in older From names),
//! `sipcli`, `VaxSIPUserAgent`, `sundayddr`, `iWar`, `SIVuS`, `smap`, `pplsip`, `sip-scan`.
//! Test tools a PBX administrator uses on purpose (sipp, sipsak, pjsua) are not on it.

/// Matched anywhere in User-Agent, case-insensitively, at word boundaries.
const AGENTS: &[&str] = &[
    "friendly-scanner",
    "sipvicious",
    "sipcli",
    "vaxsipuseragent",
    "sundayddr",
    "iwar",
    "sivus",
    "smap",
    "pplsip",
    "sip-scan",
];

/// Matched in From and To (display names and users some scanners fill in).
const NAMES: &[&str] = &["friendly-scanner", "sipvicious", "sipcli", "sundayddr"];

/// Header lines looked at, at most (the ones that matter come early).
const MAX_LINES: usize = 64;

/// The scanner name found in `datagram`'s User-Agent, From or To, if any.
pub fn detect(datagram: &[u8]) -> Option<&'static str> {
    let mut lines = datagram.split(|b| *b == b'\n');
    lines.next()?; // request or status line
    for line in lines.take(MAX_LINES) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break; // end of headers
        }
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let (name, value) = (trim(&line[..colon]), &line[colon + 1..]);
        let list = if name.eq_ignore_ascii_case(b"user-agent") {
            AGENTS
        } else if name.eq_ignore_ascii_case(b"from")
            || name.eq_ignore_ascii_case(b"f")
            || name.eq_ignore_ascii_case(b"to")
            || name.eq_ignore_ascii_case(b"t")
        {
            NAMES
        } else {
            continue;
        };
        if let Some(found) = list.iter().find(|p| contains_word(value, p.as_bytes())) {
            return Some(found);
        }
    }
    None
}

fn trim(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    s.get(start..end).unwrap_or(&[])
}

/// `needle` (lower-case) in `hay`, case-insensitively, not inside a longer word.
fn contains_word(hay: &[u8], needle: &[u8]) -> bool {
    if needle.is_empty() || hay.len() < needle.len() {
        return false;
    }
    let is_word = |b: u8| b.is_ascii_alphanumeric();
    (0..=hay.len() - needle.len()).any(|i| {
        hay[i..i + needle.len()].eq_ignore_ascii_case(needle)
            && (i == 0 || !is_word(hay[i - 1]))
            && hay.get(i + needle.len()).is_none_or(|b| !is_word(*b))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(headers: &str) -> Vec<u8> {
        format!("OPTIONS sip:100@192.0.2.1 SIP/2.0\r\n{headers}\r\n\r\nbody User-Agent: sipcli")
            .into_bytes()
    }

    #[test]
    fn sipvicious_user_agent_is_a_scanner() {
        let m = msg("Via: SIP/2.0/UDP 127.0.0.1:5061\r\nUser-Agent: friendly-scanner");
        assert_eq!(detect(&m), Some("friendly-scanner"));
    }

    #[test]
    fn names_match_case_insensitively_with_blanks_around_the_colon() {
        assert_eq!(
            detect(&msg("user-agent :  VaxSIPUserAgent/3.1")),
            Some("vaxsipuseragent")
        );
        assert_eq!(detect(&msg("USER-AGENT: pplsip")), Some("pplsip"));
        assert_eq!(detect(&msg("User-Agent: iWar")), Some("iwar"));
    }

    #[test]
    fn older_sipvicious_from_display_name() {
        let m = msg("From: \"sipvicious\"<sip:100@1.1.1.1>;tag=1\r\nUser-Agent: X");
        assert_eq!(detect(&m), Some("sipvicious"));
        assert_eq!(detect(&msg("f: sipcli <sip:a@b>")), Some("sipcli"));
    }

    #[test]
    fn ordinary_phones_and_test_tools_are_not_scanners() {
        for ua in [
            "baresip v3.10",
            "Linphone/5.2",
            "sipsak 0.9.8",
            "SIPp",
            "Grandstream GXP2170",
            "Bria smapper",
        ] {
            assert_eq!(detect(&msg(&format!("User-Agent: {ua}"))), None, "{ua}");
        }
        // A user called smap is fine: only User-Agent looks for that one.
        assert_eq!(detect(&msg("From: <sip:smap@example.com>")), None);
    }

    #[test]
    fn the_body_and_the_request_line_are_not_read() {
        assert_eq!(detect(&msg("Via: x")), None);
        assert_eq!(
            detect(b"OPTIONS sip:friendly-scanner@x SIP/2.0\r\n\r\n"),
            None
        );
    }

    #[test]
    fn broken_input_does_not_panic() {
        for m in [
            &b""[..],
            b"\n",
            b"X\nUser-Agent",
            b"X\n:",
            b"X\nUser-Agent:",
            b"\xff\xfe\n\xff:\xff",
        ] {
            let _ = detect(m);
        }
    }
}
