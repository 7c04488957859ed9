//! name-addr / addr-spec headers: From, To, Contact, Route, Record-Route, Reply-To
//! (RFC 3261 sec. 20.10, 20.20, 20.30, 20.34, 20.39).
//!
//! ```text
//! from   : "J Rosenberg \\\""       <sip:jdrosen@example.com>
//!   ;
//!   tag = 98asjd8                                  (RFC 4475 3.1.1.1)
//! From: caller<sip:caller@example.com>;tag=323    (3.1.1.6, no LWS before '<')
//! ```
//!
//! Without `<...>` the URI ends at the first `;` (which starts header parameters) and may not
//! contain `?` (RFC 4475 3.1.2.13) — so `Contact: sip:a@b;unknownparam` carries a header
//! parameter, `Contact: <sip:a@b;unknownparam>` a URI parameter (3.3.12 and 3.3.13).

use std::fmt;

use super::error::{invalid, optional, single, HeaderError};
use super::params::{parse_header_params, Params};
use super::scan::{is_token, is_ws, quote, split_commas, unquote, Scanner};
use super::uri::{Uri, UriRef};
use super::Headers;

/// A display name and URI with header parameters (`tag`, `expires`, `q`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameAddr {
    /// The display name, unquoted and unescaped; token sequences have their LWS collapsed.
    pub display: Option<String>,
    pub uri: Uri,
    pub params: Params,
}

impl NameAddr {
    pub fn new(uri: Uri) -> NameAddr {
        NameAddr {
            display: None,
            uri,
            params: Params::new(),
        }
    }

    /// Parses one value (no top-level commas).
    pub fn parse(s: &str) -> Result<NameAddr, &'static str> {
        let mut params = Params::new();
        let parts = scan_name_addr(s, |n, v| params.push(n, v))?;
        let display = match parts.display {
            Display::None => None,
            Display::Quoted(raw) => Some(unquote(raw)),
            Display::Words(words) => {
                let mut d = String::with_capacity(words.len());
                for w in words.split_ascii_whitespace() {
                    if !d.is_empty() {
                        d.push(' ');
                    }
                    d.push_str(w);
                }
                (!d.is_empty()).then_some(d)
            }
        };
        Ok(NameAddr {
            display,
            uri: parts.uri.to_uri(),
            params,
        })
    }

    pub fn tag(&self) -> Option<&str> {
        self.params.value("tag")
    }

    pub fn set_tag(&mut self, tag: &str) {
        self.params.set("tag", Some(tag));
    }

    /// Contact `expires` parameter.
    pub fn expires(&self) -> Option<u32> {
        self.params.value("expires").and_then(|e| e.parse().ok())
    }

    /// Contact `q` parameter.
    pub fn q(&self) -> Option<&str> {
        self.params.value("q")
    }
}

/// A display name as written.
enum Display<'a> {
    None,
    /// A quoted-string, with its quotes and escapes.
    Quoted(&'a str),
    /// Tokens and the whitespace between them (may be all whitespace).
    Words(&'a str),
}

/// The parts of a name-addr that [`scan_name_addr`] hands back (the parameters go to its
/// callback).
struct NameAddrParts<'a> {
    display: Display<'a>,
    uri: UriRef<'a>,
}

/// Checks one name-addr or addr-spec value (no top-level commas) and splits it, handing each
/// header parameter to `param`: the one parser behind [`NameAddr::parse`] and the
/// allocation-free [`check_name_addr`].
fn scan_name_addr<'a>(
    s: &'a str,
    param: impl FnMut(&'a str, Option<&'a str>),
) -> Result<NameAddrParts<'a>, &'static str> {
    let mut sc = Scanner::new(s);
    sc.skip_ws();
    let display;
    let uri;
    if sc.peek() == Some(b'"') {
        let raw = sc.quoted_raw().ok_or("unterminated quoted display name")?;
        display = Display::Quoted(raw);
        sc.skip_ws();
        uri = angle_uri(&mut sc)?;
    } else {
        let start = sc.rest();
        let words = sc.take_while(|b| is_token(b) || is_ws(b));
        if sc.peek() == Some(b'<') {
            display = Display::Words(words);
            uri = angle_uri(&mut sc)?;
        } else {
            // addr-spec: restart from the beginning of the value.
            sc = Scanner::new(start);
            let text = sc.take_until(b"; \t\r\n,");
            if text.contains('?') {
                return Err("URI with headers must be enclosed in <>");
            }
            display = Display::None;
            uri = UriRef::parse(text)?;
        }
    }
    parse_header_params(&mut sc, param)?;
    sc.skip_ws();
    if !sc.at_end() {
        return Err("junk after name-addr");
    }
    Ok(NameAddrParts { display, uri })
}

