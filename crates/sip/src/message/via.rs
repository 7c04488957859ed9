//! Via (RFC 3261 sec. 20.42, 18.2.1; `rport` RFC 3581).
//!
//! ```text
//! v:  SIP  / 2.0  / TCP     spindle.example.com   ;
//!   branch  =   z9hG4bK9ikj8  ,
//!  SIP  /    2.0   / UDP  192.168.255.111   ; branch=
//!  z9hG4bK30239                                    (RFC 4475 3.1.1.1, two values)
//! ```

use std::fmt;

use super::error::{invalid, HeaderError};
use super::params::{parse_header_params, Params};
use super::scan::Scanner;
use super::uri::{hostport_from_parts, parse_hostport, split_hostport, Host, HostRef};
use super::Headers;

/// The RFC 3261 branch prefix.
pub const MAGIC_COOKIE: &str = "z9hG4bK";

/// The transport of a Via.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    Udp,
    Tcp,
    Tls,
    Sctp,
    Ws,
    Wss,
    Other(String),
}

impl Transport {
    pub fn parse(s: &str) -> Transport {
        const KNOWN: [(&str, Transport); 6] = [
            ("UDP", Transport::Udp),
            ("TCP", Transport::Tcp),
            ("TLS", Transport::Tls),
            ("SCTP", Transport::Sctp),
            ("WS", Transport::Ws),
            ("WSS", Transport::Wss),
        ];
        KNOWN
            .into_iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(s))
            .map_or_else(|| Transport::Other(s.to_string()), |(_, t)| t)
    }

    pub fn as_str(&self) -> &str {
        match self {
            Transport::Udp => "UDP",
            Transport::Tcp => "TCP",
            Transport::Tls => "TLS",
            Transport::Sctp => "SCTP",
            Transport::Ws => "WS",
            Transport::Wss => "WSS",
            Transport::Other(s) => s,
        }
    }
}

/// One Via value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via {
    /// Protocol name, `SIP`.
    pub protocol: String,
    /// Protocol version, `2.0`.
    pub version: String,
    pub transport: Transport,
    pub host: Host,
    pub port: Option<u16>,
    pub params: Params,
}

impl Via {
    /// A `SIP/2.0/<transport> host[:port];branch=...` value.
    pub fn new(transport: Transport, host: Host, port: Option<u16>, branch: &str) -> Via {
        let mut params = Params::new();
        params.push("branch", Some(branch));
        Via {
            protocol: "SIP".into(),
            version: "2.0".into(),
            transport,
            host,
            port,
            params,
        }
    }

    /// Parses one Via value (no commas).
    pub fn parse(s: &str) -> Result<Via, &'static str> {
        let mut params = Params::new();
        let v = scan_via(s, |n, v| params.push(n, v))?;
        Ok(Via {
            protocol: v.protocol.to_string(),
            version: v.version.to_string(),
            transport: Transport::parse(v.transport),
            host: v.host.to_host(),
            port: v.port,
            params,
        })
    }

    pub fn branch(&self) -> Option<&str> {
        self.params.value("branch")
    }

    /// True when the branch starts with the RFC 3261 magic cookie and has something after it
    /// (RFC 4475 3.2.1: a bare cookie is treated as an RFC 2543 branch).
    pub fn has_rfc3261_branch(&self) -> bool {
        self.branch()
            .is_some_and(|b| b.len() > MAGIC_COOKIE.len() && b.starts_with(MAGIC_COOKIE))
    }

    pub fn received(&self) -> Option<&str> {
        self.params.value("received")
    }

    /// `None`: no rport; `Some(None)`: `;rport` without value (a request asking for it);
    /// `Some(Some(p))`: filled in.
    pub fn rport(&self) -> Option<Option<u16>> {
        self.params
            .get("rport")
            .map(|v| v.and_then(|p| p.parse().ok()))
    }

    pub fn maddr(&self) -> Option<&str> {
        self.params.value("maddr")
    }

    pub fn ttl(&self) -> Option<u8> {
        self.params.value("ttl").and_then(|t| t.parse().ok())
    }

    pub fn set_received(&mut self, addr: &str) {
        self.params.set("received", Some(addr));
    }

    pub fn set_rport(&mut self, port: u16) {
        self.params.set("rport", Some(&port.to_string()));
    }
}

