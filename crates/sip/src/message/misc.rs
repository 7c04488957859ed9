//! Option-tag and method lists: Require, Proxy-Require, Supported, Unsupported, Allow
//! (RFC 3261 sec. 20.5, 20.29, 20.32, 20.37, 20.40); Date (sec. 20.17).

use super::method::Method;
use super::Headers;

impl Headers {
    fn tags(&self, name: &'static str) -> Vec<&str> {
        self.values(name)
    }

    pub fn require(&self) -> Vec<&str> {
        self.tags("Require")
    }

    pub fn proxy_require(&self) -> Vec<&str> {
        self.tags("Proxy-Require")
    }

    pub fn supported(&self) -> Vec<&str> {
        self.tags("Supported")
    }

    pub fn unsupported(&self) -> Vec<&str> {
        self.tags("Unsupported")
    }

    pub fn allow(&self) -> Vec<Method> {
        self.values("Allow")
            .iter()
            .map(|m| Method::from_token(m))
            .collect()
    }
}

/// Checks an rfc1123 date as SIP requires it (RFC 3261 sec. 20.17): `Sat, 13 Nov 2010
/// 23:29:00 GMT`, the zone always `GMT` (RFC 4475 3.1.2.12).
pub fn check_sip_date(s: &str) -> Result<(), &'static str> {
    let parts: Vec<&str> = s.split_ascii_whitespace().collect();
    let [wkday, day, month, year, time, zone] = parts.as_slice() else {
        return Err("malformed Date");
    };
    const DAYS: [&str; 7] = ["Mon,", "Tue,", "Wed,", "Thu,", "Fri,", "Sat,", "Sun,"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let t: Vec<&str> = time.split(':').collect();
    if !DAYS.contains(wkday)
        || !digits(day, 2)
        || !MONTHS.contains(month)
        || !digits(year, 4)
        || t.len() != 3
        || !t.iter().all(|p| digits(p, 2))
    {
        return Err("malformed Date");
    }
    if *zone != "GMT" {
        return Err("Date not in GMT");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_tags_across_lines_and_commas() {
        let mut h = Headers::new();
        h.push("Require", "nothingSupportsThis, nothingSupportsThisEither");
        h.push(
            "Proxy-Require",
            "noProxiesSupportThis, norDoAnyProxiesSupportThis",
        );
        h.push("k", "replaces");
        h.push("Supported", "timer,100rel");
        assert_eq!(
            h.require(),
            vec!["nothingSupportsThis", "nothingSupportsThisEither"]
        );
        assert_eq!(h.proxy_require().len(), 2);
        assert_eq!(h.supported(), vec!["replaces", "timer", "100rel"]);
        assert!(h.unsupported().is_empty());
    }

    #[test]
    fn allow_methods() {
        let mut h = Headers::new();
        h.push("Allow", "INVITE, ACK, CANCEL, OPTIONS, BYE, NEWTHING");
        let a = h.allow();
        assert_eq!(a.len(), 6);
        assert_eq!(a[0], Method::Invite);
        assert_eq!(a[5], Method::Other("NEWTHING".into()));
    }

    #[test]
    fn dates() {
        assert!(check_sip_date("Sat, 15 Oct 2005 04:44:56 GMT").is_ok());
        assert_eq!(
            check_sip_date("Fri, 01 Jan 2010 16:00:00 EST"),
            Err("Date not in GMT")
        );
        assert!(check_sip_date("yesterday").is_err());
    }
}
