//! Tolerant SDP parser.
//!
//! Accepts what phones send rather than only what RFC 8866 allows: CRLF or bare LF, trailing
//! blanks, blank lines, `s=` with nothing after it, missing `o=`/`s=`/`t=`, attributes in any
//! order, `c=` at session or media level, repeated `rtpmap`s, unknown line types. It refuses
//! only what cannot be used: no `v=` first, an `m=` or `c=` line that cannot be read, or input
//! over the size bounds below. Lines that are not `<letter>=...` at all are skipped.

use crate::model::{
    Attribute, Bandwidth, Connection, MediaDescription, Origin, RawLine, SessionDescription,
};
use crate::SdpError;

/// Largest SDP body accepted (bytes), like the 64 KiB SIP message limit.
pub const MAX_SDP_LEN: usize = 64 * 1024;
/// Most lines in one body.
pub const MAX_LINES: usize = 2048;
/// Most `m=` sections.
pub const MAX_MEDIA: usize = 64;
/// Most formats on one `m=` line.
pub const MAX_FORMATS: usize = 128;
/// Most attributes in one section (session or one medium).
pub const MAX_ATTRIBUTES: usize = 512;

impl SessionDescription {
    /// Parse an SDP body.
    pub fn parse(text: &str) -> Result<Self, SdpError> {
        parse(text)
    }

    /// Parse raw bytes; invalid UTF-8 is replaced rather than refused.
    pub fn parse_bytes(bytes: &[u8]) -> Result<Self, SdpError> {
        if bytes.len() > MAX_SDP_LEN {
            return Err(SdpError::TooLarge("body"));
        }
        parse(&String::from_utf8_lossy(bytes))
    }
}

fn parse(text: &str) -> Result<SessionDescription, SdpError> {
    if text.len() > MAX_SDP_LEN {
        return Err(SdpError::TooLarge("body"));
    }
    let mut lines = text
        .split('\n')
        .map(|l| l.trim_matches(|c: char| c == '\r' || c == ' ' || c == '\t'))
        .filter(|l| !l.is_empty());

    let mut sdp = SessionDescription {
        version: 0,
        origin: default_origin(),
        session_name: String::new(),
        info: None,
        uri: None,
        emails: Vec::new(),
        phones: Vec::new(),
        connection: None,
        bandwidths: Vec::new(),
        times: Vec::new(),
        attributes: Vec::new(),
        other: Vec::new(),
        media: Vec::new(),
    };

    match lines.next().and_then(split_line) {
        Some(('v', v)) => sdp.version = v.trim().parse().map_err(|_| SdpError::BadVersion)?,
        _ => return Err(SdpError::MissingVersion),
    }

    for (count, line) in lines.enumerate() {
        if count >= MAX_LINES {
            return Err(SdpError::TooLarge("lines"));
        }
        let Some((kind, value)) = split_line(line) else {
            continue;
        };
        if kind == 'm' {
            if sdp.media.len() >= MAX_MEDIA {
                return Err(SdpError::TooLarge("media sections"));
            }
            sdp.media.push(parse_media(value)?);
            continue;
        }
        match sdp.media.last_mut() {
            Some(m) => media_line(m, kind, value)?,
            None => session_line(&mut sdp, kind, value)?,
        }
    }
    Ok(sdp)
}

fn default_origin() -> Origin {
    Origin {
        username: "-".into(),
        session_id: "0".into(),
        session_version: "0".into(),
        net_type: "IN".into(),
        addr_type: "IP4".into(),
        address: "0.0.0.0".into(),
    }
}

/// `x=value` with `x` an ASCII letter; `None` for anything else.
fn split_line(line: &str) -> Option<(char, &str)> {
    let mut chars = line.chars();
    let kind = chars.next()?;
    let rest = chars.as_str();
    let rest = rest.trim_start_matches([' ', '\t']);
    let value = rest.strip_prefix('=')?;
    if !kind.is_ascii_alphabetic() {
        return None;
    }
    Some((kind.to_ascii_lowercase(), value))
}

