//! `;name=value` parameter lists (URI parameters and header parameters).

use std::fmt;

use super::scan::{is_token, Scanner};

/// Ordered parameters; names compare case-insensitively, values are kept as written (a quoted
/// value keeps its quotes so printing gives back what was read).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Params(Vec<(String, Option<String>)>);

impl Params {
    pub fn new() -> Self {
        Params(Vec::new())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_deref()))
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.0
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    /// `Some(None)` for a parameter without value (`;lr`), `Some(Some(v))` with one.
    pub fn get(&self, name: &str) -> Option<Option<&str>> {
        self.position(name)
            .and_then(|i| self.0.get(i))
            .map(|(_, v)| v.as_deref())
    }

    /// The value of a parameter that has one.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.get(name).flatten()
    }

    pub fn has(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// Replaces the value of `name` in place, or appends it.
    pub fn set(&mut self, name: &str, value: Option<&str>) {
        let v = value.map(str::to_string);
        match self.position(name).and_then(|i| self.0.get_mut(i)) {
            Some(slot) => slot.1 = v,
            None => self.0.push((name.to_string(), v)),
        }
    }

    pub fn push(&mut self, name: &str, value: Option<&str>) {
        self.0.push((name.to_string(), value.map(str::to_string)));
    }

    pub fn remove(&mut self, name: &str) {
        self.0.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }
}

impl fmt::Display for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, v) in &self.0 {
            f.write_str(";")?;
            f.write_str(n)?;
            if let Some(v) = v {
                f.write_str("=")?;
                f.write_str(v)?;
            }
        }
        Ok(())
    }
}

fn is_param_value(b: u8) -> bool {
    is_token(b) || matches!(b, b':' | b'[' | b']' | b'/')
}

/// Reads `*( LWS? ";" LWS? name [ LWS? "=" LWS? value ] )` (generic-param, RFC 3261 sec. 25.1).
/// Stops before the first byte that does not start a parameter.
pub(crate) fn parse_header_params<'a>(
    sc: &mut Scanner<'a>,
    mut out: impl FnMut(&'a str, Option<&'a str>),
) -> Result<(), &'static str> {
    loop {
        sc.skip_ws();
        if !sc.eat(b';') {
            return Ok(());
        }
        sc.skip_ws();
        let name = sc.token().ok_or("empty parameter")?;
        sc.skip_ws();
        if sc.eat(b'=') {
            sc.skip_ws();
            let value = if sc.peek() == Some(b'"') {
                sc.quoted_raw().ok_or("unterminated quoted parameter")?
            } else {
                let v = sc.take_while(is_param_value);
                if v.is_empty() {
                    return Err("empty parameter value");
                }
                v
            };
            out(name, Some(value));
        } else {
            out(name, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lws_around_semicolon_and_equals() {
        let mut p = Params::new();
        let mut sc = Scanner::new(" ;   tag    = 1918181833n ; lr");
        parse_header_params(&mut sc, |n, v| p.push(n, v)).unwrap();
        assert!(sc.at_end());
        assert_eq!(p.value("TAG"), Some("1918181833n"));
        assert_eq!(p.get("lr"), Some(None));
        assert_eq!(p.to_string(), ";tag=1918181833n;lr");
    }

    #[test]
    fn empty_parameter_is_an_error() {
        let mut p = Params::new();
        assert!(parse_header_params(&mut Scanner::new(";;"), |n, v| p.push(n, v)).is_err());
    }

    #[test]
    fn quoted_value_keeps_quotes() {
        let mut p = Params::new();
        parse_header_params(&mut Scanner::new(r#";x="a;b""#), |n, v| p.push(n, v)).unwrap();
        assert_eq!(p.value("x"), Some(r#""a;b""#));
    }

    #[test]
    fn set_replaces_in_place() {
        let mut p = Params::new();
        p.push("a", None);
        p.push("b", Some("1"));
        p.set("A", Some("2"));
        p.set("c", None);
        assert_eq!(p.to_string(), ";a=2;b=1;c");
        p.remove("b");
        assert_eq!(p.to_string(), ";a=2;c");
    }
}
