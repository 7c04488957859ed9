//! Expires and Min-Expires (RFC 3261 sec. 20.19, 20.23): delta-seconds, 32 bits.

use super::error::{optional, HeaderError};
use super::Headers;

/// Parses delta-seconds; values beyond 32 bits are an error (RFC 4475 3.1.2.4 allows
/// rejecting them with 400).
pub fn parse_delta_seconds(s: &str) -> Result<u32, &'static str> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err("not a number of seconds");
    }
    s.parse::<u32>().map_err(|_| "too many seconds")
}

impl Headers {
    pub fn expires(&self) -> Result<Option<u32>, HeaderError> {
        optional(self, "Expires")?
            .map(|v| {
                parse_delta_seconds(v).map_err(|why| HeaderError::Invalid {
                    header: "Expires",
                    why,
                })
            })
            .transpose()
    }

    pub fn min_expires(&self) -> Result<Option<u32>, HeaderError> {
        optional(self, "Min-Expires")?
            .map(|v| {
                parse_delta_seconds(v).map_err(|why| HeaderError::Invalid {
                    header: "Min-Expires",
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
    fn delta_seconds() {
        assert_eq!(parse_delta_seconds("3600"), Ok(3600));
        assert_eq!(parse_delta_seconds(" 0 "), Ok(0));
        assert!(parse_delta_seconds("10000000000000000000000000").is_err());
        assert!(parse_delta_seconds("soon").is_err());
    }

    #[test]
    fn accessors() {
        let mut h = Headers::new();
        assert_eq!(h.expires(), Ok(None));
        h.push("Expires", "1800");
        h.push("Min-Expires", "60");
        assert_eq!(h.expires(), Ok(Some(1800)));
        assert_eq!(h.min_expires(), Ok(Some(60)));
        h.push("expires", "5");
        assert_eq!(h.expires(), Err(HeaderError::Multiple("Expires")));
    }
}