/// The parts of a Via value that [`scan_via`] hands back (the parameters go to its callback).
struct ViaParts<'a> {
    protocol: &'a str,
    version: &'a str,
    transport: &'a str,
    host: HostRef<'a>,
    port: Option<u16>,
}

/// Checks one Via value (no commas) and splits it, handing each parameter to `param`: the one
/// parser behind [`Via::parse`] and the allocation-free check of [`Headers::check_vias`].
fn scan_via<'a>(
    s: &'a str,
    mut param: impl FnMut(&'a str, Option<&'a str>),
) -> Result<ViaParts<'a>, &'static str> {
    let mut sc = Scanner::new(s);
    sc.skip_ws();
    let protocol = sc.token().ok_or("missing protocol name")?;
    sc.skip_ws();
    if !sc.eat(b'/') {
        return Err("missing '/' after protocol");
    }
    sc.skip_ws();
    let version = sc.token().ok_or("missing protocol version")?;
    sc.skip_ws();
    if !sc.eat(b'/') {
        return Err("missing '/' after version");
    }
    sc.skip_ws();
    let transport = sc.token().ok_or("missing transport")?;
    sc.skip_ws();
    let host = sc.take_while(|b| {
        b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'[' | b']' | b':')
    });
    // LWS is allowed around the ':' of sent-by: "host : port" is read as "host:port".
    sc.skip_ws();
    let (host, port) = if sc.eat(b':') {
        sc.skip_ws();
        let port = sc.take_while(|b| b.is_ascii_digit());
        match split_hostport(host)? {
            // "[v6]:1 : 2": the port would contain a ':'.
            (_, Some(_)) if host.starts_with('[') => return Err("bad port"),
            (h, _) if host.starts_with('[') => hostport_from_parts(h, Some(port))?,
            _ => hostport_from_parts(host, Some(port))?,
        }
    } else {
        parse_hostport(host)?
    };
    let mut bare_branch = false;
    parse_header_params(&mut sc, |n, v| {
        bare_branch |= v.is_none() && n.eq_ignore_ascii_case("branch");
        param(n, v);
    })?;
    sc.skip_ws();
    if !sc.at_end() {
        return Err("junk after Via parameters");
    }
    if bare_branch {
        return Err("branch without value");
    }
    Ok(ViaParts {
        protocol,
        version,
        transport,
        host,
        port,
    })
}

impl fmt::Display for Via {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{} {}",
            self.protocol,
            self.version,
            self.transport.as_str(),
            self.host
        )?;
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        write!(f, "{}", self.params)
    }
}

impl Headers {
    /// Checks every Via value as [`Headers::vias`] does, without building them; returns how
    /// many there are.
    pub fn check_vias(&self) -> Result<usize, HeaderError> {
        let mut n = 0;
        for line in self.get_all("Via") {
            for v in super::scan::split_commas(line) {
                scan_via(v, |_, _| {}).map_err(invalid("Via"))?;
                n += 1;
            }
        }
        if n == 0 {
            return Err(HeaderError::Missing("Via"));
        }
        Ok(n)
    }

    /// All Via values, top first (comma-joined lines split).
    pub fn vias(&self) -> Result<Vec<Via>, HeaderError> {
        let lines: Vec<&str> = self.get_all("Via").collect();
        if lines.is_empty() {
            return Err(HeaderError::Missing("Via"));
        }
        let mut out = Vec::new();
        for line in lines {
            for v in super::scan::split_commas(line) {
                out.push(Via::parse(v).map_err(invalid("Via"))?);
            }
        }
        Ok(out)
    }

