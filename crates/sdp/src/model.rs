//! The SDP data model (RFC 8866) and its printer.
//!
//! The model keeps what a phone sent: attributes stay raw (`name` and optional `value`) in the
//! order they came, and line types tandem does not interpret (`r=`, `z=`, `k=`, unknown letters)
//! are kept as [`RawLine`]s and printed back. Printing always uses the canonical line order of
//! RFC 8866 section 5 (v o s i u e p c b t r z k a, then each m= section: m i c b k a), with CRLF.

use std::fmt::{self, Write as _};
use std::net::IpAddr;

use crate::attr::{Direction, Fmtp, Rtpmap};

/// `o=` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub username: String,
    /// Kept as text: phones send numbers wider than 64 bits.
    pub session_id: String,
    pub session_version: String,
    pub net_type: String,
    pub addr_type: String,
    pub address: String,
}

impl Origin {
    /// The version as a number, if it is one (it is compared, never incremented, for remote SDP).
    pub fn version_number(&self) -> Option<u64> {
        self.session_version.parse().ok()
    }
}

/// `c=` line: `IN IP4 192.0.2.1` (a multicast `/ttl` suffix stays in `address`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub net_type: String,
    pub addr_type: String,
    pub address: String,
}

impl Connection {
    /// A unicast `IN IP4`/`IN IP6` connection for `ip`.
    pub fn for_ip(ip: IpAddr) -> Self {
        Connection {
            net_type: "IN".into(),
            addr_type: if ip.is_ipv4() { "IP4" } else { "IP6" }.into(),
            address: ip.to_string(),
        }
    }

    /// The address as an IP, without any `/ttl` suffix; `None` for a host name.
    pub fn ip(&self) -> Option<IpAddr> {
        let a = self.address.split('/').next().unwrap_or("");
        let a = a.trim_start_matches('[').trim_end_matches(']');
        a.parse().ok()
    }

    /// `0.0.0.0` or `::`: the RFC 2543 way to put a call on hold.
    pub fn is_unspecified(&self) -> bool {
        self.ip().is_some_and(|ip| ip.is_unspecified())
    }
}

/// `b=` line: `AS:64`, `TIAS:64000`, `CT:...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bandwidth {
    pub kind: String,
    pub value: String,
}

/// `a=` line: `a=name` (property) or `a=name:value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub name: String,
    pub value: Option<String>,
}

impl Attribute {
    pub fn flag(name: &str) -> Self {
        Attribute {
            name: name.into(),
            value: None,
        }
    }
    pub fn new(name: &str, value: impl Into<String>) -> Self {
        Attribute {
            name: name.into(),
            value: Some(value.into()),
        }
    }
}

/// A line tandem keeps without interpreting: `r=`, `z=`, `k=` or an unknown type letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawLine {
    pub kind: char,
    pub value: String,
}

/// One `m=` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaDescription {
    /// `audio`, `video`, `image`, `application`, ...
    pub media: String,
    pub port: u16,
    pub port_count: Option<u16>,
    /// `RTP/AVP`, `RTP/SAVP`, `udptl`, ...
    pub protocol: String,
    /// Payload types (as text, `udptl` uses `t38`).
    pub formats: Vec<String>,
    pub title: Option<String>,
    pub connections: Vec<Connection>,
    pub bandwidths: Vec<Bandwidth>,
    pub attributes: Vec<Attribute>,
    pub other: Vec<RawLine>,
}

impl MediaDescription {
    pub fn new(media: &str, port: u16, protocol: &str) -> Self {
        MediaDescription {
            media: media.into(),
            port,
            port_count: None,
            protocol: protocol.into(),
            formats: Vec::new(),
            title: None,
            connections: Vec::new(),
            bandwidths: Vec::new(),
            attributes: Vec::new(),
            other: Vec::new(),
        }
    }

