//! Max-Forwards (RFC 3261 sec. 20.22): `1*DIGIT`, 0-255 (`0068` is 68).

use super::error::{optional, HeaderError};
use super::Headers;

pub fn parse_max_forwards(s: &str) -> Result<u8, &'static str> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err("Max-Forwards is not a number");
    }
    let digits = s.trim_start_matches('0');
    if digits.len() > 3 {
        return Err("Max-Forwards too large");
    }
    digits
        .parse::<u16>()
        .ok()
        .or(digits.is_empty().then_some(0))
        .and_then(|n| u8::try_from(n).ok())
        .ok_or("Max-Forwards too large")
}

impl Headers {
    /// `Ok(None)` when absent (RFC 2543 clients omit it).
    pub fn max_forwards(&self) -> Result<Option<u8>, HeaderError> {
        optional(self, "Max-Forwards")?
            .map(|v| {
                parse_max_forwards(v).map_err(|why| HeaderError::Invalid {
                    header: "Max-Forwards",
                    why,
                })
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        assert_eq!(parse_max_forwards("0068"), Ok(68));
        assert_eq!(parse_max_forwards("0"), Ok(0));
        assert_eq!(parse_max_forwards("000"), Ok(0));
        assert_eq!(parse_max_forwards("255"), Ok(255));
        assert!(parse_max_forwards("256").is_err());
        assert!(parse_max_forwards("300").is_err());
        assert!(parse_max_forwards("-1").is_err());
        assert!(parse_max_forwards("100000000000000000000").is_err());
    }

    #[test]
    fn accessor_absent_and_present() {
        let mut h = Headers::new();
        assert_eq!(h.max_forwards(), Ok(None));
        h.push("MaX-fOrWaRdS", "0068");
        assert_eq!(h.max_forwards(), Ok(Some(68)));
    }
}