    /// The topmost Via.
    pub fn top_via(&self) -> Result<Via, HeaderError> {
        let line = self.get("Via").ok_or(HeaderError::Missing("Via"))?;
        let first = super::scan::split_commas(line).next().unwrap_or("");
        Via::parse(first).map_err(invalid("Via"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tortuous_whitespace_via() {
        let v = Via::parse("SIP  /   2.0 /UDP     192.0.2.2;branch=390skdjuw").unwrap();
        assert_eq!(v.transport, Transport::Udp);
        assert_eq!(v.host, Host::V4("192.0.2.2".parse().unwrap()));
        assert_eq!(v.branch(), Some("390skdjuw"));
        let mut h = Headers::new();
        h.push("v", "SIP  / 2.0  / TCP     spindle.example.com   ;   branch  =   z9hG4bK9ikj8  ,  SIP  /    2.0   / UDP  192.168.255.111   ; branch= z9hG4bK30239");
        let vias = h.vias().unwrap();
        assert_eq!(vias.len(), 2);
        assert_eq!(vias[0].host, Host::Domain("spindle.example.com".into()));
        assert_eq!(vias[0].branch(), Some("z9hG4bK9ikj8"));
        assert_eq!(vias[1].transport, Transport::Udp);
        assert_eq!(vias[1].branch(), Some("z9hG4bK30239"));
    }

    #[test]
    fn print_and_round_trip() {
        for s in [
            "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport",
            "SIP/2.0/TCP host.example.com;received=192.0.2.5;branch=abc",
            "SIP/2.0/TLS [2001:db8::1]:5061;branch=z9hG4bKx;maddr=224.2.0.1;ttl=16",
            "SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en",
        ] {
            let v = Via::parse(s).unwrap();
            assert_eq!(v.to_string(), s);
            assert_eq!(Via::parse(&v.to_string()).unwrap(), v);
        }
    }

    #[test]
    fn rport_received_maddr_ttl() {
        let mut v = Via::parse(
            "SIP/2.0/UDP pc33.example.com;rport;branch=z9hG4bKnashds8;maddr=224.2.0.1;ttl=16",
        )
        .unwrap();
        assert_eq!(v.rport(), Some(None));
        assert_eq!(v.maddr(), Some("224.2.0.1"));
        assert_eq!(v.ttl(), Some(16));
        v.set_received("192.0.2.9");
        v.set_rport(5062);
        assert_eq!(v.to_string(), "SIP/2.0/UDP pc33.example.com;rport=5062;branch=z9hG4bKnashds8;maddr=224.2.0.1;ttl=16;received=192.0.2.9");
        assert_eq!(v.rport(), Some(Some(5062)));
    }

    #[test]
    fn sent_by_with_spaces_around_colon() {
        let v = Via::parse("SIP/2.0/UDP host.example.com : 5070 ;branch=z9hG4bK1").unwrap();
        assert_eq!(v.port, Some(5070));
    }

    #[test]
    fn bare_cookie_is_not_an_rfc3261_branch() {
        assert!(!Via::parse("SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK")
            .unwrap()
            .has_rfc3261_branch());
        assert!(Via::parse("SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKx")
            .unwrap()
            .has_rfc3261_branch());
        assert!(!Via::parse("SIP/2.0/UDP iftgw.example.com")
            .unwrap()
            .has_rfc3261_branch());
    }

    #[test]
    fn extraneous_separators_are_rejected() {
        assert!(Via::parse("SIP/2.0/UDP 192.0.2.15;;").is_err());
        assert!(Via::parse("SIP/2.0 192.0.2.15").is_err());
        assert!(Via::parse("SIP/2.0/UDP").is_err());
        assert!(Via::parse("SIP/2.0/UDP host;branch").is_err());
        assert!(Via::parse("SIP/2.0/UDP host junk").is_err());
    }
}