/// Checks one name-addr value as [`NameAddr::parse`] does, without building it.
pub(crate) fn check_name_addr(s: &str) -> Result<(), &'static str> {
    scan_name_addr(s, |_, _| {}).map(|_| ())
}

fn angle_uri<'a>(sc: &mut Scanner<'a>) -> Result<UriRef<'a>, &'static str> {
    if !sc.eat(b'<') {
        return Err("expected '<'");
    }
    let text = sc.take_until(b">");
    if !sc.eat(b'>') {
        return Err("missing '>'");
    }
    UriRef::parse(text)
}

impl fmt::Display for NameAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(d) = &self.display {
            write!(f, "{} ", quote(d))?;
        }
        write!(f, "<{}>{}", self.uri, self.params)
    }
}

/// A Contact value: an address, or `*` (REGISTER removing all bindings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contact {
    Star,
    Addr(NameAddr),
}

const STAR_MIXED: HeaderError = HeaderError::Invalid {
    header: "Contact",
    why: "'*' mixed with addresses",
};

fn list(h: &Headers, name: &'static str) -> Result<Vec<NameAddr>, HeaderError> {
    let mut out = Vec::new();
    for line in h.get_all(name) {
        for v in split_commas(line) {
            out.push(NameAddr::parse(v).map_err(invalid(name))?);
        }
    }
    Ok(out)
}

impl Headers {
    /// Checks a single-valued name-addr header (From, To) as [`Headers::from_hdr`] does,
    /// without building it.
    pub(crate) fn check_single_name_addr(&self, name: &'static str) -> Result<(), HeaderError> {
        check_name_addr(single(self, name)?).map_err(invalid(name))
    }

    /// Checks every value of a name-addr list header (Route, Record-Route) as
    /// [`Headers::routes`] does, without building them.
    pub(crate) fn check_name_addr_list(&self, name: &'static str) -> Result<(), HeaderError> {
        for line in self.get_all(name) {
            for v in split_commas(line) {
                check_name_addr(v).map_err(invalid(name))?;
            }
        }
        Ok(())
    }

    /// Checks the Contact values as [`Headers::contacts`] does, without building them.
    pub(crate) fn check_contacts(&self) -> Result<(), HeaderError> {
        let (mut n, mut star) = (0usize, false);
        for line in self.get_all("Contact") {
            for v in split_commas(line) {
                if v == "*" {
                    star = true;
                } else {
                    check_name_addr(v).map_err(invalid("Contact"))?;
                }
                n += 1;
            }
        }
        if n > 1 && star {
            return Err(STAR_MIXED);
        }
        Ok(())
    }

    pub fn from_hdr(&self) -> Result<NameAddr, HeaderError> {
        NameAddr::parse(single(self, "From")?).map_err(invalid("From"))
    }

    pub fn to_hdr(&self) -> Result<NameAddr, HeaderError> {
        NameAddr::parse(single(self, "To")?).map_err(invalid("To"))
    }

    /// All Contact values; `*` alone gives `[Contact::Star]`.
    pub fn contacts(&self) -> Result<Vec<Contact>, HeaderError> {
        let mut out = Vec::new();
        for line in self.get_all("Contact") {
            for v in split_commas(line) {
                if v == "*" {
                    out.push(Contact::Star);
                } else {
                    out.push(Contact::Addr(
                        NameAddr::parse(v).map_err(invalid("Contact"))?,
                    ));
                }
            }
        }
        if out.len() > 1 && out.contains(&Contact::Star) {
            return Err(STAR_MIXED);
        }
        Ok(out)
    }

    /// Route values, top first.
    pub fn routes(&self) -> Result<Vec<NameAddr>, HeaderError> {
        list(self, "Route")
    }

    /// Record-Route values, top first.
    pub fn record_routes(&self) -> Result<Vec<NameAddr>, HeaderError> {
        list(self, "Record-Route")
    }

