//! Message framing: `Key: Value\r\n` lines, an empty line ends a message.
//!
//! As Asterisk's `get_input`/`do_message` (main/manager.c):
//! - a line ends with `\r\n` only (a bare `\n` stays part of the line);
//! - a line longer than the session buffer (1024 bytes) is discarded, and with it the rest of
//!   its message: tandem then answers `Response: Error` with `Message: Line too long` once
//!   the message ends (Asterisk only logs), so a client is never left waiting;
//! - at most [`MAX_HEADERS`] headers are kept (`AST_MAX_MANHEADERS`); later ones are dropped
//!   silently, as Asterisk drops them;
//! - a header is looked up case-insensitively by the text before its first `:`, and its value
//!   is what follows with leading blanks skipped (`astman_get_header`); the first match wins.
//!
//! Wire sample (a Login):
//! ```text
//! Action: Login\r\nUsername: admin\r\nSecret: s3cret\r\nActionID: 1\r\n\r\n
//! ```
//! tandem also bounds a whole message ([`MAX_MESSAGE`] bytes, dropped headers included).

/// Asterisk's `inbuf[1025]`: the longest line, without its `\r\n`.
pub const MAX_LINE: usize = 1024;
/// `AST_MAX_MANHEADERS`.
pub const MAX_HEADERS: usize = 128;
/// tandem's bound on one message, all lines included.
pub const MAX_MESSAGE: usize = 64 * 1024;

/// One AMI message (an action from a client).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Message {
    headers: Vec<(String, String)>,
}

impl Message {
    /// Build one from pairs (tests, the server's own actions).
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Message {
        Message {
            headers: pairs
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
        }
    }

    /// The first header named `name` (case-insensitive), or `""` as `astman_get_header`.
    pub fn get(&self, name: &str) -> &str {
        self.get_opt(name).unwrap_or("")
    }

    pub fn get_opt(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every header named `name`, in order (`Variable:` lines).
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn len(&self) -> usize {
        self.headers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.headers.is_empty()
    }

    fn push_line(&mut self, line: &str) {
        if self.headers.len() >= MAX_HEADERS {
            return;
        }
        // A line without `:` is kept by Asterisk but never matched: nothing to keep.
        if let Some((k, v)) = line.split_once(':') {
            self.headers
                .push((k.to_string(), v.trim_start_matches([' ', '\t']).to_string()));
        }
    }
}

/// Why a message could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrameError {
    /// A line exceeded [`MAX_LINE`]; the message was discarded.
    LineTooLong,
    /// The message exceeded [`MAX_MESSAGE`]; it was discarded.
    MessageTooLarge,
}

impl FrameError {
    /// The `Message:` of the error response.
    pub fn text(&self) -> &'static str {
        match self {
            FrameError::LineTooLong => "Line too long",
            FrameError::MessageTooLarge => "Message too large",
        }
    }
}

/// Splits a byte stream into messages. Feed bytes with [`Decoder::push`], then take messages
/// with [`Decoder::poll`] until it returns `None`.
#[derive(Default)]
pub struct Decoder {
    buf: Vec<u8>,
    current: Message,
    /// Bytes of the message so far.
    size: usize,
    /// Discarding up to the end of the message.
    failed: Option<FrameError>,
    /// Inside a too-long line: drop bytes up to its `\r\n`.
    in_long_line: bool,
}

impl Decoder {
    pub fn new() -> Decoder {
        Decoder::default()
    }

    /// Append received bytes. The buffer never holds more than one line's worth.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete message, or an error for a discarded one; `None` when more bytes are
    /// needed.
    pub fn poll(&mut self) -> Option<Result<Message, FrameError>> {
        loop {
            let Some(end) = find_crlf(&self.buf) else {
                if self.buf.len() > MAX_LINE + 1 {
                    // Discard what we have of the line; keep a trailing '\r'.
                    let keep_cr = self.buf.last() == Some(&b'\r');
                    self.size = self.size.saturating_add(self.buf.len());
                    self.buf.clear();
                    if keep_cr {
                        self.buf.push(b'\r');
                    }
                    self.failed.get_or_insert(FrameError::LineTooLong);
                    self.in_long_line = true;
                }
                return None;
            };
            let line: Vec<u8> = self.buf.drain(..end + 2).take(end).collect();
            if std::mem::take(&mut self.in_long_line) {
                // The end of a line already discarded.
                continue;
            }
            if line.is_empty() {
                let size = std::mem::take(&mut self.size);
                let msg = std::mem::take(&mut self.current);
                if let Some(e) = self.failed.take() {
                    return Some(Err(e));
                }
                if msg.is_empty() && size == 0 {
                    // Blank lines between messages.
                    continue;
                }
                return Some(Ok(msg));
            }
            self.size = self.size.saturating_add(line.len() + 2);
            if line.len() > MAX_LINE {
                self.failed.get_or_insert(FrameError::LineTooLong);
            }
            if self.size > MAX_MESSAGE {
                self.failed.get_or_insert(FrameError::MessageTooLarge);
            }
            if self.failed.is_none() {
                self.current.push_line(&String::from_utf8_lossy(&line));
            }
        }
    }
}

