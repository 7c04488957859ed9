//! Framing SIP over a byte stream (TCP, later TLS): RFC 3261 sec. 18.3.
//!
//! Bytes are pushed as they arrive; [`Framer::next_frame`] cuts one whole message at a time
//! (headers up to the blank line, then Content-Length bytes of body; a missing Content-Length
//! counts as 0). CRLFs between messages are skipped; a double CRLF there is an RFC 5626
//! keep-alive ping, reported so the driver can answer with a single CRLF. A message over the
//! limit (64 KiB by default) or a bad Content-Length is fatal for the connection: the stream
//! cannot be resynchronised, so the framer stays failed and the driver closes it.
//!
//! Drive it as: `push(bytes)`, then call `next_frame()` until it returns `Ok(None)`.

use super::parser::find_head_end;
use super::{canonical_name, parse_content_length, MAX_MESSAGE_SIZE};

/// What the framer cut from the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// One complete message, ready for [`super::parse`].
    Message(Vec<u8>),
    /// A CRLFCRLF keep-alive ping (answer with CRLF).
    KeepAlive,
}

/// Why the stream cannot go on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("message larger than {0} bytes")]
    TooLarge(usize),
    #[error("bad Content-Length: {0}")]
    BadContentLength(&'static str),
}

/// Accumulates stream bytes and splits them into messages.
#[derive(Debug)]
pub struct Framer {
    buf: Vec<u8>,
    limit: usize,
    failed: Option<FrameError>,
}

impl Default for Framer {
    fn default() -> Self {
        Framer::new()
    }
}

const PING: &[u8] = b"\r\n\r\n";

impl Framer {
    /// A framer with the 64 KiB message limit.
    pub fn new() -> Framer {
        Framer::with_limit(MAX_MESSAGE_SIZE)
    }

    pub fn with_limit(limit: usize) -> Framer {
        Framer {
            buf: Vec::new(),
            limit,
            failed: None,
        }
    }

    /// Appends received bytes.
    pub fn push(&mut self, data: &[u8]) {
        if self.failed.is_none() {
            self.buf.extend_from_slice(data);
        }
    }

    /// Bytes held waiting for the rest of a message.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The next complete frame, `Ok(None)` when more bytes are needed.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, FrameError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        match self.cut() {
            Err(e) => {
                self.buf = Vec::new();
                self.failed = Some(e.clone());
                Err(e)
            }
            ok => ok,
        }
    }

    fn cut(&mut self) -> Result<Option<Frame>, FrameError> {
        loop {
            if self.buf.starts_with(PING) {
                self.buf.drain(..PING.len());
                return Ok(Some(Frame::KeepAlive));
            }
            match self.buf.first() {
                Some(b'\r' | b'\n') => {
                    if PING.starts_with(&self.buf) {
                        return Ok(None);
                    }
                    self.buf.remove(0);
                }
                _ => break,
            }
        }
        if self.buf.is_empty() {
            return Ok(None);
        }
        let Some((head_end, body_start)) = find_head_end(&self.buf) else {
            if self.buf.len() > self.limit {
                return Err(FrameError::TooLarge(self.limit));
            }
            return Ok(None);
        };
        let length = content_length(self.buf.get(..head_end).unwrap_or(&[]))?;
        let total = body_start
            .checked_add(length)
            .ok_or(FrameError::TooLarge(self.limit))?;
        if total > self.limit {
            return Err(FrameError::TooLarge(self.limit));
        }
        if self.buf.len() < total {
            return Ok(None);
        }
        let rest = self.buf.split_off(total);
        let msg = std::mem::replace(&mut self.buf, rest);
        Ok(Some(Frame::Message(msg)))
    }
}

/// The Content-Length of a header block (0 when absent); conflicting values are an error.
fn content_length(head: &[u8]) -> Result<usize, FrameError> {
    let text = String::from_utf8_lossy(head);
    let mut found: Option<usize> = None;
    for line in text.split('\n') {
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if canonical_name(name.trim()) != Some("Content-Length") {
            continue;
        }
        let n = parse_content_length(value).map_err(FrameError::BadContentLength)?;
        if found.is_some_and(|f| f != n) {
            return Err(FrameError::BadContentLength("conflicting values"));
        }
        found = Some(n);
    }
    Ok(found.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::parse;

    fn msg(body: &str) -> String {
        format!(
            "MESSAGE sip:a@b SIP/2.0\r\nCall-ID: x\r\nl: {}\r\n\r\n{body}",
            body.len()
        )
    }

    fn frames(f: &mut Framer) -> Vec<Frame> {
        let mut out = Vec::new();
        while let Some(fr) = f.next_frame().unwrap() {
            out.push(fr);
        }
        out
    }

    #[test]
    fn two_messages_in_one_read() {
        let mut f = Framer::new();
        f.push(format!("{}{}", msg("hello"), msg("")).as_bytes());
        let got = frames(&mut f);
        assert_eq!(got.len(), 2);
        let Frame::Message(first) = &got[0] else {
            panic!()
        };
        assert_eq!(parse(first).unwrap().body(), b"hello");
        assert_eq!(f.buffered(), 0);
    }

    #[test]
    fn message_split_across_reads_byte_by_byte() {
        let whole = msg("v=0\r\n");
        let mut f = Framer::new();
        let mut got = Vec::new();
        for b in whole.as_bytes() {
            f.push(&[*b]);
            got.extend(frames(&mut f));
        }
        assert_eq!(got, vec![Frame::Message(whole.into_bytes())]);
    }

    #[test]
    fn keepalive_ping_and_stray_crlf() {
        let mut f = Framer::new();
        f.push(b"\r\n\r\n");
        assert_eq!(frames(&mut f), vec![Frame::KeepAlive]);
        f.push(b"\r\n");
        assert_eq!(frames(&mut f), vec![]);
        f.push(msg("").as_bytes());
        let got = frames(&mut f);
        assert_eq!(got, vec![Frame::Message(msg("").into_bytes())]);
    }

    #[test]
    fn oversize_is_fatal() {
        let mut f = Framer::with_limit(100);
        f.push(&[b'a'; 101]);
        assert_eq!(f.next_frame(), Err(FrameError::TooLarge(100)));
        f.push(msg("").as_bytes());
        assert!(f.next_frame().is_err(), "stays failed");

        let mut f = Framer::new();
        f.push(b"INVITE sip:a@b SIP/2.0\r\nContent-Length: 70000\r\n\r\n");
        assert_eq!(f.next_frame(), Err(FrameError::TooLarge(MAX_MESSAGE_SIZE)));
    }

    #[test]
    fn bad_or_conflicting_content_length_is_fatal() {
        let mut f = Framer::new();
        f.push(b"INVITE sip:a@b SIP/2.0\r\nl: -5\r\n\r\n");
        assert!(matches!(
            f.next_frame(),
            Err(FrameError::BadContentLength(_))
        ));
        let mut f = Framer::new();
        f.push(b"INVITE sip:a@b SIP/2.0\r\nl: 5\r\nContent-Length: 13\r\n\r\n");
        assert!(matches!(
            f.next_frame(),
            Err(FrameError::BadContentLength(_))
        ));
    }

    #[test]
    fn missing_content_length_is_zero_on_a_stream() {
        let mut f = Framer::new();
        f.push(b"OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\nOPTIONS sip:c@d SIP/2.0\r\n\r\n");
        assert_eq!(frames(&mut f).len(), 2);
    }
}