    pub fn reply_to(&self) -> Result<Option<NameAddr>, HeaderError> {
        optional(self, "Reply-To")?
            .map(|v| NameAddr::parse(v).map_err(invalid("Reply-To")))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt(s: &str) -> NameAddr {
        let n = NameAddr::parse(s).unwrap();
        assert_eq!(NameAddr::parse(&n.to_string()).unwrap(), n, "{s} -> {n}");
        n
    }

    #[test]
    fn escaped_quote_in_display_name() {
        let n = rt("\"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>   ;   tag = 98asjd8");
        assert_eq!(n.display.as_deref(), Some("J Rosenberg \\\""));
        assert_eq!(n.tag(), Some("98asjd8"));
    }

    #[test]
    fn addr_spec_with_spaced_tag() {
        let n = rt("sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n");
        assert_eq!(n.display, None);
        assert_eq!(n.tag(), Some("1918181833n"));
        assert_eq!(
            n.to_string(),
            "<sip:vivekg@chair-dnrc.example.com>;tag=1918181833n"
        );
    }

    #[test]
    fn token_display_name_without_space_before_angle() {
        let n = rt("caller<sip:caller@example.com>;tag=323");
        assert_eq!(n.display.as_deref(), Some("caller"));
        let n = rt("token1~` token2'+_ token3*%!.- <sip:mundane@example.com>;tag=_token~1'+`*%!-.");
        assert_eq!(n.display.as_deref(), Some("token1~` token2'+_ token3*%!.-"));
        assert_eq!(n.tag(), Some("_token~1'+`*%!-."));
    }

    #[test]
    fn header_param_versus_uri_param() {
        let a = rt("sip:+19725552222@gw1.example.net;unknownparam");
        assert!(a.params.has("unknownparam"));
        assert!(a.uri.as_sip().unwrap().params.is_empty());
        let b = rt("<sip:+19725552222@gw1.example.net;unknownparam>");
        assert!(b.params.is_empty());
        assert!(b.uri.as_sip().unwrap().params.has("unknownparam"));
    }

    #[test]
    fn contact_params_expires_and_q() {
        let n = rt("\"Quoted string \\\"\\\"\" <sip:jdrosen@example.com> ; newparam = newvalue ;  secondparam ; q = 0.33");
        assert_eq!(n.q(), Some("0.33"));
        assert_eq!(n.params.value("newparam"), Some("newvalue"));
        assert_eq!(n.display.as_deref(), Some("Quoted string \"\""));
        assert_eq!(rt("<sip:a@b>;expires=3600").expires(), Some(3600));
    }

    #[test]
    fn unknown_schemes_in_name_addr() {
        assert_eq!(rt("isbn:2983792873").uri.scheme().as_str(), "isbn");
        assert_eq!(
            rt("<http://www.example.com>;tag=3234233").uri.to_string(),
            "http://www.example.com"
        );
    }

    #[test]
    fn malformed_name_addrs() {
        for bad in [
            "\"Mr. J. User <sip:j.user@example.com>",
            "\"Watson, Thomas\" < sip:t.watson@example.org >",
            "Bell, Alexander <sip:a.g.bell@example.com>;tag=43",
            "sip:user@example.com?Route=%3Csip:sip.example.com%3E",
            "\"Joe\" <sip:joe@example.org>;;;;",
            "<sip:a@b",
            "",
        ] {
            assert!(NameAddr::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn typed_accessors() {
        let mut h = Headers::new();
        h.push("f", "<sip:a@b>;tag=1");
        h.push("t", "<sip:c@d>");
        h.push("m", "<sip:x@y>, \"Z, z\" <sip:z@w>;expires=0");
        h.push("Route", "<sip:p1;lr>,<sip:p2;lr>");
        assert_eq!(h.from_hdr().unwrap().tag(), Some("1"));
        assert_eq!(h.to_hdr().unwrap().tag(), None);
        assert_eq!(h.contacts().unwrap().len(), 2);
        assert_eq!(h.routes().unwrap().len(), 2);
        assert!(h.record_routes().unwrap().is_empty());
        h.push("To", "<sip:e@f>");
        assert_eq!(h.to_hdr(), Err(HeaderError::Multiple("To")));
        let mut s = Headers::new();
        s.push("Contact", "*");
        assert_eq!(s.contacts().unwrap(), vec![Contact::Star]);
        s.push("Contact", "<sip:a@b>");
        assert!(s.contacts().is_err());
    }
}