fn find_crlf(buf: &[u8]) -> Option<usize> {
    buf.windows(2).position(|w| w == b"\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(d: &mut Decoder) -> Vec<Result<Message, FrameError>> {
        std::iter::from_fn(|| d.poll()).collect()
    }

    #[test]
    fn a_blank_line_ends_a_message_and_bytes_may_come_in_pieces() {
        let mut d = Decoder::new();
        d.push(b"Action: Ping\r\nActio");
        assert!(d.poll().is_none());
        d.push(b"nID: 7\r\n\r");
        assert!(d.poll().is_none());
        d.push(b"\n");
        let m = d.poll().unwrap().unwrap();
        assert_eq!(m.get("action"), "Ping");
        assert_eq!(m.get("ACTIONID"), "7");
        assert!(d.poll().is_none());
    }

    #[test]
    fn header_lookup_is_case_insensitive_first_match_and_skips_leading_blanks() {
        let mut d = Decoder::new();
        d.push(b"action:   Login\r\nVariable: a=1\r\nvariable: b=2\r\nno colon here\r\n\r\n");
        let m = d.poll().unwrap().unwrap();
        assert_eq!(m.get("Action"), "Login");
        assert_eq!(m.get("Variable"), "a=1");
        assert_eq!(m.get_all("variable").collect::<Vec<_>>(), ["a=1", "b=2"]);
        assert_eq!(m.get("Missing"), "");
        assert_eq!(m.len(), 3);
    }

    #[test]
    fn a_bare_newline_does_not_end_a_line() {
        let mut d = Decoder::new();
        d.push(b"Action: Ping\n\n");
        assert!(d.poll().is_none());
        d.push(b"\r\n\r\n");
        let m = d.poll().unwrap().unwrap();
        assert_eq!(m.get("Action"), "Ping\n\n");
    }

    #[test]
    fn headers_beyond_128_are_dropped_as_asterisk_does() {
        let mut d = Decoder::new();
        for i in 0..200 {
            d.push(format!("H{i}: {i}\r\n").as_bytes());
        }
        d.push(b"\r\n");
        let m = d.poll().unwrap().unwrap();
        assert_eq!(m.len(), MAX_HEADERS);
        assert_eq!(m.get("H127"), "127");
        assert_eq!(m.get("H128"), "");
    }

    #[test]
    fn a_too_long_line_discards_its_message_and_the_next_one_reads() {
        let mut d = Decoder::new();
        d.push(b"Action: Ping\r\nX: ");
        d.push(&vec![b'a'; 5000]);
        assert!(d.poll().is_none());
        assert!(d.buf.len() <= MAX_LINE + 2, "the buffer stays bounded");
        d.push(b"\r\nActionID: 1\r\n\r\nAction: Ping\r\n\r\n");
        let got = all(&mut d);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], Err(FrameError::LineTooLong));
        assert_eq!(got[1].as_ref().unwrap().get("Action"), "Ping");
    }

    #[test]
    fn a_too_large_message_is_refused() {
        let mut d = Decoder::new();
        for _ in 0..200 {
            d.push(format!("X: {}\r\n", "b".repeat(1000)).as_bytes());
        }
        d.push(b"\r\n");
        assert_eq!(all(&mut d), vec![Err(FrameError::MessageTooLarge)]);
    }

    #[test]
    fn blank_lines_between_messages_are_skipped() {
        let mut d = Decoder::new();
        d.push(b"\r\n\r\nAction: Ping\r\n\r\n\r\n");
        let got = all(&mut d);
        assert_eq!(got.len(), 1);
    }
}
