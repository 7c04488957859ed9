//! Typed views of the attributes tandem interprets: direction, `rtpmap`, `fmtp`.

/// Media direction (RFC 3264 section 5.1), always from the point of view of the side that
/// wrote the SDP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

impl Direction {
    /// `sendrecv`, `sendonly`, `recvonly`, `inactive` (ASCII case-insensitive).
    pub fn from_attribute(name: &str) -> Option<Self> {
        let n = name.trim();
        if n.eq_ignore_ascii_case("sendrecv") {
            Some(Direction::SendRecv)
        } else if n.eq_ignore_ascii_case("sendonly") {
            Some(Direction::SendOnly)
        } else if n.eq_ignore_ascii_case("recvonly") {
            Some(Direction::RecvOnly)
        } else if n.eq_ignore_ascii_case("inactive") {
            Some(Direction::Inactive)
        } else {
            None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    pub fn sends(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::SendOnly)
    }

    pub fn receives(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::RecvOnly)
    }

    fn from_flags(send: bool, recv: bool) -> Self {
        match (send, recv) {
            (true, true) => Direction::SendRecv,
            (true, false) => Direction::SendOnly,
            (false, true) => Direction::RecvOnly,
            (false, false) => Direction::Inactive,
        }
    }

    /// The same stream seen from the other side: `sendonly` <-> `recvonly`.
    pub fn reverse(self) -> Self {
        Direction::from_flags(self.receives(), self.sends())
    }

    /// What both allow: `sendrecv` with `sendonly` is `sendonly`, anything with `inactive` is
    /// `inactive`.
    pub fn intersect(self, other: Direction) -> Self {
        Direction::from_flags(
            self.sends() && other.sends(),
            self.receives() && other.receives(),
        )
    }
}

/// `a=rtpmap:<pt> <encoding>/<clock rate>[/<channels>]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rtpmap {
    pub payload_type: u8,
    /// As sent (`PCMU`, `pcmu`, `opus`, `telephone-event`); compare case-insensitively.
    pub encoding: String,
    pub clock_rate: u32,
    pub channels: Option<u8>,
}

impl Rtpmap {
    /// Parse the value after `a=rtpmap:`. Tolerates extra blanks; `None` when malformed.
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        let (pt, rest) = value.split_once(|c: char| c.is_ascii_whitespace())?;
        let payload_type: u8 = pt.parse().ok().filter(|p| *p < 128)?;
        let mut parts = rest.trim().split('/');
        let encoding = parts.next()?.trim();
        if encoding.is_empty() {
            return None;
        }
        let clock_rate: u32 = parts.next()?.trim().parse().ok()?;
        let channels = match parts.next() {
            Some(c) => Some(c.trim().parse().ok()?),
            None => None,
        };
        Some(Rtpmap {
            payload_type,
            encoding: encoding.to_string(),
            clock_rate,
            channels,
        })
    }

    /// The value to print after `a=rtpmap:`.
    pub fn value(&self) -> String {
        match self.channels {
            Some(c) => format!(
                "{} {}/{}/{}",
                self.payload_type, self.encoding, self.clock_rate, c
            ),
            None => format!(
                "{} {}/{}",
                self.payload_type, self.encoding, self.clock_rate
            ),
        }
    }
}

/// `a=fmtp:<pt> <parameters>`; the parameters stay raw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fmtp {
    pub payload_type: u8,
    pub params: String,
}

impl Fmtp {
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        let (pt, rest) = match value.split_once(|c: char| c.is_ascii_whitespace()) {
            Some((pt, rest)) => (pt, rest.trim()),
            None => (value, ""),
        };
        let payload_type: u8 = pt.parse().ok().filter(|p| *p < 128)?;
        Some(Fmtp {
            payload_type,
            params: rest.to_string(),
        })
    }

    pub fn value(&self) -> String {
        format!("{} {}", self.payload_type, self.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_direction_is_the_reverse_of_the_offer() {
        assert_eq!(Direction::SendOnly.reverse(), Direction::RecvOnly);
        assert_eq!(Direction::RecvOnly.reverse(), Direction::SendOnly);
        assert_eq!(Direction::Inactive.reverse(), Direction::Inactive);
        assert_eq!(Direction::SendRecv.reverse(), Direction::SendRecv);
    }

    #[test]
    fn intersecting_directions_keeps_what_both_allow() {
        assert_eq!(
            Direction::SendRecv.intersect(Direction::SendOnly),
            Direction::SendOnly
        );
        assert_eq!(
            Direction::RecvOnly.intersect(Direction::SendOnly),
            Direction::Inactive
        );
        assert_eq!(
            Direction::SendRecv.intersect(Direction::SendRecv),
            Direction::SendRecv
        );
    }

    #[test]
    fn rtpmap_parses_channels_and_tolerates_blanks() {
        let r = Rtpmap::parse("111  opus/48000/2 ").unwrap();
        assert_eq!(
            (
                r.payload_type,
                r.encoding.as_str(),
                r.clock_rate,
                r.channels
            ),
            (111, "opus", 48000, Some(2))
        );
        assert_eq!(r.value(), "111 opus/48000/2");
        assert!(Rtpmap::parse("128 PCMU/8000").is_none());
        assert!(Rtpmap::parse("0 PCMU").is_none());
        assert!(Rtpmap::parse("x PCMU/8000").is_none());
        assert!(Rtpmap::parse("").is_none());
    }

    #[test]
    fn fmtp_keeps_parameters_raw() {
        let f = Fmtp::parse("101 0-16").unwrap();
        assert_eq!((f.payload_type, f.params.as_str()), (101, "0-16"));
        let f = Fmtp::parse("18 annexb=no").unwrap();
        assert_eq!(f.params, "annexb=no");
    }
}