fn session_line(sdp: &mut SessionDescription, kind: char, value: &str) -> Result<(), SdpError> {
    match kind {
        'o' => sdp.origin = parse_origin(value)?,
        's' => sdp.session_name = value.trim().to_string(),
        'i' => sdp.info = Some(value.to_string()),
        'u' => sdp.uri = Some(value.to_string()),
        'e' => sdp.emails.push(value.to_string()),
        'p' => sdp.phones.push(value.to_string()),
        // A second session-level c= is not allowed; keep the first, as most stacks do.
        'c' => {
            let c = parse_connection(value)?;
            if sdp.connection.is_none() {
                sdp.connection = Some(c);
            }
        }
        'b' => push_bandwidth(&mut sdp.bandwidths, value),
        't' => sdp.times.push(value.trim().to_string()),
        'a' => push_attribute(&mut sdp.attributes, value)?,
        'v' => {}
        _ => push_other(&mut sdp.other, kind, value)?,
    }
    Ok(())
}

fn media_line(m: &mut MediaDescription, kind: char, value: &str) -> Result<(), SdpError> {
    match kind {
        'i' => m.title = Some(value.to_string()),
        'c' => {
            if m.connections.len() >= 16 {
                return Err(SdpError::TooLarge("connections"));
            }
            m.connections.push(parse_connection(value)?)
        }
        'b' => push_bandwidth(&mut m.bandwidths, value),
        'a' => push_attribute(&mut m.attributes, value)?,
        _ => push_other(&mut m.other, kind, value)?,
    }
    Ok(())
}

fn push_other(other: &mut Vec<RawLine>, kind: char, value: &str) -> Result<(), SdpError> {
    if other.len() >= MAX_ATTRIBUTES {
        return Err(SdpError::TooLarge("lines of unknown type"));
    }
    other.push(RawLine {
        kind,
        value: value.to_string(),
    });
    Ok(())
}

fn push_bandwidth(list: &mut Vec<Bandwidth>, value: &str) {
    if list.len() >= 16 {
        return;
    }
    if let Some((k, v)) = value.split_once(':') {
        list.push(Bandwidth {
            kind: k.trim().to_string(),
            value: v.trim().to_string(),
        });
    }
}

fn push_attribute(list: &mut Vec<Attribute>, value: &str) -> Result<(), SdpError> {
    if list.len() >= MAX_ATTRIBUTES {
        return Err(SdpError::TooLarge("attributes"));
    }
    let attr = match value.split_once(':') {
        Some((n, v)) => Attribute {
            name: n.trim().to_string(),
            value: Some(v.to_string()),
        },
        None => Attribute {
            name: value.trim().to_string(),
            value: None,
        },
    };
    if !attr.name.is_empty() {
        list.push(attr);
    }
    Ok(())
}

/// `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address>`. A user name with
/// blanks in it (seen in the wild) is joined back together.
fn parse_origin(value: &str) -> Result<Origin, SdpError> {
    let f: Vec<&str> = value.split_whitespace().take(64).collect();
    let n = f.len();
    if n < 6 {
        return Err(SdpError::BadOrigin);
    }
    let tail = f.get(n - 5..).ok_or(SdpError::BadOrigin)?;
    let head = f.get(..n - 5).ok_or(SdpError::BadOrigin)?;
    match tail {
        [id, version, net, addr_type, address] => Ok(Origin {
            username: head.join(" "),
            session_id: id.to_string(),
            session_version: version.to_string(),
            net_type: net.to_string(),
            addr_type: addr_type.to_string(),
            address: address.to_string(),
        }),
        _ => Err(SdpError::BadOrigin),
    }
}

fn parse_connection(value: &str) -> Result<Connection, SdpError> {
    let mut f = value.split_whitespace();
    match (f.next(), f.next(), f.next()) {
        (Some(net), Some(addr_type), Some(address)) => Ok(Connection {
            net_type: net.to_string(),
            addr_type: addr_type.to_string(),
            address: address.to_string(),
        }),
        _ => Err(SdpError::BadConnection),
    }
}