    /// The first attribute called `name` (ASCII case-insensitive).
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }

    pub fn has_attribute(&self, name: &str) -> bool {
        self.attribute(name).is_some()
    }

    /// Every value of attributes called `name`, in order.
    pub fn attribute_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.attributes
            .iter()
            .filter(move |a| a.name.eq_ignore_ascii_case(name))
            .filter_map(|a| a.value.as_deref())
    }

    /// Payload types of the format list that are numbers 0-127.
    pub fn payload_types(&self) -> impl Iterator<Item = u8> + '_ {
        self.formats
            .iter()
            .filter_map(|f| f.parse::<u8>().ok())
            .filter(|pt| *pt < 128)
    }

    /// The `a=rtpmap` for `pt`; when a phone repeats one, the first wins.
    pub fn rtpmap(&self, pt: u8) -> Option<Rtpmap> {
        self.attribute_values("rtpmap")
            .filter_map(Rtpmap::parse)
            .find(|r| r.payload_type == pt)
    }

    /// The `a=fmtp` for `pt` (first one wins).
    pub fn fmtp(&self, pt: u8) -> Option<Fmtp> {
        self.attribute_values("fmtp")
            .filter_map(Fmtp::parse)
            .find(|f| f.payload_type == pt)
    }

    /// `a=ptime` in milliseconds (decimals such as `20.0` are accepted and truncated).
    pub fn ptime(&self) -> Option<u32> {
        self.attribute_values("ptime").find_map(parse_ms)
    }

    pub fn maxptime(&self) -> Option<u32> {
        self.attribute_values("maxptime").find_map(parse_ms)
    }

    /// The direction attribute given at media level, if any.
    pub fn direction(&self) -> Option<Direction> {
        self.attributes.iter().find_map(|a| match a.value {
            None => Direction::from_attribute(&a.name),
            Some(_) => None,
        })
    }

    /// `a=rtcp:PORT [IN IP4 addr]`: the port.
    pub fn rtcp_port(&self) -> Option<u16> {
        self.attribute_values("rtcp")
            .find_map(|v| v.split_whitespace().next()?.parse().ok())
    }

    pub fn rtcp_mux(&self) -> bool {
        self.has_attribute("rtcp-mux")
    }

    /// Raw `a=crypto` values (SDES, RFC 4568), for SRTP later.
    pub fn crypto(&self) -> Vec<&str> {
        self.attribute_values("crypto").collect()
    }

    /// Raw `a=candidate` values (ICE), kept for later.
    pub fn candidates(&self) -> Vec<&str> {
        self.attribute_values("candidate").collect()
    }

    /// Set (or replace) the direction attribute.
    pub fn set_direction(&mut self, d: Direction) {
        self.attributes
            .retain(|a| !(a.value.is_none() && Direction::from_attribute(&a.name).is_some()));
        self.attributes.push(Attribute::flag(d.as_str()));
    }
}

fn parse_ms(v: &str) -> Option<u32> {
    let v = v.trim();
    let int = v.split('.').next().unwrap_or(v);
    int.parse().ok()
}

/// A whole session description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDescription {
    /// `v=` (always 0 in practice).
    pub version: u32,
    pub origin: Origin,
    /// `s=`; printed as `-` when empty (phones send `s=` or `s= `).
    pub session_name: String,
    pub info: Option<String>,
    pub uri: Option<String>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub connection: Option<Connection>,
    pub bandwidths: Vec<Bandwidth>,
    /// `t=` values, raw (`0 0`); printed as `t=0 0` when none was given.
    pub times: Vec<String>,
    pub attributes: Vec<Attribute>,
    pub other: Vec<RawLine>,
    pub media: Vec<MediaDescription>,
}

impl SessionDescription {
    /// The session-level direction attribute, if any.
    pub fn direction(&self) -> Option<Direction> {
        self.attributes.iter().find_map(|a| match a.value {
            None => Direction::from_attribute(&a.name),
            Some(_) => None,
        })
    }

