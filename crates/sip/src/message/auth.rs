//! Authorization, Proxy-Authorization, WWW-Authenticate, Proxy-Authenticate: kept raw here;
//! the digest parameters are read by [`crate::auth`]. These headers contain commas but are not
//! comma lists, so each line is one challenge or credential.

use super::Headers;

impl Headers {
    pub fn authorization(&self) -> Vec<&str> {
        self.get_all("Authorization").map(str::trim).collect()
    }

    pub fn proxy_authorization(&self) -> Vec<&str> {
        self.get_all("Proxy-Authorization").map(str::trim).collect()
    }

    pub fn www_authenticate(&self) -> Vec<&str> {
        self.get_all("WWW-Authenticate").map(str::trim).collect()
    }

    pub fn proxy_authenticate(&self) -> Vec<&str> {
        self.get_all("Proxy-Authenticate").map(str::trim).collect()
    }
}

/// The scheme of a credential or challenge (`Digest`, or anything else as written).
pub fn auth_scheme(value: &str) -> &str {
    value
        .trim_start()
        .split(|c: char| c.is_ascii_whitespace())
        .next()
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_stay_whole() {
        let mut h = Headers::new();
        h.push(
            "Authorization",
            "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"sip:x\", response=\"0\"",
        );
        h.push("Authorization", "NoOneKnowsThisScheme opaque-data=here");
        let a = h.authorization();
        assert_eq!(a.len(), 2);
        assert_eq!(auth_scheme(a[0]), "Digest");
        assert!(a[0].ends_with("response=\"0\""));
        assert_eq!(auth_scheme(a[1]), "NoOneKnowsThisScheme");
        assert!(h.www_authenticate().is_empty());
    }
}
