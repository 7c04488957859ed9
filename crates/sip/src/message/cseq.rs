//! CSeq (RFC 3261 sec. 20.16): `cseq: 0009\r\n  INVITE` unfolds to `0009 INVITE`.

use std::fmt;

use super::error::{invalid, single, HeaderError};
use super::method::Method;
use super::scan::{is_token, Scanner};
use super::Headers;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CSeq {
    pub seq: u32,
    pub method: Method,
}

impl CSeq {
    pub fn new(seq: u32, method: Method) -> CSeq {
        CSeq { seq, method }
    }

    /// Parses `1*DIGIT LWS Method`; the number must fit 32 bits (RFC 4475 3.1.2.4).
    pub fn parse(s: &str) -> Result<CSeq, &'static str> {
        let (seq, method) = scan_cseq(s)?;
        Ok(CSeq {
            seq,
            method: Method::from_token(method),
        })
    }
}

/// Checks a CSeq value and splits it into number and method token: the one parser behind
/// [`CSeq::parse`] and the allocation-free [`Headers::check_cseq`].
fn scan_cseq(s: &str) -> Result<(u32, &str), &'static str> {
    let mut sc = Scanner::new(s);
    sc.skip_ws();
    let digits = sc.take_while(|b| b.is_ascii_digit());
    if digits.is_empty() {
        return Err("missing sequence number");
    }
    let seq = digits
        .parse::<u32>()
        .map_err(|_| "sequence number too large")?;
    let before = sc.pos();
    sc.skip_ws();
    if sc.pos() == before {
        return Err("missing space before method");
    }
    let method = sc.take_while(is_token);
    if method.is_empty() {
        return Err("missing method");
    }
    sc.skip_ws();
    if !sc.at_end() {
        return Err("junk after method");
    }
    Ok((seq, method))
}

impl fmt::Display for CSeq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.seq, self.method)
    }
}

impl Headers {
    /// Checks CSeq as [`Headers::cseq`] does, without building the method.
    pub(crate) fn check_cseq(&self) -> Result<(), HeaderError> {
        scan_cseq(single(self, "CSeq")?)
            .map(|_| ())
            .map_err(invalid("CSeq"))
    }

    pub fn cseq(&self) -> Result<CSeq, HeaderError> {
        CSeq::parse(single(self, "CSeq")?).map_err(invalid("CSeq"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_zeros_and_folded_space() {
        let c = CSeq::parse("0009   INVITE").unwrap();
        assert_eq!(c, CSeq::new(9, Method::Invite));
        assert_eq!(c.to_string(), "9 INVITE");
        assert_eq!(CSeq::parse(&c.to_string()).unwrap(), c);
    }

    #[test]
    fn unknown_method_kept() {
        let c = CSeq::parse("139122385 !interesting-Method0123456789_*+`.%indeed'~").unwrap();
        assert_eq!(
            c.method.as_str(),
            "!interesting-Method0123456789_*+`.%indeed'~"
        );
        assert_eq!(CSeq::parse(&c.to_string()).unwrap(), c);
    }

    #[test]
    fn overlarge_and_malformed() {
        assert!(CSeq::parse("36893488147419103232 REGISTER").is_err());
        assert!(CSeq::parse("4294967296 INVITE").is_err());
        assert_eq!(CSeq::parse("4294967295 INVITE").unwrap().seq, u32::MAX);
        assert!(CSeq::parse("INVITE").is_err());
        assert!(CSeq::parse("1INVITE").is_err());
        assert!(CSeq::parse("1 INVITE x").is_err());
        assert!(CSeq::parse("-1 INVITE").is_err());
    }

    #[test]
    fn accessor() {
        let mut h = Headers::new();
        assert_eq!(h.cseq(), Err(HeaderError::Missing("CSeq")));
        h.push("cseq", "5 INVITE");
        assert_eq!(h.cseq().unwrap().seq, 5);
        h.push("CSeq", "59 INVITE");
        assert_eq!(h.cseq(), Err(HeaderError::Multiple("CSeq")));
    }
}