    /// The direction that applies to media `index`: media level, else session level, else
    /// `sendrecv` (RFC 3264 section 5.1).
    pub fn media_direction(&self, index: usize) -> Direction {
        self.media
            .get(index)
            .and_then(|m| m.direction())
            .or_else(|| self.direction())
            .unwrap_or(Direction::SendRecv)
    }

    /// The connection that applies to media `index`: its own first `c=`, else the session's.
    pub fn media_connection(&self, index: usize) -> Option<&Connection> {
        self.media
            .get(index)
            .and_then(|m| m.connections.first())
            .or(self.connection.as_ref())
    }

    /// Print in canonical order with CRLF line ends.
    pub fn print(&self) -> String {
        self.to_string()
    }
}

fn write_other(f: &mut fmt::Formatter<'_>, other: &[RawLine], kinds: &[char]) -> fmt::Result {
    for l in other.iter().filter(|l| kinds.contains(&l.kind)) {
        write!(f, "{}={}\r\n", l.kind, l.value)?;
    }
    Ok(())
}

/// Every line whose letter is not in `placed` goes just before the `a=` lines.
fn write_unknown(f: &mut fmt::Formatter<'_>, other: &[RawLine], placed: &[char]) -> fmt::Result {
    for l in other.iter().filter(|l| !placed.contains(&l.kind)) {
        write!(f, "{}={}\r\n", l.kind, l.value)?;
    }
    Ok(())
}

fn write_attrs(f: &mut fmt::Formatter<'_>, attrs: &[Attribute]) -> fmt::Result {
    for a in attrs {
        match &a.value {
            Some(v) => write!(f, "a={}:{}\r\n", a.name, v)?,
            None => write!(f, "a={}\r\n", a.name)?,
        }
    }
    Ok(())
}

impl fmt::Display for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.net_type, self.addr_type, self.address)
    }
}

impl fmt::Display for SessionDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = &self.origin;
        write!(f, "v={}\r\n", self.version)?;
        write!(
            f,
            "o={} {} {} {} {} {}\r\n",
            o.username, o.session_id, o.session_version, o.net_type, o.addr_type, o.address
        )?;
        let name = if self.session_name.is_empty() {
            "-"
        } else {
            &self.session_name
        };
        write!(f, "s={name}\r\n")?;
        if let Some(i) = &self.info {
            write!(f, "i={i}\r\n")?;
        }
        if let Some(u) = &self.uri {
            write!(f, "u={u}\r\n")?;
        }
        for e in &self.emails {
            write!(f, "e={e}\r\n")?;
        }
        for p in &self.phones {
            write!(f, "p={p}\r\n")?;
        }
        if let Some(c) = &self.connection {
            write!(f, "c={c}\r\n")?;
        }
        for b in &self.bandwidths {
            write!(f, "b={}:{}\r\n", b.kind, b.value)?;
        }
        if self.times.is_empty() {
            f.write_str("t=0 0\r\n")?;
        }
        for t in &self.times {
            write!(f, "t={t}\r\n")?;
        }
        write_other(f, &self.other, &['r', 'z', 'k'])?;
        write_unknown(f, &self.other, &['r', 'z', 'k'])?;
        write_attrs(f, &self.attributes)?;
        for m in &self.media {
            let mut line = String::new();
            let _ = write!(line, "m={} {}", m.media, m.port);
            if let Some(n) = m.port_count {
                let _ = write!(line, "/{n}");
            }
            let _ = write!(line, " {}", m.protocol);
            for fmt_ in &m.formats {
                let _ = write!(line, " {fmt_}");
            }
            write!(f, "{line}\r\n")?;
            if let Some(i) = &m.title {
                write!(f, "i={i}\r\n")?;
            }
            for c in &m.connections {
                write!(f, "c={c}\r\n")?;
            }
            for b in &m.bandwidths {
                write!(f, "b={}:{}\r\n", b.kind, b.value)?;
            }
            write_other(f, &m.other, &['k'])?;
            write_unknown(f, &m.other, &['k'])?;
            write_attrs(f, &m.attributes)?;
        }
        Ok(())
    }
}