/// `m=<media> <port>[/<count>] <proto> <fmt> ...`; a format list may be empty.
fn parse_media(value: &str) -> Result<MediaDescription, SdpError> {
    let mut f = value.split_whitespace();
    let media = f.next().ok_or(SdpError::BadMedia)?;
    let port_field = f.next().ok_or(SdpError::BadMedia)?;
    let protocol = f.next().ok_or(SdpError::BadMedia)?;
    let (port, count) = match port_field.split_once('/') {
        Some((p, c)) => (p, Some(c.parse::<u16>().map_err(|_| SdpError::BadMedia)?)),
        None => (port_field, None),
    };
    let port: u16 = port.parse().map_err(|_| SdpError::BadMedia)?;
    let mut m = MediaDescription::new(media, port, protocol);
    m.port_count = count;
    for fmt_ in f {
        if m.formats.len() >= MAX_FORMATS {
            return Err(SdpError::TooLarge("formats"));
        }
        m.formats.push(fmt_.to_string());
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::Direction;

    #[test]
    fn lf_only_trailing_blanks_and_blank_lines_are_accepted() {
        let s = "v=0 \no=- 1 2 IN IP4 10.0.0.1\t\n\ns=\nc=IN IP4 10.0.0.1  \nt=0 0\nm=audio 4000 RTP/AVP 0\n";
        let sdp = SessionDescription::parse(s).unwrap();
        assert_eq!(sdp.session_name, "");
        assert_eq!(sdp.media.len(), 1);
        assert_eq!(sdp.connection.as_ref().unwrap().address, "10.0.0.1");
        assert_eq!(sdp.media[0].formats, vec!["0"]);
    }

    #[test]
    fn missing_version_line_is_refused() {
        assert_eq!(
            SessionDescription::parse("o=- 1 1 IN IP4 1.2.3.4\n"),
            Err(SdpError::MissingVersion)
        );
        assert_eq!(SessionDescription::parse(""), Err(SdpError::MissingVersion));
    }

    #[test]
    fn missing_origin_session_name_and_time_are_tolerated() {
        let sdp = SessionDescription::parse("v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 5 RTP/AVP 8\r\n")
            .unwrap();
        assert_eq!(sdp.origin.username, "-");
        assert!(sdp.times.is_empty());
        assert!(sdp.print().contains("t=0 0\r\n"));
    }

    #[test]
    fn origin_user_name_with_blanks_is_joined() {
        let o = parse_origin("Cisco SIP Phone 1 2 IN IP4 1.2.3.4").unwrap();
        assert_eq!(o.username, "Cisco SIP Phone");
        assert_eq!(o.session_version, "2");
        assert!(parse_origin("- 1 2 IN IP4").is_err());
    }

    #[test]
    fn media_with_port_count_and_no_formats() {
        let m = parse_media("video 0/2 RTP/AVP").unwrap();
        assert_eq!((m.port, m.port_count, m.formats.len()), (0, Some(2), 0));
        assert!(parse_media("audio x RTP/AVP 0").is_err());
        assert!(parse_media("audio 70000 RTP/AVP 0").is_err());
    }

    #[test]
    fn session_and_media_direction() {
        let s = "v=0\r\ns=x\r\na=sendonly\r\nm=audio 1 RTP/AVP 0\r\nm=audio 2 RTP/AVP 0\r\na=inactive\r\n";
        let sdp = SessionDescription::parse(s).unwrap();
        assert_eq!(sdp.media_direction(0), Direction::SendOnly);
        assert_eq!(sdp.media_direction(1), Direction::Inactive);
    }

    #[test]
    fn garbage_lines_are_skipped() {
        let s = "v=0\r\nthis is not sdp\r\n=x\r\n1=2\r\nm=audio 1 RTP/AVP 0\r\n";
        let sdp = SessionDescription::parse(s).unwrap();
        assert_eq!(sdp.media.len(), 1);
        assert!(sdp.media[0].other.is_empty());
    }

    #[test]
    fn oversized_body_is_refused() {
        let big = format!("v=0\r\n{}", "a=x\r\n".repeat(MAX_SDP_LEN / 5));
        assert_eq!(
            SessionDescription::parse(&big),
            Err(SdpError::TooLarge("body"))
        );
    }
}
